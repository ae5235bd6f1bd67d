"""IAM condition operators, evaluated against a request's condition context.

A ``Condition`` block holds operators; each operator holds condition keys; each
key holds one or more values.  Every operator and every key must hold (AND); a
key holds when the request's value matches any listed value (OR) — for negated
operators, when it matches none.  ``…IfExists`` holds when the key is absent;
``ForAnyValue:`` / ``ForAllValues:`` compare multi-valued keys as sets.  Keys
are matched case-insensitively, as IAM does.
"""
from __future__ import annotations

import datetime as _dt
from typing import Any, Callable, Dict, List, Optional

Context = Dict[str, Any]  # lower-cased condition key -> str, bool, number, datetime or list of those


class PolicyError(ValueError):
    """A policy that cannot be evaluated (unknown operator, bad value)."""


def _glob(pattern: str, value: str, ignore_case: bool = False) -> bool:
    """``*`` matches any run, ``?`` one character: the classic two-pointer matcher, which
    backtracks only to the last ``*`` and so takes at most len(pattern) * len(value) steps
    (a regex with many ``.*`` can take exponential time on a hostile value)."""
    if ignore_case:
        pattern, value = pattern.lower(), value.lower()
    p = v = 0
    star = -1
    resume = 0
    while v < len(value):
        if p < len(pattern) and (pattern[p] == "?" or pattern[p] == value[v]):
            p += 1
            v += 1
        elif p < len(pattern) and pattern[p] == "*":
            star, resume = p, v
            p += 1
        elif star != -1:
            p = star + 1
            resume += 1
            v = resume
        else:
            return False
    while p < len(pattern) and pattern[p] == "*":
        p += 1
    return p == len(pattern)


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, _dt.datetime):
        return value.isoformat()
    return str(value)


def _as_number(value: Any) -> Optional[float]:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _as_date(value: Any) -> Optional[_dt.datetime]:
    if isinstance(value, _dt.datetime):
        return value
    number = _as_number(value)
    if number is not None:
        try:
            return _dt.datetime.fromtimestamp(number, _dt.timezone.utc)
        except (OverflowError, ValueError, OSError):  # nan, inf, or beyond any datetime
            return None
    try:
        parsed = _dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=_dt.timezone.utc)


def _compare(convert: Callable[[Any], Any], test: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def match(actual: Any, expected: Any) -> bool:
        a, e = convert(actual), convert(expected)
        return a is not None and e is not None and test(a, e)
    return match


def _arn_like(actual: Any, expected: Any) -> bool:
    return _glob(str(expected), str(actual))


#: operator -> (matches(request value, policy value), negated)
_OPERATORS: Dict[str, "tuple[Callable[[Any, Any], bool], bool]"] = {
    "stringequals": (lambda a, e: _as_text(a) == _as_text(e), False),
    "stringnotequals": (lambda a, e: _as_text(a) == _as_text(e), True),
    "stringequalsignorecase": (lambda a, e: _as_text(a).lower() == _as_text(e).lower(), False),
    "stringnotequalsignorecase": (lambda a, e: _as_text(a).lower() == _as_text(e).lower(), True),
    "stringlike": (lambda a, e: _glob(_as_text(e), _as_text(a)), False),
    "stringnotlike": (lambda a, e: _glob(_as_text(e), _as_text(a)), True),
    "numericequals": (_compare(_as_number, lambda a, e: a == e), False),
    "numericnotequals": (_compare(_as_number, lambda a, e: a == e), True),
    "numericlessthan": (_compare(_as_number, lambda a, e: a < e), False),
    "numericlessthanequals": (_compare(_as_number, lambda a, e: a <= e), False),
    "numericgreaterthan": (_compare(_as_number, lambda a, e: a > e), False),
    "numericgreaterthanequals": (_compare(_as_number, lambda a, e: a >= e), False),
    "dateequals": (_compare(_as_date, lambda a, e: a == e), False),
    "datenotequals": (_compare(_as_date, lambda a, e: a == e), True),
    "datelessthan": (_compare(_as_date, lambda a, e: a < e), False),
    "datelessthanequals": (_compare(_as_date, lambda a, e: a <= e), False),
    "dategreaterthan": (_compare(_as_date, lambda a, e: a > e), False),
    "dategreaterthanequals": (_compare(_as_date, lambda a, e: a >= e), False),
    "bool": (lambda a, e: _as_text(a).lower() == _as_text(e).lower(), False),
    "arnequals": (lambda a, e: str(a) == str(e), False),
    "arnnotequals": (lambda a, e: str(a) == str(e), True),
    "arnlike": (_arn_like, False),
    "arnnotlike": (_arn_like, True),
}


def _values(raw: Any) -> List[Any]:
    return list(raw) if isinstance(raw, list) else [raw]


def check_block(block: Any) -> None:
    """Raise :class:`PolicyError` unless ``block`` is a Condition block this module can evaluate."""
    if not isinstance(block, dict):
        raise PolicyError("Condition must be an object")
    for operator, keys in block.items():
        name = operator.lower()
        for prefix in ("foranyvalue:", "forallvalues:"):
            if name.startswith(prefix):
                name = name[len(prefix):]
        if name.endswith("ifexists"):
            name = name[:-len("ifexists")]
        if name != "null" and name not in _OPERATORS:
            raise PolicyError(f"unknown condition operator {operator}")
        if not isinstance(keys, dict):
            raise PolicyError(f"{operator} must map condition keys to values")


def holds(block: Dict[str, Dict[str, Any]], context: Context) -> bool:
    """Whether a (checked) Condition block holds for ``context``."""
    for operator, keys in block.items():
        for key, expected in keys.items():
            if not _key_holds(operator, key.lower(), _values(expected), context):
                return False
    return True


def _key_holds(operator: str, key: str, expected: List[Any], context: Context) -> bool:
    name = operator.lower()
    set_mode = None
    for prefix in ("foranyvalue:", "forallvalues:"):
        if name.startswith(prefix):
            set_mode, name = prefix[:-1], name[len(prefix):]
    if_exists = name.endswith("ifexists")
    if if_exists:
        name = name[:-len("ifexists")]
    present = key in context and context[key] is not None
    if not expected:
        return False  # a condition listing no values holds for nothing
    if name == "null":
        wants_absent = str(expected[0]).lower() == "true"
        return wants_absent != present
    if not present:
        if set_mode == "forallvalues":
            return True
        if set_mode == "foranyvalue":
            return False
        _, negated = _OPERATORS[name]
        return if_exists or negated
    match, negated = _OPERATORS[name]
    actual = context[key]
    actual_values = actual if isinstance(actual, list) else [actual]

    def matches(value: Any) -> bool:
        hit = any(match(value, e) for e in expected)
        return not hit if negated else hit

    if set_mode == "forallvalues":
        return all(matches(v) for v in actual_values)
    if negated and set_mode is None:
        return all(matches(v) for v in actual_values)
    return any(matches(v) for v in actual_values)


def glob_match(pattern: str, value: str, ignore_case: bool = False) -> bool:
    """IAM wildcard matching (``*`` any run, ``?`` one character), for actions and resources."""
    return _glob(pattern, value, ignore_case)
