#!/usr/bin/env bash
# reports.sh - the admin console's reports (src/serve/reports.c) against a
# live server with curl: POST /api/admin/reports generates `mlfy report
# PROJECT` (the same bytes as the command: index.html and every SVG), the
# files are served with their types and the report pages' own CSP, the
# list is newest first; annotators and experts get 403, no session 401, a
# write without the CSRF header or from another origin 403; bad bodies
# 400/415; traversal (`../`, `%2e%2e`, absolute paths, `%00`, hidden
# files, a symbolic link in a report and a linked report, a FIFO, a
# subdirectory, unknown types and ids) 404 without leaking a file; a
# generation while another process holds the lock 409 and concurrent generations
# each 200 or 409, never a half-written report; saves go on during a
# generation; every generation leaves an audit row.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
command -v curl >/dev/null || { echo "skipping: curl not installed"; exit 77; }
command -v sqlite3 >/dev/null || { echo "skipping: sqlite3 CLI not installed"; exit 77; }
command -v python3 >/dev/null || { echo "skipping: python3 not installed"; exit 77; }

tmp=$(mktemp -d)
trap 'serve_cleanup; [ -n "${holder:-}" ] && kill "$holder" 2>/dev/null; rm -rf "$tmp"' EXIT
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
	BODY=$(curl -sS --max-time 20 --path-as-is -X "$method" "${jar[@]}" -D "$tmp/hdrs" -o - -w '\n%{http_code}' \
		"$@" "$BASE$path" 2>"$tmp/curl.err" | tr -d '\000')
	CODE=${BODY##*$'\n'}
	BODY=${BODY%$'\n'*}
	HDRS=$(tr -d '\r' < "$tmp/hdrs" 2>/dev/null)
}
expect() {   # expect CODE what
	if [ "$CODE" = "$1" ]; then ok; else bad "$2: expected $1, got $CODE: $BODY"; fi
}
hdr() {      # hdr NAME: the value of reply header NAME
	sed -n "s/^$1: //Ip" <<<"$HDRS" | head -1
}
json() {     # json EXPR: evaluates a Python expression over j = parsed BODY
	python3 -c "import json,sys; j=json.loads(sys.argv[1]); print($1)" "$BODY"
}
login() {    # login USER: log in, remember the CSRF token in CSRF_<USER>
	rm -f "$tmp/jar.$1"
	req "$1" POST /api/login -H 'Content-Type: application/json' -d "{\"user\":\"$1\",\"password\":\"$1-password-1\"}"
	expect 200 "login $1"
	printf -v "CSRF_$1" '%s' "$(json 'j["csrf"]')"
}
post() {     # post USER PATH [curl args]: a write with the user's CSRF token
	local user=$1 path=$2
	shift 2
	local var="CSRF_$user"
	req "$user" POST "$path" -H "X-CSRF-Token: ${!var}" "$@"
}
put() {      # put USER PATH JSON
	local var="CSRF_$1"
	req "$1" PUT "$2" -H 'Content-Type: application/json' -H "X-CSRF-Token: ${!var}" -d "$3"
}

serve_setup "$tmp" synthetic 24
serve_start --threads 4
reports=$tmp/p.mlfy.cache/reports
for u in ann1 ann2 expert admin; do login $u; done

# some decisions: images 1-6 (batch 1, assigned to ann1 and ann2) with the
# same set from both, then stage iii
for i in 1 2 3 4 5 6; do
	c=$(( (i - 1) % 40 ))
	for u in ann1 ann2; do
		put $u /api/tasks/$i/annotation "{\"stage\":\"annotate\",\"base_version\":0,\"labels\":[{\"class\":$c,\"source\":\"proposal\"}],\"seconds\":$i}"
		expect 200 "save $u $i"
	done
done
"$MLFY" analyze "$PROJECT" > "$tmp/analyze.out" 2>&1 || bad "mlfy analyze: $(cat "$tmp/analyze.out")"

# ---- generate, as the admin ------------------------------------------------------------------
req admin GET /api/admin/reports; expect 200 "empty list"
[ "$(json 'j["reports"]')" = "[]" ] && ok || bad "no report yet: $BODY"
post admin /api/admin/reports; expect 200 "generate"
id=$(json 'j["id"]')
[[ "$id" =~ ^[0-9]{8}T[0-9]{6}Z$ ]] && ok || bad "id: $id"
[ "$(json 'j["url"]')" = "/api/admin/reports/$id/index.html" ] && ok || bad "url: $BODY"
[[ "$(json 'j["generated_at"]')" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$ ]] && ok || bad "generated_at: $BODY"
[ "$(json '"18 images not yet decided: left out of the label counts" in j["warnings"]')" = True ] && ok ||
	bad "warnings: $BODY"
