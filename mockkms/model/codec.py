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
import time
from typing import Any, Callable, Dict, FrozenSet

from botocore.model import Shape
from botocore.utils import get_tzinfo_options
from botocore.utils import parse_timestamp as botocore_parse_timestamp

from ..errors import AWSError
from . import built_once, constraints

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
    return decoder(shape)(value)


_DECODERS: Dict[Shape, Callable[[Any], Any]] = {}


def decoder(shape: Shape) -> Callable[[Any], Any]:
    """The JSON -> Python conversion for ``shape`` (never given None), built once and cached."""
    return built_once(_DECODERS, shape, _build_decoder)


def _expect(kind: type, shape: Shape) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if not isinstance(value, kind):
            raise _type_error(value, shape)
        return value
    return check


def _build_decoder(shape: Shape) -> Callable[[Any], Any]:
    kind = shape.type_name
    if kind == "structure":
        members = {name: decoder(member) for name, member in shape.members.items()}

        def decode_structure(value: Any) -> Any:
            if not isinstance(value, dict):
                raise _type_error(value, shape)
            out = {}
            for name, item in value.items():
                member = members.get(name)
                if member is not None and item is not None:
                    out[name] = member(item)
            return out
        return decode_structure
    if kind == "list":
        item_decoder = decoder(shape.member)

        def decode_list(value: Any) -> Any:
            if not isinstance(value, list):
                raise _type_error(value, shape)
            return [item_decoder(item) for item in value if item is not None]
        return decode_list
    if kind == "map":
        key_decoder, value_decoder = decoder(shape.key), decoder(shape.value)

        def decode_map(value: Any) -> Any:
            if not isinstance(value, dict):
                raise _type_error(value, shape)
            return {key_decoder(k): value_decoder(v) for k, v in value.items() if v is not None}
        return decode_map
    if kind == "string":
        return _expect(str, shape)
    if kind == "boolean":
        return _expect(bool, shape)
    if kind == "blob":
        def decode_blob(value: Any) -> bytes:
            if not isinstance(value, str):
                raise _type_error(value, shape)
            try:
                return base64.b64decode(value, validate=True)
            except (binascii.Error, ValueError):
                raise AWSError("SerializationException", "Base64 encoded value is invalid") from None
        return decode_blob
    if kind in ("integer", "long"):
        def decode_integer(value: Any) -> int:
            if isinstance(value, float) and value.is_integer():  # 3.0 is 3; inf and nan are not integers
                value = int(value)
            if isinstance(value, bool) or not isinstance(value, int):
                raise _type_error(value, shape)
            return value
        return decode_integer
    if kind == "timestamp":
        def decode_timestamp(value: Any) -> _dt.datetime:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise _type_error(value, shape)
            try:
                return _dt.datetime.fromtimestamp(value, _UTC)
            except (OverflowError, ValueError, OSError):  # 1e400, nan, or beyond datetime's years
                raise _type_error(value, shape) from None
        return decode_timestamp
    return _identity


def _identity(value: Any) -> Any:
    return value


# -- the caller's own arguments ---------------------------------------------------------------
class NotPlain(Exception):
    """An argument the reader does not take as it is: the request body is decoded instead."""


_READERS: Dict[Shape, Callable[[Any], Any]] = {}


def argument_reader(shape: Shape) -> Callable[[Any], Any]:
    """The caller's own (client-side validated) argument of ``shape`` -> what :func:`decoder` makes
    of the JSON botocore serialises from it, without the JSON; only for an argument the
    validator would pass as it is.

    Only plain values are taken: ``str`` for strings, ``bytes`` (or ``bytearray``, or ``str``,
    which botocore sends as UTF-8) for blobs, ``bool``, ``int``, ``list``/``tuple``, ``dict``;
    and only within the model's constraints (required members, lengths, ranges, enums,
    patterns), so an argument read here needs no validation pass.  Anything else (a
    timestamp, a file object, a None, a member the shape lacks, a value of the wrong type
    from a client without parameter validation, a value breaking a constraint) raises
    :class:`NotPlain`: the body botocore serialised is then decoded and validated as usual,
    which words the errors.  The test suite checks, for every call, that both roads give
    the same parameters, and that what this reader takes passes the validator.
    """
    return built_once(_READERS, shape, _build_reader)


def _read_int(shape: Shape) -> Callable[[Any], Any]:
    low, high = constraints.limits(shape)

    def read_int(value: Any) -> Any:
        if type(value) is not int or not low <= value <= high:
            raise NotPlain()
        return value
    return read_int


def _read_bool(value: Any) -> Any:
    if type(value) is not bool:
        raise NotPlain()
    return value


