"""Which calls mockkms answers: every botocore KMS client while a mock is active, none
otherwise; other services and moto are left alone."""
from __future__ import annotations

import threading

import boto3
import botocore.handlers
import botocore.session
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError, HTTPClientError

from mockkms import current_mock, interceptor, mock_kms, service

from conftest import NetworkUsed, error_of

FAKE_KEYS = {"aws_access_key_id": "AKIAEXAMPLE", "aws_secret_access_key": "example-secret"}
NO_RETRIES = Config(retries={"total_max_attempts": 1})


def key_ids(client):
    return [k["KeyId"] for k in client.list_keys()["Keys"]]


def hook_answers(client):
    """Whether any before-call handler on this client's emitter would answer a KMS call."""
    model = client.meta.service_model.operation_model("ListKeys")
    responses = client.meta.events.emit("before-call.kms.ListKeys", model=model,
                                        params={"body": b"{}"}, request_signer=None, context={})
    return any(response is not None for _, response in responses)


# -- which clients are intercepted -------------------------------------------------------

def test_client_created_before_the_mock_starts_is_intercepted():
    client = boto3.client("kms", region_name="us-east-1", **FAKE_KEYS)
    with mock_kms() as kms:
        key = client.create_key()["KeyMetadata"]["KeyId"]
        assert key_ids(client) == [key]
    assert [c.operation for c in kms.calls] == ["CreateKey", "ListKeys"]


def test_client_from_a_separate_botocore_session_is_intercepted():
    with mock_kms() as kms:
        client = botocore.session.get_session().create_client("kms", region_name="eu-west-1")
        arn = client.create_key()["KeyMetadata"]["Arn"]
    assert arn.startswith("arn:aws:kms:eu-west-1:123456789012:key/")
    assert kms.calls.last.region == "eu-west-1"


def test_client_from_a_separate_boto3_session_is_intercepted():
    with mock_kms() as kms:
        client = boto3.session.Session(region_name="ap-south-1").client("kms")
        plaintext = client.generate_random(NumberOfBytes=16)["Plaintext"]
    assert len(plaintext) == 16
    assert (kms.calls.last.operation, kms.calls.last.region) == ("GenerateRandom", "ap-south-1")


def test_client_without_the_hook_is_answered_by_the_endpoint_guard():
    client = boto3.client("kms", region_name="us-east-1", **FAKE_KEYS)
    client.meta.events.unregister("before-call.kms", interceptor.before_call)
    with mock_kms() as kms:
        assert not hook_answers(client)          # the hook really is gone from this client
        key = client.create_key()["KeyMetadata"]["KeyId"]
        blob = client.encrypt(KeyId=key, Plaintext=b"guarded")["CiphertextBlob"]
        assert client.decrypt(CiphertextBlob=blob)["Plaintext"] == b"guarded"
    assert [c.operation for c in kms.calls] == ["CreateKey", "Encrypt", "Decrypt"]
    assert kms.calls.last.region == "us-east-1"


def test_endpoint_guard_answers_errors_like_the_hook():
    client = boto3.client("kms", region_name="us-east-1", **FAKE_KEYS)
    client.meta.events.unregister("before-call.kms", interceptor.before_call)
    with mock_kms():
        with pytest.raises(client.exceptions.NotFoundException) as excinfo:
            client.describe_key(KeyId="alias/missing")
    assert error_of(excinfo) == (
        "NotFoundException", "Alias arn:aws:kms:us-east-1:123456789012:alias/missing is not found.", 400)


def test_session_created_before_the_hook_was_registered_is_guarded(monkeypatch):
    without_hook = [h for h in botocore.handlers.BUILTIN_HANDLERS if h[1] is not interceptor.before_call]
    monkeypatch.setattr(botocore.handlers, "BUILTIN_HANDLERS", without_hook)
    old_session = botocore.session.Session()
    monkeypatch.undo()
    client = old_session.create_client("kms", region_name="us-east-1", **FAKE_KEYS)
    with mock_kms() as kms:
        assert not hook_answers(client)
        assert key_ids(client) == []
    assert kms.calls.last.operation == "ListKeys"


