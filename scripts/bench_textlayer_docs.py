#!/usr/bin/env python3
"""Whole born-digital documents: every page of the DocBank PDFs through our text layer, against
pdftotext (poppler, default mode) of the same PDF. A proxy, not a truth (poppler's order is the
reference), for how layout changes fare on pages the page-level bench does not score (formulas,
footnotes, references). Results of `extract --out-dir DIR/tl ../shared/realworld/docbank/pdf/*.pdf`,
one column per DIR, so runs before and after a change sit side by side:

    .local/venv/bin/python scripts/bench_textlayer_docs.py ../shared/realworld/docbank BEFORE AFTER
"""
import json, re, subprocess, sys, unicodedata
from pathlib import Path

from rapidfuzz.distance import Levenshtein


def norm(s):
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", s.replace("\f", " "))).strip()


def main():
    docbank, runs = Path(sys.argv[1]), sys.argv[2:]
    totals = {run: [] for run in runs}
    for pdf in sorted((docbank / "pdf").glob("*.pdf")):
        ref = norm(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True).stdout.decode())
        row = [pdf.name[:24].ljust(24)]
        for run in runs:
            hyp = norm(json.loads((Path(run) / "tl" / (pdf.name + ".json")).read_text())["text"])
            cer = Levenshtein.distance(ref, hyp) / max(1, len(ref))
            totals[run].append(cer)
            row.append(f"{100 * cer:6.2f}%")
        print(" ".join(row))
    print("mean".ljust(24), " ".join(f"{100 * sum(v) / len(v):6.2f}%" for v in totals.values()))


if __name__ == "__main__":
    main()
