#!/usr/bin/env bash
# console.sh - the coordinator's console API (docs/admin.md) end to end
# with curl: admin-only routes (401/403, CSRF, Origin), accounts by
# invitation (a one-time link whose token is stored hashed and never
# logged), assignment / analysis / refinement previews that write nothing
# and applies that do, gold uploads parsed like `mlfy gold add` (a bad file
# names its line and adds nothing), the zero-label list, quality and
# progress, the audit log (the same rows as `mlfy audit`), and the live
# project view, whose accuracies equal `mlfy evaluate --project` on the
# same predictions.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
command -v curl >/dev/null || { echo "skipping: curl not installed"; exit 77; }
command -v sqlite3 >/dev/null || { echo "skipping: sqlite3 not installed"; exit 77; }

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
	req "$1" POST /api/login -H 'Content-Type: application/json' -d "{\"user\":\"$1\",\"password\":\"${2:-$1-password-1}\"}"
	check '[ "$CODE" = 200 ]' "login $1: $CODE $BODY"
	printf -v "CSRF_$1" '%s' "$(json 'j["csrf"]')"
}
post() {   # USER PATH JSON
	local var="CSRF_$1"
	req "$1" POST "$2" -H 'Content-Type: application/json' -H "X-CSRF-Token: ${!var}" -d "$3"
}
put() {
	local var="CSRF_$1"
	req "$1" PUT "$2" -H 'Content-Type: application/json' -H "X-CSRF-Token: ${!var}" -d "$3"
}
count() { sqlite3 "$PROJECT" "$1"; }

serve_setup "$tmp" synthetic 24
P=$PROJECT
sqlite3 "$P" "DELETE FROM assignments" || bad "reset assignments"

# three models' scores (float32 .npy, rows in image-name order) imported as
# proposals; the same files are what mlfy evaluate reads below
ncls=$(count "SELECT count(*) FROM classes")
for m in 1 2 3; do
	python3 - "$tmp/m$m.npy" 24 "$ncls" "$m" <<'PY'
import random, struct, sys
path, n, c, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
random.seed(seed)
hdr = "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d), }" % (n, c)
hdr += " " * (63 - (10 + len(hdr)) % 64) + "\n"
with open(path, "wb") as f:
    f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(hdr)) + hdr.encode())
    for i in range(n):
        f.write(struct.pack("<%df" % c, *[random.gauss(0, 1) + (3 * seed if j == i % c else 0) for j in range(c)]))
PY
	"$MLFY" import-predictions "$P" --model "m$m" --quiet "$tmp/m$m.npy" >/dev/null || bad "import m$m"
done

serve_start --threads 2
login admin
login ann1
login ann2

# ---- admin only: 401, 403, CSRF, Origin ------------------------------------------------
for path in /api/admin/users /api/admin/quality /api/admin/progress /api/admin/audit /api/admin/live \
	/api/admin/gold /api/admin/zero-label /api/admin/live.svg; do
	req ann1 GET "$path"
	check '[ "$CODE" = 403 ]' "annotator GET $path: $CODE"
	req nobody GET "$path"
	check '[ "$CODE" = 401 ]' "anonymous GET $path: $CODE"
done
req admin POST /api/admin/assign -H 'Content-Type: application/json' -d '{"dry_run":true}'
check '[ "$CODE" = 403 ] && grep -q CSRF <<<"$BODY"' "no CSRF token: $CODE $BODY"
req admin POST /api/admin/assign -H 'Content-Type: application/json' -H "X-CSRF-Token: $CSRF_admin" \
	-H 'Origin: http://evil.example' -d '{"dry_run":true}'
check '[ "$CODE" = 403 ]' "foreign Origin: $CODE $BODY"
post ann1 /api/admin/users '{"name":"mallory","role":"admin"}'
check '[ "$CODE" = 403 ] && [ "$(count "SELECT count(*) FROM annotators WHERE name = '"'mallory'"'")" = 0 ]' \
	"an annotator cannot create accounts: $CODE"

