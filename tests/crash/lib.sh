# lib.sh - helpers for the crash-consistency tests in tests/crash/ (sourced;
# CMake skips files named lib.sh).  docs/crash-consistency.md describes the
# method and the invariants checked.
set -euo pipefail

: "${MLFY:?run from CTest (MLFY = the mlfy binary)}"
for tool in python3 sqlite3; do
	if ! command -v "$tool" >/dev/null; then
		echo "skipped: $tool not installed (scripts/install-deps)"
		exit 77
	fi
done
# cycles per command: CI runs a few, `make crash-test` 100
CYCLES=${MLFY_CRASH_CYCLES:-10}
# reproducible kill times: MLFY_CRASH_SEED=N
RANDOM=${MLFY_CRASH_SEED:-$$}
echo "crash cycles: $CYCLES (seed ${MLFY_CRASH_SEED:-$$})"

export WORK
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mlfy-crash.XXXXXX")
BG_PIDS=()
cleanup() {
	local p
	for p in "${BG_PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
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

# kill_during PROJECT WHEN CMD...: starts CMD in the background and kills it
# with SIGKILL.  WHEN is "random:MS" (after a uniform random delay in
# [0, MS) ms) or "write:MS" (once PROJECT-wal grows, i.e. while SQLite
# writes the transaction, plus a random delay in [0, MS) ms).  Sets
# KILLED=1 when the process was still running at the kill, else 0 (it had
# finished), and KILL_AT (ms after the start).
kill_during() {
	local project=$1 when=$2 pid t0 deadline size0 size
	shift 2
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
			size=$(stat -c %s "$project-wal" 2>/dev/null || echo 0)
			[ "$size" -gt "$size0" ] && break
		done
		sleep_ms $((RANDOM % ${when#write:}))
		;;
	esac
	KILL_AT=$(($(now_ms) - t0))
	if kill -9 "$pid" 2>/dev/null; then KILLED=1; else KILLED=0; fi
	wait "$pid" 2>/dev/null || true
}
