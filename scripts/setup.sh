#!/usr/bin/env bash
# Installs everything the project needs on Debian/Ubuntu: idempotent, quick when all is present.
#   - Tesseract + English data, leptonica, clang/libclang (bindgen for leptess), cmake (zxing-cpp)
#   - libpdfium (Debian does not package it): unpacked from the pypdfium2 wheel into .local/lib/
#   - a Python venv (.local/venv) with moto[server] (S3/DynamoDB emulator) and rapidfuzz (the scorer)
#   - the AWS CLI in its own venv (.local/awscli; it pins botocore) for test-workflow.sh --local
#   - cargo-lambda with its zig (.local/cargo-lambda) to package the Lambda (scripts/build-lambda.sh)
#   - the static checks of infra/ and the scripts: shellcheck (Debian), checkov (own venv, .local/checkov)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
local_dir="$root/.local"
PYPDFIUM_VERSION="5.15.2"
MOTO_VERSION="5.1.18"
RAPIDFUZZ_VERSION="3.14.6"
AWSCLI_VERSION="1.45.11"
CARGO_LAMBDA_VERSION="1.9.2"
CHECKOV_VERSION="3.3.30"

log() { printf '[setup] %s\n' "$*" >&2; }

if [[ "$(uname -s)" == "Darwin" ]]; then
  cat >&2 <<'MAC'
[setup] macOS: install the native libraries with Homebrew, then re-run this script for libpdfium and the venv:
    brew install tesseract leptonica cmake llvm pkg-config
    export LIBCLANG_PATH="$(brew --prefix llvm)/lib"
MAC
fi

apt_packages=(tesseract-ocr tesseract-ocr-eng libtesseract-dev libleptonica-dev clang libclang-dev
  cmake pkg-config unzip shellcheck)
# Debian's own python3 needs python3-venv for `python3 -m venv`; other pythons ship ensurepip.
python3 -c 'import ensurepip' 2>/dev/null || apt_packages+=(python3-venv)
if command -v dpkg-query >/dev/null; then
  missing=()
  for p in "${apt_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
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

# The AWS CLI (v1, from PyPI) for the workflow scripts against the local stack; a separate venv
# because it pins its own botocore next to moto's.
awscli="$local_dir/awscli"
if [[ ! -x "$awscli/bin/aws" ]]; then
  log "installing awscli==$AWSCLI_VERSION into $awscli"
  python3 -m venv "$awscli"
  "$awscli/bin/pip" install -q --disable-pip-version-check "awscli==$AWSCLI_VERSION"
fi

# cargo-lambda from PyPI (it brings zig as the cross-linker for the Lambda's provided.al2023 runtime).
cargo_lambda="$local_dir/cargo-lambda"
if [[ ! -x "$cargo_lambda/bin/cargo-lambda" ]]; then
  log "installing cargo-lambda==$CARGO_LAMBDA_VERSION into $cargo_lambda"
  python3 -m venv "$cargo_lambda"
  "$cargo_lambda/bin/pip" install -q --disable-pip-version-check "cargo-lambda==$CARGO_LAMBDA_VERSION"
fi

# checkov for infra/ and docker/; its own venv because it pins a boto3 older than moto's.
checkov="$local_dir/checkov"
if [[ ! -x "$checkov/bin/checkov" ]]; then
  log "installing checkov==$CHECKOV_VERSION into $checkov"
  python3 -m venv "$checkov"
  "$checkov/bin/pip" install -q --disable-pip-version-check "checkov==$CHECKOV_VERSION"
fi

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

log "ok: tesseract $(tesseract --version 2>/dev/null | head -n1 | awk '{print $2}'), libpdfium at $pdfium, venv at $venv"
