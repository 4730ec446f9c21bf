#!/usr/bin/python3
"""make_tiny_model.py - regenerate the committed fixtures of tests/propose/data/:
tiny ONNX models with known weights, small test images, and the outputs the
models must give for them (expected.json).

Needs Debian's python3-onnx and python3-numpy (scripts/install-deps), and the
`vips` command-line tool (Debian libvips-tools) for the JPEG fixtures.  Run it
with Debian's interpreter from the repository root:

    /usr/bin/python3 tests/propose/make_tiny_model.py

Everything is deterministic (fixed seeds); re-running rewrites identical PNGs,
models and expected values (JPEG bytes depend on the libjpeg version, and no
expected value depends on them).

Models (input 8x8 RGB, so images of short side 8 with crop_pct 1 need no
resize and the expected tensors follow exactly from the pixels):
  tiny.onnx            input  "input" float32 [N, 3, 8, 8] (N symbolic)
                       output "logits"   = flatten(x) @ W + b, [N, 10]
                       output "features" = mean of x over H, W, [N, 3]
  tiny_b1_nhwc_bg.onnx input  "pixels" float32 [1, 8, 8, 3] (fixed batch 1, NHWC)
                       output "output" = flatten(transpose(x, NCHW)) @ W2 + b2,
                       [1, 11]: class 0 is a "background" class (--label-offset 1)
  tiny_qdq.onnx        input "input" [N, 3, 8, 8]; mean over H, W, then
                       QuantizeLinear/DequantizeLinear (scale 1/64, zero point
                       128), then @ W3: "logits" [N, 4]; a quantised graph
Expected tensors use torchvision's float32 arithmetic: (x / 255 - mean) / std
with ImageNet mean/std; logits are computed in float64 from those tensors
(tests compare with a tolerance of 1e-4).
"""
import json
import os
import struct
import subprocess
import sys
import zlib

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "data")
MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)
SIZE = 8


# ---- PNG writer (stdlib only; RFC 2083) ---------------------------------------
def png_chunk(kind, data):
    c = struct.pack(">I", len(data)) + kind + data
    return c + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def write_png(path, pix):
    """pix: uint8 or uint16 array [h, w] (grey) or [h, w, c], c in 1..4."""
    a = np.asarray(pix)
    if a.ndim == 2:
        a = a[:, :, None]
    h, w, c = a.shape
    ctype = {1: 0, 2: 4, 3: 2, 4: 6}[c]
    depth = 16 if a.dtype == np.uint16 else 8
    rows = a.astype(">u2" if depth == 16 else "u1").reshape(h, -1).tobytes()
    stride = len(rows) // h
    raw = b"".join(b"\x00" + rows[i * stride:(i + 1) * stride] for i in range(h))
    data = (b"\x89PNG\r\n\x1a\n"
            + png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, ctype, 0, 0, 0))
            + png_chunk(b"IDAT", zlib.compress(raw, 9))
            + png_chunk(b"IEND", b""))
    with open(path, "wb") as f:
        f.write(data)


def exif_orientation_segment(orientation):
    """A JPEG APP1 segment holding a big-endian TIFF IFD with one entry:
    Orientation (0x0112), SHORT, count 1 (EXIF 2.32, TIFF 6.0)."""
    tiff = (b"MM\x00\x2a" + struct.pack(">I", 8)
            + struct.pack(">H", 1)
            + struct.pack(">HHIHH", 0x0112, 3, 1, orientation, 0)
            + struct.pack(">I", 0))
    payload = b"Exif\x00\x00" + tiff
    return b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload


def vips_jpeg(src_png, dst_jpg):
    subprocess.run(["vips", "copy", src_png, dst_jpg + "[Q=100,subsample-mode=off,strip]"],
                   check=True)


# ---- preprocessing reference (torchvision float32 semantics) -------------------
def center_crop(img, size):
    h, w = img.shape[:2]
    top = int(round((h - size) / 2.0))   # Python round: half to even
    left = int(round((w - size) / 2.0))
    return img[top:top + size, left:left + size]


def to_tensor(rgb):
    x = rgb.astype(np.float32) / np.float32(255.0)
    x = (x - MEAN) / STD
    return np.ascontiguousarray(x.transpose(2, 0, 1))  # CHW


def softmax(z):
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(z - z.max())
    return e / e.sum()


def topk(p, k):
    order = sorted(range(len(p)), key=lambda i: (-p[i], i))
    return order[:k]


