# kill_analyze.sh - kill -9 during `mlfy analyze` (stage iii: final labels
# for agreeing images, the refinement queue for the others), at random
# moments and while SQLite writes; also during a re-analysis with another
# rule, which moves images between "agreed" and the queue.  After every
# kill: integrity checks pass and final_status, final_labels and
# refinement_queue are exactly as before or exactly as after a complete
# run; the re-run completes and matches the reference.  Cycles:
# $MLFY_CRASH_CYCLES per scenario (default 10).  docs/crash-consistency.md.
. "$(dirname "$0")/lib.sh"

# ---- fixture: 10 classes, 6,000 images, two annotators who disagree on a
# third of the images (stage-ii rows written with SQL, as mlfy serve would)
python3 - <<'PY'
import os, struct, zlib
def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
open("classes.txt", "w").write("".join("class%d\n" % c for c in range(10)))
for c in range(10):
    os.makedirs("src/class%d" % c)
for i in range(6000):
    raw = b"".join(b"\0" + bytes([(i >> 8) & 255, i & 255, y, i % 10]) for y in range(4))
    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 0, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    open("src/class%d/img%05d.png" % (i % 10, i), "wb").write(png)
PY
"$MLFY" init base.mlfy --classes classes.txt >/dev/null
"$MLFY" add-images base.mlfy src --batches 3 --quiet >/dev/null
sqlite3 base.mlfy <<'SQL'
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

review_digest() {
	sql "$1" "SELECT
	  (SELECT count(*) || ':' || ifnull(group_concat(x, ';'), '') FROM (SELECT image_id || '=' || stage AS x
	     FROM final_status ORDER BY image_id)) || '#' ||
	  (SELECT count(*) || ':' || ifnull(group_concat(x, ';'), '') FROM (SELECT image_id || '=' || class_idx AS x
	     FROM final_labels ORDER BY image_id, class_idx)) || '#' ||
	  (SELECT count(*) || ':' || ifnull(group_concat(x, ';'), '') FROM (SELECT image_id || '=' || rule || '/' ||
	     reason AS x FROM refinement_queue ORDER BY image_id))"
}
copy_project base.mlfy ref_paper.mlfy
t0=$(now_ms)
"$MLFY" analyze ref_paper.mlfy >/dev/null
t_an=$(($(now_ms) - t0))
copy_project ref_paper.mlfy ref_major.mlfy
"$MLFY" analyze ref_major.mlfy --rule majority >/dev/null
echo "reference runs: analyze ${t_an} ms"
declare -A before after start cmdrule
before[first]=$(review_digest base.mlfy); after[first]=$(review_digest ref_paper.mlfy)
before[rerule]=$(review_digest ref_paper.mlfy); after[rerule]=$(review_digest ref_major.mlfy)
start[first]=base.mlfy; start[rerule]=ref_paper.mlfy
cmdrule[first]=paper; cmdrule[rerule]=majority
for k in first rerule; do [ "${before[$k]}" != "${after[$k]}" ] || fail "scenario $k changes nothing"; done

n_killed=0 n_before=0 n_after=0
for ((i = 0; i < CYCLES; i++)); do
	for scenario in first rerule; do
		copy_project "${start[$scenario]}" p.mlfy
		if ((i % 2 == 0)); then when=random:$((t_an + 20)); else when=write:20; fi
		kill_during p.mlfy "$when" "$MLFY" analyze p.mlfy --rule "${cmdrule[$scenario]}"
		n_killed=$((n_killed + KILLED))
		check_integrity p.mlfy
		got=$(review_digest p.mlfy)
		if [ "$got" = "${before[$scenario]}" ]; then n_before=$((n_before + 1))
		elif [ "$got" = "${after[$scenario]}" ]; then n_after=$((n_after + 1))
		else fail "cycle $i, $scenario, killed at $KILL_AT ms ($when): neither unchanged nor complete"; fi
		"$MLFY" analyze p.mlfy --rule "${cmdrule[$scenario]}" >"$WORK/rerun.out" 2>&1 ||
			fail "cycle $i, $scenario: re-run failed: $(cat "$WORK/rerun.out")"
		[ "$(review_digest p.mlfy)" = "${after[$scenario]}" ] || fail "cycle $i, $scenario: re-run differs from the reference"
	done
done
total=$((CYCLES * 2))
echo "kill_analyze: $total kills ($n_killed while it ran); afterwards $n_before unchanged, $n_after complete; re-runs matched"
[ $n_killed -ge $((total / 2)) ] || fail "only $n_killed of $total kills hit a running analyze"
