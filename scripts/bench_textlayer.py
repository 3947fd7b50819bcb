#!/usr/bin/env python3
"""DocBank born-digital pages through their text layer, next to poppler (pdftotext, default and raw
order): CER against the expected texts (poppler's reading order), per page, overall and over the
pages poppler reads as columns (where its order is not lines read across both columns).

  bench_textlayer.py DOCBANK_DIR RESULTS_DIR     (RESULTS_DIR/<paper>_black.pdf.json from extract)
"""
import json, os, subprocess, sys
from pathlib import Path

sys.path.insert(0, str(Path(os.environ.get("SHARED_DIR", Path(__file__).resolve().parents[2] / "shared")) / "bench"))
from score import norm  # noqa: E402
from rapidfuzz.distance import Levenshtein  # noqa: E402


def main():
    docbank, results = Path(sys.argv[1]), Path(sys.argv[2])
    tot = {"project": 0, "pdftotext": 0, "pdftotext -raw": 0}
    chars = 0
    # Pages where poppler's default order reads lines across the columns (far from the PDF's own
    # content order, -raw, over 50%): scored apart, as no reader's order can match them.
    apart = {t: 0 for t in tot}
    apart_chars = 0
    for page_file in sorted((docbank / "pdf").glob("*.page")):
        name = page_file.stem
        page = int(page_file.read_text().strip())
        pdf = docbank / "pdf" / f"{name.rsplit('_', 1)[0]}_black.pdf"
        ref = norm((docbank / f"{name}_ori.jpg.expected.txt").read_text(errors="replace"))
        result = json.loads((results / f"{pdf.name}.json").read_text())
        hyps = {"project": result["pages"][page]["text"]}
        for tool, flags in (("pdftotext", []), ("pdftotext -raw", ["-raw"])):
            hyps[tool] = subprocess.run(["pdftotext", *flags, "-f", str(page + 1), "-l", str(page + 1), str(pdf), "-"],
                                        capture_output=True).stdout.decode("utf-8", "replace")
        row = []
        errs = {tool: Levenshtein.distance(ref, norm(hyp)) for tool, hyp in hyps.items()}
        across = errs["pdftotext -raw"] > 0.5 * len(ref)
        for tool, e in errs.items():
            tot[tool] += e
            if not across:
                apart[tool] += e
            row.append(f"{tool} {100 * e / max(1, len(ref)):5.1f}%")
        chars += len(ref)
        apart_chars += 0 if across else len(ref)
        row.append("(lines across columns)" if across else "")
        print(f"{name[:45]:<45} " + "  ".join(row))
    print("overall: " + "  ".join(f"{t} CER {100 * e / max(1, chars):.1f}%" for t, e in tot.items()))
    print("pages read as columns: " + "  ".join(f"{t} CER {100 * e / max(1, apart_chars):.1f}%" for t, e in apart.items()))


if __name__ == "__main__":
    main()