def test_with_no_mock_active_kms_calls_go_to_the_network():
    stopped = mock_kms()
    with stopped:
        pass
    assert current_mock() is None
    client = boto3.client("kms", region_name="us-east-1", endpoint_url="http://127.0.0.1:9",
                          config=NO_RETRIES, **FAKE_KEYS)
    with pytest.raises((HTTPClientError, EndpointConnectionError)) as excinfo:
        client.list_keys()
    if isinstance(excinfo.value, HTTPClientError):        # botocore wraps the conftest guard's error
        assert isinstance(excinfo.value.kwargs["error"], NetworkUsed)
    assert len(stopped.calls) == 0


def test_with_no_mock_active_the_guard_lets_calls_through():
    client = boto3.client("kms", region_name="us-east-1", endpoint_url="http://127.0.0.1:9",
                          config=NO_RETRIES, **FAKE_KEYS)
    client.meta.events.unregister("before-call.kms", interceptor.before_call)
    with pytest.raises((HTTPClientError, EndpointConnectionError)):
        client.list_keys()


def test_unimplemented_operation_answers_not_implemented(kms, client, key_id, monkeypatch):
    monkeypatch.delitem(service.HANDLERS, "GetKeyPolicy")  # as if it were not implemented yet
    with pytest.raises(ClientError) as excinfo:
        client.get_key_policy(KeyId=key_id)
    assert error_of(excinfo) == (
        "NotImplementedException", "mockkms does not implement the KMS operation GetKeyPolicy yet", 400)
    assert (kms.calls.last.operation, kms.calls.last.error_code) == ("GetKeyPolicy", "NotImplementedException")


def test_unimplemented_operation_never_reaches_the_endpoint(kms, key_id, monkeypatch):
    monkeypatch.delitem(service.HANDLERS, "CreateGrant")  # as if it were not implemented yet
    client = boto3.client("kms", region_name="us-east-1", endpoint_url="http://127.0.0.1:9", config=NO_RETRIES)
    with pytest.raises(ClientError) as excinfo:
        client.create_grant(KeyId=key_id, GranteePrincipal="arn:aws:iam::123456789012:role/app",
                            Operations=["Decrypt"])
    assert error_of(excinfo)[:2] == (
        "NotImplementedException", "mockkms does not implement the KMS operation CreateGrant yet")


# -- threads -----------------------------------------------------------------------------

def test_thread_spawned_inside_a_mock_uses_that_mock():
    seen = {}

    def worker():
        seen["mock"] = current_mock()
        seen["key"] = boto3.session.Session().client("kms", region_name="us-east-1").create_key()[
            "KeyMetadata"]["KeyId"]

    with mock_kms() as kms:
        thread = threading.Thread(target=worker)
        thread.start()
        thread.join()
        assert seen["mock"] is kms
        assert key_ids(boto3.client("kms", region_name="us-east-1")) == [seen["key"]]


