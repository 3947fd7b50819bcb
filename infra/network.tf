# Network layout (README: "Network and cost"):
# - two public subnets hold the ECS tasks, which get public IPs so they reach ECR, S3, DynamoDB, SSM and
#   CloudWatch Logs over the internet gateway (no NAT gateway);
# - two private subnets (no route out of the VPC) hold the internal ALB, the API Gateway VPC link, the
#   Lambda's network interfaces and the one interface endpoint the Lambda needs (SSM, for the API key).
# Who may talk to whom is the security groups below: clients -> API Gateway -> VPC link -> ALB ->
# tasks; stream -> Lambda -> ALB. Nothing admits 0.0.0.0/0.

resource "aws_vpc" "main" {
  #checkov:skip=CKV2_AWS_11:VPC flow logs cost CloudWatch ingestion on every packet; every inbound path goes through API Gateway (access-logged) and security groups that name their sources. Enable when an audit requires it.
  cidr_block           = var.vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true

  tags = { Name = "${local.name}-vpc" }
}

# The default security group allows nothing.
resource "aws_default_security_group" "default" {
  vpc_id = aws_vpc.main.id
}

resource "aws_internet_gateway" "main" {
  vpc_id = aws_vpc.main.id

  tags = { Name = "${local.name}-igw" }
}

resource "aws_subnet" "public" {
  count = 2

  vpc_id            = aws_vpc.main.id
  cidr_block        = cidrsubnet(var.vpc_cidr, 8, count.index)
  availability_zone = local.azs[count.index]
  # Only the tasks get public IPs, and they ask for them (assign_public_ip in the service).
  map_public_ip_on_launch = false

  tags = { Name = "${local.name}-public-${local.azs[count.index]}" }
}

resource "aws_subnet" "private" {
  count = 2

  vpc_id                  = aws_vpc.main.id
  cidr_block              = cidrsubnet(var.vpc_cidr, 8, 10 + count.index)
  availability_zone       = local.azs[count.index]
  map_public_ip_on_launch = false

  tags = { Name = "${local.name}-private-${local.azs[count.index]}" }
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id

  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.main.id
  }

  tags = { Name = "${local.name}-public" }
}

resource "aws_route_table_association" "public" {
  count = 2

  subnet_id      = aws_subnet.public[count.index].id
  route_table_id = aws_route_table.public.id
}

# Private subnets: the VPC's local route only.
resource "aws_route_table" "private" {
  vpc_id = aws_vpc.main.id

  tags = { Name = "${local.name}-private" }
}

resource "aws_route_table_association" "private" {
  count = 2

  subnet_id      = aws_subnet.private[count.index].id
  route_table_id = aws_route_table.private.id
}

# --- the internal ALB: from the VPC link and the Lambda only ------------------------------------
resource "aws_security_group" "alb" {
  name        = "${local.name}-alb"
  description = "document-processor internal ALB: HTTP from the API Gateway VPC link and the Lambda only"
  vpc_id      = aws_vpc.main.id

  tags = { Name = "${local.name}-alb" }
}

resource "aws_vpc_security_group_ingress_rule" "alb_from_vpc_link" {
  #checkov:skip=CKV_AWS_260:The source is one security group (referenced_security_group_id), not 0.0.0.0/0; checkov reads the missing CIDR as "anywhere".
  security_group_id            = aws_security_group.alb.id
  description                  = "HTTP from API Gateway's VPC link (the public entry)"
  referenced_security_group_id = aws_security_group.vpc_link.id
  ip_protocol                  = "tcp"
  from_port                    = 80
  to_port                      = 80
}

resource "aws_vpc_security_group_ingress_rule" "alb_from_lambda" {
  #checkov:skip=CKV_AWS_260:The source is one security group (referenced_security_group_id), not 0.0.0.0/0; checkov reads the missing CIDR as "anywhere".
  security_group_id            = aws_security_group.alb.id
  description                  = "HTTP from the stream trigger Lambda"
  referenced_security_group_id = aws_security_group.lambda.id
  ip_protocol                  = "tcp"
  from_port                    = 80
  to_port                      = 80
}

