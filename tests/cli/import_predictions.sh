#!/usr/bin/env bash
# import_predictions.sh - `mlfy import-predictions` end to end on the shared
# ImageNet sample photos and the real MobileNet v2 logits (models/README.md:
# top-1 82.6 % on these 1000 photos), refusals that leave the project
# unchanged, re-import, `mlfy stats PROJECT` on final labels, and the
# 1000-row logits on a 100-image project (--skip-unknown; an empty file).
set -euo pipefail
: "${MLFY:?}" "${MLFY_SHARED:=}"
S=$MLFY_SHARED
if [ -z "$S" ] || [ ! -f "$S/models/imagenet-samples.mobilenetv2-12-int8.logits.npy" ] ||
   [ ! -d "$S/data/imagenet-samples" ]; then
	echo "skipping: shared data not found (\$MLFY_SHARED=$S)"
	exit 77
fi
command -v sqlite3 > /dev/null || { echo "skipping: sqlite3 shell not installed"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
expect() { grep -qF -- "$2" "$1" || { cat "$1" >&2; fail "missing '$2'"; }; }
P=$tmp/s.mlfy
q() { sqlite3 "$P" "$1"; }

"$MLFY" init "$P" --classes "$S/data/imagenet/label_indices_to_wordnet_ids.json" > /dev/null
# original labels from the file names (n01440764_tench.JPEG -> n01440764)
{ echo path,label; for f in "$S"/data/imagenet-samples/*.JPEG; do b=${f##*/}; echo "$f,${b%%_*}"; done; } > "$tmp/m.csv"
"$MLFY" add-images "$P" "$tmp/m.csv" --name-by file --quiet > /dev/null

logits=$S/models/imagenet-samples.mobilenetv2-12-int8.logits.npy
order=$S/models/imagenet-samples.order.txt

# refusals first: each leaves the project without models or proposals
head -c 1000000 "$logits" > "$tmp/cut.npy"
if "$MLFY" import-predictions "$P" --model m --order "$order" "$tmp/cut.npy" > /dev/null 2> "$tmp/err"; then
	fail "truncated file accepted"; fi
expect "$tmp/err" "truncated file?"
head -n 999 "$order" > "$tmp/short.txt"
if "$MLFY" import-predictions "$P" --model m --order "$tmp/short.txt" "$logits" > /dev/null 2> "$tmp/err"; then
	fail "short order file accepted"; fi
expect "$tmp/err" "1000 rows, but the order file"
{ head -n 999 "$order"; echo nosuch.JPEG; } > "$tmp/unknown.txt"
if "$MLFY" import-predictions "$P" --model m --order "$tmp/unknown.txt" "$logits" > /dev/null 2> "$tmp/err"; then
	fail "unknown image accepted"; fi
expect "$tmp/err" "row 999 (order file line 1000): unknown image 'nosuch.JPEG'"
[ "$(q 'SELECT COUNT(*) FROM models') $(q 'SELECT COUNT(*) FROM proposals')" = "0 0" ] || fail "a refusal stored something"
set +e
"$MLFY" import-predictions "$P" "$logits" > /dev/null 2>&1; [ $? = 2 ] || fail "no --model: want exit 2"
"$MLFY" import-predictions "$P" --model m --input maybe "$logits" > /dev/null 2>&1; [ $? = 2 ] || fail "--input maybe: want 2"
set -e

