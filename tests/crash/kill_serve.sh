# kill_serve.sh - acknowledged saves survive kill -9 (issue 7 item 1).
# `mlfy serve` runs on a project while 8 annotators save concurrently
# (save_clients.py: read the current version, save a random label set and
# a unique comment, log each save whose 200 reply arrived); the server is
# killed with SIGKILL at random moments and restarted on the same port,
# $MLFY_CRASH_CYCLES times (default 10; `make crash-test` 100).  Then:
# PRAGMA integrity_check and foreign_key_check pass; every acknowledged
# save is in the store as that annotator's version of that image with
# exactly the labels and comment sent; every annotator's history of every
# image is versions 1..n without gaps, each version stored once.  The
# project is a SQLite file, or with MLFY_TEST_PG set (CTest's
# pg/crash/kill_serve) a PostgreSQL database; the integrity check is then
# `mlfy check` (lib.sh).
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
command -v python3 >/dev/null || { echo "skipped: python3"; exit 77; }
FIXTURE="$(dirname "$MLFY")/mlfy-fixture"

# the project of tests/serve/lib.sh's `serve_setup DIR synthetic 48`, on
# either backend
project_new p
PROJECT=$(project p)
"$FIXTURE" synthetic "$PROJECT" "$WORK/img" --images 48 --classes 40 --batch-size 6 \
	--exemplars 10 --image-files 12 --exemplar-classes 8 >/dev/null || fail "fixture"
"$FIXTURE" users "$PROJECT" ann1:annotator ann2:annotator ann3:annotator expert:expert admin:admin ||
	fail "mlfy-fixture users"
"$MLFY" assign "$PROJECT" --per-image 2 --annotators ann1,ann2 >/dev/null || fail "assign"
users=()
for i in 1 2 3 4 5 6 7 8; do
	printf 'c%d-password-1\n' "$i" >"$WORK/pw"
	"$MLFY" user add "$PROJECT" "c$i" --role annotator --password-file "$WORK/pw" >/dev/null || fail "user add c$i"
	users+=("c$i")
done
"$MLFY" assign "$PROJECT" --per-image 8 --annotators "$(IFS=,; echo "${users[*]}")" >/dev/null || fail "assign"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

start_server() {
	local i
	"$MLFY" serve "$PROJECT" --listen "127.0.0.1:$port" --threads 4 --no-access-log --cache "$WORK/cache" \
		>"$WORK/serve.out" 2>>"$WORK/serve.err" &
	SERVE_PID=$!
	BG_PIDS+=("$SERVE_PID")
	for i in $(seq 1 200); do
		grep -q 'listening on' "$WORK/serve.out" 2>/dev/null && return 0
		kill -0 "$SERVE_PID" 2>/dev/null || break
		sleep 0.05
	done
	cat "$WORK/serve.err" >&2
	fail "mlfy serve did not (re)start on port $port"
}

start_server
python3 "$here/save_clients.py" "http://127.0.0.1:$port" "$(IFS=,; echo "${users[*]}")" \
	"$WORK/stop" "$WORK/acked.jsonl" "${MLFY_CRASH_SEED:-$$}" >"$WORK/clients.out" 2>&1 &
clients=$!
BG_PIDS+=("$clients")
sleep 1
for ((i = 0; i < CYCLES; i++)); do
	sleep_ms $((100 + RANDOM % 900))
	kill -9 "$SERVE_PID"
	wait "$SERVE_PID" 2>/dev/null || true
	kill -0 "$clients" 2>/dev/null || { cat "$WORK/clients.out"; fail "the clients stopped early"; }
	start_server
done
# let the clients reach enough acknowledged saves for the check to mean
# something, however slow this machine is (at most 90 s more)
for _ in $(seq 1 900); do
	[ "$(wc -l < "$WORK/acked.jsonl" 2>/dev/null || echo 0)" -ge $((10 * (CYCLES > 0 ? CYCLES : 1) + 20)) ] && break
	sleep 0.1
done
touch "$WORK/stop"
wait "$clients" || { cat "$WORK/clients.out"; fail "the clients failed"; }
cat "$WORK/clients.out"
kill -TERM "$SERVE_PID"
wait "$SERVE_PID" || fail "mlfy serve did not stop cleanly after SIGTERM"

check_project p
# the stored saves (the comment last: it is the one free text) and labels
rows p "SELECT u.name, a.image_id, a.version, a.id, a.comment FROM annotations a
	JOIN annotators u ON u.id = a.annotator_id WHERE a.stage = 'annotate'" >"$WORK/annotations.txt"
rows p "SELECT annotation_id, class_idx FROM annotation_labels" >"$WORK/labels.txt"
python3 - "$WORK/annotations.txt" "$WORK/labels.txt" "$WORK/acked.jsonl" "$CYCLES" "$BACKEND" <<'PY'
import json, sys
ann_path, labels_path, acked_path, cycles, backend = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
labels = {}
for line in open(labels_path, encoding="utf-8"):
    aid, cls = line.rstrip("\n").split("|")
    labels.setdefault(int(aid), []).append(int(cls))
stored = {}
for line in open(ann_path, encoding="utf-8"):
    u, img, v, aid, comment = line.rstrip("\n").split("|", 4)
    stored[(u, int(img), int(v))] = (comment, sorted(labels.get(int(aid), [])))
errors = []
acked = [json.loads(l) for l in open(acked_path)]
for a in acked:
    key = (a["user"], a["image"], a["version"])
    if key not in stored:
        errors.append("acknowledged save missing: %s" % (key,))
    elif stored[key] != (a["comment"], sorted(a["labels"])):
        errors.append("acknowledged save %s stored as %s, sent %s" % (key, stored[key], (a["comment"], a["labels"])))
hist = {}
for u, img, v in stored:
    hist.setdefault((u, img), []).append(v)
for k, vs in hist.items():
    if sorted(vs) != list(range(1, len(vs) + 1)):
        errors.append("history of %s has versions %s" % (k, sorted(vs)))
if len(acked) < 10 * max(cycles, 1):
    errors.append("only %d acknowledged saves: the test proved little" % len(acked))
for e in errors[:20]:
    print("FAIL:", e)
print("kill_serve (%s): %d server kills; %d acknowledged saves all stored exactly; %d versions in %d histories, no gaps"
      % (backend, cycles, len(acked), len(stored), len(hist)))
sys.exit(1 if errors else 0)
PY