resource "aws_vpc_security_group_egress_rule" "alb_to_tasks" {
  security_group_id            = aws_security_group.alb.id
  description                  = "To the tasks' port only"
  referenced_security_group_id = aws_security_group.tasks.id
  ip_protocol                  = "tcp"
  from_port                    = 8080
  to_port                      = 8080
}

# --- API Gateway's VPC link: to the ALB only ----------------------------------------------------
resource "aws_security_group" "vpc_link" {
  name        = "${local.name}-vpc-link"
  description = "document-processor API Gateway VPC link: out to the internal ALB only"
  vpc_id      = aws_vpc.main.id

  tags = { Name = "${local.name}-vpc-link" }
}

resource "aws_vpc_security_group_egress_rule" "vpc_link_to_alb" {
  security_group_id            = aws_security_group.vpc_link.id
  description                  = "HTTP to the internal ALB"
  referenced_security_group_id = aws_security_group.alb.id
  ip_protocol                  = "tcp"
  from_port                    = 80
  to_port                      = 80
}

# --- the Lambda: to the ALB and the SSM endpoint only -------------------------------------------
resource "aws_security_group" "lambda" {
  name        = "${local.name}-lambda"
  description = "document-processor stream trigger: out to the internal ALB and the SSM endpoint only"
  vpc_id      = aws_vpc.main.id

  tags = { Name = "${local.name}-lambda" }
}

resource "aws_vpc_security_group_egress_rule" "lambda_to_alb" {
  security_group_id            = aws_security_group.lambda.id
  description                  = "POST /process on the internal ALB"
  referenced_security_group_id = aws_security_group.alb.id
  ip_protocol                  = "tcp"
  from_port                    = 80
  to_port                      = 80
}

resource "aws_vpc_security_group_egress_rule" "lambda_to_ssm" {
  security_group_id            = aws_security_group.lambda.id
  description                  = "The API key from SSM at cold start (interface endpoint)"
  referenced_security_group_id = aws_security_group.endpoints.id
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
}

# --- the SSM interface endpoint: what the Lambda calls besides the ALB --------------------------
# The stream is read by the event source mapping on the Lambda's behalf, logs and the on-failure
# destination are written by the Lambda service: the handler itself only calls the ALB and, once per
# cold start, SSM GetParameter.
resource "aws_security_group" "endpoints" {
  name        = "${local.name}-endpoints"
  description = "document-processor VPC endpoints: HTTPS from the Lambda only"
  vpc_id      = aws_vpc.main.id

  tags = { Name = "${local.name}-endpoints" }
}

resource "aws_vpc_security_group_ingress_rule" "endpoints_from_lambda" {
  security_group_id            = aws_security_group.endpoints.id
  description                  = "HTTPS from the Lambda"
  referenced_security_group_id = aws_security_group.lambda.id
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
}

resource "aws_vpc_endpoint" "ssm" {
  vpc_id              = aws_vpc.main.id
  service_name        = "com.amazonaws.${var.aws_region}.ssm"
  vpc_endpoint_type   = "Interface"
  subnet_ids          = aws_subnet.private[*].id
  security_group_ids  = [aws_security_group.endpoints.id]
  private_dns_enabled = true

  tags = { Name = "${local.name}-ssm" }
}

# --- the tasks: 8080 from the ALB only ----------------------------------------------------------
resource "aws_security_group" "tasks" {
  name        = "${local.name}-tasks"
  description = "document-processor tasks: 8080 from the ALB only; HTTPS out to AWS APIs"
  vpc_id      = aws_vpc.main.id

  tags = { Name = "${local.name}-tasks" }
}

resource "aws_vpc_security_group_ingress_rule" "tasks_from_alb" {
  security_group_id            = aws_security_group.tasks.id
  description                  = "Service port, from the ALB only"
  referenced_security_group_id = aws_security_group.alb.id
  ip_protocol                  = "tcp"
  from_port                    = 8080
  to_port                      = 8080
}

resource "aws_vpc_security_group_egress_rule" "tasks_https" {
  security_group_id = aws_security_group.tasks.id
  description       = "HTTPS to ECR, S3, DynamoDB, SSM and CloudWatch Logs (public endpoints)"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}
