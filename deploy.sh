#!/usr/bin/env bash
# Deploys Document Processor to AWS: Terraform (infra/), the service image (docker/Dockerfile) in ECR,
# the Lambda package (cargo lambda). Safe to run again: it converges, and pushes an image only when
# this commit's image is not in ECR yet.
#
#   ./deploy.sh           plan and apply, build and push, wait until the service is healthy
#   ./deploy.sh --plan    only show what Terraform would change
#
# Region: AWS_REGION / AWS_DEFAULT_REGION / your AWS CLI profile, else us-east-1 (or aws_region in
# infra/terraform.tfvars).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
infra="$root/infra"
plan_only=0
case "${1:-}" in
  "") ;;
  --plan) plan_only=1 ;;
  -h | --help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "unknown argument: $1 (try --help)" >&2; exit 64 ;;
esac

step() { printf '\n==> %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# --- preflight: every missing piece, each with what to do -----------------------------------------
step "Preflight"
problems=()
command -v aws >/dev/null || problems+=("aws CLI not found: https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html")
command -v terraform >/dev/null || problems+=("terraform (>= 1.10) not found: https://developer.hashicorp.com/terraform/install")
command -v cargo >/dev/null || problems+=("cargo not found: install Rust with rustup (https://rustup.rs)")
command -v jq >/dev/null || problems+=("jq not found: apt-get install jq (test-workflow.sh builds records with it)")
if ! command -v cargo-lambda >/dev/null; then
  if [[ -x "$root/.local/cargo-lambda/bin/cargo-lambda" ]]; then
    export PATH="$root/.local/cargo-lambda/bin:$PATH"
  else
    problems+=("cargo-lambda not found: pip install cargo-lambda (or ./scripts/setup.sh)")
  fi
fi
if ((plan_only == 0)); then
  if ! command -v docker >/dev/null; then
    problems+=("docker not found: https://docs.docker.com/engine/install/")
  elif ! docker info >/dev/null 2>&1; then
    problems+=("docker is installed but its engine does not answer (start Docker, or check your permissions)")
  fi
fi
if command -v aws >/dev/null; then
  account="$(aws sts get-caller-identity --query Account --output text 2>/dev/null)" ||
    problems+=("AWS credentials are not valid: run 'aws configure' or 'aws sso login' (aws sts get-caller-identity failed)")
fi
if ((${#problems[@]})); then
  printf '  - %s\n' "${problems[@]}" >&2
  die "${#problems[@]} prerequisite(s) missing"
fi
region="${AWS_REGION:-${AWS_DEFAULT_REGION:-$(aws configure get region 2>/dev/null || true)}}"
region="${region:-us-east-1}"
tf_vars=()
if [[ -f "$infra/terraform.tfvars" ]] && grep -qE '^\s*aws_region\s*=' "$infra/terraform.tfvars"; then
  region="$(sed -nE '/^\s*aws_region\s*=/{s/^\s*aws_region\s*=\s*"([^"]+)".*/\1/p;q}' "$infra/terraform.tfvars")"
else
  tf_vars+=(-var "aws_region=$region")
fi
export AWS_REGION="$region" AWS_DEFAULT_REGION="$region"
echo "account $account, region $region"

# The image tag is the commit; uncommitted changes to tracked files get their own tag (ECR tags are
# immutable). Untracked files (Terraform's state, plugins, your tfvars) do not make the tree dirty.
tag="$(git -C "$root" rev-parse --short=12 HEAD 2>/dev/null || echo manual)"
if [[ -n "$(git -C "$root" status --porcelain --untracked-files=no 2>/dev/null)" ]]; then
  tag="$tag-dirty-$(date -u +%Y%m%d%H%M%S)"
fi
tf_vars+=(-var "image_tag=$tag")

step "Lambda package (cargo lambda build)"
"$root/scripts/build-lambda.sh"

step "terraform init"
# Remote state when infra/backend.hcl exists (README: remote state); local state otherwise.
if [[ -f "$infra/backend.hcl" ]]; then
  [[ -f "$infra/backend.tf" ]] || cp "$infra/backend.tf.example" "$infra/backend.tf"
  terraform -chdir="$infra" init -input=false -backend-config=backend.hcl -migrate-state -force-copy
else
  terraform -chdir="$infra" init -input=false
fi

if ((plan_only)); then
  step "terraform plan (nothing is changed)"
  terraform -chdir="$infra" plan -input=false "${tf_vars[@]}"
  exit 0
fi

repo_name="document-processor"
if ! aws ecr describe-repositories --repository-names "$repo_name" >/dev/null 2>&1; then
  step "ECR repository first (the image must exist before the service starts)"
  terraform -chdir="$infra" apply -input=false -auto-approve "${tf_vars[@]}" \
    -target=aws_ecr_repository.service -target=aws_ecr_lifecycle_policy.service
fi
repo_url="$(aws ecr describe-repositories --repository-names "$repo_name" \
  --query 'repositories[0].repositoryUri' --output text)"
registry="${repo_url%%/*}"

step "Service image $repo_url:$tag"
if aws ecr describe-images --repository-name "$repo_name" --image-ids "imageTag=$tag" >/dev/null 2>&1; then
  echo "already in ECR: not rebuilt"
else
  aws ecr get-login-password | docker login --username AWS --password-stdin "$registry"
  docker build --platform linux/amd64 -f "$root/docker/Dockerfile" -t "$repo_url:$tag" "$root"
  docker push "$repo_url:$tag"
fi

step "terraform apply"
terraform -chdir="$infra" apply -input=false -auto-approve "${tf_vars[@]}"
out() { terraform -chdir="$infra" output -raw "$1"; }
url="$(out api_url)"
cluster="$(out ecs_cluster_name)"
service="$(out ecs_service_name)"
target_group="$(out target_group_arn)"

step "Waiting for the service to be stable"
aws ecs wait services-stable --cluster "$cluster" --services "$service" ||
  die "the service did not become stable; see: aws ecs describe-services --cluster $cluster --services $service"

step "Waiting for healthy targets"
healthy=0
for _ in $(seq 1 40); do
  # shellcheck disable=SC2016 # backticks are a JMESPath literal, not a shell expansion
  healthy="$(aws elbv2 describe-target-health --target-group-arn "$target_group" \
    --query 'length(TargetHealthDescriptions[?TargetHealth.State==`healthy`])' --output text)"
  ((healthy > 0)) && break
  sleep 15
done
((healthy > 0)) || die "no healthy target after 10 minutes; see: aws elbv2 describe-target-health --target-group-arn $target_group"
echo "$healthy healthy target(s)"

step "GET $url/health (API Gateway -> VPC link -> internal ALB -> task)"
curl -fsS --retry 10 --retry-delay 6 --retry-all-errors "$url/health" && echo

bucket="$(out s3_bucket_name)"
table="$(out dynamodb_table_name)"
cat <<EOF

Deployed image $tag.
  API          $url   (HTTPS; GET /health, POST /process, GET /status/{id})
  internal ALB $(out load_balancer_url)   (inside the VPC only: the Lambda and the VPC link)
  bucket       $bucket
  table        $table
  ECR          $(out ecr_repository_url)
  Lambda       $(out lambda_function_name)
  dead letters $(out dead_letter_queue_url)
  API key      aws ssm get-parameter --with-decryption --name $(out api_key_ssm_parameter) --query Parameter.Value --output text

Try it:
  ./test-workflow.sh samples/invoice.pdf

Monitor:
  aws logs tail $(out service_log_group) --follow
  aws logs tail $(out lambda_log_group) --follow
  aws logs tail $(out api_log_group) --follow
  aws ecs describe-services --cluster $cluster --services $service --query 'services[0].{running:runningCount,desired:desiredCount,events:events[:3]}'
  aws sqs get-queue-attributes --queue-url $(out dead_letter_queue_url) --attribute-names ApproximateNumberOfMessages

Remove everything:
  terraform -chdir=infra destroy
EOF
