"""The model's constraints on one value, as plain tests: shared by the validator, which words
Coral's clauses for values that break them, and the argument reader, which only takes values
that keep them (anything else goes the validator's way)."""
from __future__ import annotations

import functools
import re
from typing import Optional

from botocore.model import Shape


@functools.lru_cache(maxsize=None)
def pattern(text: str) -> "re.Pattern[str]":
    """The model's (Java) pattern as Python sees it: ``\\w``, ``\\d``, ``\\s`` are ASCII-only in Java."""
    return re.compile(text, re.ASCII)


def shape_pattern(shape: Shape) -> "Optional[re.Pattern[str]]":
    text = shape.metadata.get("pattern")
    return pattern(text) if text is not None else None


def java_length(value: str) -> int:
    """String length as Java counts it (UTF-16 code units)."""
    if value.isascii():
        return len(value)
    # Characters beyond the BMP take two UTF-16 units; a lone surrogate (JSON allows "\ud800")
    # takes one, as in Java, where encoding it would fail.
    return len(value) + sum(1 for c in value if c > "\uffff")


def limits(shape: Shape) -> "tuple[float, float]":
    """The shape's min/max (length, or value for numbers), unbounded where the model sets none."""
    return shape.metadata.get("min", 0 if shape.type_name not in ("integer", "long") else float("-inf")), \
        shape.metadata.get("max", float("inf"))
