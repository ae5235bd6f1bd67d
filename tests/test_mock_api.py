"""The public API: mock_kms as decorator / context manager / handle, the pytest face,
the call log, the clock and the test credentials."""
from __future__ import annotations

import asyncio
import datetime as dt
import inspect
import os
import unittest

import boto3
import pytest

import mockkms
from mockkms import MockKMS, current_mock, mock_kms

from conftest import error_of

UTC = dt.timezone.utc
KEY_ARN_PREFIX = "arn:aws:kms:us-east-1:123456789012:key/"


def new_client(region="us-east-1", **kwargs):
    return boto3.client("kms", region_name=region, **kwargs)


def key_ids(client):
    return [k["KeyId"] for k in client.list_keys()["Keys"]]


def run_case(case):
    """Run a unittest class outside pytest's collection; the result for counting."""
    result = unittest.TestResult()
    unittest.defaultTestLoader.loadTestsFromTestCase(case).run(result)
    return result


def problems(result):
    return [text for _, text in result.errors + result.failures]


def assert_two_tests_each_with_their_own_mock(result, seen):
    """Both tests passed, each saw a different mock, and tearDown/cleanups ran inside it."""
    assert (result.testsRun, problems(result)) == (2, [])
    mocks = [entry[1] for entry in seen if entry[0] == "test"]
    assert len(mocks) == 2 and mocks[0] is not mocks[1]
    assert [entry for entry in seen if entry[0] != "test"] == [("tearDown", True), ("cleanup", True)] * 2
    assert current_mock() is None


# -- 1. decorating sync functions ---------------------------------------------------------

def test_bare_decorator_activates_a_mock_inside_the_call():
    @mock_kms
    def body():
        return current_mock(), new_client().create_key()["KeyMetadata"]["Arn"]

    handle, arn = body()
    assert isinstance(handle, MockKMS)
    assert arn.startswith(KEY_ARN_PREFIX)


def test_bare_decorator_mock_is_inactive_after_the_call():
    @mock_kms
    def body():
        return current_mock()

    handle = body()
    assert current_mock() is None
    assert not handle.active


def test_called_decorator_without_options_uses_the_defaults():
    @mock_kms()
    def body():
        return current_mock(), new_client().create_key()["KeyMetadata"]["Arn"]

    handle, arn = body()
    assert (handle.account_id, handle.region) == ("123456789012", "us-east-1")
    assert arn.startswith(KEY_ARN_PREFIX)
    assert current_mock() is None


def test_decorator_options_set_account_and_region_of_the_arn():
    @mock_kms(account_id="111122223333", region="eu-west-1")
    def body():
        return new_client("eu-west-1").create_key()["KeyMetadata"]["Arn"]

    assert body().startswith("arn:aws:kms:eu-west-1:111122223333:key/")
    assert current_mock() is None


def test_invalid_account_id_is_refused():
    with pytest.raises(ValueError, match="account_id must be a 12-digit string, not '1234'"):
        mock_kms(account_id="1234")


def test_each_call_of_a_decorated_function_gets_a_fresh_empty_mock():
    @mock_kms
    def body():
        client = new_client()
        before = key_ids(client)
        client.create_key()
        return before, current_mock()

    first_keys, first_mock = body()
    second_keys, second_mock = body()
    assert first_keys == [] and second_keys == []
    assert first_mock is not second_mock


def test_decorated_function_keeps_its_signature_and_result():
    def original(a, b=2, *args, c, **kwargs):
        return a + b + c

    decorated = mock_kms(original)
    assert inspect.signature(decorated) == inspect.signature(original)
    assert decorated.__name__ == "original"
    assert decorated(1, c=3) == 6


def test_decorated_function_propagates_exceptions_and_still_stops():
    @mock_kms
    def body():
        raise KeyError("boom")

    with pytest.raises(KeyError, match="boom"):
        body()
    assert current_mock() is None


@mock_kms
def test_decorated_test_function_still_gets_pytest_fixtures(tmp_path):
    assert tmp_path.is_dir()
    key = new_client().create_key()["KeyMetadata"]["KeyId"]
    assert key_ids(new_client()) == [key]


