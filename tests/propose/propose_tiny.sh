# propose_tiny.sh - `mlfy propose` end to end on the committed tiny models
# and images (tests/propose/data, make_tiny_model.py): stored top-5 classes
# and softmax scores equal the numpy-computed expectations, resume, --force,
# a corrupt image skipped and listed, --save-logits/--save-features with
# their order files, a fixed-batch NHWC model with --label-offset 1, and the
# refusals (wrong class count, name taken, bad options).
source "$MLFY_SOURCE_DIR/tests/cli/ingest-common.bash"
DATA=$MLFY_SOURCE_DIR/tests/propose/data
"$MLFY" propose --help | grep -q '^This build: ONNX Runtime' || skip "this mlfy has no ONNX Runtime"
PY=python3
command -v "$PY" >/dev/null || skip "python3 not found"

mkdir imgs
for f in grey8.png rgb16.png rgb8.png rgba8.png tall8x11.png wide12x8.png; do cp "$DATA/$f" imgs/; done
printf 'c%d\n' 0 1 2 3 4 5 6 7 8 9 > classes.txt
# original labels: the expected top-1 of each image (sorted file order), so
# top-1 vs original labels must be 100 %
"$PY" - "$DATA/expected.json" > labels.txt <<'EOF'
import json, sys
e = json.load(open(sys.argv[1]))["tiny"]
for f in sorted(["grey8.png", "rgb16.png", "rgb8.png", "rgba8.png", "tall8x11.png", "wide12x8.png"]):
    print("c%d" % e[f]["top5"][0])
EOF
"$MLFY" init p.mlfy --classes classes.txt >/dev/null
"$MLFY" add-images p.mlfy imgs --labels labels.txt --batches 2 >/dev/null

# the model's input is 8x8; expected values use crop_pct 1 (no resize)
"$MLFY" propose p.mlfy --model "$DATA/tiny.onnx" --crop-pct 1 --top 5 --batch 4 > out 2>err ||
  { cat out err; fail "propose"; }
grep -q "top-5 proposals stored for 6 images, 0 already had them, 0 skipped" out || fail "summary: $(cat out)"
grep -q "top-1 vs original labels: 100.0 % (6/6)" out || fail "top-1: $(cat out)"
grep -q "'tiny' is the project's active proposal model" out || fail "activation: $(cat out)"
[ "$(q p.mlfy "select kind from models where name = 'tiny'")" = onnx ] || fail "model kind"
q p.mlfy "select value from meta where key = 'propose.tiny'" | grep -q '"crop_pct":1' || fail "meta"

# stored proposals = expected top-5 (ties broken by class index) and scores (1e-5)
check_proposals() {
  "$PY" - "$DATA/expected.json" p.mlfy "$1" <<'EOF'
import json, sqlite3, sys
exp = json.load(open(sys.argv[1]))["tiny"]
db = sqlite3.connect(sys.argv[2])
model = sys.argv[3]
n = 0
for name, e in exp.items():
    if ":" in name:
        continue
    rows = db.execute("""select p.rank, p.class_idx, p.score from proposals p
                         join images i on i.id = p.image_id join models m on m.id = p.model_id
                         where i.name = ? and m.name = ? order by p.rank""", (name, model)).fetchall()
    assert [r[1] for r in rows] == e["top5"], (name, rows, e["top5"])
    for (rank, cls, score), want in zip(rows, e["top5_scores"]):
        assert abs(score - want) < 1e-5, (name, rank, score, want)
    n += 1
assert n == 6, n
EOF
}
check_proposals tiny || fail "proposals differ from expected.json"

# a timm config whose test size is the model's fixed size: test_input_size and
# test_crop_pct win over input_size and crop_pct (timm validate.py)
cat > config.json <<'EOF'
{"architecture": "tiny", "num_classes": 10,
 "pretrained_cfg": {"input_size": [3, 224, 224], "crop_pct": 0.875, "interpolation": "bilinear",
  "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225],
  "test_input_size": [3, 8, 8], "test_crop_pct": 1.0}}