# ---- accounts by invitation --------------------------------------------------------------
post admin /api/admin/users '{"name":"carol","role":"annotator"}'
check '[ "$CODE" = 200 ]' "invite carol: $CODE $BODY"
token=$(json 'j["token"]')
check '[[ "$token" =~ ^[0-9a-f]{64}$ ]]' "token is 64 hex: $token"
check '[ "$(count "SELECT count(*) FROM invites WHERE token_hash = '"'$token'"'")" = 0 ]' "token stored hashed"
check '! grep -rq "$token" "$P" "$tmp/access.log" "$tmp/serve.err"' "token in no file of the server"
post admin /api/admin/users '{"name":"carol","role":"annotator"}'
check '[ "$CODE" = 409 ]' "name taken: $CODE $BODY"
post admin /api/admin/users '{"name":"bad name","role":"annotator"}'
check '[ "$CODE" = 400 ]' "bad name: $CODE $BODY"
req admin GET /api/admin/users
check '[ "$(json "[u for u in j[\"users\"] if u[\"name\"] == \"carol\"][0][\"invite\"][\"state\"]")" = open ]' "carol invited: $BODY"
req anon POST /api/invite/check -H 'Content-Type: application/json' -d "{\"token\":\"$token\"}"
check '[ "$CODE" = 200 ] && [ "$(json "j[\"user\"]")" = carol ]' "invite check: $CODE $BODY"
req anon POST /api/invite -H 'Content-Type: application/json' -d "{\"token\":\"$token\",\"password\":\"short\"}"
check '[ "$CODE" = 400 ]' "short password refused: $CODE $BODY"
req anon POST /api/invite -H 'Content-Type: application/json' -d "{\"token\":\"$token\",\"password\":\"carol-password-1\"}"
check '[ "$CODE" = 200 ] && [ "$(json "j[\"login\"]")" = "/login?user=carol" ]' "invite accepted: $CODE $BODY"
req anon POST /api/invite -H 'Content-Type: application/json' -d "{\"token\":\"$token\",\"password\":\"carol-password-2\"}"
check '[ "$CODE" = 404 ]' "the link works once: $CODE $BODY"
login carol
check '! grep -q "$token" "$tmp/access.log"' "token never logged"

# ---- assignment: preview writes nothing, apply does --------------------------------------
before=$(count "SELECT count(*) FROM assignments")
post admin /api/admin/assign '{"per_image":2,"annotators":["ann1","ann2","carol"],"dry_run":true}'
check '[ "$CODE" = 200 ] && [ "$(json "j[\"dry_run\"]")" = True ] && [ "$(json "j[\"added\"]")" = 8 ]' \
	"assign preview: $CODE $BODY"
check '[ "$(count "SELECT count(*) FROM assignments")" = "$before" ]' "preview wrote nothing"
preview_load=$(json 'sorted((l["annotator"], l["batches"]) for l in j["load"])')
preview=$BODY
# an apply whose preview no longer holds is refused with the new preview (QA)
stale=$(python3 -c 'import json,sys; j=json.loads(sys.argv[1]); j["added"]=7; print(json.dumps(j))' "$preview")
post admin /api/admin/assign "{\"per_image\":2,\"annotators\":[\"ann1\",\"ann2\",\"carol\"],\"expect\":$stale}"
check '[ "$CODE" = 409 ] && [ "$(json "j[\"preview\"][\"added\"]")" = 8 ] && [ "$(count "SELECT count(*) FROM assignments")" = "$before" ]' \
	"stale preview refused, nothing written: $CODE $BODY"
for v in '"true"' null 1; do
	post admin /api/admin/assign "{\"per_image\":2,\"dry_run\":$v}"
	check '[ "$CODE" = 400 ] && [ "$(count "SELECT count(*) FROM assignments")" = "$before" ]' \
		"dry_run must be a boolean ($v never applies): $CODE $BODY"
done
post admin /api/admin/assign "{\"per_image\":2,\"annotators\":[\"ann1\",\"ann2\",\"carol\"],\"expect\":$preview}"
check '[ "$CODE" = 200 ] && [ "$(json "sorted((l[\"annotator\"], l[\"batches\"]) for l in j[\"load\"])")" = "$preview_load" ]' \
	"apply = preview: $BODY"
check '[ "$(count "SELECT count(*) FROM assignments")" = 8 ]' "apply wrote 8 assignments"
post admin /api/admin/assign '{"per_image":0}'
check '[ "$CODE" = 400 ]' "per_image 0 without gold: $CODE $BODY"

