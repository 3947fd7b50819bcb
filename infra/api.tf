# The public entry: an API Gateway HTTP API, TLS by default at https://{id}.execute-api.{region}.amazonaws.com,
# forwarding every route through a VPC link to the internal ALB's listener. Optional: a custom domain
# (domain_name + certificate_arn), and allowed_cidrs (HTTP APIs take no resource policy: the client's
# address is passed in `x-client-ip`, overwritten by API Gateway so a client cannot set it, and the
# service refuses addresses outside ALLOWED_CLIENT_CIDRS).

resource "aws_apigatewayv2_vpc_link" "alb" {
  name               = "${local.name}-alb"
  subnet_ids         = aws_subnet.private[*].id
  security_group_ids = [aws_security_group.vpc_link.id]
}

resource "aws_apigatewayv2_api" "public" {
  name          = "${local.name}-api"
  description   = "Document Processor: POST /process, GET /status/{id}, GET /health"
  protocol_type = "HTTP"
  # The default endpoint stays on when a custom domain is added (deploy.sh checks it).
  disable_execute_api_endpoint = false
}

resource "aws_apigatewayv2_integration" "alb" {
  api_id             = aws_apigatewayv2_api.public.id
  integration_type   = "HTTP_PROXY"
  integration_method = "ANY"
  integration_uri    = aws_lb_listener.http.arn
  connection_type    = "VPC_LINK"
  connection_id      = aws_apigatewayv2_vpc_link.alb.id
  # /process?wait=true may take a while; 30 s is API Gateway's ceiling.
  timeout_milliseconds = 30000

  request_parameters = {
    # The address API Gateway saw, never one the client sent (ALLOWED_CLIENT_CIDRS).
    "overwrite:header.x-client-ip" = "$context.identity.sourceIp"
  }
}

resource "aws_apigatewayv2_route" "all" {
  #checkov:skip=CKV_AWS_309:The service authenticates every protected route itself (API key, constant-time compare); /health and /openapi.json are public by design.
  api_id    = aws_apigatewayv2_api.public.id
  route_key = "$default"
  target    = "integrations/${aws_apigatewayv2_integration.alb.id}"
}

resource "aws_cloudwatch_log_group" "api" {
  #checkov:skip=CKV_AWS_158:Encrypted by CloudWatch Logs by default; a customer-managed key costs $1/month and adds no control here.
  #checkov:skip=CKV_AWS_338:Retention is a variable (log_retention_days, default 30) to keep the cost down.
  name              = "/aws/apigateway/${local.name}"
  retention_in_days = var.log_retention_days
}

resource "aws_apigatewayv2_stage" "default" {
  api_id      = aws_apigatewayv2_api.public.id
  name        = "$default"
  auto_deploy = true

  default_route_settings {
    throttling_burst_limit = var.api_burst_limit
    throttling_rate_limit  = var.api_rate_limit
  }

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.api.arn
    format = jsonencode({
      requestId      = "$context.requestId"
      sourceIp       = "$context.identity.sourceIp"
      method         = "$context.httpMethod"
      path           = "$context.path"
      status         = "$context.status"
      latencyMs      = "$context.responseLatency"
      integrationErr = "$context.integrationErrorMessage"
    })
  }
}

# Optional custom domain: a name of your own with an ACM certificate in this region.
resource "aws_apigatewayv2_domain_name" "custom" {
  count = local.custom_domain ? 1 : 0

  domain_name = var.domain_name
  domain_name_configuration {
    certificate_arn = var.certificate_arn
    endpoint_type   = "REGIONAL"
    security_policy = "TLS_1_2"
  }
}

resource "aws_apigatewayv2_api_mapping" "custom" {
  count = local.custom_domain ? 1 : 0

  api_id      = aws_apigatewayv2_api.public.id
  domain_name = aws_apigatewayv2_domain_name.custom[0].id
  stage       = aws_apigatewayv2_stage.default.id
}
