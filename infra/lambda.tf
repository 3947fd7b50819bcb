resource "aws_cloudwatch_log_group" "trigger" {
  #checkov:skip=CKV_AWS_158:Encrypted by CloudWatch Logs by default; a customer-managed key costs $1/month and adds no control here.
  #checkov:skip=CKV_AWS_338:Retention is a variable (log_retention_days, default 30) to keep the cost down.
  name              = "/aws/lambda/${local.name}-dynamodb-trigger"
  retention_in_days = var.log_retention_days
}

# Batches the stream mapping gave up on (retries exhausted or too old). The records themselves stay
# `pending` in the table, where the service's sweep still finds them.
resource "aws_sqs_queue" "trigger_dlq" {
  name                      = "${local.name}-dynamodb-trigger-dlq"
  message_retention_seconds = 1209600 # 14 days, the maximum
  sqs_managed_sse_enabled   = true
}

resource "aws_lambda_function" "trigger" {
  #checkov:skip=CKV_AWS_116:Stream invocations are synchronous; failed batches go to the mapping's on-failure SQS destination below, not to an async DLQ.
  #checkov:skip=CKV_AWS_173:The environment holds no secret (the API key is read from SSM at cold start); it is encrypted at rest with the AWS-managed Lambda key.
  #checkov:skip=CKV_AWS_115:Concurrency follows the stream's shards (one invocation per shard at a time); reserving some would fail on new accounts with the low default limit.
  #checkov:skip=CKV_AWS_272:Code signing needs a signing profile; the package is built from this repository by deploy.sh.
  function_name    = "${local.name}-dynamodb-trigger"
  description      = "Posts new pending document records from the table's stream to the service"
  role             = aws_iam_role.trigger.arn
  runtime          = "provided.al2023"
  handler          = "bootstrap"
  architectures    = [var.lambda_architecture]
  filename         = var.lambda_zip_path
  source_code_hash = filebase64sha256(var.lambda_zip_path)
  timeout          = 60
  memory_size      = 128

  # Inside the VPC: it reaches the internal ALB and, through the interface endpoint, SSM; nothing else.
  vpc_config {
    subnet_ids         = aws_subnet.private[*].id
    security_group_ids = [aws_security_group.lambda.id]
  }

  # Names crates/trigger/src/config.rs reads (tested). The API key is not here: the handler reads the
  # SecureString parameter at cold start (README: rotating the key).
  environment {
    variables = {
      ECS_SERVICE_URL      = "http://${aws_lb.main.dns_name}"
      API_KEY_PARAMETER    = aws_ssm_parameter.api_key.name
      REQUEST_TIMEOUT_SECS = tostring(var.lambda_request_timeout_secs)
    }
  }

  tracing_config {
    mode = "Active"
  }

  depends_on = [
    aws_cloudwatch_log_group.trigger,
    aws_iam_role_policy.trigger,
    aws_iam_role_policy_attachment.trigger_vpc,
  ]
}

resource "aws_lambda_event_source_mapping" "stream" {
  event_source_arn  = aws_dynamodb_table.results.stream_arn
  function_name     = aws_lambda_function.trigger.arn
  starting_position = "LATEST"
  batch_size        = var.stream_batch_size

  # Only new pending records wake the Lambda (the handler checks the same again).
  filter_criteria {
    filter {
      pattern = jsonencode({
        eventName = ["INSERT"]
        dynamodb = {
          NewImage = {
            status = { S = ["pending"] }
          }
        }
      })
    }
  }

  function_response_types            = ["ReportBatchItemFailures"]
  bisect_batch_on_function_error     = true
  maximum_retry_attempts             = var.stream_maximum_retry_attempts
  maximum_record_age_in_seconds      = var.stream_maximum_record_age_seconds
  maximum_batching_window_in_seconds = 0

  destination_config {
    on_failure {
      destination_arn = aws_sqs_queue.trigger_dlq.arn
    }
  }
}