EOF
"$MLFY" propose p.mlfy --model "$DATA/tiny.onnx" --config config.json --top 5 --name tiny-cfg > out 2>err ||
  { cat out err; fail "propose --config"; }
grep -q "preprocessing: 8x8 NCHW, crop_pct 1 (center), bilinear" out || fail "config: $(cat out)"
check_proposals tiny-cfg || fail "proposals with --config"
sed -i 's/"test_input_size": \[3, 8, 8\], //' config.json
expect_fail "$MLFY" propose p.mlfy --model "$DATA/tiny.onnx" --config config.json --top 5 --name tiny-cfg2
expect_err "input size 224x224 does not match the model's fixed input 8x8"

# resume: nothing left to do
"$MLFY" propose p.mlfy --model "$DATA/tiny.onnx" --crop-pct 1 --top 5 > out 2>err || fail "rerun"
grep -q "stored for 0 images, 6 already had them" out || fail "resume: $(cat out)"

# a file damaged after import is skipped and listed; the others are stored
cp "$DATA/truncated.jpg" imgs/rgb16.png
"$MLFY" propose p.mlfy --model "$DATA/tiny.onnx" --crop-pct 1 --top 5 --force > out 2>err ||
  { cat out err; fail "force with a damaged file"; }
grep -q "stored for 5 images, 0 already had them, 1 skipped" out || fail "skip count: $(cat out)"
grep -q "imgs/rgb16.png.*truncated" out || fail "skip list: $(cat out)"
cp "$DATA/rgb16.png" imgs/rgb16.png

# --save-logits / --save-features onto the project or its journal: refused,
# the project intact (QA, issue 11: it was replaced by the .npy, exit 0)
before=$(q p.mlfy "select count(*) from proposals")
for bad in "--save-logits p.mlfy" "--save-features p.mlfy-wal" "--save-logits ./p.mlfy-journal"; do
  # shellcheck disable=SC2086
  if "$MLFY" propose p.mlfy --model "$DATA/tiny.onnx" --crop-pct 1 --top 5 $bad > out 2>err; then
    fail "propose $bad succeeded"
  fi
  grep -q "would write over the project file" err || fail "propose $bad: $(cat err)"
done
[ "$(q p.mlfy "select count(*) from proposals")" = "$before" ] || fail "project changed by a refused propose"
"$MLFY" check p.mlfy > /dev/null || fail "project damaged by a refused --save-logits"

# --save-logits / --save-features: every image, rows in name order, order files
"$MLFY" propose p.mlfy --model "$DATA/tiny.onnx" --crop-pct 1 --top 5 \
  --save-logits l.npy --save-features f.npy > out 2>err || { cat out err; fail "save"; }
grep -q "stored for 6 images" out || fail "save runs every image: $(cat out)"
[ -f l.npy ] && [ -f f.npy ] && [ -f l.order.txt ] && [ -f f.order.txt ] || fail "output files"
diff l.order.txt <(q p.mlfy "select name from images order by name") || fail "order file"
"$PY" - "$DATA/expected.json" <<'EOF' || fail "saved arrays"
import ast, json, struct, sys
exp = json.load(open(sys.argv[1]))["tiny"]
names = [l.strip() for l in open("l.order.txt")]
def load(path):
    b = open(path, "rb").read()
    assert b[:6] == b"\x93NUMPY"
    hl = struct.unpack("<H", b[8:10])[0]
    h = ast.literal_eval(b[10:10 + hl].decode())
    assert h["descr"] == "<f4" and not h["fortran_order"]
    n, c = h["shape"]
    v = struct.unpack("<%df" % (n * c), b[10 + hl:])
    return [v[i * c:(i + 1) * c] for i in range(n)]
