#!/usr/bin/env bash
# stats.sh - `mlfy stats` on label files: the ImageNetV2 and ReaL numbers
# from issue 2, hand-made files in every format, --json, --max-count, errors.
set -euo pipefail
: "${MLFY:?}" "${MLFY_SHARED:=}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
expect() {  # expect FILE STRING: FILE contains STRING literally
	grep -qF -- "$2" "$1" || { cat "$1" >&2; fail "missing '$2'"; }
}

# hand-made: 5 images with 0, 1, 2, 3, 3 labels (repeat dropped) -> 20 % each
# for 0/1/2, 40 % for >2, 60 % for >=2
printf '[[], [4], [1, 2], [3, 2, 1], [7, 8, 9, 9]]\n' > "$tmp/real.json"
"$MLFY" stats "$tmp/real.json" > "$tmp/out" 2> "$tmp/err"
expect "$tmp/out" "summary: 0: 1 (20.00 %), 1: 1 (20.00 %), 2: 1 (20.00 %), >2: 2 (40.00 %), >=2: 60.00 %"
expect "$tmp/out" "5 images (real), 9 labels"
expect "$tmp/err" "1 repeated label within an image ignored (first in image 4)"

printf '{"a.jpg": ["1"], "b.jpg": ["1", "2"], "c.jpg": []}\n' > "$tmp/ml.json"
"$MLFY" stats "$tmp/ml.json" > "$tmp/out"
expect "$tmp/out" "3 images (multilabelfy)"
expect "$tmp/out" "summary: 0: 1 (33.33 %), 1: 1 (33.33 %), 2: 1 (33.33 %), >2: 0 (0.00 %), >=2: 33.33 %"

printf '5\n7\n9\n9\n' > "$tmp/gt.txt"
"$MLFY" stats "$tmp/gt.txt" > "$tmp/out"
expect "$tmp/out" "4 images (single)"
expect "$tmp/out" "1: 4 (100.00 %)"

printf 'file,labels\nx.jpg,1 2\ny.jpg,3\n' > "$tmp/l.csv"
"$MLFY" stats --json "$tmp/l.csv" > "$tmp/out"
expect "$tmp/out" '"format": "csv"'
expect "$tmp/out" '"images": 2,'
python3_bin=$(command -v /usr/bin/python3 || true)
if [ -n "$python3_bin" ]; then
	"$python3_bin" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["at_least_2"]["images"]==1 and d["counts"][1]["images"]==1, d' "$tmp/out" \
		|| fail "--json output is not the expected JSON"
fi

# errors: position in the message, exit status 1; usage errors exit 2
printf '[[1], [2, "x"]]\n' > "$tmp/bad.json"
if "$MLFY" stats "$tmp/bad.json" > /dev/null 2> "$tmp/err"; then fail "bad file accepted"; fi
expect "$tmp/err" "image 1 (0-based), label 1"
printf '[[1000]]\n' > "$tmp/range.json"
if "$MLFY" stats --num-classes 1000 "$tmp/range.json" > /dev/null 2> "$tmp/err"; then fail "range accepted"; fi
expect "$tmp/err" "out of range [0, 999]"
set +e
"$MLFY" stats --format xml "$tmp/real.json" > /dev/null 2>&1; [ $? = 2 ] || fail "--format xml: want exit 2"
"$MLFY" stats > /dev/null 2>&1; [ $? = 2 ] || fail "no argument: want exit 2"
"$MLFY" stats "$tmp/missing.json" > /dev/null 2> "$tmp/err"; [ $? = 1 ] || fail "missing file: want exit 1"
set -e
expect "$tmp/err" "missing.json"
"$MLFY" stats --help | grep -q "usage: mlfy stats" || fail "--help"

# the shared data (issue 2's numbers)
if [ -z "$MLFY_SHARED" ] || [ ! -f "$MLFY_SHARED/data/imagenetv2/refined_labels.json" ]; then
	echo "skipping the shared-data part: \$MLFY_SHARED/data not found"
	exit 0
fi
"$MLFY" stats "$MLFY_SHARED/data/imagenetv2/refined_labels.json" > "$tmp/out"
expect "$tmp/out" "0: 129 (1.29 %)"
expect "$tmp/out" "1: 5,083 (50.83 %)"
expect "$tmp/out" "2: 2,385 (23.85 %)"
expect "$tmp/out" ">2: 2,403 (24.03 %)"
expect "$tmp/out" ">=2: 47.88 %"
"$MLFY" stats --max-count 3 "$MLFY_SHARED/data/real/real.json" > "$tmp/out"
expect "$tmp/out" "empty (no label): 3,163 of 50,000 images"
expect "$tmp/out" "0: 3,163 (6.33 %)"
grep -qE '^ +>3 +716 +1\.43$' "$tmp/out" || { cat "$tmp/out"; fail "--max-count 3 bucket"; }
echo ok
