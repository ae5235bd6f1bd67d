"""Shared test fixtures.

Two guards run for every test, so no test can pass while breaking them:
- no socket may connect anywhere (a KMS call that escaped the mock fails loudly);
- every successful response the mock gives is checked against botocore's output
  shape (no missing required member, no unknown member, right types), and equals
  what botocore's own parser makes of the same response as JSON.
"""
from __future__ import annotations

import _socket
import functools
import socket

import boto3
import pytest
from botocore.config import Config
from botocore.validate import ParamValidator

from mockkms import interceptor, wire
from mockkms.errors import AWSError

REGION = "us-east-1"
ACCOUNT = "123456789012"


class NetworkUsed(AssertionError):
    pass


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise NetworkUsed(f"a test tried to open a network connection: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def _loopback_create_connection(address, timeout=None, *args, **kwargs):
    host, port = address[:2]
    if host not in ("127.0.0.1", "localhost"):
        raise NetworkUsed(f"a test tried to open a network connection: {address!r}")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if timeout is not None and timeout is not socket._GLOBAL_DEFAULT_TIMEOUT:
        sock.settimeout(timeout)
    sock.connect(("127.0.0.1", port))
    return sock


@pytest.fixture
def loopback_only(monkeypatch):
    """The no-network guard, relaxed for 127.0.0.1 (where server-mode tests listen)."""
    def connect(self, address):
        if isinstance(address, tuple) and address[0] in ("127.0.0.1", "localhost"):
            return _socket.socket.connect(self, address)
        raise NetworkUsed(f"a test tried to open a network connection: {address!r}")

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "create_connection", _loopback_create_connection)


_parsed_answer = interceptor.parsed_answer


def _checked_answer(operation_model, response):
    """Check a success against its output shape, and against botocore's own parse of its JSON."""
    http, parsed = _parsed_answer(operation_model, response)
    fields = {k: v for k, v in parsed.items() if k != "ResponseMetadata"}
    if operation_model.output_shape is not None:
        report = ParamValidator().validate(fields, operation_model.output_shape)
        if report.has_errors():
            raise AssertionError(f"{operation_model.name} response does not match its output shape:\n"
                                 f"{report.generate_report()}\n{fields!r}")
    _, by_botocore = interceptor.botocore_answer(operation_model, 200, response.headers, http.content)
    assert by_botocore == parsed, f"{operation_model.name}: fast path differs from botocore's parser"
    assert _member_order(by_botocore) == _member_order(parsed), f"{operation_model.name}: member order differs"
    return http, parsed


def _member_order(value):
    """The member names of every structure in ``value``, nested ones included, in order."""
    if isinstance(value, dict):
        return [(name, _member_order(item)) for name, item in value.items()]
    if isinstance(value, list):
        return [_member_order(item) for item in value]
    return None


@pytest.fixture(autouse=True)
def responses_match_output_shapes(monkeypatch):
    monkeypatch.setattr(interceptor, "parsed_answer", _checked_answer)


_request_params = wire.request_params


def _checked_params(plan, body, arguments):
    """Parameters read from a client's own arguments must equal those decoded from its JSON body,
    and pass the validator (the argument road skips it)."""
    params, valid = _request_params(plan, body, arguments)
    if arguments is not None:
        from_body, _ = _request_params(plan, body, None)
        assert params == from_body, f"arguments read as {params!r}, the body decodes to {from_body!r}"
        assert _member_order(params) == _member_order(from_body), "parameter member order differs"
    if valid:
        try:
            plan.validate(params, frozenset())
        except AWSError as error:
            raise AssertionError(f"the argument road took {params!r}, which the validator refuses: "
                                 f"{error.message}") from None
    return params, valid


@pytest.fixture(autouse=True)
def request_params_match_the_body(monkeypatch):
    monkeypatch.setattr(wire, "request_params", _checked_params)


# Building a client costs ~50 ms; the hook asks for the active mock at call time, so
# clients can be built once per process and serve every test's fresh mock.
_SESSION = boto3.session.Session(aws_access_key_id="mockkms-test", aws_secret_access_key="mockkms-test")


@functools.lru_cache(maxsize=None)
def make_client(region: str = REGION, parameter_validation: bool = True):
    return _SESSION.client("kms", region_name=region, config=Config(parameter_validation=parameter_validation))


@pytest.fixture
def client(kms):
    """A boto3 KMS client in the mock's Region (the mock is active)."""
    return make_client()


@pytest.fixture
def raw_client(kms):
    """A client without botocore's client-side validation, so the server-side checks are reached."""
    return make_client(parameter_validation=False)


@pytest.fixture
def key_id(client):
    return client.create_key(Description="test key")["KeyMetadata"]["KeyId"]


def error_of(excinfo):
    """(code, message, HTTP status) of a botocore ClientError."""
    response = excinfo.value.response
    return (response["Error"]["Code"], response["Error"]["Message"],
            response["ResponseMetadata"]["HTTPStatusCode"])


def _disable(client, key_id):
    client.disable_key(KeyId=key_id)


def _schedule_deletion(client, key_id):
    client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)


#: Parametrizes a test over the two ways a key stops serving crypto calls, with AWS's answer.
UNUSABLE_KEY = pytest.mark.parametrize("make_unusable, code, suffix", [
    (_disable, "DisabledException", "is disabled."),
    (_schedule_deletion, "KMSInvalidStateException", "is pending deletion."),
], ids=["disabled", "pending-deletion"])