@mock_kms(account_id="111122223333", region="eu-west-1")
def test_decorated_test_function_with_options_gets_fixtures(tmp_path, monkeypatch):
    monkeypatch.setenv("MOCKKMS_EXAMPLE", "1")
    assert current_mock().account_id == "111122223333"
    assert new_client("eu-west-1").create_key()["KeyMetadata"]["Arn"].startswith(
        "arn:aws:kms:eu-west-1:111122223333:key/")


# -- 2. async ---------------------------------------------------------------------------

def test_async_decorated_function_is_still_a_coroutine_function():
    @mock_kms
    async def body():
        return None

    assert inspect.iscoroutinefunction(body)
    assert asyncio.iscoroutinefunction(body)


def test_async_decorated_function_keeps_the_mock_across_awaits():
    @mock_kms
    async def body():
        client = new_client()
        before = current_mock()
        key = client.create_key()["KeyMetadata"]["KeyId"]
        await asyncio.sleep(0)
        blob = client.encrypt(KeyId=key, Plaintext=b"across awaits")["CiphertextBlob"]
        await asyncio.sleep(0)
        plaintext = client.decrypt(CiphertextBlob=blob)["Plaintext"]
        return before, current_mock(), plaintext

    before, after, plaintext = asyncio.run(body())
    assert before is not None and before is after
    assert plaintext == b"across awaits"
    assert current_mock() is None


def test_async_decorated_function_mock_starts_when_awaited_not_when_called():
    @mock_kms
    async def body():
        return current_mock()

    coroutine = body()
    assert current_mock() is None
    assert asyncio.run(coroutine) is not None
    assert current_mock() is None


@pytest.mark.asyncio
@mock_kms
async def test_async_decorated_test_runs_inside_a_mock():
    client = new_client()
    key = client.create_key()["KeyMetadata"]["KeyId"]
    await asyncio.sleep(0)
    assert key_ids(client) == [key]
    assert current_mock() is not None


@pytest.mark.asyncio
async def test_async_with_gives_an_active_handle_and_stops_it():
    async with mock_kms(region="eu-west-1") as kms:
        assert current_mock() is kms and kms.active
        await asyncio.sleep(0)
        arn = new_client("eu-west-1").create_key()["KeyMetadata"]["Arn"]
    assert arn.startswith("arn:aws:kms:eu-west-1:123456789012:key/")
    assert not kms.active and current_mock() is None


# -- 3. unittest classes ----------------------------------------------------------------

def test_testcase_every_test_gets_a_fresh_mock_through_setup_teardown_and_cleanups():
    seen = []

    @mock_kms
    class Case(unittest.TestCase):
        def setUp(self):
            self.mock = current_mock()
            self.assertIsNotNone(self.mock)
            self.client = new_client()
            self.key = self.client.create_key()["KeyMetadata"]["KeyId"]
            self.addCleanup(lambda: seen.append(("cleanup", current_mock() is self.mock)))

        def tearDown(self):
            seen.append(("tearDown", current_mock() is self.mock))

        def test_one(self):
            self.assertIs(current_mock(), self.mock)
            self.assertEqual(key_ids(self.client), [self.key])   # setUp's key, and only it
            seen.append(("test", self.mock))

        def test_two(self):
            self.assertIs(current_mock(), self.mock)
            self.assertEqual(key_ids(self.client), [self.key])
            seen.append(("test", self.mock))

    assert_two_tests_each_with_their_own_mock(run_case(Case), seen)


def test_testcase_failures_are_reported_as_failures():
    @mock_kms
    class Case(unittest.TestCase):
        def test_fails(self):
            new_client().describe_key(KeyId="alias/missing")

    result = run_case(Case)
    assert (result.testsRun, len(result.errors), len(result.failures)) == (1, 1, 0)
    assert "NotFoundException" in result.errors[0][1]
    assert current_mock() is None


