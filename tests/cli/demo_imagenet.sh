# demo_imagenet.sh - scripts/demo --imagenet builds the sample-photo
# project (1000 classes; every other photo an image, the others exemplars;
# proposals from the shared logits with --skip-unknown) in a temporary folder.
source "$MLFY_SOURCE_DIR/tests/cli/ingest-common.bash"
need_shared data/imagenet-samples/n01440764_tench.JPEG
need_shared models/imagenet-samples.mobilenetv2-12-int8.logits.npy
"$MLFY" help | grep -qE '^  import-predictions ' || skip "this build has no import-predictions command"

MLFY="$MLFY" DEMO_DIR="$TMP/demo" "$MLFY_SOURCE_DIR/scripts/demo" --imagenet > out 2>&1 || { cat out; fail "demo"; }
p=$TMP/demo/imagenet-samples.mlfy
[ "$(q "$p" 'select count(*) from classes')" = 1000 ] || fail "classes"
[ "$(q "$p" 'select count(*) from images where original_label is not null')" = 500 ] || fail "images"
[ "$(q "$p" 'select count(*) from proposals')" = 10000 ] || fail "proposals"
[ "$(q "$p" 'select count(*) from exemplars')" = 500 ] || fail "exemplars"
# no exemplar is an image of the project (it would give that image's label away)
[ "$(q "$p" 'select count(*) from exemplars e join images i on i.sha256 = e.sha256')" = 0 ] || fail "exemplars among the images"
# the model's top-1 accuracy on all 1000 photos is 82.6 % (shared/models/README.md); on the
# project's 500 (every other photo in name order) 413 are right
[ "$(q "$p" 'select sum(p.class_idx = i.original_label) from proposals p join images i on i.id = p.image_id
             where p.rank = 0')" = 413 ] || fail "top-1 agreement"
grep -q "500 rows skipped" out || fail "the logits' rows of the exemplar half are reported as skipped"
grep -q "project ready" out || fail "$(cat out)"
echo ok
