# lib.sh - helpers for the crash-consistency tests in tests/crash/ (sourced;
# CMake skips files named lib.sh).  docs/crash-consistency.md describes the
# method and the invariants checked.
#
# Projects by name (kill_serve, kill_analyze, kill_propose): a SQLite file
# $WORK/NAME.mlfy, or with MLFY_TEST_PG set (the socket folder of
# scripts/pg-test-cluster; CTest's pg/crash/* set it) a database of its own
# in that cluster, dropped at exit:
#   project NAME          the project argument for mlfy (path or URI)
#   project_new NAME      an empty database (PostgreSQL) / no file (SQLite)
#   project_copy SRC DST  DST a copy of the closed project SRC
#   rows NAME SQL         the result rows, fields separated by "|"
#   sql_script NAME       runs the SQL script on stdin (stops at an error)
#   check_project NAME    SQLite: integrity_check and foreign_key_check;
#                         PostgreSQL: `mlfy check` (constraints, indexes,
#                         triggers)
set -euo pipefail

: "${MLFY:?run from CTest (MLFY = the mlfy binary)}"
for tool in python3 sqlite3; do
	if ! command -v "$tool" >/dev/null; then
		echo "skipped: $tool not installed (scripts/install-deps)"
		exit 77
	fi
done
BACKEND=sqlite
if [ -n "${MLFY_TEST_PG:-}" ]; then
	BACKEND=pg
	command -v psql >/dev/null || { echo "skipped: psql not installed"; exit 77; }
	export PGOPTIONS="-c client_min_messages=warning"
fi
# cycles per command: CI runs a few, `make crash-test` 100
CYCLES=${MLFY_CRASH_CYCLES:-10}
# reproducible kill times: MLFY_CRASH_SEED=N
RANDOM=${MLFY_CRASH_SEED:-$$}
echo "crash cycles: $CYCLES (seed ${MLFY_CRASH_SEED:-$$})"

