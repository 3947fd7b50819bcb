<#
.SYNOPSIS
    Deploys Document Processor to AWS (the same steps as deploy.sh).

.DESCRIPTION
    Terraform (infra/), the service image (docker/Dockerfile) in ECR, the Lambda package (cargo lambda).
    Safe to run again: it converges, and pushes an image only when this commit's image is not in ECR yet.
    Region: AWS_REGION / AWS_DEFAULT_REGION / your AWS CLI profile, else us-east-1 (or aws_region in
    infra/terraform.tfvars). The Lambda package is built by scripts/build-lambda.sh, which needs bash
    (Linux, macOS, WSL or Git Bash).

.PARAMETER Plan
    Only show what Terraform would change.

.EXAMPLE
    ./deploy.ps1
    ./deploy.ps1 -Plan
#>
[CmdletBinding()]
param([switch]$Plan)

$ErrorActionPreference = 'Stop'
$Root = $PSScriptRoot
$Infra = Join-Path $Root 'infra'

function Step([string]$Text) { Write-Host "`n==> $Text" -ForegroundColor Cyan }
function Fail([string]$Text) { Write-Host "error: $Text" -ForegroundColor Red; exit 1 }
function Has([string]$Command) { [bool](Get-Command $Command -ErrorAction SilentlyContinue) }
# Runs a native command and stops on a non-zero exit (PowerShell does not, by itself). A simple
# function: its arguments arrive untouched in $args, dashes included.
function Run {
    $exe, $rest = $args
    & $exe @rest
    if ($LASTEXITCODE -ne 0) { Fail "failed: $($args -join ' ')" }
}

# --- preflight: every missing piece, each with what to do -----------------------------------------
Step 'Preflight'
$problems = @()
if (-not (Has 'aws')) { $problems += 'aws CLI not found: https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html' }
if (-not (Has 'terraform')) { $problems += 'terraform (>= 1.10) not found: https://developer.hashicorp.com/terraform/install' }
if (-not (Has 'cargo')) { $problems += 'cargo not found: install Rust with rustup (https://rustup.rs)' }
if (-not (Has 'bash')) { $problems += 'bash not found (the Lambda build script needs it): use WSL or Git Bash' }
if (-not (Has 'cargo-lambda')) {
    $local = Join-Path $Root '.local/cargo-lambda/bin'
    if (Test-Path (Join-Path $local 'cargo-lambda')) {
        $env:PATH = "$local$([IO.Path]::PathSeparator)$env:PATH"
    }
    else { $problems += 'cargo-lambda not found: pip install cargo-lambda (or ./scripts/setup.sh)' }
}
if (-not $Plan) {
    if (-not (Has 'docker')) { $problems += 'docker not found: https://docs.docker.com/engine/install/' }
    else {
        & docker info *> $null
        if ($LASTEXITCODE -ne 0) { $problems += 'docker is installed but its engine does not answer (start Docker, or check your permissions)' }
    }
}
$account = $null
if (Has 'aws') {
    $account = & aws sts get-caller-identity --query Account --output text 2>$null
    if ($LASTEXITCODE -ne 0) { $problems += "AWS credentials are not valid: run 'aws configure' or 'aws sso login' (aws sts get-caller-identity failed)" }
}
if ($problems.Count -gt 0) {
    $problems | ForEach-Object { Write-Host "  - $_" -ForegroundColor Yellow }
    Fail "$($problems.Count) prerequisite(s) missing"
}

$region = $env:AWS_REGION
if (-not $region) { $region = $env:AWS_DEFAULT_REGION }
if (-not $region) { $region = (& aws configure get region 2>$null) }
if (-not $region) { $region = 'us-east-1' }
$tfVars = @()
$tfvarsFile = Join-Path $Infra 'terraform.tfvars'
$fromFile = if (Test-Path $tfvarsFile) { Select-String -Path $tfvarsFile -Pattern '^\s*aws_region\s*=\s*"([^"]+)"' | Select-Object -First 1 } else { $null }
if ($fromFile) { $region = $fromFile.Matches[0].Groups[1].Value }
else { $tfVars += @('-var', "aws_region=$region") }
$env:AWS_REGION = $region
$env:AWS_DEFAULT_REGION = $region
Write-Host "account $account, region $region"

# The image tag is the commit; uncommitted changes to tracked files get their own tag (ECR tags are
# immutable). Untracked files (Terraform's state, plugins, your tfvars) do not make the tree dirty.
$tag = (& git -C $Root rev-parse --short=12 HEAD 2>$null)
if (-not $tag) { $tag = 'manual' }
if (& git -C $Root status --porcelain --untracked-files=no 2>$null) { $tag = "$tag-dirty-$((Get-Date).ToUniversalTime().ToString('yyyyMMddHHmmss'))" }
$tfVars += @('-var', "image_tag=$tag")

Step 'Lambda package (cargo lambda build)'
Run bash (Join-Path $Root 'scripts/build-lambda.sh')

