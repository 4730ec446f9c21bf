#!/usr/bin/env bash
# cli_ds_fidelity.sh - `mlfy aggregate --method dawid-skene` against ReaL's
# released Dawid-Skene scores on split A (docs/review.md "Fidelity to ReaL"):
# Pearson of our posteriors with scores_split_a.npz and agreement of the sets
# {posterior > 0.8} with real.json, for plain Dawid-Skene, with the golden
# questions (--golden/--golden-truth) and, when an original-labels file is in
# ../shared, with the original label as a rater.  Also: ReaL's own scores at
# the default threshold 0.8 give real.json exactly, and bad --original-labels
# files are refused naming file and line.
set -euo pipefail

: "${MLFY:?MLFY must point to the mlfy binary}"
SH="${MLFY_SHARED:-../shared}"
D="$SH/data/real"
for f in raters_split_a.npz scores_split_a.npz raters_golden.npz golden.npz real.json; do
	[ -f "$D/$f" ] || { echo "skipping: $D/$f not found"; exit 77; }
done
command -v python3 >/dev/null || { echo "skipping: python3 not installed"; exit 77; }
T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT
fail() { echo "cli_ds_fidelity: FAIL: $*" >&2; exit 1; }

# Pearson and set agreement of POSTERIORS.npy with ReaL's scores; checks
# "pearson >= MIN_R" and "sets >= MIN_SETS"; prints both.  Plain Python
# (no NumPy): the .npy members are float64 little-endian.
compare() { # name posteriors.npy min_r min_sets
	python3 - "$D" "$@" <<'PY'
import array, ast, json, math, sys, zipfile
d, name, post, min_r, min_sets = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), float(sys.argv[5])
def npy(b):
    assert b[:6] == b'\x93NUMPY', 'not an .npy'
    hl = int.from_bytes(b[8:10], 'little') if b[6] == 1 else int.from_bytes(b[8:12], 'little')
    off = 10 if b[6] == 1 else 12
    h = ast.literal_eval(b[off:off + hl].decode('latin1'))
    assert h['descr'] == '<f8' and not h['fortran_order'], h
    a = array.array('d')
    a.frombytes(b[off + hl:])
    assert len(a) == math.prod(h['shape']), 'size'
    return a
with zipfile.ZipFile(d + '/scores_split_a.npz') as z:
    s = npy(z.read('tensor.npy'))
    # question (file, label) pairs: the info member is a <U string array;
    # the same order as raters_split_a.npz, whose order --out keeps
    ib = z.read('info.npy')
x = npy(open(post, 'rb').read())
assert len(x) == len(s), f'{len(x)} posteriors for {len(s)} scores'
n = len(s)
mx, ms = sum(x) / n, sum(s) / n
sxy = sum((a - mx) * (b - ms) for a, b in zip(x, s))
sxx = sum((a - mx) ** 2 for a in x)
syy = sum((b - ms) ** 2 for b in s)
r = sxy / math.sqrt(sxx * syy)
# info: <U28 (n, 2), UTF-32-LE after the header
off = 10 if ib[6] == 1 else 12
hl = int.from_bytes(ib[8:off], 'little')
h = ast.literal_eval(ib[off:off + hl].decode('latin1'))
w = int(h['descr'][2:])
body = ib[off + hl:]
cell = lambda k: body[k * 4 * w:(k + 1) * 4 * w].decode('utf-32-le').rstrip('\0')
real = json.load(open(d + '/real.json'))
agree = agree_real = 0
for q in range(n):
    f, lab = cell(2 * q), int(cell(2 * q + 1))
    truth = lab in real[int(f[15:23]) - 1]
    agree += (x[q] > 0.8) == truth
    agree_real += (s[q] > 0.8) == truth
print(f'{name}: pearson {r:.5f}, sets at 0.8 agree with real.json on {agree / n:.5f} of {n} questions'
      f' (ReaL scores: {agree_real / n:.5f})')
if agree_real != n:
    sys.exit(f'ReaL scores > 0.8 should give real.json exactly, not {agree_real / n:.5f}')
if r < min_r or agree / n < min_sets:
    sys.exit(f'{name}: below pearson {min_r} / sets {min_sets}')
PY
}

# Measured (docs/review.md): plain 0.98482 / 0.98312; golden 0.98836 / 0.99002;
# golden + original label 0.99814 / 0.99596.  Tolerance 0.002.
"$MLFY" aggregate --votes "$D/raters_split_a.npz" --method dawid-skene --out "$T/plain.npy" >"$T/out" ||
	fail "plain run: $(cat "$T/out")"
grep -q "16,720 questions positive at threshold 0.8" "$T/out" || fail "default threshold 0.8: $(cat "$T/out")"
compare plain "$T/plain.npy" 0.983 0.981 || fail "plain Dawid-Skene"

"$MLFY" aggregate --votes "$D/raters_split_a.npz" --method dawid-skene --golden "$D/raters_golden.npz" \
	--golden-truth "$D/golden.npz" --out "$T/golden.npy" >"$T/out" || fail "golden run: $(cat "$T/out")"
