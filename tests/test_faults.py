"""Injected faults: kms.fail(...) makes calls fail as AWS would, through botocore's real retry loop."""
from __future__ import annotations

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from conftest import REGION, error_of

NO_RETRIES = Config(retries={"mode": "standard", "total_max_attempts": 1})


def client_with(retries):
    return boto3.client("kms", region_name=REGION, config=Config(retries=retries))


@pytest.fixture
def key(client):
    return client.create_key()["KeyMetadata"]["KeyId"]


@pytest.fixture
def no_backoff(monkeypatch):
    """botocore's retry delays, not its retry decisions, are skipped (tests should not sleep)."""
    monkeypatch.setattr("botocore.endpoint.time.sleep", lambda seconds: None)
    monkeypatch.setattr("botocore.retries.bucket.TokenBucket._sleep_amount", lambda self, amount: 0)


def test_a_fault_fails_a_client_without_retries(kms, key):
    kms.fail("Encrypt", "ThrottlingException")
    client = boto3.client("kms", region_name=REGION, config=NO_RETRIES)
    with pytest.raises(ClientError) as excinfo:
        client.encrypt(KeyId=key, Plaintext=b"x")
    assert error_of(excinfo) == ("ThrottlingException", "Rate exceeded", 400)


def test_the_next_call_after_the_faults_succeeds(kms, key):
    kms.fail("Encrypt", "ThrottlingException")
    client = boto3.client("kms", region_name=REGION, config=NO_RETRIES)
    with pytest.raises(ClientError):
        client.encrypt(KeyId=key, Plaintext=b"x")
    assert client.encrypt(KeyId=key, Plaintext=b"x")["KeyId"].endswith(key)


@pytest.mark.parametrize("mode", ["standard", "adaptive", "legacy"])
def test_the_clients_retry_mode_recovers_from_throttling(kms, key, no_backoff, mode):
    kms.fail("Encrypt", "ThrottlingException", times=2)
    client = client_with({"mode": mode, "max_attempts": 4})
    response = client.encrypt(KeyId=key, Plaintext=b"secret")
    assert response["ResponseMetadata"]["RetryAttempts"] == 2
    assert [c.error_code for c in kms.calls.of("Encrypt")] == ["ThrottlingException", "ThrottlingException", None]


def test_retries_give_up_when_the_faults_outlast_them(kms, key, no_backoff):
    kms.fail("Decrypt", "KMSInternalException", times=5)
    client = client_with({"mode": "standard", "total_max_attempts": 3})
    blob = client.encrypt(KeyId=key, Plaintext=b"x")["CiphertextBlob"]
    with pytest.raises(ClientError) as excinfo:
        client.decrypt(CiphertextBlob=blob)
    assert error_of(excinfo)[0::2] == ("KMSInternalException", 500)
    assert excinfo.value.response["ResponseMetadata"]["RetryAttempts"] == 2


@pytest.mark.parametrize("error, status", [("KMSInternalException", 500), ("DependencyTimeoutException", 503),
                                           ("KeyUnavailableException", 500), ("ThrottlingException", 400)])
def test_known_errors_get_awss_status(kms, key, error, status):
    kms.fail("GenerateDataKey", error)
    client = boto3.client("kms", region_name=REGION, config=NO_RETRIES)
    with pytest.raises(ClientError) as excinfo:
        client.generate_data_key(KeyId=key, KeySpec="AES_256")
    assert error_of(excinfo)[0::2] == (error, status)


def test_a_modelled_error_raises_its_modelled_exception_class(kms, key):
    kms.fail("Encrypt", "DependencyTimeoutException", message="try later")
    client = boto3.client("kms", region_name=REGION, config=NO_RETRIES)
    with pytest.raises(client.exceptions.DependencyTimeoutException, match="try later"):
        client.encrypt(KeyId=key, Plaintext=b"x")


def test_a_fault_for_one_key_leaves_other_keys_alone(kms, client, key):
    other = client.create_key()["KeyMetadata"]["KeyId"]
    kms.fail("Encrypt", "KeyUnavailableException", key=key)
    plain = boto3.client("kms", region_name=REGION, config=NO_RETRIES)
    assert plain.encrypt(KeyId=other, Plaintext=b"x")["KeyId"].endswith(other)
    with pytest.raises(plain.exceptions.KeyUnavailableException):
        plain.encrypt(KeyId=f"arn:aws:kms:{REGION}:123456789012:key/{key}", Plaintext=b"x")


def test_a_fault_for_any_operation(kms, key):
    kms.fail(error="ThrottlingException", times=2)
    client = boto3.client("kms", region_name=REGION, config=NO_RETRIES)
    with pytest.raises(ClientError):
        client.describe_key(KeyId=key)
    with pytest.raises(ClientError):
        client.list_keys()
    assert client.list_keys()["Keys"]


def test_times_must_be_positive(kms):
    with pytest.raises(ValueError):
        kms.fail("Encrypt", times=0)


def test_the_call_log_keeps_the_injected_message(kms, key):
    kms.fail("Encrypt", "ThrottlingException")
    client = boto3.client("kms", region_name=REGION, config=NO_RETRIES)
    with pytest.raises(ClientError):
        client.encrypt(KeyId=key, Plaintext=b"x")
    record = kms.calls.last
    assert (record.operation, record.error_code, record.error_message) == ("Encrypt", "ThrottlingException",
                                                                         "Rate exceeded")


# --------------------------------------------------------------------------- async clients

@pytest.fixture
def no_async_backoff(monkeypatch):
    aiobotocore = pytest.importorskip("aiobotocore.endpoint")

    async def no_sleep(seconds, *args, **kwargs):
        return None

    monkeypatch.setattr(aiobotocore.asyncio, "sleep", no_sleep)


def async_client(retries):
    from aiobotocore.config import AioConfig
    from aiobotocore.session import get_session
    return get_session().create_client("kms", region_name=REGION, config=AioConfig(retries=retries))


@pytest.mark.asyncio
async def test_an_async_client_retries_through_aiobotocores_loop(kms, no_async_backoff):
    async with async_client({"mode": "standard", "max_attempts": 3}) as client:
        key = (await client.create_key())["KeyMetadata"]["KeyId"]
        kms.fail("Encrypt", "ThrottlingException", times=2)
        response = await client.encrypt(KeyId=key, Plaintext=b"x")
    assert response["ResponseMetadata"]["RetryAttempts"] == 2
    assert [c.error_code for c in kms.calls.of("Encrypt")] == ["ThrottlingException", "ThrottlingException", None]


@pytest.mark.asyncio
async def test_an_async_client_without_retries_fails(kms, no_async_backoff):
    async with async_client({"mode": "standard", "total_max_attempts": 1}) as client:
        key = (await client.create_key())["KeyMetadata"]["KeyId"]
        kms.fail("Encrypt", "KMSInternalException")
        with pytest.raises(ClientError) as excinfo:
            await client.encrypt(KeyId=key, Plaintext=b"x")
    assert error_of(excinfo)[0::2] == ("KMSInternalException", 500)
