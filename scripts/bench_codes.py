#!/usr/bin/env python3
"""Barcodes (BENCHMARKS.md "Barcodes"), side by side in one run with zxing-cpp's own Python binding:
  1. recall on ../shared/realworld/barcode (six sets from zxing-cpp's test suite, one symbol an image,
     its payload in IMAGE.expected.txt) and the false codes there (a code whose content is not the
     expected payload);
  2. false codes on pages with no code at all (the 20 DocBank page images);
  3. born-digital pages/s with every format on next to BARCODE_FORMATS=qr (what pages were searched
     for before): target >= 0.9.
    .local/venv/bin/python scripts/bench_codes.py [SHARED_DIR]    (after cargo build --release)"""
import json, os, subprocess, sys, tempfile, time
import zxingcpp
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "..", "shared")
BIN = os.path.join(ROOT, "target", "release", "document-processor")
ENV = dict(os.environ, PDFIUM_LIB_PATH=os.path.join(ROOT, ".local/lib"), OMP_THREAD_LIMIT="1")

def ours(files, extra=()):
    """{file: [code data]} from `extract --out-dir` (one process for all files)."""
    with tempfile.TemporaryDirectory() as out:
        subprocess.run([BIN, "extract", "--quiet", "--out-dir", out, *extra, *files], env=ENV,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        found = {}
        for f in files:
            p = os.path.join(out, os.path.basename(f) + ".json")
            r = json.load(open(p)) if os.path.exists(p) else {}
            found[f] = [c["data"] for c in r.get("codes", [])]
        return found

def theirs(files):
    found = {}
    for f in files:
        try:
            found[f] = [b.text for b in zxingcpp.read_barcodes(Image.open(f).convert("L"))]
        except Exception:
            found[f] = []
    return found

def main():
    sets = os.path.join(SHARED, "realworld", "barcode")
    rows, totals = [], {"ours": [0, 0], "zxing-cpp (Python)": [0, 0]}
    n_all = 0
    for name in sorted(os.listdir(sets)):
        d = os.path.join(sets, name)
        files = sorted(os.path.join(d, f) for f in os.listdir(d) if not f.endswith(".expected.txt"))
        want = {f: open(f + ".expected.txt", encoding="utf-8", errors="replace").read() for f in files}
        row = [name, len(files)]
        for label, found in (("ours", ours(files)), ("zxing-cpp (Python)", theirs(files))):
            hit = sum(1 for f in files if want[f] in found[f])
            false = sum(1 for f in files for c in found[f] if c != want[f])
            totals[label][0] += hit
            totals[label][1] += false
            row += [hit, false]
        n_all += len(files)
        rows.append(row)
    print("| set | images | ours: read | ours: false | zxing-cpp Python: read | zxing-cpp Python: false |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(str(x) for x in r) + " |")
    o, t = totals["ours"], totals["zxing-cpp (Python)"]
    print(f"| **all** | {n_all} | **{o[0]}** ({o[0]/n_all:.1%}) | **{o[1]}** | {t[0]} ({t[0]/n_all:.1%}) | {t[1]} |")

    docbank = os.path.join(SHARED, "realworld", "docbank")
    pages = sorted(os.path.join(docbank, f) for f in os.listdir(docbank) if f.endswith("_ori.jpg"))
    fo = sum(len(v) for v in ours(pages).values())
    ft = sum(len(v) for v in theirs(pages).values())
    print(f"\nCodes found on {len(pages)} DocBank pages (no code on them): ours {fo}, zxing-cpp Python {ft}")

    born = os.path.join(ROOT, "target", "bench", "docs", "born_200p.pdf")
    if os.path.exists(born):
        def rate(formats):
            best = None
            for _ in range(3):
                t = time.perf_counter()
                subprocess.run([BIN, "extract", "--quiet", "--barcode-formats", formats, born], env=ENV,
                               stdout=subprocess.DEVNULL, check=True)
                el = time.perf_counter() - t
                best = el if best is None else min(best, el)
            return 200 / best
        qr, every = rate("qr"), rate("all")
        print(f"\nborn_200p.pdf (200 text-layer pages), best of 3: BARCODE_FORMATS=qr {qr:.1f} pages/s, "
              f"all {every:.1f} pages/s: ratio {every/qr:.2f}")
    else:
        print("\n(born_200p.pdf missing: ./scripts/bench.sh throughput makes it)")

if __name__ == "__main__":
    main()