# ---- annotate: every annotator saves its proposal's top class --------------------------
for u in ann1 ann2 carol; do
	req $u GET "/api/tasks?stage=annotate"
	for i in $(json '" ".join(str(i) for i in j["ids"])'); do
		req $u GET "/api/tasks/$i?stage=annotate"
		top=$(json 'j["proposals"][0]["class"]')
		# ann2 disagrees on every third image
		[ $u = ann2 ] && [ $((i % 3)) = 0 ] && top=$(json 'j["proposals"][1]["class"]')
		put $u "/api/tasks/$i/annotation" "{\"stage\":\"annotate\",\"base_version\":0,\"labels\":[{\"class\":$top,\"source\":\"proposal\"}],\"seconds\":4}"
		[ "$CODE" = 200 ] || bad "save $u $i: $CODE $BODY"
	done
done

# ---- analysis: dry run, apply ----------------------------------------------------------
post admin /api/admin/analyze '{"rule":"unanimous","dry_run":true}'
check '[ "$CODE" = 200 ] && [ "$(json "j[\"judged\"]")" = 24 ]' "analyze dry run: $CODE $BODY"
dry_queued=$(json 'j["changes"]["queued"]')
check '[ "$(count "SELECT count(*) FROM final_status")" = 0 ] && [ "$(count "SELECT count(*) FROM refinement_queue")" = 0 ]' \
	"dry run wrote nothing"
post admin /api/admin/analyze '{"rule":"no-such-rule"}'
check '[ "$CODE" = 400 ]' "unknown rule: $CODE $BODY"
post admin /api/admin/analyze '{"rule":"unanimous"}'
check '[ "$CODE" = 200 ] && [ "$(count "SELECT count(*) FROM refinement_queue")" = "$dry_queued" ] && [ "$dry_queued" -gt 0 ]' \
	"analyze applied: $dry_queued queued: $BODY"

# ---- refinement: preview, apply --------------------------------------------------------
post admin /api/admin/refinement '{"experts":["expert"],"blind_share":0.5,"seed":3,"dry_run":true}'
check '[ "$CODE" = 200 ] && [ "$(json "j[\"experts\"][0][\"added\"]")" = "$dry_queued" ]' "refinement preview: $BODY"
check '[ "$(count "SELECT count(*) FROM refinement_queue WHERE expert_id IS NOT NULL")" = 0 ] && [ "$(count "SELECT count(*) FROM refinement_arms")" = 0 ]' \
	"refinement preview wrote nothing"
post admin /api/admin/refinement '{"experts":["ann1"]}'
check '[ "$CODE" = 400 ]' "an annotator is no expert: $CODE $BODY"
post admin /api/admin/refinement '{"experts":["expert"],"blind_share":0.5,"seed":3}'
check '[ "$CODE" = 200 ] && [ "$(count "SELECT count(*) FROM refinement_arms")" = "$dry_queued" ]' "refinement applied: $BODY"

# ---- gold: a bad upload names its line and adds nothing; a good one adds ----------------
n1=$(count "SELECT name FROM images ORDER BY name LIMIT 1")
printf 'file,labels\n%s,1\nno_such.jpg,2\n' "$n1" > "$tmp/bad.csv"
req admin POST "/api/admin/gold/add?file=bad.csv" -H 'Content-Type: text/csv' -H "X-CSRF-Token: $CSRF_admin" \
	--data-binary @"$tmp/bad.csv"
check '[ "$CODE" = 400 ] && grep -q "bad.csv: entry 2" <<<"$BODY" && [ "$(count "SELECT count(*) FROM gold_images")" = 0 ]' \
	"bad gold file: $CODE $BODY"
printf 'file,labels\n%s,1\n' "$n1" > "$tmp/good.csv"
req admin POST "/api/admin/gold/add?file=good.csv" -H 'Content-Type: text/csv' -H "X-CSRF-Token: $CSRF_admin" \
	--data-binary @"$tmp/good.csv"
