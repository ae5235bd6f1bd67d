"""Convert between JSON 1.1 values and Python values, shape by shape.

Requests arrive as JSON (blobs in base64, timestamps as epoch numbers); the
service works with bytes and aware datetimes.  Responses go the other way.  A
JSON value of the wrong type is a ``SerializationException``, as in AWS.  A JSON
``null`` means "absent" wherever it appears (member, list item, map value), so
the validator and the handlers never meet a ``None`` inside the parameters.
"""
from __future__ import annotations

import base64
import binascii
import datetime as _dt
import functools
from typing import Any, Callable, Dict

from botocore.model import Shape
from botocore.utils import parse_timestamp as botocore_parse_timestamp

from ..errors import AWSError

_UTC = _dt.timezone.utc
_JSON_TYPE = {str: "STRING_VALUE", bool: "VALUE_TRUE", int: "NUMBER_VALUE", float: "NUMBER_VALUE",
              list: "START_ARRAY", dict: "START_OBJECT", type(None): "VALUE_NULL"}
_JAVA_TYPE = {"string": "a String", "integer": "an Integer", "long": "a Long", "boolean": "a Boolean",
              "blob": "a ByteBuffer", "timestamp": "a Date", "double": "a Double", "float": "a Float"}


def _type_error(value: Any, shape: Shape) -> AWSError:
    token = _JSON_TYPE.get(type(value), "VALUE")
    if isinstance(value, bool):
        token = "VALUE_TRUE" if value else "VALUE_FALSE"
    if shape.type_name in ("structure", "map"):
        return AWSError("SerializationException", "Start of structure or map found where not expected.")
    if shape.type_name == "list":
        return AWSError("SerializationException", "Start of list found where not expected")
    return AWSError("SerializationException",
                    f"{token} can not be converted to {_JAVA_TYPE.get(shape.type_name, 'a value')}")


def decode(shape: Shape, value: Any) -> Any:
    """JSON value -> Python value for ``shape``; unknown structure members are ignored (as Coral does)."""
    if value is None:
        return None
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            raise _type_error(value, shape)
        members = shape.members
        out = {}
        for name, item in value.items():
            member = members.get(name)
            if member is not None and item is not None:
                out[name] = decode(member, item)
        return out
    if kind == "list":
        if not isinstance(value, list):
            raise _type_error(value, shape)
        return [decode(shape.member, item) for item in value if item is not None]
    if kind == "map":
        if not isinstance(value, dict):
            raise _type_error(value, shape)
        return {decode(shape.key, k): decode(shape.value, v) for k, v in value.items() if v is not None}
    if kind == "string":
        if not isinstance(value, str):
            raise _type_error(value, shape)
        return value
    if kind == "blob":
        if not isinstance(value, str):
            raise _type_error(value, shape)
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise AWSError("SerializationException", "Base64 encoded value is invalid") from None
    if kind in ("integer", "long"):
        if isinstance(value, float) and value.is_integer():  # 3.0 is 3; inf and nan are not integers
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise _type_error(value, shape)
        return value
    if kind == "boolean":
        if not isinstance(value, bool):
            raise _type_error(value, shape)
        return value
    if kind == "timestamp":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _type_error(value, shape)
        try:
            return _dt.datetime.fromtimestamp(value, _UTC)
        except (OverflowError, ValueError, OSError):  # 1e400, nan, or beyond datetime's years
            raise _type_error(value, shape) from None
    return value


def _identity(value: Any) -> Any:
    return value


def _encode_blob(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


def _encode_timestamp(value: _dt.datetime) -> float:
    return round(value.timestamp(), 3)


@functools.lru_cache(maxsize=4096)
def _parse_epoch(value: float) -> _dt.datetime:
    return botocore_parse_timestamp(value)


def _parsed_timestamp(value: _dt.datetime) -> _dt.datetime:
    """What botocore's parser makes of the epoch number ``_encode_timestamp`` writes.

    Memoised: botocore builds a local-timezone object per timestamp (~8 us), and a
    datetime is immutable, so one parse per distinct millisecond is enough.
    """
    return _parse_epoch(_encode_timestamp(value))


def _compile(shape: Shape, blob: Callable[[Any], Any], timestamp: Callable[[Any], Any],
             cache: Dict[Shape, Callable[[Any], Any]]) -> Callable[[Any], Any]:
    """A converter for values of ``shape``, built once per shape.

    Members that need no conversion (strings, numbers, booleans) are passed
    through as they are, so converting stays cheap on the hot path.  A member the
    shape does not have is a KeyError: responses must match the model.
    """
    if shape in cache:
        return cache[shape]
    kind = shape.type_name
    convert: Callable[[Any], Any] = _identity
    if kind == "blob":
        convert = blob
    elif kind == "timestamp":
        convert = timestamp
    elif kind == "list":
        item = _compile(shape.member, blob, timestamp, cache)
        convert = list if item is _identity else (lambda values: [item(v) for v in values])
    elif kind == "map":
        val = _compile(shape.value, blob, timestamp, cache)
        convert = dict if val is _identity else (lambda values: {k: val(v) for k, v in values.items()})
    elif kind == "structure":
        members = {name: _compile(member, blob, timestamp, cache) for name, member in shape.members.items()}

        ordered = tuple(members.items())

        def convert(values: dict) -> dict:  # type: ignore[misc]
            # In the model's member order, as botocore's parser builds it.
            out = {name: conv(values[name]) for name, conv in ordered if values.get(name) is not None}
            if len(out) != len(values):
                unknown = [k for k, v in values.items() if v is not None and k not in members]
                if unknown:
                    raise KeyError(f"{shape.name} has no member {unknown[0]}")
            return out

    cache[shape] = convert
    return convert


_JSON_FORM: Dict[Shape, Callable[[Any], Any]] = {}
_PARSED_FORM: Dict[Shape, Callable[[Any], Any]] = {}


def encoder(shape: Shape) -> Callable[[Any], Any]:
    """Python value of ``shape`` -> its JSON 1.1 form (base64 blobs, epoch-second timestamps)."""
    return _compile(shape, _encode_blob, _encode_timestamp, _JSON_FORM)


def parsed_form(shape: Shape) -> Callable[[Any], Any]:
    """Python value of ``shape`` -> exactly what botocore's JSON parser returns for its JSON form.

    Lets the in-process path skip writing JSON only for botocore to read it back;
    the test suite checks, for every response, that both roads give equal results.
    """
    return _compile(shape, bytes, _parsed_timestamp, _PARSED_FORM)
