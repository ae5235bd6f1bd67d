"""The JSON 1.1 wire: request body in, response body out.

``serve`` is the single entry point shared by the in-process interceptor and the
HTTP server mode: it decodes ``TrentService.<Operation>`` requests, validates
them against the model, hands them to a dispatcher, and encodes the result or the
AWS error body (``{"__type": ..., "message": ...}``).  Whatever goes wrong, the
caller gets an AWS-shaped answer, never a Python traceback.
"""
from __future__ import annotations

import email.utils
import json
import logging
import re
import time
from typing import Any, Callable, Dict, FrozenSet, NamedTuple, Optional, Tuple

from .domain.ids import request_id
from .errors import AWSError
from .model import codec, operation_model, service_model
from .model.validation import Validator, validator

log = logging.getLogger("mockkms")

TARGET_PREFIX = "TrentService."
CONTENT_TYPE = "application/x-amz-json-1.1"

Dispatch = Callable[[str, Dict[str, Any], Any], Dict[str, Any]]


class Response(NamedTuple):
    """One answer.  On success ``result`` holds the handler's Python result; ``body``
    its JSON (empty when ``serve`` was asked for ``parsed`` instead, which is then
    what botocore's parser would make of that JSON)."""
    status: int
    headers: Dict[str, str]
    body: bytes
    error_code: Optional[str] = None
    result: Optional[Dict[str, Any]] = None
    parsed: Optional[Dict[str, Any]] = None
    error_message: Optional[str] = None
    #: the request's parameters as far as they were decoded (the call log records them, also for
    #: a request that failed validation); None when the body could not be read
    params: Optional[Dict[str, Any]] = None


#: ``_new(Response, (all its fields))``: a Response without NamedTuple's Python-level ``__new__``
#: (every call makes one)
_new = tuple.__new__


_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/,\s]+)/([^/,\s]+)/aws4_request")


def credential_scope(authorization: Optional[str]) -> Optional[Tuple[str, str, str]]:
    """(access key, Region, service) from a SigV4 ``Authorization`` header (unchecked), if it has one."""
    match = _CREDENTIAL.search(authorization or "")
    return (match.group(1), match.group(2), match.group(3)) if match else None


def operation_from_target(target: Optional[str]) -> str:
    """``TrentService.Encrypt`` -> ``Encrypt``; anything else is an unknown operation."""
    if not target or not target.startswith(TARGET_PREFIX):
        raise AWSError("UnknownOperationException")
    name = target[len(TARGET_PREFIX):]
    if name not in service_model().operation_names:
        raise AWSError("UnknownOperationException")
    return name


class _Plan(NamedTuple):
    """What answering one operation needs from the model, looked up once per operation."""
    decode: Callable[[Any], Dict[str, Any]]        # the request's JSON value -> parameters
    validate: Validator
    parsed: Callable[[Dict[str, Any]], Dict[str, Any]]  # a result -> botocore's parse of its JSON
    read: Callable[[Any], Dict[str, Any]]          # the caller's arguments -> valid parameters (or NotPlain)


_PLANS: Dict[str, _Plan] = {}


def _plan(operation: str) -> _Plan:
    plan = _PLANS.get(operation)
    if plan is None:  # building twice (two threads) is harmless: both plans are the same
        model = operation_model(operation)
        shape_in, shape_out = model.input_shape, model.output_shape
        plan = _PLANS[operation] = _Plan(
            _no_params if shape_in is None else _decoder(codec.decoder(shape_in)),
            validator(model),
            _no_result if shape_out is None else codec.parsed_form(shape_out),
            _no_params if shape_in is None else codec.argument_reader(shape_in))
    return plan


def request_params(plan: _Plan, body: Any, arguments: Optional[Dict[str, Any]]) -> Tuple[Dict[str, Any], bool]:
    """(the request's parameters, whether they are known valid).

    Read from the caller's own ``arguments`` when the in-process path has them and they are
    plain and valid (no JSON to write and read back, no validation pass), else decoded from
    ``body``, still to be validated."""
    if arguments is not None:
        try:
            return plan.read(arguments), True
        except codec.NotPlain:
            pass
    return plan.decode(_read_json(body)), False


