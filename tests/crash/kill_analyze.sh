# kill_analyze.sh - kill -9 during `mlfy analyze` (stage iii: final labels
# for agreeing images, the refinement queue for the others), at random
# moments and while SQLite writes (PostgreSQL: once the transaction has
# written); also during a re-analysis with another rule, which moves images
# between "agreed" and the queue.  After every kill: integrity checks pass
# and final_status, final_labels and refinement_queue are exactly as before
# or exactly as after a complete run; the re-run completes and matches the
# reference.  Cycles: $MLFY_CRASH_CYCLES per scenario (default 10).  The
# project is a SQLite file, or with MLFY_TEST_PG set (CTest's
# pg/crash/kill_analyze) a PostgreSQL database, each cycle a CREATE
# DATABASE ... TEMPLATE copy; the integrity check is then `mlfy check`
# (lib.sh).  docs/crash-consistency.md.
. "$(dirname "$0")/lib.sh"

# ---- fixture: 10 classes, 6,000 images (2,000 on PostgreSQL, where one
# analyze of 6,000 takes 4-5 s against SQLite's 0.4 s: CI time), two
# annotators who disagree on a third of the images (stage-ii rows written
# with SQL, as mlfy serve would; the script runs on both backends)
n_images=6000
[ "$BACKEND" = sqlite ] || n_images=2000
python3 - "$n_images" <<'PY'
import os, struct, sys, zlib
def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
open("classes.txt", "w").write("".join("class%d\n" % c for c in range(10)))
for c in range(10):
    os.makedirs("src/class%d" % c)
for i in range(int(sys.argv[1])):
    raw = b"".join(b"\0" + bytes([(i >> 8) & 255, i & 255, y, i % 10]) for y in range(4))
    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 0, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    open("src/class%d/img%05d.png" % (i % 10, i), "wb").write(png)
PY
project_new base
"$MLFY" init "$(project base)" --classes classes.txt >/dev/null
"$MLFY" add-images "$(project base)" src --batches 3 --quiet >/dev/null
sql_script base <<'SQL' || fail "fixture: stage-ii rows"
BEGIN;
INSERT INTO annotators(name, role, created_at) VALUES
  ('a1', 'annotator', '2026-01-01T00:00:00Z'), ('a2', 'annotator', '2026-01-01T00:00:00Z');
INSERT INTO assignments(batch, annotator_id, assigned_at)
  SELECT DISTINCT i.batch, a.id, '2026-01-01T00:00:00Z' FROM images i, annotators a;
INSERT INTO annotations(image_id, annotator_id, stage, version, comment, seconds, created_at)
  SELECT i.id, a.id, 'annotate', 1, '', 2.5, '2026-01-01T00:00:00Z' FROM images i, annotators a;
-- a1 always picks the original label; a2 too, plus a second class on every third image
INSERT INTO annotation_labels(annotation_id, class_idx, source)
  SELECT n.id, i.original_label, 'proposal' FROM annotations n JOIN images i ON i.id = n.image_id;
INSERT INTO annotation_labels(annotation_id, class_idx, source)
  SELECT n.id, (i.original_label + 1) % 10, 'proposal' FROM annotations n JOIN images i ON i.id = n.image_id
  JOIN annotators u ON u.id = n.annotator_id WHERE u.name = 'a2' AND i.id % 3 = 0;
COMMIT;
SQL

# every row of final_status (1), final_labels (2) and refinement_queue (3),
# as one digest
review_digest() {
	rows "$1" "SELECT 1, image_id, 0, stage FROM final_status
	  UNION ALL SELECT 2, image_id, class_idx, '' FROM final_labels
	  UNION ALL SELECT 3, image_id, 0, rule || '/' || reason FROM refinement_queue ORDER BY 1, 2, 3" |
		sha256sum | cut -d' ' -f1
}
project_copy base ref_paper
t0=$(now_ms)
"$MLFY" analyze "$(project ref_paper)" >/dev/null
t_an=$(($(now_ms) - t0))
project_copy ref_paper ref_major
t0=$(now_ms)
"$MLFY" analyze "$(project ref_major)" --rule majority >/dev/null
t_re=$(($(now_ms) - t0))
echo "reference runs ($BACKEND): analyze ${t_an} ms, re-analysis ${t_re} ms"
declare -A before after start cmdrule t
before[first]=$(review_digest base); after[first]=$(review_digest ref_paper)
before[rerule]=$(review_digest ref_paper); after[rerule]=$(review_digest ref_major)
start[first]=base; start[rerule]=ref_paper
cmdrule[first]=paper; cmdrule[rerule]=majority
t[first]=$t_an; t[rerule]=$t_re   # random kills within each one's duration
for k in first rerule; do [ "${before[$k]}" != "${after[$k]}" ] || fail "scenario $k changes nothing"; done

n_killed=0 n_before=0 n_after=0
for ((i = 0; i < CYCLES; i++)); do
	for scenario in first rerule; do
		project_copy "${start[$scenario]}" p
		if ((i % 2 == 0)); then when=random:$((t[$scenario] + 20)); else when=write:20; fi
		kill_during "$(project p)" "$when" "$MLFY" analyze "$(project p)" --rule "${cmdrule[$scenario]}"
		n_killed=$((n_killed + KILLED))
		check_project p
		got=$(review_digest p)
		if [ "$got" = "${before[$scenario]}" ]; then n_before=$((n_before + 1))
		elif [ "$got" = "${after[$scenario]}" ]; then n_after=$((n_after + 1))
		else fail "cycle $i, $scenario, killed at $KILL_AT ms ($when): neither unchanged nor complete"; fi
		"$MLFY" analyze "$(project p)" --rule "${cmdrule[$scenario]}" >"$WORK/rerun.out" 2>&1 ||
			fail "cycle $i, $scenario: re-run failed: $(cat "$WORK/rerun.out")"
		[ "$(review_digest p)" = "${after[$scenario]}" ] || fail "cycle $i, $scenario: re-run differs from the reference"
	done
done
total=$((CYCLES * 2))
echo "kill_analyze ($BACKEND): $total kills ($n_killed while it ran); afterwards $n_before unchanged, $n_after complete; re-runs matched"
[ $n_killed -ge $((total / 2)) ] || fail "only $n_killed of $total kills hit a running analyze"
