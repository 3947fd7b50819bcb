# Documents bucket: private, encrypted, TLS only, versioned. Results too large for a DynamoDB item go
# to results/{id}.json in it.
resource "aws_s3_bucket" "documents" {
  #checkov:skip=CKV_AWS_18:Server access logs need a second bucket; the service logs every document it reads.
  #checkov:skip=CKV_AWS_144:Cross-region replication doubles storage cost; documents are inputs the user keeps.
  #checkov:skip=CKV2_AWS_62:Processing is triggered by the DynamoDB record, not by S3 events.
  bucket        = "${local.name}-documents-${local.account_id}"
  force_destroy = true # `terraform destroy` empties it
}

resource "aws_s3_bucket_public_access_block" "documents" {
  bucket                  = aws_s3_bucket.documents.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "documents" {
  bucket = aws_s3_bucket.documents.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "documents" {
  bucket = aws_s3_bucket.documents.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "aws:kms"
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_versioning" "documents" {
  bucket = aws_s3_bucket.documents.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "documents" {
  bucket = aws_s3_bucket.documents.id

  rule {
    id     = "old-versions-and-uploads"
    status = "Enabled"
    filter {}

    noncurrent_version_expiration {
      noncurrent_days = 30
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  depends_on = [aws_s3_bucket_versioning.documents]
}

data "aws_iam_policy_document" "documents_tls_only" {
  statement {
    sid     = "DenyInsecureTransport"
    effect  = "Deny"
    actions = ["s3:*"]
    resources = [
      aws_s3_bucket.documents.arn,
      "${aws_s3_bucket.documents.arn}/*",
    ]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "documents" {
  bucket     = aws_s3_bucket.documents.id
  policy     = data.aws_iam_policy_document.documents_tls_only.json
  depends_on = [aws_s3_bucket_public_access_block.documents]
}

# The status table. Key `id`; the stream wakes the Lambda; `status-index` is what the service's sweep
# queries for pending records and expired leases (never a scan).
resource "aws_dynamodb_table" "results" {
  #checkov:skip=CKV_AWS_119:Encrypted with the AWS-managed DynamoDB key; a customer-managed key costs $1/month plus requests and adds no control here.
  name                        = "${local.name}-results"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "id"
  stream_enabled              = true
  stream_view_type            = "NEW_AND_OLD_IMAGES"
  deletion_protection_enabled = var.table_deletion_protection

  attribute {
    name = "id"
    type = "S"
  }

  attribute {
    name = "status"
    type = "S"
  }

  global_secondary_index {
    name               = "status-index"
    hash_key           = "status"
    projection_type    = "INCLUDE"
    non_key_attributes = ["lease_expires_at"]
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled = true
  }
}
