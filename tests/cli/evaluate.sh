# evaluate.sh - `mlfy evaluate` end to end: the hand example in every
# output format, bad inputs (row-count mismatch, unknown image names,
# class out of range, NaN scores) give errors with counts and no output,
# the shared MobileNetV2 logits score 82.6 % top-1, and --order resolves
# image names as import-predictions does.
source "$MLFY_SOURCE_DIR/tests/cli/evaluate-common.bash"
make_fixture

"$MLFY" evaluate --help | grep -q "usage: mlfy evaluate" || fail "help"

# ---- table
"$MLFY" evaluate --labels labels.json --original orig.csv --predictions hand=hand.csv \
	--predictions exact.txt --max-count 2 > out 2>err || fail "evaluate: $(cat err)"
grep -q "images: 6; empty label sets (left out of ReaL accuracy): 1" out || fail "summary: $(cat out)"
grep -Eq '^hand +6 +66\.67 % ± 37\.72 +5 +80\.00 % ± 35\.06' out || fail "hand row: $(cat out)"
grep -Eq '^exact +6 +100\.00 % ± 0\.00 +5 +80\.00 % ± 35\.06' out || fail "exact row: $(cat out)"
[ ! -s err ] || fail "unexpected warnings: $(cat err)"

# ---- CSV: per label count (K = 2): c=0 (image c): 1/1; c=1 (a, e, f):
# 2/3; c=2 (b): 0/1; >2 (d): 1/1.  By hand (z = 1.96):
#   4/6: E = 1.96 sqrt((2/3)(1/3)/6) = 37.7202 %, Wilson [29.9988, 90.3231]
#   4/5: E = 35.0615 %, Wilson [37.5528, 96.3777]
#   2/3: E = 53.3444 %, Wilson [20.7655, 93.8510]
#   1/1: E = 0, Wilson [20.6543, 100] (lower bound n / (n + z^2) = 1 / 4.8416)
"$MLFY" evaluate --labels labels.json --original orig.csv --predictions hand=hand.csv \
	--max-count 2 --format csv > out.csv || fail "csv"
head -1 out.csv | grep -q '^model,label_count,images,top1_correct,top1,top1_moe,' || fail "csv header"
grep -q '^hand,all,6,4,66.6667,37.7202,29.9988,90.3231,5,4,80.0000,35.0615,37.5528,96.3777$' out.csv || fail "all: $(cat out.csv)"
grep -q '^hand,0,1,1,100.0000,0.0000,20.6543,100.0000,0,0,,,,$' out.csv || fail "c=0: $(cat out.csv)"
grep -q '^hand,1,3,2,66.6667,53.3444,20.7655,93.8510,3,2,66.6667,' out.csv || fail "c=1: $(cat out.csv)"
grep -q '^hand,2,1,0,0.0000,0.0000,0.0000,79.3457,1,1,100.0000,' out.csv || fail "c=2: $(cat out.csv)"
grep -q '^hand,>2,1,1,100.0000,' out.csv || fail ">2: $(cat out.csv)"

# ---- JSON
"$MLFY" evaluate --labels labels.json --original orig.csv --predictions hand=hand.csv \
	--format json > out.json || fail "json"
grep -q '"empty_sets": 1' out.json || fail "json empty sets"
grep -q '"accuracy": 66.6667' out.json || fail "json accuracy: $(cat out.json)"

# ---- ReaL format + single original labels by position, predictions as
# .npy scores are covered by the unit tests; here the positional text case
printf '[[0], [1, 5], [], [3, 7, 8], [9], [2]]' > real.json
printf '0\n1\n2\n3\n4\n2\n' > orig.txt
"$MLFY" evaluate --labels real.json --original orig.txt --predictions exact.txt > out || fail "real"
grep -Eq '^exact +6 +100\.00 %' out || fail "real: $(cat out)"

# ---- bad inputs: an error naming the problem, nothing on stdout
bad() {   # bad EXPECTED-MESSAGE ARGS...
	local msg=$1; shift
	if "$MLFY" evaluate "$@" > out 2> err; then fail "accepted: $*"; fi
	grep -q -- "$msg" err || fail "message for $*: $(cat err)"
	[ ! -s out ] || fail "output despite the error: $*"
}
printf '0\n1\n2\n' > short.txt
bad "short.txt: 3 rows, but labels.json has 6 images" --labels labels.json --predictions short.txt
printf 'file,index\na,0\nb,1\nzz,2\nyy,3\nc,4\nd,5\n' > unknown.csv
bad "2 names are not in labels.json (first: 'zz')" --labels labels.json --predictions unknown.csv
bad "2 images of labels.json have no prediction (first: 'e')" --labels labels.json --predictions unknown.csv
printf '0\n1\n2\n3\n4\n12\n' > range.txt
bad "range.txt: line 6: class index 12 out of range" --labels labels.json --predictions range.txt --classes 10
bad "--max-count: '0' is not an integer" --labels labels.json --predictions exact.txt --max-count 0
bad "name the ground truth" --predictions exact.txt
bad "no --predictions given" --labels labels.json
bad "model name 'exact' is given twice" --labels labels.json --predictions exact.txt --predictions exact.txt
bad "--format: 'xml'" --labels labels.json --predictions exact.txt --format xml
# original labels without names cannot be matched to a named label file of another size
printf '0\n1\n' > orig2.txt
bad "labels.json has 6 images and orig2.txt has 2" --labels labels.json --original orig2.txt --predictions exact.txt

