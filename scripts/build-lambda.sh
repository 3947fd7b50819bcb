#!/usr/bin/env bash
# Packages the Lambda: `cargo lambda build --release --output-format zip` for the provided.al2023
# runtime, into target/lambda/dynamodb-trigger/bootstrap.zip (the file infra/ deploys).
#   LAMBDA_ARCH=x86_64 (default, matches infra's `lambda_architecture`) or arm64.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if ! command -v cargo-lambda >/dev/null; then
  [[ -x "$root/.local/cargo-lambda/bin/cargo-lambda" ]] || "$root/scripts/setup.sh"
  export PATH="$root/.local/cargo-lambda/bin:$PATH"
fi
arch_flag=()
[[ "${LAMBDA_ARCH:-x86_64}" == "arm64" ]] && arch_flag=(--arm64)
cargo lambda build --release --locked --output-format zip "${arch_flag[@]}" \
  -p trigger --bin dynamodb-trigger
zip="$root/target/lambda/dynamodb-trigger/bootstrap.zip"
[[ -s "$zip" ]] || { echo "error: $zip was not produced" >&2; exit 1; }
# Listed into a variable first: `unzip | grep -q` under pipefail fails at random when grep's early exit
# sends SIGPIPE to unzip (it did in CI).
entries="$(unzip -Z1 "$zip")"
grep -qx 'bootstrap' <<<"$entries" || { echo "error: $zip has no bootstrap (holds: $entries)" >&2; exit 1; }
echo "Lambda package: $zip ($(du -h "$zip" | cut -f1))"
