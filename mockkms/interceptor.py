"""The botocore hook: every KMS call any client makes, answered in-process while a mock is active.

A ``before-call.kms`` handler is added to botocore's BUILTIN_HANDLERS when
mockkms is imported, so every session created afterwards (boto3's default one,
other libraries' own, aiobotocore's) carries it.  With no active mock it
returns None and botocore carries on untouched.  With one, the request body
botocore has already serialised is answered by the mock, and the JSON answer is
parsed by botocore's own parser, so results and exceptions are exactly those
of a real call.

A second, class-level guard on ``Endpoint.make_request`` catches KMS clients
whose session predates the import: while a mock is active, no KMS request
reaches the network, whichever client sends it.
"""
from __future__ import annotations

import contextvars
import functools
import inspect
import threading
from typing import Any, Callable, List, Optional, Tuple

import botocore.endpoint
import botocore.handlers
import botocore.parsers
import wrapt
from botocore.awsrequest import AWSResponse, HeadersDict

from . import faults, wire
from .errors import AWSError

EVENT = "before-call.kms"
SEND_EVENT = "before-send.kms"
ARGUMENTS_EVENT = "before-parameter-build.kms"
#: where remember_arguments leaves a call's arguments in botocore's per-request context
_ARGUMENTS = "mockkms.arguments"


class _ThreadMocks(threading.local):
    """The mocks started by one thread, newest last."""

    def __init__(self) -> None:
        self.stack: List[Any] = []


_registry_lock = threading.Lock()
_active: List[Any] = []
_thread = _ThreadMocks()


def activate(mock: Any) -> None:
    with _registry_lock:
        _active.append(mock)
    _thread.stack.append(mock)


def enter_thread(mock: Any) -> None:
    """An already active mock, started again by this thread: it answers this thread's calls."""
    _thread.stack.append(mock)


def leave_thread(mock: Any) -> None:
    stack = _thread.stack
    for i in range(len(stack) - 1, -1, -1):
        if stack[i] is mock:
            del stack[i]
            break


def deactivate(mock: Any) -> None:
    with _registry_lock:
        for i in range(len(_active) - 1, -1, -1):
            if _active[i] is mock:
                del _active[i]
                break
    stack = _thread.stack
    for i in range(len(stack) - 1, -1, -1):
        if stack[i] is mock:
            del stack[i]
            break


def current() -> Optional[Any]:
    """The mock answering calls made by this thread: its own newest, else the newest anywhere."""
    stack = _thread.stack
    while stack:
        mock = stack[-1]
        if mock.active:
            return mock
        stack.pop()
    active = _active
    return active[-1] if active else None


_URL = "https://kms.mockkms.invalid/"


class _Body:
    """Just enough of a urllib3 response for AWSResponse.content; JSON made on demand."""

    def __init__(self, make: Callable[[], bytes]):
        self._make = make

    def stream(self, *args: Any, **kwargs: Any) -> Any:
        return iter((self._make(),))


@functools.lru_cache(maxsize=None)
def _parser() -> botocore.parsers.ResponseParser:
    return botocore.parsers.ResponseParserFactory().create_parser("json")


def botocore_answer(operation_model: Any, status: int, headers: dict, body: bytes) -> Tuple[AWSResponse, dict]:
    """(http_response, parsed) exactly as botocore's endpoint would return them for this JSON."""
    response_dict = {"status_code": status, "headers": headers, "body": body}
    parser = _parser()
    parsed = parser.parse(response_dict, operation_model.output_shape)
    if status >= 300:
        code = parsed.get("Error", {}).get("Code")
        error_shape = operation_model.service_model.shape_for_error_code(code) if code else None
        if error_shape is not None:
            parsed.update(parser.parse(response_dict, error_shape))
    parsed.setdefault("ResponseMetadata", {})["RetryAttempts"] = 0
    return AWSResponse(_URL, status, headers, _Body(lambda: body)), parsed


class _InProcessResponse(AWSResponse):
    """An AWSResponse whose case-insensitive headers and JSON body are only built if read.

    Nothing on the client's normal path reads them for a KMS success, and building
    them costs more than the rest of answering a small call.
    """

    def __init__(self, status: int, headers: dict, operation: str, result: dict):
        self.url = _URL
        self.status_code = status
        self._plain_headers = headers
        self._headers: Optional[HeadersDict] = None
        self._result = (operation, result)
        self._content = None

    @property
    def raw(self) -> _Body:  # type: ignore[override]
        operation, result = self._result
        return _Body(lambda: wire.encode_result(operation, result))

    @property  # type: ignore[override]
    def headers(self) -> HeadersDict:
        if self._headers is None:
            self._headers = HeadersDict(self._plain_headers)
        return self._headers

    @headers.setter
    def headers(self, value: Any) -> None:
        self._headers = HeadersDict(value)


def parsed_answer(operation_model: Any, response: wire.Response) -> Tuple[AWSResponse, dict]:
    """The same pair for a success, built without writing JSON for botocore to read back.

    ``response.parsed`` is already what botocore's parser returns for the JSON body
    (the test suite checks that, response by response); only the metadata is added.
    """
    headers = response.headers
    parsed = response.parsed
    assert parsed is not None and response.result is not None
    parsed["ResponseMetadata"] = {"RequestId": headers["x-amzn-requestid"], "HTTPStatusCode": response.status,
                                  "HTTPHeaders": headers, "RetryAttempts": 0}
    return _InProcessResponse(response.status, headers, operation_model.name, response.result), parsed


