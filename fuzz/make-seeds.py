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
    return 0


if __name__ == "__main__":
    sys.exit(main())
