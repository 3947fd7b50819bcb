#!/usr/bin/env bash
# The whole workflow on one machine, no AWS account: moto's server plays S3, DynamoDB and DynamoDB
# Streams; stream-relay stands in for the Lambda's event source mapping and runs the Lambda's own
# handler; document-processor runs as in production. All on loopback.
#
#   scripts/local-stack.sh up       start what is not running yet (idempotent)
#   scripts/local-stack.sh down     stop what `up` started, and nothing else
#   scripts/local-stack.sh status   what runs, where; exit 0 only when all three run
#   scripts/local-stack.sh env      the stack's settings as shell assignments (for `source`)
#
# Settings (environment): LOCAL_STACK_DIR (.local/stack: logs, pids, stack.env), LOCAL_MOTO_PORT (4566),
# LOCAL_SERVICE_PORT (8080), LOCAL_STACK_PROFILE (release | debug: which build of the binaries to run),
# LOCAL_STACK_BIN_DIR (run the binaries in this folder instead of building them).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${LOCAL_STACK_DIR:-$root/.local/stack}"
moto_port="${LOCAL_MOTO_PORT:-4566}"
service_port="${LOCAL_SERVICE_PORT:-8080}"
profile="${LOCAL_STACK_PROFILE:-release}"
bucket="document-processor-documents-local"
table="document-processor-results"
components=(moto service relay)

log() { printf '[local-stack] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# A pid file counts only while its process runs the program we started (pids get reused).
running() {
  local name="$1" pid
  [[ -f "$dir/$name.pid" ]] || return 1
  pid="$(cat "$dir/$name.pid")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
  grep -qa -- "$(program_of "$name")" "/proc/$pid/cmdline" 2>/dev/null
}

program_of() {
  case "$1" in
    moto) echo moto_server ;;
    service) echo document-processor ;;
    relay) echo stream-relay ;;
  esac
}

wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
  local deadline=$((SECONDS + $1)) what="$2"
  shift 2
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
  log "$what"
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Starts a program in its own session (so `down` can stop its whole process group), logs to $dir.
spawn() {
  local name="$1"
  shift
  setsid "$@" >>"$dir/$name.log" 2>&1 </dev/null &
  echo $! >"$dir/$name.pid"
}

# stack.env holds KEY=VALUE lines. It is read without `source`/eval: only the names below, each
# value taken literally, so nothing in it can run. Values are checked when written.
env_keys=(AWS_ENDPOINT_URL AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_DEFAULT_REGION AWS_REGION
  DOCUMENT_BUCKET DYNAMODB_TABLE_NAME SERVICE_URL API_KEY)
load_env() {
  [[ -f "$dir/stack.env" ]] || return 1
  local line key value
  while IFS= read -r line || [[ -n "$line" ]]; do
    key="${line%%=*}" value="${line#*=}"
    [[ " ${env_keys[*]} " == *" $key "* ]] || continue
    printf -v "$key" '%s' "$value"
  done <"$dir/stack.env"
}

write_env() {
  local api_key value
  if load_env 2>/dev/null && [[ -n "${API_KEY:-}" ]]; then
    api_key="$API_KEY"
  else
    api_key="local-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
  fi
  for value in "$bucket" "$table" "$api_key" "$moto_port" "$service_port"; do
    [[ "$value" =~ ^[A-Za-z0-9._-]+$ ]] || die "unsafe value for stack.env: '$value' (letters, digits, . _ - only)"
  done
  {
    printf 'AWS_ENDPOINT_URL=http://127.0.0.1:%s\n' "$moto_port"
    printf 'AWS_ACCESS_KEY_ID=local\nAWS_SECRET_ACCESS_KEY=local\n'
    printf 'AWS_DEFAULT_REGION=us-east-1\nAWS_REGION=us-east-1\n'
    printf 'DOCUMENT_BUCKET=%s\nDYNAMODB_TABLE_NAME=%s\n' "$bucket" "$table"
    printf 'SERVICE_URL=http://127.0.0.1:%s\nAPI_KEY=%s\n' "$service_port" "$api_key"
  } >"$dir/stack.env"
}

# `env`: the settings as `export` lines, each value shell-quoted, for `eval "$(... env)"` by hand.
print_env() {
  load_env || return 1
  local key
  for key in "${env_keys[@]}"; do
    printf 'export %s=%q\n' "$key" "${!key-}"
  done
}

