# kill_cli.sh - kill -9 during `mlfy add-images` and `mlfy import-predictions`
# (also re-importing a model over its old proposals), at random moments and
# while SQLite writes the transaction.  After every kill: integrity and
# foreign-key checks pass, and the project is either exactly as before or
# exactly as after a complete run (compared row by row with a reference
# run); then the same command, simply re-run, completes and gives the
# reference result.  Cycles: $MLFY_CRASH_CYCLES per scenario (default 10;
# `make crash-test` runs 100).  docs/crash-consistency.md.
. "$(dirname "$0")/lib.sh"

# ---- fixture: 100 classes, 2,000 small PNGs in 10 class folders, logits
python3 - <<'PY'
import os, random, struct, zlib
def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
open("classes.txt", "w").write("".join("class%03d\n" % c for c in range(100)))
for c in range(10):
    os.makedirs("src/class%03d" % c)
    os.makedirs("half/class%03d" % c)
for i in range(2000):
    c = i % 10
    raw = b"".join(b"\0" + bytes([(i >> 8) & 255, i & 255, y, c]) for y in range(4))
    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 0, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    name = "class%03d/image-%05d.png" % (c, i)
    open("src/" + name, "wb").write(png)
    if i < 1000:
        os.link("src/" + name, "half/" + name)
def npy(path, seed, n=2000, c=100):
    random.seed(seed)
    d = "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d), }" % (n, c)
    pad = (64 - (10 + len(d) + 1) % 64) % 64
    hdr = (d + " " * pad + "\n").encode()
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(hdr)) + hdr)
        f.write(struct.pack("<%df" % (n * c), *[random.gauss(0, 3) for _ in range(n * c)]))
npy("new.npy", 1)
npy("old.npy", 2)
PY

images_digest() {
	sql "$1" "SELECT count(*) || ':' || ifnull(sha1, '') FROM (SELECT group_concat(name || '|' || batch || '|' ||
		sha256 || '|' || ifnull(original_label, '-') || '|' || width || 'x' || height, ';') AS sha1
		FROM (SELECT * FROM images ORDER BY name))"
}
proposals_digest() {
	sql "$1" "SELECT (SELECT group_concat(name || '=' || source_kind, ',') FROM (SELECT m.name,
		ifnull(m.kind, '') AS source_kind FROM models m ORDER BY m.name)) || '#' || count(*) || ':' ||
		ifnull(group_concat(line, ';'), '') FROM (SELECT i.name || '|' || p.rank || '|' || p.class_idx || '|' ||
		printf('%.6f', p.score) AS line FROM proposals p JOIN images i ON i.id = p.image_id
		ORDER BY i.name, p.model_id, p.rank)"
}

"$MLFY" init empty.mlfy --classes classes.txt >/dev/null
copy_project empty.mlfy half.mlfy
"$MLFY" add-images half.mlfy half --quiet >/dev/null
copy_project empty.mlfy ref_empty.mlfy
t0=$(now_ms)
"$MLFY" add-images ref_empty.mlfy src --quiet >/dev/null
t_add=$(($(now_ms) - t0))
copy_project half.mlfy ref_half.mlfy
"$MLFY" add-images ref_half.mlfy src --quiet >/dev/null
copy_project ref_empty.mlfy old.mlfy
"$MLFY" import-predictions old.mlfy --model m --top 20 --quiet old.npy >/dev/null
copy_project ref_empty.mlfy ref_pred.mlfy
t0=$(now_ms)
"$MLFY" import-predictions ref_pred.mlfy --model m --top 20 --quiet new.npy >/dev/null
t_pred=$(($(now_ms) - t0))
copy_project old.mlfy ref_repl.mlfy
"$MLFY" import-predictions ref_repl.mlfy --model m --top 20 --quiet new.npy >/dev/null
echo "reference runs: add-images ${t_add} ms, import-predictions ${t_pred} ms"

declare -A before after
before[empty]=$(images_digest empty.mlfy)
after[empty]=$(images_digest ref_empty.mlfy)
before[half]=$(images_digest half.mlfy)
after[half]=$(images_digest ref_half.mlfy)
before[pred]=$(proposals_digest ref_empty.mlfy)
after[pred]=$(proposals_digest ref_pred.mlfy)
before[repl]=$(proposals_digest old.mlfy)
after[repl]=$(proposals_digest ref_repl.mlfy)
[ "${after[pred]}" = "${after[repl]}" ] || fail "re-import does not give the same proposals as a first import"
for k in empty half pred repl; do
	[ "${before[$k]}" != "${after[$k]}" ] || fail "scenario $k: the command changes nothing (fixture error)"
done

# ---- the cycles
n_killed=0 n_before=0 n_after=0
for ((i = 0; i < CYCLES; i++)); do
	for scenario in empty half pred repl; do
		case $scenario in
		empty | half)
			start=$scenario.mlfy digest=images_digest
			cmd=(add-images p.mlfy src --quiet) t=$t_add ;;
		pred)
			start=ref_empty.mlfy digest=proposals_digest
			cmd=(import-predictions p.mlfy --model m --top 20 --quiet new.npy) t=$t_pred ;;
		repl)
			start=old.mlfy digest=proposals_digest
			cmd=(import-predictions p.mlfy --model m --top 20 --quiet new.npy) t=$t_pred ;;
		esac
		copy_project "$start" p.mlfy
		# even cycles: a uniform moment of the run; odd: while the WAL grows
		if ((i % 2 == 0)); then when=random:$((t + 20)); else when=write:20; fi
		kill_during p.mlfy "$when" "$MLFY" "${cmd[@]}"
		n_killed=$((n_killed + KILLED))
		check_integrity p.mlfy
		got=$($digest p.mlfy)
		if [ "$got" = "${before[$scenario]}" ]; then
			n_before=$((n_before + 1))
		elif [ "$got" = "${after[$scenario]}" ]; then
			n_after=$((n_after + 1))
		else
			fail "cycle $i, $scenario, killed at $KILL_AT ms ($when): the project is neither unchanged nor complete"
		fi
		# simply re-run: completes and equals the reference
		"$MLFY" "${cmd[@]}" >"$WORK/rerun.out" 2>&1 || fail "cycle $i, $scenario: re-run failed: $(cat "$WORK/rerun.out")"
		[ "$($digest p.mlfy)" = "${after[$scenario]}" ] || fail "cycle $i, $scenario: re-run differs from the reference"
		check_integrity p.mlfy
	done
done
total=$((CYCLES * 4))
echo "kill_cli: $total kills ($n_killed while the command ran); afterwards $n_before unchanged, $n_after complete;"
echo "kill_cli: every re-run completed and matched the reference"
# a run where no kill hit a running command would prove nothing
[ $n_killed -ge $((total / 2)) ] || fail "only $n_killed of $total kills hit a running command"