def _read_string(shape: Shape) -> Callable[[Any], Any]:
    enum = shape.enum
    allowed = frozenset(enum) if enum else None
    low, high = constraints.limits(shape)
    pattern = constraints.shape_pattern(shape)

    def read_string(value: Any) -> str:
        if type(value) is not str:
            raise NotPlain()
        if value.isascii():
            size = len(value)
        else:
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                # Surrogates: JSON joins an escaped pair into one character, so only the body
                # says what the service receives.
                raise NotPlain() from None
            size = constraints.java_length(value)
        if (allowed is not None and value not in allowed) or not low <= size <= high or \
                (pattern is not None and not pattern.fullmatch(value)):
            raise NotPlain()
        return value
    return read_string


def _read_blob(shape: Shape) -> Callable[[Any], Any]:
    low, high = constraints.limits(shape)

    def read_blob(value: Any) -> bytes:
        kind = type(value)
        if kind is bytearray:
            value = bytes(value)
        elif kind is str:
            try:
                value = value.encode("utf-8")
            except UnicodeEncodeError:  # botocore would not have sent it either
                raise NotPlain() from None
        elif kind is not bytes:
            raise NotPlain()
        if not low <= len(value) <= high:
            raise NotPlain()
        return value
    return read_blob


def _build_reader(shape: Shape) -> Callable[[Any], Any]:
    kind = shape.type_name
    low, high = constraints.limits(shape)
    if kind == "structure":
        members = {name: argument_reader(member) for name, member in shape.members.items()}
        required = tuple(shape.required_members)

        def read_structure(value: Any) -> Any:
            if type(value) is not dict:
                raise NotPlain()
            out = {}
            for name, item in value.items():
                member = members.get(name)
                if member is None or item is None:
                    raise NotPlain()
                out[name] = member(item)
            for name in required:
                if name not in out:
                    raise NotPlain()
            return out
        return read_structure
    if kind == "list":
        item_reader = argument_reader(shape.member)

        def read_list(value: Any) -> Any:
            if type(value) is not list and type(value) is not tuple or not low <= len(value) <= high:
                raise NotPlain()
            return [item_reader(item) for item in value]
        return read_list
    if kind == "map":
        key_reader, value_reader = argument_reader(shape.key), argument_reader(shape.value)

        def read_map(value: Any) -> Any:
            if type(value) is not dict or not low <= len(value) <= high:
                raise NotPlain()
            return {key_reader(k): value_reader(v) for k, v in value.items()}
        return read_map
    if kind == "string":
        return _read_string(shape)
    if kind == "boolean":
        return _read_bool
    if kind in ("integer", "long"):
        return _read_int(shape)
    if kind == "blob":
        return _read_blob(shape)
    return _not_plain


def _not_plain(value: Any) -> Any:
    raise NotPlain()


