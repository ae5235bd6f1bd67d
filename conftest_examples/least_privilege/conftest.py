"""Fixtures for testing code that runs as a least-privileged role.

Copy this into your own ``conftest.py``.  ``kms`` (from the mockkms package)
starts a fresh mock that enforces key policies, identity policies and grants as
AWS does.  ``admin`` calls as the account root (it sets things up);
``app_client`` calls as the application's role, which may only encrypt and
decrypt with keys tagged ``app=billing`` — the identity policy your
infrastructure code would attach.
"""
import boto3
import pytest

APP_ROLE = "arn:aws:iam::123456789012:role/billing-app"
APP_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{
        "Effect": "Allow",
        "Action": ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"],
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:ResourceTag/app": "billing"}},
    }],
}


@pytest.fixture
def admin(kms):
    return boto3.client("kms", region_name=kms.region)


@pytest.fixture
def app_client(kms):
    kms.allow(APP_ROLE, APP_POLICY)
    return kms.client(principal=APP_ROLE)


@pytest.fixture
def billing_key(admin):
    return admin.create_key(Tags=[{"TagKey": "app", "TagValue": "billing"}])["KeyMetadata"]["KeyId"]
