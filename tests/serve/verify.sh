#!/usr/bin/env bash
# verify.sh - the verification grid's routes (serve/verify.c, docs/serve.md)
# against a live `mlfy serve` with curl: a project with `mlfy questions` and
# `mlfy assign --protocol verify` (ann3, who has no stage-ii task, and ann2
# share the questions, one rater each); the labels and their counts, a
# label's page (no image name in it), its images (403 for another rater's
# question, even for a rater with stage-ii tasks on the same image), every
# 400 naming its field, 401/403 without a session or the CSRF header, 403
# for another rater's question, 400 for a question of another label, a
# stored page (every answer once in verify_answers), its re-send (replayed,
# nothing written), a stale page (409 naming the question, its version and
# answer), a body over the limit (413), and the votes reaching `mlfy
# aggregate` (one vote per answered question, the answer's value).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
command -v curl >/dev/null || { echo "skipping: curl not installed"; exit 77; }
command -v sqlite3 >/dev/null || { echo "skipping: sqlite3 CLI not installed"; exit 77; }
command -v python3 >/dev/null || { echo "skipping: python3 not installed"; exit 77; }

tmp=$(mktemp -d)
trap 'serve_cleanup; rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }

# req USER METHOD PATH [curl args]: sets CODE, BODY, HDRS (USER '-' = no cookie)
req() {
	local user=$1 method=$2 path=$3
	shift 3
	local jar=()
	[ "$user" != - ] && jar=(-b "$tmp/jar.$user" -c "$tmp/jar.$user")
	BODY=$(curl -sS --path-as-is -X "$method" "${jar[@]}" -D "$tmp/hdrs" -o - -w '\n%{http_code}' \
		"$@" "$BASE$path" 2>"$tmp/curl.err" | tr -d '\000')
	CODE=${BODY##*$'\n'}
	BODY=${BODY%$'\n'*}
	HDRS=$(cat "$tmp/hdrs" 2>/dev/null)
}
expect() { if [ "$CODE" = "$1" ]; then ok; else bad "$2: expected $1, got $CODE: ${BODY:0:300}"; fi; }
has() { if grep -q -- "$1" <<<"$BODY$HDRS"; then ok; else bad "$2: no '$1' in: ${BODY:0:300}"; fi; }
json() { python3 -c "import json,sys; j=json.loads(sys.argv[1]); print($1)" "$BODY"; }
login() {
	rm -f "$tmp/jar.$1"
	req "$1" POST /api/login -H 'Content-Type: application/json' -d "{\"user\":\"$1\",\"password\":\"$1-password-1\"}"
	expect 200 "login $1"
	printf -v "CSRF_$1" '%s' "$(json 'j["csrf"]')"
}
post() {     # post USER JSON [extra curl args]: POST /api/verify/pages
	local user=$1 data=$2
	shift 2
	local var="CSRF_$user"
	req "$user" POST /api/verify/pages -H 'Content-Type: application/json' -H "X-CSRF-Token: ${!var}" -d "$data" "$@"
}
sq() { sqlite3 "$PROJECT" "$1"; }

serve_setup "$tmp" synthetic 24
# every fixture model's rows are written directly: name the proposal model
sq "INSERT OR IGNORE INTO meta(key, value) SELECT 'proposal_model', name FROM models WHERE id = 1" || die "model"
"$MLFY" questions "$PROJECT" --top 5 --min-score 0 >/dev/null || die "mlfy questions"
"$MLFY" assign "$PROJECT" --protocol verify --per-question 1 --annotators ann2,ann3 >/dev/null ||
	die "mlfy assign --protocol verify"
nq=$(sq "SELECT count(*) FROM verify_assignments WHERE annotator_id = (SELECT id FROM annotators WHERE name = 'ann3')")
[ "$nq" -gt 10 ] || die "ann3 has $nq verification questions"
serve_start --threads 2

# ---- the page, sessions -------------------------------------------------------------------
req - GET /verify; expect 200 "GET /verify (the page asks for a login itself)"
has 'src="/static/verify.js"' "verify.html"
req - GET /static/verify.js; expect 200 "verify.js"
req - GET /static/verify.html; expect 404 "the page only at /verify"
for p in /api/verify/labels /api/verify/labels/0 /api/verify/labels/0/images/1; do
	req - GET "$p"; expect 401 "GET $p without a session"
done
req - POST /api/verify/pages -H 'Content-Type: application/json' -d '{}'; expect 401 "POST without a session"
for u in ann2 ann3 admin; do login $u; done
# each person's home: the grid for ann3 (verification questions only), the
# annotation page for ann2 (a batch too), the console for the admin
login ann3; [ "$(json 'j["home"]')" = /verify ] && ok || bad "ann3's home is /verify: $BODY"
login ann2; [ "$(json 'j["home"]')" = /annotate ] && ok || bad "ann2's home is /annotate: $BODY"
req ann3 GET /api/me; expect 200 "me"; [ "$(json 'j["home"]')" = /verify ] && ok || bad "me: ann3's home: $BODY"
req ann3 GET /api/verify/pages; expect 405 "GET /api/verify/pages"; has "Allow: POST" "405 names POST"

# ---- labels and a label's page ------------------------------------------------------------
req ann3 GET /api/verify/labels; expect 200 "labels"
[ "$(json 'j["pending"]')" = "$nq" ] && ok || bad "pending over the labels: $(json 'j["pending"]') (want $nq)"
[ "$(json 'sum(l["pending"] for l in j["labels"])')" = "$nq" ] && ok || bad "label counts: $BODY"
[ "$(json 'j["answered"]')" = 0 ] && ok || bad "nothing answered yet"
# the label with the most pending questions comes first
cls=$(json 'j["labels"][0]["class"]')
npend=$(json 'j["labels"][0]["pending"]')
[ "$(json 'all(a["pending"] >= b["pending"] for a, b in zip(j["labels"], j["labels"][1:]))')" = True ] && ok ||
	bad "labels not most pending first"
req admin GET /api/verify/labels; expect 200 "labels of someone without questions"
[ "$(json 'len(j["labels"])')" = 0 ] && ok || bad "admin has no verification labels"

req ann3 GET "/api/verify/labels/$cls?limit=3"; expect 200 "label page"
want=$(sq "SELECT name FROM classes WHERE idx = $cls")
[ "$(json 'j["label"]["name"]')" = "$want" ] && ok || bad "label name: $BODY"
[ "$(json 'len(j["items"])')" = $((npend < 3 ? npend : 3)) ] && ok || bad "limit 3: $BODY"
[ "$(json 'j["pending"]')" = "$npend" ] && ok || bad "label pending: $BODY"
[ "$(json 'all(i["answer"] is None and i["version"] == 0 for i in j["items"])')" = True ] && ok || bad "items: $BODY"
[ "$(json 'all("gloss" in j["label"] and "synonyms" in j["label"] and isinstance(j["label"]["exemplars"], list) for _ in [0])')" = True ] && ok ||
	bad "label fields: $BODY"
# no file name: names such as n01514859_hen.JPEG give the original label away
names=$(sq "SELECT name FROM images")
leak=0
for n in $names; do grep -qF -- "$n" <<<"$BODY" && leak=1; done
[ $leak = 0 ] && ok || bad "a label page carries an image name"
img=$(json 'j["items"][0]["image"]')
q1=$(json 'j["items"][0]["question_id"]')
req ann3 GET "$img?size=thumb"; expect 200 "an item's thumbnail"; has "Content-Type: image/jpeg" "thumbnail type"
# ann3 has no stage-ii task: the plain image route stays closed to them
iid=$(sq "SELECT m.id FROM questions q JOIN images m ON m.name = q.image_name WHERE q.id = $q1")
req ann3 GET "/api/images/$iid?size=thumb"; expect 403 "/api/images/ is for stage-ii tasks"
req ann2 GET "$img?size=thumb"; expect 403 "another rater's question's image"
req ann3 GET "/api/verify/labels/$cls/images/999999999"; expect 403 "an unknown question's image"
req ann3 GET "/api/verify/labels/$cls/nope"; expect 404 "unknown sub-route"
req ann3 GET "/api/verify/labels/abc"; expect 404 "non-numeric class"
req ann3 GET "/api/verify/labels/99999"; expect 404 "unknown class"
for a in 'limit=0' 'limit=501' 'limit=x' 'offset=-1'; do
	req ann3 GET "/api/verify/labels/$cls?$a"; expect 400 "?$a"; has "${a%%=*}: " "?$a names the field"
done
req ann3 GET "/api/verify/labels/$cls?limit=500&offset=1"; expect 200 "offset"
[ "$(json 'len(j["items"])')" = $((npend - 1)) ] && ok || bad "offset 1: $BODY"

# ---- submitting: the refusals --------------------------------------------------------------
req ann3 GET "/api/verify/labels/$cls?limit=500"; items=$BODY
page() {   # page PAGE_ID [ANSWER-OVERRIDE-PY]: every item of the label, answers yes/maybe/no in turn
	python3 - "$items" "$cls" "$1" "${2:-}" <<'PY'
import json, sys
j = json.loads(sys.argv[1])
names = ["yes", "maybe", "no"]
p = {"class_idx": int(sys.argv[2]), "page_id": sys.argv[3], "seconds": 5000,
     "answers": [{"question_id": i["question_id"], "answer": names[k % 3], "bulk": k % 3 == 2 and k > 2,
                  "seconds": 0.5, "base_version": i["version"]} for k, i in enumerate(j["items"])]}
if sys.argv[4]:
    exec(sys.argv[4])
print(json.dumps(p))
PY
}
var=CSRF_ann3
req ann3 POST /api/verify/pages -H 'Content-Type: application/json' -H 'X-CSRF-Token: wrong' -d "$(page p1)"
expect 403 "wrong CSRF token"
req ann3 POST /api/verify/pages -H 'Content-Type: application/json' -d "$(page p1)"; expect 403 "no CSRF token"
post ann3 '{"class_idx":'; expect 400 "bad JSON"; has "bad JSON" "bad JSON message"
post ann3 '[1]'; expect 400 "JSON array"
req ann3 POST /api/verify/pages -H "X-CSRF-Token: ${!var}" -d "$(page p1)"; expect 415 "not JSON"
check400() {   # check400 FIELD-PREFIX OVERRIDE
	post ann3 "$(page p1 "$2")"
	expect 400 "$1"
	has "\"error\": *\"$1" "400 names $1"
}
check400 'class_idx' 'del p["class_idx"]'
check400 'class_idx' 'p["class_idx"] = "x"'
check400 'page_id' 'del p["page_id"]'
check400 'page_id' 'p["page_id"] = "x" * 65'
check400 'page_id' 'p["page_id"] = ""'
check400 'seconds' 'p["seconds"] = "long"'
check400 'seconds' 'p["seconds"] = -1'
check400 'answers' 'p["answers"] = {}'
check400 'answers' 'p["answers"] = []'
check400 'answers\[1\]' 'p["answers"][1] = 7'
check400 'answers\[0\].question_id' 'p["answers"][0]["question_id"] = "1"'
check400 'answers\[1\].answer' 'p["answers"][1]["answer"] = "perhaps"'
check400 'answers\[1\].answer' 'p["answers"][1]["answer"] = 3'
check400 'answers\[0\].bulk' 'p["answers"][0]["bulk"] = "yes"'
check400 'answers\[2\].seconds' 'p["answers"][2]["seconds"] = "x"'
check400 'answers\[0\].base_version' 'del p["answers"][0]["base_version"]'
check400 'answers\[1\]' 'p["answers"][1]["question_id"] = p["answers"][0]["question_id"]'
# a question of another label: the page's label is the class of every question
other=$(sq "SELECT class_idx FROM questions WHERE id IN (SELECT question_id FROM verify_assignments) AND class_idx <> $cls LIMIT 1")
post ann3 "$(page p1 "p['class_idx'] = $other")"; expect 400 "questions of another label"
# another rater's question (a page of ann3 with one of ann2's questions, on its label)
read -r theirs tcls <<<"$(sq "SELECT a.question_id, q.class_idx FROM verify_assignments a
	JOIN annotators n ON n.id = a.annotator_id JOIN questions q ON q.id = a.question_id
	WHERE n.name = 'ann2' LIMIT 1" | tr '|' ' ')"
[ -n "$theirs" ] || die "ann2 has no verification question"
post ann3 "$(page p1 "p['class_idx'] = $tcls; p['answers'] = [dict(p['answers'][0], question_id=$theirs)]")"
expect 403 "another rater's question"; has 'answers\[0\]' "403 names the answer"
# a body over the server's limit (256 KiB by default)
python3 -c 'import json; print(json.dumps({"class_idx": 0, "page_id": "big", "answers": [], "pad": "x" * 300000}))' >"$tmp/big.json"
post ann3 "@$tmp/big.json"; expect 413 "body over the limit"
[ "$(sq 'SELECT count(*) FROM verify_pages')" = 0 ] && ok || bad "a refused page wrote something"
[ "$(sq 'SELECT count(*) FROM verify_answers')" = 0 ] && ok || bad "a refused page wrote answers"

# ---- a page stored, re-sent, and a stale page ----------------------------------------------
post ann3 "$(page p1)"; expect 200 "a page"
pid=$(json 'j["page"]')
[ "$(json 'j["stored"]')" = "$npend" ] && ok || bad "stored: $BODY"
[ "$(json 'j["replayed"]')" = False ] && ok || bad "first send not replayed: $BODY"
post ann3 "$(page p1)"; expect 200 "the same page again"
[ "$(json 'j["page"]')" = "$pid" ] && ok || bad "re-send: another page id: $BODY"
[ "$(json 'j["replayed"]')" = True ] && ok || bad "re-send replayed: $BODY"
[ "$(sq 'SELECT count(*) FROM verify_pages')" = 1 ] && ok || bad "re-send wrote a page"
[ "$(sq 'SELECT count(*) FROM verify_answers')" = "$npend" ] && ok || bad "answers stored: $(sq 'SELECT count(*) FROM verify_answers')"
# every answer once, with its value (yes 2, maybe 1, no 0 in turn)
want=$(python3 -c "import json,sys; j=json.loads(sys.argv[1]); print(' '.join('%d:%d' % (i['question_id'], [2,1,0][k%3]) for k,i in enumerate(j['items'])))" "$items")
got=$(sq "SELECT question_id || ':' || answer FROM verify_answers ORDER BY id" | tr '\n' ' ')
[ "$got" = "$want " ] && ok || bad "stored answers: $got (want $want)"
# the page claimed 5000 s; the server's clock (since the label's page was
# served to this session, a moment ago) caps it
python3 -c "import sys; s = float(sys.argv[1]); sys.exit(not 0 < s < 600)" "$(sq 'SELECT seconds FROM verify_pages')" && ok ||
	bad "page seconds not capped by the server's clock: $(sq 'SELECT seconds FROM verify_pages')"
# a new page on the version it had seen (0): stale
post ann3 "$(page p2)"; expect 409 "a stale page"
[ "$(json 'j["conflict"]["question_id"]')" = "$q1" ] && ok || bad "409 names the question: $BODY"
[ "$(json 'j["conflict"]["version"]')" = 1 ] && ok || bad "409 version: $BODY"
[ "$(json 'j["conflict"]["answer"]')" = yes ] && ok || bad "409 answer: $BODY"
[ "$(sq 'SELECT count(*) FROM verify_answers')" = "$npend" ] && ok || bad "a stale page wrote answers"
# on the current version: stored as version 2 (numeric answers accepted)
post ann3 "$(page p3 'for a in p["answers"]: a["base_version"] = 1; a["answer"] = 0')"; expect 200 "a change on top of version 1"
[ "$(sq "SELECT count(*) FROM current_verify_answers WHERE version = 2 AND answer = 0")" = "$npend" ] && ok ||
	bad "current answers after the change"
req ann3 GET /api/verify/labels
[ "$(json "[l for l in j['labels'] if l['class'] == $cls][0]['answered']")" = "$npend" ] && ok || bad "answered count: $BODY"
[ "$(json "[l for l in j['labels'] if l['class'] == $cls][0]['pending']")" = 0 ] && ok || bad "pending count: $BODY"
req ann3 GET "$img?size=thumb"; expect 200 "an answered question's image"

# the votes reach the aggregation: one vote per answered question, its value
"$MLFY" aggregate "$PROJECT" --method majority --out "$tmp/agg.csv" >/dev/null 2>"$tmp/agg.err" ||
	bad "mlfy aggregate: $(cat "$tmp/agg.err")"
python3 - "$tmp/agg.csv" "$npend" <<'PY' && ok || bad "aggregate over the grid's answers"
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["votes"] != "0"]
assert len(rows) == int(sys.argv[2]), rows
assert all(r["votes"] == "1" and float(r["posterior"]) == 0.0 for r in rows), rows
PY

serve_stop
"$MLFY" check "$PROJECT" >/dev/null || bad "project integrity"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
