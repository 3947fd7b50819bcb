# The API key the service requires and the Lambda sends: generated once, kept in Parameter Store.
resource "random_password" "api_key" {
  length  = 40
  special = false
}

resource "aws_ssm_parameter" "api_key" {
  #checkov:skip=CKV_AWS_337:Encrypted with the account's AWS-managed SSM key; a customer-managed key costs $1/month and adds no control here.
  name        = "/${local.name}/api-key"
  description = "API key of the document-processor service (POST /process, GET /status)"
  type        = "SecureString"
  value       = random_password.api_key.result
}
