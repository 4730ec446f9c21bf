# modules.sh - mlfy's modules (util/module.h): the image codec
# (codec-vips.so, util/codec.h) and the PostgreSQL engine (store-pg.so,
# store/engine_ops.h).  Commands that read no pixel never load libvips, and
# commands on SQLite files never load libpq; the ones that need a module
# load it on first use; a missing or foreign module is a clear error naming
# the path, and the command writes nothing.
source "$MLFY_SOURCE_DIR/tests/cli/ingest-common.bash"
DATA=$MLFY_SOURCE_DIR/tests/propose/data

mkdir -p src/cat src/dog
cp "$DATA/rgb8.png" src/cat/a.png
cp "$DATA/big128.jpg" src/dog/b.jpg
printf 'cat\ndog\n' > classes.txt
"$MLFY" init p.mlfy --classes classes.txt >/dev/null

# ---- a missing module: add-images stops at the first image, imports nothing
expect_fail env MLFY_CODEC_MODULE="$TMP/none/codec.so" "$MLFY" add-images p.mlfy src
expect_err "cannot load the image codec $TMP/none/codec.so \(from MLFY_CODEC_MODULE\): cannot open shared object file"
expect_err "nothing imported"
[ "$(grep -c 'cannot load' "$TMP/err")" = 1 ] || fail "one error, not one per image: $(cat "$TMP/err")"
[ "$(q p.mlfy 'select count(*) from images')" = 0 ] || fail "images imported without a codec"

# ---- a shared object that is not the codec
libm=$(ldd "$(command -v sqlite3)" | awk '$1 ~ /^libm\.so/ {print $3}')
[ -n "$libm" ] || fail "no libm path from ldd"
expect_fail env MLFY_CODEC_MODULE="$libm" "$MLFY" add-images p.mlfy src
expect_err "$libm is not mlfy's codec-vips.so module \(no mlfy_codec_vips\); nothing imported"
# a module of another build: refused by its head (util/module.h), nothing imported
if command -v cc > /dev/null; then
  cat > other.c <<'C'
struct head { int abi; const char *version; };
static const struct head h = { 99, "mlfy 0.0.0" };
const struct head *mlfy_codec_vips(void *err);
const struct head *mlfy_codec_vips(void *err) { (void)err; return &h; }
C
  cc -shared -fPIC -o other.so other.c
  expect_fail env MLFY_CODEC_MODULE="$TMP/other.so" "$MLFY" add-images p.mlfy src
  expect_err "the image codec $TMP/other.so belongs to another build \(mlfy 0.0.0, interface 99; this is mlfy [0-9.]+, interface [0-9]+\)"
  [ "$(q p.mlfy 'select count(*) from images')" = 0 ] || fail "images imported with a codec of another build"
fi
expect_fail env MLFY_CODEC_MODULE="$TMP/none/codec.so" "$MLFY" add-exemplars p.mlfy src
expect_err "cannot load the image codec .*; no exemplars changed"

# a bare file name in the variable is a file in the current folder (not a
# name for the dynamic loader's search path)
codec=$(dirname "$(grep -m1 -o '/[^ ]*libmultilabelfy.so[^ ]*' <(ldd "$MLFY"))")/multilabelfy/codec-vips.so
[ -f "$codec" ] || fail "no codec module beside the library: $codec"
mkdir -p here && cp "$codec" here/codec-vips.so
"$MLFY" init q.mlfy --classes classes.txt >/dev/null
(cd here && MLFY_CODEC_MODULE=codec-vips.so "$MLFY" add-images ../q.mlfy ../src > ../out 2>&1) ||
  fail "a bare module name in MLFY_CODEC_MODULE: $(cat out)"
grep -q "2 images added" out || fail "a bare module name: $(cat out)"

# ---- the module beside the library: the images are read
"$MLFY" add-images p.mlfy src > out
grep -q "2 images added" out || fail "add-images: $(cat out)"
[ "$(q p.mlfy "select width || 'x' || height from images where name = 'dog/b.jpg'")" = "128x128" ] ||
  fail "header read: $(q p.mlfy "select * from images")"

