#!/usr/bin/env python3
"""verify_client.py - simulated people for tests/serve/verify_demo.sh: they
work through mlfy serve's HTTP API only, as the web pages do, and judge an
image by looking at it: the served file's SHA-256 names the photo, whose
file name <wnid>_<name>.JPEG gives its true class (as a person would see
it).  Not a test by itself.

  verify_client.py BASE PASSWORD PHOTOS CLASSES.json rate NAME [--noisy]
      answers every pending verification question of NAME page by page in the
      /verify grid's API: yes when the label is the photo's class, else no;
      --noisy: also "yes" to every 5th wrong label and "maybe" to every 7th
  verify_client.py BASE PASSWORD PHOTOS CLASSES.json annotate NAME
      saves every stage-ii task of NAME with the photo's class
Prints one line of counts."""
import hashlib
import http.cookiejar
import json
import os
import sys
import urllib.request


def main():
    base, password, photos, classes_json, mode, name = sys.argv[1:7]
    noisy = "--noisy" in sys.argv[7:]
    wnids = json.load(open(classes_json))
    cls_of_wnid = {w: int(i) for i, w in wnids.items()}
    truth = {}
    for f in os.listdir(photos):
        if f.endswith(".JPEG"):
            digest = hashlib.sha256(open(os.path.join(photos, f), "rb").read()).hexdigest()
            truth[digest] = cls_of_wnid[f.split("_")[0]]
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def call(method, path, body=None, raw=False):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(base + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if csrf:
            req.add_header("X-CSRF-Token", csrf)
        with opener.open(req) as r:
            out = r.read()
        return out if raw else json.loads(out)

    csrf = None
    csrf = call("POST", "/api/login", {"user": name, "password": password})["csrf"]
    seen = {}

    def photo_class(url):
        if url not in seen:
            digest = hashlib.sha256(call("GET", url + ("&" if "?" in url else "?") + "size=full", raw=True)).hexdigest()
            if digest not in truth:
                raise SystemExit("verify_client: %s is none of the photos" % url)
            seen[url] = truth[digest]
        return seen[url]

    if mode == "rate":
        pages = answers = yes = 0
        while True:
            labels = call("GET", "/api/verify/labels")
            open_labels = [l for l in labels["labels"] if l["pending"] > 0]
            if not open_labels:
                break
            cls = open_labels[0]["class"]
            page = call("GET", "/api/verify/labels/%d?limit=50" % cls)
            out = []
            for it in page["items"]:
                right = photo_class(it["image"]) == cls
                a = "yes" if right else "no"
                q = it["question_id"]
                if noisy and not right and q % 5 == 0:
                    a = "yes"
                elif noisy and not right and q % 7 == 0:
                    a = "maybe"
                yes += a == "yes"
                out.append({"question_id": q, "answer": a, "bulk": False, "seconds": 1.5,
                            "base_version": it["version"]})
            page_id = "%s-%d-%d" % (name, cls, pages)
            r = call("POST", "/api/verify/pages", {"class_idx": cls, "page_id": page_id, "seconds": 1.5 * len(out),
                                                  "answers": out})
            assert r["stored"] == len(out) and not r["replayed"], r
            # the same page again (an offline re-send) is a replay and writes nothing
            r2 = call("POST", "/api/verify/pages", {"class_idx": cls, "page_id": page_id, "seconds": 1.5 * len(out),
                                                   "answers": out})
            assert r2["replayed"] and r2["page"] == r["page"], r2
            pages += 1
            answers += len(out)
        print("rate %s: %d pages, %d answers, %d yes" % (name, pages, answers, yes))
    else:
        tasks = call("GET", "/api/tasks")
        saved = 0
        for image_id in tasks["ids"]:
            t = call("GET", "/api/tasks/%d" % image_id)
            cls = photo_class("/api/images/%d" % image_id)
            shown = {p["class"] for p in t["proposals"]}
            src = "proposal" if cls in shown else "search"
            call("PUT", "/api/tasks/%d/annotation" % image_id,
                 {"stage": "annotate", "base_version": 0, "labels": [{"class": cls, "source": src}], "seconds": 4})
            saved += 1
        print("annotate %s: %d saved" % (name, saved))


if __name__ == "__main__":
    main()
