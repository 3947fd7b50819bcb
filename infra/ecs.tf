resource "aws_cloudwatch_log_group" "service" {
  #checkov:skip=CKV_AWS_158:Encrypted by CloudWatch Logs by default; a customer-managed key costs $1/month and adds no control here.
  #checkov:skip=CKV_AWS_338:Retention is a variable (log_retention_days, default 30) to keep the cost down; raise it where an audit asks for a year.
  name              = "/ecs/${local.name}"
  retention_in_days = var.log_retention_days
}

resource "aws_ecs_cluster" "main" {
  name = "${local.name}-cluster"

  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}

locals {
  # The service's environment. Every name here is one the binary reads (tested against its
  # configuration code in crates/service/tests/infra_contract.rs).
  service_environment = {
    PORT                  = "8080"
    AWS_REGION            = var.aws_region
    DYNAMODB_TABLE_NAME   = aws_dynamodb_table.results.name
    STATUS_INDEX_NAME     = "status-index"
    DOCUMENT_BUCKET       = aws_s3_bucket.documents.bucket
    OMP_THREAD_LIMIT      = "1"
    LOG_FORMAT            = "json"
    QUEUE_CAPACITY        = tostring(var.queue_capacity)
    MAX_FILE_BYTES        = tostring(var.max_file_bytes)
    MAX_PAGES             = tostring(var.max_pages)
    DOCUMENT_TIMEOUT_SECS = tostring(var.document_timeout_secs)
    SHUTDOWN_GRACE_SECS   = "90"
    SPOOL_DIR             = "/tmp"
    ALLOWED_CLIENT_CIDRS  = join(",", var.allowed_cidrs)
    METRICS_INTERVAL_SECS = "60"
  }

  # Secrets injected by ECS from Parameter Store (never in the task definition in clear).
  service_secrets = {
    API_KEY = aws_ssm_parameter.api_key.arn
  }
}

resource "aws_ecs_task_definition" "service" {
  family                   = local.name
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.task_cpu
  memory                   = var.task_memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  # The root filesystem is read-only; downloads are spooled here.
  volume {
    name = "tmp"
  }

  container_definitions = jsonencode([
    {
      name                   = local.name
      image                  = "${aws_ecr_repository.service.repository_url}:${var.image_tag}"
      essential              = true
      readonlyRootFilesystem = true
      user                   = "10001:10001"
      stopTimeout            = 120
      portMappings = [
        { containerPort = 8080, protocol = "tcp" }
      ]
      environment = [for name, value in local.service_environment : { name = name, value = value }]
      secrets     = [for name, arn in local.service_secrets : { name = name, valueFrom = arn }]
      mountPoints = [
        { sourceVolume = "tmp", containerPath = "/tmp", readOnly = false }
      ]
      linuxParameters = {
        initProcessEnabled = true
      }
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = aws_cloudwatch_log_group.service.name
          awslogs-region        = var.aws_region
          awslogs-stream-prefix = "service"
        }
      }
    }
  ])
}

resource "aws_ecs_service" "service" {
  #checkov:skip=CKV_AWS_333:Tasks need public IPs to reach ECR, S3, DynamoDB and CloudWatch without a NAT gateway or VPC endpoints (README: network cost trade-off); their security group admits only the ALB.
  name                              = "${local.name}-service"
  cluster                           = aws_ecs_cluster.main.id
  task_definition                   = aws_ecs_task_definition.service.arn
  desired_count                     = var.desired_count
  launch_type                       = "FARGATE"
  health_check_grace_period_seconds = 60
  propagate_tags                    = "SERVICE"
  enable_execute_command            = false

  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = aws_subnet.public[*].id
    security_groups  = [aws_security_group.tasks.id]
    assign_public_ip = true
  }

  load_balancer {
    target_group_arn = aws_lb_target_group.service.arn
    container_name   = local.name
    container_port   = 8080
  }

  # Autoscaling owns the count after the first deploy.
  lifecycle {
    ignore_changes = [desired_count]
  }

  depends_on = [aws_lb_listener.http]
}

resource "aws_appautoscaling_target" "service" {
  service_namespace  = "ecs"
  resource_id        = "service/${aws_ecs_cluster.main.name}/${aws_ecs_service.service.name}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = var.min_capacity
  max_capacity       = var.max_capacity
}

# Backlog per task: what users wait on. The service writes QueueDepth, InFlight and DueRecords as
# embedded-metric-format lines in its log every minute (no API calls); the names are the service's
# own (crates/service/src/metrics.rs, checked by the contract test). Tasks are added when the backlog
# per running task passes the target, and removed (slowly) when it falls below.
resource "aws_appautoscaling_policy" "backlog" {
  name               = "${local.name}-backlog"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.service.service_namespace
  resource_id        = aws_appautoscaling_target.service.resource_id
  scalable_dimension = aws_appautoscaling_target.service.scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = var.backlog_per_task_target
    scale_in_cooldown  = 300
    scale_out_cooldown = 60

    customized_metric_specification {
      # The service's own metrics: per-task sums, and the largest due count (every task counts
      # the same records).
      dynamic "metrics" {
        for_each = {
          queued  = { name = "QueueDepth", stat = "Sum" }
          working = { name = "InFlight", stat = "Sum" }
          due     = { name = "DueRecords", stat = "Maximum" }
        }
        content {
          id          = metrics.key
          return_data = false
          metric_stat {
            stat = metrics.value.stat
            metric {
              namespace   = local.metrics_namespace
              metric_name = metrics.value.name
              dimensions {
                name  = "Service"
                value = local.name
              }
            }
          }
        }
      }
      metrics {
        id          = "tasks"
        return_data = false
        metric_stat {
          stat = "Average"
          metric {
            namespace   = "ECS/ContainerInsights"
            metric_name = "RunningTaskCount"
            dimensions {
              name  = "ClusterName"
              value = aws_ecs_cluster.main.name
            }
            dimensions {
              name  = "ServiceName"
              value = aws_ecs_service.service.name
            }
          }
        }
      }
      metrics {
        id          = "backlog_per_task"
        label       = "Documents waiting or in progress per running task"
        expression  = "(FILL(queued, 0) + FILL(working, 0) + FILL(due, 0)) / FILL(tasks, 1)"
        return_data = true
      }
    }
  }
}

# CPU stays as a second policy: the larger of the two desired counts wins.
resource "aws_appautoscaling_policy" "cpu" {
  name               = "${local.name}-cpu"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.service.service_namespace
  resource_id        = aws_appautoscaling_target.service.resource_id
  scalable_dimension = aws_appautoscaling_target.service.scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = var.cpu_target_percent
    scale_in_cooldown  = 300
    scale_out_cooldown = 60

    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}