def test_isolated_asyncio_testcase_every_test_gets_a_fresh_mock():
    seen = []

    @mock_kms
    class Case(unittest.IsolatedAsyncioTestCase):
        async def asyncSetUp(self):
            self.mock = current_mock()
            self.assertIsNotNone(self.mock)
            self.client = new_client()
            self.key = self.client.create_key()["KeyMetadata"]["KeyId"]

            async def cleanup():
                seen.append(("cleanup", current_mock() is self.mock))
            self.addAsyncCleanup(cleanup)

        async def asyncTearDown(self):
            seen.append(("tearDown", current_mock() is self.mock))

        async def test_one(self):
            await asyncio.sleep(0)
            self.assertEqual(key_ids(self.client), [self.key])
            seen.append(("test", self.mock))

        async def test_two(self):
            await asyncio.sleep(0)
            self.assertEqual(key_ids(self.client), [self.key])
            seen.append(("test", self.mock))

    assert_two_tests_each_with_their_own_mock(run_case(Case), seen)


@mock_kms(region="eu-west-1")
class TestDecoratedTestCaseUnderPytest(unittest.TestCase):
    """pytest runs decorated TestCases too: each test sees only its own setUp's key."""

    def setUp(self):
        self.client = new_client("eu-west-1")
        self.key = self.client.create_key()["KeyMetadata"]["KeyId"]

    def test_first(self):
        self.assertEqual(key_ids(self.client), [self.key])

    def test_second(self):
        self.assertEqual(key_ids(self.client), [self.key])


# -- 4. plain classes and what cannot be decorated ---------------------------------------

def test_plain_class_test_methods_each_get_a_fresh_mock():
    @mock_kms
    class Plain:
        def test_a(self):
            client = new_client()
            before = key_ids(client)
            client.create_key()
            return before, current_mock()

        def helper(self):
            return current_mock()

    first_keys, first = Plain().test_a()
    second_keys, second = Plain().test_a()
    assert first_keys == [] and second_keys == []
    assert first is not None and first is not second
    assert Plain().helper() is None          # only test* methods are wrapped


def test_plain_class_inherited_test_methods_are_wrapped_too():
    class Base:
        def test_inherited(self):
            return current_mock()

    @mock_kms
    class Plain(Base):
        def test_own(self):
            return current_mock()

    assert Plain().test_inherited() is not None
    assert Plain().test_own() is not None
    assert Base().test_inherited() is None   # the base class is left alone


def test_plain_class_async_staticmethod_test_runs_inside_the_mock():
    @mock_kms
    class Plain:
        @staticmethod
        async def test_static():
            await asyncio.sleep(0)
            return current_mock()

    assert inspect.iscoroutinefunction(Plain.test_static)
    assert asyncio.run(Plain.test_static()) is not None


def test_plain_class_with_setup_method_is_refused():
    with pytest.raises(TypeError, match=r"cannot decorate .*Plain: its setup_method would run outside "
                                        r"the test's mock"):
        @mock_kms
        class Plain:
            def setup_method(self, method):
                pass

            def test_a(self):
                pass


def test_plain_class_inheriting_setup_method_is_refused():
    class Base:
        def setup_method(self, method):
            pass

    with pytest.raises(TypeError, match="its setup_method would run outside the test's mock"):
        @mock_kms
        class Plain(Base):
            def test_a(self):
                pass


def test_class_without_test_methods_is_refused():
    with pytest.raises(TypeError, match="neither a unittest.TestCase nor a class with test methods"):
        @mock_kms
        class Helper:
            def run(self):
                pass


def test_generator_function_is_refused():
    def gen():
        yield 1

    with pytest.raises(TypeError, match=r"cannot decorate the generator function .*gen: the mock would stop "
                                        r"before its body runs"):
        mock_kms(gen)


def test_async_generator_function_is_refused():
    async def agen():
        yield 1

    with pytest.raises(TypeError, match=r"cannot decorate the generator function .*agen"):
        mock_kms()(agen)


def test_non_callable_is_refused():
    with pytest.raises(TypeError, match=r"mock_kms cannot decorate 42: use it on a function"):
        mock_kms(42)


# -- 5. start / stop ---------------------------------------------------------------------

def test_start_returns_the_handle_and_stop_deactivates_it():
    m = mock_kms()
    assert m.start() is m
    try:
        assert m.active and current_mock() is m
        assert new_client().create_key()["KeyMetadata"]["Arn"].startswith(KEY_ARN_PREFIX)
    finally:
        m.stop()
    assert not m.active and current_mock() is None


