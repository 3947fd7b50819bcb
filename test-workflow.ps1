<#
.SYNOPSIS
    Runs the whole workflow on one document (the same steps as test-workflow.sh).

.DESCRIPTION
    Uploads the file to the bucket, inserts a `pending` record with a new id, waits until the record
    is `completed` or `failed`, and prints a summary. Exit 0 when completed, 1 when failed, 2 on
    timeout, 64 on bad usage.

    Without -Local it uses the deployment: the Terraform outputs in infra/ (api_url: the HTTPS API)
    and the AWS CLI with your credentials. Any file name works; what the document put in its text
    and codes is printed with control characters removed. With -Local it uses the local stack (scripts/local-stack.sh, which needs bash:
    Linux, macOS or WSL), bringing it up first when it is not running.

.EXAMPLE
    ./test-workflow.ps1 -TestFile samples/invoice.pdf -Local
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true, Position = 0)][string]$TestFile,
    [switch]$Local,
    [int]$TimeoutSeconds = 300
)

$ErrorActionPreference = 'Stop'
$Root = $PSScriptRoot

function Fail([string]$Message, [int]$Code = 1) {
    Write-Host "error: $Message" -ForegroundColor Red
    exit $Code
}

if (-not (Test-Path -LiteralPath $TestFile -PathType Leaf)) { Fail "no such file: $TestFile" 64 }
$File = (Resolve-Path -LiteralPath $TestFile).Path

if ($Local) {
    $stack = Join-Path $Root 'scripts/local-stack.sh'
    & bash $stack status *> $null
    if ($LASTEXITCODE -ne 0) {
        Write-Host 'Local stack not running: starting it (scripts/local-stack.sh up)...'
        & bash $stack up | Out-Null
        if ($LASTEXITCODE -ne 0) { Fail 'scripts/local-stack.sh up failed' }
    }
    # stack.env holds KEY=VALUE lines, read as data (known names only), never evaluated.
    $stackDir = if ($env:LOCAL_STACK_DIR) { $env:LOCAL_STACK_DIR } else { Join-Path $Root '.local/stack' }
    $known = 'AWS_ENDPOINT_URL', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_DEFAULT_REGION',
    'AWS_REGION', 'DOCUMENT_BUCKET', 'DYNAMODB_TABLE_NAME', 'SERVICE_URL', 'API_KEY'
    foreach ($line in (Get-Content -LiteralPath (Join-Path $stackDir 'stack.env'))) {
        $at = $line.IndexOf('=')
        if ($at -gt 0 -and $known -contains $line.Substring(0, $at)) {
            Set-Item -Path "Env:$($line.Substring(0, $at))" -Value $line.Substring($at + 1)
        }
    }
    $Aws = Join-Path $Root '.local/awscli/bin/aws'
    if (-not (Test-Path $Aws)) { & bash (Join-Path $Root 'scripts/setup.sh') }
    $Bucket = $env:DOCUMENT_BUCKET
    $Table = $env:DYNAMODB_TABLE_NAME
    $ServiceUrl = $env:SERVICE_URL
    $Where = "local stack ($env:AWS_ENDPOINT_URL)"
}
else {
    foreach ($tool in 'terraform', 'aws') {
        if (-not (Get-Command $tool -ErrorAction SilentlyContinue)) {
            Fail "$tool is not installed (needed to read the deployment; or use -Local)"
        }
    }
    $Aws = 'aws'
    $infra = Join-Path $Root 'infra'
    function Get-Output([string]$Name) {
        $value = & terraform "-chdir=$infra" output -raw $Name 2>$null
        if ($LASTEXITCODE -ne 0) { return $null }
        return $value
    }
    $ServiceUrl = Get-Output 'api_url'
    if (-not $ServiceUrl) { Fail 'no Terraform outputs in infra/: run ./deploy.ps1 first (or use -Local)' }
    $Bucket = Get-Output 's3_bucket_name'
    $Table = Get-Output 'dynamodb_table_name'
    if (-not $Bucket -or -not $Table) { Fail 'Terraform outputs s3_bucket_name / dynamodb_table_name missing: run ./deploy.ps1' }
    $region = Get-Output 'aws_region'
    if ($region) { $env:AWS_DEFAULT_REGION = $region; $env:AWS_REGION = $region }
    & $Aws sts get-caller-identity *> $null
    if ($LASTEXITCODE -ne 0) { Fail 'AWS credentials are not valid (aws sts get-caller-identity failed)' }
    $Where = "AWS ($ServiceUrl)"
}

$Id = [guid]::NewGuid().ToString()
$Name = Split-Path -Leaf $File
$Key = "uploads/$Id/$Name"
$FileType = [IO.Path]::GetExtension($Name).TrimStart('.').ToLowerInvariant()
# Only a plain extension is passed on as the type hint (the content decides anyway).
if ($FileType -notmatch '^[a-z0-9]{1,5}$') { $FileType = '' }

# Text a document controls (OCR text, QR payloads) without control characters: no escape sequence
# reaches the terminal.
function Safe([string]$Text) { return ($Text -replace '[\x00-\x08\x0B-\x1F\x7F\u0080-\u009F]', '') }
# JSON for the AWS CLI through a file, UTF-8 without BOM (any file name survives).
function Write-Json($Value, [string]$Path) {
    [IO.File]::WriteAllText($Path, ($Value | ConvertTo-Json -Compress), [Text.UTF8Encoding]::new($false))
}
$Now = (Get-Date).ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ')

