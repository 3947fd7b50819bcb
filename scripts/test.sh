#!/usr/bin/env bash
# The project's test command (README; .ci/run calls it): set-up, format and lint checks, every test.
# Test data is read from ../shared (corpus, real-world files); tests skip with a message without it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

./scripts/setup.sh
export PDFIUM_LIB_PATH="$root/.local/lib" OMP_THREAD_LIMIT=1

./scripts/static-checks.sh
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --locked

# The Lambda's deployment package builds (cargo lambda, zig linker) and holds a `bootstrap`.
./scripts/build-lambda.sh