# a NaN score (a .npy written by hand: header v1.0, <f4, shape (2, 3))
{
	printf '\x93NUMPY\x01\x00\x76\x00'
	printf "%-117s\n" "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"
	printf '\x00\x00\x80\x3f\x00\x00\x00\x40\x00\x00\x00\x00'   # 1 2 0
	printf '\x00\x00\x00\x00\x00\x00\xc0\x7f\x00\x00\x00\x00'   # 0 NaN 0
} > nan.npy
printf '[[1], [2]]' > two.json
bad "nan.npy: row 2 holds a NaN or infinite score" --labels two.json --predictions nan.npy
# the same file without the NaN works: argmax 1 (score 2) and 0 (all 0)
{
	printf '\x93NUMPY\x01\x00\x76\x00'
	printf "%-117s\n" "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"
	printf '\x00\x00\x80\x3f\x00\x00\x00\x40\x00\x00\x00\x00'
	printf '\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00'
} > ok.npy
printf '[[1], [5]]' > five.json
bad "ok.npy: 3 score columns, but five.json uses class 5 (class out of range)" --labels five.json --predictions ok.npy
printf 'file,label\nx,1\ny,0\n' > two.csv
"$MLFY" evaluate --labels two.csv --original two.csv --predictions ok.npy > out || fail "ok.npy"
grep -Eq '^ok +2 +100\.00 %' out || fail "ok.npy: $(cat out)"

# warnings with counts: an original-label name unknown to the labels
printf 'file,label\na,0\nb,1\nc,2\nd,3\ne,4\nf,2\nzz,1\n' > orig3.csv
"$MLFY" evaluate --labels labels.json --original orig3.csv --predictions exact.txt > out 2> err
grep -q "warning: orig3.csv: 1 image not in labels.json ignored (first: 'zz')" err || fail "warning: $(cat err)"

# ---- the shared logits: 1000 photos, one per class in class order
if [ -n "$SHARED" ] && [ -e "$SHARED/models/imagenet-samples.mobilenetv2-12-int8.logits.npy" ]; then
	awk '{ printf "%s,%d\n", $0, NR - 1 }' "$SHARED/models/imagenet-samples.order.txt" > samples.csv
	"$MLFY" evaluate --labels samples.csv --original samples.csv \
		--predictions mnv2="$SHARED/models/imagenet-samples.mobilenetv2-12-int8.logits.npy" > out ||
		fail "shared logits"
	grep -Eq '^mnv2 +1,000 +82\.60 %' out || fail "shared logits: $(cat out)"
fi

# ---- --order takes the names import-predictions --order takes: here the
# bare file names, for a project whose images are named by their paths
# (photo i of the sorted samples is of class i; rows in reverse order)
if [ -n "$SHARED" ] && [ -d "$SHARED/data/imagenet-samples" ]; then
	ls "$SHARED/data/imagenet-samples" | grep JPEG | LC_ALL=C sort | sed -n 1,20p > first20.txt
	{ echo path,label; while read -r f; do echo "$SHARED/data/imagenet-samples/$f,${f%%_*}"; done < first20.txt; } > m20.csv
	"$MLFY" init p20.mlfy --classes "$SHARED/data/imagenet/label_indices_to_wordnet_ids.json" > /dev/null
	"$MLFY" add-images p20.mlfy m20.csv --quiet > /dev/null
	tac first20.txt > order20.txt
	seq 19 -1 0 > pred20.txt
	"$MLFY" evaluate --project p20.mlfy --order order20.txt --predictions m=pred20.txt > out 2> err ||
		fail "evaluate --order with bare file names: $(cat err)"
	grep -Eq '^m +20 +100\.00 %' out || fail "bare names: $(cat out)"
	# the same names as absolute paths, or under another folder
	sed "s|^|$SHARED/data/imagenet-samples/|" order20.txt > abs20.txt
	"$MLFY" evaluate --project p20.mlfy --order abs20.txt --predictions m=pred20.txt > out || fail "paths"
	grep -Eq '^m +20 +100\.00 %' out || fail "absolute paths: $(cat out)"
	sed "s|^|val/|" order20.txt > val20.txt
	"$MLFY" evaluate --project p20.mlfy --order val20.txt --predictions m=pred20.txt > out || fail "val/"
	grep -Eq '^m +20 +100\.00 %' out || fail "other folder: $(cat out)"
fi
echo ok
