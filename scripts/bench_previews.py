#!/usr/bin/env python3
"""Page previews (the viewer's WebP pages): their size per page and the time they add, in one run.

Per file: `extract` without and with `--html` (which makes the previews and the page), alternated,
best of RUNS each; the time added per page and as a share of the document's time; the previews'
sizes. PREVIEW_MAX_SIDE is the default unless set in the environment.

    .local/venv/bin/python scripts/bench_previews.py target/release/document-processor FILE...
"""
import os, subprocess, sys, tempfile, time, json

RUNS = 5


def timed(cmd):
    t = time.perf_counter()
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return time.perf_counter() - t, out.stdout


def main():
    binary, files = sys.argv[1], sys.argv[2:]
    rows = []
    total = {"plain": 0.0, "html": 0.0, "pages": 0, "bytes": 0}
    sizes_all = []
    with tempfile.TemporaryDirectory() as tmp:
        for path in files:
            name = os.path.basename(path)
            view = os.path.join(tmp, name)
            plain, html, pages = [], [], 0
            for _ in range(RUNS):
                t, out = timed([binary, "extract", "--quiet", path])
                plain.append(t)
                pages = json.loads(out)["page_count"]
                t, _ = timed([binary, "extract", "--quiet", "--html", view, path])
                html.append(t)
            sizes = [os.path.getsize(os.path.join(view, "pages", f"{n}.webp")) for n in range(1, pages + 1)]
            sizes_all += sizes
            p, h = min(plain), min(html)
            total["plain"] += p
            total["html"] += h
            total["pages"] += pages
            rows.append((name, pages, p, h, sizes))
    print("| file | pages | extract s | with previews s | added per page ms | added | KB/page (mean, max) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, pages, p, h, sizes in rows:
        print(f"| {name} | {pages} | {p:.3f} | {h:.3f} | {(h - p) / pages * 1000:+.1f} | "
              f"{(h - p) / p * 100:+.1f}% | {sum(sizes) / len(sizes) / 1024:.1f}, {max(sizes) / 1024:.1f} |")
    p, h, n = total["plain"], total["html"], total["pages"]
    print(f"| **all** | {n} | {p:.3f} | {h:.3f} | {(h - p) / n * 1000:+.1f} | {(h - p) / p * 100:+.1f}% | "
          f"{sum(sizes_all) / len(sizes_all) / 1024:.1f}, {max(sizes_all) / 1024:.1f} |")


if __name__ == "__main__":
    main()
