#!/usr/bin/env bash
# cli_votes_memcheck.sh - `mlfy import-votes` refused by the store (a label
# outside the project's classes) must free the vote set it read: it leaked
# ~130 KiB per refusal, found by `make valgrind` (review/cli_votes) and
# missed by LeakSanitizer, which still found the pointers in the dead stack
# frame at exit.  Runs the one command under valgrind memcheck; skipped
# without valgrind, in sanitizer builds, or without the shared data.
set -euo pipefail

: "${MLFY:?MLFY must point to the mlfy binary}"
SH="${MLFY_SHARED:-../shared}"
RG="$SH/data/real/raters_golden.npz"
[ -f "$RG" ] || { echo "skipping: $RG not found"; exit 77; }
command -v valgrind >/dev/null || { echo "skipping: valgrind not installed"; exit 77; }
[ "${MLFY_SANITIZED:-0}" = 1 ] && { echo "skipping: a sanitizer build does not run under valgrind"; exit 77; }
T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT

for i in $(seq 0 499); do echo "c$i"; done >"$T/few.txt"
"$MLFY" init "$T/q.mlfy" --classes "$T/few.txt" >/dev/null
rc=0
valgrind --quiet --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect \
	--errors-for-leak-kinds=definite,indirect --log-file="$T/vg.log" \
	"$MLFY" import-votes "$T/q.mlfy" "$RG" >"$T/out" 2>"$T/err" || rc=$?
if [ "$rc" != 1 ]; then
	echo "cli_votes_memcheck: FAIL: exit $rc (want 1: refused, no memcheck error)" >&2
	cat "$T/err" "$T/vg.log" >&2
	exit 1
fi
grep -qF "is not one of the project's 500 classes" "$T/err" || {
	echo "cli_votes_memcheck: FAIL: unexpected message: $(cat "$T/err")" >&2
	exit 1
}
echo "cli_votes_memcheck: ok (refusal freed everything)"
