# ingest_exemplars.sh - `mlfy add-exemplars`: the ImageNet sample photos as
# exemplars of a project that holds them (fill-ins only), an ImageFolder of
# links with other photos (never the project's own image first), seeded
# determinism and replacement on re-run.
source "$MLFY_SOURCE_DIR/tests/cli/ingest-common.bash"
need_shared data/imagenet-samples/n01440764_tench.JPEG
need_shared data/imagenet/label_indices_to_wordnet_ids.json

"$MLFY" add-exemplars --help | grep -q "usage: mlfy add-exemplars PROJECT SRC" || fail "help"
"$MLFY" init p.mlfy --classes "$IMAGENET/label_indices_to_wordnet_ids.json" >/dev/null
ls "$SAMPLES" | LC_ALL=C sort | grep -E '\.JPEG$' | cut -d_ -f1 > gt.txt
"$MLFY" add-images p.mlfy "$SAMPLES" --labels gt.txt -q >/dev/null

# ---- the same folder (files named <wnid>_<name>.JPEG): one candidate per
# class, which is the class's project image -> used as a fill-in
"$MLFY" add-exemplars p.mlfy "$SAMPLES" --per-class 10 -q > out 2> err
grep -q "1000 exemplars for 1000 classes from 1000 image files (1000 are project images" out || fail "$(cat out)"
# ... and says what that costs (issue 11): such an exemplar is never shown to
# a person whose tasks hold that image, since it would give its label away
grep -q "warning: 1000 exemplars are images of the project" err || fail "no warning: $(cat err)"
grep -q "original label" err || fail "the warning does not say why: $(cat err)"
[ "$(q p.mlfy "select count(*) from exemplars e join images i on i.sha256 = e.sha256
                and i.original_label = e.class_idx")" = 1000 ] || fail "fill-ins"

# ---- an ImageFolder of 20 classes: per class the project's own photo (a
# link) and 4 other photos (copies with bytes after the JPEG end marker:
# valid, different content)
mkdir tree
for f in $(ls "$SAMPLES" | LC_ALL=C sort | grep JPEG | head -20); do
  d="tree/${f%%_*}"; mkdir -p "$d"
  ln -s "$SAMPLES/$f" "$d/self.JPEG"
  for k in 1 2 3 4; do { cat "$SAMPLES/$f"; printf 'copy%d' "$k"; } > "$d/other$k.JPEG"; done
done
mkdir tree/not_a_class && cp "$SAMPLES/$(ls "$SAMPLES" | grep JPEG | head -1)" tree/not_a_class/x.JPEG
"$MLFY" add-exemplars p.mlfy tree --per-class 2 --seed 5 > out 2>err
grep -q "40 exemplars for 20 classes from 101 image files" out || fail "$(cat out)"
grep -q "skipped not_a_class: unknown class label 'not_a_class'" err || fail "skip list: $(cat err)"
# never the project's own image while others are available
[ "$(q p.mlfy "select count(*) from exemplars e join images i on i.sha256 = e.sha256")" = 980 ] || \
  fail "a project image was chosen over other photos"
[ "$(q p.mlfy "select count(*) from exemplars where path like '%/tree/%/other_.JPEG'")" = 40 ] || fail "paths"
# replaced: classes 0..19 now have exactly 2, the others keep their 1
[ "$(q p.mlfy "select count(*) from exemplars where class_idx < 20")" = 40 ] || fail "replaced"
[ "$(q p.mlfy "select count(*) from exemplars")" = 1020 ] || fail "others kept"
q p.mlfy "select class_idx, rank, path from exemplars where class_idx < 20 order by 1, 2" > seed5.a
# deterministic for a seed; another seed picks other files somewhere
"$MLFY" add-exemplars p.mlfy tree --per-class 2 --seed 5 -q >/dev/null
q p.mlfy "select class_idx, rank, path from exemplars where class_idx < 20 order by 1, 2" > seed5.b
cmp -s seed5.a seed5.b || fail "same seed, different exemplars"
"$MLFY" add-exemplars p.mlfy tree --per-class 2 --seed 6 -q >/dev/null
q p.mlfy "select class_idx, rank, path from exemplars where class_idx < 20 order by 1, 2" > seed6
! cmp -s seed5.a seed6 || fail "--seed changed nothing"
# 5 wanted, 4 others: the project's own photo comes last
"$MLFY" add-exemplars p.mlfy tree --per-class 5 -q >/dev/null
[ "$(q p.mlfy "select count(*) from exemplars where class_idx < 20 and rank = 4 and path like '%/self.JPEG'")" = 20 ] || \
  fail "fill-in not last"

# ---- errors: nothing usable, bad option
mkdir empty
expect_fail "$MLFY" add-exemplars p.mlfy empty
expect_err "no usable exemplar"
[ "$(q p.mlfy "select count(*) from exemplars")" = 1080 ] || fail "changed by a failed run"
rc=0; "$MLFY" add-exemplars p.mlfy tree --per-class 0 2>/dev/null || rc=$?
[ "$rc" = 2 ] || fail "--per-class 0: exit $rc"
echo ok
