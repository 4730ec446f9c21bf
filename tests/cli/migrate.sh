#!/usr/bin/env bash
# migrate.sh - `mlfy migrate SRC DST` end to end: a small project with
# accounts, stage-ii annotations, refinements, final sets, votes and
# aggregations, gold images, an invitation and verification questions is
# migrated file -> file and (with MLFY_TEST_PG: CTest's pg/cli/migrate)
# file -> PostgreSQL -> file; `mlfy check` passes on every copy and every
# `mlfy export` format is byte-identical to the original's.  A destination
# that exists / holds a project is refused and left untouched; a missing
# SRC and an unreachable URI give a clear error; migrate killed with
# kill -9 mid-copy leaves no DST file and an empty PostgreSQL database.
# Without MLFY_TEST_PG the PostgreSQL parts are skipped with a message; with
# it, the file-only parts are (cli/migrate runs them).
set -uo pipefail
: "${MLFY:?set MLFY to the mlfy binary}"
FIXTURE="$(dirname "$MLFY")/mlfy-fixture"
H="$(dirname "$MLFY")/review_e2e_helper"
for x in "$FIXTURE" "$H"; do
	[ -x "$x" ] || { echo "skipping: $x not built"; exit 77; }
done
PG=${MLFY_TEST_PG:-}
if [ -n "$PG" ] && ! command -v psql >/dev/null; then
	echo "skipping the PostgreSQL parts: psql not installed"
	PG=
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mlfy-migrate-XXXXXX")
DBS=()
MPID=
psql_() { psql -X -q -v ON_ERROR_STOP=1 -h "$PG" -U postgres "$@"; }
cleanup() {
	[ -n "$MPID" ] && kill -9 "$MPID" 2>/dev/null
	for d in "${DBS[@]}"; do psql_ -d postgres -c "DROP DATABASE IF EXISTS $d" >/dev/null 2>&1; done
	rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
run() { "$@" > "$tmp/out" 2> "$tmp/err" || fail "$*: $(cat "$tmp/err")"; }
# newdb NAME: a fresh empty database, its URI in $URI
newdb() {
	local d="mlfy_migrate_$1_$$"
	psql_ -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $d" -c "CREATE DATABASE $d" >/dev/null || fail "CREATE DATABASE $d"
	DBS+=("$d")
	URI="postgresql:///$d?host=$PG&user=postgres"
}
tables_in() { psql_ -d "$1" -At -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"; }

# ---- a demo-like project -------------------------------------------------------------------
A=$tmp/a.mlfy
run "$FIXTURE" synthetic "$A" "$tmp/img" --images 24 --classes 10 --k 5 --batch-size 10 --exemplars 1 --image-files 4
for u in ann1:annotator ann2:annotator eve:expert root:admin; do
	printf '%s-password-1\n' "${u%%:*}" > "$tmp/pw"
	run "$MLFY" user add "$A" "${u%%:*}" --role "${u##*:}" --password-file "$tmp/pw"
done
run "$MLFY" assign "$A" --per-image 2 --annotators ann1,ann2
img() { printf 'img%05d.jpg' "$1"; }
for i in $(seq 1 24); do
	run "$H" annotate "$A" "$(img "$i")" ann1 annotate "$((i % 10))" "first look"
	if [ $((i % 4)) = 0 ]; then other=$(((i + 3) % 10)); else other=$((i % 10)); fi
	run "$H" annotate "$A" "$(img "$i")" ann2 annotate "$other"
done
run "$MLFY" analyze "$A"
run "$MLFY" assign-refinement "$A" --experts eve
for i in 4 8 12 16; do run "$H" annotate "$A" "$(img "$i")" eve refine "$((i % 10)),$(((i + 3) % 10))" "both"; done
run "$MLFY" finalize "$A"
run "$MLFY" import-votes "$A" --from-annotations
run "$MLFY" aggregate "$A" --method dawid-skene
printf 'file,label\nimg00001.jpg,1\nimg00002.jpg,\n' > "$tmp/gold.csv"
run "$MLFY" gold add "$A" "$tmp/gold.csv"
run "$MLFY" user invite "$A" dana --role annotator
run "$MLFY" questions "$A" --top 2 --with-original
run "$MLFY" assign "$A" --protocol verify --per-question 1 --annotators ann1,ann2
for t in annotations final_status final_changes votes aggregations gold_images invites verify_questions audit_log; do
	n=$(sqlite3 "$A" "SELECT count(*) FROM $t") || fail "count $t"
	[ "$n" -gt 0 ] || fail "the test project has no rows in $t"
done

FORMATS="real multilabelfy csv jsonl labelstudio real-votes real-scores"
# out KIND FORMAT: the export file's name
out() { case "$2" in real-*) echo "$tmp/$1.$2.npz" ;; *) echo "$tmp/$1.$2.out" ;; esac; }
# exports KIND PROJECT: every export format into $(out KIND FORMAT)
exports() {
	local f
	for f in $FORMATS; do
		run "$MLFY" export "$2" --format "$f" --out "$(out "$1" "$f")"
	done
}
# same KIND1 KIND2: the exports are byte-identical
same() {
	local f
	for f in $FORMATS; do
		cmp -s "$(out "$1" "$f")" "$(out "$2" "$f")" || fail "export $f differs between $1 and $2"
	done
}
exports orig "$A"

