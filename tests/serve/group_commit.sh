#!/usr/bin/env bash
# group_commit.sh - saves go through the committer (src/serve/commit.h):
# while another process holds the project's write lock, the saves of a
# one-thread server wait suspended and a task view on another connection is
# answered at once (before group commit the one worker thread sat in the
# save's lock wait, up to the 10 s busy timeout); two saves of one image
# from two tabs with the same base version get one 200 and one 409 with the
# newer version; SIGTERM with saves queued commits and answers every one of
# them before the server exits; every acknowledged save is stored exactly.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
command -v python3 >/dev/null || { echo "skipping: python3 not installed"; exit 77; }

tmp=$(mktemp -d)
trap 'serve_cleanup; rm -rf "$tmp"' EXIT
serve_setup "$tmp" synthetic 12
serve_start --threads 1

python3 - "$BASE" "$PROJECT" "$SERVE_PID" "$tmp/acked.json" <<'EOF' || die "the group commit checks failed"
import http.client, json, os, signal, sqlite3, sys, threading, time
base, project, pid, acked_path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
host, port = base.split("//")[1].split(":")
port = int(port)

def call(method, path, body=None, hdr=None):
    c = http.client.HTTPConnection(host, port, timeout=30)
    c.request(method, path, body=body, headers=hdr or {})
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, (json.loads(data) if data else None), r.getheader("Set-Cookie")

sess = {}
for u in ("ann1", "ann2"):
    st, j, ck = call("POST", "/api/login", json.dumps({"user": u, "password": u + "-password-1"}),
                     {"Content-Type": "application/json"})
    assert st == 200, (u, st, j)
    sess[u] = {"Cookie": ck.split(";")[0], "X-CSRF-Token": j["csrf"], "Content-Type": "application/json"}
db = sqlite3.connect(project, isolation_level=None, timeout=0)
imgs = [r[0] for r in db.execute("SELECT id FROM images ORDER BY id LIMIT 3")]

# (user, image, comment): two tabs of ann1 save image 3 from version 0
saves = [("ann1", imgs[0], "a1-i1"), ("ann2", imgs[0], "a2-i1"), ("ann1", imgs[1], "a1-i2"),
         ("ann2", imgs[1], "a2-i2"), ("ann1", imgs[2], "tab-1"), ("ann1", imgs[2], "tab-2")]
results = [None] * len(saves)

def save(k):
    u, img, comment = saves[k]
    body = json.dumps({"stage": "annotate", "base_version": 0, "labels": [], "comment": comment, "seconds": 1})
    try:
        results[k] = call("PUT", "/api/tasks/%d/annotation" % img, body, sess[u])[:2]
    except OSError as e:
        results[k] = ("error", str(e))

db.execute("BEGIN IMMEDIATE")   # the project's write lock, held by another process
threads = [threading.Thread(target=save, args=(k,)) for k in range(len(saves))]
for t in threads:
    t.start()
time.sleep(0.5)
assert all(r is None for r in results), "a save was answered while the write lock was held: %s" % results
# the one worker thread is free: a task view on another connection answers
t0 = time.monotonic()
st, j, _ = call("GET", "/api/tasks/%d" % imgs[0], hdr={"Cookie": sess["ann2"]["Cookie"]})
waited = time.monotonic() - t0
assert st == 200, (st, j)
assert waited < 1.5, "the task view waited %.2f s behind the suspended saves" % waited
print("task view answered in %.0f ms while %d saves waited for the write lock" % (waited * 1e3, len(saves)))

# SIGTERM with the saves queued: the server must commit and answer them
os.kill(pid, signal.SIGTERM)
time.sleep(0.5)
os.kill(pid, 0)   # still running: it waits for the queued saves
assert all(r is None for r in results), "answered before the lock was released: %s" % results
db.execute("ROLLBACK")
for t in threads:
    t.join(30)
print("answers:", [(saves[k][0], saves[k][2], r[0]) for k, r in enumerate(results)])
for k in range(4):
    assert results[k][0] == 200 and results[k][1]["version"] == 1, (saves[k], results[k])
tabs = sorted([results[4], results[5]], key=lambda r: r[0])
assert tabs[0][0] == 200 and tabs[0][1]["version"] == 1, tabs
assert tabs[1][0] == 409 and tabs[1][1]["annotation"]["version"] == 1, tabs
winner = saves[4][2] if results[4][0] == 200 else saves[5][2]
assert tabs[1][1]["annotation"]["comment"] == winner, (tabs, winner)
json.dump([[saves[k][0], saves[k][1], saves[k][2]] for k, r in enumerate(results) if r[0] == 200],
          open(acked_path, "w"))
EOF
rc=0
wait "$SERVE_PID" || rc=$?
SERVE_PID=
[ "$rc" = 0 ] || { cat "$tmp/serve.err" >&2; die "mlfy serve exited with status $rc after SIGTERM"; }
grep -q 'group commit: 6 writes in' "$tmp/serve.err" || { cat "$tmp/serve.err" >&2; die "no group commit summary"; }
python3 - "$PROJECT" "$tmp/acked.json" <<'EOF' || die "acknowledged saves are not stored exactly"
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = db.execute("""SELECT u.name, a.image_id, a.comment, a.version FROM annotations a
                     JOIN annotators u ON u.id = a.annotator_id""").fetchall()
acked = json.load(open(sys.argv[2]))
assert sorted((u, i, c, 1) for u, i, c in acked) == sorted(rows), (acked, rows)
print("stored exactly the %d acknowledged saves" % len(rows))
EOF
echo "group_commit: ok"