ensure_built() {
  # LOCAL_STACK_BIN_DIR: run binaries built elsewhere (the end-to-end test uses those `cargo test`
  # has just built; a separate `cargo build` would resolve other features and rebuild for minutes).
  if [[ -n "${LOCAL_STACK_BIN_DIR:-}" ]]; then
    service_bin="$LOCAL_STACK_BIN_DIR/document-processor"
    relay_bin="$LOCAL_STACK_BIN_DIR/stream-relay"
    [[ -x "$service_bin" && -x "$relay_bin" ]] || die "no document-processor / stream-relay in $LOCAL_STACK_BIN_DIR"
    return
  fi
  local flag=() bin_dir="$root/target/debug"
  if [[ "$profile" == "release" ]]; then
    flag=(--release)
    bin_dir="$root/target/release"
  fi
  # A no-op in a second when the binaries are up to date (the first build takes minutes); never
  # runs a stale build.
  log "building document-processor and stream-relay ($profile)"
  (cd "$root" && cargo build "${flag[@]}" --locked -p service -p relay \
    --bin document-processor --bin stream-relay)
  service_bin="$bin_dir/document-processor"
  relay_bin="$bin_dir/stream-relay"
}

up() {
  mkdir -p "$dir"
  if [[ ! -x "$root/.local/venv/bin/moto_server" || ! -f "$root/.local/lib/libpdfium.so" ]]; then
    log "first run: installing prerequisites (scripts/setup.sh)"
    "$root/scripts/setup.sh"
  fi
  ensure_built
  write_env
  load_env
  export AWS_ENDPOINT_URL AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_DEFAULT_REGION AWS_REGION

  if running moto; then
    log "moto already running (pid $(cat "$dir/moto.pid"))"
  else
    port_free "$moto_port" || die "port $moto_port is taken by another program; set LOCAL_MOTO_PORT"
    # moto's server with atomic requests, as DynamoDB's conditional writes are (the script says why).
    spawn moto "$root/.local/venv/bin/python" "$root/scripts/moto_server.py" -H 127.0.0.1 -p "$moto_port"
    wait_for 30 "moto on $AWS_ENDPOINT_URL" curl -fsS "$AWS_ENDPOINT_URL/moto-api/" ||
      die "moto did not start; see $dir/moto.log"
  fi
  "$root/.local/venv/bin/python" "$root/scripts/local_resources.py" "$AWS_ENDPOINT_URL" "$bucket" "$table" |
    while read -r line; do log "$line"; done

  if running service; then
    log "service already running (pid $(cat "$dir/service.pid"))"
  else
    port_free "$service_port" || die "port $service_port is taken by another program; set LOCAL_SERVICE_PORT"
    spawn service env PORT="$service_port" BIND_ADDRESS=127.0.0.1 API_KEY="$API_KEY" \
      DYNAMODB_TABLE_NAME="$table" DOCUMENT_BUCKET="$bucket" LOG_FORMAT=json \
      PDFIUM_LIB_PATH="$root/.local/lib/libpdfium.so" SHUTDOWN_GRACE_SECS=10 \
      "$service_bin" serve
    wait_for 60 "service on $SERVICE_URL" curl -fsS "$SERVICE_URL/health" ||
      die "the service did not become healthy; see $dir/service.log"
  fi

  if running relay; then
    log "relay already running (pid $(cat "$dir/relay.pid"))"
  else
    : >"$dir/relay.log"
    spawn relay env ECS_SERVICE_URL="$SERVICE_URL" API_KEY="$API_KEY" DYNAMODB_TABLE_NAME="$table" \
      RELAY_DEAD_LETTER_FILE="$dir/dead-letter.jsonl" "$relay_bin"
    wait_for 30 "relay reading the table's stream" grep -q "relay reading shard" "$dir/relay.log" ||
      die "the relay did not start reading the stream; see $dir/relay.log"
  fi
  status
}

stop_one() {
  local name="$1" pid
  if ! running "$name"; then
    rm -f "$dir/$name.pid"
    return 0
  fi
  pid="$(cat "$dir/$name.pid")"
  # setsid made the pid its process group leader: signal the whole group.
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 75); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name did not stop in 15 s; killing it"
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$dir/$name.pid"
  log "stopped $name"
}

down() {
  # Reverse order: nothing new is delivered while the service drains.
  stop_one relay
  stop_one service
  stop_one moto
}

status() {
  local all=0 name pid
  for name in "${components[@]}"; do
    if running "$name"; then
      pid="$(cat "$dir/$name.pid")"
      printf '%-8s running  pid %-7s log %s\n' "$name" "$pid" "$dir/$name.log"
    else
      printf '%-8s stopped\n' "$name"
      all=1
    fi
  done
  if ((all == 0)) && load_env; then
    printf 'endpoint %s  bucket %s  table %s\nservice  %s  (API key in %s)\n' \
      "$AWS_ENDPOINT_URL" "$DOCUMENT_BUCKET" "$DYNAMODB_TABLE_NAME" "$SERVICE_URL" "$dir/stack.env"
  fi
  return "$all"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  env) print_env ;;
  *)
    sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
    exit 64
    ;;
esac
