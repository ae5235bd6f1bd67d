"""aioboto3, used unchanged under mockkms.

aioboto3's ``Session().client("kms")`` is an aiobotocore client behind boto3's session API,
entered with ``async with``. aioboto3 pins its own aiobotocore, which pins an older botocore,
so it cannot live in the main test environment: ``.ci/aioboto3`` runs this file in a venv of
its own, and everywhere else (aioboto3 absent) the whole module is skipped.

Every test runs under conftest's guard (no socket may connect) and, here, a second one: no
host name may be resolved, since aiohttp asks DNS before it connects. The last tests show
that both guards really stop an aioboto3 client that was not answered by the mock.
"""
from __future__ import annotations

import asyncio
import socket

import pytest

from conftest import ACCOUNT, REGION, NetworkUsed, error_of
from mockkms import current_mock, mock_kms

aioboto3 = pytest.importorskip("aioboto3")

from aiobotocore.config import AioConfig  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

EU = "eu-west-1"
NO_RETRIES = AioConfig(retries={"mode": "standard", "total_max_attempts": 1})


@pytest.fixture(autouse=True)
def no_name_lookups(monkeypatch):
    def refuse(*args, **kwargs):
        raise NetworkUsed(f"a test tried to resolve a host name: {args!r}")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def kms_client(region=REGION, **kwargs):
    """An aioboto3 KMS client, as an application makes one (enter it with ``async with``)."""
    return aioboto3.Session().client("kms", region_name=region, **kwargs)


async def round_trip(client, plaintext):
    """CreateKey, Encrypt, Decrypt: (key ARN, Decrypt's answer)."""
    key = (await client.create_key(Description="aioboto3"))["KeyMetadata"]["Arn"]
    blob = (await client.encrypt(KeyId=key, Plaintext=plaintext))["CiphertextBlob"]
    assert plaintext not in blob
    return key, await client.decrypt(CiphertextBlob=blob)


def chain(exc):
    """``exc`` and every exception it wraps (causes, contexts, botocore's ``error=`` argument)."""
    seen = []
    while exc is not None and exc not in seen:
        seen.append(exc)
        wrapped = getattr(exc, "kwargs", {}).get("error")
        exc = wrapped if isinstance(wrapped, BaseException) else (exc.__cause__ or exc.__context__)
    return seen


# =========================================================================== activating the mock

@pytest.mark.asyncio
async def test_round_trip_inside_with_mock_kms():
    with mock_kms() as kms:
        async with kms_client() as client:
            key, answer = await round_trip(client, b"inside with")
    assert (answer["Plaintext"], answer["KeyId"]) == (b"inside with", key)
    assert key.startswith(f"arn:aws:kms:{REGION}:{ACCOUNT}:key/")
    assert [c.operation for c in kms.calls] == ["CreateKey", "Encrypt", "Decrypt"]


@pytest.mark.asyncio
async def test_round_trip_inside_async_with_mock_kms():
    async with mock_kms(account_id="111122223333", region=EU) as kms:
        async with kms_client(EU) as client:
            key, answer = await round_trip(client, b"inside async with")
    assert (answer["Plaintext"], answer["KeyId"]) == (b"inside async with", key)
    assert key.startswith(f"arn:aws:kms:{EU}:111122223333:key/")
    assert [(c.operation, c.account_id, c.region) for c in kms.calls] == [
        ("CreateKey", "111122223333", EU), ("Encrypt", "111122223333", EU), ("Decrypt", "111122223333", EU)]


@pytest.mark.asyncio
@mock_kms
async def test_round_trip_in_a_decorated_async_test():
    kms = current_mock()
    assert kms is not None
    async with kms_client() as client:
        key, answer = await round_trip(client, b"decorated")
    assert (answer["Plaintext"], answer["KeyId"]) == (b"decorated", key)
    assert [c.error_code for c in kms.calls] == [None, None, None]


@pytest.mark.asyncio
async def test_round_trip_with_the_kms_fixture(kms):
    async with kms_client() as client:
        key, answer = await round_trip(client, bytes(range(256)))
    assert (answer["Plaintext"], answer["KeyId"]) == (bytes(range(256)), key)
    assert [c.principal for c in kms.calls] == [f"arn:aws:iam::{ACCOUNT}:root"] * 3


@pytest.mark.asyncio
async def test_a_client_entered_before_the_mock_started_is_answered_by_it():
    session = aioboto3.Session(aws_access_key_id="app-key", aws_secret_access_key="app-secret")
    async with session.client("kms", region_name=REGION) as client:
        with mock_kms() as kms:
            key, answer = await round_trip(client, b"made before")
    assert (answer["Plaintext"], answer["KeyId"]) == (b"made before", key)
    assert [c.operation for c in kms.calls] == ["CreateKey", "Encrypt", "Decrypt"]


