#!/usr/bin/env python3
"""save_clients.py - the clients of tests/crash/kill_serve.sh: N annotators
saving annotations against `mlfy serve` while the server is killed and
restarted under them.

usage: save_clients.py BASE USERS STOPFILE LOG [SEED]
  BASE      http://127.0.0.1:PORT
  USERS     comma-separated annotator names (password NAME-password-1)
  STOPFILE  the clients stop once this file exists
  LOG       every acknowledged save (HTTP 200 received) is appended as one
            JSON line {"user","image","version","labels","comment"} and
            flushed before the next request

Each client logs in (retrying while the server is down), then repeatedly
picks one of its images, reads its current version (GET /api/tasks/<id>),
and saves a random label set and a unique comment based on that version.
A 409 (stale) or a lost connection makes it read the version again; a
save whose reply never arrived is not logged (it may or may not be
stored: both are correct).  Standard library only."""
import http.client
import json
import os
import random
import sys
import threading
import time


def main():
    base, users, stopfile, logpath = sys.argv[1:5]
    seed = int(sys.argv[5]) if len(sys.argv) > 5 else 0
    host, port = base.split("//")[1].split(":")
    port = int(port)
    loglock = threading.Lock()
    log = open(logpath, "a", buffering=1)
    stats = {"acked": 0, "conflicts": 0, "lost": 0}

    def call(conn_box, method, path, body=None, headers=None):
        """One request; (status, json body, headers) or None when the
        server is unreachable or the connection dropped."""
        try:
            if conn_box[0] is None:
                conn_box[0] = http.client.HTTPConnection(host, port, timeout=10)
            c = conn_box[0]
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            data = r.read()
            try:
                j = json.loads(data) if data else None
            except ValueError:
                j = None
            return r.status, j, r.getheader("Set-Cookie")
        except (OSError, http.client.HTTPException):
            try:
                if conn_box[0]:
                    conn_box[0].close()
            except OSError:
                pass
            conn_box[0] = None
            return None

    def client(user, rnd):
        box = [None]
        cookie = csrf = None
        ids = []
        while not os.path.exists(stopfile):
            if cookie is None:
                r = call(box, "POST", "/api/login", json.dumps({"user": user, "password": user + "-password-1"}),
                         {"Content-Type": "application/json"})
                if r is None or r[0] != 200:
                    time.sleep(0.05)
                    continue
                cookie = r[2].split(";")[0]
                csrf = r[1]["csrf"]
            hdr = {"Cookie": cookie}
            if not ids:
                r = call(box, "GET", "/api/tasks", headers=hdr)
                if r is None or r[0] != 200:
                    time.sleep(0.05)
                    continue
                ids = r[1]["ids"]
            image = rnd.choice(ids)
            r = call(box, "GET", "/api/tasks/%d" % image, headers=hdr)
            if r is None or r[0] != 200:
                time.sleep(0.05)
                continue
            ann = r[1].get("annotation")
            version = ann["version"] if ann else 0
            classes = [p["class"] for p in r[1]["proposals"]]
            labels = sorted(rnd.sample(classes, rnd.randint(0, min(4, len(classes)))))
            comment = "%s saves image %d over v%d (%08x) ünïcødé" % (user, image, version, rnd.getrandbits(32))
            body = json.dumps({"stage": "annotate", "base_version": version, "comment": comment,
                               "seconds": rnd.random() * 10,
                               "labels": [{"class": c, "source": "proposal"} for c in labels]})
            r = call(box, "PUT", "/api/tasks/%d/annotation" % image, body,
                     dict(hdr, **{"Content-Type": "application/json", "X-CSRF-Token": csrf}))
            if r is None:
                stats["lost"] += 1
                continue
            if r[0] == 200:
                with loglock:
                    log.write(json.dumps({"user": user, "image": image, "version": r[1]["version"],
                                          "labels": labels, "comment": comment}) + "\n")
                    log.flush()
                    os.fsync(log.fileno())
                    stats["acked"] += 1
            elif r[0] == 409:
                stats["conflicts"] += 1
            elif r[0] == 401:
                cookie = None
            else:
                print("unexpected %d for %s: %s" % (r[0], user, r[1]), file=sys.stderr)
                sys.exit(1)

    threads = [threading.Thread(target=client, args=(u, random.Random(seed * 1000 + i)))
               for i, u in enumerate(users.split(","))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print("clients: %(acked)d acknowledged saves, %(conflicts)d conflicts, %(lost)d replies lost" % stats)


if __name__ == "__main__":
    main()