def test_starting_twice_needs_two_stops():
    m = mock_kms().start()
    m.start()
    m.stop()
    try:
        assert m.active and current_mock() is m
    finally:
        m.stop()
    assert not m.active and current_mock() is None


def test_restarted_mock_keeps_its_keys():
    m = mock_kms().start()
    key = new_client().create_key()["KeyMetadata"]["KeyId"]
    m.stop()
    with m:
        assert key_ids(new_client()) == [key]


def test_stop_on_a_stopped_mock_is_harmless_and_leaves_others_alone(monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    with mock_kms() as outer:
        never_started = mock_kms()
        never_started.stop()
        never_started.stop()
        # the active mock, and the credentials it supplied, are untouched
        assert current_mock() is outer
        assert os.environ["AWS_ACCESS_KEY_ID"] == "mockkms-test-access-key"
        assert new_client().create_key()["KeyMetadata"]["KeyId"]
    outer.stop()
    assert current_mock() is None


def test_nested_mocks_inner_answers_then_outer_again():
    with mock_kms() as outer:
        client = new_client()
        outer_key = client.create_key()["KeyMetadata"]["KeyId"]
        with mock_kms() as inner:
            assert current_mock() is inner
            assert key_ids(client) == []
            inner_key = client.create_key()["KeyMetadata"]["KeyId"]
            assert key_ids(client) == [inner_key]
        assert current_mock() is outer
        assert key_ids(client) == [outer_key]
    assert [c.operation for c in inner.calls] == ["ListKeys", "CreateKey", "ListKeys"]
    assert [c.operation for c in outer.calls] == ["CreateKey", "ListKeys"]


def test_repr_shows_options_and_state():
    m = mock_kms(account_id="111122223333", region="eu-west-1")
    assert repr(m) == "<MockKMS account_id=111122223333 region=eu-west-1 stopped; no keys>"
    with m:
        assert repr(m) == "<MockKMS account_id=111122223333 region=eu-west-1 active; no keys>"


def test_repr_counts_keys_by_account_and_region():
    with mock_kms() as m:
        east, west = m.client("us-east-1"), m.client("eu-west-1")
        east.create_key(), east.create_key(), west.create_key()
        assert repr(m) == ("<MockKMS account_id=123456789012 region=us-east-1 active; "
                           "123456789012/eu-west-1: 1 key, 123456789012/us-east-1: 2 keys>")


def test_notebooks_show_a_table_of_keys():
    with mock_kms() as m:
        client = m.client()
        key = client.create_key(MultiRegion=True)["KeyMetadata"]["KeyId"]
        client.create_alias(AliasName="alias/app", TargetKeyId=key)
        client.enable_key_rotation(KeyId=key)
        page = m._repr_html_()
    assert "<table>" in page and "<th>Key id</th>" in page
    assert (f"<td>{key}</td><td>alias/app</td><td>SYMMETRIC_DEFAULT</td><td>ENCRYPT_DECRYPT</td>"
            "<td>Enabled</td><td>every 365 days</td><td>primary</td>") in page


def test_package_exports_the_public_names():
    assert mockkms.mock_kms is mock_kms and mockkms.MockKMS is MockKMS
    assert mockkms.current_mock is current_mock
    assert mockkms.CallLog.__name__ == "CallLog" and mockkms.CallRecord.__name__ == "CallRecord"


# -- 6. the kms fixture and the mock_kms marker ------------------------------------------

def test_kms_fixture_yields_the_active_mock(kms):
    assert kms.active and current_mock() is kms
    assert (kms.account_id, kms.region) == ("123456789012", "us-east-1")
    key = new_client().create_key()["KeyMetadata"]["KeyId"]
    assert key_ids(new_client()) == [key]


@pytest.mark.mock_kms(account_id="111122223333", region="eu-west-1")
def test_marker_configures_the_kms_fixture(kms):
    assert (kms.account_id, kms.region) == ("111122223333", "eu-west-1")
    assert boto3.client("kms").meta.region_name == "eu-west-1"       # mock's Region is the default
    arn = new_client("eu-west-1").create_key()["KeyMetadata"]["Arn"]
    assert arn.startswith("arn:aws:kms:eu-west-1:111122223333:key/")


@pytest.mark.mock_kms("111122223333", "eu-west-1")
def test_marker_positional_options_are_not_ignored(kms):
    assert (kms.account_id, kms.region) == ("111122223333", "eu-west-1")


@pytest.mark.mock_kms(region="eu-west-1")
class TestMarkerOnAClass:
    def test_applies_to_each_test(self, kms):
        assert kms.region == "eu-west-1"


FIXTURE_TESTS = '''
    import boto3
    import pytest
    from mockkms import current_mock

    def keys():
        return boto3.client("kms", region_name="us-east-1").list_keys()["Keys"]

    def test_first(kms):
        assert current_mock() is kms and keys() == []
        boto3.client("kms", region_name="us-east-1").create_key()
        assert len(keys()) == 1

    def test_second_is_fresh(kms):
        assert keys() == []

    def test_no_mock_without_the_fixture():
        assert current_mock() is None

    @pytest.mark.mock_kms(account_id="111122223333", region="eu-west-1")
    def test_marker(kms):
        arn = boto3.client("kms", region_name="eu-west-1").create_key()["KeyMetadata"]["Arn"]
        assert arn.startswith("arn:aws:kms:eu-west-1:111122223333:key/")

    @pytest.mark.mock_kms(account_id="nope")
    def test_bad_marker_option(kms):
        pass
'''


def run_inner(pytester, *args):
    """A fresh pytest run; mockkms's plugin is auto-loaded from its entry point.  Plugins
    unrelated to mockkms are switched off only because re-importing them is slow."""
    return pytester.runpytest_inprocess("-p", "no:cacheprovider", "-p", "no:hypothesispytest", "-p", "no:benchmark",
                                        "-o", "asyncio_default_fixture_loop_scope=function", *args)


def test_plugin_fixture_and_marker_in_a_fresh_pytest_run(pytester):
    pytester.makepyfile(FIXTURE_TESTS)
    result = run_inner(pytester, "--strict-markers")
    result.assert_outcomes(passed=4, errors=1)
    result.stdout.fnmatch_lines(["*ERROR at setup of test_bad_marker_option*",
                                 "*account_id must be a 12-digit string, not 'nope'*"])


def test_plugin_marker_is_registered(pytester):
    result = run_inner(pytester, "--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.mock_kms(account_id='123456789012', region='us-east-1', enforce_policies=True)*"])


