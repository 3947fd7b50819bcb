#!/usr/bin/env python3
"""Tables side by side, in one run: this engine, pdfplumber, camelot (lattice, stream) and img2table
on the ICDAR 2013 PDFs (`tables_icdar`) and on their table pages scanned (`tables_scan`, images:
img2table with Tesseract, the one open CPU tool for scanned tables), scored by
`../shared/bench/score_tables.py` (the competition's adjacency relations).

    scripts/bench_tables.py [--bin target/release/document-processor] [--shared ../shared] [--out DIR]

The peers run from a venv of their own (.local/tablebench, made on first use, pinned versions).
Each tool's tables are written as DocumentResult-shaped JSON (blocks of kind "table" with cells),
so one scorer reads them all. Times are wall seconds for the whole set, one run.
"""
import argparse, json, os, subprocess, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".local" / "tablebench"
PEERS = ["pdfplumber==0.11.11", "camelot-py==2.0.0", "img2table==2.0.0",
         "opencv-python-headless==5.1.0.95", "rapidfuzz==3.14.6"]


def ensure_venv():
    py = VENV / "bin" / "python"
    if not py.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check", *PEERS],
                       check=True)
    return py


def cells_of_grid(rows):
    """rows of strings (None or '' for empty/merged) -> result cells."""
    out = []
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            if text is not None and str(text).strip():
                out.append({"row": r, "col": c, "row_span": 1, "col_span": 1, "text": str(text)})
    return out


def write_result(path, pages):
    """pages: {page number: [cells of each table]}"""
    n = max(pages) if pages else 0
    doc = {"pages": [{"page": p, "blocks": [{"kind": "table", "cells": t} for t in pages.get(p, [])]}
                     for p in range(1, n + 1)]}
    path.write_text(json.dumps(doc))


def run_peer(tool, inputs, out):
    """Runs one peer on every input (inside the tablebench venv), writes its results."""
    out.mkdir(parents=True, exist_ok=True)
    for f in inputs:
        pages = {}
        try:
            if tool == "pdfplumber":
                import pdfplumber
                with pdfplumber.open(f) as pdf:
                    for n, page in enumerate(pdf.pages, 1):
                        for t in page.extract_tables():
                            pages.setdefault(n, []).append(cells_of_grid(t))
            elif tool.startswith("camelot"):
                import camelot
                flavor = tool.split("-")[1]
                for t in camelot.read_pdf(str(f), pages="all", flavor=flavor):
                    pages.setdefault(int(t.page), []).append(cells_of_grid(t.df.values.tolist()))
            elif tool == "img2table":
                from img2table.document import Image, PDF
                from img2table.ocr import TesseractOCR
                if f.suffix.lower() == ".pdf":
                    found = PDF(str(f)).extract_tables(ocr=None, borderless_tables=True)
                    for n, tables in found.items():
                        for t in tables:
                            pages.setdefault(n + 1, []).append(cells_of_grid(t.df.values.tolist()))
                else:
                    ocr = TesseractOCR(n_threads=1, lang="eng")
                    for t in Image(str(f)).extract_tables(ocr=ocr, borderless_tables=True):
                        pages.setdefault(1, []).append(cells_of_grid(t.df.values.tolist()))
        except Exception as e:  # a tool failing on a file scores that file as no tables
            print(f"  {tool} {f.name}: {type(e).__name__}: {e}", file=sys.stderr)
        write_result(out / f"{f.name}.json", pages)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=str(ROOT / "target/release/document-processor"))
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    ap.add_argument("--out", default=str(ROOT / "target/bench-tables"))
    ap.add_argument("--peer", help=argparse.SUPPRESS)  # internal: run one peer inside the venv
    ap.add_argument("--inputs", nargs="*", help=argparse.SUPPRESS)
    ap.add_argument("--dest", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.peer:
        run_peer(a.peer, [Path(p) for p in a.inputs], Path(a.dest))
        return
    py = ensure_venv()
    shared, out = Path(a.shared), Path(a.out)
    sets = {"tables_icdar": sorted((shared / "realworld/tables_icdar").glob("*.pdf")),
            "tables_scan": sorted((shared / "realworld/tables_scan").glob("*.jpg"))}
    tools = {"tables_icdar": ["engine", "pdfplumber", "camelot-lattice", "camelot-stream", "img2table"],
             "tables_scan": ["engine", "img2table"]}
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    rows = []
    for name, files in sets.items():
        for tool in tools[name]:
            dest = out / tool / name
            dest.mkdir(parents=True, exist_ok=True)
            start = time.monotonic()
            if tool == "engine":
                subprocess.run([a.bin, "extract", "--quiet", "--workers", "1", "--out-dir", str(dest),
                                *map(str, files)], env=env, check=False)
            else:
                subprocess.run([str(py), __file__, "--peer", tool, "--dest", str(dest), "--inputs",
                                *map(str, files)], env=env, check=False)
            secs = time.monotonic() - start
            score = subprocess.run([str(py), str(shared / "bench/score_tables.py"), str(shared / "realworld" / name),
                                    "--results", str(dest), "--json"], capture_output=True, text=True, check=True)
            s = json.loads(score.stdout)[str(dest)]
            rows.append((name, tool, s, secs))
    print(f"{'set':13} {'tool':16} {'prec':>6} {'rec':>6} {'F1':>6} {'tables found/true':>18} {'count F1':>8} {'secs':>7}")
    for name, tool, s, secs in rows:
        print(f"{name:13} {tool:16} {s['precision']:6.3f} {s['recall']:6.3f} {s['f1']:6.3f} "
              f"{s['tables_found']:>8d}/{s['tables_true']:<9d} {s['table_count_f1']:8.3f} {secs:7.1f}")


if __name__ == "__main__":
    main()