# the real import
"$MLFY" import-predictions "$P" --model mobilenetv2-12-int8 --order "$order" "$logits" > "$tmp/out" 2> "$tmp/err"
expect "$tmp/out" "model 'mobilenetv2-12-int8' (npy-logits): top-20 proposals for 1000 images"
expect "$tmp/out" "top-1 agrees with the original label: 826 of 1000 (82.60 %)"
expect "$tmp/out" "active proposal model: mobilenetv2-12-int8"
expect "$tmp/err" "predictions: 1000/1000"
[ "$(q 'SELECT COUNT(*) FROM proposals')" = 20000 ] || fail "expected 20,000 proposals"
# the brambling photo: numpy (float64 softmax of the float32 row) gives
# 10: 0.881281, 12: 0.032292, 13: 0.026641
got=$(q "SELECT group_concat(class_idx || ':' || printf('%.6f', score), ' ') FROM (SELECT p.class_idx, p.score FROM proposals p JOIN images i ON i.id = p.image_id WHERE i.name = 'n01530575_brambling.JPEG' ORDER BY p.rank LIMIT 3)")
[ "$got" = "10:0.881281 12:0.032292 13:0.026641" ] || fail "brambling proposals: $got"
# scores are non-increasing by rank everywhere
[ "$(q 'SELECT COUNT(*) FROM proposals a JOIN proposals b ON a.image_id = b.image_id AND a.model_id = b.model_id AND b.rank = a.rank + 1 WHERE b.score > a.score')" = 0 ] || fail "scores not sorted"

# a second model with --top 5 does not become active; re-import replaces
"$MLFY" import-predictions "$P" --model second --top 5 --order "$order" "$logits" > "$tmp/out"
expect "$tmp/out" "active proposal model: unchanged"
"$MLFY" import-predictions "$P" --model second --top 3 --order "$order" --activate --quiet "$logits" > "$tmp/out"
expect "$tmp/out" "(replacing its previous proposals)"
expect "$tmp/out" "active proposal model: second"
[ "$(q "SELECT COUNT(*) FROM proposals p JOIN models m ON m.id = p.model_id WHERE m.name = 'second'")" = 3000 ] ||
	fail "re-import did not replace"
"$MLFY" check "$P" > /dev/null

# stats on the project: final labels as the review stage would write them
"$MLFY" stats "$P" > "$tmp/out"
expect "$tmp/out" "0 images (final labels)"
expect "$tmp/out" "not yet decided: 1,000"
q "INSERT INTO final_status(image_id, stage, decided_at) SELECT id, 'agreed', 't' FROM images ORDER BY name LIMIT 4;
   INSERT INTO final_labels(image_id, class_idx) SELECT id, original_label FROM images ORDER BY name LIMIT 3;
   INSERT INTO final_labels(image_id, class_idx) SELECT id, 5 FROM images ORDER BY name LIMIT 1;"
"$MLFY" stats "$P" > "$tmp/out"
expect "$tmp/out" "summary: 0: 1 (25.00 %), 1: 2 (50.00 %), 2: 1 (25.00 %), >2: 0 (0.00 %), >=2: 25.00 %"
expect "$tmp/out" "not yet decided: 996"
expect "$tmp/out" "decided by stage: agreed 4, refined 0, aggregated 0, imported 0"
"$MLFY" stats --json "$P" > "$tmp/out"
expect "$tmp/out" '"undecided": 996'

# a project of 100 of the photos, named by their absolute paths (no
# --name-by file): the 1000-row logits cover 900 images it does not have
Q=$tmp/q.mlfy
"$MLFY" init "$Q" --classes "$S/data/imagenet/label_indices_to_wordnet_ids.json" > /dev/null
head -n 101 "$tmp/m.csv" > "$tmp/m100.csv"
"$MLFY" add-images "$Q" "$tmp/m100.csv" --quiet > /dev/null
if "$MLFY" import-predictions "$Q" --model m --order "$order" "$logits" > /dev/null 2> "$tmp/err"; then
	fail "rows of unknown images accepted"; fi
expect "$tmp/err" "unknown image"
expect "$tmp/err" "--skip-unknown"
"$MLFY" import-predictions "$Q" --model m --order "$order" --skip-unknown --quiet "$logits" > "$tmp/out"
expect "$tmp/out" "top-20 proposals for 100 images"
expect "$tmp/out" "900 rows skipped: their images are not in the project"
[ "$(sqlite3 "$Q" 'SELECT COUNT(*) FROM proposals')" = 2000 ] || fail "expected 2,000 proposals"
# an empty .npy with --order is said to be empty
: > "$tmp/empty.npy"
if "$MLFY" import-predictions "$Q" --model e --order "$order" "$tmp/empty.npy" > /dev/null 2> "$tmp/err"; then
	fail "empty file accepted"; fi
expect "$tmp/err" "empty.npy: empty file"

echo ok
