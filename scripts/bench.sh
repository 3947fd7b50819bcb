#!/usr/bin/env bash
# Benchmarks behind BENCHMARKS.md: accuracy (score.py), throughput against the tesseract CLI and
# OCRmyPDF on the same pages in one run, peak memory, bad inputs. Machines here are noisy: read ratios.
#   ./scripts/bench.sh [accuracy|realworld|throughput|memory|bad|codes|pdf|previews|tables|workers|all]      (default: all)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
what="${1:-all}"

./scripts/setup.sh
# Bench-only tools: pdftoppm (pre-rendering for the CLI peers), hyperfine, GNU time; OCRmyPDF if available.
need=()
command -v pdftoppm >/dev/null || need+=(poppler-utils)
command -v hyperfine >/dev/null || need+=(hyperfine)
[[ -x /usr/bin/time ]] || need+=(time)
command -v ocrmypdf >/dev/null || need+=(ocrmypdf)
if ((${#need[@]})); then
  sudo_cmd=(); [[ $EUID -ne 0 ]] && sudo_cmd=(sudo)
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# nproc honours OMP_THREAD_LIMIT: count the cores before setting it.
cores="$(nproc)"
export PDFIUM_LIB_PATH="$root/.local/lib" OMP_THREAD_LIMIT=1
shared="${SHARED_DIR:-$root/../shared}"
corpus="$shared/corpus"
[[ -f "$corpus/manifest.json" ]] || { echo "no corpus at $corpus (set SHARED_DIR)" >&2; exit 1; }
out="$root/target/bench"
mkdir -p "$out"
cargo build --release -q -p service
cargo build --release -q -p processor --example make_bench_docs
bin="$root/target/release/document-processor"
[[ -f "$out/docs/scan_200p.pdf" ]] || "$root/target/release/examples/make_bench_docs" "$corpus" "$out/docs"

section() { printf '\n## %s\n\n' "$*"; }
rss_mb() { awk '{printf "%.0f", $1/1024}' <<<"$1"; }

accuracy() {
  section "Accuracy (score.py on the corpus, WORKERS=$cores)"
  rm -rf "$out/results"
  find "$corpus" -maxdepth 1 -type f ! -name '*.json' ! -name '*.md' -print0 |
    xargs -0 "$bin" extract --quiet --out-dir "$out/results" 2>/dev/null || true
  "$root/.local/venv/bin/python" "$shared/bench/score.py" --corpus "$corpus" --results "$out/results"
  local hits=0 total=0
  for exp in "$shared"/realworld/qr/*/*.expected.txt; do
    img="${exp%.expected.txt}"; total=$((total + 1))
    "$bin" extract "$img" 2>/dev/null | "$root/.local/venv/bin/python" -c '
import json, sys
want = open(sys.argv[1], encoding="utf-8", newline="").read()
sys.exit(0 if any(q["data"] == want for q in json.load(sys.stdin)["qr_codes"]) else 1)' "$exp" && hits=$((hits + 1))
  done
  echo; echo "realworld/qr: $hits/$total codes read"
}

throughput() {
  section "Throughput (same machine, same run, $cores cores)"
  local scan="$corpus/scan_long_20p.pdf" pages=20
  local pre="$out/prerendered"
  if [[ ! -f "$pre/p-01.pgm" ]]; then
    mkdir -p "$pre"
    pdftoppm -r 300 -gray "$scan" "$pre/p"
  fi
  local cmds=(
    -n "document-processor (WORKERS=$cores)" "WORKERS=$cores $bin extract --quiet $scan > /dev/null"
    -n "tesseract CLI x$cores on pages pre-rendered at 300 DPI" "ls $pre/*.pgm | xargs -P $cores -I{} sh -c 'OMP_THREAD_LIMIT=1 tesseract {} - >/dev/null 2>&1'"
  )
  if command -v ocrmypdf >/dev/null; then
    cmds+=(-n "ocrmypdf -j $cores" "ocrmypdf -q -j $cores -O0 --output-type pdf $scan $out/ocrmypdf.pdf")
  fi
  hyperfine --style basic --warmup 1 --runs "${RUNS:-3}" --export-markdown "$out/throughput.md" "${cmds[@]}"
  echo; cat "$out/throughput.md"
  echo "(each command processes the same $pages scanned pages; pages/s = $pages / mean)"

  section "Born-digital throughput (200 text-layer pages)"
  hyperfine --style basic --warmup 1 --runs "${RUNS:-3}" --export-markdown "$out/born.md" \
    -n "document-processor born_200p.pdf" "$bin extract --quiet $out/docs/born_200p.pdf > /dev/null"
  cat "$out/born.md"
}

memory() {
  section "Peak RSS, one worker (GNU time)"
  echo "| document | pages | wall s | peak RSS MB |"
  echo "|---|---|---|---|"
  for doc in "$corpus/scan_long_20p.pdf" "$out/docs/scan_200p.pdf"; do
    local m
    # The 200-page file is 69 MB (pdfium copies pages without sharing images): raise the file cap.
    m=$( { WORKERS=1 MAX_FILE_BYTES=200000000 /usr/bin/time -f '%e %M' "$bin" extract --quiet "$doc" > /dev/null; } 2>&1 | tail -n1)
    local pages; pages=$(basename "$doc" | grep -o '[0-9]*p' | tr -d p)
    echo "| $(basename "$doc") | $pages | ${m% *} | $(rss_mb "${m#* }") |"
  done
}

bad() {
  section "Bad inputs (each alone, WORKERS=$cores)"
  echo "| file | outcome | wall s | peak RSS MB |"
  echo "|---|---|---|---|"
  for f in "$corpus"/bad_*; do
    local m code
    m=$( { /usr/bin/time -f '%e %M' "$bin" extract "$f" > "$out/bad.json"; } 2>&1 | tail -n1) || true
    code=$("$root/.local/venv/bin/python" -c 'import json,sys; r=json.load(open(sys.argv[1])); print((r["error"] or {}).get("code") or "ok, %d pages" % r["page_count"])' "$out/bad.json")
    echo "| $(basename "$f") | $code | ${m% *} | $(rss_mb "${m#* }") |"
  done
}

realworld() {
  section "Real-world pages: reading order next to the tesseract CLI (docs_realworld.py)"
  local rw="$shared/realworld" res="$out/realworld"
  rm -rf "$res"; mkdir -p "$res/docbank" "$res/ocr" "$res/docbank-pdf"
  "$bin" extract --quiet --out-dir "$res/docbank" "$rw"/docbank/*.jpg || true
  "$bin" extract --quiet --out-dir "$res/ocr" "$rw/ocr/linn.pdf" "$rw/ocr/phototest.tif" || true
  "$root/.local/venv/bin/python" "$shared/bench/docs_realworld.py" "$rw" docbank ocr --results "$res"
  section "DocBank papers through their text layer, next to poppler"
  "$bin" extract --quiet --ocr-mode never --out-dir "$res/docbank-pdf" "$rw"/docbank/pdf/*_black.pdf || true
  "$root/.local/venv/bin/python" "$root/scripts/bench_textlayer.py" "$rw/docbank" "$res/docbank-pdf" | tail -n 2
  section "Layout and orientation next to OCR (scan_long_20p.pdf, one run)"
  cargo build --release -q -p processor --example layout_cost
  "$root/target/release/examples/layout_cost" "$corpus/scan_long_20p.pdf"
}

codes() {
  section "Barcodes next to zxing-cpp's Python binding (scripts/bench_codes.py)"
  "$root/.local/venv/bin/python" -c 'import zxingcpp, PIL' 2>/dev/null ||
    "$root/.local/venv/bin/pip" install -q zxing-cpp pillow
  "$root/.local/venv/bin/python" "$root/scripts/bench_codes.py" "$shared"
}

pdf() {
  section "Searchable PDF next to OCRmyPDF (scripts/bench_pdf.py)"
  local docbank=()
  mapfile -t docbank < <(find "$shared"/realworld/docbank -maxdepth 1 -name '*.jpg' | sort)
  command -v ocrmypdf >/dev/null || { echo "ocrmypdf is not installed (apt-get install ocrmypdf)" >&2; return 1; }
  "$root/.local/venv/bin/python" "$root/scripts/bench_pdf.py" "$bin" \
    "$shared"/corpus/scan_{invoice,letter,report}_01.pdf "$shared"/corpus/img_letter_01.jpg \
    "$shared"/corpus/img_invoice_01.png "$shared"/corpus/img_multipage_01.tif "$shared"/corpus/scan_long_20p.pdf \
    "$shared"/realworld/ocr/linn.pdf "$shared"/realworld/ocr/phototest.tif "${docbank[@]:0:6}"
}

workers() {
  section "Worker processes (scripts/bench_workers.py: memory, throughput, latency, 200 documents with 20 hostile)"
  "$root/.local/venv/bin/python" "$root/scripts/bench_workers.py" "$@"
}
previews() {
  section "Page previews for the viewer (examples/preview_cost.rs, scripts/bench_previews.py)"
  cargo build --release -q -p processor --example preview_cost
  local files=("$shared"/corpus/scan_{invoice,letter,report}_01.pdf "$shared"/corpus/scan_long_20p.pdf
    "$shared"/corpus/img_{invoice_01.png,letter_01.jpg,multipage_01.tif} "$shared"/corpus/bd_{report_01,letter_01}.pdf
    "$shared"/realworld/ocr/{linn.pdf,phototest.tif})
  mapfile -t -O "${#files[@]}" files < <(find "$shared"/realworld/docbank -maxdepth 1 -name '*.jpg' | sort)
  echo "Coding each page's preview next to processing the document (one OCR thread, best of 3):"; echo
  "$root/target/release/examples/preview_cost" "${files[@]}"
  echo; echo "End to end: extract with and without --html (alternated, best of 5):"; echo
  "$root/.local/venv/bin/python" "$root/scripts/bench_previews.py" "$bin" \
    "$shared"/corpus/scan_{invoice,letter,report}_01.pdf "$shared"/corpus/img_invoice_01.png "$shared"/corpus/bd_report_01.pdf
}

tables() {
  section "Tables (scripts/bench_tables.py: the engine, pdfplumber, camelot, img2table, one run)"
  python3 "$root/scripts/bench_tables.py" --bin "$bin" --shared "$shared" --out "$out/tables"
}

case "$what" in
  tables) tables ;;
  accuracy) accuracy ;; throughput) throughput ;; memory) memory ;; bad) bad ;; realworld) realworld ;;
  workers) shift; workers "$@" ;;
  codes) codes ;;
  pdf) pdf ;;
  previews) previews ;;
  all) accuracy; realworld; throughput; memory; bad; codes; tables; workers ;;
  *) echo "usage: $0 [accuracy|realworld|throughput|memory|bad|codes|pdf|previews|tables|workers [memory|throughput|latency|hostile]|all]" >&2; exit 2 ;;
esac
