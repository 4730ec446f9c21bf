#!/usr/bin/env bash
# gold_quality.sh - gold images and quality control end to end, as a
# coordinator and annotators would use them: `mlfy gold add|list|remove`
# (bad files refused with file and line, nothing written), `mlfy assign
# --gold-first/--gold-rate`, gold tasks in the annotators' queues that look
# exactly like their own tasks in every API reply (same keys, no batch, no
# flag), saves with "unsure" and problem tags, gold answers never counting
# toward an image's agreement, `mlfy quality` (text and JSON), the exports
# carrying unsure/tags, and the anchoring arms of `mlfy assign-refinement
# --blind-share` (a blind task pre-checks nothing and shows no earlier sets).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
command -v curl >/dev/null || { echo "skipping: curl not installed"; exit 77; }

tmp=$(mktemp -d)
trap 'serve_cleanup; rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
check() { if eval "$1"; then ok; else bad "$2"; fi; }

req() {
	local user=$1 method=$2 path=$3
	shift 3
	BODY=$(curl -sS -X "$method" -b "$tmp/jar.$user" -c "$tmp/jar.$user" -o - -w '\n%{http_code}' \
		"$@" "$BASE$path" 2>"$tmp/curl.err")
	CODE=${BODY##*$'\n'}
	BODY=${BODY%$'\n'*}
}
json() { python3 -c "import json,sys; j=json.loads(sys.argv[1]); print($1)" "$BODY"; }
login() {
	rm -f "$tmp/jar.$1"
	req "$1" POST /api/login -H 'Content-Type: application/json' -d "{\"user\":\"$1\",\"password\":\"$1-password-1\"}"
	check '[ "$CODE" = 200 ]' "login $1: $CODE $BODY"
	printf -v "CSRF_$1" '%s' "$(json 'j["csrf"]')"
}
put() {
	local var="CSRF_$1"
	req "$1" PUT "$2" -H 'Content-Type: application/json' -H "X-CSRF-Token: ${!var}" -d "$3"
}

P=$tmp/p.mlfy
"$FIXTURE" synthetic "$P" "$tmp/img" --images 24 --classes 40 --batch-size 6 --exemplars 2 >/dev/null \
	|| { echo "FAIL: fixture"; exit 1; }
for u in ann1:annotator ann2:annotator expert:expert; do
	printf '%s-password-1\n' "${u%%:*}" > "$tmp/pw"
	"$MLFY" user add "$P" "${u%%:*}" --role "${u##*:}" --password-file "$tmp/pw" >/dev/null || bad "user add"
done
"$MLFY" assign "$P" --per-image 1 --annotators ann1,ann2 >/dev/null || bad "assign"
names=$("$MLFY" export "$P" --format csv | tail -n +2 | cut -d, -f1)

# ---- gold add: bad input names file and line, writes nothing ------------------------
printf 'file,labels\n%s,1\nno_such.jpg,2\n' "$(sed -n 1p <<<"$names")" > "$tmp/bad.csv"
out=$("$MLFY" gold add "$P" "$tmp/bad.csv" 2>&1); rc=$?
check '[ $rc = 1 ] && grep -q "bad.csv: entry 2 (.no_such.jpg.): not an image of the project" <<<"$out"' \
	"unknown image: rc $rc: $out"
printf 'file,labels\n%s,999\n' "$(sed -n 1p <<<"$names")" > "$tmp/bad2.csv"
out=$("$MLFY" gold add "$P" "$tmp/bad2.csv" 2>&1); rc=$?
check '[ $rc = 1 ] && grep -q "bad2.csv" <<<"$out" && grep -q "999" <<<"$out"' "class out of range: $out"
echo '[[1], [2]]' > "$tmp/real.json"
out=$("$MLFY" gold add "$P" "$tmp/real.json" 2>&1); rc=$?
check '[ $rc = 1 ] && grep -q "does not name its images" <<<"$out"' "ReaL file: $out"
printf 'file,labels\n' > "$tmp/empty.csv"
out=$("$MLFY" gold add "$P" "$tmp/empty.csv" 2>&1); rc=$?
check '[ $rc = 1 ] && grep -q "empty.csv: no image to add" <<<"$out"' "a file without images: $out"
out=$("$MLFY" gold list "$P")
check 'grep -q "^0 gold images" <<<"$out"' "nothing written after errors: $out"
out=$("$MLFY" gold frob "$P" 2>&1); rc=$?
check '[ $rc = 2 ] && grep -q "unknown action" <<<"$out"' "usage error: $out"

# gold sets: 12 images (every other one), class = original label + 1, one empty set
{
	echo "file,labels"
	i=0
	while read -r n; do
		i=$((i + 1))
		[ $((i % 2)) = 0 ] || continue
		if [ $i = 24 ]; then echo "$n,"; else echo "$n,$(( (i - 1) % 40 ))"; fi
	done <<<"$names"
} > "$tmp/gold.csv"
out=$("$MLFY" gold add "$P" "$tmp/gold.csv")
check 'grep -q "12 gold images added, 0 replaced" <<<"$out"' "gold add: $out"
out=$("$MLFY" gold list "$P" --json)
check '[ "$(python3 -c "import json,sys; print(json.load(sys.stdin)[\"gold_images\"])" <<<"$out")" = 12 ]' \
	"gold list --json: $out"

# ---- assign gold tasks ---------------------------------------------------------------------
# without --per-image only gold tasks are placed: the batches stay with one annotator each
out=$("$MLFY" assign "$P" --annotators ann1,ann2 --gold-first 2 --gold-rate 0.25 --seed 3)
check '[ $? = 0 ] && grep -q "^ann1 .* 12 .* 6 .* 6" <<<"$out"' "assign gold (12 own, 2 + 4 gold): $out"
check '[ "$(sqlite3 "$P" "SELECT COUNT(*) FROM assignments")" = 4 ]' "gold options alone leave the batches as they are"
n1=$(sqlite3 "$P" "SELECT COUNT(*) FROM gold_tasks g JOIN annotators a ON a.id = g.annotator_id WHERE a.name = 'ann1'")
check '[ "$n1" = 6 ]' "ann1 has 6 gold tasks: $n1"
own=$(sqlite3 "$P" "SELECT COUNT(*) FROM gold_tasks g JOIN images i ON i.id = g.image_id JOIN assignments s
	ON s.batch = i.batch AND s.annotator_id = g.annotator_id")
check '[ "$own" = 0 ]' "no gold task from the annotator's own batches: $own"
out=$("$MLFY" assign "$P" --per-image 1 --annotators ann1,ann2 --gold-first 2 --gold-rate 0.25 --seed 3)
check 'grep -q "had gold tasks already: kept" <<<"$out"' "re-run keeps gold tasks: $out"

# ---- the queue: gold tasks look like any other ---------------------------------------------
serve_setup_dir() { SERVE_DIR=$tmp; PROJECT=$P; }
serve_setup_dir
serve_start --threads 2
login ann1
req ann1 GET "/api/tasks?stage=annotate"
ids=$(json '" ".join(str(i) for i in j["ids"])')
check '[ "$(json "j[\"total\"]")" = 18 ]' "ann1's queue has 12 own + 6 gold tasks: $BODY"
gold_ids=" $(sqlite3 "$P" "SELECT group_concat(image_id, ' ') FROM gold_tasks g JOIN annotators a ON a.id = g.annotator_id WHERE a.name = 'ann1'") "
first2=$(json '" ".join(str(i) for i in j["ids"][:2])')
for i in $first2; do check '[[ "$gold_ids" == *" $i "* ]]' "the first 2 tasks are gold ($i)"; done
# every reply saved, then checked in one go: the same keys everywhere (the
# classes shown differ per image, not their shape), no batch, no gold mark
for i in $ids; do
	req ann1 GET "/api/tasks/$i?stage=annotate"
	check '[ "$CODE" = 200 ]' "GET task $i: $CODE"
	printf '%s' "$BODY" > "$tmp/task.ann1.$i"
done
tops=$(python3 - "$tmp" $ids <<'PY'
import json, sys
def keys(v, p=""):
    out = []
    if isinstance(v, dict):
        for k in sorted(v):
            out += [p + "/" + k] + keys(v[k], p + "/" + k)
    return out
shapes = set()
for i in sys.argv[2:]:
    raw = open(f"{sys.argv[1]}/task.ann1.{i}").read()
    j = json.loads(raw)
    if '"batch"' in raw or "gold" in raw:
        print(f"task {i} carries a batch or a gold mark", file=sys.stderr)
        sys.exit(1)
    j["classes"] = {}
    shapes.add(" ".join(keys(j)))
    print(i, j["proposals"][0]["class"])
if len(shapes) != 1:
    print(f"{len(shapes)} reply shapes: {shapes}", file=sys.stderr)
    sys.exit(1)
PY
)
check '[ $? = 0 ] && [ "$(grep -c . <<<"$tops")" = 18 ]' "every task reply has the same keys, no batch, no gold mark"

# ---- answers: unsure and tags ----------------------------------------------------------------
k=0
while read -r i top; do
	k=$((k + 1))
	extra=""
	[ $k = 3 ] && extra=',"unsure":"too_small_or_blurred"'
	[ $k = 4 ] && extra=',"tags":["multiple_objects","text_or_watermark"]'
	put ann1 "/api/tasks/$i/annotation" "{\"stage\":\"annotate\",\"base_version\":0,\"labels\":[{\"class\":$top,\"source\":\"proposal\"}],\"seconds\":5$extra}"
	check '[ "$CODE" = 200 ]' "save task $i: $CODE $BODY"
done <<<"$tops"
i3=$(awk '{print $3}' <<<"$ids")
req ann1 GET "/api/tasks/$i3?stage=annotate"
check '[ "$(json "j[\"annotation\"][\"unsure\"]")" = too_small_or_blurred ]' "unsure read back: $BODY"
put ann1 "/api/tasks/$i3/annotation" '{"stage":"annotate","base_version":1,"labels":[],"unsure":"maybe"}'
check '[ "$CODE" = 400 ] && grep -q "unsure" <<<"$BODY"' "unknown reason refused: $CODE $BODY"
put ann1 "/api/tasks/$i3/annotation" '{"stage":"annotate","base_version":1,"labels":[],"tags":["blurry"]}'
check '[ "$CODE" = 400 ] && grep -q "tags\[0\]" <<<"$BODY"' "unknown tag refused: $CODE $BODY"
req ann1 GET /api/vocabulary
check '[ "$(json "len(j[\"unsure_reasons\"])")" = 4 ] && [ "$(json "len(j[\"problem_tags\"])")" = 7 ]' \
	"vocabulary lists reasons and tags: $BODY"
login ann2
req ann2 GET "/api/tasks?stage=annotate"
for i in $(json '" ".join(str(i) for i in j["ids"])'); do
	req ann2 GET "/api/tasks/$i?stage=annotate"
	second=$(json 'j["proposals"][1]["class"]')   # not the original label: stage iii sends it on
	put ann2 "/api/tasks/$i/annotation" "{\"stage\":\"annotate\",\"base_version\":0,\"labels\":[{\"class\":$second,\"source\":\"proposal\"}],\"seconds\":6}"
	check '[ "$CODE" = 200 ]' "ann2 save $i: $CODE $BODY"
done
serve_stop

# ---- stage iii: gold answers never count ---------------------------------------------------
"$MLFY" analyze "$P" --rule paper >/dev/null || bad "analyze"
basis_gold=$(sqlite3 "$P" "SELECT COUNT(*) FROM decision_basis b JOIN annotations n ON n.id = b.annotation_id
	JOIN gold_tasks g ON g.image_id = n.image_id AND g.annotator_id = n.annotator_id")
check '[ "$basis_gold" = 0 ]' "no decision rests on a gold answer: $basis_gold"
queued_unsure=$(sqlite3 "$P" "SELECT reason FROM refinement_queue q JOIN images i ON i.id = q.image_id WHERE q.image_id = $i3")
gold3=$(sqlite3 "$P" "SELECT COUNT(*) FROM gold_tasks g JOIN annotators a ON a.id = g.annotator_id WHERE a.name = 'ann1' AND g.image_id = $i3")
if [ "$gold3" = 0 ]; then
	check '[ "$queued_unsure" = annotator_unsure ]' "an unsure image goes to refinement: '$queued_unsure'"
fi

# ---- mlfy quality --------------------------------------------------------------------------
out=$("$MLFY" quality "$P" --json)
check '[ $? = 0 ]' "quality --json"
BODY=$out
check '[ "$(json "[a[\"name\"] for a in j[\"annotators\"] if a[\"name\"] == \"ann1\"][0]")" = ann1 ]' "ann1 listed"
check '[ "$(json "[a for a in j[\"annotators\"] if a[\"name\"] == \"ann1\"][0][\"gold\"][\"n\"]")" -ge 5 ]' \
	"ann1 scored on gold: $out"
check '[ "$(json "[a for a in j[\"annotators\"] if a[\"name\"] == \"ann1\"][0][\"behaviour\"][\"unsure_rate\"][\"k\"]")" = 1 ]' \
	"ann1's unsure answer counted"
check '[ "$(json "[a for a in j[\"annotators\"] if a[\"name\"] == \"ann1\"][0][\"behaviour\"][\"tags\"][\"multiple_objects\"]")" = 1 ]' \
	"ann1's tag counted"
check 'python3 -c "import json,sys; a=json.loads(sys.argv[1])[\"annotators\"][0][\"gold\"][\"exact\"]; assert set(a) >= {\"k\",\"n\",\"p\",\"ci_low\",\"ci_high\"}" "$out"' \
	"gold.exact has k, n, p, ci_low, ci_high"
out=$("$MLFY" quality "$P")
check 'grep -q "accuracy per person" <<<"$out" && grep -q "^ann1 " <<<"$out"' "quality text: $out"
out=$("$MLFY" quality "$P" --min-accuracy 2 2>&1); rc=$?
check '[ $rc = 2 ] && grep -q "min-accuracy" <<<"$out"' "bad --min-accuracy: $out"

# ---- exports carry unsure and tags ----------------------------------------------------------
"$MLFY" export "$P" --format jsonl --out "$tmp/h.jsonl" >/dev/null || bad "export jsonl"
check 'grep -q "\"gold_task\":true" "$tmp/h.jsonl" && grep -q "\"unsure\":\"too_small_or_blurred\"" "$tmp/h.jsonl" && grep -q "\"tags\":\[\"multiple_objects\",\"text_or_watermark\"\]" "$tmp/h.jsonl"' \
	"JSONL carries gold_task, unsure, tags"
"$MLFY" export "$P" --format csv --out "$tmp/l.csv" >/dev/null || bad "export csv"
check 'head -1 "$tmp/l.csv" | grep -q ",unsure,tags$"' "CSV header has unsure,tags"

# ---- mlfy stats counts them -----------------------------------------------------------------
out=$("$MLFY" stats "$P")
check 'grep -q "^gold images: 12, gold tasks 12, 12 answered" <<<"$out"' "stats: gold counts: $out"
own_unsure=$(sqlite3 "$P" "SELECT COUNT(*) FROM annotation_flags f JOIN annotations n ON n.id = f.annotation_id
	WHERE f.kind = 'unsure' AND NOT EXISTS (SELECT 1 FROM gold_tasks g WHERE g.image_id = n.image_id AND g.annotator_id = n.annotator_id)")
if [ "$own_unsure" = 1 ]; then
	check 'grep -q "^unsure answers: 1 (cannot_tell_apart 0, too_small_or_blurred 1" <<<"$out"' "stats: unsure: $out"
else
	check '! grep -q "^unsure answers" <<<"$out"' "stats: a gold task's unsure answer is not the image's: $out"
fi
BODY=$("$MLFY" stats "$P" --json)
check '[ "$(json "j[\"review\"][\"gold\"][\"images\"]")" = 12 ] && [ "$(json "j[\"review\"][\"unsure_answers\"]")" = "$own_unsure" ]' \
	"stats --json: gold and unsure: $BODY"

# ---- gold remove (a name twice counts once), --from-final keeps curated sets --------------
g1=$(sed -n 2p "$tmp/gold.csv" | cut -d, -f1)
cp "$P" "$tmp/copy.mlfy"
out=$("$MLFY" gold remove "$tmp/copy.mlfy" "$g1" "$g1" 2>&1)
check '[ $? = 0 ] && grep -q "1 gold image removed" <<<"$out"' "remove X X: $out"
out=$("$MLFY" gold remove "$tmp/copy.mlfy" "$g1" 2>&1); rc=$?
check '[ $rc = 1 ] && grep -q "not a gold image" <<<"$out"' "remove of an image that is not gold: $out"
rm -f "$tmp/copy.mlfy"

# ---- anchoring arms: blind tasks pre-check nothing, a planted label looks chosen ----------
out=$("$MLFY" assign-refinement "$P" --experts expert --blind-share 0.5 --plant-share 1 --seed 1)
check 'grep -q "anchoring arms: [1-9][0-9]* blind, [1-9][0-9]* shown ([1-9][0-9]* with a planted wrong label)" <<<"$out"' \
	"arms drawn: $out"
sqlite3 -separator ' ' "$P" "SELECT image_id, arm, COALESCE(planted_class, -1) FROM refinement_arms" > "$tmp/arms"
serve_start --threads 2
login expert
req expert GET "/api/tasks?stage=refine"
for i in $(json '" ".join(str(i) for i in j["ids"])'); do
	req expert GET "/api/tasks/$i?stage=refine"
	printf '%s' "$BODY" > "$tmp/refine.$i"
done
blind=$(python3 - "$tmp" <<'PY'
import glob, json, sys
arms = {int(a): (b, int(c)) for a, b, c in (l.split() for l in open(sys.argv[1] + "/arms"))}
blind, planted = [], 0
for f in glob.glob(sys.argv[1] + "/refine.*"):
    j = json.load(open(f))
    i = j["image"]["id"]
    arm, plant = arms.get(i, ("shown", -1))
    if arm == "blind":
        assert j["prefill"] == [] and j["others"] == [], f"blind task {i} shows {j['prefill']} {j['others']}"
        blind.append(i)
        continue
    union = sorted({l["class"] for o in j["others"] for l in o["labels"]})
    assert sorted(j["prefill"]) == union, f"task {i}: prefill {j['prefill']} is not the shown sets {union}"
    if plant >= 0:
        planted += 1
        who = [o["annotator"] for o in j["others"] if any(l["class"] == plant for l in o["labels"])]
        assert len(who) == 1, f"task {i}: the planted {plant} is shown as chosen by {who}"
assert blind and planted, f"{len(blind)} blind, {planted} planted"
print(min(blind))
PY
)
check '[ -n "$blind" ]' "blind tasks show nothing; a planted label is pre-checked and shown as one annotator's choice"
r1=$blind
req expert GET "/api/tasks/$r1?stage=refine"
top=$(json 'j["proposals"][0]["class"]')
put expert "/api/tasks/$r1/annotation" "{\"stage\":\"refine\",\"base_version\":0,\"labels\":[{\"class\":$top,\"source\":\"prefill\"}]}"
check '[ "$CODE" = 400 ] && grep -q "not pre-checked" <<<"$BODY"' "prefill refused on a blind task: $CODE $BODY"
put expert "/api/tasks/$r1/annotation" "{\"stage\":\"refine\",\"base_version\":0,\"labels\":[{\"class\":$top,\"source\":\"proposal\"}]}"
check '[ "$CODE" = 200 ]' "blind refinement saved without a comment: $CODE $BODY"
# a shown task with a planted label, kept: in the history, never in the final set
read -r pi _ pc < <(awk '$2 == "shown" && $3 >= 0' "$tmp/arms" | head -1)
req expert GET "/api/tasks/$pi?stage=refine"
labels=$(json '",".join("{\"class\":%d,\"source\":\"prefill\"}" % c for c in j["prefill"])')
put expert "/api/tasks/$pi/annotation" "{\"stage\":\"refine\",\"base_version\":0,\"labels\":[$labels]}"
check '[ "$CODE" = 200 ]' "shown refinement keeping everything pre-checked, no comment needed: $CODE $BODY"
serve_stop
check '[ "$(sqlite3 "$P" "SELECT COUNT(*) FROM final_labels WHERE image_id = $pi AND class_idx = $pc")" = 0 ]' \
	"a kept planted label is not final"
check '[ "$(sqlite3 "$P" "SELECT COUNT(*) FROM annotation_labels l JOIN annotations n ON n.id = l.annotation_id
	WHERE n.image_id = $pi AND n.stage = '"'refine'"' AND l.class_idx = $pc")" = 1 ]' "the planted label kept is in the history"
out=$("$MLFY" check "$P" 2>&1)
check 'grep -q ": ok" <<<"$out"' "mlfy check agrees: $out"
"$MLFY" export "$P" --format jsonl --out "$tmp/h2.jsonl" >/dev/null || bad "export jsonl"
check 'grep -q "\"refinement_arm\":\"blind\"" "$tmp/h2.jsonl" && grep -q "\"planted_label\":$pc," "$tmp/h2.jsonl"' \
	"JSONL carries the arm and the planted label"
out=$("$MLFY" gold add "$P" --from-final)
check 'grep -q "[0-9]* gold images added from the refined final sets, [1-9][0-9]* gold already (kept)" <<<"$out"' \
	"--from-final keeps the curated gold sets: $out"
out=$("$MLFY" quality "$P" --anchoring --json)
BODY=$out
check '[ "$(json "j[\"anchoring\"][\"arms\"][\"blind\"][\"n\"]")" = 1 ] && [ "$(json "j[\"anchoring\"][\"arms\"][\"shown\"][\"planted_accepted\"][\"k\"]")" = 1 ]' \
	"anchoring: one blind refinement, one planted label accepted: $out"

echo "gold_quality: $pass passed, $fail failed"
[ "$fail" = 0 ]
