#!/usr/bin/env python3
"""annotator_client.py - simulated annotators for tests/serve/multi_instance.sh
and tests/cli/backup.sh: N people, one thread and one keep-alive connection
each, log in and run "load task -> save" cycles over their stage-ii tasks
through mlfy serve's HTTP API (as web/sync.js does), and log every save the
server acknowledged (200).  Not a test by itself.

  annotator_client.py BASE PREFIX N PASSWORD_SUFFIX ACKS [--seconds S] [--stop-file F]
                      [--password P]
      BASE http://HOST:PORT or https://... (any certificate accepted); users
      PREFIX1..PREFIXN, password NAME + PASSWORD_SUFFIX (or P for all of
      them); runs until S
      seconds passed (default 10) or file F exists; ACKS gets one line per
      acknowledged save, written as it arrives:
          {"t": UNIX_TIME_OF_THE_REPLY, "user", "image", "version", "labels"}
      Every failed request (a transport error, 502/503/504, ...) is retried
      on a fresh connection; a 409 (stale) makes the client reload the task.
      Prints one JSON line of counts (saves, conflicts, retried statuses).
Exit status 0 when every person logged in and saved at least once."""
import http.client
import json
import ssl
import sys
import threading
import time
import urllib.parse


def main():
    base, prefix, n, suffix, acks_path = sys.argv[1:6]
    n = int(n)
    opts = sys.argv[6:]
    seconds = float(opts[opts.index("--seconds") + 1]) if "--seconds" in opts else 10.0
    stop_file = opts[opts.index("--stop-file") + 1] if "--stop-file" in opts else None
    password = opts[opts.index("--password") + 1] if "--password" in opts else None
    u = urllib.parse.urlsplit(base)
    host, port = u.hostname, u.port or (443 if u.scheme == "https" else 80)
    host_header = u.netloc
    acks = open(acks_path, "w", buffering=1)
    lock = threading.Lock()
    deadline = time.time() + seconds
    counts = {"saves": 0, "conflicts": 0, "retries": {}, "people_saving": 0, "login_failures": 0}

    def stopped():
        if time.time() >= deadline:
            return True
        if stop_file:
            try:
                open(stop_file).close()
                return True
            except OSError:
                pass
        return False

    def person(i):
        name = "%s%d" % (prefix, i)
        state = {"conn": None, "cookie": None, "csrf": None}

        def call(method, path, body=None):
            """One request, retried until it gets a reply that is not a
            proxy or transport failure; returns (status, json)."""
            while True:
                if state["conn"] is None:
                    if u.scheme == "https":   # the test's own self-signed certificate
                        state["conn"] = http.client.HTTPSConnection(
                            host, port, timeout=30, context=ssl._create_unverified_context())
                    else:
                        state["conn"] = http.client.HTTPConnection(host, port, timeout=30)
                headers = {"Host": host_header}
                data = None
                if body is not None:
                    data = json.dumps(body).encode()
                    headers["Content-Type"] = "application/json"
                if state["cookie"]:
                    headers["Cookie"] = state["cookie"]
                if state["csrf"]:
                    headers["X-CSRF-Token"] = state["csrf"]
                try:
                    state["conn"].request(method, path, body=data, headers=headers)
                    r = state["conn"].getresponse()
                    raw = r.read()
                    status = r.status
                    cookie = r.getheader("Set-Cookie")
                except (OSError, http.client.HTTPException) as e:
                    status, raw, cookie = "transport:" + type(e).__name__, b"", None
                    state["conn"].close()
                    state["conn"] = None
                if status in (200, 400, 401, 403, 404, 409):
                    if cookie:
                        state["cookie"] = cookie.split(";")[0]
                    return status, json.loads(raw) if raw else None
                with lock:
                    k = str(status)
                    counts["retries"][k] = counts["retries"].get(k, 0) + 1
                if stopped() and status != 429:
                    return status, None
                time.sleep(0.5 if status in (429, 503) else 0.05)

        status, me = call("POST", "/api/login", {"user": name, "password": password or name + suffix})
        if status != 200:
            with lock:
                counts["login_failures"] += 1
            return
        state["csrf"] = me["csrf"]
        status, tl = call("GET", "/api/tasks?stage=annotate")
        if status != 200 or not tl.get("ids"):
            with lock:
                counts["login_failures"] += 1
            return
        ids, k, saved = tl["ids"], 0, 0
        while not stopped():
            image = ids[k % len(ids)]
            status, task = call("GET", "/api/tasks/%d?stage=annotate" % image)
            if status != 200:
                k += 1
                continue
            version = task["annotation"]["version"] if task.get("annotation") else 0
            props = [p["class"] for p in task["proposals"]]
            labels = [props[(k + version) % len(props)]] if props else []
            status, rep = call("PUT", "/api/tasks/%d/annotation" % image,
                               {"stage": "annotate", "base_version": version, "seconds": 1.0,
                                "labels": [{"class": c, "source": "proposal"} for c in labels]})
            if status == 200:
                line = json.dumps({"t": time.time(), "user": name, "image": image,
                                   "version": rep["version"], "labels": labels})
                with lock:
                    acks.write(line + "\n")
                    counts["saves"] += 1
                saved += 1
                k += 1
            elif status == 409:
                with lock:
                    counts["conflicts"] += 1
            elif status in (400, 401, 403, 404):
                raise SystemExit("annotator_client: %s: PUT %d: %s %s" % (name, image, status, rep))
        if saved:
            with lock:
                counts["people_saving"] += 1

    threads = [threading.Thread(target=person, args=(i,)) for i in range(1, n + 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    acks.close()
    print(json.dumps(counts))
    sys.exit(0 if counts["people_saving"] == n else 1)


if __name__ == "__main__":
    main()
