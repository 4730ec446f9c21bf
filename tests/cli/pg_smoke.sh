#!/usr/bin/env bash
# pg_smoke.sh - the demo's commands on a PostgreSQL project (a postgresql://
# URI) and the same run on an SQLite file, outputs compared: init (one
# transaction; a second init refused), add-images, import-predictions,
# user add, assign, annotation through `mlfy serve` + Python's urllib (login, GET task,
# PUT annotation; the default image cache of a URI project), analyze, stats,
# every export format, check, report.  Needs MLFY_TEST_PG (the socket folder
# of scripts/pg-test-cluster; CTest's pg/cli/pg_smoke sets it) and the shared
# imagenet-samples photos; skips with a message without them.
set -uo pipefail
: "${MLFY:?set MLFY to the mlfy binary}"
[ -n "${MLFY_TEST_PG:-}" ] || { echo "skipping: MLFY_TEST_PG unset (run as ctest -L pg: pg/cli/pg_smoke)"; exit 77; }
for t in psql python3; do
	command -v "$t" >/dev/null || { echo "skipping: $t not installed"; exit 77; }
done
SHARED=${MLFY_SHARED:-/nonexistent}
SAMPLES=$SHARED/data/imagenet-samples
LOGITS=$SHARED/models/imagenet-samples.mobilenetv2-12-int8.logits.npy
ORDER=$SHARED/models/imagenet-samples.order.txt
CLASSES=$SHARED/data/imagenet/label_indices_to_wordnet_ids.json
for f in "$SAMPLES" "$LOGITS" "$ORDER" "$CLASSES"; do
	[ -e "$f" ] || { echo "skipping: shared data $f not found (MLFY_SHARED)"; exit 77; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mlfy-pgsmoke-XXXXXX")
SERVE_PID=
DB=mlfy_smoke_$$_$RANDOM
psql_() { psql -X -q -v ON_ERROR_STOP=1 -h "$MLFY_TEST_PG" -U postgres "$@"; }
cleanup() {
	[ -n "$SERVE_PID" ] && { kill -TERM "$SERVE_PID" 2>/dev/null; wait "$SERVE_PID" 2>/dev/null; }
	psql_ -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

psql_ -d postgres -c "CREATE DATABASE $DB" >/dev/null || fail "CREATE DATABASE $DB"
URI="postgresql:///$DB?host=$MLFY_TEST_PG&user=postgres"
LITE=$tmp/lite.mlfy

# 24 photos (every other of the first 48) in 2 batches
echo "path,label" > "$tmp/images.csv"
ls "$SAMPLES" | LC_ALL=C sort | grep -E '\.JPEG$' | head -48 | awk 'NR % 2 == 1' |
	while read -r f; do echo "$SAMPLES/$f,${f%%_*}"; done >> "$tmp/images.csv"
for u in ann1 ann2 admin; do printf '%s-password-1\n' "$u" > "$tmp/pw.$u"; done

# ---- mlfy init on a URI ---------------------------------------------------------------
"$MLFY" init "$URI" --classes "$CLASSES" --name smoke > "$tmp/init.pg" 2> "$tmp/err" || fail "init URI: $(cat "$tmp/err")"
grep -q "created with 1000 classes" "$tmp/init.pg" || fail "init URI output: $(cat "$tmp/init.pg")"
n=$(psql_ -d "$DB" -At -c "SELECT count(*) FROM classes") || fail "count classes"
[ "$n" = 1000 ] || fail "classes in the database: $n"
# a second init is refused with the engine's message, and changes nothing
if "$MLFY" init "$URI" --classes "$CLASSES" > /dev/null 2> "$tmp/err"; then fail "second init accepted"; fi
grep -q "already holds an mlfy project" "$tmp/err" || fail "second init message: $(cat "$tmp/err")"
# an invalid class file creates nothing (no schema left behind)
psql_ -d postgres -c "CREATE DATABASE ${DB}_b" >/dev/null || fail "CREATE DATABASE ${DB}_b"
URIB="postgresql:///${DB}_b?host=$MLFY_TEST_PG&user=postgres"
printf 'a\nb\na\n' > "$tmp/dup.txt"
if "$MLFY" init "$URIB" --classes "$tmp/dup.txt" > /dev/null 2> "$tmp/err"; then fail "duplicate ids accepted"; fi
n=$(psql_ -d "${DB}_b" -At -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
[ "$n" = 0 ] || fail "a failed init left $n tables"
# the database name is the default project name
printf 'a\nb\nc\n' > "$tmp/abc.txt"
"$MLFY" init "$URIB" --classes "$tmp/abc.txt" > /dev/null 2> "$tmp/err" || fail "init b: $(cat "$tmp/err")"
[ "$(psql_ -d "${DB}_b" -At -c "SELECT value FROM meta WHERE key = 'name'")" = "${DB}_b" ] ||
	fail "default name of a URI project"
psql_ -d postgres -c "DROP DATABASE ${DB}_b" >/dev/null

"$MLFY" init "$LITE" --classes "$CLASSES" --name smoke > "$tmp/init.lite" 2> "$tmp/err" || fail "init lite: $(cat "$tmp/err")"

# ---- the same commands on both --------------------------------------------------------
# run KIND PROJECT: the demo's commands; outputs in $tmp/KIND.*
run() {
	local k=$1 p=$2 u
	"$MLFY" add-images "$p" "$tmp/images.csv" --name-by file --batches 2 > "$tmp/$k.add" 2>&1 || fail "$k add-images: $(cat "$tmp/$k.add")"
	"$MLFY" import-predictions "$p" --model m --skip-unknown --order "$ORDER" "$LOGITS" > "$tmp/$k.pred" 2>&1 ||
		fail "$k import-predictions: $(cat "$tmp/$k.pred")"
	for u in ann1:annotator ann2:annotator admin:admin; do
		"$MLFY" user add "$p" "${u%%:*}" --role "${u##*:}" --password-file "$tmp/pw.${u%%:*}" > /dev/null 2> "$tmp/err" ||
			fail "$k user add: $(cat "$tmp/err")"
	done
	"$MLFY" assign "$p" --per-image 2 --annotators ann1,ann2 > "$tmp/$k.assign" 2>&1 || fail "$k assign: $(cat "$tmp/$k.assign")"
	# ReaL's verification questions, as the demo makes them
	"$MLFY" questions "$p" --top 3 --min-score 0.05 --with-original > "$tmp/$k.questions" 2>&1 ||
		fail "$k questions: $(cat "$tmp/$k.questions")"
	"$MLFY" assign "$p" --protocol verify --per-question 2 --annotators ann1,ann2 >> "$tmp/$k.assign" 2>&1 ||
		fail "$k assign verify: $(cat "$tmp/$k.assign")"
}
run pg "$URI"
run lite "$LITE"

# ---- annotation through mlfy serve ----------------------------------------------------
# serve_annotate KIND PROJECT [serve options]: both annotators save the same labels on every task
serve_annotate() {
	local k=$1 p=$2 base
	shift 2
	: > "$tmp/serve.out"
	"$MLFY" serve "$p" --listen 127.0.0.1:0 "$@" > "$tmp/serve.out" 2> "$tmp/serve.err" &
	SERVE_PID=$!
	for _ in $(seq 1 100); do
		grep -q 'listening on' "$tmp/serve.out" && break
		kill -0 "$SERVE_PID" 2>/dev/null || fail "$k serve did not start: $(cat "$tmp/serve.err")"
		sleep 0.1
	done
	base=$(sed -n 's|.*listening on \(https\?://[^ ]*\)/ .*|\1|p' "$tmp/serve.out")
	[ -n "$base" ] || fail "$k serve: no address: $(cat "$tmp/serve.out")"
	# both annotators' whole task lists through the API, in one process (a
	# curl and a python3 per request cost seconds under ASan)
	python3 - "$base" "$k" <<'PY' || fail "$k annotate through the API"
import http.cookiejar, json, sys, urllib.request
base, k = sys.argv[1], sys.argv[2]
for u in ("ann1", "ann2"):
    op = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    def call(method, path, body=None, headers={}):
        req = urllib.request.Request(base + path, method=method, headers=dict(headers),
                                     data=None if body is None else json.dumps(body).encode())
        if body is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with op.open(req) as r:
                return json.load(r)
        except urllib.error.HTTPError as e:
            sys.exit(f"FAIL: {k} {method} {path} ({u}): {e.code} {e.read().decode()}")
    csrf = call("POST", "/api/login", {"user": u, "password": f"{u}-password-1"})["csrf"]
    ids = call("GET", "/api/tasks?limit=1000")["ids"]
    if not ids:
        sys.exit(f"FAIL: {k} {u} has no tasks")
    for i in ids:
        t = call("GET", f"/api/tasks/{i}")
        if t["image"]["id"] != i:
            sys.exit(f"FAIL: {k} task {i} shows image {t['image']['id']}")
        call("PUT", f"/api/tasks/{i}/annotation",
             {"stage": "annotate", "base_version": 0, "labels": [{"class": i % 7, "source": "search"}], "seconds": 2},
             {"X-CSRF-Token": csrf})
PY
	kill -TERM "$SERVE_PID"
	wait "$SERVE_PID" || fail "$k serve: exit status $? after SIGTERM: $(cat "$tmp/serve.err")"
	SERVE_PID=
}
# the URI project without --cache: the default under $XDG_CACHE_HOME
XDG_CACHE_HOME=$tmp/xdg serve_annotate pg "$URI"
ls -d "$tmp"/xdg/mlfy/"$DB"-* > /dev/null 2>&1 || fail "no default cache folder under XDG_CACHE_HOME: $(ls -R "$tmp/xdg" 2>&1)"
[ ! -e "$URI.cache" ] || fail "URI.cache created"
# neither XDG_CACHE_HOME nor HOME: refused, naming --cache
if env -u XDG_CACHE_HOME -u HOME "$MLFY" serve "$URI" --listen 127.0.0.1:0 > /dev/null 2> "$tmp/err"; then
	fail "serve without a cache folder started"
fi
grep -q -- "--cache" "$tmp/err" || fail "no-cache message: $(cat "$tmp/err")"
serve_annotate lite "$LITE" --cache "$tmp/lite.cache"

# ---- analysis, statistics, exports, check, report ------------------------------------
for k in pg lite; do
	p=$URI; [ $k = lite ] && p=$LITE
	"$MLFY" analyze "$p" --json > "$tmp/$k.analyze" 2> "$tmp/err" || fail "$k analyze: $(cat "$tmp/err")"
	"$MLFY" stats "$p" --json > "$tmp/$k.stats" 2> "$tmp/err" || fail "$k stats: $(cat "$tmp/err")"
	for f in real multilabelfy csv jsonl labelstudio; do
		"$MLFY" export "$p" --format $f --out "$tmp/$k.export.$f.npz" 2> "$tmp/err" || fail "$k export $f: $(cat "$tmp/err")"
	done
	# no verification votes in this project: both engines refuse alike (compared below)
	for f in real-votes real-scores; do
		if "$MLFY" export "$p" --format $f --out "$tmp/$k.export.$f.npz" 2> "$tmp/$k.export.$f.npz"; then
			fail "$k export $f without votes succeeded"
		fi
	done
	"$MLFY" check "$p" > "$tmp/$k.check" 2>&1 || fail "$k check: $(cat "$tmp/$k.check")"
	"$MLFY" report "$p" --out "$tmp/$k.report" --formats svg > /dev/null 2> "$tmp/err" || fail "$k report: $(cat "$tmp/err")"
	[ -s "$tmp/$k.report/index.html" ] || fail "$k report: no index.html"
done
# the same project on both engines: identical outputs (the save times and
# the seconds the server measured differ from run to run: masked)
norm() { sed -E 's/"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z"/"T"/g; s/"(seconds|lead_time)": ?[0-9.e+-]+/"\1":0/g' "$1"; }
for k in pg lite; do
	for f in jsonl labelstudio; do
		norm "$tmp/$k.export.$f.npz" > "$tmp/$k.export.$f-masked.npz"
		mv "$tmp/$k.export.$f-masked.npz" "$tmp/$k.export.$f.npz"
	done
done
for f in real multilabelfy csv jsonl labelstudio real-votes real-scores; do
	cmp -s "$tmp/pg.export.$f.npz" "$tmp/lite.export.$f.npz" ||
		fail "export $f differs between PostgreSQL and SQLite: $(diff -a "$tmp/pg.export.$f.npz" "$tmp/lite.export.$f.npz" | head -5)"
done
masked() {   # masked FILE PROJECT: FILE with PROJECT as "PROJECT", durations and rates as N
	local s
	s=$(cat "$1")
	printf '%s\n' "${s//"$2"/PROJECT}" | sed -E 's#[0-9]+(\.[0-9]+)? ?(ms|s|/s|µs)\b#N#g'
}
for o in add pred assign questions stats analyze; do
	# durations and rates masked
	diff <(masked "$tmp/lite.$o" "$LITE") <(masked "$tmp/pg.$o" "$URI") > "$tmp/d" ||
		fail "$o output differs (SQLite < > PostgreSQL): $(head -8 "$tmp/d")"
done
grep -q . "$tmp/pg.stats" || fail "empty stats"
echo "ok: PostgreSQL and SQLite runs agree (init, add-images, import-predictions, assign, serve, analyze, stats, 7 exports, check, report)"
