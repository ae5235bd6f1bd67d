"""Model-driven input validation, worded exactly as AWS (Coral) words it.

One walker serves all 54 operations: it checks required members, string and
blob lengths, integer ranges, enums and patterns from botocore's shapes, and
reports every violation in one ``ValidationException``::

    1 validation error detected: Value 'x' at 'keySpec' failed to satisfy
    constraint: Member must satisfy enum value set: [...]

Paths use lowerCamelCase member names and 1-based ``.member`` list items
(``tags.1.member.tagKey``).  Sensitive members never echo their value.
"""
from __future__ import annotations

import datetime as _dt
import functools
import re
from typing import Any, List

from botocore.model import OperationModel, Shape

from ..errors import validation_error


def lower_camel(name: str) -> str:
    return name[:1].lower() + name[1:]


@functools.lru_cache(maxsize=None)
def _pattern(pattern: str) -> "re.Pattern[str]":
    """The model's (Java) pattern as Python sees it: ``\\w``, ``\\d``, ``\\s`` are ASCII-only in Java."""
    return re.compile(pattern, re.ASCII)


def _java_length(value: str) -> int:
    """String length as Java counts it (UTF-16 code units)."""
    if value.isascii():
        return len(value)
    return len(value.encode("utf-16-le")) // 2


def render_value(value: Any) -> str:
    """A value as Java's ``toString`` renders it inside Coral's messages."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (bytes, bytearray)):
        n = len(value)
        return f"java.nio.HeapByteBuffer[pos=0 lim={n} cap={n}]"
    if isinstance(value, list):
        return "[" + ", ".join(render_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{render_value(k)}={render_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, _dt.datetime):
        return value.strftime("%a %b %d %H:%M:%S UTC %Y")
    return str(value)


def _clause(value: Any, path: str, shape: Shape, rule: str) -> str:
    if value is None:
        shown = "Value null"
    elif shape.metadata.get("sensitive"):
        shown = "Value"
    else:
        shown = f"Value '{render_value(value)}'"
    return f"{shown} at '{path}' failed to satisfy constraint: {rule}"


def _check(shape: Shape, value: Any, path: str, errors: List[str]) -> None:
    kind = shape.type_name
    meta = shape.metadata
    if kind == "structure":
        for name in shape.required_members:
            if value.get(name) is None:
                errors.append(_clause(None, _join(path, name), shape.members[name], "Member must not be null"))
        for name, item in value.items():
            if item is not None:  # an explicit None is an absent member, as on the wire
                _check(shape.members[name], item, _join(path, name), errors)
        return
    if kind == "list":
        _length(shape, value, len(value), path, errors)
        for i, item in enumerate(value, 1):
            _check(shape.member, item, f"{path}.{i}.member", errors)
        return
    if kind == "map":
        _length(shape, value, len(value), path, errors)
        for key, item in value.items():
            _check(shape.key, key, f"{path}.{key}.key", errors)
            _check(shape.value, item, f"{path}.{key}.value", errors)
        return
    if kind == "string":
        enum = shape.enum
        if enum and value not in enum:
            errors.append(_clause(value, path, shape,
                                  "Member must satisfy enum value set: [" + ", ".join(enum) + "]"))
            return
        _length(shape, value, _java_length(value), path, errors)
        pattern = meta.get("pattern")
        # Coral matches the whole value (Java's Matcher.matches), even for unanchored
        # patterns: one non-Latin-1 character anywhere in a policy breaks ``[\u0020-\u00FF]+``.
        if pattern is not None and not _pattern(pattern).fullmatch(value):
            errors.append(_clause(value, path, shape, f"Member must satisfy regular expression pattern: {pattern}"))
        return
    if kind == "blob":
        _length(shape, value, len(value), path, errors)
        return
    if kind in ("integer", "long"):
        if "min" in meta and value < meta["min"]:
            errors.append(_clause(value, path, shape, f"Member must have value greater than or equal to {meta['min']}"))
        if "max" in meta and value > meta["max"]:
            errors.append(_clause(value, path, shape, f"Member must have value less than or equal to {meta['max']}"))


def _length(shape: Shape, value: Any, length: int, path: str, errors: List[str]) -> None:
    meta = shape.metadata
    if "min" in meta and length < meta["min"]:
        errors.append(_clause(value, path, shape, f"Member must have length greater than or equal to {meta['min']}"))
    if "max" in meta and length > meta["max"]:
        errors.append(_clause(value, path, shape, f"Member must have length less than or equal to {meta['max']}"))


def _join(path: str, name: str) -> str:
    return f"{path}.{lower_camel(name)}" if path else lower_camel(name)


def validate(operation: OperationModel, params: dict) -> None:
    """Raise ValidationException listing every model constraint ``params`` breaks."""
    shape = operation.input_shape
    if shape is None:
        return
    errors: List[str] = []
    _check(shape, params, "", errors)
    if errors:
        count = len(errors)
        noun = "error" if count == 1 else "errors"
        raise validation_error(f"{count} validation {noun} detected: " + "; ".join(errors))
