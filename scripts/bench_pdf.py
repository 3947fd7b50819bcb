#!/usr/bin/env python3
"""Searchable PDF, side by side with OCRmyPDF (Debian's) on the same scans, in one run.

Per file: the time `extract` takes without and with `--pdf` (what the PDF adds), OCRmyPDF's time,
both output sizes against the input's, and pdftotext's text of each output scored (CER) against
the corpus's ground truth; ours also against our own result's text (what the PDF promises to hold).

    .local/venv/bin/python scripts/bench_pdf.py target/release/document-processor FILE...
"""
import json, os, subprocess, sys, tempfile, time, unicodedata, re

from rapidfuzz.distance import Levenshtein

WS = re.compile(r"\s+")
RUNS = 3
CORPUS = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "corpus")


def norm(s):
    return WS.sub(" ", unicodedata.normalize("NFKC", s or "")).strip()


def cer(hyp, ref):
    ref, hyp = norm(ref), norm(hyp)
    return Levenshtein.distance(hyp, ref) / max(1, len(ref))


def timed(cmd):
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return time.perf_counter() - t


def pdftotext(path):
    out = subprocess.run(["pdftotext", path, "-"], check=True,
                         capture_output=True)
    warnings = out.stderr.decode().strip()
    return out.stdout.decode(), warnings


def truth(name, path):
    # Real-world files carry their expected text beside them (../shared/realworld/README.md).
    if os.path.exists(path + ".expected.txt"):
        return open(path + ".expected.txt", encoding="utf-8").read()
    try:
        manifest = json.load(open(os.path.join(CORPUS, "manifest.json")))
    except OSError:
        return None
    for f in manifest["files"]:
        if f["file"] == name and f.get("pages"):
            return "\n".join(p["text"] for p in f["pages"])
    return None


def main():
    binary, files = sys.argv[1], sys.argv[2:]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for path in files:
            name = os.path.basename(path)
            ours, theirs = os.path.join(tmp, name + ".ours.pdf"), os.path.join(tmp, name + ".ocrmypdf.pdf")
            result_path = os.path.join(tmp, name + ".json")
            base = [binary, "extract", "--quiet", "--workers", "1", path]
            # Best of three each, alternating: what the PDF adds is small beside the machine's noise.
            t_plain, t_pdf = float("inf"), float("inf")
            for _ in range(RUNS):
                t_plain = min(t_plain, timed(base))
                t0 = time.perf_counter()
                with open(result_path, "w") as out:
                    subprocess.run(base + ["--pdf", ours], check=True, stdout=out)
                t_pdf = min(t_pdf, time.perf_counter() - t0)
            # OCRmyPDF at one job, like our one OCR thread; images need their resolution given.
            cmd = ["ocrmypdf", "-q", "--jobs", "1", "--output-type", "pdf"]
            if not path.endswith(".pdf"):
                cmd += ["--image-dpi", "300"]
            t_theirs = timed(cmd + [path, theirs])
            result = json.load(open(result_path))
            text_ours, warn_ours = pdftotext(ours)
            text_theirs, _ = pdftotext(theirs)
            ref = truth(name, path)
            size_in = os.path.getsize(path)
            rows.append({
                "file": name,
                "pages": result["page_count"],
                "extract_s": round(t_plain, 2),
                "pdf_added_pct": round(100 * (t_pdf - t_plain) / t_plain, 1),
                "ocrmypdf_s": round(t_theirs, 2),
                "size_in": size_in,
                "size_ours_pct": round(100 * os.path.getsize(ours) / size_in - 100, 1),
                "size_ocrmypdf_pct": round(100 * os.path.getsize(theirs) / size_in - 100, 1),
                "cer_vs_result": round(100 * cer(text_ours, result["text"]), 2),
                "cer_ours_truth": None if ref is None else round(100 * cer(text_ours, ref), 2),
                "cer_ocrmypdf_truth": None if ref is None else round(100 * cer(text_theirs, ref), 2),
                "poppler_warnings": warn_ours.count("\n") + 1 if warn_ours else 0,
            })
            print(json.dumps(rows[-1]), flush=True)
    keys = list(rows[0])
    print("\n| " + " | ".join(keys) + " |\n|" + "---|" * len(keys))
    for r in rows:
        print("| " + " | ".join(str(r[k]) for k in keys) + " |")


if __name__ == "__main__":
    main()
