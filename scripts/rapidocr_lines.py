#!/usr/bin/env python3
"""Lines read by RapidOCR (PaddleOCR's PP-OCRv4 models on ONNX Runtime), for comparing recognisers
under the fields step (issue 25; BENCHMARKS.md "Fields"). Not part of the service: run it in a
scratch venv (`python3 -m venv /tmp/rapid && /tmp/rapid/bin/pip install rapidocr-onnxruntime==1.4.4`).

    /tmp/rapid/bin/python scripts/rapidocr_lines.py IMAGES_DIR LINES_DIR
    cargo run --release -p processor --example fields_from_lines -- LINES_DIR RESULTS_DIR

Writes LINES_DIR/<image>.json: {"lines": [{"text", "left", "top", "right", "bottom", "conf"}]}.
"""
import glob
import json
import os
import sys

from rapidocr_onnxruntime import RapidOCR

engine = RapidOCR()
images, out = sys.argv[1], sys.argv[2]
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