# svg and png by default, no pdf
[ "$(json '",".join(f for f in j["files"] if f.startswith("label_counts."))')" = "label_counts.png,label_counts.svg" ] &&
	ok || bad "default formats: $BODY"
for f in index.html proposal_coverage.svg quality_accuracy.png; do
	[ "$(json "\"$f\" in j[\"files\"]")" = True ] && ok || bad "$f listed: $BODY"
done
files=$(json '" ".join(j["files"])')
[ -d "$reports/$id" ] && ok || bad "report directory $reports/$id"
[ "$(ls "$reports/$id" | tr '\n' ' ' | sed 's/ $//')" = "$files" ] && ok || bad "files on disk: $(ls "$reports/$id")"

# the same report as `mlfy report PROJECT` (one library function): every SVG, and index.html
# but for the projected finishing times (now + the work left at the measured pace)
"$MLFY" report "$PROJECT" --out "$tmp/cli" --formats svg,png > /dev/null 2> "$tmp/cli.err" || bad "mlfy report: $(cat "$tmp/cli.err")"
grep -q "warning: 18 images not yet decided" "$tmp/cli.err" && ok || bad "CLI warning: $(cat "$tmp/cli.err")"
for f in "$tmp"/cli/*.svg; do
	cmp -s "$f" "$reports/$id/$(basename "$f")" && ok || bad "$(basename "$f") differs from mlfy report's"
done
untimed() { sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z/TIME/g' "$1"; }
diff <(untimed "$tmp/cli/index.html") <(untimed "$reports/$id/index.html") > "$tmp/html.diff" && ok ||
	bad "index.html differs from mlfy report's: $(head -5 "$tmp/html.diff")"

# ---- the files ---------------------------------------------------------------------------------
req admin GET "/api/admin/reports/$id/index.html"; expect 200 "index.html"
[[ "$(hdr Content-Type)" == "text/html; charset=utf-8" ]] && ok || bad "index.html type: $(hdr Content-Type)"
csp=$(hdr Content-Security-Policy)
# the page's <style> and the SVGs' style attributes need inline styles; nothing else is allowed
[[ "$csp" == *"style-src 'unsafe-inline'"* && "$csp" == *"default-src 'none'"* && "$csp" != *script-src* ]] && ok ||
	bad "report CSP: $csp"
[ "$(grep -c '^Content-Security-Policy:' <<<"$HDRS")" = 1 ] && ok || bad "one CSP header: $HDRS"
grep -q '<title>multilabelfy report: ' <<<"$BODY" && ok || bad "index.html title"
grep -qi '<script' <<<"$BODY" && bad "the report has a script (the CSP forbids it)" || ok
[ "$(hdr X-Frame-Options)" = DENY ] && ok || bad "frame denial on reports"
# every figure the page shows is served as SVG
srcs=$(grep -o '<img src="[^"]*"' <<<"$BODY" | sed 's/<img src="//; s/"$//')
[ -n "$srcs" ] && ok || bad "no figure in index.html"
for s in $srcs; do
	req admin GET "/api/admin/reports/$id/$s"; expect 200 "figure $s"
	[ "$(hdr Content-Type)" = "image/svg+xml" ] && ok || bad "$s type: $(hdr Content-Type)"
	[[ "$(hdr Content-Security-Policy)" == *"style-src 'unsafe-inline'"* ]] && ok || bad "$s CSP"
done
req admin GET "/api/admin/reports/$id/label_counts.png"; expect 200 "png"
[ "$(hdr Content-Type)" = image/png ] && ok || bad "png type"
[[ "$(hdr Content-Security-Policy)" == *"default-src 'self'"* ]] && ok || bad "png keeps the server's CSP"
[ "$(hdr Content-Length)" = "$(stat -c %s "$reports/$id/label_counts.png")" ] && ok || bad "png length"
[ "$(curl -sS -I -b "$tmp/jar.admin" -o /dev/null -w '%{http_code}' "$BASE/api/admin/reports/$id/index.html")" = 200 ] &&
	ok || bad "HEAD of index.html"

# ---- a second report, PDF only; the list ---------------------------------------------------------
post admin /api/admin/reports -H 'Content-Type: application/json' -d '{"formats":["pdf"]}'; expect 200 "pdf report"
id2=$(json 'j["id"]')
[ "$(json '[f for f in j["files"] if f.startswith("label_counts.")]')" = "['label_counts.pdf']" ] && ok ||
	bad "formats pdf: $BODY"
[ "$id2" != "$id" ] && ok || bad "a new id"
req admin GET "/api/admin/reports/$id2/label_counts.pdf"; expect 200 "pdf"
[ "$(hdr Content-Type)" = application/pdf ] && ok || bad "pdf type"
[[ "$(hdr Content-Disposition)" == 'attachment; filename="label_counts.pdf"' ]] && ok || bad "pdf attachment"
req admin GET /api/admin/reports; expect 200 "list"
[ "$(json '[r["id"] for r in j["reports"]]')" = "['$id2', '$id']" ] && ok || bad "newest first: $BODY"
n=$(ls "$reports/$id" | wc -l)
bytes=$(du -cb "$reports/$id"/* | tail -1 | cut -f1)
[ "$(json 'j["reports"][1]["files"], j["reports"][1]["bytes"], j["reports"][1]["url"]')" = \
  "$n $bytes /api/admin/reports/$id/index.html" ] && ok || bad "list entry: $BODY (want $n files, $bytes bytes)"

# ---- bad bodies ---------------------------------------------------------------------------------
for b in '{"formats":[]}' '{"formats":["gif"]}' '{"formats":"svg"}' '{"formats":[1]}' '{"title":"x"}' '[1]' '{"formats":'; do
	post admin /api/admin/reports -H 'Content-Type: application/json' -d "$b"; expect 400 "body $b"
done
post admin /api/admin/reports -H 'Content-Type: text/plain' -d 'formats=svg'; expect 415 "form body"

# ---- who may ------------------------------------------------------------------------------------
for u in ann1 expert; do
	post $u /api/admin/reports; expect 403 "$u generates"
	req $u GET /api/admin/reports; expect 403 "$u lists"
	req $u GET "/api/admin/reports/$id/index.html"; expect 403 "$u reads a report"
done
req - POST /api/admin/reports; expect 401 "generate without a session"
req - GET /api/admin/reports; expect 401 "list without a session"
req - GET "/api/admin/reports/$id/index.html"; expect 401 "file without a session"
req admin POST /api/admin/reports; expect 403 "no CSRF header"
grep -q CSRF <<<"$BODY" && ok || bad "CSRF message: $BODY"
post admin /api/admin/reports -H 'Origin: http://evil.example'; expect 403 "cross-origin generate"
req admin DELETE /api/admin/reports; expect 405 "DELETE"
[ "$(ls "$reports" | grep -c .)" = 2 ] && ok || bad "refused requests wrote a report: $(ls "$reports")"

# ---- traversal and what is not a report file ------------------------------------------------------
: > "$reports/$id/.hidden.html"
echo text > "$reports/$id/notes.txt"
mkdir "$reports/$id/sub.html"
ln -s /etc/passwd "$reports/$id/passwd.csv"
ln -s index.html "$reports/$id/alias.html"
mkfifo "$reports/$id/fifo.csv"
ln -s "$id" "$reports/20990101T000000Z"
cp "$PROJECT" "$tmp/p-copy.csv"
for p in "../../etc/passwd" "$id/../../../etc/passwd" "$id/..%2f..%2f..%2fp.mlfy" "%2e%2e/%2e%2e/p.mlfy" \
	"$id/%2e%2e%2f$id2%2findex.html" "$id//etc/passwd" "/etc/passwd" "$id/%2fetc%2fpasswd" "$id/index.html%00.png" \
	"$id/.hidden.html" ".lock" "$id/notes.txt" "$id/sub.html" "$id/passwd.csv" "$id/alias.html" "$id/fifo.csv" \
	"20990101T000000Z/index.html" "20000101T000000Z/index.html" "$id/missing.svg" "$id" "$id/" \
	"$id-0/index.html" "$id/../p-copy.csv" "$id/index.HTML"; do
	req admin GET "/api/admin/reports/$p"
	[ "$CODE" = 404 ] && ok || bad "GET /api/admin/reports/$p gave $CODE"
	grep -q 'root:' <<<"$BODY" && bad "$p leaked /etc/passwd" || ok
	grep -q 'SQLite format' <<<"$BODY" && bad "$p leaked the project" || ok
done
req admin GET /api/admin/reports
[ "$(json '[r["id"] for r in j["reports"]]')" = "['$id2', '$id']" ] && ok || bad "a linked report is not listed: $BODY"
rm -f "$reports/20990101T000000Z" "$reports/$id/fifo.csv"

# ---- one generation at a time ---------------------------------------------------------------------
# another process (a second server on the same cache) holds the lock: 409, nothing written
python3 -c 'import fcntl, sys, time
f = open(sys.argv[1], "a"); fcntl.flock(f, fcntl.LOCK_EX); open(sys.argv[2], "w").close(); time.sleep(30)' \
	"$reports/.lock" "$tmp/locked" &
holder=$!
for i in $(seq 1 100); do [ -e "$tmp/locked" ] && break; sleep 0.05; done
before=$(ls "$reports" | wc -l)
post admin /api/admin/reports; expect 409 "generate while locked"
grep -q "being generated" <<<"$BODY" && ok || bad "409 message: $BODY"
[ "$(ls "$reports" | wc -l)" = "$before" ] && ok || bad "a refused generation wrote: $(ls -a "$reports")"
kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null; holder=
# concurrent requests to this server: each 200 or 409, one report per 200, none half-written
pids=()
for k in 1 2 3 4; do
	( curl -sS --max-time 60 -b "$tmp/jar.admin" -X POST -H "X-CSRF-Token: $CSRF_admin" -o "$tmp/par.$k" \
		-w '%{http_code}' "$BASE/api/admin/reports" > "$tmp/par.code.$k" 2>/dev/null ) &
	pids+=($!)
done
wait "${pids[@]}"
n200=0; n409=0
for k in 1 2 3 4; do
	case $(cat "$tmp/par.code.$k") in
	200) n200=$((n200 + 1)) ;;
	409) n409=$((n409 + 1)); grep -q "being generated" "$tmp/par.$k" && ok || bad "409 message: $(cat "$tmp/par.$k")" ;;
	*) bad "concurrent generation $k: $(cat "$tmp/par.code.$k") $(cat "$tmp/par.$k")" ;;
	esac
done
echo "concurrent generations: $n200 done, $n409 refused (409)"
[ "$n200" -ge 1 ] && ok || bad "no concurrent generation succeeded"
[ "$(ls "$reports" | wc -l)" = "$((before + n200))" ] && ok || bad "reports after the concurrent ones: $(ls "$reports")"
ls -a "$reports" | grep -q '^\.tmp-' && bad "a temporary directory was left: $(ls -a "$reports")" || ok
for k in 1 2 3 4; do
	[ "$(cat "$tmp/par.code.$k")" = 200 ] || continue
	pid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$tmp/par.$k")
	[ -s "$reports/$pid/index.html" ] && ok || bad "report $pid has no index.html"
done

# ---- saves go on while a report is generated (its own read-only connection) -----------------------
( for i in 7 8 9 10 11 12; do
	curl -sS -b "$tmp/jar.ann1" -X PUT -H 'Content-Type: application/json' -H "X-CSRF-Token: $CSRF_ann1" \
		-d '{"stage":"annotate","base_version":0,"labels":[]}' -o /dev/null -w '%{http_code}\n' \
		"$BASE/api/tasks/$i/annotation"
done > "$tmp/saves" ) &
saver=$!
post admin /api/admin/reports; expect 200 "generate during saves"
wait "$saver"
[ "$(sort -u "$tmp/saves")" = 200 ] && ok || bad "saves during a generation: $(cat "$tmp/saves")"

# ---- the audit log --------------------------------------------------------------------------------
nrep=$(ls "$reports" | wc -l)
[ "$(sqlite3 "$PROJECT" "SELECT COUNT(*) FROM audit_log WHERE action = 'report' AND ok = 1 AND actor = 'admin' AND via = 'console'")" = "$nrep" ] &&
	ok || bad "one audit row per report: $(sqlite3 "$PROJECT" 'SELECT * FROM audit_log')"
sqlite3 "$PROJECT" "SELECT params FROM audit_log WHERE action = 'report' ORDER BY id LIMIT 2" | tr '\n' ' ' |
	grep -qF '{"formats":["svg","png"]} {"formats":["pdf"]}' && ok || bad "audit params: $(sqlite3 "$PROJECT" 'SELECT params FROM audit_log')"
sqlite3 "$PROJECT" "SELECT result FROM audit_log WHERE action = 'report' ORDER BY id LIMIT 1" | grep -qF "\"id\":\"$id\"" &&
	ok || bad "audit result names the report"

serve_stop
echo "reports: $pass passed, $fail failed"
[ "$fail" = 0 ]
