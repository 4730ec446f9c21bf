# predictions.sh - model predictions that must not be stored: NaN and
# infinite logits (.npy and timm CSV), a class-count mismatch, a row-count
# mismatch, an empty file, a truncated .npy.  Each is one error naming the
# file and the row/column, exit status 1, and no model or proposal is
# written.  (docs/bad-input.md: NaN logits, class count mismatch)
. "$(dirname "$0")/lib.sh"

printf 'cat\ndog\nfox\n' >classes3.txt
"$MLFY" init p.mlfy --classes classes3.txt >/dev/null
mkdir -p src/cat src/dog
jpeg src/cat/a.jpg
jpeg src/dog/b.jpg 50 40
"$MLFY" add-images p.mlfy src --quiet >/dev/null
python3 - <<'PY'
import struct
def npy(path, shape, vals):
    d = "{'descr': '<f4', 'fortran_order': False, 'shape': (%s), }" % ", ".join(map(str, shape))
    pad = (64 - (10 + len(d) + 1) % 64) % 64
    hdr = (d + " " * pad + "\n").encode()
    open(path, "wb").write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(hdr)) + hdr
                           + struct.pack("<%df" % len(vals), *vals))
npy("nan.npy", (2, 3), [0.1, float("nan"), 0.3, 1, 2, 3])
npy("inf.npy", (2, 3), [0.1, 0.2, 0.3, 1, float("inf"), 3])
npy("classes4.npy", (2, 4), [0.1] * 8)
npy("rows3.npy", (3, 3), [0.1] * 9)
open("empty.npy", "wb").close()
open("trunc.npy", "wb").write(open("nan.npy", "rb").read()[:90])
open("nan.csv", "w").write("filename,index,prob\na.jpg,[0 1],[nan 0.2]\n")
# a class index far beyond any integer type (found by fuzz_predictions:
# converting it was undefined behaviour)
open("huge.csv", "w").write("filename,index,prob\na.jpg,[1e126 1],[0.5 0.2]\n")
PY
check() {   # check FILE EXPECTED-MESSAGE
	run_mlfy import-predictions p.mlfy --model m --quiet "$1"
	expect_status 1
	expect_err "mlfy import-predictions: error: $2"
	[ "$(sql p.mlfy "SELECT count(*) FROM proposals") $(sql p.mlfy "SELECT count(*) FROM models")" = "0 0" ] ||
		fail "$1: something was stored"
}
check nan.npy "nan.npy: row 0 (0-based), column 1: NaN value"
check inf.npy "inf.npy: row 1 (0-based), column 1: infinite value"
check classes4.npy "classes4.npy: shape [2, 4]: 4 columns, but the project has 3 classes (a background class at index 0? drop that column)"
check rows3.npy "rows3.npy: 3 rows, but the project has 2 images (give --order FILE to map rows to images)"
check empty.npy "empty.npy: empty file"
check trunc.npy "trunc.npy: truncated .npy header (118 bytes announced, 80 present)"
check nan.csv "nan.csv:2: column 'prob', item 0: NaN value"
check huge.csv "huge.csv: line 2: class index 1e+126 out of range [0, 2]"
[ "$(sql p.mlfy "PRAGMA integrity_check")" = ok ] || fail "integrity_check"
echo "predictions: ok"
