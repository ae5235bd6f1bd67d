"""Tests that hold code to the permissions its role really has."""
import pytest


def test_app_can_use_its_own_key(app_client, billing_key):
    blob = app_client.encrypt(KeyId=billing_key, Plaintext=b"invoice 42")["CiphertextBlob"]
    assert app_client.decrypt(CiphertextBlob=blob)["Plaintext"] == b"invoice 42"


def test_app_cannot_use_another_teams_key(admin, app_client):
    other_key = admin.create_key(Tags=[{"TagKey": "app", "TagValue": "payroll"}])["KeyMetadata"]["KeyId"]
    with pytest.raises(app_client.exceptions.ClientError) as excinfo:
        app_client.encrypt(KeyId=other_key, Plaintext=b"x")
    error = excinfo.value.response["Error"]
    assert error["Code"] == "AccessDeniedException"
    assert error["Message"].startswith("User: arn:aws:iam::123456789012:role/billing-app is not authorized "
                                       "to perform: kms:Encrypt on resource: ")


def test_app_cannot_manage_keys(app_client, billing_key):
    with pytest.raises(app_client.exceptions.ClientError) as excinfo:
        app_client.schedule_key_deletion(KeyId=billing_key, PendingWindowInDays=7)
    assert excinfo.value.response["Error"]["Code"] == "AccessDeniedException"


def test_a_grant_lets_a_worker_role_decrypt(kms, admin, app_client, billing_key):
    worker_role = "arn:aws:iam::123456789012:role/worker"
    kms.allow(worker_role, {"Version": "2012-10-17",
                            "Statement": [{"Effect": "Allow", "Action": "kms:DescribeKey", "Resource": "*"}]})
    worker = kms.client(principal=worker_role)
    blob = app_client.encrypt(KeyId=billing_key, Plaintext=b"job")["CiphertextBlob"]
    with pytest.raises(worker.exceptions.ClientError):
        worker.decrypt(CiphertextBlob=blob)
    grant = admin.create_grant(KeyId=billing_key, GranteePrincipal=worker_role, Operations=["Decrypt"])
    assert worker.decrypt(CiphertextBlob=blob)["Plaintext"] == b"job"
    admin.retire_grant(GrantToken=grant["GrantToken"])
    with pytest.raises(worker.exceptions.ClientError):
        worker.decrypt(CiphertextBlob=blob)