Step 'terraform init'
# Remote state when infra/backend.hcl exists (README: remote state); local state otherwise.
if (Test-Path (Join-Path $Infra 'backend.hcl')) {
    $backendTf = Join-Path $Infra 'backend.tf'
    if (-not (Test-Path $backendTf)) { Copy-Item (Join-Path $Infra 'backend.tf.example') $backendTf }
    Run terraform "-chdir=$Infra" init -input=false -backend-config=backend.hcl -migrate-state -force-copy
}
else {
    Run terraform "-chdir=$Infra" init -input=false
}

if ($Plan) {
    Step 'terraform plan (nothing is changed)'
    Run terraform "-chdir=$Infra" plan -input=false @tfVars
    exit 0
}

$repoName = 'document-processor'
& aws ecr describe-repositories --repository-names $repoName *> $null
if ($LASTEXITCODE -ne 0) {
    Step 'ECR repository first (the image must exist before the service starts)'
    Run terraform "-chdir=$Infra" apply -input=false -auto-approve @tfVars `
        '-target=aws_ecr_repository.service' '-target=aws_ecr_lifecycle_policy.service'
}
$repoUrl = (& aws ecr describe-repositories --repository-names $repoName --query 'repositories[0].repositoryUri' --output text)
$registry = $repoUrl.Split('/')[0]

Step "Service image ${repoUrl}:$tag"
& aws ecr describe-images --repository-name $repoName --image-ids "imageTag=$tag" *> $null
if ($LASTEXITCODE -eq 0) {
    Write-Host 'already in ECR: not rebuilt'
}
else {
    $password = & aws ecr get-login-password
    if ($LASTEXITCODE -ne 0) { Fail 'aws ecr get-login-password failed' }
    $password | & docker login --username AWS --password-stdin $registry
    if ($LASTEXITCODE -ne 0) { Fail 'docker login to ECR failed' }
    Run docker build --platform linux/amd64 -f (Join-Path $Root 'docker/Dockerfile') -t "${repoUrl}:$tag" $Root
    Run docker push "${repoUrl}:$tag"
}

Step 'terraform apply'
Run terraform "-chdir=$Infra" apply -input=false -auto-approve @tfVars
function Out([string]$Name) {
    $value = & terraform "-chdir=$Infra" output -raw $Name
    if ($LASTEXITCODE -ne 0) { Fail "terraform output $Name failed" }
    return $value
}
$url = Out 'api_url'
$cluster = Out 'ecs_cluster_name'
$service = Out 'ecs_service_name'
$targetGroup = Out 'target_group_arn'

Step 'Waiting for the service to be stable'
& aws ecs wait services-stable --cluster $cluster --services $service
if ($LASTEXITCODE -ne 0) { Fail "the service did not become stable; see: aws ecs describe-services --cluster $cluster --services $service" }

Step 'Waiting for healthy targets'
$healthy = 0
for ($i = 0; $i -lt 40; $i++) {
    $healthy = [int](& aws elbv2 describe-target-health --target-group-arn $targetGroup `
            --query 'length(TargetHealthDescriptions[?TargetHealth.State==`healthy`])' --output text)
    if ($healthy -gt 0) { break }
    Start-Sleep -Seconds 15
}
if ($healthy -le 0) { Fail "no healthy target after 10 minutes; see: aws elbv2 describe-target-health --target-group-arn $targetGroup" }
Write-Host "$healthy healthy target(s)"

Step "GET $url/health (API Gateway -> VPC link -> internal ALB -> task)"
$health = Invoke-RestMethod -Uri "$url/health" -MaximumRetryCount 10 -RetryIntervalSec 6
$health | ConvertTo-Json -Compress | Write-Host

$bucket = Out 's3_bucket_name'
$table = Out 'dynamodb_table_name'
$dlq = Out 'dead_letter_queue_url'
Write-Host @"

Deployed image $tag.
  API          $url   (HTTPS; GET /health, POST /process, GET /status/{id})
  internal ALB $(Out 'load_balancer_url')   (inside the VPC only: the Lambda and the VPC link)
  bucket       $bucket
  table        $table
  ECR          $(Out 'ecr_repository_url')
  Lambda       $(Out 'lambda_function_name')
  dead letters $dlq
  API key      aws ssm get-parameter --with-decryption --name $(Out 'api_key_ssm_parameter') --query Parameter.Value --output text

Try it:
  ./test-workflow.ps1 -TestFile samples/invoice.pdf

Monitor:
  aws logs tail $(Out 'service_log_group') --follow
  aws logs tail $(Out 'lambda_log_group') --follow
  aws logs tail $(Out 'api_log_group') --follow
  aws ecs describe-services --cluster $cluster --services $service
  aws sqs get-queue-attributes --queue-url $dlq --attribute-names ApproximateNumberOfMessages

Remove everything:
  terraform -chdir=infra destroy
"@
