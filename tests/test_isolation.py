"""Mocks leave nothing behind and never see each other's state.

- started and stopped a thousand times, in every way a user can, they leave no handler,
  no registry entry, no environment change and no keys behind;
- mocks running at the same time in different threads each see only their own keys;
- nested mocks: the innermost active one answers, then the next one out.
"""
from __future__ import annotations

import os
import threading

import boto3
import botocore.endpoint
import botocore.handlers
import pytest
from botocore.exceptions import ClientError

from mockkms import credentials, current_mock, interceptor, mock_kms

from conftest import make_client

CYCLES = 1000
ENV_NAMES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
             "AWS_DEFAULT_REGION", "AWS_REGION")


def key_ids(client):
    return sorted(k["KeyId"] for k in client.list_keys()["Keys"])


def own_aliases(client):
    return sorted(a["AliasName"] for a in client.list_aliases()["Aliases"] if "TargetKeyId" in a)


def before_call_handlers(client) -> int:
    """How many before-call handlers this client's emitter runs for a KMS call."""
    model = client.meta.service_model.operation_model("ListKeys")
    return len(client.meta.events.emit("before-call.kms.ListKeys", model=model, params={"body": b"{}"},
                                       request_signer=None, context={}))


def registry_state():
    """Everything the interceptor and the credentials module keep between mocks."""
    return (list(interceptor._active), list(interceptor._thread.stack), credentials._users, dict(credentials._saved))


def builtin_hooks() -> int:
    return sum(1 for entry in botocore.handlers.BUILTIN_HANDLERS
               if entry[0] == interceptor.EVENT and entry[1] is interceptor.before_call)


@pytest.fixture
def bare_environment(monkeypatch):
    """No AWS settings at all, as on a CI machine: the mock has to bring its own."""
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def nothing_active():
    assert registry_state() == ([], [], 0, {}), "an earlier test left a mock running"
    yield
    assert registry_state() == ([], [], 0, {})


# -- a thousand mocks, one after the other ---------------------------------------------------

@pytest.mark.parametrize("with_user_settings", [False, True], ids=["bare-env", "user-env"])
def test_a_thousand_mocks_leave_nothing_behind(bare_environment, nothing_active, monkeypatch, with_user_settings):
    if with_user_settings:   # settings of the user's own: they must stay exactly as they were
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAUSEROWNKEY")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "user-own-secret")
        monkeypatch.setenv("AWS_REGION", "eu-central-1")
    client = make_client()                       # one client outlives every mock
    environment = dict(os.environ)
    handlers = before_call_handlers(client)
    hooks = builtin_hooks()
    make_request = vars(botocore.endpoint.Endpoint)["make_request"]
    threads = threading.active_count()
    earlier_key, earlier_mock = None, None

    def decorated_body(i):
        assert current_mock() is not None and current_mock() is not earlier_mock
        return client.create_key()["KeyMetadata"]["KeyId"]

    for i in range(CYCLES):
        style = i % 5
        if style == 0:                           # start() / stop()
            kms = mock_kms().start()
            body_client = client
        elif style == 1:                         # with-statement
            kms = mock_kms(region="us-east-1").__enter__()
            body_client = client
        elif style == 2:                         # started twice: needs two stops
            kms = mock_kms().start()
            assert kms.start() is kms
            body_client = client
        elif style == 3:                         # a client made inside the mock, by boto3's default session
            kms = mock_kms().start()
            body_client = boto3.client("kms", region_name="us-east-1") if i % 100 == 3 else client
        else:                                    # the decorator (a fresh mock per call)
            key = mock_kms(decorated_body)(i)
            assert current_mock() is None
            assert key != earlier_key
            earlier_key, earlier_mock = key, None
            continue
        try:
            assert current_mock() is kms
            if not with_user_settings:
                assert os.environ["AWS_ACCESS_KEY_ID"] == credentials.FAKE["AWS_ACCESS_KEY_ID"]
                assert os.environ["AWS_DEFAULT_REGION"] == "us-east-1"
            else:
                assert os.environ["AWS_ACCESS_KEY_ID"] == "AKIAUSEROWNKEY"
                assert os.environ["AWS_DEFAULT_REGION"] == "eu-central-1"
            assert key_ids(body_client) == []                       # nothing from earlier mocks
            if earlier_key is not None and i % 50 == 0:
                with pytest.raises(ClientError) as missing:
                    body_client.describe_key(KeyId=earlier_key)
                assert missing.value.response["Error"]["Code"] == "NotFoundException"
            key = body_client.create_key()["KeyMetadata"]["KeyId"]
            if i % 10 == 0:
                body_client.create_alias(AliasName="alias/every-mock", TargetKeyId=key)   # never AlreadyExists
                assert own_aliases(body_client) == ["alias/every-mock"]
            assert key_ids(body_client) == [key]
            assert [c.operation for c in kms.calls][-1] == "ListKeys"
            earlier_key, earlier_mock = key, kms
        finally:
            if style == 1:
                kms.__exit__(None, None, None)
            else:
                kms.stop()
                if style == 2:
                    assert kms.active and current_mock() is kms    # one start still holds it
                    kms.stop()
        assert not kms.active and current_mock() is None
        kms.stop()                                                # an extra stop is harmless

    assert registry_state() == ([], [], 0, {})
    assert dict(os.environ) == environment
    assert before_call_handlers(client) == handlers
    assert before_call_handlers(make_client("eu-west-1")) == handlers
    assert builtin_hooks() == hooks == 1
    assert vars(botocore.endpoint.Endpoint)["make_request"] is make_request   # guarded once, not per mock
    assert not hasattr(make_request.__wrapped__, "__wrapped__")
    assert threading.active_count() == threads