L, F = load("l.npy"), load("f.npy")
assert len(L) == len(names) == 6 and len(L[0]) == 10 and len(F[0]) == 3
for name, row, frow in zip(names, L, F):
    assert max(abs(a - b) for a, b in zip(row, exp[name]["logits"])) < 1e-4, name
    assert max(abs(a - b) for a, b in zip(frow, exp[name]["features"])) < 1e-5, name
EOF
# the saved logits round-trip through import-predictions
"$MLFY" import-predictions p.mlfy --model tiny-npy --top 5 --order l.order.txt l.npy >/dev/null ||
  fail "import-predictions of the saved logits"
check_proposals tiny-npy || fail "imported saved logits differ"

# a model whose name belongs to imported predictions is refused
expect_fail "$MLFY" propose p.mlfy --model "$DATA/tiny.onnx" --name tiny-npy --crop-pct 1 --top 5
expect_err "kind npy-logits"

# fixed batch size 1, NHWC input, 11 outputs with a background class first
expect_fail "$MLFY" propose p.mlfy --model "$DATA/tiny_b1_nhwc_bg.onnx" --crop-pct 1 --top 3
expect_err "has 11 values and the project 10 classes: if output 0 is a background class, use --label-offset 1"
"$MLFY" propose p.mlfy --model "$DATA/tiny_b1_nhwc_bg.onnx" --crop-pct 1 --top 3 --label-offset 1 \
  --name bg > out 2>err || { cat out err; fail "label offset"; }
grep -q "8x8 NHWC" out && grep -q "batch 1 (fixed by the model)" out || fail "fixed batch: $(cat out)"
"$PY" - "$DATA/expected.json" p.mlfy <<'EOF' || fail "label-offset proposals"
import json, sqlite3, sys
exp = json.load(open(sys.argv[1]))["tiny_b1_nhwc_bg"]
db = sqlite3.connect(sys.argv[2])
for name, e in exp.items():
    if ":" in name:
        continue
    rows = db.execute("""select p.class_idx, p.score from proposals p join images i on i.id = p.image_id
                         join models m on m.id = p.model_id where i.name = ? and m.name = 'bg'
                         order by p.rank""", (name,)).fetchall()
    assert [r[0] for r in rows] == e["top3"], (name, rows, e["top3"])
    assert all(abs(r[1] - w) < 1e-5 for r, w in zip(rows, e["top3_scores"])), name
EOF

# refusals
expect_fail "$MLFY" propose p.mlfy --model "$DATA/tiny.onnx" --crop-pct 1 --top 5 --no-softmax --name nosm
expect_err "not a probability"
[ "$(q p.mlfy "select count(*) from models where name = 'nosm'")" = 0 ] || fail "a failed run left its model"
expect_fail "$MLFY" propose p.mlfy --model "$DATA/tiny.onnx" --top 5 --input-size 224
expect_err "does not match the model's fixed input 8x8"
expect_fail "$MLFY" propose p.mlfy --model "$DATA/absent.onnx" --top 5
expect_err "absent.onnx"
expect_fail "$MLFY" propose p.mlfy --model "$DATA/tiny.onnx" --top 5 --ort-option graph_optimization_level=fast
expect_err "graph_optimization_level"
expect_fail "$MLFY" propose p.mlfy --model "$DATA/tiny.onnx" --top 11
expect_err "more than the project's 10 classes"
expect_fail "$MLFY" propose p.mlfy --model "$DATA/tiny.onnx" --top 5 --save-features x.npy --features-output nope
expect_err "no embedding output 'nope'"
rc=0; "$MLFY" propose p.mlfy --model "$DATA/tiny.onnx" --batch 0 2>/dev/null || rc=$?
[ "$rc" = 2 ] || fail "--batch 0: exit $rc"
rc=0; "$MLFY" propose p.mlfy --model "$DATA/tiny.onnx" --crop-mode diagonal 2>/dev/null || rc=$?
[ "$rc" = 2 ] || fail "--crop-mode diagonal: exit $rc"
"$MLFY" check p.mlfy >/dev/null || fail "check"
echo ok
