"""AWS managed keys: created by "an AWS service" the first time its alias ``alias/aws/<service>`` is used.

An AWS managed key is a symmetric key of the account with ``KeyManager: AWS``,
rotated every year, whose key policy lets the account's principals use it only
through its service (``kms:ViaService``) and read its metadata directly — so
customers cannot manage it, and cannot use it outside the service (AccessDenied),
as in AWS.  Until a service makes its key, ListAliases shows the predefined alias
without a target.  AWS owned keys live in AWS's own accounts and never appear in
any KMS API response, so the mock has none.
"""
from __future__ import annotations

import json

from .policy import Policy

#: Services with predefined aliases (``alias/aws/<service>``) and how their policies name them.
SERVICES = {
    "acm": "ACM", "backup": "AWS Backup", "codecommit": "CodeCommit", "connect": "Connect",
    "dynamodb": "DynamoDB", "ebs": "EBS", "elasticfilesystem": "EFS", "es": "Elasticsearch",
    "glue": "Glue", "kinesis": "Kinesis", "kinesisvideo": "Kinesis Video Streams", "lambda": "Lambda",
    "lightsail": "Lightsail", "rds": "RDS", "redshift": "Redshift", "s3": "S3",
    "secretsmanager": "Secrets Manager", "sns": "SNS", "sqs": "SQS", "ssm": "SSM", "xray": "X-Ray",
}
PREFIX = "alias/aws/"
ROTATION_PERIOD_DAYS = 365


def service_of(alias_name: str) -> "str | None":
    """The service an ``alias/aws/<service>`` alias belongs to, if it is a predefined one."""
    if not alias_name.startswith(PREFIX):
        return None
    service = alias_name[len(PREFIX):]
    return service if service in SERVICES else None


def description(service: str) -> str:
    # Wording [G]: AWS's descriptions differ per service ("Default master key that protects my S3
    # objects when no other key is defined", ...).
    return f"Default key that protects my {SERVICES[service]} data when no other key is defined"


def key_policy(service: str, account: str, region: str, partition: str = "aws") -> Policy:
    """The AWS managed key policy template [D]: use through the service, metadata directly."""
    name = SERVICES[service]
    document = {
        "Version": "2012-10-17",
        "Id": f"auto-{service}-1",
        "Statement": [
            {
                "Sid": f"Allow access through {name} for all principals in the account that are authorized "
                       f"to use {name}",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*",
                           "kms:CreateGrant", "kms:DescribeKey"],
                "Resource": "*",
                "Condition": {"StringEquals": {"kms:CallerAccount": account,
                                               "kms:ViaService": f"{service}.{region}.amazonaws.com"}},
            },
            {
                "Sid": "Allow direct access to key metadata to the account",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:{partition}:iam::{account}:root"},
                "Action": ["kms:Describe*", "kms:Get*", "kms:List*"],
                "Resource": "*",
            },
        ],
    }
    return Policy.parse(json.dumps(document))
