#!/usr/bin/env bash
# kill_pg.sh - kill -9 of `mlfy init`, `mlfy add-images` and `mlfy
# import-predictions` on a PostgreSQL project (a postgresql:// URI), at
# random moments.  After every kill: the database holds either no project
# (init) / the project exactly as before, or exactly the complete result
# (compared with a reference run); `mlfy check` passes on any project left;
# simply running the command again completes and gives the reference
# result.  Each cycle starts from a copy made with CREATE DATABASE ...
# TEMPLATE.  Needs MLFY_TEST_PG (the socket folder of
# scripts/pg-test-cluster; CTest's pg/crash/kill_pg sets it).  Cycles:
# $MLFY_CRASH_CYCLES per scenario.  docs/crash-consistency.md.
[ -n "${MLFY_TEST_PG:-}" ] || { echo "skipping: MLFY_TEST_PG unset (run as ctest -L pg: pg/crash/kill_pg)"; exit 77; }
command -v psql >/dev/null || { echo "skipping: psql not installed"; exit 77; }
. "$(dirname "$0")/lib.sh"

DBS=()
pg_cleanup() {
	local d
	cleanup
	for d in "${DBS[@]}"; do
		psql -X -q -h "$MLFY_TEST_PG" -U postgres -d postgres -c "DROP DATABASE IF EXISTS $d WITH (FORCE)" >/dev/null 2>&1 || true
	done
}
trap pg_cleanup EXIT
export PGOPTIONS="-c client_min_messages=warning"
psql_() { psql -X -q -v ON_ERROR_STOP=1 -h "$MLFY_TEST_PG" -U postgres "$@"; }
uri() { echo "postgresql:///$1?host=$MLFY_TEST_PG&user=postgres"; }
P=kp$$
# db_from NAME [TEMPLATE]: a fresh database NAME (a copy of TEMPLATE)
db_from() {
	psql_ -d postgres -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" -c "CREATE DATABASE $1${2:+ TEMPLATE $2}" >/dev/null
	DBS+=("$1")
}
pgq() { psql -X -qAt -h "$MLFY_TEST_PG" -U postgres -d "$1" -c "$2"; }

# ---- fixture: 1,000 classes, 600 small PNGs in 10 class folders, logits
python3 - <<'PY'
import os, random, struct, zlib
def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
open("classes.txt", "w").write("".join("class%04d\n" % c for c in range(1000)))
for c in range(10):
    os.makedirs("src/class%04d" % c)
for i in range(600):
    c = i % 10
    raw = b"".join(b"\0" + bytes([(i >> 8) & 255, i & 255, y, c]) for y in range(4))
    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 0, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    open("src/class%04d/image-%05d.png" % (c, i), "wb").write(png)
random.seed(1)
n, k = 600, 1000
d = "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d), }" % (n, k)
pad = (64 - (10 + len(d) + 1) % 64) % 64
hdr = (d + " " * pad + "\n").encode()
with open("new.npy", "wb") as f:
    f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(hdr)) + hdr)
    f.write(struct.pack("<%df" % (n * k), *[random.gauss(0, 3) for _ in range(n * k)]))
PY

images_digest() {
	pgq "$1" "SELECT count(*) || ':' || coalesce(md5(string_agg(name || '|' || batch || '|' || sha256 || '|' ||
		coalesce(original_label::text, '-') || '|' || width || 'x' || height, ';' ORDER BY name)), '')
		FROM images"
}
proposals_digest() {
	pgq "$1" "SELECT count(*) || ':' || coalesce(md5(string_agg(i.name || '|' || m.name || '|' || p.rank || '|' ||
		p.class_idx || '|' || round(p.score::numeric, 6), ';' ORDER BY i.name, m.name, p.rank)), '')
		FROM proposals p JOIN images i ON i.id = p.image_id JOIN models m ON m.id = p.model_id"
}
tables() { pgq "$1" "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()"; }
check_pg() {
	"$MLFY" check "$(uri "$1")" >"$WORK/check.out" 2>&1 || fail "$1: mlfy check: $(cat "$WORK/check.out")"
}

