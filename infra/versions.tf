# State: local by default (a first try); for a team, an S3 backend with locking: copy
# backend.tf.example to backend.tf and backend.hcl.example to backend.hcl (README: remote state).
terraform {
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.7"
    }
  }
}

provider "aws" {
  region = var.aws_region

  # Every resource carries these (cost allocation, ownership).
  default_tags {
    tags = merge(
      {
        Project   = "document-processor"
        ManagedBy = "terraform"
      },
      var.tags,
    )
  }
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

data "aws_availability_zones" "available" {
  #checkov:skip=CKV_AWS_394:Only the first two zones are used (local.azs slices them), so a zone AWS adds later never changes the layout.
  state = "available"
}

locals {
  name       = "document-processor"
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  azs        = slice(data.aws_availability_zones.available.names, 0, 2)

  # Namespace of the service's embedded metrics (crates/service/src/metrics.rs).
  metrics_namespace = "DocumentProcessor"
  # A custom domain needs both the name and its certificate.
  custom_domain = var.domain_name != "" && var.certificate_arn != ""
}