def test_decorators_under_a_fresh_pytest_run(pytester):
    pytester.makepyfile('''
        import asyncio
        import unittest
        import boto3
        import pytest
        from mockkms import current_mock, mock_kms

        @mock_kms
        def test_function(tmp_path):
            assert tmp_path.is_dir() and current_mock() is not None

        @pytest.mark.asyncio
        @mock_kms
        async def test_coroutine():
            await asyncio.sleep(0)
            assert current_mock() is not None

        @mock_kms
        class TestPlain:
            def test_a(self, tmp_path):
                assert current_mock() is not None

        @mock_kms
        class TestCase(unittest.TestCase):
            def setUp(self):
                self.mock = current_mock()
            def test_b(self):
                self.assertIsNotNone(self.mock)
                self.assertIs(current_mock(), self.mock)
    ''')
    result = run_inner(pytester)
    result.assert_outcomes(passed=4)


# -- 7. the call log ---------------------------------------------------------------------

def test_call_record_holds_operation_region_account_and_params(kms, client, key_id):
    client.encrypt(KeyId=key_id, Plaintext=b"hi", EncryptionContext={"purpose": "test"})
    record = kms.calls.last
    assert (record.operation, record.region, record.account_id) == ("Encrypt", "us-east-1", "123456789012")
    assert record.params == {"KeyId": key_id, "Plaintext": b"hi", "EncryptionContext": {"purpose": "test"}}
    assert record.error_code is None and record.succeeded


def test_call_record_of_a_failed_call_has_the_error_code(kms, client):
    with pytest.raises(client.exceptions.NotFoundException):
        client.describe_key(KeyId="alias/missing")
    record = kms.calls.last
    assert (record.operation, record.params) == ("DescribeKey", {"KeyId": "alias/missing"})
    assert record.error_code == "NotFoundException" and not record.succeeded


