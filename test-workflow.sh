#!/usr/bin/env bash
# Runs the whole workflow on one document: upload it to the bucket, insert a `pending` record with a
# new id, wait until the record is `completed` or `failed`, print a summary. Exit 0 when completed,
# 1 when failed, 2 on timeout, 64 on bad usage.
#
#   ./test-workflow.sh FILE [--local] [--timeout SECONDS]
#
# Without --local it uses the deployment: the Terraform outputs in infra/ (api_url: the HTTPS API)
# and the AWS CLI with your credentials. With --local it uses the local stack (scripts/local-stack.sh),
# bringing it up first when it is not running (and installing the prerequisites when something is
# missing). Any file name works; the record is built by jq, and what the document put in its text
# and codes is shown with control characters removed.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
usage() { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 64; }
die() { printf 'error: %s\n' "$1" >&2; exit "${2:-1}"; }

file="" local_mode=0 timeout=300
while (($#)); do
  case "$1" in
    --local) local_mode=1 ;;
    --timeout) [[ $# -ge 2 && "$2" =~ ^[0-9]+$ ]] || usage; timeout="$2"; shift ;;
    -h | --help) usage ;;
    -*) usage ;;
    *) [[ -z "$file" ]] || usage; file="$1" ;;
  esac
  shift
done
[[ -n "$file" ]] || usage
[[ -f "$file" ]] || die "no such file: $file" 64

command -v jq >/dev/null || die "jq is not installed (apt-get install jq; ./scripts/setup.sh does it)"
safe() { "$root/scripts/terminal-safe.sh"; }

if ((local_mode)); then
  if ! "$root/scripts/local-stack.sh" status >/dev/null 2>&1; then
    echo "Local stack not running: starting it (scripts/local-stack.sh up)..."
    "$root/scripts/local-stack.sh" up >/dev/null
  fi
  # The stack's settings, read as data (KEY=VALUE, known names only), never evaluated.
  stack_env="${LOCAL_STACK_DIR:-$root/.local/stack}/stack.env"
  [[ -f "$stack_env" ]] || die "no $stack_env: run scripts/local-stack.sh up"
  while IFS= read -r line || [[ -n "$line" ]]; do
    k="${line%%=*}" v="${line#*=}"
    case "$k" in
      AWS_ENDPOINT_URL | AWS_ACCESS_KEY_ID | AWS_SECRET_ACCESS_KEY | AWS_DEFAULT_REGION | AWS_REGION | \
        DOCUMENT_BUCKET | DYNAMODB_TABLE_NAME | SERVICE_URL | API_KEY)
        printf -v "$k" '%s' "$v"
        export "${k?}"
        ;;
    esac
  done <"$stack_env"
  aws="$root/.local/awscli/bin/aws"
  [[ -x "$aws" ]] || "$root/scripts/setup.sh"
  bucket="${DOCUMENT_BUCKET:?}" table="${DYNAMODB_TABLE_NAME:?}" service_url="${SERVICE_URL:?}"
  where="local stack ($AWS_ENDPOINT_URL)"
else
  for tool in terraform aws; do
    command -v "$tool" >/dev/null || die "$tool is not installed (needed to read the deployment; or use --local)"
  done
  aws="aws"
  out() { terraform -chdir="$root/infra" output -raw "$1" 2>/dev/null; }
  service_url="$(out api_url)" || die "no Terraform outputs in infra/: run ./deploy.sh first (or use --local)"
  if ! bucket="$(out s3_bucket_name)" || ! table="$(out dynamodb_table_name)"; then
    die "Terraform outputs s3_bucket_name / dynamodb_table_name missing: run ./deploy.sh"
  fi
  region="$(out aws_region || true)"
  [[ -n "$region" ]] && export AWS_DEFAULT_REGION="$region" AWS_REGION="$region"
  "$aws" sts get-caller-identity >/dev/null 2>&1 || die "AWS credentials are not valid (aws sts get-caller-identity failed)"
  where="AWS ($service_url)"
fi

id="$(cat /proc/sys/kernel/random/uuid 2>/dev/null || uuidgen | tr '[:upper:]' '[:lower:]')"
name="$(basename "$file")"
key="uploads/$id/$name"
ext="${name##*.}"
file_type="$(printf '%s' "$ext" | tr '[:upper:]' '[:lower:]')"
[[ "$name" == *.* ]] || file_type=""
# Only a plain extension is passed on as the type hint (the content decides anyway).
[[ "$file_type" =~ ^[a-z0-9]{1,5}$ ]] || file_type=""
now="$(date -u +%Y-%m-%dT%H:%M:%SZ)"

echo "Document Processor workflow on $where"
echo "  file      $(printf '%s' "$file" | safe) ($(wc -c <"$file" | tr -d ' ') bytes)"
echo "  id        $id"
start=$SECONDS