# ---- commands that read no pixel work without the module, and do not load
# libvips (the dynamic loader's own account of what it opens)
MLFY_CODEC_MODULE="$TMP/none/codec.so" "$MLFY" stats p.mlfy > out || fail "stats without the codec"
grep -q "images" out || fail "stats output: $(cat out)"
if LD_DEBUG=files "$MLFY" stats p.mlfy 2> ld.txt > /dev/null; then
  ! grep -q 'file=libvips' ld.txt || fail "mlfy stats loaded libvips"
  grep -q 'file=libsqlite3' ld.txt || fail "LD_DEBUG shows no library at all: $(head -3 ld.txt)"
fi
LD_DEBUG=files "$MLFY" add-images p.mlfy src 2> ld.txt > /dev/null || fail "re-run add-images"
grep -q 'file=.*codec-vips.so' ld.txt || fail "add-images did not load the codec module"
grep -q 'file=libvips' ld.txt || fail "add-images did not load libvips"

# ---- the PostgreSQL engine: loaded only for a postgresql:// project
if LD_DEBUG=files "$MLFY" stats p.mlfy 2> ld.txt > /dev/null; then
  ! grep -q 'file=libpq' ld.txt || fail "mlfy stats on a file loaded libpq"
  ! grep -q 'file=.*store-pg.so' ld.txt || fail "mlfy stats on a file loaded the PostgreSQL engine"
fi
expect_fail env MLFY_STORE_PG_MODULE="$TMP/none/store-pg.so" "$MLFY" stats "postgresql:///mlfy_none?host=$TMP"
expect_err "cannot load the PostgreSQL engine $TMP/none/store-pg.so \(from MLFY_STORE_PG_MODULE\): cannot open shared object file"
expect_fail env MLFY_STORE_PG_MODULE="$libm" "$MLFY" init "postgresql:///mlfy_none?host=$TMP" --classes classes.txt
expect_err "$libm is not mlfy's store-pg.so module \(no mlfy_store_pg\)"
# the module beside the library: loaded, then the connection is what fails
# (no server listens in $TMP)
LD_DEBUG=files "$MLFY" stats "postgresql:///mlfy_none?host=$TMP" > /dev/null 2> ld.txt && fail "stats without a server"
grep -q 'file=.*store-pg.so' ld.txt || fail "the PostgreSQL engine was not loaded"
grep -q 'file=libpq' ld.txt || fail "libpq was not loaded"
grep -q "cannot connect to the database server" ld.txt || fail "no connection error: $(grep -v '^ *[0-9]*:' ld.txt)"

# ---- ONNX Runtime (a build with it): loaded only by propose
"$MLFY" propose --help > help.txt 2>&1 || true
if grep -q 'ONNX' help.txt; then
  ! grep -q 'file=libonnxruntime' ld.txt || fail "mlfy stats on a PostgreSQL URI loaded ONNX Runtime"
  LD_DEBUG=files "$MLFY" stats p.mlfy 2> ld.txt > /dev/null
  ! grep -q 'file=libonnxruntime' ld.txt || fail "mlfy stats loaded ONNX Runtime"
  if [ -f "$(dirname "$codec")/propose-ort.so" ]; then
    expect_fail env MLFY_ORT_MODULE="$TMP/none/propose-ort.so" "$MLFY" propose p.mlfy \
      --model "$MLFY_SOURCE_DIR/tests/propose/data/tiny.onnx" --top 2
    expect_err "cannot load ONNX Runtime \(the proposal module\) $TMP/none/propose-ort.so \(from MLFY_ORT_MODULE\)"
    [ "$(q p.mlfy 'select count(*) from proposals')" = 0 ] || fail "proposals written without the module"
    echo "checked: propose-ort.so"
  fi
fi
echo "ok"