grep -q "golden: 78 of 85 raters' confusions fixed from 1,135 golden questions (experts' majority: 248 positive)" \
	"$T/out" || fail "golden summary: $(cat "$T/out")"
compare golden "$T/golden.npy" 0.9865 0.988 || fail "Dawid-Skene with golden confusions"

# ImageNet val original labels ("IMAGE LABEL" lines): in the shared data, or
# named by MLFY_VAL_LABELS (docs/review.md says where to get them)
ORIG=${MLFY_VAL_LABELS:-$SH/data/imagenet/val_original_labels.txt}
if [ -f "$ORIG" ]; then
	"$MLFY" aggregate --votes "$D/raters_split_a.npz" --method dawid-skene --golden "$D/raters_golden.npz" \
		--golden-truth "$D/golden.npz" --original-labels "$ORIG" --out "$T/full.npy" >"$T/out" ||
		fail "full run: $(cat "$T/out")"
	compare "golden + original label" "$T/full.npy" 0.996 0.994 || fail "ReaL's full aggregation"
else
	echo "note: $ORIG (ImageNet val original labels, \"IMAGE LABEL\" lines) not found:" \
		"the >= 0.996 check of ReaL's full aggregation is skipped"
fi

# --- --original-labels mechanics on the golden vote file ------------------------
# raters_golden.npz's first image, ILSVRC2012_val_00030153, has questions
# 101, 385, 386, ...; say its original label is 385 and another image's 999
python3 - "$D/raters_golden.npz" >"$T/expect" <<'PY'
import ast, sys, zipfile
b = zipfile.ZipFile(sys.argv[1]).read('info.npy')
off = 10 if b[6] == 1 else 12
hl = int.from_bytes(b[8:off], 'little')
w = int(ast.literal_eval(b[off:off + hl].decode('latin1'))['descr'][2:])
body = b[off + hl:]
cells = [body[k * 4 * w:(k + 1) * 4 * w].decode('utf-32-le').rstrip('\0') for k in range(len(body) // (4 * w))]
qs = list(zip(cells[0::2], map(int, cells[1::2])))
img = 'ILSVRC2012_val_00030153.JPEG'
print(sum(1 for f, l in qs if f == img and l <= 397), sum(1 for f, l in qs if f == img))
PY
read -r n_animal n_all <"$T/expect"
printf '# original labels\nILSVRC2012_val_00030153.JPEG 385\nILSVRC2012_val_99999999.JPEG, 999\n' >"$T/orig.txt"
out="$("$MLFY" aggregate --votes "$D/raters_golden.npz" --method dawid-skene --original-labels "$T/orig.txt")"
grep -q "one more rater on $n_animal questions of 1 images (classes 0-397)" <<<"$out" || fail "animal classes: $out"
out="$("$MLFY" aggregate --votes "$D/raters_golden.npz" --method dawid-skene --original-labels "$T/orig.txt" \
	--original-classes all)"
grep -q "one more rater on $n_all questions of 1 images (classes all)" <<<"$out" || fail "all classes: $out"

printf 'ILSVRC2012_val_00030153.JPEG 385\nILSVRC2012_val_00000002.JPEG x\n' >"$T/bad.txt"
if "$MLFY" aggregate --votes "$D/raters_golden.npz" --method dawid-skene --original-labels "$T/bad.txt" \
	>/dev/null 2>"$T/err"; then fail "a bad label was accepted"; fi
grep -q "bad.txt:2:" "$T/err" || fail "error names file and line: $(cat "$T/err")"
printf '65\n970\n' >"$T/bare.txt"
"$MLFY" aggregate --votes "$D/raters_golden.npz" --method dawid-skene --original-labels "$T/bare.txt" >/dev/null ||
	fail "bare LABEL lines refused"
printf '65\nILSVRC2012_val_00000002.JPEG 970\n' >"$T/mixed.txt"
if "$MLFY" aggregate --votes "$D/raters_golden.npz" --method dawid-skene --original-labels "$T/mixed.txt" \
	>/dev/null 2>"$T/err"; then fail "mixed line forms accepted"; fi
grep -q "mixed.txt:2:" "$T/err" || fail "mixed forms: $(cat "$T/err")"
st=0
"$MLFY" aggregate --votes "$D/raters_golden.npz" --method majority --golden "$D/raters_golden.npz" \
	--golden-truth "$D/golden.npz" >/dev/null 2>&1 || st=$?
[ "$st" = 2 ] || fail "--golden with majority: exit $st, expected 2"
st=0
"$MLFY" aggregate --votes "$D/raters_golden.npz" --method dawid-skene --golden "$D/raters_golden.npz" \
	>/dev/null 2>&1 || st=$?
[ "$st" = 2 ] || fail "--golden without --golden-truth: exit $st, expected 2"
st=0
"$MLFY" aggregate --votes "$D/raters_golden.npz" --method dawid-skene --original-labels "$T/orig.txt" \
	--original-classes 5-2 >/dev/null 2>&1 || st=$?
[ "$st" = 2 ] || fail "--original-classes 5-2: exit $st, expected 2"
echo "cli_ds_fidelity: ok"
