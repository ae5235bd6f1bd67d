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
import re
from typing import Any, Callable, Dict, FrozenSet, List

from botocore.model import OperationModel, Shape

from ..errors import coral_clause, coral_validation_error
from . import built_once, constraints


def lower_camel(name: str) -> str:
    return name[:1].lower() + name[1:]


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
    shown = None if value is None else render_value(value)
    return coral_clause(path, rule, shown, hidden=bool(shape.metadata.get("sensitive")))


Checker = Callable[[Any, str, List[str]], None]
_CHECKERS: Dict[Shape, Checker] = {}


def _no_check(value: Any, path: str, errors: List[str]) -> None:
    return None


def _checker(shape: Shape) -> Checker:
    """The constraint check for ``shape``, built once from the model and cached.

    A check appends Coral-worded clauses to ``errors``; it never raises, so one
    request's every violation is reported together, as AWS does.
    """
    return built_once(_CHECKERS, shape, _build)


def _build(shape: Shape) -> Checker:
    kind = shape.type_name
    if kind == "structure":
        return _structure_checker(shape)
    if kind == "list":
        length = _length_checker(shape)
        item = _checker(shape.member)

        def check_list(value: Any, path: str, errors: List[str]) -> None:
            length(value, len(value), path, errors)
            for i, entry in enumerate(value, 1):
                item(entry, f"{path}.{i}.member", errors)
        return check_list
    if kind == "map":
        length = _length_checker(shape)
        key_check, value_check = _checker(shape.key), _checker(shape.value)

        def check_map(value: Any, path: str, errors: List[str]) -> None:
            length(value, len(value), path, errors)
            for key, entry in value.items():
                key_check(key, f"{path}.{key}.key", errors)
                value_check(entry, f"{path}.{key}.value", errors)
        return check_map
    if kind == "string":
        return _string_checker(shape)
    if kind == "blob":
        return _blob_checker(shape)
    if kind in ("integer", "long"):
        return _range_checker(shape)
    return _no_check


def _structure_checker(shape: Shape) -> Checker:
    members = {name: (lower_camel(name), _checker(member)) for name, member in shape.members.items()}
    required = [(name, lower_camel(name), shape.members[name]) for name in shape.required_members]

    def check_structure(value: Any, path: str, errors: List[str]) -> None:
        prefix = path + "." if path else ""
        for name, camel, member in required:
            if value.get(name) is None:
                errors.append(_clause(None, prefix + camel, member, "Member must not be null"))
        for name, item in value.items():
            if item is not None:  # an explicit None is an absent member, as on the wire
                camel, check = members[name]
                check(item, prefix + camel, errors)
    return check_structure


def _string_checker(shape: Shape) -> Checker:
    enum = shape.enum
    allowed = frozenset(enum) if enum else None
    enum_rule = "Member must satisfy enum value set: [" + ", ".join(enum) + "]" if enum else ""
    length = _length_checker(shape)
    pattern_text = shape.metadata.get("pattern")
    pattern = constraints.shape_pattern(shape)
    low, high = constraints.limits(shape)

    def check_string(value: Any, path: str, errors: List[str]) -> None:
        if allowed is not None and value not in allowed:
            errors.append(_clause(value, path, shape, enum_rule))
            return
        size = len(value) if value.isascii() else constraints.java_length(value)
        if not low <= size <= high:  # the usual case checks inline; the clauses come from ``length``
            length(value, size, path, errors)
        # Coral matches the whole value (Java's Matcher.matches), even for unanchored
        # patterns: one non-Latin-1 character anywhere in a policy breaks ``[\u0020-\u00FF]+``.
        if pattern is not None and not pattern.fullmatch(value):
            errors.append(_clause(value, path, shape, f"Member must satisfy regular expression pattern: {pattern_text}"))
    return check_string


def _blob_checker(shape: Shape) -> Checker:
    length = _length_checker(shape)
    low, high = constraints.limits(shape)

    def check_blob(value: Any, path: str, errors: List[str]) -> None:
        if not low <= len(value) <= high:
            length(value, len(value), path, errors)
    return check_blob


def _bounds_checker(shape: Shape, what: str) -> Callable[[Any, Any, str, List[str]], None]:
    """Min/max check on a measure of the value (its length, or the value itself)."""
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if low is None and high is None:
        return lambda value, measure, path, errors: None
    below = f"Member must have {what} greater than or equal to {low}"
    above = f"Member must have {what} less than or equal to {high}"

    def check_bounds(value: Any, measure: Any, path: str, errors: List[str]) -> None:
        if low is not None and measure < low:
            errors.append(_clause(value, path, shape, below))
        if high is not None and measure > high:
            errors.append(_clause(value, path, shape, above))
    return check_bounds


def _length_checker(shape: Shape) -> Callable[[Any, int, str, List[str]], None]:
    return _bounds_checker(shape, "length")


def _range_checker(shape: Shape) -> Checker:
    bounds = _bounds_checker(shape, "value")
    return lambda value, path, errors: bounds(value, value, path, errors)


_ENUM_LIST = re.compile(r"(Member must satisfy enum value set: \[)([^\]]*)(\])")


def _without(clause: str, withheld: FrozenSet[str]) -> str:
    def keep(match: "re.Match[str]") -> str:
        values = [v for v in match.group(2).split(", ") if v not in withheld]
        return match.group(1) + ", ".join(values) + match.group(3)
    return _ENUM_LIST.sub(keep, clause)


def validate(operation: OperationModel, params: dict, withheld: FrozenSet[str] = frozenset()) -> None:
    """Raise ValidationException listing every model constraint ``params`` breaks.

    Enum lists in the message leave out ``withheld`` values (ones the endpoint's
    Region does not offer, as AWS's own lists do).
    """
    validator(operation)(params, withheld)


Validator = Callable[[dict, FrozenSet[str]], None]


def validator(operation: OperationModel) -> Validator:
    """:func:`validate` for one operation, with its shape's checks looked up once."""
    shape = operation.input_shape
    if shape is None:
        return _no_input
    check = _checker(shape)

    def validate_input(params: dict, withheld: FrozenSet[str]) -> None:
        errors: List[str] = []
        check(params, "", errors)
        if errors:
            if withheld:
                errors = [_without(clause, withheld) for clause in errors]
            raise coral_validation_error(errors)
    return validate_input


def _no_input(params: dict, withheld: FrozenSet[str]) -> None:
    return None
