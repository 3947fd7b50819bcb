#!/usr/bin/env bash
# Service benchmarks: see scripts/bench_service.py. Needs wrk (installed here if missing).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
./scripts/setup.sh
if ! command -v wrk >/dev/null; then
  sudo_cmd=(); [[ $EUID -ne 0 ]] && sudo_cmd=(sudo)
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends wrk >/dev/null
fi
cargo build --release -q -p service
exec "$root/.local/venv/bin/python" "$root/scripts/bench_service.py"
