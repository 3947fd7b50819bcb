output "api_url" {
  description = "The public URL of the API (HTTPS, API Gateway; the custom domain when one is set)."
  value       = local.custom_domain ? "https://${var.domain_name}" : trimsuffix(aws_apigatewayv2_stage.default.invoke_url, "/")
}

output "load_balancer_url" {
  description = "The internal ALB's URL: reachable only inside the VPC (the Lambda, the VPC link)."
  value       = "http://${aws_lb.main.dns_name}"
}

output "api_log_group" {
  description = "CloudWatch log group of API Gateway's access log."
  value       = aws_cloudwatch_log_group.api.name
}

output "aws_region" {
  description = "Region of the deployment."
  value       = var.aws_region
}

output "s3_bucket_name" {
  description = "Documents bucket: upload files here."
  value       = aws_s3_bucket.documents.bucket
}

output "dynamodb_table_name" {
  description = "Status table: insert records with status = pending here."
  value       = aws_dynamodb_table.results.name
}

output "ecr_repository_url" {
  description = "ECR repository of the service image."
  value       = aws_ecr_repository.service.repository_url
}

output "ecs_cluster_name" {
  description = "ECS cluster."
  value       = aws_ecs_cluster.main.name
}

output "ecs_service_name" {
  description = "ECS service."
  value       = aws_ecs_service.service.name
}

output "target_group_arn" {
  description = "ALB target group of the service (for target health checks)."
  value       = aws_lb_target_group.service.arn
}

output "lambda_function_name" {
  description = "The DynamoDB-stream trigger."
  value       = aws_lambda_function.trigger.function_name
}

output "dead_letter_queue_url" {
  description = "SQS queue receiving stream batches the trigger gave up on."
  value       = aws_sqs_queue.trigger_dlq.url
}

output "api_key_ssm_parameter" {
  description = "SSM parameter holding the API key (aws ssm get-parameter --with-decryption --name ...)."
  value       = aws_ssm_parameter.api_key.name
}

output "service_log_group" {
  description = "CloudWatch log group of the service."
  value       = aws_cloudwatch_log_group.service.name
}

output "lambda_log_group" {
  description = "CloudWatch log group of the Lambda."
  value       = aws_cloudwatch_log_group.trigger.name
}