@pytest.mark.asyncio
async def test_one_client_across_two_mocks_sees_each_mocks_own_keys():
    async with kms_client(aws_access_key_id="app-key", aws_secret_access_key="app-secret") as client:
        with mock_kms():
            first = (await client.create_key())["KeyMetadata"]["KeyId"]
        with mock_kms() as second_mock:
            second = (await client.create_key())["KeyMetadata"]["KeyId"]
            listed = [k["KeyId"] for k in (await client.list_keys())["Keys"]]
            with pytest.raises(client.exceptions.NotFoundException):
                await client.describe_key(KeyId=first)
    assert first != second and listed == [second]
    assert [c.operation for c in second_mock.calls] == ["CreateKey", "ListKeys", "DescribeKey"]


# =========================================================================== errors

@pytest.mark.asyncio
async def test_describe_key_of_a_missing_key_raises_not_found_as_aws_words_it(kms):
    missing = "1234abcd-12ab-34cd-56ef-1234567890ab"
    async with kms_client(EU) as client:
        with pytest.raises(client.exceptions.NotFoundException) as excinfo:
            await client.describe_key(KeyId=missing)
    assert error_of(excinfo) == (
        "NotFoundException", f"Key 'arn:aws:kms:{EU}:{ACCOUNT}:key/{missing}' does not exist", 400)
    assert (kms.calls.last.operation, kms.calls.last.region, kms.calls.last.error_code) == (
        "DescribeKey", EU, "NotFoundException")


@pytest.mark.asyncio
async def test_decrypt_of_a_disabled_key_raises_disabled_exception(kms):
    async with kms_client() as client:
        key = (await client.create_key())["KeyMetadata"]["Arn"]
        blob = (await client.encrypt(KeyId=key, Plaintext=b"x"))["CiphertextBlob"]
        await client.disable_key(KeyId=key)
        with pytest.raises(client.exceptions.DisabledException) as excinfo:
            await client.decrypt(CiphertextBlob=blob)
    assert error_of(excinfo) == ("DisabledException", f"{key} is disabled.", 400)


# =========================================================================== paginators

@pytest.mark.asyncio
async def test_describe_custom_key_stores_answers_under_aioboto3s_older_botocore(kms):
    # aioboto3 pins a botocore whose model may predate members today's KMS returns (the XKS
    # proxy's VpcEndpointServiceOwner): the answer leaves them out, as that botocore's parser
    # would for real KMS, instead of failing.
    async with kms_client() as client:
        await client.create_custom_key_store(
            CustomKeyStoreName="vpc-xks", CustomKeyStoreType="EXTERNAL_KEY_STORE",
            XksProxyConnectivity="VPC_ENDPOINT_SERVICE", XksProxyUriEndpoint="https://private.example.com",
            XksProxyUriPath="/kms/xks/v1",
            XksProxyVpcEndpointServiceName="com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0",
            XksProxyAuthenticationCredential={"AccessKeyId": "ABCDEFGHIJKLMNOPQRST",
                                              "RawSecretAccessKey": "a" * 43 + "="})
        stores = (await client.describe_custom_key_stores())["CustomKeyStores"]
    proxy = stores[0]["XksProxyConfiguration"]
    assert (proxy["Connectivity"], proxy["UriEndpoint"]) == ("VPC_ENDPOINT_SERVICE", "https://private.example.com")
    assert kms.calls.last.error_code is None


@pytest.mark.asyncio
async def test_list_keys_paginator_walks_every_key_in_limit_sized_pages(kms):
    async with kms_client() as client:
        created = {(await client.create_key())["KeyMetadata"]["KeyId"] for _ in range(23)}
        before = len(kms.calls)
        pages = [page async for page in
                 client.get_paginator("list_keys").paginate(PaginationConfig={"PageSize": 5})]
    assert [len(p["Keys"]) for p in pages] == [5, 5, 5, 5, 3]
    assert [p["Truncated"] for p in pages] == [True, True, True, True, False]
    listed = [k["KeyId"] for p in pages for k in p["Keys"]]
    assert len(listed) == len(set(listed)) == 23 and set(listed) == created
    calls = list(kms.calls)[before:]
    assert [c.params for c in calls] == [{"Limit": 5}] + [
        {"Limit": 5, "Marker": page["NextMarker"]} for page in pages[:-1]]


