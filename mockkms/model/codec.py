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
from typing import Any, Callable

from botocore.model import Shape

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


@functools.lru_cache(maxsize=None)
def encoder(shape: Shape) -> Callable[[Any], Any]:
    """A function turning a Python value of ``shape`` into its JSON form.

    Built once per shape: members that need no conversion (strings, numbers,
    booleans) are copied as they are, so encoding stays cheap on the hot path.
    A member the shape does not have is an error: responses must match the model.
    """
    kind = shape.type_name
    if kind == "blob":
        return _encode_blob
    if kind == "timestamp":
        return _encode_timestamp
    if kind == "list":
        item = encoder(shape.member)
        if item is _identity:
            return list
        return lambda values: [item(v) for v in values]
    if kind == "map":
        val = encoder(shape.value)
        if val is _identity:
            return dict
        return lambda values: {k: val(v) for k, v in values.items()}
    if kind == "structure":
        members = {name: encoder(member) for name, member in shape.members.items()}

        def encode_structure(values: dict) -> dict:
            out = {}
            for name, item in values.items():
                if item is None:
                    continue
                out[name] = members[name](item)
            return out

        return encode_structure
    return _identity
