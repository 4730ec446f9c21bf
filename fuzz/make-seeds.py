#!/usr/bin/env python3
"""make-seeds.py - writes the small seed corpora in fuzz/corpus/<target>/.

Standard library only (no NumPy): .npy files are written byte by byte as in
NumPy's format.py (magic, version, little-endian header length, dict
literal padded to a multiple of 64 with spaces and a newline), .npz files
with zipfile (stored, deflated, and one zip64 member as numpy.savez writes
large arrays).  Re-running rewrites the same files."""
import io
import os
import struct
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))


def npy(descr, shape, data, version=1, fortran=False):
    shape_s = "(" + "".join(f"{d}, " if len(shape) == 1 else f"{d}, " for d in shape).rstrip(", ")
    shape_s += ",)" if len(shape) == 1 else ")"
    d = "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (descr, fortran, shape_s)
    hlen_size = 2 if version == 1 else 4
    pre = 6 + 2 + hlen_size
    total = pre + len(d) + 1
    pad = (64 - total % 64) % 64
    hdr = d + " " * pad + "\n"
    out = b"\x93NUMPY" + bytes([version, 0])
    out += struct.pack("<H" if version == 1 else "<I", len(hdr))
    return out + hdr.encode("latin-1") + data


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("utf-8"))


def npy_seeds():
    f4 = npy("<f4", (2, 3), struct.pack("<6f", 1.5, -2.0, 0.25, 3.0, 1e-3, -7.5))
    f2 = npy("<f2", (4,), struct.pack("<4H", 0x3C00, 0x7C00, 0x0001, 0xFE00))
    f8 = npy("<f8", (1, 2, 2), struct.pack("<4d", 0.5, 1.0, float("nan"), -0.0))
    i8 = npy("<i8", (3,), struct.pack("<3q", 0, 999, -1))
    i4 = npy("<i4", (2, 2), struct.pack("<4i", 1, 2, 3, 4), version=2)
    u1 = npy("|u1", (5,), bytes([0, 1, 2, 254, 255]))
    b1 = npy("|b1", (3,), bytes([1, 0, 1]))
    us = npy("<U5", (2,), "".join(s.ljust(5, "\0") for s in ["a.jpg", "éé"]).encode("utf-32-le"), version=3)
    scalar = npy("<f4", (), struct.pack("<f", 42.0))
    empty = npy("<f4", (0, 1000), b"")
    return {"f4_2x3.npy": f4, "f2_4.npy": f2, "f8_1x2x2.npy": f8, "i8_3.npy": i8, "i4_v2.npy": i4,
            "u1_5.npy": u1, "b1_3.npy": b1, "U5_v3.npy": us, "scalar.npy": scalar, "empty.npy": empty}


def npz(members, compression, zip64=False):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=compression) as z:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = compression
            with z.open(info, "w", force_zip64=zip64) as f:
                f.write(data)
    return buf.getvalue()