def test_a_mock_stopped_by_an_exception_leaves_nothing_behind(bare_environment, nothing_active):
    environment = dict(os.environ)
    client = make_client()
    for _ in range(100):
        with pytest.raises(RuntimeError):
            with mock_kms():
                client.create_key()
                raise RuntimeError("test body failed")
        with pytest.raises(RuntimeError):
            @mock_kms
            def failing_test():
                client.create_key()
                raise RuntimeError("test body failed")
            failing_test()
    assert dict(os.environ) == environment
    with mock_kms():
        assert key_ids(client) == []


def test_boto3_default_session_forgets_the_fake_credentials(bare_environment, nothing_active, monkeypatch):
    """A default-session client made inside a mock must not keep signing with the fakes after it."""
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    with mock_kms():
        boto3.client("kms", region_name="us-east-1").list_keys()
        assert boto3.DEFAULT_SESSION._session.get_credentials().access_key == credentials.FAKE["AWS_ACCESS_KEY_ID"]
    cached = boto3.DEFAULT_SESSION._session._credentials
    assert cached is None or cached.access_key != credentials.FAKE["AWS_ACCESS_KEY_ID"]


# -- mocks in several threads at once -------------------------------------------------------

def run_in_threads(target, count):
    errors = {}

    def guarded(index):
        try:
            target(index)
        except BaseException as exc:                        # reported below
            errors[index] = exc
            for barrier in BARRIERS:
                barrier.abort()

    threads = [threading.Thread(target=guarded, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a thread hangs"
    first = next(iter(errors.values()), None)
    if first is not None:
        raise first


BARRIERS: list = []


def test_mocks_in_parallel_threads_do_not_see_each_others_keys(nothing_active):
    count, rounds = 4, 25
    created, listed = threading.Barrier(count, timeout=30), threading.Barrier(count, timeout=30)
    BARRIERS[:] = [created, listed]
    results = {}
    accounts = ["111111111111", "222222222222", "123456789012", "123456789012"]   # two share an account id

    def worker(index):
        with mock_kms(account_id=accounts[index]) as kms:
            client = kms.client("us-east-1")
            mine = []
            for n in range(rounds):
                key = client.create_key(Description=f"thread {index}")["KeyMetadata"]
                assert key["AWSAccountId"] == accounts[index]
                mine.append(key["KeyId"])
                if n == 0:
                    client.create_alias(AliasName="alias/same-name-everywhere", TargetKeyId=key["KeyId"])
                created.wait()                               # every mock has just created a key
                assert current_mock() is kms
                assert key_ids(client) == sorted(mine)
                assert own_aliases(client) == ["alias/same-name-everywhere"]
                listed.wait()
            blob = client.encrypt(KeyId=mine[0], Plaintext=b"only here")["CiphertextBlob"]
            results[index] = (kms, mine, blob)

    run_in_threads(worker, count)
    assert current_mock() is None
    mocks = [results[i][0] for i in range(count)]
    assert len({id(m) for m in mocks}) == count
    all_keys = [k for i in range(count) for k in results[i][1]]
    assert len(all_keys) == len(set(all_keys))
    for i in range(count):
        assert [c.params.get("Description") for c in mocks[i].calls.of("CreateKey")] == [f"thread {i}"] * rounds
    # A ciphertext from one mock means nothing to another (even one of the same account id).
    with mocks[3]:
        with pytest.raises(ClientError) as foreign:
            make_client().decrypt(CiphertextBlob=results[2][2])
        # AWS's answer for a ciphertext whose key is not there: AccessDeniedException.
        assert foreign.value.response["Error"]["Code"] == "AccessDeniedException"


def test_one_thread_stopping_its_mock_leaves_the_others_running(nothing_active):
    started = threading.Barrier(3, timeout=30)
    first_stopped = threading.Event()
    BARRIERS[:] = [started]
    seen = {}

    def worker(index):
        with mock_kms() as kms:
            client = kms.client()
            key = client.create_key()["KeyMetadata"]["KeyId"]
            started.wait()
            if index == 0:
                kms.stop()
                first_stopped.set()
                return
            assert first_stopped.wait(timeout=30)
            assert current_mock() is kms
            seen[index] = (key_ids(client), key)

    run_in_threads(worker, 3)
    assert seen[1][0] == [seen[1][1]] and seen[2][0] == [seen[2][1]]


def test_entering_an_already_active_mock_in_another_thread_makes_it_answer_there(nothing_active):
    """README: "Which mock answers a call: the newest one started by the calling thread".
    Thread B enters mock M1 (already started by the main thread) while thread C's newer mock
    M2 runs: B's calls are M1's."""
    m1 = mock_kms().start()
    try:
        m2_running, b_done = threading.Event(), threading.Event()
        seen = {}

        def thread_c():
            with mock_kms() as m2:
                seen["m2"] = m2
                m2_running.set()
                b_done.wait(timeout=30)

        def thread_b():
            assert m2_running.wait(timeout=30)
            try:
                with m1:
                    seen["answering"] = current_mock()
                    seen["key"] = make_client().create_key()["KeyMetadata"]["KeyId"]
            finally:
                b_done.set()

        threads = [threading.Thread(target=thread_c), threading.Thread(target=thread_b)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert seen["answering"] is m1, f"thread B inside `with m1:` is answered by {seen['answering']!r}"
        assert key_ids(make_client()) == [seen["key"]]
    finally:
        m1.stop()


# -- nested mocks --------------------------------------------------------------------------

def test_nested_mocks_inner_answers_until_it_stops_then_outer(bare_environment, nothing_active):
    client = make_client()
    environment = dict(os.environ)
    with mock_kms(account_id="111111111111") as outer:
        outer_key = client.create_key()["KeyMetadata"]
        assert outer_key["AWSAccountId"] == "111111111111"
        with mock_kms(account_id="222222222222", region="eu-west-1") as inner:
            assert current_mock() is inner
            inner_key = client.create_key()["KeyMetadata"]
            assert inner_key["AWSAccountId"] == "222222222222"
            assert key_ids(client) == [inner_key["KeyId"]]
            assert os.environ["AWS_DEFAULT_REGION"] == "us-east-1"   # the first mock's, until the last stops
            with mock_kms() as innermost:
                assert key_ids(client) == []
            assert not innermost.active
            assert key_ids(client) == [inner_key["KeyId"]]
        assert current_mock() is outer
        assert key_ids(client) == [outer_key["KeyId"]]
        assert client.describe_key(KeyId=outer_key["KeyId"])["KeyMetadata"]["Arn"] == outer_key["Arn"]
        with pytest.raises(ClientError):
            client.describe_key(KeyId=inner_key["KeyId"])
    assert current_mock() is None
    assert dict(os.environ) == environment
    assert [c.operation for c in inner.calls] == ["CreateKey", "ListKeys", "ListKeys"]
    assert [c.operation for c in outer.calls] == ["CreateKey", "ListKeys", "DescribeKey", "DescribeKey"]


def test_outer_mock_stopped_first_leaves_the_inner_one_answering(nothing_active):
    client = make_client()
    outer = mock_kms().start()
    inner = mock_kms().start()
    inner_key = client.create_key()["KeyMetadata"]["KeyId"]
    outer.stop()
    assert current_mock() is inner
    assert key_ids(client) == [inner_key]
    inner.stop()
    assert current_mock() is None
    assert len(outer.calls) == 0


def test_restarting_the_outer_mock_makes_it_the_newest(nothing_active):
    client = make_client()
    first = mock_kms().start()
    second = mock_kms().start()
    first_key = None
    try:
        second_key = client.create_key()["KeyMetadata"]["KeyId"]
        first.stop()
        first.start()                                 # started again: now the newest of this thread
        assert current_mock() is first
        first_key = client.create_key()["KeyMetadata"]["KeyId"]
        assert key_ids(client) == [first_key]
        first.stop()
        assert key_ids(client) == [second_key]
    finally:
        second.stop()
        first.stop()
    assert current_mock() is None and first_key is not None


def test_decorated_test_inside_a_running_mock_gets_its_own_fresh_one(nothing_active):
    client = make_client()
    with mock_kms() as outer:
        key = client.create_key()["KeyMetadata"]["KeyId"]

        @mock_kms
        def inner_test():
            assert current_mock() is not outer
            assert key_ids(client) == []
            return client.create_key()["KeyMetadata"]["KeyId"]

        inner_key = inner_test()
        assert key_ids(client) == [key] and inner_key != key


def test_recycled_key_pairs_never_reach_a_key_that_can_still_be_called(nothing_active):
    """Key pairs of finished single-use mocks are recycled; a mock still running (or one that
    can be started again) keeps its own, whatever the mocks after it do."""
    client = make_client()
    keeper = mock_kms()                               # not single-use: it may be started again
    with keeper:
        kept = client.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
        kept_public = client.get_public_key(KeyId=kept)["PublicKey"]

    @mock_kms
    def one_test():
        key = client.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
        return client.get_public_key(KeyId=key)["PublicKey"]

    with mock_kms() as running:
        running_key = client.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
        running_public = client.get_public_key(KeyId=running_key)["PublicKey"]
        others = [one_test() for _ in range(20)]
        assert current_mock() is running
        assert client.get_public_key(KeyId=running_key)["PublicKey"] == running_public
    assert kept_public not in others and running_public not in others
    with keeper:
        assert client.get_public_key(KeyId=kept)["PublicKey"] == kept_public
        signature = client.sign(KeyId=kept, Message=b"m", SigningAlgorithm="ECDSA_SHA_256")["Signature"]
        assert client.verify(KeyId=kept, Message=b"m", Signature=signature,
                             SigningAlgorithm="ECDSA_SHA_256")["SignatureValid"]