check '[ "$CODE" = 200 ] && [ "$(json "j[\"added\"]")" = 1 ]' "gold upload: $CODE $BODY"
req admin POST "/api/admin/gold/add?file=../x.csv" -H 'Content-Type: text/csv' -H "X-CSRF-Token: $CSRF_admin" --data-binary @"$tmp/good.csv"
check '[ "$CODE" = 400 ]' "a path as upload name: $CODE"
req admin POST "/api/admin/gold/add?file=%FF%FE.csv" -H 'Content-Type: text/csv' -H "X-CSRF-Token: $CSRF_admin" --data-binary @"$tmp/good.csv"
check '[ "$CODE" = 400 ] && grep -q UTF-8 <<<"$BODY"' "a file name that is not UTF-8: $CODE $BODY"
req admin GET /api/admin/gold
check '[ "$(json "j[\"gold_images\"]")" = 1 ] && [ "$(json "j[\"gold\"][0][\"image\"]")" = "$n1" ]' "gold list: $BODY"
post admin /api/admin/gold/remove "{\"images\":[\"$n1\"]}"
check '[ "$CODE" = 200 ] && [ "$(count "SELECT count(*) FROM gold_images")" = 0 ]' "gold remove: $BODY"
post admin /api/admin/gold/remove '{"images":["no_such.jpg"]}'
check '[ "$CODE" = 404 ]' "remove unknown: $CODE $BODY"

# ---- zero-label, quality, progress ------------------------------------------------------
req admin GET /api/admin/zero-label
check '[ "$CODE" = 200 ] && [ "$(json "len(j[\"by_category\"])")" -ge 4 ]' "zero-label: $BODY"
check '[ "$(json "len(j[\"pending\"])")" = "$(json "min(500, j[\"pending_total\"])")" ]' \
	"every pending image listed (up to 500): $BODY"
req admin GET /api/admin/quality
check '[ "$CODE" = 200 ] && [ "$(json "sorted(a[\"name\"] for a in j[\"annotators\"] if a[\"answers\"])")" = "['"'ann1', 'ann2', 'carol'"']" ]' \
	"quality: $BODY"
req admin GET /api/admin/progress
check '[ "$CODE" = 200 ] && [ "$(json "j[\"stage_ii\"][\"done\"]")" = 48 ] && [ "$(json "j[\"stage_iv\"][\"assigned\"]")" = "$dry_queued" ]' \
	"progress: $BODY"
check '[ "$(json "[p[\"stalled\"] for p in j[\"people\"] if p[\"name\"] == \"expert\"][0]")" = True ]' \
	"the expert has not started: stalled"

# ---- live view = mlfy evaluate on the same predictions ---------------------------------
req admin GET /api/admin/live
check '[ "$CODE" = 200 ] && [ "$(json "len(j[\"models\"])")" = 4 ]' "live: 4 models (fixture + 3): $BODY"
printf '%s' "$BODY" > "$tmp/live.json"
"$MLFY" evaluate --project "$P" --predictions m1="$tmp/m1.npy" --predictions m2="$tmp/m2.npy" \
	--predictions m3="$tmp/m3.npy" --format json > "$tmp/eval.json" 2>"$tmp/eval.err" || bad "mlfy evaluate"
python3 - "$tmp/live.json" "$tmp/eval.json" <<'PY' || bad "live view differs from mlfy evaluate"
import json, sys
live = {m["model"]: m for m in json.load(open(sys.argv[1]))["models"]}
ev = json.load(open(sys.argv[2]))
def find(o, key):
    if isinstance(o, dict):
        if key in o: yield o
        for v in o.values(): yield from find(v, key)
    elif isinstance(o, list):
        for v in o: yield from find(v, key)
models = ev["models"] if "models" in ev else ev
n = 0
for m in models:
    lv = live[m["model"]]
    for k in ("top1", "real"):
        a, b = lv[k], m[k]
        if (a["k"], a["n"]) != (b["correct"], b["images"]):
            sys.exit(f"{m['model']} {k}: live {a['k']}/{a['n']} evaluate {b['correct']}/{b['images']}")
        pairs = [(a["p"], b["accuracy"]), (a["ci_low"], b["wilson"][0]), (a["ci_high"], b["wilson"][1])]
        for x, y in pairs:   # evaluate prints percent with 4 decimals
            if (x is None) != (y is None) or (x is not None and abs(100 * x - y) > 1e-3):
                sys.exit(f"{m['model']} {k}: live {a} evaluate {b}")
        n += 1
if n != 6:
    sys.exit(f"compared {n} figures")
