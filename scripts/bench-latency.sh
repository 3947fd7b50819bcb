#!/usr/bin/env bash
# End-to-end latency on the local stack, insert -> completed, split into stream/relay delay,
# Lambda/HTTP hop and processing (BENCHMARKS.md). Runs its own stack (release build, own folder and
# ports) and takes it down afterwards.
#   ./scripts/bench-latency.sh [RUNS] [FILE]     (defaults: 20, samples/scan.pdf)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-20}"
file="${2:-$root/samples/scan.pdf}"
export LOCAL_STACK_DIR="$root/target/bench/latency-stack"
export LOCAL_MOTO_PORT="${LOCAL_MOTO_PORT:-4576}" LOCAL_SERVICE_PORT="${LOCAL_SERVICE_PORT:-8090}"
export LOCAL_STACK_PROFILE=release
rm -rf "$LOCAL_STACK_DIR"
trap '"$root/scripts/local-stack.sh" down >/dev/null 2>&1 || true' EXIT
"$root/scripts/local-stack.sh" up >/dev/null
"$root/.local/venv/bin/python" "$root/scripts/bench_latency.py" "$LOCAL_STACK_DIR" "$file" "$runs"