export WORK
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mlfy-crash.XXXXXX")
BG_PIDS=()
PG_DBS=()
cleanup() {
	local p
	for p in "${BG_PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
	if [ ${#PG_DBS[@]} -gt 0 ]; then
		printf 'DROP DATABASE IF EXISTS %s WITH (FORCE);\n' "${PG_DBS[@]}" | pg_admin >/dev/null 2>&1 || true
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT
cd "$WORK"

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

sql() {
	sqlite3 "$1" "$2"
}

# ---- projects by name, on either backend (see the top) ----
# the database of project NAME: kc<pid>_NAME
pg_db() {
	echo "kc$$_$1"
}
pg_admin() {
	psql -X -q -v ON_ERROR_STOP=1 -h "$MLFY_TEST_PG" -U postgres -d postgres "$@"
}
project() {
	if [ "$BACKEND" = pg ]; then
		echo "postgresql:///$(pg_db "$1")?host=$MLFY_TEST_PG&user=postgres"
	else
		echo "$WORK/$1.mlfy"
	fi
}
# _pg_create NAME [TEMPLATE]: database NAME afresh (a copy of TEMPLATE)
_pg_create() {
	local db
	db=$(pg_db "$1")
	pg_admin -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" \
		-c "CREATE DATABASE $db${2:+ TEMPLATE $(pg_db "$2")}" >/dev/null || fail "cannot create database $db"
	[[ " ${PG_DBS[*]} " == *" $db "* ]] || PG_DBS+=("$db")
}
project_new() {
	if [ "$BACKEND" = pg ]; then
		_pg_create "$1"
	else
		rm -f "$WORK/$1.mlfy" "$WORK/$1.mlfy-wal" "$WORK/$1.mlfy-shm"
	fi
}
project_copy() {
	if [ "$BACKEND" = pg ]; then
		_pg_create "$2" "$1"
	else
		copy_project "$WORK/$1.mlfy" "$WORK/$2.mlfy"
	fi
}
rows() {
	if [ "$BACKEND" = pg ]; then
		psql -X -At -F '|' -v ON_ERROR_STOP=1 -h "$MLFY_TEST_PG" -U postgres -d "$(pg_db "$1")" -c "$2"
	else
		sqlite3 -batch "$WORK/$1.mlfy" "$2"
	fi
}
sql_script() {
	if [ "$BACKEND" = pg ]; then
		psql -X -q -v ON_ERROR_STOP=1 -h "$MLFY_TEST_PG" -U postgres -d "$(pg_db "$1")" >/dev/null
	else
		sqlite3 -bail "$WORK/$1.mlfy"
	fi
}
check_project() {
	if [ "$BACKEND" = pg ]; then
		"$MLFY" check "$(project "$1")" >"$WORK/check.out" 2>&1 || fail "$1: mlfy check: $(cat "$WORK/check.out")"
	else
		check_integrity "$WORK/$1.mlfy"
	fi
}

# copy_project SRC DST: a project file without its -wal/-shm (SRC closed).
copy_project() {
	rm -f "$2" "$2-wal" "$2-shm"
	cp "$1" "$2"
	[ ! -e "$1-wal" ] || cp "$1-wal" "$2-wal"
}

# sleep_ms N: sleeps N milliseconds.
sleep_ms() {
	sleep "$(printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)))"
}

# now_ms: wall clock in milliseconds.
now_ms() {
	date +%s%3N
}

# check_integrity PROJECT: SQLite's integrity and foreign-key checks pass.
check_integrity() {
	local r
	r=$(sql "$1" "PRAGMA integrity_check")
	[ "$r" = ok ] || fail "$1: integrity_check: $r"
	r=$(sql "$1" "PRAGMA foreign_key_check")
	[ -z "$r" ] || fail "$1: foreign_key_check: $r"
}

# _pg_lsn: the cluster's WAL insert position now
_pg_lsn() {
	psql -X -qAt -h "$MLFY_TEST_PG" -U postgres -d postgres -c "SELECT pg_current_wal_insert_lsn()"
}
# _pg_writing DB LSN: true once a session on database DB holds a
# transaction id (its transaction has written) or the cluster's WAL has
# grown past LSN (a transaction committed: between propose's short
# per-batch transactions a poll rarely sees one open)
_pg_writing() {
	[ "$(psql -X -qAt -h "$MLFY_TEST_PG" -U postgres -d postgres -c "SELECT pg_current_wal_insert_lsn() > '$2'
		OR EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = '$1' AND backend_xid IS NOT NULL)" 2>/dev/null)" = t ]
}

# kill_during PROJECT WHEN CMD...: starts CMD in the background and kills it
# with SIGKILL.  WHEN is "random:MS" (after a uniform random delay in
# [0, MS) ms) or "write:MS" (once PROJECT-wal grows, i.e. while SQLite
# writes the transaction, plus a random delay in [0, MS) ms).  PROJECT may
# be a postgresql:// URI: "write" then waits until a session on its
# database holds a transaction id (its transaction has written) or the
# cluster's WAL grows (the analogue of the -wal file), and after
# the kill this waits (at most 30 s) until the killed command's server
# sessions have ended, so that what is checked next is what stays.  Sets
# KILLED=1 when the process was still running at the kill, else 0 (it had
# finished), and KILL_AT (ms after the start).
kill_during() {
	local project=$1 when=$2 pid t0 deadline size0 size db='' lsn0=''
	shift 2
	case $project in postgresql://*) db=${project#postgresql:///} db=${db%%\?*} ;; esac
	[ -z "$db" ] || [ "${when%%:*}" != write ] || lsn0=$(_pg_lsn)
	t0=$(now_ms)
	"$@" >/dev/null 2>&1 &
	pid=$!
	BG_PIDS+=("$pid")
	case $when in
	random:*)
		sleep_ms $((RANDOM % ${when#random:}))
		;;
	write:*)
		size0=$(stat -c %s "$project-wal" 2>/dev/null || echo 0)
		deadline=$((t0 + 60000))
		while kill -0 "$pid" 2>/dev/null && [ "$(now_ms)" -lt $deadline ]; do
			if [ -n "$db" ]; then
				_pg_writing "$db" "$lsn0" && break
			else
				size=$(stat -c %s "$project-wal" 2>/dev/null || echo 0)
				[ "$size" -gt "$size0" ] && break
			fi
		done
		sleep_ms $((RANDOM % ${when#write:}))
		;;
	esac
	KILL_AT=$(($(now_ms) - t0))
	if kill -9 "$pid" 2>/dev/null; then KILLED=1; else KILLED=0; fi
	wait "$pid" 2>/dev/null || true
	[ -z "$db" ] || pg_wait_idle "$db"
}

# pg_wait_idle DB: waits (at most 30 s) until no session is left on
# database DB: a server process notices its killed client only at its next
# read or write of the connection, and may until then still finish a
# statement (or a COMMIT already sent)
pg_wait_idle() {
	local _
	for _ in $(seq 1 300); do
		[ "$(psql -X -qAt -h "$MLFY_TEST_PG" -U postgres -d postgres -c "SELECT count(*) FROM pg_stat_activity
			WHERE datname = '$1'" 2>/dev/null)" = 0 ] && return 0
		sleep 0.1
	done
	echo "note: sessions still open on $1 30 s after the kill" >&2
}