def _decoder(decode: Callable[[Any], Any]) -> Callable[[Any], Dict[str, Any]]:
    def decode_params(raw: Any) -> Dict[str, Any]:
        # A body of JSON ``null`` is an empty request, like an empty body.
        return {} if raw is None else decode(raw)
    return decode_params


def _no_params(raw: Any) -> Dict[str, Any]:
    return {}


def _no_result(result: Dict[str, Any]) -> Dict[str, Any]:
    return {}


def decode_request(operation: str, body: bytes) -> Dict[str, Any]:
    """Parse and type-check a request body against the operation's input shape."""
    return _plan(operation).decode(_read_json(body))


def _read_json(body: Any) -> Any:
    if not body or not body.strip():
        return None
    try:
        return _JSON.decode(body.decode() if isinstance(body, bytes) else body)
    except (ValueError, RecursionError):  # ValueError covers bad UTF-8; RecursionError absurd nesting
        raise AWSError("SerializationException", "Could not parse request body into json") from None


def _not_json(token: str) -> Any:
    """Python's json accepts NaN and Infinity; JSON (and AWS's parser) does not."""
    raise ValueError(f"{token} is not JSON")


_JSON = json.JSONDecoder(parse_constant=_not_json)  # one decoder: json.loads(..., kw) builds one per call


def encode_result(operation: str, result: Dict[str, Any]) -> bytes:
    shape = operation_model(operation).output_shape
    if shape is None:
        return b"{}"
    return json.dumps(codec.encoder(shape)(result), separators=(",", ":")).encode()


def parse_result(operation: str, result: Dict[str, Any]) -> Dict[str, Any]:
    return _plan(operation).parsed(result)


def encode_error(error: AWSError, request: Optional[str] = None, params: Optional[Dict[str, Any]] = None) -> Response:
    body: Dict[str, str] = {"__type": error.code}
    if error.message:  # AWS omits the member rather than sending an empty message
        body["message"] = error.message
    return Response(error.status, _headers(request), json.dumps(body).encode(), error.code,
                    error_message=error.message, params=params)


#: [the second the Date header was last formatted for, that header]: formatted once per second
_date = [0, ""]


def _headers(request: Optional[str] = None) -> Dict[str, str]:
    now = int(time.time())
    if _date[0] != now:
        _date[:] = [now, email.utils.formatdate(now, usegmt=True)]
    return {"x-amzn-requestid": request or request_id(), "content-type": CONTENT_TYPE, "date": _date[1]}


def serve(operation: str, body: bytes, dispatch: Dispatch, context: Any, parsed: bool = False,
          withheld: FrozenSet[str] = frozenset(), arguments: Optional[Dict[str, Any]] = None) -> Response:
    """Answer one request: decode, validate, dispatch, encode.

    ``withheld`` are enum values the model knows but this endpoint does not offer
    (SM2 outside China): enum errors leave them out of the allowed list.

    With ``parsed`` a success is returned in botocore's parsed form instead of as JSON
    (the in-process path), which may also pass the client's own ``arguments`` that
    ``body`` was serialised from.  ``context`` (a :class:`~.service.Request`) learns
    the call's request id first.
    """
    request = context.request_id = request_id()
    params = None
    try:
        plan = _PLANS.get(operation) or _plan(operation)
        params, valid = request_params(plan, body, arguments)
        if not valid:
            plan.validate(params, withheld)
        result = dispatch(operation, params, context)
        if parsed:
            return _new(Response, (200, _headers(request), b"", None, result, plan.parsed(result), None, params))
        return _new(Response, (200, _headers(request), encode_result(operation, result), None, result, None, None,
                                  params))
    except AWSError as error:
        return encode_error(error, request, params)
    except Exception as exc:  # a bug in mockkms must still look like AWS to the caller
        log.exception("mockkms failed while answering %s", operation)
        return encode_error(AWSError("KMSInternalException",
                                     f"mockkms internal error in {operation}: {type(exc).__name__}: {exc}", 500),
                            request, params)
