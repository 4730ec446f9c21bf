# demo_imagenet.sh - scripts/demo --imagenet builds the 1000-photo project
# (classes, images, proposals, exemplars) in a temporary folder.
source "$MLFY_SOURCE_DIR/tests/cli/ingest-common.bash"
need_shared data/imagenet-samples/n01440764_tench.JPEG
need_shared models/imagenet-samples.mobilenetv2-12-int8.logits.npy
"$MLFY" help | grep -qE '^  import-predictions ' || skip "this build has no import-predictions command"

MLFY="$MLFY" DEMO_DIR="$TMP/demo" "$MLFY_SOURCE_DIR/scripts/demo" --imagenet > out 2>&1 || { cat out; fail "demo"; }
p=$TMP/demo/imagenet-samples.mlfy
[ "$(q "$p" 'select count(*) from classes')" = 1000 ] || fail "classes"
[ "$(q "$p" 'select count(*) from images where original_label is not null')" = 1000 ] || fail "images"
[ "$(q "$p" 'select count(*) from proposals')" = 20000 ] || fail "proposals"
[ "$(q "$p" 'select count(*) from exemplars')" = 1000 ] || fail "exemplars"
# the model's top-1 accuracy on these photos is 82.6 % (shared/models/README.md)
[ "$(q "$p" 'select sum(p.class_idx = i.original_label) from proposals p join images i on i.id = p.image_id
             where p.rank = 0')" = 826 ] || fail "top-1 agreement"
grep -q "project ready" out || fail "$(cat out)"
echo ok