PY
req admin GET "$(json 'j["scatter"]["url"]' 2>/dev/null || echo /api/admin/live.svg)"
check '[ "$CODE" = 200 ] && grep -q "<svg" <<<"$BODY" && grep -q "m2" <<<"$BODY"' "scatter SVG: $CODE"
# a refinement moves the live view (incremental refresh)
req admin GET /api/admin/live
seq0=$(json 'j["seq"]'); dec0=$(json 'j["decided"]')
login expert
req expert GET "/api/tasks?stage=refine"
r1=$(json 'j["ids"][0]')
req expert GET "/api/tasks/$r1?stage=refine"
put expert "/api/tasks/$r1/annotation" '{"stage":"refine","base_version":0,"labels":[{"class":1,"source":"search"}],"comment":"class 1"}'
check '[ "$CODE" = 200 ]' "refine save: $CODE $BODY"
req admin GET /api/admin/live
check '[ "$(json "j[\"seq\"]")" -gt "$seq0" ] && [ "$(json "j[\"decided\"]")" = $((dec0 + 1)) ]' "live view moved: $seq0 -> $BODY"

# ---- the report: the same scatter of the imported models as the live view --------------
post admin /api/admin/reports '{"formats":["svg"]}'
check '[ "$CODE" = 200 ] && [ "$(json "\"real_vs_top1.svg\" in j[\"files\"]")" = True ]' \
	"the report draws the imported models' ReaL vs top-1 scatter: $BODY"
req admin GET "$(json 'j["url"]')"
check '[ "$CODE" = 200 ] && grep -q "real_vs_top1.svg" <<<"$BODY" && ! grep -q "\.pdf\|\.png" <<<"$BODY"' \
	"an SVG-only report links no PNG or PDF it did not write (QA)"
"$MLFY" report "$P" --out "$tmp/report" --formats svg >/dev/null 2>&1 || bad "mlfy report"
check '[ -s "$tmp/report/real_vs_top1.svg" ]' "mlfy report draws it too"

# ---- accounts: role, disable, reset ends sessions -------------------------------------
post admin /api/admin/users/carol '{"action":"role","role":"expert"}'
check '[ "$CODE" = 200 ] && [ "$(count "SELECT role FROM annotators WHERE name = '"'carol'"'")" = expert ]' "role: $BODY"
post admin /api/admin/users/admin '{"action":"disable"}'
check '[ "$CODE" = 409 ] && grep -q "cannot disable your own account" <<<"$BODY"' "cannot disable oneself: $CODE $BODY"
post admin /api/admin/zero-label "{\"image\":\"$n1\",\"category\":\"low_resolution\",\"verdict\":\"bogus\"}"
check '[ "$CODE" = 400 ] && grep -q "unknown verdict .bogus." <<<"$BODY"' "bad verdict named: $CODE $BODY"
post admin /api/admin/users/carol '{"action":"reset"}'
check '[ "$CODE" = 200 ] && [[ "$(json "j[\"token\"]")" =~ ^[0-9a-f]{64}$ ]]' "reset gives a new link: $BODY"
req carol GET /api/me
check '[ "$CODE" = 401 ]' "reset ended carol's session: $CODE"
post admin /api/admin/users/nobody '{"action":"disable"}'
check '[ "$CODE" = 404 ]' "unknown account: $CODE $BODY"

# ---- the audit log: console actions, the same rows mlfy audit prints ---------------------
req admin GET "/api/admin/audit?limit=1000"
check '[ "$CODE" = 200 ]' "audit: $CODE"
acts=$(json '" ".join(sorted(set(e["action"] for e in j["entries"])))')
for a in user.invite invite.accept assign analyze refinement gold.add gold.remove user.role user.reset; do
	check '[[ " $acts " == *" $a "* ]]' "audit has $a: $acts"
done
check '[ "$(json "sum(1 for e in j[\"entries\"] if not e[\"ok\"])")" -ge 3 ]' "failed actions are logged too"
check '! grep -q "$token" <<<"$BODY"' "no token in the audit log"
n_assign=$(json "len([e for e in j[\"entries\"] if e[\"action\"] == \"assign\" and e[\"via\"] == \"console\"])")
check '[ "$n_assign" = 2 ]' \
	"previews are not logged, the apply and the failure are: $n_assign"
"$MLFY" audit "$P" --json > "$tmp/audit.json" || bad "mlfy audit"
check '[ "$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))))" "$tmp/audit.json")" -ge "$(json "len(j[\"entries\"])")" ]' \
	"mlfy audit lists the console's rows"

serve_stop
echo "console: $pass passed, $fail failed"
[ "$fail" = 0 ]
