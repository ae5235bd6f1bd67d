"""Server mode: the mock behind an HTTP endpoint, used by clients mockkms did not write.

These tests open loopback connections (and only those) to the server they start.
"""
from __future__ import annotations

import base64
import http.client
import json
import os
import subprocess
import sys
import time

import boto3
import pytest
from botocore.exceptions import ClientError

import mockkms
from mockkms import MockKMS

ACCOUNT = "123456789012"
FAKE_CREDENTIALS = {"aws_access_key_id": "AKIAIOSFODNN7EXAMPLE", "aws_secret_access_key": "secret"}


@pytest.fixture(autouse=True)
def _loopback(loopback_only):
    """Every test here talks to a server on 127.0.0.1 (conftest's loopback_only)."""


@pytest.fixture
def server():
    with mockkms.serve() as running:
        yield running


def client_for(server, region="us-east-1", **credentials):
    return boto3.client("kms", region_name=region, endpoint_url=server.url, **(credentials or FAKE_CREDENTIALS))


def test_the_server_listens_on_a_free_loopback_port(server):
    assert server.url.startswith("http://127.0.0.1:") and not server.url.endswith(":0")


def test_boto3_round_trip_through_the_server(server):
    client = client_for(server)
    key = client.create_key(Description="served")["KeyMetadata"]
    blob = client.encrypt(KeyId=key["KeyId"], Plaintext=b"hello", EncryptionContext={"a": "b"})["CiphertextBlob"]
    assert client.decrypt(CiphertextBlob=blob, EncryptionContext={"a": "b"})["Plaintext"] == b"hello"
    assert key["Arn"] == f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{key['KeyId']}"


def test_the_region_comes_from_the_signature(server):
    key = client_for(server, "eu-west-1").create_key()["KeyMetadata"]
    assert key["Arn"].startswith("arn:aws:kms:eu-west-1:")
    assert client_for(server, "us-east-1").list_keys()["Keys"] == []


def test_errors_come_back_as_aws_errors(server):
    with pytest.raises(ClientError) as excinfo:
        client_for(server).describe_key(KeyId="not-a-key")
    error = excinfo.value.response
    assert (error["Error"]["Code"], error["Error"]["Message"], error["ResponseMetadata"]["HTTPStatusCode"]) == (
        "NotFoundException", "Invalid keyId 'not-a-key'", 400)


def test_the_caller_comes_from_the_credentials(server):
    role = f"arn:aws:iam::{ACCOUNT}:role/app"
    admin = client_for(server)
    key = admin.create_key()["KeyMetadata"]["KeyId"]
    server.kms.allow(role, {"Version": "2012-10-17",
                            "Statement": [{"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*"}]})
    app = client_for(server, **server.kms.credentials(role))
    app.encrypt(KeyId=key, Plaintext=b"x")
    with pytest.raises(ClientError) as excinfo:
        app.describe_key(KeyId=key)
    assert excinfo.value.response["Error"]["Code"] == "AccessDeniedException"
    assert server.kms.calls.last.principal == role


def test_a_request_without_authorization_gets_the_authentication_error(server):
    host, port = server.url[len("http://"):].split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=5)
    connection.request("POST", "/", body=b"{}", headers={"X-Amz-Target": "TrentService.ListKeys",
                                                          "Content-Type": "application/x-amz-json-1.1"})
    response = connection.getresponse()
    assert (response.status, json.loads(response.read())) == (
        400, {"__type": "MissingAuthenticationTokenException", "message": "Missing Authentication Token"})


def test_an_unknown_target_is_an_unknown_operation(server):
    host, port = server.url[len("http://"):].split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=5)
    connection.request("POST", "/", body=b"{}", headers={
        "X-Amz-Target": "TrentService.Nope",
        "Authorization": "AWS4-HMAC-SHA256 Credential=AKIAX/20261128/us-east-1/kms/aws4_request, "
                         "SignedHeaders=host, Signature=0"})
    response = connection.getresponse()
    assert (response.status, json.loads(response.read())["__type"]) == (400, "UnknownOperationException")


def test_a_given_mock_is_served(server):
    kms = MockKMS(account_id="111122223333")
    with mockkms.serve(kms) as other:
        arn = client_for(other).create_key()["KeyMetadata"]["Arn"]
    assert arn.split(":")[4] == "111122223333" and len(kms.calls) == 1


