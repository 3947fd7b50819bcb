# The internal ALB: reached only from API Gateway's VPC link (clients, over TLS ending at API
# Gateway) and from the Lambda inside the VPC. It has no address outside the VPC.
resource "aws_lb" "main" {
  #checkov:skip=CKV_AWS_91:Access logs need a log bucket and cost storage; API Gateway logs every client request and the service logs every request (method, path, status, latency, request id) itself.
  #checkov:skip=CKV2_AWS_28:Internal load balancer: WAF protects internet-facing entries, and HTTP APIs cannot take one; the public entry is API Gateway with throttling and an API key behind it.
  #checkov:skip=CKV2_AWS_20:Internal ALB behind API Gateway, which terminates TLS; nothing outside the VPC reaches its HTTP listener, so there is nothing to redirect.
  #checkov:skip=CKV_AWS_150:Deletion protection would make `terraform destroy` (the documented cleanup) fail.
  name                       = "${local.name}-alb"
  internal                   = true
  load_balancer_type         = "application"
  security_groups            = [aws_security_group.alb.id]
  subnets                    = aws_subnet.private[*].id
  drop_invalid_header_fields = true
  idle_timeout               = 120 # /process?wait=true may take a while
}

resource "aws_lb_target_group" "service" {
  #checkov:skip=CKV_AWS_378:The ALB is internal; TLS ends at API Gateway and the hops behind it stay inside the VPC.
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

# HTTP inside the VPC: the listener API Gateway's integration and the Lambda address.
resource "aws_lb_listener" "http" {
  #checkov:skip=CKV_AWS_2:Internal listener reached only through the VPC link and from the Lambda's security group; clients get TLS at API Gateway (README: network).
  #checkov:skip=CKV_AWS_103:Plain HTTP inside the VPC (see CKV_AWS_2); no TLS policy applies.
  #checkov:skip=CKV2_AWS_20:No redirect: nothing outside the VPC reaches this listener, and API Gateway terminates TLS.
  load_balancer_arn = aws_lb.main.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.service.arn
  }
}
