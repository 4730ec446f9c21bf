#!/usr/bin/env bash
# cli_export_real.sh - `mlfy export --format real-votes / real-scores` on a
# project holding ReaL's golden votes: the exported raters.npz aggregates
# (`mlfy aggregate --votes`) to byte-identical posteriors as aggregating in
# the project; real-scores holds the stored posteriors in ReaL's
# scores_split_a.npz layout (checked with Python's zipfile and the .npy
# header); standard output works (nothing is sought back); bad uses exit
# 1 or 2 and leave no file.
set -euo pipefail

: "${MLFY:?MLFY must point to the mlfy binary}"
SH="${MLFY_SHARED:-../shared}"
RG="$SH/data/real/raters_golden.npz"
G="$SH/data/real/golden.npz"
[ -f "$RG" ] && [ -f "$G" ] || { echo "skipping: $RG or $G not found"; exit 77; }
command -v python3 >/dev/null || { echo "skipping: python3 not found"; exit 77; }
T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT

fail() { echo "cli_export_real: FAIL: $*" >&2; exit 1; }
expect_status() { # expected-status command...
	local want=$1 got=0
	shift
	"$@" >"$T/out" 2>"$T/err" || got=$?
	[ "$got" = "$want" ] || fail "'$*' exited $got, expected $want: $(cat "$T/err")"
}

for i in $(seq 0 999); do echo "c$i"; done >"$T/classes.txt"
"$MLFY" init "$T/p.mlfy" --classes "$T/classes.txt" >/dev/null
"$MLFY" import-votes "$T/p.mlfy" "$RG" >/dev/null
"$MLFY" import-votes "$T/p.mlfy" "$G" >/dev/null

# real-scores needs stored results first: exit 1, no file
expect_status 1 "$MLFY" export "$T/p.mlfy" --format real-scores --out "$T/scores.npz"
grep -qF "mlfy aggregate" "$T/err" || fail "no hint to aggregate: $(cat "$T/err")"
[ ! -e "$T/scores.npz" ] || fail "a failed export left a file"
expect_status 2 "$MLFY" export "$T/p.mlfy" --format real-votes --method majority
expect_status 2 "$MLFY" export "$T/p.mlfy" --format real-scores --method mean
# binary output: an --out that is not .npz, or a terminal, is refused
expect_status 2 "$MLFY" export "$T/p.mlfy" --format real-votes --out "$T/votes.txt"
grep -qF "must end in .npz" "$T/err" || fail "no .npz hint: $(cat "$T/err")"
[ ! -e "$T/votes.txt" ] || fail "a refused export left a file"
if command -v script >/dev/null; then
	script -qec "'$MLFY' export '$T/p.mlfy' --format real-votes" /dev/null >"$T/tty.out" 2>&1 &&
		fail "an npz written to a terminal"
	grep -qF "binary .npz" "$T/tty.out" || fail "no terminal hint: $(cat "$T/tty.out")"
fi

"$MLFY" aggregate "$T/p.mlfy" --method dawid-skene --out "$T/project.npy" >/dev/null
"$MLFY" export "$T/p.mlfy" --format real-votes --out "$T/raters.npz" 2>"$T/err"
grep -qF "1,135 questions, 94,205 votes from 83 raters" "$T/err" || fail "summary: $(cat "$T/err")"
"$MLFY" aggregate --votes "$T/raters.npz" --method dawid-skene --out "$T/file.npy" >"$T/out"
grep -qF "1,135 questions, 94,205 votes from 83 raters" "$T/out" || fail "read back: $(cat "$T/out")"
cmp -s "$T/project.npy" "$T/file.npy" || fail "aggregating the export differs from aggregating the project"

# the same archive through a pipe
"$MLFY" export "$T/p.mlfy" --format real-votes 2>/dev/null | cat >"$T/piped.npz"
cmp -s "$T/raters.npz" "$T/piped.npz" || fail "standard output differs from --out"

"$MLFY" export "$T/p.mlfy" --format real-scores --out "$T/scores.npz" 2>"$T/err"
grep -qF "1,135 questions (dawid-skene posteriors" "$T/err" || fail "scores summary: $(cat "$T/err")"
python3 - "$T/raters.npz" "$T/scores.npz" "$T/project.npy" "$RG" <<'PY' || fail "layout"
import struct, sys, zipfile

def header(z, name):
    data = z.read(name)
    assert data[:6] == b"\x93NUMPY", name
    hlen = struct.unpack("<H", data[8:10])[0]
    return eval(data[10:10 + hlen].decode("latin1")), data[10 + hlen:]

rv, rs, proj, real = (zipfile.ZipFile(p) if p.endswith(".npz") else p for p in sys.argv[1:])
assert rv.testzip() is None and rs.testzip() is None
assert [i.filename for i in rv.infolist()] == ["tensor.npy", "info.npy", "ids.npy", "names.npy"]
assert [i.filename for i in rs.infolist()] == ["tensor.npy", "info.npy"]   # as ReaL's scores_split_a.npz
h, _ = header(rv, "tensor.npy")
assert h["descr"] == "<f8" and h["shape"] == (83, 1135, 3), h
h, info = header(rv, "info.npy")
assert h["descr"] == "<U28" and h["shape"] == (1135, 2), h
assert header(real, "info.npy")[1] == info   # the same questions, in ReaL's order
assert header(rv, "ids.npy")[0]["shape"] == (83,)
h, post = header(rs, "tensor.npy")
assert h["descr"] == "<f8" and h["shape"] == (1135,), h
with open(proj, "rb") as f:
    data = f.read()
assert data[-len(post):] == post, "real-scores tensor != the stored posteriors"
assert header(rs, "info.npy")[1] == info
PY
echo "cli_export_real: ok"
