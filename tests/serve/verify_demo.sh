#!/usr/bin/env bash
# verify_demo.sh - ReaL's verification protocol end to end on the ImageNet
# sample photos (scripts/demo --imagenet: questions from the proposals and
# the original labels, raters rater1 and rater2 on every question), beside
# the paper's protocol on the same images by annotator1 and annotator2:
# simulated people work only through mlfy serve's HTTP API
# (tests/serve/verify_client.py judges a photo by its file), then
# aggregate, quality (the comparison of the protocols), stats and every
# export the protocol adds.  Skips without the shared data.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
SAMPLES=${MLFY_SHARED:-/nonexistent}/data/imagenet-samples
CLASSES=${MLFY_SHARED:-/nonexistent}/data/imagenet/label_indices_to_wordnet_ids.json
[ -d "$SAMPLES" ] || { echo "skipping: shared imagenet-samples absent"; exit 77; }
command -v python3 >/dev/null || { echo "skipping: python3 absent"; exit 77; }

tmp=$(mktemp -d)
trap 'serve_cleanup; rm -rf "$tmp"' EXIT
MLFY="$MLFY" DEMO_DIR="$tmp" "$MLFY_SOURCE_DIR/scripts/demo" --imagenet --no-serve > "$tmp/demo.out" 2>&1 \
	|| { cat "$tmp/demo.out"; die "scripts/demo --imagenet"; }
grep -q "rater1, rater2 (verification)" "$tmp/demo.out" || { cat "$tmp/demo.out"; die "demo names the raters"; }
PROJECT=$tmp/imagenet-samples.mlfy
SERVE_DIR=$tmp
pw=$(cat "$tmp/demo-password")

# the demo's questions: top-3 proposals with score >= 0.05 plus the original
# label; a re-run adds nothing
"$MLFY" questions "$PROJECT" --top 3 --min-score 0.05 --with-original > "$tmp/q.out" || die "questions re-run"
grep -q '^0 questions added, 896 already there' "$tmp/q.out" || { cat "$tmp/q.out"; die "a re-run of questions adds nothing"; }

# 40 gold images: their true set is their photo's class
python3 - "$tmp/imagenet-samples.csv" "$CLASSES" > "$tmp/gold.csv" <<'PY' || die "gold file"
import csv, json, os, sys
idx = {w: i for i, w in json.load(open(sys.argv[2])).items()}
rows = list(csv.DictReader(open(sys.argv[1])))[:40]
print("file,labels")
for r in rows:
    print("%s,%s" % (os.path.basename(r["path"]), idx[r["label"]]))
PY
"$MLFY" gold add "$PROJECT" "$tmp/gold.csv" > /dev/null || die "gold add"

serve_start --threads 2
client() { python3 "$here/verify_client.py" "$BASE" "$pw" "$SAMPLES" "$CLASSES" "$@"; }
client rate rater1 > "$tmp/r1.out" || die "rater1"
client rate rater2 --noisy > "$tmp/r2.out" || die "rater2"
client annotate annotator1 > "$tmp/a1.out" || die "annotator1"
client annotate annotator2 > "$tmp/a2.out" || die "annotator2"
cat "$tmp/r1.out" "$tmp/r2.out" "$tmp/a1.out" "$tmp/a2.out"
read -r n1 < <(sed -n 's/.* pages, \([0-9]*\) answers.*/\1/p' "$tmp/r1.out")
read -r n2 < <(sed -n 's/.* pages, \([0-9]*\) answers.*/\1/p' "$tmp/r2.out")
[ "${n1:-0}" -gt 500 ] && [ "$n1" = "$n2" ] || die "both raters answer every question ($n1, $n2)"
grep -q "annotate annotator1: 500 saved" "$tmp/a1.out" || die "annotator1 saves 500"
serve_stop

# every grid answer is a vote of source verify, exactly once
"$MLFY" aggregate "$PROJECT" --method majority --out "$tmp/maj.csv" > "$tmp/agg.out" || die "aggregate majority"
"$MLFY" aggregate "$PROJECT" --method dawid-skene --out "$tmp/ds.csv" > "$tmp/agg.out" || die "aggregate dawid-skene"
"$MLFY" export "$PROJECT" --format real-votes --out "$tmp/raters.npz" || die "export real-votes"
"$MLFY" export "$PROJECT" --format real-scores --out "$tmp/scores.npz" || die "export real-scores"
"$MLFY" aggregate --votes "$tmp/raters.npz" --method dawid-skene --out "$tmp/scores.npy" > /dev/null \
	|| die "aggregate the exported votes"
python3 - "$tmp/ds.csv" "$n1" <<'PY' || die "one result per question"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == int(sys.argv[2]), (len(rows), sys.argv[2])
PY

# the paper's protocol decides the same images (both annotators agree on
# the photo's class), then the comparison
"$MLFY" analyze "$PROJECT" > /dev/null || die "analyze"
"$MLFY" quality "$PROJECT" --json > "$tmp/quality.json" || die "quality"
python3 - "$tmp/quality.json" <<'PY' || die "the comparison of the protocols"
import json, sys
p = json.load(open(sys.argv[1]))["protocols"]
assert p["method"] == "dawid-skene", p
assert p["images"]["verify"] == 500 and p["images"]["compared"] == 500, p["images"]
# rater1 is right everywhere; Dawid-Skene learns rater2's false "yes"
between = p["between"]
assert between["exact"]["p"] > 0.9, between
# the clients claim 4 s per image and 1.5 s per answer; the server's clock
# caps what a client faster than that can claim
assert 0 < p["paper"]["seconds"]["mean"] <= 8 and 0 < p["verify"]["seconds"]["mean"], p
assert p["paper"]["people"] == 2 and p["verify"]["people"] == 2, p
for side in ("paper", "verify"):
    g = p[side]["gold"]
    assert g["n"] == 40 and g["exact"]["k"] == 40, (side, g)
PY
"$MLFY" quality "$PROJECT" | grep -q "protocols on the same images" || die "quality prints the comparison"
"$MLFY" aggregate "$PROJECT" --method dawid-skene --set-final > /dev/null || die "aggregate --set-final"
"$MLFY" stats "$PROJECT" > /dev/null || die "stats"
"$MLFY" export "$PROJECT" --format multilabelfy --out "$tmp/labels.json" || die "export"
echo "verify_demo: passed"