def _encode_blob(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


def _encode_timestamp(value: _dt.datetime) -> float:
    return round(value.timestamp(), 3)


_LOCAL_ZONES: Dict[Any, Any] = {}


def _zone(setting: Any) -> Any:
    zone = _LOCAL_ZONES.get(setting)
    if zone is None:
        zone = _LOCAL_ZONES[setting] = get_tzinfo_options()[0]()
    return zone


@functools.lru_cache(maxsize=256)
def _local_second(second: int, setting: Any) -> Any:
    """(UTC offset, fold, zone) of the local time zone during one epoch second."""
    local = _dt.datetime.fromtimestamp(second, _zone(setting))
    return local.utcoffset(), local.fold, local.tzinfo


@functools.lru_cache(maxsize=4096)
def _from_epoch(epoch: float, setting: Any) -> _dt.datetime:
    """Equal to botocore's parse of an epoch number (``fromtimestamp(epoch, tzlocal())``).

    botocore builds a dateutil ``tzlocal()`` per timestamp and lets it convert
    (~8 us, Python code).  Here the zone's offset and fold are worked out once per
    second, and the C-level UTC conversion does the rest; datetimes are immutable,
    so each value is also kept.  The test suite compares both for every response.
    """
    try:
        utc = _dt.datetime.fromtimestamp(epoch, _UTC)
        offset, fold, zone = _local_second(int(epoch // 1), setting)
        return (utc.replace(tzinfo=None) + offset).replace(tzinfo=zone, fold=fold)
    except (OSError, OverflowError, ValueError):
        return botocore_parse_timestamp(epoch)


_COMBINE = _dt.datetime.combine

#: [the ``time.tzname`` it was worked out for, the local zone's UTC offset, the zone] while the
#: local zone has no daylight saving time (its offset then never changes); offset None otherwise
_FIXED_ZONE: list = [None, None, None]


def _work_out_fixed_zone() -> None:
    setting = (time.timezone, time.altzone, time.daylight, time.tzname)
    if time.daylight:
        _FIXED_ZONE[:] = [time.tzname, None, None]
    else:
        offset, _, zone = _local_second(int(time.time()), setting)
        _FIXED_ZONE[:] = [time.tzname, offset, zone]


def _parsed_timestamp(value: _dt.datetime) -> _dt.datetime:
    """What botocore's parser makes of the epoch number ``_encode_timestamp`` writes.

    Most timestamps are whole milliseconds in UTC (the mock's clock): in a local zone
    without daylight saving time (a CI machine's UTC, say), that is the value moved by a
    fixed offset, with botocore's local zone attached.  Others take the epoch road.
    """
    if value.microsecond % 1000 == 0 and value.tzinfo is _UTC:
        if _FIXED_ZONE[0] is not time.tzname:
            _work_out_fixed_zone()
        offset = _FIXED_ZONE[1]
        if offset is not None:
            try:
                local = value + offset
            except OverflowError:  # the offset pushes it past datetime's years
                pass
            else:
                return _COMBINE(local, local.time(), _FIXED_ZONE[2])  # (datetime.replace costs 5x more)
    return _from_epoch(_encode_timestamp(value), (time.timezone, time.altzone, time.daylight, time.tzname))


#: converters of structures with nothing to convert (strings, numbers, booleans), with their members
_PLAIN_STRUCTURES: Dict[Callable[[Any], Any], FrozenSet[str]] = {}


def _plain_list(item: Callable[[Any], Any], known: FrozenSet[str]) -> Callable[[Any], Any]:
    """A list of such structures (ListKeys' entries): copied at C speed, with one pass to check
    that no item has a member the installed model lacks (then each item is converted alone).

    The check is one set union of every item's members (half the cost of testing them one by one)."""
    copy = dict.copy
    members = len(known)

    def convert_list(values: list) -> list:
        if len(known.union(*values)) == members:
            return list(map(copy, values))
        return [item(v) for v in values]
    return convert_list


def _compile(shape: Shape, blob: Callable[[Any], Any], timestamp: Callable[[Any], Any],
             cache: Dict[Shape, Callable[[Any], Any]]) -> Callable[[Any], Any]:
    """A converter for values of ``shape``, built once per shape.

    Members that need no conversion (strings, numbers, booleans) are passed
    through as they are, so converting stays cheap on the hot path.  A member the
    installed model's shape does not have (mockkms answers as today's KMS does; an
    older botocore may not know every member) is left out, as botocore's parser
    leaves out fields it does not know in a real response.
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
        if item is _identity:
            convert = list
        elif item in _PLAIN_STRUCTURES:
            convert = _plain_list(item, _PLAIN_STRUCTURES[item])
        else:
            convert = (lambda values: [item(v) for v in values])
    elif kind == "map":
        val = _compile(shape.value, blob, timestamp, cache)
        convert = dict if val is _identity else (lambda values: {k: val(v) for k, v in values.items()})
    elif kind == "structure":
        members = {name: _compile(member, blob, timestamp, cache) for name, member in shape.members.items()}
        converting = [(name, member) for name, member in members.items() if member is not _identity]
        known = frozenset(members)
        convert = _structure_converter(known, converting)
        if not converting:
            _PLAIN_STRUCTURES[convert] = known

    cache[shape] = convert
    return convert


def _structure_converter(known: FrozenSet[str], converting: "list[tuple[str, Callable[[Any], Any]]]") -> Callable[[dict], dict]:
    """A structure's converter, written out member by member (no loop over a member table:
    KeyMetadata has nine members to look at, and this runs on every answer).

    Handlers build results in the model's member order (botocore's parser's order; the
    test suite checks it) and never put None in them (the suite checks every response
    against its shape), so a copy keeps both; only the members that need converting
    (blobs, timestamps, nested ones) are visited.
    """
    lines = ["def convert(values):",
             "    if known.issuperset(values):",
             "        out = values.copy()",
             "    else:  # a member newer than the installed botocore: its parser would drop it too",
             "        out = {name: item for name, item in values.items() if name in known}"]
    namespace: Dict[str, Any] = {"known": known}
    for number, (name, member) in enumerate(converting):
        namespace[f"convert_{number}"] = member
        lines += [f"    item = out.get({name!r})",
                  "    if item is not None:",
                  f"        out[{name!r}] = convert_{number}(item)"]
    lines.append("    return out")
    exec("\n".join(lines), namespace)  # member names come from botocore's model: identifiers
    return namespace["convert"]  # type: ignore[no-any-return]


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