# ---- models -----------------------------------------------------------------------
def make_models(rng):
    W = (rng.standard_normal((3 * SIZE * SIZE, 10)) * 0.05).astype(np.float32)
    b = (rng.standard_normal(10) * 0.1).astype(np.float32)
    g = helper.make_graph(
        [helper.make_node("Flatten", ["input"], ["flat"], axis=1),
         helper.make_node("Gemm", ["flat", "W", "b"], ["logits"]),
         helper.make_node("ReduceMean", ["input"], ["features"], axes=[2, 3], keepdims=0)],
        "tiny",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 3, SIZE, SIZE])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 10]),
         helper.make_tensor_value_info("features", TensorProto.FLOAT, ["N", 3])],
        [numpy_helper.from_array(W, "W"), numpy_helper.from_array(b, "b")])
    save_model(g, "tiny.onnx")

    W2 = (rng.standard_normal((3 * SIZE * SIZE, 11)) * 0.05).astype(np.float32)
    b2 = (rng.standard_normal(11) * 0.1).astype(np.float32)
    b2[0] = 5.0  # the background class dominates, so the offset matters
    g = helper.make_graph(
        [helper.make_node("Transpose", ["pixels"], ["nchw"], perm=[0, 3, 1, 2]),
         helper.make_node("Flatten", ["nchw"], ["flat"], axis=1),
         helper.make_node("Gemm", ["flat", "W2", "b2"], ["output"])],
        "tiny_b1_nhwc_bg",
        [helper.make_tensor_value_info("pixels", TensorProto.FLOAT, [1, SIZE, SIZE, 3])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 11])],
        [numpy_helper.from_array(W2, "W2"), numpy_helper.from_array(b2, "b2")])
    save_model(g, "tiny_b1_nhwc_bg.onnx")

    W3 = (rng.standard_normal((3, 4))).astype(np.float32)
    g = helper.make_graph(
        [helper.make_node("ReduceMean", ["input"], ["pooled"], axes=[2, 3], keepdims=0),
         helper.make_node("QuantizeLinear", ["pooled", "qs", "qz"], ["q"]),
         helper.make_node("DequantizeLinear", ["q", "qs", "qz"], ["dq"]),
         helper.make_node("MatMul", ["dq", "W3"], ["logits"])],
        "tiny_qdq",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 3, SIZE, SIZE])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 4])],
        [numpy_helper.from_array(np.array(1.0 / 64, dtype=np.float32), "qs"),
         numpy_helper.from_array(np.array(128, dtype=np.uint8), "qz"),
         numpy_helper.from_array(W3, "W3")])
    save_model(g, "tiny_qdq.onnx")
    return W, b, W2, b2, W3


