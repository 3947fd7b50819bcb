resource "aws_lb" "main" {
  #checkov:skip=CKV_AWS_91:Access logs need a log bucket and cost storage; the service logs every request (method, path, status, latency, request id) itself.
  #checkov:skip=CKV2_AWS_28:WAF costs about $5/month plus per-request fees; the API needs a key and refuses oversized bodies. Add one in front when the service is exposed widely.
  #checkov:skip=CKV_AWS_150:Deletion protection would make `terraform destroy` (the documented cleanup) fail.
  name                       = "${local.name}-alb"
  internal                   = false
  load_balancer_type         = "application"
  security_groups            = [aws_security_group.alb.id]
  subnets                    = aws_subnet.public[*].id
  drop_invalid_header_fields = true
  idle_timeout               = 120 # /process?wait=true may take a while
}

resource "aws_lb_target_group" "service" {
  #checkov:skip=CKV_AWS_378:TLS ends at the ALB; the hop to the task stays inside the VPC.
  name                 = "${local.name}-tg"
  port                 = 8080
  protocol             = "HTTP"
  target_type          = "ip"
  vpc_id               = aws_vpc.main.id
  deregistration_delay = 30

  health_check {
    path                = "/health"
    port                = "traffic-port"
    protocol            = "HTTP"
    matcher             = "200"
    interval            = 30
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 2
  }
}

# Without a certificate: HTTP forwards to the service.
resource "aws_lb_listener" "http" {
  #checkov:skip=CKV_AWS_2:HTTP serves only when no certificate_arn is given; with one, this listener redirects to HTTPS.
  #checkov:skip=CKV_AWS_103:This listener is plain HTTP; the HTTPS listener uses a TLS 1.2+ policy.
  #checkov:skip=CKV2_AWS_20:Redirects to HTTPS whenever a certificate is configured (certificate_arn); without one there is nothing to redirect to.
  load_balancer_arn = aws_lb.main.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type             = local.https ? "redirect" : "forward"
    target_group_arn = local.https ? null : aws_lb_target_group.service.arn

    dynamic "redirect" {
      for_each = local.https ? [1] : []
      content {
        port        = "443"
        protocol    = "HTTPS"
        status_code = "HTTP_301"
      }
    }
  }
}

resource "aws_lb_listener" "https" {
  count = local.https ? 1 : 0

  load_balancer_arn = aws_lb.main.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = var.certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.service.arn
  }
}
