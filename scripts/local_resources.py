"""Creates the local stack's bucket and table on moto's server, as Terraform does on AWS.

Idempotent: what already exists is left as it is. The table matches infra/: key `id` (S),
stream NEW_AND_OLD_IMAGES, and the sparse `status-index` the service's sweep queries.
Usage: local_resources.py ENDPOINT BUCKET TABLE
"""

import sys

import boto3


def main(endpoint: str, bucket: str, table: str) -> None:
    kw = dict(endpoint_url=endpoint, region_name="us-east-1",
              aws_access_key_id="local", aws_secret_access_key="local")
    s3 = boto3.client("s3", **kw)
    existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
    if bucket not in existing:
        s3.create_bucket(Bucket=bucket)
        print(f"created bucket {bucket}")
    ddb = boto3.client("dynamodb", **kw)
    if table not in ddb.list_tables()["TableNames"]:
        ddb.create_table(
            TableName=table,
            BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[
                {"AttributeName": "id", "AttributeType": "S"},
                {"AttributeName": "status", "AttributeType": "S"},
            ],
            GlobalSecondaryIndexes=[{
                "IndexName": "status-index",
                "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "INCLUDE",
                               "NonKeyAttributes": ["lease_expires_at"]},
            }],
            StreamSpecification={"StreamEnabled": True,
                                 "StreamViewType": "NEW_AND_OLD_IMAGES"},
        )
        print(f"created table {table} (stream NEW_AND_OLD_IMAGES, status-index)")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
