# qa_inputs.sh - regression tests for bad or unusual input found in QA of the
# setup commands (init, add-images, add-exemplars, import-predictions):
# each case failed before its fix.
source "$MLFY_SOURCE_DIR/tests/cli/ingest-common.bash"

# a tiny project: two classes and two 1x1 PNG photos
png1x1() { printf '\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x00\x00\x00\x00\x3a\x7e\x9b\x55\x00\x00\x00\x0aIDATx\x9cc\x60\x00\x00\x00\x02\x00\x01\x48\xaf\xa4\x71\x00\x00\x00\x00IEND\xaeB`\x82' > "$1"; }
printf 'cat\ndog\n' > classes.txt
"$MLFY" init p.mlfy --classes classes.txt >/dev/null
mkdir -p photos/cat photos/dog
png1x1 photos/cat/a.png
cp photos/cat/a.png photos/dog/b.png && printf 'x' >> photos/dog/b.png   # other content, still a PNG

# --seed: a value beyond 2^64 - 1 is refused, not clamped to the maximum
for cmd in add-images add-exemplars; do
  rc=0; "$MLFY" $cmd p.mlfy photos --seed 18446744073709551616 -q >/dev/null 2>"$TMP/err" || rc=$?
  [ "$rc" = 2 ] || fail "$cmd --seed 2^64: exit $rc"
  expect_err "--seed: '18446744073709551616' is not an integer"
  rc=0; "$MLFY" $cmd p.mlfy photos --seed ' 7' -q >/dev/null 2>"$TMP/err" || rc=$?
  [ "$rc" = 2 ] || fail "$cmd --seed ' 7': exit $rc"
done
"$MLFY" add-images p.mlfy photos --seed 18446744073709551615 -q >/dev/null || fail "--seed 2^64-1"
[ "$(q p.mlfy 'select count(*) from images')" = 2 ] || fail "image count"

# many batches: the summary stays one short line (it listed every batch)
"$MLFY" init many.mlfy --classes classes.txt >/dev/null
"$MLFY" add-images many.mlfy photos --batches 1000 -q > out || fail "--batches 1000"
grep -qx "batches: 1000, of 0 to 1 images" out || fail "batch summary: $(head -c 300 out)"

# file names with control bytes or invalid UTF-8 are listed as problems with
# those bytes escaped (\xNN), never written raw to the terminal
mkdir -p esc/cat
cp photos/cat/a.png "esc/cat/x"$'\x1b'"[2J.png"
cp photos/dog/b.png "esc/cat/y"$'\xff'".png"
expect_fail "$MLFY" add-images p.mlfy esc -q
expect_err 'cat/x\\x1b\[2J\.png: file name is not valid UTF-8 or has control characters'
expect_err 'cat/y\\xff\.png: file name'
! LC_ALL=C grep -q $'\x1b' "$TMP/err" || fail "raw ESC in the error output"
printf 'filename,index,prob\nzz\033[2J.png,[1],[0.5]\n' > esc.csv
expect_fail "$MLFY" import-predictions p.mlfy --model m esc.csv
expect_err "unknown image 'zz\\\\x1b\\[2J.png'"

# an image deeper than PATH_MAX (4096) cannot be opened: an error naming it,
# not a silent "0 images added" (stat() failing was taken for a dangling link)
long=$(printf 'd%.0s' {1..250})
mkdir -p deep/cat
(cd deep/cat && for i in $(seq 1 17); do mkdir "$long" && cd "$long"; done && png1x1 deep.png)
"$MLFY" init deep.mlfy --classes classes.txt >/dev/null
expect_fail "$MLFY" add-images deep.mlfy deep -q
expect_err "File name too long"
[ "$(q deep.mlfy 'select count(*) from images')" = 0 ] || fail "deep: images imported"

# init killed after creating the store but before its classes are committed
# (as by Ctrl-C or kill): no project without classes may be left under the
# name (it was, 'already exists' on a re-run; add-images then took images).
# gdb stops it there deterministically.
if command -v gdb >/dev/null &&
   gdb -q -batch -ex 'break mlfy_catalog_add_classes' -ex run -ex kill \
       --args "$MLFY" init killed.mlfy --classes classes.txt >gdb.out 2>&1 &&
   grep -q "Breakpoint 1, mlfy_catalog_add_classes" gdb.out; then
  [ ! -e killed.mlfy ] || fail "a killed init left killed.mlfy behind"
  "$MLFY" init killed.mlfy --classes classes.txt >/dev/null || fail "init after a killed init"
  [ "$(q killed.mlfy 'select count(*) from classes')" = 2 ] || fail "classes after a killed init"
else
  echo "note: killed-init case skipped (no gdb, or ptrace not permitted)" >&2
fi

# permissions: as an unprivileged user (root ignores them; from root, as nobody)
as_user=()
if [ "$(id -u)" != 0 ]; then
  as_user=(env)
elif command -v runuser >/dev/null && id nobody >/dev/null 2>&1 &&
     runuser -u nobody -- test -x "$MLFY"; then
  as_user=(runuser -u nobody --)
fi
if [ ${#as_user[@]} -gt 0 ]; then
  chmod 755 "$TMP"
  mkdir ro && cp p.mlfy ro/ && cp -r photos ro/ && chmod -R a+rX ro
  [ "$(id -u)" = 0 ] && chown -R nobody ro
  # a write-protected project file: refused up front with a clear reason
  chmod 444 ro/p.mlfy
  rc=0; "${as_user[@]}" "$MLFY" add-images ro/p.mlfy ro/photos -q >/dev/null 2>"$TMP/err" || rc=$?
  [ "$rc" = 1 ] || fail "read-only project: exit $rc"
  expect_err "ro/p.mlfy: project file is read-only"
  "${as_user[@]}" "$MLFY" check ro/p.mlfy >/dev/null || fail "check of a write-protected project"
  # a project in a folder that is not writable (and no -wal/-shm files):
  # SQLite cannot create them; reading still works (immutable open), a write
  # is refused saying why instead of "not an mlfy project"
  chmod 644 ro/p.mlfy && rm -f ro/p.mlfy-wal ro/p.mlfy-shm && chmod 555 ro
  "${as_user[@]}" "$MLFY" check ro/p.mlfy >/dev/null || fail "check of a project in a read-only folder"
  rc=0; "${as_user[@]}" "$MLFY" add-images ro/p.mlfy ro/photos -q >/dev/null 2>"$TMP/err" || rc=$?
  [ "$rc" = 1 ] || fail "write to a project in a read-only folder: exit $rc"
  expect_err "read-only"
  chmod 755 ro
else
  echo "note: permission cases skipped (root without runuser/nobody)" >&2
fi

echo ok
