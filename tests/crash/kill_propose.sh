# kill_propose.sh - kill -9 during `mlfy propose` (ONNX Runtime; each batch
# of images is stored in its own transaction, and a re-run resumes).  After
# every kill: integrity checks pass; every image has either no proposals
# from the model or its complete top-5 (never a partial set); the re-run
# completes, and the result equals an uninterrupted run (classes exactly,
# scores within 1e-6).  Uses the committed tiny model
# (tests/propose/data/tiny.onnx, 10 classes, 8x8 input) on 2,000 small PNGs.
# Skipped when mlfy is built without ONNX Runtime.  Cycles:
# $MLFY_CRASH_CYCLES (default 10).  The project is a SQLite file, or with
# MLFY_TEST_PG set (CTest's pg/crash/kill_propose) a PostgreSQL database,
# each cycle a CREATE DATABASE ... TEMPLATE copy; the integrity check is
# then `mlfy check` (lib.sh).  docs/crash-consistency.md.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
"$MLFY" propose --help | grep -q '^This build: ONNX Runtime' || { echo "skipped: mlfy built without ONNX Runtime"; exit 77; }
model="$here/../propose/data/tiny.onnx"
[ -f "$model" ] || fail "$model missing"

python3 - <<'PY'
import os, struct, zlib
def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
open("classes.txt", "w").write("".join("c%d\n" % c for c in range(10)))
os.makedirs("src")
for i in range(2000):   # 8x8 RGB, a different colour pattern each
    px = lambda x, y, ch: (i >> 8, i & 255, 255 - (i & 255))[ch] if (x, y) == (0, 0) else \
        ((i * 7 + x * 13 + y * 29 + ch * 71) & 255)
    raw = b"".join(b"\0" + bytes(px(x, y, ch) for x in range(8) for ch in range(3)) for y in range(8))
    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    open("src/img%05d.png" % i, "wb").write(png)
PY
project_new base
"$MLFY" init "$(project base)" --classes classes.txt >/dev/null
"$MLFY" add-images "$(project base)" src --quiet >/dev/null
cmd=(propose "$(project p)" --model "$model" --name tiny --crop-pct 1 --top 5 --batch 16 --threads 1 --quiet)

# per image: "name|n|c0,c1,..|s0,s1,.." (ranks in order) with scores rounded
# to 1e-6
state() {
	rows "$1" "SELECT i.name, p.rank, p.class_idx, p.score FROM images i
	  LEFT JOIN (SELECT p.* FROM proposals p JOIN models m ON m.id = p.model_id AND m.name = 'tiny') p
	  ON p.image_id = i.id ORDER BY i.name, p.rank" |
		awk -F'|' 'function out() { if (name != "") print name "|" n "|" c "|" s }
		$1 != name { out(); name = $1; n = 0; c = s = "" }
		$2 != "" { c = c (n ? "," : "") $3; s = s (n ? "," : "") sprintf("%.6f", $4); n++ }
		END { out() }'
}
project_copy base p
t0=$(now_ms)
"$MLFY" "${cmd[@]}" >/dev/null 2>&1 || fail "reference run"
t_run=$(($(now_ms) - t0))
state p >ref.txt
awk -F'|' '$2 != 5 { bad = 1 } END { exit bad }' ref.txt || fail "reference run left images without 5 proposals"
echo "reference run ($BACKEND): ${t_run} ms"

n_killed=0 n_partial=0
for ((i = 0; i < CYCLES; i++)); do
	project_copy base p
	if ((i % 2 == 0)); then when=random:$((t_run + 20)); else when=write:$((t_run / 4 + 1)); fi
	kill_during "$(project p)" "$when" "$MLFY" "${cmd[@]}"
	n_killed=$((n_killed + KILLED))
	check_project p
	state p >now.txt
	# every image: nothing, or exactly the reference's complete top-5
	awk -F'|' 'NR == FNR { ref[$1] = $0; next } $2 != 0 && $0 != ref[$1] { print; bad = 1 } END { exit bad }' \
		ref.txt now.txt || fail "cycle $i (killed at $KILL_AT ms, $when): an image holds a partial or wrong top-5"
	done_imgs=$(awk -F'|' '$2 == 5' now.txt | wc -l)
	[ "$done_imgs" -gt 0 ] && [ "$done_imgs" -lt 2000 ] && n_partial=$((n_partial + 1))
	"$MLFY" "${cmd[@]}" >"$WORK/rerun.out" 2>&1 || fail "cycle $i: re-run failed: $(cat "$WORK/rerun.out")"
	state p | cmp -s - ref.txt || fail "cycle $i: resumed run differs from the uninterrupted one"
done
echo "kill_propose ($BACKEND): $CYCLES kills ($n_killed while it ran, $n_partial mid-way with some batches stored);"
echo "kill_propose: no image ever held a partial top-5; every resumed run equalled the uninterrupted one"
[ $n_killed -ge $((CYCLES / 2)) ] || fail "only $n_killed of $CYCLES kills hit a running propose"
