# lib.sh - helpers for the bad-input tests in tests/safety/ (sourced, not a
# test: CMake skips files named lib.sh).  docs/bad-input.md lists each case
# and the message these tests expect.
set -euo pipefail

: "${MLFY:?run from CTest (MLFY = the mlfy binary)}"
for tool in python3 sqlite3 vips; do
	if ! command -v "$tool" >/dev/null; then
		echo "skipped: $tool not installed (scripts/install-deps)"
		exit 77
	fi
done

export WORK
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mlfy-safety.XXXXXX")
cleanup() {
	# unmount anything a test mounted below WORK, then remove it
	local m
	for m in $(awk -v w="$WORK" 'index($2, w) == 1 { print $2 }' /proc/mounts 2>/dev/null | sort -r); do
		umount "$m" 2>/dev/null || true
	done
	chmod -R u+rwX "$WORK" 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT
cd "$WORK"

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# run_mlfy ARGS...: runs mlfy, capturing stdout in $WORK/out, stderr in
# $WORK/err and the exit status in $status.
run_mlfy() {
	status=0
	"$MLFY" "$@" >"$WORK/out" 2>"$WORK/err" || status=$?
}

# expect_status N: the last run_mlfy exited with N.
expect_status() {
	if [ "$status" -ne "$1" ]; then
		echo "--- stdout"; cat "$WORK/out"; echo "--- stderr"; cat "$WORK/err"
		fail "exit status $status, expected $1"
	fi
}

# expect_err TEXT: the last run's stderr holds TEXT as one exact line.
expect_err() {
	if ! grep -qxF -- "$1" "$WORK/err"; then
		echo "--- stderr"; cat "$WORK/err"
		fail "expected the line: $1"
	fi
}

# expect_err_part TEXT: stderr contains TEXT somewhere.
expect_err_part() {
	if ! grep -qF -- "$1" "$WORK/err"; then
		echo "--- stderr"; cat "$WORK/err"
		fail "expected stderr to contain: $1"
	fi
}

# new_project NAME: a project with two classes (cat, dog).
new_project() {
	printf 'cat\ndog\n' >"$WORK/classes.txt"
	"$MLFY" init "$1" --classes "$WORK/classes.txt" >/dev/null
}

# sql PROJECT QUERY: one value from the project.
sql() {
	sqlite3 "$1" "$2"
}

# expect_untouched PROJECT: no images, and SQLite's integrity check passes.
expect_no_images() {
	local n
	n=$(sql "$1" "SELECT count(*) FROM images")
	[ "$n" = 0 ] || fail "$1 holds $n images, expected none (the import must be all or nothing)"
	[ "$(sql "$1" "PRAGMA integrity_check")" = ok ] || fail "$1: integrity_check failed"
}

# jpeg FILE [W H]: a real JPEG of noise (so its entropy-coded data is long).
jpeg() {
	vips gaussnoise "$WORK/noise.v" "${2:-64}" "${3:-48}"
	vips copy "$WORK/noise.v" "$1"
}

# png FILE W H [ROWS]: a grey PNG whose header says W x H pixels but whose
# data holds only ROWS rows (default all), ending with IEND as a valid file.
png() {
	python3 - "$@" <<'PY'
import struct, sys, zlib
path, w, h = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rows = int(sys.argv[4]) if len(sys.argv) > 4 else h
def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
raw = b"".join(b"\0" + bytes((x * 7 + y) & 255 for x in range(min(w, 4096))) for y in range(min(rows, 64)))
open(path, "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
                       + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
PY
}
