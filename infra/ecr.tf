resource "aws_ecr_repository" "service" {
  name = local.name
  # deploy.sh tags each image with its git commit and never pushes a tag twice.
  image_tag_mutability = "IMMUTABLE"
  force_delete         = true # `terraform destroy` also removes the images

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "KMS"
  }
}

resource "aws_ecr_lifecycle_policy" "service" {
  repository = aws_ecr_repository.service.name

  policy = jsonencode({
    rules = [{
      rulePriority = 1
      description  = "Keep the 20 newest images"
      selection = {
        tagStatus   = "any"
        countType   = "imageCountMoreThan"
        countNumber = 20
      }
      action = { type = "expire" }
    }]
  })
}