"$aws" s3 cp "$file" "s3://$bucket/$key" --only-show-errors || die "upload to s3://$bucket/$key failed"
echo "  uploaded  $(printf 's3://%s/%s' "$bucket" "$key" | safe)"

# The item as JSON built by jq: a name with quotes, spaces or $(...) is only ever data.
item="$(jq -cn --arg id "$id" --arg bucket "$bucket" --arg key "$key" --arg now "$now" --arg ft "$file_type" \
  '{id: {S: $id}, bucket: {S: $bucket}, key: {S: $key}, status: {S: "pending"}, created_at: {S: $now}}
   + (if $ft == "" then {} else {file_type: {S: $ft}} end)')"
if ! "$aws" dynamodb put-item --table-name "$table" --item "$item" \
  --condition-expression "attribute_not_exists(id)"; then
  # Nothing will ever process the object: do not leave it behind.
  "$aws" s3 rm "s3://$bucket/$key" --only-show-errors || true
  die "inserting the record into $table failed (the uploaded object was removed)"
fi
echo "  inserted  $table (status pending)"

item_key="$(jq -cn --arg id "$id" '{id: {S: $id}}')"
get() { "$aws" dynamodb get-item --table-name "$table" --key "$item_key" --consistent-read --output text --query "$1"; }

status="pending" last="" tty=0
[[ -t 1 ]] && tty=1
while :; do
  status="$(get 'Item.status.S' 2>/dev/null || echo unknown)"
  elapsed=$((SECONDS - start))
  if [[ "$status" != "$last" ]]; then
    ((tty)) && printf '\r\033[K'
    printf '  %4ss     %s\n' "$elapsed" "$status"
    last="$status"
  elif ((tty)); then
    printf '\r  %4ss     %s ...' "$elapsed" "$status"
  fi
  [[ "$status" == completed || "$status" == failed ]] && break
  if ((elapsed >= timeout)); then
    ((tty)) && echo
    die "timed out after ${timeout}s with the record still '$status' (id $id)" 2
  fi
  sleep 1
done

total=$((SECONDS - start))
IFS=$'\t' read -r pages ms attempts code s3key < <(get '[Item.page_count.N, Item.processing_ms.N, Item.attempts.N, Item.error_code.S, Item.result_s3_key.S]')
na() { [[ "$1" == None ]] && echo "-" || echo "$1"; }
print_view() {
  # The viewer: /status hands out a link with a short-lived token, which a browser can open (the key
  # itself stays here).
  local api_key="${API_KEY:-}" param="" view=""
  if [[ -z "$api_key" ]] && ((!local_mode)); then
    param="$(out api_key_ssm_parameter || true)"
    [[ -n "$param" ]] && api_key="$("$aws" ssm get-parameter --name "$param" --with-decryption \
      --query Parameter.Value --output text 2>/dev/null || true)"
  fi
  if [[ -n "$api_key" ]] && command -v curl >/dev/null; then
    view="$(curl -fsS -H "x-api-key: $api_key" "$service_url/status/$id" 2>/dev/null |
      jq -r '.view_url // empty' 2>/dev/null || true)"
  fi
  # Only a path of the service's own form is printed (it came over the network).
  if [[ "$view" =~ ^/documents/[A-Za-z0-9._-]+/view\?token=[0-9]+\.[0-9a-f]+$ ]]; then
    echo "  view         $service_url$view"
  else
    echo "  view         $service_url/documents/$id/view (GET /status/$id with the API key gives view_url, a link with its token)"
  fi
}
echo
echo "Result ($status)"
echo "  pages        $(na "$pages")"
echo "  processing   $(na "$ms") ms in the service; ${total}s end to end (attempts: $(na "$attempts"))"
if [[ "$status" == failed ]]; then
  echo "  error        $(na "$code"): $(get 'Item.error_message.S' | safe)"
  print_view
  exit 1
fi
text="$(get 'Item.text.S')"
[[ "$text" == None ]] && text=""
excerpt="$(printf '%s' "$text" | tr '\f\n\t' '   ' | safe | tr -s ' ' | cut -c1-300)"
echo "  text         ${#text} characters"
echo "  excerpt      $excerpt"
qr="$(get 'Item.qr_codes.L[].M.data.S')"
if [[ -z "$qr" || "$qr" == None ]]; then
  echo "  QR codes     none"
else
  echo "  QR codes     $(printf '%s\n' "$qr" | tr '\t' '\n' | grep -c .)"
  printf '%s\n' "$qr" | tr '\t' '\n' | safe | sed 's/^/    - /'
fi
[[ "$s3key" != None ]] && echo "  full result  s3://$bucket/$s3key (too large for the item)"
echo "  status URL   $service_url/status/$id"
print_view
