"""The call log: filtering, assertion helpers, and what each record carries."""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT


@pytest.fixture
def key(client):
    return client.create_key()["KeyMetadata"]["KeyId"]


def test_records_carry_the_caller_principal(kms, key):
    role = f"arn:aws:iam::{ACCOUNT}:role/app"
    kms.client(principal=role).describe_key(KeyId=key)
    assert kms.calls.last.principal == role


def test_records_of_the_default_credentials_name_the_account_root(kms, client, key):
    assert kms.calls.last.principal == f"arn:aws:iam::{ACCOUNT}:root"


def test_records_keep_the_error_message_a_library_might_swallow(kms, client):
    try:
        client.describe_key(KeyId="not-a-key")
    except ClientError:
        pass  # what a library might do
    assert (kms.calls.last.error_code, kms.calls.last.error_message) == (
        "NotFoundException", "Invalid keyId 'not-a-key'")


def test_filter_by_operation_key_and_error(kms, client, key):
    other = client.create_key()["KeyMetadata"]["KeyId"]
    client.encrypt(KeyId=key, Plaintext=b"a")
    client.encrypt(KeyId=other, Plaintext=b"b")
    client.disable_key(KeyId=key)
    with pytest.raises(ClientError):
        client.encrypt(KeyId=key, Plaintext=b"c")
    assert len(kms.calls.filter("Encrypt")) == 3
    assert len(kms.calls.filter("Encrypt", key=key)) == 2
    assert [r.error_code for r in kms.calls.filter(key=key, error="*")] == ["DisabledException"]
    assert len(kms.calls.filter("Encrypt", succeeded=True)) == 2


def test_filter_by_key_matches_ids_arns_and_aliases_as_given(kms, client, key):
    client.create_alias(AliasName="alias/app", TargetKeyId=key)
    client.encrypt(KeyId="alias/app", Plaintext=b"a")
    client.encrypt(KeyId=f"arn:aws:kms:us-east-1:{ACCOUNT}:alias/app", Plaintext=b"a")
    client.encrypt(KeyId=f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{key}", Plaintext=b"a")
    assert len(kms.calls.filter("Encrypt", key=key)) == 1  # aliases are matched as named, not resolved
    assert len(kms.calls.filter("Encrypt", key=f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{key}")) == 1
    assert len(kms.calls.filter("Encrypt", key="alias/app")) == 2
    assert len(kms.calls.filter("Encrypt", key=f"arn:aws:kms:us-east-1:{ACCOUNT}:alias/app")) == 2


def test_assert_called_once_returns_the_record(kms, client, key):
    client.encrypt(KeyId=key, Plaintext=b"a")
    record = kms.calls.assert_called_once("Encrypt", key=key)
    assert record.params["Plaintext"] == b"a"


def test_assert_called_once_fails_with_the_calls_made(kms, client, key):
    client.encrypt(KeyId=key, Plaintext=b"a")
    client.encrypt(KeyId=key, Plaintext=b"b")
    with pytest.raises(AssertionError, match=r"expected exactly one Encrypt call, got 2; calls were \[CreateKey"):
        kms.calls.assert_called_once("Encrypt")


def test_assert_called_and_not_called(kms, client, key):
    kms.calls.assert_called("CreateKey")
    kms.calls.assert_not_called("Decrypt")
    with pytest.raises(AssertionError):
        kms.calls.assert_called("Decrypt")
    with pytest.raises(AssertionError):
        kms.calls.assert_not_called("CreateKey")


# -- a bounded log ----------------------------------------------------------------------------
def sizes(kms):
    return [record.params["NumberOfBytes"] for record in kms.calls]


@pytest.mark.mock_kms(call_log_limit=10)
def test_a_limited_log_keeps_the_newest_calls_in_order(kms, client):
    for size in range(1, 26):
        client.generate_random(NumberOfBytes=size)
    kept = sizes(kms)
    assert 10 <= len(kept) <= 11
    assert kept == list(range(26 - len(kept), 26))


@pytest.mark.mock_kms(call_log_limit=10)
def test_a_limited_log_counts_what_it_let_go(kms, client):
    for size in range(1, 26):
        client.generate_random(NumberOfBytes=size)
    assert kms.calls.dropped + len(kms.calls) == 25


@pytest.mark.mock_kms(call_log_limit=None)
def test_no_limit_keeps_every_call(kms, client):
    for size in range(1, 26):
        client.generate_random(NumberOfBytes=size)
    assert (sizes(kms), kms.calls.dropped) == (list(range(1, 26)), 0)


def test_the_default_limit_is_generous(kms):
    assert kms.calls.limit == 100_000


def test_a_limit_below_one_is_refused():
    from mockkms import mock_kms
    with pytest.raises(ValueError, match="call_log_limit must be at least 1"):
        mock_kms(call_log_limit=0)


def test_clear_forgets_the_calls_so_far(kms, client):
    client.generate_random(NumberOfBytes=1)
    kms.calls.clear()
    client.generate_random(NumberOfBytes=2)
    assert sizes(kms) == [2]


def test_a_server_keeps_a_shorter_log():
    import mockkms
    with mockkms.serve() as running:
        assert running.kms.calls.limit == 10_000