def main():
    seeds = npy_seeds()
    for name, data in seeds.items():
        write("fuzz_npy", name, data)
    votes = {
        # ReaL's raw-vote shape in miniature: tensor R x N x 3, info N x 2, ids R
        "tensor.npy": npy("|b1", (2, 2, 3), bytes([1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1])),
        "info.npy": npy("<U6", (2, 2), "".join(s.ljust(6, "\0") for s in ["a.jpg", "5", "b.jpg", "17"])
                        .encode("utf-32-le")),
        "ids.npy": npy("<i8", (2,), struct.pack("<2q", 3, 4)),
    }
    write("fuzz_npz", "stored.npz", npz(votes, zipfile.ZIP_STORED))
    write("fuzz_npz", "deflated.npz", npz(votes, zipfile.ZIP_DEFLATED))
    write("fuzz_npz", "zip64.npz", npz({"x.npy": seeds["f4_2x3.npy"]}, zipfile.ZIP_STORED, zip64=True))

    # labels: byte 0 = format (0 auto, 1 real, 2 multilabelfy, 3 single, 4 csv), byte 1 = class bound
    lab = {
        "real.bin": (1, 0, '[[], [970, 795], [230, 231], 5, ["7"]]'),
        "multilabelfy.bin": (2, 0, '{"ILSVRC2012_val_00000001.JPEG": ["65"], "b.jpg": ["1", 2], "c.jpg": []}'),
        "single.bin": (3, 0, "65\n970\n230\n\n"),
        "csv_header.bin": (4, 100, 'file,label\na.jpg,1\n"b,c.jpg",2;3 4|5\nd.jpg,\r\n'),
        "csv_plain.bin": (0, 0, "x.png,12\ny.png,13\n"),
        "auto_bom.bin": (0, 10, "\ufeff[[1, 2], [3]]"),
    }
    for name, (fmt, nc, text) in lab.items():
        write("fuzz_labels", name, bytes([fmt, nc]) + text.encode("utf-8"))

    cls = {
        "json_map.json": '{"0": "n01440764", "1": "n01443537", "2": "n01484850"}',
        "json_pairs.json": '{"0": ["n01440764", "tench"], "1": ["n01443537", "goldfish"]}',
        "json_array.json": '["n01440764", "n01443537"]',
        "synset.txt": "n01440764 tench, Tinca tinca\nn01443537 goldfish, Carassius auratus\r\n",
        "ids.txt": "n01440764\nn01443537\n",
        "names.txt": "\ufeffcat\ndog\nhot dog\n\n",
    }
    for name, text in cls.items():
        write("fuzz_classes", name, text)

    man = {
        "manifest.csv": 'path,label\nimages/a.jpg,n01440764\n"images/b, c.jpg",3\n\nimages/d.jpg,\n',
        "manifest_extra.csv": '\ufeffid,PATH,Label,note\r\n1,x.png,cat,"a ""quoted"" note"\r\n',
        "manifest_nolabel.csv": "path\na.jpg\nb.jpg\n",
        "gt.txt": "65\n970\n230\n\n\n",
    }
    for name, text in man.items():
        write("fuzz_manifest", name, text)
    # predictions: byte 0 = --input (bits 0-1) and --top (bits 2-4), then the file;
    # the project has classes tench, goldfish, crane, crane, n5 (ids n00000000..4)
    # and images a.jpg, x/b.jpg, y/b.jpg
    logits = struct.pack("<15f", *[0.5, 2.0, -1.0, 0.0, 1.5, 3.0, 0.1, 0.2, -2.0, 0.0, 1.0, 1.0, 1.0, 1.0, 0.5])
    probs = struct.pack("<15f", *[0.1, 0.2, 0.3, 0.2, 0.2, 1.0, 0, 0, 0, 0, 0.25, 0.25, 0.25, 0.25, 0])
    pred = {
        "npy_logits.bin": (0, npy("<f4", (3, 5), logits)),
        "npy_probs.bin": (2 | 3 << 2, npy("<f4", (3, 5), probs)),
        "npy_f2.bin": (1, npy("<f2", (3, 5), struct.pack("<15H", *([0x3C00] * 15)))),
        "csv_index.bin": (0, "filename,index,prob\na.jpg,[1 0 4],[0.7427 0.0915 0.0596]\n"
                             "x/b.jpg,[2 3 0],[0.5 0.25 0.125]\n"),
        "csv_labels.bin": (4, "filename,label,prob\na.jpg,['n00000001' 'n00000000'],[0.6 0.3]\n"
                              "\"y/b.jpg\",\"[ 'goldfish' 'n5']\",\"[0.5\n 0.4]\"\n"),
        "csv_separate.bin": (0, "filename,index_0,index_1,prob_0,prob_1\na.jpg,0,1,0.9,0.1\n"),
        "csv_topk0.bin": (1, "filename,logit\na.jpg,[0.1 0.2 0.3 0.4 0.5]\n"),
        "json_index.bin": (0, '{"a.jpg": {"index": [2, 1], "prob": [0.6, 0.3]}, '
                              '"x/b.jpg": {"index": [4], "prob": [1.0]}}'),
        "json_split.bin": (0, '{"columns": ["filename", "index", "prob"], "index": [0, 1], '
                              '"data": [["a.jpg", [1, 2], [0.5, 0.5]], ["y/b.jpg", [0, 3], [0.9, 0.05]]]}'),
        "jsonl.bin": (0, '{"filename": "a.jpg", "label": ["tench", "crane"], "prob": [0.5, 0.2]}\n'
                         '{"filename": "x/b.jpg", "index": 3, "prob": 0.8}\n'),
    }
    for name, (sel, body) in pred.items():
        write("fuzz_predictions", name, bytes([sel]) + (body if isinstance(body, bytes) else body.encode()))
    # evaluate: byte 0 = parser (0 csv, 1 timm table, 2 scores)
    timm = ("model,img_size,top1,top1_err,top5,top5_err,param_count,crop_pct,interpolation\n"
            "vit_a.in1k,224,81.5,18.5,95.7,4.3,86.57,0.900,bicubic\n"
            "resnet_b.tv_in1k,224,76.13,23.87,92.86,7.14,25.56,0.875,bilinear\n"
            "\"convnext,c\",288,84.1,15.9,96.9,3.1,88.59,1.000,bicubic\n")
    ev = {
        "csv.bin": (0, 'a,b,"c ""q"" d"\n1,-2.5e3,nan\n,,\r\n'),
        "timm.bin": (1, timm),
        "timm_size.bin": (5, timm),
        "scores_csv.bin": (2, "model,top1,real_accuracy\nm1,0.81,0.87\nm2,0.76,0.83\n"),
        "scores_json.bin": (3, '{"models": [{"model": "m1", "top1": {"accuracy": 0.81}, '
                               '"real": {"accuracy": 0.87}}]}'),
    }
    for name, (sel, body) in ev.items():
        write("fuzz_evaluate", name, bytes([sel]) + body.encode())

    # propose: byte 0 = reader (mod 3: 0 onnx, 1 config.json, 2 image; image
    # options in the higher bits); files from tests/propose/data
    data = os.path.join(os.path.dirname(HERE), "tests", "propose", "data")
    write("fuzz_propose", "onnx_qdq.bin", bytes([0]) + open(os.path.join(data, "tiny_qdq.onnx"), "rb").read())
    write("fuzz_propose", "config.bin", bytes([1]) + json_bytes({
        "architecture": "resnet50", "num_classes": 1000, "pretrained_cfg": {
            "input_size": [3, 224, 224], "crop_pct": 0.875, "crop_mode": "center",
            "interpolation": "bicubic", "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225]}}))
    for i, f in enumerate(["rgb8.png", "grey8.png", "rgba8.png", "rgb16.png", "orient6.jpg", "wide12x8.png"]):
        sel = 2 + 3 * (i * 7 % 80)   # a selector = 2 (mod 3) with varied option bits
        write("fuzz_propose", "image_" + f + ".bin", bytes([sel % 256]) + open(os.path.join(data, f), "rb").read())
    # http: byte 0 = identity (bits 0-1: none, ann1, exp, adm) + CSRF (bit 2);
    # then a raw request (fuzz_http.c inserts the cookie and token headers)
    save = ('{"stage":"annotate","base_version":0,"labels":[{"class":0,"source":"proposal"},'
            '{"class":5,"source":"search"}],"comment":"c\\u00e9","seconds":4.5}')
    http = {
        "me.bin": (1, "GET /api/me HTTP/1.1\r\nHost: localhost\r\n\r\n"),
        "tasks.bin": (1, "GET /api/tasks?stage=annotate HTTP/1.1\r\nHost: x\r\n\r\n"),
        "task.bin": (1, "GET /api/tasks/3 HTTP/1.1\r\nHost: x\r\n\r\n"),
        "refine.bin": (2, "GET /api/tasks?stage=refine HTTP/1.1\r\nHost: x\r\n\r\n"),
        "save.bin": (1 | 4, "PUT /api/tasks/1/annotation HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                            "Content-Length: %d\r\n\r\n%s" % (len(save), save)),
        "save_refine.bin": (2 | 4, "PUT /api/tasks/2/annotation HTTP/1.1\r\nContent-Type: application/json\r\n"
                                   "Origin: http://127.0.0.1\r\nContent-Length: 120\r\n\r\n"
                                   '{"stage":"refine","base_version":0,"labels":[],"comment":"x",'
                                   '"zero_label":{"category":"low_resolution","verdict":"agree"}}'),
        "classes.bin": (1, "GET /api/classes?q=class_1&limit=3 HTTP/1.1\r\n\r\n"),
        "image.bin": (1, "GET /api/images/2?size=thumb HTTP/1.1\r\nIf-None-Match: \"x\"\r\n\r\n"),
        "exemplar.bin": (1, "GET /api/exemplars/1/0?size=display HTTP/1.0\r\n\r\n"),
        "dashboard.bin": (3, "GET /api/dashboard HTTP/1.1\r\nCookie: a=b; c=d\r\n\r\n"),
        "static.bin": (0, "GET /static/app.css HTTP/1.1\r\nIf-None-Match: W/\"1\"\r\n\r\n"),
        "page.bin": (0, "GET /annotate?x=%2e%2e%2f&y= HTTP/1.1\r\nAccept: */*\r\n\r\n"),
        "root.bin": (3, "GET / HTTP/1.1\r\n\r\n"),
        "chunked.bin": (1 | 4, "PUT /api/tasks/4/annotation HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
                               "Content-Type: application/json\r\n\r\n"
                               "10\r\n{\"stage\":\"annota\r\n26\r\nte\",\"base_version\":0,\"labels\":[]}\r\n0\r\n\r\n"),
    }
    for name, (sel, body) in http.items():
        head, _, payload = body.partition("\r\n\r\n")
        lines = head.split("\r\n")
        if lines[0].endswith("HTTP/1.1") and not any(l.lower().startswith("host:") for l in lines):
            lines.insert(1, "Host: localhost")   # HTTP/1.1 requires it
        lines = [l if not l.lower().startswith("content-length:") else "Content-Length: %d" % len(payload.encode())
                 for l in lines]
        write("fuzz_http", name, bytes([sel]) + ("\r\n".join(lines) + "\r\n\r\n" + payload).encode())
    return 0


def json_bytes(obj):
    import json
    return json.dumps(obj).encode()


if __name__ == "__main__":
    sys.exit(main())