@pytest.mark.asyncio
async def test_list_keys_paginator_resumes_from_a_token_cut_inside_a_page(kms):
    async with kms_client() as client:
        created = {(await client.create_key())["KeyMetadata"]["KeyId"] for _ in range(23)}
        paginator = client.get_paginator("list_keys")
        first = await paginator.paginate(PaginationConfig={"PageSize": 5, "MaxItems": 12}).build_full_result()
        rest = await paginator.paginate(
            PaginationConfig={"PageSize": 5, "StartingToken": first["NextToken"]}).build_full_result()
    assert len(first["Keys"]) == 12 and "NextToken" not in rest
    ids = [k["KeyId"] for k in first["Keys"] + rest["Keys"]]
    assert len(ids) == len(set(ids)) == 23 and set(ids) == created


# =========================================================================== concurrency

@pytest.mark.asyncio
async def test_concurrent_tasks_round_trip_on_shared_keys(kms):
    tasks, rounds = 8, 6
    async with kms_client() as client:
        keys = [(await client.create_key())["KeyMetadata"]["Arn"] for _ in range(3)]

        async def work(task):
            results = []
            for n in range(rounds):
                key, plaintext = keys[(task + n) % len(keys)], f"task {task} round {n}".encode()
                context = {"task": str(task)}
                blob = (await client.encrypt(KeyId=key, Plaintext=plaintext,
                                             EncryptionContext=context))["CiphertextBlob"]
                await asyncio.sleep(0)                              # let the other tasks in
                answer = await client.decrypt(CiphertextBlob=blob, EncryptionContext=context)
                results.append((answer["Plaintext"], answer["KeyId"]) == (plaintext, key))
            return results

        results = await asyncio.wait_for(asyncio.gather(*(work(t) for t in range(tasks))), timeout=60)
    assert results == [[True] * rounds] * tasks
    encrypts = kms.calls.of("Encrypt")
    assert len(encrypts) == len(kms.calls.of("Decrypt")) == tasks * rounds
    order = [c.params["EncryptionContext"]["task"] for c in encrypts]
    assert order != sorted(order), "the tasks' calls did not interleave"
    assert kms.calls.filter(error="*") == []


# =========================================================================== injected faults

@pytest.mark.asyncio
async def test_a_throttled_encrypt_recovers_through_the_async_retry_loop(kms):
    async with kms_client() as client:                             # aioboto3's default retry config
        key = (await client.create_key())["KeyMetadata"]["Arn"]
        kms.fail("Encrypt", "ThrottlingException", times=1)
        response = await client.encrypt(KeyId=key, Plaintext=b"throttled once")
        answer = await client.decrypt(CiphertextBlob=response["CiphertextBlob"])
    assert response["ResponseMetadata"]["RetryAttempts"] == 1
    assert (answer["Plaintext"], answer["KeyId"]) == (b"throttled once", key)
    assert [(c.error_code, c.error_message) for c in kms.calls.of("Encrypt")] == [
        ("ThrottlingException", "Rate exceeded"), (None, None)]
    assert [c.operation for c in kms.calls] == ["CreateKey", "Encrypt", "Encrypt", "Decrypt"]


@pytest.mark.asyncio
async def test_a_throttled_encrypt_without_retries_raises_throttling_exception(kms):
    async with kms_client(config=NO_RETRIES) as client:
        key = (await client.create_key())["KeyMetadata"]["Arn"]
        kms.fail("Encrypt", "ThrottlingException", times=1)
        with pytest.raises(ClientError) as excinfo:
            await client.encrypt(KeyId=key, Plaintext=b"x")
        after = await client.encrypt(KeyId=key, Plaintext=b"x")      # the fault is used up
    assert error_of(excinfo) == ("ThrottlingException", "Rate exceeded", 400)
    assert after["KeyId"] == key
    assert [c.error_code for c in kms.calls.of("Encrypt")] == ["ThrottlingException", None]


# =========================================================================== no network

@pytest.mark.asyncio
async def test_without_a_mock_the_guard_stops_the_name_lookup():
    async with kms_client(config=NO_RETRIES, aws_access_key_id="app-key",
                          aws_secret_access_key="app-secret") as client:
        with pytest.raises(Exception) as excinfo:
            await client.list_keys()
    assert any(isinstance(e, NetworkUsed) and "resolve a host name" in str(e) for e in chain(excinfo.value))


@pytest.mark.asyncio
async def test_without_a_mock_the_guard_stops_the_connection():
    async with kms_client(config=NO_RETRIES, endpoint_url="http://127.0.0.1:9", aws_access_key_id="app-key",
                          aws_secret_access_key="app-secret") as client:
        with pytest.raises(Exception) as excinfo:
            await client.list_keys()
    assert any(isinstance(e, NetworkUsed) and "network connection" in str(e) for e in chain(excinfo.value))
