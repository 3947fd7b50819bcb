variable "aws_region" {
  description = "AWS region for every resource."
  type        = string
  default     = "us-east-1"
}

variable "tags" {
  description = "Extra tags added to every resource (on top of Project and ManagedBy)."
  type        = map(string)
  default     = {}
}

variable "vpc_cidr" {
  description = "CIDR block of the VPC; the two public subnets are its first two /24s, the two private ones its 11th and 12th."
  type        = string
  default     = "10.40.0.0/16"
}

variable "domain_name" {
  description = "Optional custom domain for the API (with certificate_arn). Empty: the https://...execute-api... URL API Gateway gives."
  type        = string
  default     = ""
}

variable "certificate_arn" {
  description = "ACM certificate (same region) covering domain_name. Only used with a custom domain."
  type        = string
  default     = ""
}

variable "allowed_cidrs" {
  description = "Client addresses allowed through the public entry (empty: any). Checked by the service against the address API Gateway saw (ALLOWED_CLIENT_CIDRS)."
  type        = list(string)
  default     = []
}

variable "api_rate_limit" {
  description = "API Gateway: steady requests per second across all clients."
  type        = number
  default     = 50
}

variable "api_burst_limit" {
  description = "API Gateway: burst of requests across all clients."
  type        = number
  default     = 100
}

variable "image_tag" {
  description = "Tag of the service image in ECR (deploy.sh passes the git commit)."
  type        = string
  default     = "latest"
}

variable "task_cpu" {
  description = "Fargate task CPU units (256 = 1/4 vCPU)."
  type        = number
  default     = 256
}

variable "task_memory" {
  description = "Fargate task memory in MiB."
  type        = number
  default     = 512
}

variable "desired_count" {
  description = "Tasks started at the first deploy (autoscaling owns the count afterwards)."
  type        = number
  default     = 1
}

variable "min_capacity" {
  description = "Autoscaling: fewest tasks."
  type        = number
  default     = 1
}

variable "max_capacity" {
  description = "Autoscaling: most tasks."
  type        = number
  default     = 4
}

variable "backlog_per_task_target" {
  description = "Autoscaling: documents waiting or in progress per task (due records + queued + in flight) the backlog policy aims at."
  type        = number
  default     = 4
}

variable "cpu_target_percent" {
  description = "Autoscaling: average service CPU the target tracking aims at."
  type        = number
  default     = 60
}

variable "queue_capacity" {
  description = "Documents a task accepts beyond those in progress before answering 503 (QUEUE_CAPACITY)."
  type        = number
  default     = 8
}

variable "max_file_bytes" {
  description = "Largest document accepted, in bytes (MAX_FILE_BYTES)."
  type        = number
  default     = 52428800
}

variable "max_pages" {
  description = "Most pages per document (MAX_PAGES)."
  type        = number
  default     = 200
}

variable "document_timeout_secs" {
  description = "Processing deadline per document, in seconds (DOCUMENT_TIMEOUT_SECS)."
  type        = number
  default     = 900
}

variable "log_retention_days" {
  description = "Retention of the service's and the Lambda's CloudWatch log groups."
  type        = number
  default     = 30
}

variable "lambda_zip_path" {
  description = "The Lambda package built by scripts/build-lambda.sh (cargo lambda build --release --output-format zip)."
  type        = string
  default     = "../target/lambda/dynamodb-trigger/bootstrap.zip"
}

variable "lambda_architecture" {
  description = "Architecture the Lambda package was built for: x86_64 or arm64 (LAMBDA_ARCH of scripts/build-lambda.sh)."
  type        = string
  default     = "x86_64"

  validation {
    condition     = contains(["x86_64", "arm64"], var.lambda_architecture)
    error_message = "lambda_architecture must be x86_64 or arm64."
  }
}

variable "lambda_request_timeout_secs" {
  description = "Timeout of one POST /process from the Lambda (REQUEST_TIMEOUT_SECS)."
  type        = number
  default     = 10
}

variable "stream_batch_size" {
  description = "Stream records per Lambda invocation."
  type        = number
  default     = 10
}

variable "stream_maximum_retry_attempts" {
  description = "Retries of a failed batch before it goes to the dead-letter queue."
  type        = number
  default     = 5
}

variable "stream_maximum_record_age_seconds" {
  description = "Stream records older than this are not retried any more (they go to the dead-letter queue; the service's sweep still finds the pending record)."
  type        = number
  default     = 3600
}

variable "table_deletion_protection" {
  description = "DynamoDB deletion protection on the results table (turn off before terraform destroy)."
  type        = bool
  default     = false
}
