# report.sh - `mlfy report` from label files and predictions (the hand
# example), from the shared ImageNet data (ImageNetV2 labels, the sample
# photos' logits, timm tables), and from the demo project.
source "$MLFY_SOURCE_DIR/tests/cli/evaluate-common.bash"
make_fixture

"$MLFY" report --help | grep -q "usage: mlfy report PROJECT --out DIR" || fail "help"

figure() {   # figure DIR NAME: the three files with their magic bytes
	[ "$(head -c 5 "$1/$2.svg")" = "<?xml" ] || fail "$1/$2.svg"
	head -c 4 "$1/$2.png" | od -An -c | grep -q 'P   N   G' || fail "$1/$2.png"
	[ "$(head -c 5 "$1/$2.pdf")" = "%PDF-" ] || fail "$1/$2.pdf"
}

printf '1\n1\n1\n1\n1\n1\n' > ones.txt
"$MLFY" report --labels labels.json --original orig.csv --predictions hand=hand.csv \
	--predictions exact.txt --predictions ones.txt --out rep > out 2> err || fail "report: $(cat err)"
[ "$(cat out)" = "rep/index.html" ] || fail "stdout: $(cat out)"
for f in label_counts top1_by_label_count moe_by_label_count accuracy_by_label_count real_vs_top1; do
	figure rep "$f"
done
grep -q '^exact,all,6,6,100.0000' rep/results.csv || fail "results.csv"
grep -q '<h2>Accuracy</h2>' rep/index.html || fail "html accuracy"
# three models with the same top-1 accuracy: the fit is undefined, which
# costs the scatter (with a warning), not the whole report
"$MLFY" report --labels labels.json --original orig.csv --predictions a=exact.txt \
	--predictions b=exact.txt --predictions c=exact.txt --out rep-same --formats png > out 2> err ||
	fail "same x: $(cat err)"
grep -q "all 3 points have the same x (100): the slope is undefined: no ReaL vs top-1 figure" err ||
	fail "same x warning: $(cat err)"
[ -s rep-same/label_counts.png ] && [ -s rep-same/top1_by_label_count.png ] || fail "same x figures"
[ ! -e rep-same/real_vs_top1.png ] || fail "same x scatter"
# no image has a label (every set empty): the heatmaps have column 0 only,
# and there is no accuracy-by-label-count plot (it was drawn empty)
echo '{"a": [], "b": [], "c": [], "d": [], "e": [], "f": []}' > empty.json
"$MLFY" report --labels empty.json --original orig.csv --predictions hand=hand.csv --out rep-empty \
	--formats png > out 2> err || fail "empty sets: $(cat err)"
[ -s rep-empty/top1_by_label_count.png ] || fail "empty sets heatmap"
[ ! -e rep-empty/accuracy_by_label_count.png ] || fail "empty sets: empty plot drawn"
if grep -q 'accuracy_by_label_count' rep-empty/index.html; then fail "empty sets: plot in html"; fi
# without predictions: the label counts only
"$MLFY" report --labels labels.json --out rep2 --formats png > /dev/null || fail "labels only"
[ -s rep2/label_counts.png ] && [ ! -e rep2/label_counts.svg ] || fail "--formats png"
# bad command lines
if "$MLFY" report --labels labels.json > out 2> err; then fail "no --out accepted"; fi
grep -q -- "--out DIR is required" err || fail "no --out message"
if "$MLFY" report --out x > out 2> err; then fail "nothing accepted"; fi

need_shared data/imagenetv2/refined_labels.json
need_shared models/imagenet-samples.mobilenetv2-12-int8.logits.npy
# ImageNetV2 labels + timm scatter
T=$SHARED/data/timm
"$MLFY" report --labels "$SHARED/data/imagenetv2/refined_labels.json" \
	--timm "$T/results-imagenet.csv" "$T/results-imagenet-real.csv" --out v2 > /dev/null 2> err ||
	fail "v2: $(cat err)"
figure v2 label_counts
figure v2 real_vs_top1
grep -q '<td>2</td><td>2,385</td><td>23.85 %</td>' v2/index.html || fail "v2 counts"
grep -q '<td>1,266</td><td>0.8187' v2/index.html || fail "v2 fit"

# the 1000 sample photos (one per class, in class order) with their logits
awk '{ printf "%s,%d\n", $0, NR - 1 }' "$SHARED/models/imagenet-samples.order.txt" > samples.csv
"$MLFY" report --labels samples.csv --original samples.csv \
	--predictions mnv2="$SHARED/models/imagenet-samples.mobilenetv2-12-int8.logits.npy" \
	--out samples > /dev/null 2> err || fail "samples: $(cat err)"
grep -q '82.60 % ± 2.35' samples/index.html || fail "samples accuracy"
figure samples top1_by_label_count

# the demo project (scripts/demo --imagenet: 500 of the photos with proposals,
# the other 500 their classes' exemplars); the shared logits cover all 1000
# photos, so the report gets the project's rows of them (numpy)
py=/usr/bin/python3   # Debian's, with python3-numpy (scripts/install-deps)
if ! "$py" -c 'import numpy' 2>/dev/null; then
	echo "note: $py has no numpy (scripts/install-deps installs python3-numpy): demo report not checked"
elif grep -qE '^  import-predictions ' <("$MLFY" help) && [ -x "$MLFY_SOURCE_DIR/scripts/demo" ]; then
	MLFY="$MLFY" DEMO_DIR="$TMP/demo" "$MLFY_SOURCE_DIR/scripts/demo" --imagenet > demo.out 2>&1 ||
		{ cat demo.out; fail "demo"; }
	P=$TMP/demo/imagenet-samples.mlfy
	sqlite3 -batch -noheader "$P" 'select name from images order by name' > demo.names
	"$py" - "$SHARED/models/imagenet-samples.order.txt" \
		"$SHARED/models/imagenet-samples.mobilenetv2-12-int8.logits.npy" demo.names demo.npy <<'PY'
import sys, numpy as np
order = open(sys.argv[1]).read().split()
x = np.load(sys.argv[2])
keep = set(open(sys.argv[3]).read().split())
np.save(sys.argv[4], x[[i for i, n in enumerate(order) if n in keep]])
PY
	"$MLFY" report "$P" --predictions mnv2=demo.npy --out demo-report > /dev/null 2> err || fail "demo report: $(cat err)"
	# 413 of the 500 right: 82.60 % +- 1.96 sqrt(p (1 - p) / 500) = 3.32
	grep -q '82.60 % ± 3.32' demo-report/index.html || fail "demo accuracy"
	grep -q "500 not yet decided" demo-report/index.html || fail "demo undecided"
	# the title names the project as `mlfy init --name` did (QA, issue 11: no page showed it)
	grep -q '<title>multilabelfy report: ImageNet samples (demo)</title>' demo-report/index.html ||
		fail "demo title: $(grep -o '<title>[^<]*' demo-report/index.html)"
fi
echo ok