def _access_key(request_signer: Any) -> Optional[str]:
    return getattr(getattr(request_signer, "_credentials", None), "access_key", None)


def _answer(mock: Any, operation_model: Any, body: Any, region: Optional[str],
            access_key: Optional[str], arguments: Optional[dict] = None) -> Tuple[AWSResponse, dict]:
    if isinstance(body, str):
        body = body.encode()
    response = mock.answer(operation_model.name, body or b"", region, access_key, parsed=True,
                           arguments=arguments)
    if response.parsed is not None:
        return parsed_answer(operation_model, response)
    return botocore_answer(operation_model, response.status, response.headers, response.body)


def _faulted(mock: Any, operation_model: Any, body: Any) -> bool:
    """Whether an injected fault waits for this call: then it takes botocore's request path."""
    return mock.faults.left > 0 and mock.faults.pending(operation_model.name, faults.params_of(body))


def remember_arguments(params: dict, context: Optional[dict] = None, **kwargs: Any) -> None:
    """While a mock is active, keep the call's own arguments in its request context: before_call
    then reads them as they are, instead of decoding the JSON botocore is about to write."""
    if _active and context is not None:
        context[_ARGUMENTS] = params


def before_call(model: Any, params: dict, request_signer: Any = None, context: Optional[dict] = None,
                **kwargs: Any) -> Optional[Tuple[AWSResponse, dict]]:
    mock = current()
    if mock is None or (mock.faults.left and _faulted(mock, model, params.get("body"))):
        return None
    context = context or {}
    region = context.get("client_region") or getattr(request_signer, "region_name", None)
    return _answer(mock, model, params.get("body"), region, _access_key(request_signer), context.get(_ARGUMENTS))


def before_send(request: Any, **kwargs: Any) -> Optional[AWSResponse]:
    """Answer a KMS request that reached botocore's HTTP layer (a faulted call, one attempt at a
    time, so the client's retry logic runs), instead of the network."""
    mock = current()
    if mock is None:
        return None
    target = request.headers.get("X-Amz-Target", b"")
    target = target.decode() if isinstance(target, bytes) else target
    authorization = request.headers.get("Authorization", b"")
    authorization = authorization.decode() if isinstance(authorization, bytes) else authorization
    scope = wire.credential_scope(authorization)
    access_key, region = scope[:2] if scope else (None, None)
    body = request.body
    if hasattr(body, "read"):
        body = body.read()
    try:
        operation = wire.operation_from_target(target)
    except AWSError as error:
        response = wire.encode_error(error)
    else:
        response = mock.answer(operation, body or b"", region, access_key)
    if _ASYNC_SEND.get():  # an aiobotocore attempt: it awaits the response's content
        from aiobotocore.awsrequest import AioAWSResponse
        return AioAWSResponse(request.url, response.status, response.headers, _AsyncBody(response.body))
    return AWSResponse(request.url, response.status, response.headers, _Body(lambda: response.body))


class _AsyncBody:
    """Just enough of an aiohttp response for aiobotocore's AioAWSResponse.content."""

    def __init__(self, body: bytes):
        self._body = body

    async def read(self) -> bytes:
        return self._body


#: set while an async client's faulted call goes down aiobotocore's request path
_ASYNC_SEND: "contextvars.ContextVar[bool]" = contextvars.ContextVar("mockkms_async_send", default=False)


def _guard_make_request(wrapped: Any, instance: Any, args: tuple, kwargs: dict) -> Any:
    operation_model, request_dict = (list(args) + [kwargs.get("operation_model"), kwargs.get("request_dict")])[:2]
    mock = current()
    if mock is None or operation_model.service_model.service_name != "kms":
        return wrapped(*args, **kwargs)
    is_async = inspect.iscoroutinefunction(getattr(type(instance), "_send_request", None))
    if _faulted(mock, operation_model, request_dict.get("body")):
        if not is_async:
            return wrapped(*args, **kwargs)  # through the retry loop; before_send answers each attempt

        async def through_the_retry_loop() -> Any:
            token = _ASYNC_SEND.set(True)
            try:
                return await wrapped(*args, **kwargs)
            finally:
                _ASYNC_SEND.reset(token)
        return through_the_retry_loop()
    region = (request_dict.get("context") or {}).get("client_region")
    answer = _answer(mock, operation_model, request_dict.get("body"), region, None)
    if is_async:
        async def deliver() -> Tuple[AWSResponse, dict]:
            return answer
        return deliver()
    return answer


def install() -> None:
    """Idempotent: add the hooks to BUILTIN_HANDLERS and guard Endpoint.make_request."""
    if (EVENT, before_call) not in botocore.handlers.BUILTIN_HANDLERS:
        botocore.handlers.BUILTIN_HANDLERS.append((EVENT, before_call))
    if (SEND_EVENT, before_send) not in botocore.handlers.BUILTIN_HANDLERS:
        botocore.handlers.BUILTIN_HANDLERS.append((SEND_EVENT, before_send))
    if (ARGUMENTS_EVENT, remember_arguments) not in botocore.handlers.BUILTIN_HANDLERS:
        botocore.handlers.BUILTIN_HANDLERS.append((ARGUMENTS_EVENT, remember_arguments))
    if not getattr(botocore.endpoint.Endpoint.make_request, "_mockkms_guard", False):
        wrapt.wrap_function_wrapper(botocore.endpoint.Endpoint, "make_request", _guard_make_request)
        botocore.endpoint.Endpoint.make_request._mockkms_guard = True  # type: ignore[attr-defined]


install()
