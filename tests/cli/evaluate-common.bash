# evaluate-common.bash - shared preamble of the evaluate/fit/select-model/
# report command tests: strict mode, a temporary directory as the working
# directory, fail/skip helpers and the small hand-checked fixture.
set -euo pipefail
: "${MLFY:?MLFY must name the mlfy binary}"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/mlfy-evaluate-XXXXXX")
trap 'rm -rf "$TMP"' EXIT
cd "$TMP"
SHARED=${MLFY_SHARED:-}

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*" >&2; exit 77; }
need_shared() { [ -n "$SHARED" ] && [ -e "$SHARED/$1" ] || skip "shared data $1 not found"; }

# The hand example (docs/evaluate.md): six images, their multi-label sets
# (Multilabelfy format), original labels and two models.
#   image original set      hand  exact
#   a     0        {0}      0     0
#   b     1        {1,5}    5     1
#   c     2        {}       2     2
#   d     3        {3,7,8}  3     3
#   e     4        {9}      1     4
#   f     2        {2}      2     2
# hand:  top-1 4/6 = 66.67 %, ReaL 4/5 = 80.00 %
# exact: top-1 6/6 = 100 %,   ReaL 4/5 = 80.00 % (e's set is {9})
make_fixture() {
	cat > labels.json <<'J'
{"a": ["0"], "b": ["1", "5"], "c": [], "d": ["3", "7", "8"], "e": ["9"], "f": ["2"]}
J
	printf 'file,label\nf,2\ne,4\nd,3\nc,2\nb,1\na,0\n' > orig.csv
	printf 'file,index\na,0\nb,5\nc,2\nd,3\ne,1\nf,2\n' > hand.csv
	printf '0\n1\n2\n3\n4\n2\n' > exact.txt
}
