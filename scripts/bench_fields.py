#!/usr/bin/env python3
"""Receipts' and invoices' fields: the SROIE receipts scored by `../shared/bench/score_fields.py`
(task 3's Hmean over company, date, address and total), the corpus's invoices checked field by
field against what they print, and the documents that are neither (the corpus's letters and
reports, the DocBank pages) checked for fields they must not get.

    scripts/bench_fields.py [--bin target/release/document-processor] [--shared ../shared] [--out DIR]

`--again DIR` reads nothing again: it runs the fields step alone on the results an earlier run wrote
to DIR (`cargo build --release -p processor --example fields_again` first), so that a rule change
is measured in seconds on the same words.
"""
import argparse, json, os, re, subprocess, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


AGAIN = None


def extract(binary, files, dest):
    dest.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    if AGAIN:
        subprocess.run([str(ROOT / "target/release/examples/fields_again"), str(AGAIN / dest.name), str(dest)],
                       check=True)
        return time.monotonic() - start
    subprocess.run([binary, "extract", "--quiet", "--workers", "1", "--out-dir", str(dest), *map(str, files)],
                   env=dict(os.environ, OMP_THREAD_LIMIT="1"), check=False)
    return time.monotonic() - start


def invoice_truth(text):
    """The fields a corpus invoice prints, read from its ground-truth text."""
    want = {}
    for key, pattern in [("invoice_receipt_id", r"Invoice No: (\S+)"), ("subtotal", r"Subtotal: ([\d,.]+)"),
                         ("tax", r"Tax \(\d+%\): ([\d,.]+)"), ("total", r"Total [A-Z]{3}: ([\d,.]+)")]:
        m = re.search(pattern, text)
        if m:
            want[key] = m.group(1).replace(",", "") if key != "invoice_receipt_id" else m.group(1)
    m = re.search(r"^(.*)\n", text)
    if m:
        want["vendor_name"] = m.group(1)
    m = re.search(r"Date: (.+)", text)
    if m:
        want["date_text"] = m.group(1).strip()
    return want


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=str(ROOT / "target/release/document-processor"))
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    ap.add_argument("--out", default=str(ROOT / "target/bench-fields"))
    ap.add_argument("--again", help="an earlier run's --out: its words, the fields step run again")
    a = ap.parse_args()
    global AGAIN
    AGAIN = Path(a.again) if a.again else None
    shared, out = Path(a.shared), Path(a.out)
    py = ROOT / ".local/venv/bin/python"

    receipts = sorted((shared / "realworld/sroie_keys").glob("*.jpg"))
    secs = extract(a.bin, receipts, out / "sroie_keys")
    score = subprocess.run([str(py), str(shared / "bench/score_fields.py"), str(shared / "realworld/sroie_keys"),
                            "--results", str(out / "sroie_keys")], capture_output=True, text=True)
    print(f"## sroie_keys ({len(receipts)} receipts, {secs:.1f} s, extract --workers 1)\n")
    print(score.stdout)

    manifest = json.loads((shared / "corpus/manifest.json").read_text())
    invoices = [f for f in manifest["files"] if "invoice" in f["file"] and f.get("score_text")]
    others = [f for f in manifest["files"] if f.get("score_text") and "invoice" not in f["file"]
              and f["kind"] in ("born_digital", "scanned", "image", "mixed")]
    extract(a.bin, [shared / "corpus" / f["file"] for f in invoices + others], out / "corpus")
    print("## corpus invoices: each field against what the invoice prints\n")
    right = wrong = missing = 0
    for f in invoices:
        want = invoice_truth(f["pages"][0]["text"])
        got = json.loads((out / "corpus" / f"{f['file']}.json").read_text()).get("fields", {})
        row = []
        for key, value in want.items():
            if key == "date_text":
                g = (got.get("date") or {}).get("text")
            elif key in ("vendor_name", "invoice_receipt_id"):
                g = (got.get(key) or {}).get("text")
            else:
                g = (got.get(key) or {}).get("value")
            ok = g is not None and g.replace(",", "") == value.replace(",", "") if key not in ("vendor_name", "invoice_receipt_id", "date_text") else g == value
            right += ok; wrong += (g is not None and not ok); missing += g is None
            row.append(f"{key} {'ok' if ok else f'want {value!r} got {g!r}'}")
        print(f"- {f['file']}: " + "; ".join(row))
    print(f"\n{right} right, {wrong} wrong, {missing} missing")

    print("\n## neither receipt nor invoice: fields claimed (want none)\n")
    docbank = sorted((shared / "realworld/docbank").glob("*.jpg"))
    extract(a.bin, docbank, out / "docbank")
    claimed = []
    for d, names in [(out / "corpus", [f["file"] for f in others]), (out / "docbank", [p.name for p in docbank])]:
        for n in names:
            fields = json.loads((d / f"{n}.json").read_text()).get("fields", {})
            if fields:
                claimed.append(f"{n}: {sorted(fields)}")
    print(f"{len(others) + len(docbank)} documents, {len(claimed)} with fields")
    for c in claimed:
        print(f"- {c}")


if __name__ == "__main__":
    main()