def test_call_failing_validation_is_recorded_with_its_params(kms, raw_client, key_id):
    with pytest.raises(raw_client.exceptions.ClientError) as excinfo:
        raw_client.encrypt(KeyId=key_id, Plaintext=b"")
    assert error_of(excinfo)[0] == "ValidationException"
    record = kms.calls.last
    assert (record.operation, record.error_code) == ("Encrypt", "ValidationException")
    assert record.params == {"KeyId": key_id, "Plaintext": b""}


def test_call_log_len_of_and_order(kms, client):
    assert len(kms.calls) == 0
    first = client.create_key()["KeyMetadata"]["KeyId"]
    second = client.create_key()["KeyMetadata"]["KeyId"]
    client.encrypt(KeyId=first, Plaintext=b"1")
    client.encrypt(KeyId=second, Plaintext=b"2")
    assert len(kms.calls) == 4
    assert [c.operation for c in kms.calls] == ["CreateKey", "CreateKey", "Encrypt", "Encrypt"]
    assert [c.params["KeyId"] for c in kms.calls.of("Encrypt")] == [first, second]
    assert kms.calls.of("Decrypt") == []
    assert kms.calls[0].operation == "CreateKey"


def test_call_log_records_the_clients_region(kms):
    new_client("eu-west-1").list_keys()
    assert kms.calls.last.region == "eu-west-1"


def test_call_log_last_on_an_empty_log_raises():
    with pytest.raises(IndexError, match="no KMS call has been made to this mock"):
        mock_kms().calls.last


def test_call_without_a_region_is_recorded_in_the_mocks_region():
    kms = mock_kms(region="eu-west-1")
    kms.answer("ListKeys", b"{}", None, None)
    assert (kms.calls.last.operation, kms.calls.last.region) == ("ListKeys", "eu-west-1")


def test_call_logs_of_different_mocks_are_separate():
    with mock_kms() as first:
        new_client().list_keys()
    with mock_kms() as second:
        new_client().generate_random(NumberOfBytes=8)
    assert [c.operation for c in first.calls] == ["ListKeys"]
    assert [c.operation for c in second.calls] == ["GenerateRandom"]


# -- 7. the clock ------------------------------------------------------------------------

def test_clock_advance_moves_now_forward(kms):
    before = kms.clock.now()
    returned = kms.clock.advance(days=8)
    assert returned - before >= dt.timedelta(days=8)
    assert kms.clock.now() - before >= dt.timedelta(days=8)


def test_frozen_clock_advances_exactly(kms):
    frozen = kms.clock.freeze()
    assert kms.clock.now() == frozen
    assert kms.clock.advance(days=8, hours=1) == frozen + dt.timedelta(days=8, hours=1)
    assert kms.clock.now() == frozen + dt.timedelta(days=8, hours=1)


def test_clock_move_to_while_frozen_lands_exactly(kms):
    kms.clock.freeze()
    when = dt.datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert kms.clock.move_to(when) == when
    assert kms.clock.now() == when


def test_clock_move_to_takes_naive_datetimes_as_utc(kms):
    kms.clock.freeze()
    kms.clock.move_to(dt.datetime(2030, 1, 2, 3, 4, 5))
    assert kms.clock.now() == dt.datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_clock_move_to_while_ticking_continues_from_there(kms):
    kms.clock.move_to(dt.datetime(2030, 6, 1, 12, tzinfo=UTC))
    now = kms.clock.now()
    assert now >= dt.datetime(2030, 6, 1, 12, tzinfo=UTC)
    assert now.date() == dt.date(2030, 6, 1)


def test_unfreeze_continues_from_the_frozen_time(kms):
    kms.clock.freeze()
    kms.clock.move_to(dt.datetime(2030, 6, 1, 12, tzinfo=UTC))
    now = kms.clock.unfreeze()
    assert now >= dt.datetime(2030, 6, 1, 12, tzinfo=UTC)
    assert now.date() == dt.date(2030, 6, 1)


def test_clock_sets_key_creation_dates(kms, client):
    kms.clock.freeze()
    kms.clock.move_to(dt.datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC))
    created = client.create_key()["KeyMetadata"]["CreationDate"]
    assert created == dt.datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_clock_refuses_to_go_backwards(kms):
    before = kms.clock.freeze()
    with pytest.raises(ValueError, match="only moves forward"):
        kms.clock.advance(days=-1)
    assert kms.clock.now() == before