# The file-only parts run once, in cli/migrate; pg/cli/migrate (MLFY_TEST_PG
# set) goes on to the PostgreSQL parts.
if [ -z "$PG" ]; then
	# ---- file -> file ----------------------------------------------------------------------------
	B=$tmp/b.mlfy
	MLFY_NO_PROGRESS='' "$MLFY" migrate "$A" "$B" > "$tmp/out" 2> "$tmp/err" || fail "migrate file -> file: $(cat "$tmp/err")"
	grep -q '^annotations .* ok$' "$tmp/out" || fail "no verification table: $(cat "$tmp/out")"
	grep -q 'copied annotations' "$tmp/err" || fail "no progress on stderr: $(cat "$tmp/err")"
	grep -q "verified" "$tmp/out" || fail "no summary: $(cat "$tmp/out")"
	MLFY_NO_PROGRESS=1 "$MLFY" migrate "$A" "$tmp/quiet.mlfy" > /dev/null 2> "$tmp/err" || fail "migrate quiet"
	[ ! -s "$tmp/err" ] || fail "MLFY_NO_PROGRESS: stderr not empty: $(cat "$tmp/err")"
	run "$MLFY" check "$B"
	exports file "$B"
	same orig file
	[ "$(stat -c %a "$B")" = 600 ] || fail "the copy's mode is $(stat -c %a "$B"), not 600"

	# ---- refusals ---------------------------------------------------------------------------------
	sum=$(sha256sum < "$B")
	if "$MLFY" migrate "$A" "$B" > /dev/null 2> "$tmp/err"; then fail "an existing DST file accepted"; fi
	grep -q "$B: already exists.*migrate writes only into an empty destination" "$tmp/err" || fail "message: $(cat "$tmp/err")"
	[ "$(sha256sum < "$B")" = "$sum" ] || fail "the refused DST file changed"
	if "$MLFY" migrate "$tmp/missing.mlfy" "$tmp/m2.mlfy" > /dev/null 2> "$tmp/err"; then fail "missing SRC accepted"; fi
	grep -q "$tmp/missing.mlfy: no such project" "$tmp/err" || fail "missing SRC message: $(cat "$tmp/err")"
	[ ! -e "$tmp/m2.mlfy" ] || fail "a missing SRC left a DST"
	if "$MLFY" migrate "$A" "postgresql:///nodb?host=$tmp/nosocket&user=x&password=hush" > /dev/null 2> "$tmp/err"; then
		fail "an unreachable URI accepted"
	fi
	grep -q "postgresql:///nodb" "$tmp/err" || fail "bad URI message: $(cat "$tmp/err")"
	grep -q "hush" "$tmp/err" && fail "the password shows: $(cat "$tmp/err")"
	if "$MLFY" migrate "$A" > /dev/null 2>&1; then fail "one operand accepted"; fi
fi