def save_model(graph, name):
    m = helper.make_model(graph, producer_name="multilabelfy make_tiny_model.py",
                          opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 7
    onnx.checker.check_model(m)
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(m.SerializeToString())


# ---- images -----------------------------------------------------------------------
def make_images(rng):
    """Writes the images; returns {name: RGB uint8 array the decoder must
    produce (alpha over white)} for those with exact expectations."""
    rgb = {}
    a = rng.integers(0, 256, (SIZE, SIZE, 3), dtype=np.uint8)
    write_png(os.path.join(OUT, "rgb8.png"), a)
    rgb["rgb8.png"] = a

    a = rng.integers(0, 256, (SIZE, 12, 3), dtype=np.uint8)   # 12 wide: crop columns 2..9
    write_png(os.path.join(OUT, "wide12x8.png"), a)
    rgb["wide12x8.png"] = a

    a = rng.integers(0, 256, (11, SIZE, 3), dtype=np.uint8)   # 11 high: offset round(1.5) = 2
    write_png(os.path.join(OUT, "tall8x11.png"), a)
    rgb["tall8x11.png"] = a

    a = rng.integers(0, 256, (SIZE, SIZE), dtype=np.uint8)
    write_png(os.path.join(OUT, "grey8.png"), a)
    rgb["grey8.png"] = np.repeat(a[:, :, None], 3, axis=2)

    a = rng.integers(0, 256, (SIZE, SIZE, 4), dtype=np.uint8)
    a[:, :, 3] = np.where(rng.random((SIZE, SIZE)) < 0.5, 0, 255)  # binary alpha: exact
    write_png(os.path.join(OUT, "rgba8.png"), a)
    flat = a[:, :, :3].copy()
    flat[a[:, :, 3] == 0] = 255
    rgb["rgba8.png"] = flat
    rgb["rgba8.png:drop"] = a[:, :, :3].copy()

    a = rng.integers(0, 256, (SIZE, SIZE, 3), dtype=np.uint8)
    write_png(os.path.join(OUT, "rgb16.png"), a.astype(np.uint16) * 257)  # 16-bit v*257
    rgb["rgb16.png"] = a

    # orientation: a 16x8 picture (left half red, right half blue, a green
    # top-left 4x4 block) stored rotated so that EXIF orientation 6 (rotate
    # 90 degrees clockwise to display) restores it.
    pic = np.zeros((8, 16, 3), dtype=np.uint8)
    pic[:, :8] = (255, 0, 0)
    pic[:, 8:] = (0, 0, 255)
    pic[:4, :4] = (0, 255, 0)
    stored = np.rot90(pic, k=1)  # counter-clockwise: displaying needs +90 clockwise
    tmp = os.path.join(OUT, "orient6-src.png")
    write_png(tmp, np.ascontiguousarray(stored))
    jpg = os.path.join(OUT, "orient6.jpg")
    vips_jpeg(tmp, jpg)
    os.unlink(tmp)
    with open(jpg, "rb") as f:
        data = f.read()
    assert data[:2] == b"\xff\xd8"
    with open(jpg, "wb") as f:
        f.write(data[:2] + exif_orientation_segment(6) + data[2:])

    # a large smooth JPEG for shrink-on-load
    yy, xx = np.mgrid[0:128, 0:128]
    big = np.stack([xx * 2, yy * 2, (xx + yy)], axis=2).clip(0, 255).astype(np.uint8)
    tmp = os.path.join(OUT, "big-src.png")
    write_png(tmp, big)
    vips_jpeg(tmp, os.path.join(OUT, "big128.jpg"))
    os.unlink(tmp)

    # broken files
    with open(os.path.join(OUT, "big128.jpg"), "rb") as f:
        data = f.read()
    with open(os.path.join(OUT, "truncated.jpg"), "wb") as f:
        f.write(data[:len(data) // 2])
    with open(os.path.join(OUT, "notimage.jpg"), "wb") as f:
        f.write(b"this is a text file, not a JPEG\n")
    return rgb


def f32list(a):
    return [float(v) for v in np.asarray(a, dtype=np.float32).ravel()]


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(20240607)
    W, b, W2, b2, W3 = make_models(rng)
    rgb = make_images(rng)

    exp = {"input_size": SIZE, "crop_pct": 1.0, "mean": [float(v) for v in MEAN],
           "std": [float(v) for v in STD], "tiny": {}, "tiny_b1_nhwc_bg": {}, "tiny_qdq": {},
           "tensors": {}}
    for key, pix in rgb.items():
        name, _, mode = key.partition(":")
        x = to_tensor(center_crop(pix, SIZE))
        xf = x.astype(np.float64).ravel()
        logits = xf @ W.astype(np.float64) + b.astype(np.float64)
        p = softmax(logits)
        k = topk(p, 5)
        exp["tiny"][key] = {
            "image": name, "alpha": mode or "white",
            "logits": f32list(logits), "features": [float(v) for v in x.reshape(3, -1).mean(axis=1)],
            "top5": k, "top5_scores": [float(p[i]) for i in k]}
        out = xf @ W2.astype(np.float64) + b2.astype(np.float64)
        p2 = softmax(out[1:])   # label offset 1: the background logit is dropped first
        k2 = topk(p2, 3)
        exp["tiny_b1_nhwc_bg"][key] = {
            "image": name, "alpha": mode or "white", "output": f32list(out),
            "top3": k2, "top3_scores": [float(p2[i]) for i in k2]}
        pooled = x.reshape(3, -1).astype(np.float32).mean(axis=1)
        q = np.clip(np.round(pooled * 64) + 128, 0, 255)
        dq = (q - 128) / 64
        exp["tiny_qdq"][key] = {"image": name, "alpha": mode or "white",
                                "logits": f32list(dq @ W3.astype(np.float64))}
        exp["tensors"][key] = f32list(x)
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(exp, f, indent=1, sort_keys=True)
        f.write("\n")
    print("wrote", OUT)


if __name__ == "__main__":
    sys.exit(main())
