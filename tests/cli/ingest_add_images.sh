# ingest_add_images.sh - `mlfy add-images` on the 1000 ImageNet sample
# photos: flat folder + ground truth, ImageFolder trees (ids, indices),
# CSV manifest, idempotent re-runs, and bad inputs that import nothing.
source "$MLFY_SOURCE_DIR/tests/cli/ingest-common.bash"
need_shared data/imagenet-samples/n01440764_tench.JPEG
need_shared data/imagenet/label_indices_to_wordnet_ids.json

"$MLFY" add-images --help | grep -q "usage: mlfy add-images PROJECT SRC" || fail "help"
"$MLFY" init p.mlfy --classes "$IMAGENET/label_indices_to_wordnet_ids.json" >/dev/null

# ---- flat folder + ground truth (ImageNet val style): labels are the wnids
# of the file names, one per line in sorted file order
ls "$SAMPLES" | LC_ALL=C sort | grep -E '\.JPEG$' | cut -d_ -f1 > gt.txt
[ "$(wc -l < gt.txt)" = 1000 ] || fail "expected 1000 sample photos"
"$MLFY" add-images p.mlfy "$SAMPLES" --labels gt.txt > out 2>err
grep -q "1000 images added, 0 already present (flat layout, 1000 files, 1 non-image" out || fail "$(cat out)"
grep -q "batches: 1:143 2:143 3:143 4:143 5:143 6:143 7:142" out || fail "batches: $(cat out)"
[ "$(q p.mlfy 'select count(*) from images')" = 1000 ] || fail "image count"
# every image's label is the class of its file name's wnid
[ "$(q p.mlfy "select count(*) from images i join classes c on c.idx = i.original_label
                where i.name like c.ext_id || '\_%' escape '\'")" = 1000 ] || fail "labels"
[ "$(q p.mlfy "select count(*) from images where width > 0 and height > 0 and bytes > 0")" = 1000 ] || fail "sizes"
[ "$(q p.mlfy "select width || 'x' || height || ' ' || bytes from images where name = 'n01440764_tench.JPEG'")" = \
  "500x375 $(stat -c %s "$SAMPLES/n01440764_tench.JPEG")" ] || fail "tench size"
[ "$(q p.mlfy "select sha256 from images where name = 'n01443537_goldfish.JPEG'")" = \
  "$(sha256sum "$SAMPLES/n01443537_goldfish.JPEG" | cut -d' ' -f1)" ] || fail "sha256"
[ "$(q p.mlfy "select value from meta where key = 'batches'")" = 7 ] || fail "meta batches"
q p.mlfy "select name, batch from images order by name" > batches.before

# ---- idempotent re-run
"$MLFY" add-images p.mlfy "$SAMPLES" --labels gt.txt > out 2>/dev/null
grep -q "0 images added, 1000 already present" out || fail "re-run: $(cat out)"
q p.mlfy "select name, batch from images order by name" > batches.after
cmp -s batches.before batches.after || fail "re-run changed batches"

# ---- the batch rule is seeded: another seed, other batches, same sizes
"$MLFY" init s.mlfy --classes "$IMAGENET/label_indices_to_wordnet_ids.json" >/dev/null
"$MLFY" add-images s.mlfy "$SAMPLES" --labels gt.txt --seed 99 -q > out
grep -q "batches: 1:143 2:143 3:143 4:143 5:143 6:143 7:142" out || fail "seeded sizes"
q s.mlfy "select name, batch from images order by name" > batches.seed99
! cmp -s batches.before batches.seed99 || fail "--seed changed nothing"

# ---- ImageFolder tree of symbolic links, class folders = wnids
mkdir tree
for f in $(ls "$SAMPLES" | LC_ALL=C sort | grep JPEG | head -30); do
  mkdir -p "tree/${f%%_*}"; ln -s "$SAMPLES/$f" "tree/${f%%_*}/$f"
done
"$MLFY" init t.mlfy --classes "$IMAGENET/label_indices_to_wordnet_ids.json" >/dev/null
"$MLFY" add-images t.mlfy tree --batches 3 -q > out
grep -q "30 images added.*imagefolder layout" out || fail "imagefolder: $(cat out)"
grep -q "batches: 1:10 2:10 3:10" out || fail "imagefolder batches: $(cat out)"
[ "$(q t.mlfy "select count(*) from images i join classes c on c.idx = i.original_label
                where i.name = c.ext_id || '/' || substr(i.name, 11)")" = 30 ] || fail "imagefolder names/labels"
q t.mlfy "select path from images where name like 'n01440764/%'" | grep -q "^$TMP/tree/n01440764/" || fail "path"

# ---- ImageFolder by class index (ImageNetV2 layout), names = file names
mkdir v2
for f in $(ls "$SAMPLES" | LC_ALL=C sort | grep JPEG | sed -n '100,109p'); do
  idx=$(q t.mlfy "select idx from classes where ext_id = '${f%%_*}'")
  mkdir -p "v2/$idx"; ln -s "$SAMPLES/$f" "v2/$idx/$f"
done
"$MLFY" init v2.mlfy --classes "$IMAGENET/label_indices_to_wordnet_ids.json" >/dev/null
"$MLFY" add-images v2.mlfy v2 --name-by file -q >/dev/null
[ "$(q v2.mlfy "select count(*) from images i join classes c on c.idx = i.original_label
                 where i.name like c.ext_id || '\_%.JPEG' escape '\'")" = 10 ] || fail "index folders"

# ---- CSV manifest with paths relative to it and labels given as names
mkdir -p man/img
echo "path,label" > man/list.csv
for f in $(ls "$SAMPLES" | LC_ALL=C sort | grep JPEG | sed -n '200,204p'); do
  ln -s "$SAMPLES/$f" "man/img/$f"
  name=$(q t.mlfy "select name from classes where ext_id = '${f%%_*}'")
  echo "img/$f,\"$name\"" >> man/list.csv
done
"$MLFY" init m.mlfy --classes "$IMAGENET/label_indices_to_wordnet_ids.json" >/dev/null
"$MLFY" add-images m.mlfy man/list.csv -q | grep -q "5 images added.*csv layout" || fail "manifest"
[ "$(q m.mlfy "select count(*) from images i join classes c on c.idx = i.original_label
                where i.name like 'img/' || c.ext_id || '\_%' escape '\'")" = 5 ] || fail "manifest labels"

# ---- bad inputs: every problem is listed, nothing is imported
mkdir bad
ls "$SAMPLES" | LC_ALL=C sort | grep JPEG | sed -n '300,302p' > good.txt
while read -r f; do cp "$SAMPLES/$f" bad/; done < good.txt
g1=$(sed -n 1p good.txt)
head -c 20000 "$SAMPLES/$g1" > bad/t1_truncated.JPEG          # corrupt JPEG
echo "just some text" > bad/t2_text.jpg                        # text named .jpg
: > bad/t3_empty.jpg                                           # empty file
cp "$SAMPLES/$g1" bad/t4_duplicate.JPEG                        # same content twice
echo "notes" > bad/notes.txt                                   # ignored
ls bad | LC_ALL=C sort | grep -E '\.(JPEG|jpg)$' > bad.list
[ "$(wc -l < bad.list)" = 7 ] || fail "bad folder setup"
# labels: good ones, one unknown label, and one line too few
{ cut -d_ -f1 good.txt | sed -n '1,2p'; echo n99999999; echo 0; echo 1; echo 2; } > bad_gt.txt
"$MLFY" init b.mlfy --classes "$IMAGENET/label_indices_to_wordnet_ids.json" >/dev/null
expect_fail "$MLFY" add-images b.mlfy bad --labels bad_gt.txt -q
expect_err "bad_gt.txt:3: $(sed -n 3p good.txt): unknown label 'n99999999'"
expect_err "bad_gt.txt:4: t1_truncated.JPEG: truncated or corrupt jpeg"
expect_err "bad_gt.txt:5: t2_text.jpg: not an image"
expect_err "bad_gt.txt:6: t3_empty.jpg: empty file"
expect_err "^t4_duplicate.JPEG: no label: bad_gt.txt has 6 lines for 7 images"
expect_err "^t4_duplicate.JPEG: duplicate: same content as $g1 \(bad_gt.txt:1\)"
expect_err "error: bad: 6 problems; nothing imported"
[ "$(q b.mlfy 'select count(*) from images')" = 0 ] || fail "bad import wrote images"
# the same files into the project that already has the samples: also refused, unchanged
expect_fail "$MLFY" add-images p.mlfy bad --labels bad_gt.txt -q
expect_err "t4_duplicate.JPEG: duplicate: same content as"
[ "$(q p.mlfy 'select count(*) from images')" = 1000 ] || fail "project changed"
q p.mlfy "select name, batch from images order by name" > batches.after
cmp -s batches.before batches.after || fail "failed import changed batches"
# a manifest naming a missing file and an unknown class
printf 'path,label\nimg/nope.JPEG,n01440764\nimg/%s,no such class\n' "$(ls man/img | head -1)" > man/bad.csv
expect_fail "$MLFY" add-images m.mlfy man/bad.csv -q
expect_err "bad.csv:2: img/nope.JPEG: cannot open"
expect_err "bad.csv:3: .*unknown label 'no such class'"
[ "$(q m.mlfy 'select count(*) from images')" = 5 ] || fail "manifest project changed"
# malformed rows do not stop the listing: every bad row is named with its
# line, beside the files that cannot be read and the unknown labels
{ echo 'path,label'; echo 'img/nope.JPEG,n01440764'; echo "img/$(ls man/img | head -1)"
  echo "img/$(ls man/img | sed -n 2p),no such class"; echo ' ,n01440764'
  echo '"img/x"y.JPEG,n01440764'; echo "img/$(ls man/img | sed -n 3p),n01440764,extra"; } > man/bad2.csv
expect_fail "$MLFY" add-images m.mlfy man/bad2.csv -q
expect_err "bad2.csv:2: img/nope.JPEG: cannot open"
expect_err "bad2.csv:3: 1 fields, the header has 2"
expect_err "bad2.csv:4: .*unknown label 'no such class'"
expect_err "bad2.csv:5: empty path"
expect_err "bad2.csv:6: .*text after a closing quote"
expect_err "bad2.csv:7: 3 fields, the header has 2"
expect_err "error: man/bad2.csv: 6 problems; nothing imported"
[ "$(q m.mlfy 'select count(*) from images')" = 5 ] || fail "manifest project changed"
# --labels with a tree, a missing source: usage-level errors
expect_fail "$MLFY" add-images t.mlfy tree --labels gt.txt
expect_err "--labels applies to flat folders"
expect_fail "$MLFY" add-images t.mlfy /nonexistent/dir
expect_err "/nonexistent/dir"
"$MLFY" check b.mlfy >/dev/null || fail "check after failed import"
echo ok
