# ingest-common.bash - shared helpers of the ingest end-to-end tests
# (tests/cli/ingest_*.sh); sourced, not run.  Needs $MLFY.
set -euo pipefail

: "${MLFY:?set MLFY to the mlfy binary}"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/mlfy-cli-XXXXXX")
trap 'rm -rf "$TMP"' EXIT
cd "$TMP"

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "skipping: $*" >&2; exit 77; }

# need_shared REL: skips the test unless $MLFY_SHARED/REL exists.
need_shared() {
  [ -n "${MLFY_SHARED:-}" ] && [ -e "$MLFY_SHARED/$1" ] || skip "shared data $1 not found (MLFY_SHARED=${MLFY_SHARED:-})"
}
command -v sqlite3 >/dev/null || skip "the sqlite3 shell is not installed (scripts/install-deps)"

# q PROJECT SQL: one value from the project.
q() { sqlite3 -batch -noheader "$1" "$2"; }

# expect_fail CMD...: runs CMD, which must exit 1; its stderr is in $TMP/err.
expect_fail() {
  local rc=0
  "$@" >"$TMP/out" 2>"$TMP/err" || rc=$?
  [ "$rc" = 1 ] || { cat "$TMP/err" >&2; fail "expected exit 1, got $rc: $*"; }
}

# expect_err PATTERN: the last expect_fail's stderr matches PATTERN (grep -E).
expect_err() {
  grep -Eq -- "$1" "$TMP/err" || { cat "$TMP/err" >&2; fail "stderr lacks /$1/"; }
}

# Sample photos: n01440764_tench.JPEG ... (one per ImageNet class).
SAMPLES=${MLFY_SHARED:-/nonexistent}/data/imagenet-samples
IMAGENET=${MLFY_SHARED:-/nonexistent}/data/imagenet
