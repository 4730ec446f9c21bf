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

echo ok