def test_threads_with_their_own_mocks_each_see_their_own():
    both_created = threading.Barrier(2, timeout=30)
    both_listed = threading.Barrier(2, timeout=30)
    results = {}

    def worker(name):
        try:
            with mock_kms() as kms:
                client = boto3.session.Session().client("kms", region_name="us-east-1")
                key = client.create_key()["KeyMetadata"]["KeyId"]
                both_created.wait()                       # both mocks are active now
                results[name] = (kms, current_mock(), key, key_ids(client))
                both_listed.wait()
        except BaseException as exc:                      # reported by the assertion below
            results[name] = exc
            both_created.abort()
            both_listed.abort()

    threads = [threading.Thread(target=worker, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for name in ("a", "b"):
        assert isinstance(results[name], tuple), results[name]
        kms, current, key, listed = results[name]
        assert current is kms
        assert listed == [key]
    assert results["a"][0] is not results["b"][0]
    assert current_mock() is None


# -- moto --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def mock_aws():
    moto = pytest.importorskip("moto")
    return moto.mock_aws


def held_by(kms, key_id):
    """Whether the key lives in this mock's world (moto's keys never do)."""
    return key_id in kms.world.store(kms.account_id, "us-east-1").keys


def test_inside_moto_kms_goes_to_mockkms_and_s3_to_moto(mock_aws):
    with mock_aws():
        with mock_kms() as kms:
            client = boto3.client("kms", region_name="us-east-1")
            key = client.create_key()["KeyMetadata"]["KeyId"]
            s3 = boto3.client("s3", region_name="us-east-1")
            s3.create_bucket(Bucket="mockkms-coexistence")
            s3.put_object(Bucket="mockkms-coexistence", Key="k", Body=b"body")
            assert s3.get_object(Bucket="mockkms-coexistence", Key="k")["Body"].read() == b"body"
    assert held_by(kms, key)
    assert [c.operation for c in kms.calls] == ["CreateKey"]


def test_mockkms_outside_moto_kms_goes_to_mockkms_and_sqs_to_moto(mock_aws):
    with mock_kms() as kms:
        with mock_aws():
            client = boto3.client("kms", region_name="us-east-1")
            key = client.create_key()["KeyMetadata"]["KeyId"]
            sqs = boto3.client("sqs", region_name="us-east-1")
            url = sqs.create_queue(QueueName="mockkms-coexistence")["QueueUrl"]
            sqs.send_message(QueueUrl=url, MessageBody="hello")
            assert sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "hello"
    assert held_by(kms, key)
    assert [c.operation for c in kms.calls] == ["CreateKey"]


def test_moto_alone_answers_kms(mock_aws):
    earlier = mock_kms()
    with earlier:
        pass
    with mock_aws():
        assert current_mock() is None
        client = boto3.client("kms", region_name="us-east-1")
        key = client.create_key()["KeyMetadata"]["KeyId"]
        assert client.describe_key(KeyId=key)["KeyMetadata"]["KeyId"] == key   # moto's own key
    assert len(earlier.calls) == 0 and not held_by(earlier, key)


def test_moto_answers_kms_again_after_an_inner_mockkms_stops(mock_aws):
    with mock_aws():
        client = boto3.client("kms", region_name="us-east-1")
        with mock_kms() as kms:
            mock_key = client.create_key()["KeyMetadata"]["KeyId"]
        with pytest.raises(client.exceptions.NotFoundException):
            client.describe_key(KeyId=mock_key)                     # moto never saw that key
        moto_key = client.create_key()["KeyMetadata"]["KeyId"]
        assert client.describe_key(KeyId=moto_key)["KeyMetadata"]["KeyId"] == moto_key
    assert [c.operation for c in kms.calls] == ["CreateKey"] and not held_by(kms, moto_key)


# -- async clients -----------------------------------------------------------------------

@pytest.mark.asyncio
async def test_aiobotocore_client_is_answered_by_the_mock(kms):
    aiobotocore_session = pytest.importorskip("aiobotocore.session")
    session = aiobotocore_session.get_session()
    async with session.create_client("kms", region_name="us-east-1") as client:
        key = (await client.create_key())["KeyMetadata"]["KeyId"]
        blob = (await client.encrypt(KeyId=key, Plaintext=b"async"))["CiphertextBlob"]
        assert (await client.decrypt(CiphertextBlob=blob))["Plaintext"] == b"async"
    assert [c.operation for c in kms.calls] == ["CreateKey", "Encrypt", "Decrypt"]


def test_without_a_mock_the_arguments_hook_leaves_botocores_context_alone():
    from mockkms import interceptor
    context = {}
    interceptor.remember_arguments(params={"KeyId": "k"}, context=context)
    assert context == {}


def test_with_a_mock_the_arguments_hook_keeps_the_calls_own_arguments(kms):
    from mockkms import interceptor
    context, arguments = {}, {"KeyId": "k"}
    interceptor.remember_arguments(params=arguments, context=context)
    assert list(context.values()) == [arguments] and next(iter(context.values())) is arguments