# ---- kill -9 mid-copy (a larger project): no DST file ------------------------------------------
BIG=$tmp/big.mlfy
BIGN=50000; [ -n "${MLFY_SANITIZED:-}" ] && BIGN=20000   # ASan: slower, so smaller is enough
run "$FIXTURE" synthetic "$BIG" "$tmp/bigimg" --images "$BIGN" --classes 100 --k 5 --batch-size 1000 --exemplars 1 --image-files 4
# kill_migrate DST WRITING SETTLE: starts `mlfy migrate $BIG DST`, waits until
# the command WRITING (polled, at most ~6 s) says it writes, SETTLE seconds
# more, then kill -9; fails unless it was killed (status 137), not finished.
kill_migrate() {
	local dst=$1 writing=$2 settle=$3 i st
	MLFY_NO_PROGRESS=1 "$MLFY" migrate "$BIG" "$dst" > /dev/null 2>&1 &
	MPID=$!
	for i in $(seq 1 300); do
		"$writing" && break
		sleep 0.02
	done
	sleep "$settle"
	kill -9 "$MPID" 2>/dev/null
	wait "$MPID"
	st=$?
	MPID=
	[ "$st" = 137 ] || fail "migrate into $dst ended (status $st) before it could be killed: make the fixture larger"
}

if [ -z "$PG" ]; then
	D=$tmp/killed.mlfy
	temp_file_written() { ls "$tmp"/.killed.mlfy.migrate-* > /dev/null 2>&1; }
	kill_migrate "$D" temp_file_written 0.2
	[ ! -e "$D" ] || fail "a killed migrate left $D"
fi

if [ -z "$PG" ]; then
	echo "skipping the PostgreSQL parts: MLFY_TEST_PG unset (ctest -L pg runs pg/cli/migrate)"
	echo "ok"
	exit 0
fi

# ---- file -> PostgreSQL -> file -----------------------------------------------------------------
newdb rt
URI_RT=$URI
run "$MLFY" migrate "$A" "$URI_RT"
run "$MLFY" check "$URI_RT"
exports pg "$URI_RT"
same orig pg
C=$tmp/c.mlfy
run "$MLFY" migrate "$URI_RT" "$C"
run "$MLFY" check "$C"
exports back "$C"
same orig back
# the next ids continue after the copied ones
next=$(psql_ -d "${DBS[0]}" -At -c "INSERT INTO audit_log(at, actor, via, action, ok) VALUES ('t', 'x', 'cli', 'probe', 1) RETURNING id")
max=$(sqlite3 "$A" "SELECT max(id) FROM audit_log")
[ "$next" = $((max + 1)) ] || fail "next audit_log id on PostgreSQL: $next, expected $((max + 1))"

# a database holding a project is refused and untouched
before=$(psql_ -d "${DBS[0]}" -At -c "SELECT count(*) FROM annotations")
if "$MLFY" migrate "$BIG" "$URI_RT" > /dev/null 2> "$tmp/err"; then fail "a database with a project accepted"; fi
grep -q "already holds a project.*migrate writes only into an empty destination" "$tmp/err" || fail "message: $(cat "$tmp/err")"
[ "$(psql_ -d "${DBS[0]}" -At -c "SELECT count(*) FROM annotations")" = "$before" ] || fail "refused database changed"
[ "$(psql_ -d "${DBS[0]}" -At -c "SELECT count(*) FROM images")" = 24 ] || fail "refused database changed (images)"
# a database that does not exist
if "$MLFY" migrate "$A" "postgresql:///no_such_db_$$?host=$PG&user=postgres" > /dev/null 2> "$tmp/err"; then
	fail "a missing database accepted"
fi
grep -q "no_such_db_$$" "$tmp/err" || fail "missing database message: $(cat "$tmp/err")"

# ---- kill -9 mid-copy into PostgreSQL: an empty database ------------------------------------------
newdb killed
# rows are being written once the copy's transaction is open
copy_tx_open() {
	local n
	n=$(psql_ -d postgres -At -c "SELECT count(*) FROM pg_stat_activity WHERE datname = 'mlfy_migrate_killed_$$' AND xact_start IS NOT NULL")
	[ "${n:-0}" -gt 0 ]
}
kill_migrate "$URI" copy_tx_open 0.5
# the server notices the lost client and rolls its transaction back
for i in $(seq 1 100); do
	n=$(psql_ -d postgres -At -c "SELECT count(*) FROM pg_stat_activity WHERE datname = 'mlfy_migrate_killed_$$'")
	[ "$n" = 0 ] && break
	sleep 0.05
done
[ "$(tables_in "mlfy_migrate_killed_$$")" = 0 ] || fail "a killed migrate left tables in the database"
# and the database can take a migration afterwards
run "$MLFY" migrate "$A" "$URI"
echo "ok"