Write-Host "Document Processor workflow on $Where"
Write-Host ("  file      {0} ({1} bytes)" -f (Safe $TestFile), (Get-Item -LiteralPath $File).Length)
Write-Host "  id        $Id"
$watch = [Diagnostics.Stopwatch]::StartNew()

& $Aws s3 cp $File "s3://$Bucket/$Key" --only-show-errors
if ($LASTEXITCODE -ne 0) { Fail "upload to s3://$Bucket/$Key failed" }
Write-Host "  uploaded  $(Safe "s3://$Bucket/$Key")"

$item = [ordered]@{
    id         = @{ S = $Id }
    bucket     = @{ S = $Bucket }
    key        = @{ S = $Key }
    status     = @{ S = 'pending' }
    created_at = @{ S = $Now }
}
if ($FileType) { $item.file_type = @{ S = $FileType } }
# The item goes through a file: quoting JSON on a native command line differs between shells.
$itemFile = New-TemporaryFile
try {
    Write-Json $item $itemFile
    & $Aws dynamodb put-item --table-name $Table --item "file://$itemFile" `
        --condition-expression 'attribute_not_exists(id)'
    if ($LASTEXITCODE -ne 0) {
        # Nothing will ever process the object: do not leave it behind.
        & $Aws s3 rm "s3://$Bucket/$Key" --only-show-errors
        Fail "inserting the record into $Table failed (the uploaded object was removed)"
    }
}
finally { Remove-Item -LiteralPath $itemFile -ErrorAction SilentlyContinue }
Write-Host "  inserted  $Table (status pending)"

$keyFile = New-TemporaryFile
Write-Json @{ id = @{ S = $Id } } $keyFile
function Get-Record {
    $json = & $Aws dynamodb get-item --table-name $Table --key "file://$keyFile" --consistent-read --output json
    if ($LASTEXITCODE -ne 0 -or -not $json) { return $null }
    return ($json | Out-String | ConvertFrom-Json).Item
}

$status = 'pending'
$last = ''
try {
    while ($true) {
        $record = Get-Record
        $status = if ($record -and $record.status) { $record.status.S } else { 'unknown' }
        $elapsed = [int]$watch.Elapsed.TotalSeconds
        if ($status -ne $last) {
            Write-Host ("  {0,4}s     {1}" -f $elapsed, $status)
            $last = $status
        }
        else {
            Write-Progress -Activity 'Waiting for the record' -Status "$status, ${elapsed}s"
        }
        if ($status -in 'completed', 'failed') { break }
        if ($elapsed -ge $TimeoutSeconds) {
            Fail "timed out after ${TimeoutSeconds}s with the record still '$status' (id $Id)" 2
        }
        Start-Sleep -Seconds 1
    }
}
finally {
    Write-Progress -Activity 'Waiting for the record' -Completed
    Remove-Item -LiteralPath $keyFile -ErrorAction SilentlyContinue
}

function Value($Attr) {
    if ($null -eq $Attr) { return '-' }
    if ($Attr.S) { return $Attr.S }
    if ($Attr.N) { return $Attr.N }
    return '-'
}

function Write-View {
    # The viewer: /status hands out a link with a short-lived token, which a browser can open (the
    # key itself stays here).
    $apiKey = $env:API_KEY
    if (-not $apiKey -and -not $Local) {
        $param = Get-Output 'api_key_ssm_parameter'
        if ($param) {
            $apiKey = & $Aws ssm get-parameter --name $param --with-decryption --query Parameter.Value --output text 2>$null
        }
    }
    $view = $null
    if ($apiKey) {
        try {
            $view = (Invoke-RestMethod -Uri "$ServiceUrl/status/$Id" -Headers @{ 'x-api-key' = $apiKey }).view_url
        }
        catch { $view = $null }
    }
    # Only a path of the service's own form is printed (it came over the network).
    if ($view -is [string] -and $view -match '^/documents/[A-Za-z0-9._-]+/view\?token=[0-9]+\.[0-9a-f]+$') {
        Write-Host "  view         $ServiceUrl$view"
    }
    else {
        Write-Host "  view         $ServiceUrl/documents/$Id/view (GET /status/$Id with the API key gives view_url, a link with its token)"
    }
}

$total = [int]$watch.Elapsed.TotalSeconds
Write-Host ''
Write-Host "Result ($status)"
Write-Host "  pages        $(Value $record.page_count)"
Write-Host "  processing   $(Value $record.processing_ms) ms in the service; ${total}s end to end (attempts: $(Value $record.attempts))"
if ($status -eq 'failed') {
    Write-Host "  error        $(Value $record.error_code): $(Safe (Value $record.error_message))"
    Write-View
    exit 1
}
$text = if ($record.text) { $record.text.S } else { '' }
$excerpt = (Safe ($text -replace '\s+', ' ')).Trim()
if ($excerpt.Length -gt 300) { $excerpt = $excerpt.Substring(0, 300) }
Write-Host "  text         $($text.Length) characters"
Write-Host "  excerpt      $excerpt"
$qr = @()
if ($record.qr_codes) { $qr = @($record.qr_codes.L | ForEach-Object { $_.M.data.S }) }
if ($qr.Count -eq 0) {
    Write-Host '  QR codes     none'
}
else {
    Write-Host "  QR codes     $($qr.Count)"
    $qr | ForEach-Object { Write-Host "    - $(Safe $_)" }
}
if ($record.result_s3_key) { Write-Host "  full result  s3://$Bucket/$($record.result_s3_key.S) (too large for the item)" }
Write-Host "  status URL   $ServiceUrl/status/$Id"
Write-View
exit 0