def test_deletion_window_elapses_when_the_clock_moves(kms, client, key_id):
    client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    kms.clock.advance(days=6)
    assert client.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "PendingDeletion"
    kms.clock.advance(days=2)
    with pytest.raises(client.exceptions.NotFoundException) as excinfo:
        client.describe_key(KeyId=key_id)
    assert error_of(excinfo) == ("NotFoundException", f"Key '{KEY_ARN_PREFIX}{key_id}' does not exist", 400)
    assert (kms.calls.last.operation, kms.calls.last.error_code) == ("DescribeKey", "NotFoundException")


def test_clocks_of_different_mocks_are_independent():
    with mock_kms() as first:
        first.clock.advance(days=365)
        with mock_kms() as second:
            assert first.clock.now() - second.clock.now() >= dt.timedelta(days=364)


# -- 8. credentials ----------------------------------------------------------------------

AWS_VARS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
            "AWS_DEFAULT_REGION", "AWS_REGION")


@pytest.fixture
def bare_env(monkeypatch, tmp_path):
    """No AWS configuration at all (and none read from the developer's ~/.aws)."""
    for name in AWS_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)


def test_without_configuration_a_client_made_inside_works(bare_env):
    with mock_kms(region="eu-west-1"):
        client = boto3.client("kms")                  # no region, no credentials given
        assert client.meta.region_name == "eu-west-1"
        key = client.create_key()["KeyMetadata"]["KeyId"]
        assert client.describe_key(KeyId=key)["KeyMetadata"]["Arn"].startswith("arn:aws:kms:eu-west-1:")


def test_without_configuration_the_environment_is_restored_exactly(bare_env):
    before = dict(os.environ)
    with mock_kms():
        assert os.environ["AWS_ACCESS_KEY_ID"] == "mockkms-test-access-key"
        assert os.environ["AWS_DEFAULT_REGION"] == "us-east-1"
    assert dict(os.environ) == before
    assert not [name for name in AWS_VARS if name in os.environ]


def test_nested_mocks_restore_the_environment_when_the_last_stops(bare_env):
    before = dict(os.environ)
    outer = mock_kms().start()
    with mock_kms(region="eu-west-1"):
        pass
    assert os.environ["AWS_ACCESS_KEY_ID"] == "mockkms-test-access-key"   # outer still running
    outer.stop()
    assert dict(os.environ) == before


def test_boto3_default_session_does_not_keep_the_fake_credentials(bare_env, monkeypatch):
    with mock_kms():
        boto3.client("kms").list_keys()
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAAFTERTHEMOCK")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret-after")
    assert boto3._get_default_session().get_credentials().access_key == "AKIAAFTERTHEMOCK"


def test_existing_credentials_and_region_are_left_unchanged(bare_env, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXISTING")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "existing-secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-southeast-2")
    before = dict(os.environ)
    with mock_kms():
        assert dict(os.environ) == before
        assert boto3.session.Session().get_credentials().access_key == "AKIAEXISTING"
        client = boto3.client("kms")
        assert client.meta.region_name == "ap-southeast-2"
        assert client.create_key()["KeyMetadata"]["Arn"].startswith("arn:aws:kms:ap-southeast-2:")
    assert dict(os.environ) == before


def test_aws_region_alone_is_honoured(bare_env, monkeypatch):
    monkeypatch.setenv("AWS_REGION", "ca-central-1")     # botocore itself reads only AWS_DEFAULT_REGION
    before = dict(os.environ)
    with mock_kms():
        assert boto3.client("kms").meta.region_name == "ca-central-1"
    assert dict(os.environ) == before


def test_import_mockkms_needs_no_pytest():
    """The pytest plugin is separate: importing and using mockkms works where pytest is absent."""
    import subprocess
    import sys
    code = ("import sys; sys.modules['pytest'] = None\n"
            "import boto3, mockkms\n"
            "with mockkms.mock_kms():\n"
            "    c = boto3.client('kms', region_name='us-east-1')\n"
            "    print(c.generate_random(NumberOfBytes=3)['Plaintext'].__len__())\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout.strip()) == (0, "3"), done.stderr