# ---- reference runs
db_from ${P}_empty
t0=$(now_ms)
"$MLFY" init "$(uri ${P}_empty)" --classes classes.txt >/dev/null || fail "init"
t_init=$(($(now_ms) - t0))
n_tables=$(tables ${P}_empty)
[ "$n_tables" -gt 10 ] || fail "init made $n_tables tables"
db_from ${P}_ref_img ${P}_empty
t0=$(now_ms)
"$MLFY" add-images "$(uri ${P}_ref_img)" src --quiet >/dev/null || fail "add-images"
t_add=$(($(now_ms) - t0))
db_from ${P}_ref_pred ${P}_ref_img
t0=$(now_ms)
"$MLFY" import-predictions "$(uri ${P}_ref_pred)" --model m --top 20 --quiet new.npy >/dev/null || fail "import-predictions"
t_pred=$(($(now_ms) - t0))
echo "reference runs on PostgreSQL: init ${t_init} ms, add-images ${t_add} ms, import-predictions ${t_pred} ms"
declare -A before after
before[img]=$(images_digest ${P}_empty)
after[img]=$(images_digest ${P}_ref_img)
before[pred]=$(proposals_digest ${P}_ref_img)
after[pred]=$(proposals_digest ${P}_ref_pred)
for k in img pred; do
	[ "${before[$k]}" != "${after[$k]}" ] || fail "scenario $k: the command changes nothing (fixture error)"
done

# ---- the cycles
n_killed=0 n_before=0 n_after=0
for ((i = 0; i < CYCLES; i++)); do
	# init: no project at all, or the whole of it
	db_from ${P}_p
	kill_during /dev/null "random:$((t_init + 20))" "$MLFY" init "$(uri ${P}_p)" --classes classes.txt
	n_killed=$((n_killed + KILLED))
	n=$(tables ${P}_p)
	if [ "$n" = 0 ]; then
		n_before=$((n_before + 1))
	elif [ "$n" = "$n_tables" ] && [ "$(pgq ${P}_p 'SELECT count(*) FROM classes')" = 1000 ]; then
		n_after=$((n_after + 1))
		check_pg ${P}_p
		db_from ${P}_p   # start the re-run from an empty database again
	else
		fail "cycle $i, init killed at $KILL_AT ms: $n tables (neither none nor $n_tables)"
	fi
	"$MLFY" init "$(uri ${P}_p)" --classes classes.txt >"$WORK/rerun.out" 2>&1 ||
		fail "cycle $i, init: re-run failed: $(cat "$WORK/rerun.out")"
	check_pg ${P}_p
	for scenario in img pred; do
		case $scenario in
		img) start=${P}_empty digest=images_digest cmd=(add-images "$(uri ${P}_p)" src --quiet) t=$t_add ;;
		pred) start=${P}_ref_img digest=proposals_digest
			cmd=(import-predictions "$(uri ${P}_p)" --model m --top 20 --quiet new.npy) t=$t_pred ;;
		esac
		db_from ${P}_p "$start"
		kill_during /dev/null "random:$((t + 20))" "$MLFY" "${cmd[@]}"
		n_killed=$((n_killed + KILLED))
		check_pg ${P}_p
		got=$($digest ${P}_p)
		if [ "$got" = "${before[$scenario]}" ]; then
			n_before=$((n_before + 1))
		elif [ "$got" = "${after[$scenario]}" ]; then
			n_after=$((n_after + 1))
		else
			fail "cycle $i, $scenario, killed at $KILL_AT ms: the project is neither unchanged nor complete ($got)"
		fi
		"$MLFY" "${cmd[@]}" >"$WORK/rerun.out" 2>&1 || fail "cycle $i, $scenario: re-run failed: $(cat "$WORK/rerun.out")"
		[ "$($digest ${P}_p)" = "${after[$scenario]}" ] || fail "cycle $i, $scenario: re-run differs from the reference"
		check_pg ${P}_p
	done
done
total=$((CYCLES * 3))
echo "kill_pg: $total kills ($n_killed while the command ran); afterwards $n_before unchanged, $n_after complete;"
echo "kill_pg: every re-run completed and matched the reference"
[ $n_killed -ge $((total / 2)) ] || fail "only $n_killed of $total kills hit a running command"