def _environment(server):
    env = dict(os.environ, AWS_ACCESS_KEY_ID="AKIAIOSFODNN7EXAMPLE", AWS_SECRET_ACCESS_KEY="secret",
               AWS_DEFAULT_REGION="us-east-1", AWS_ENDPOINT_URL_KMS=server.url)
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        env.pop(name, None)
    return env


def test_boto3_in_another_process_finds_the_server_through_aws_endpoint_url_kms(server):
    code = "import boto3; print(boto3.client('kms').create_key()['KeyMetadata']['KeyId'])"
    out = subprocess.run([sys.executable, "-c", code], env=_environment(server), capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    assert [k["KeyId"] for k in client_for(server).list_keys()["Keys"]] == [out.stdout.strip()]


def aws(server, *args, tmp_path=None):
    """The AWS CLI (awscli from PyPI), run as a user would, against the server."""
    return subprocess.run([sys.executable, "-m", "awscli", "kms", *args, "--output", "json"],
                          env=_environment(server), capture_output=True, text=True, timeout=120, cwd=tmp_path)


@pytest.fixture
def cli():
    pytest.importorskip("awscli")


def test_aws_cli_creates_encrypts_and_decrypts(server, cli, tmp_path):
    created = aws(server, "create-key", "--description", "from the CLI")
    assert created.returncode == 0, created.stderr
    key_id = json.loads(created.stdout)["KeyMetadata"]["KeyId"]
    (tmp_path / "plain.txt").write_bytes(b"secret from a file")
    encrypted = aws(server, "encrypt", "--key-id", key_id, "--plaintext", "fileb://plain.txt", tmp_path=tmp_path)
    assert encrypted.returncode == 0, encrypted.stderr
    blob = base64.b64decode(json.loads(encrypted.stdout)["CiphertextBlob"])
    (tmp_path / "blob.bin").write_bytes(blob)
    decrypted = aws(server, "decrypt", "--ciphertext-blob", "fileb://blob.bin", tmp_path=tmp_path)
    assert decrypted.returncode == 0, decrypted.stderr
    assert base64.b64decode(json.loads(decrypted.stdout)["Plaintext"]) == b"secret from a file"


def test_aws_cli_lists_aliases_and_schedules_deletion(server, cli):
    key_id = client_for(server).create_key()["KeyMetadata"]["KeyId"]
    client_for(server).create_alias(AliasName="alias/cli", TargetKeyId=key_id)
    listed = aws(server, "list-aliases", "--key-id", key_id)
    assert listed.returncode == 0, listed.stderr
    assert [a["AliasName"] for a in json.loads(listed.stdout)["Aliases"]] == ["alias/cli"]
    scheduled = aws(server, "schedule-key-deletion", "--key-id", key_id, "--pending-window-in-days", "7")
    assert scheduled.returncode == 0, scheduled.stderr
    assert json.loads(scheduled.stdout)["KeyState"] == "PendingDeletion"


def test_aws_cli_reports_an_error_with_its_exit_code_and_message(server, cli):
    missing = "11111111-2222-4333-8444-555555555555"
    result = aws(server, "describe-key", "--key-id", missing)
    assert result.returncode == 255  # AWS CLI v1 (awscli on PyPI) exits 255 on a service error
    assert (f"An error occurred (NotFoundException) when calling the DescribeKey operation: "
            f"Key 'arn:aws:kms:us-east-1:{ACCOUNT}:key/{missing}' does not exist") in result.stderr


def test_python_dash_m_mockkms_serve_prints_its_url_and_serves():
    process = subprocess.Popen([sys.executable, "-m", "mockkms", "serve", "--port", "0"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        url = line.split(" at ")[1].split()[0]
        assert url.startswith("http://127.0.0.1:")
        deadline = time.time() + 10
        client = boto3.client("kms", region_name="us-east-1", endpoint_url=url, **FAKE_CREDENTIALS)
        while True:
            try:
                assert client.list_keys()["Keys"] == []
                break
            except Exception:
                if time.time() > deadline:
                    raise
                time.sleep(0.05)
    finally:
        process.terminate()
        process.wait(timeout=10)
