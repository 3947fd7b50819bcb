# Least privilege: each role can do its job on its own resources and nothing else.

data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

# Execution role: ECS itself pulls the image, writes the log stream, reads the API key.
resource "aws_iam_role" "execution" {
  name               = "${local.name}-execution"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

data "aws_iam_policy_document" "execution" {
  statement {
    sid       = "EcrAuth"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"] # this action has no resource-level permissions
  }
  statement {
    sid       = "EcrPull"
    actions   = ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"]
    resources = [aws_ecr_repository.service.arn]
  }
  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.service.arn}:*"]
  }
  statement {
    sid       = "ApiKey"
    actions   = ["ssm:GetParameters"]
    resources = [aws_ssm_parameter.api_key.arn]
  }
}

resource "aws_iam_role_policy" "execution" {
  name   = "pull-log-secret"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

# Task role: what the service's code does. Its bucket and its table only.
resource "aws_iam_role" "task" {
  name               = "${local.name}-task"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

data "aws_iam_policy_document" "task" {
  statement {
    sid       = "ReadDocuments"
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.documents.arn}/*"]
  }
  statement {
    # Without it S3 answers a missing key with 403, and the record would say access_denied, not not_found.
    sid       = "TellMissingFromForbidden"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.documents.arn]
  }
  statement {
    sid       = "WriteLargeResults"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.documents.arn}/results/*"]
  }
  statement {
    # Claims, leases and results are conditional UpdateItems; the service never puts a whole item.
    sid       = "Records"
    actions   = ["dynamodb:GetItem", "dynamodb:UpdateItem"]
    resources = [aws_dynamodb_table.results.arn]
  }
  statement {
    # The sweep: pending records and expired leases, from the sparse index (never a scan).
    sid       = "Sweep"
    actions   = ["dynamodb:Query"]
    resources = ["${aws_dynamodb_table.results.arn}/index/status-index"]
  }
}

resource "aws_iam_role_policy" "task" {
  name   = "documents-and-records"
  role   = aws_iam_role.task.id
  policy = data.aws_iam_policy_document.task.json
}

# Lambda role: read its table's stream, write its own logs and traces, send failures to its dead-letter
# queue, read the API key, attach to the VPC.
data "aws_iam_policy_document" "lambda_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "trigger" {
  name               = "${local.name}-dynamodb-trigger"
  assume_role_policy = data.aws_iam_policy_document.lambda_assume.json
}

data "aws_iam_policy_document" "trigger" {
  statement {
    sid       = "Stream"
    actions   = ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"]
    resources = [aws_dynamodb_table.results.stream_arn]
  }
  statement {
    sid       = "ListStreams"
    actions   = ["dynamodb:ListStreams"]
    resources = ["*"] # an account-level action: no resource-level permissions
  }
  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.trigger.arn}:*"]
  }
  statement {
    sid       = "Tracing"
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    resources = ["*"] # X-Ray has no resource-level permissions
  }
  statement {
    sid       = "DeadLetter"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.trigger_dlq.arn]
  }
  statement {
    # The API key, once per cold start (SecureString under the AWS-managed SSM key).
    sid       = "ApiKey"
    actions   = ["ssm:GetParameter"]
    resources = [aws_ssm_parameter.api_key.arn]
  }
}

# Network interfaces in the VPC (create, describe, delete): AWS's managed policy for exactly that.
resource "aws_iam_role_policy_attachment" "trigger_vpc" {
  role       = aws_iam_role.trigger.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
}

resource "aws_iam_role_policy" "trigger" {
  name   = "stream-logs-dlq"
  role   = aws_iam_role.trigger.id
  policy = data.aws_iam_policy_document.trigger.json
}
