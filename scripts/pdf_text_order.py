#!/usr/bin/env python3
"""How a reader orders our searchable PDF's text: `extract --pdf` each file, `pdftotext` (poppler,
default mode) the PDF, and score it (CER) against the result's own text, which is in the layout
step's reading order. Quick (no OCRmyPDF): for trying how the text layer is laid.

    .local/venv/bin/python scripts/pdf_text_order.py target/release/document-processor FILE...
"""
import json, os, re, subprocess, sys, tempfile, unicodedata

from rapidfuzz.distance import Levenshtein

WS = re.compile(r"\s+")


def norm(s):
    return WS.sub(" ", unicodedata.normalize("NFKC", s or "")).strip()


def main():
    binary, files = sys.argv[1], sys.argv[2:]
    scores = []
    with tempfile.TemporaryDirectory() as tmp:
        for path in files:
            out = os.path.join(tmp, os.path.basename(path) + ".pdf")
            result = json.loads(subprocess.run([binary, "extract", "--quiet", "--pdf", out, path],
                                               capture_output=True, check=True).stdout)
            text = subprocess.run(["pdftotext", out, "-"], capture_output=True, check=True).stdout.decode()
            ref, hyp = norm(result["text"]), norm(text)
            cer = Levenshtein.distance(hyp, ref) / max(1, len(ref))
            scores.append(cer)
            print(f"| {os.path.basename(path)} | {cer * 100:.2f}% |")
    print(f"| **mean of {len(scores)}** | {sum(scores) / len(scores) * 100:.2f}% |")


if __name__ == "__main__":
    main()
