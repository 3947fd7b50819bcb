#!/usr/bin/env bash
# Builds libtesseract as a static library into PREFIX (default: the checkout's .local/tesseract):
# the same Tesseract as Debian 12's (5.3.0, Debian's source tarball, checked by SHA-256), compiled
# for the engine: -O3, no OpenMP (one thread per worker; its empty parallel regions cost ~1.5%),
# line images kept as images (below),
# and static, so that calls inside the LSTM (StrideMap, NetworkIO) are direct rather than through
# the shared library's PLT. Results are the same to the byte; the OCR step takes ~20% less CPU
# (BENCHMARKS.md, issue 24). The engine links it through pkg-config (.cargo/config.toml points
# PKG_CONFIG_PATH here); without it, Debian's shared libtesseract is linked instead.
# Idempotent: a stamp records what was built. About 2 minutes on two cores.
#   scripts/build-tesseract.sh [PREFIX]      (docker/Dockerfile: PREFIX=/usr/local)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
prefix="${1:-$root/.local/tesseract}"
version="5.3.0"
tarball="tesseract_${version}.orig.tar.gz"
url="http://deb.debian.org/debian/pool/main/t/tesseract/$tarball"
sha256="7e70870f8341e5ea228af2836ce79a36eefa11b01b56177b4a8997f330c014b8"
# Where Debian's tesseract-ocr-* packages put the traineddata (TESSDATA_PREFIX still overrides it).
tessdata_prefix="/usr/share/tesseract-ocr/5"
options=(
  -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_LIBDIR=lib -DBUILD_SHARED_LIBS=OFF
  -DOPENMP_BUILD=OFF -DENABLE_LTO=OFF -DBUILD_TRAINING_TOOLS=OFF -DGRAPHICS_DISABLED=ON
  -DDISABLE_ARCHIVE=ON -DDISABLE_CURL=ON -DINSTALL_CONFIGS=OFF
  # Portable code: only the SIMD kernels Tesseract picks at run time use AVX2/FMA/AVX-512.
  -DCOMPILER_SUPPORTS_MARCH_NATIVE=OFF
)
# Each text line's image is handed to the LSTM as a Pix, not PNG-encoded and decoded again
# (upstream's switch; the same pixels, PNG being lossless): zlib and libpng took ~4.5% of a page.
defines="-DTESSERACT_IMAGEDATA_AS_PIX"
stamp="$prefix/.tesseract-build"
want="$version $sha256 ${options[*]} $tessdata_prefix $defines"

log() { printf '[build-tesseract] %s\n' "$*" >&2; }

if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" && -f "$prefix/lib/libtesseract.a" ]]; then
  exit 0
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
log "fetching $url"
curl -fsSL --retry 3 -o "$tmp/$tarball" "$url"
echo "$sha256  $tmp/$tarball" | sha256sum -c --quiet -
tar -xzf "$tmp/$tarball" -C "$tmp"
log "building Tesseract $version (static, -O3, no OpenMP) into $prefix"
CXXFLAGS="-DTESSDATA_PREFIX=\\\"$tessdata_prefix\\\" $defines" \
  cmake -S "$tmp/tesseract-$version" -B "$tmp/build" -DCMAKE_INSTALL_PREFIX="$prefix" "${options[@]}" >"$tmp/cmake.log" 2>&1 \
  || { cat "$tmp/cmake.log" >&2; exit 1; }
cmake --build "$tmp/build" --parallel "$(nproc)" >"$tmp/build.log" 2>&1 || { tail -50 "$tmp/build.log" >&2; exit 1; }
cmake --install "$tmp/build" >/dev/null
echo "$want" >"$stamp"
log "ok: $prefix/lib/libtesseract.a"
