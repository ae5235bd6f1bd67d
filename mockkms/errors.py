"""The one exception type every layer raises to answer a call with an AWS error.

Wire, model and service code all fail the same way: raise :class:`AWSError` with
the exact code and message real KMS sends.  The wire layer turns it into the JSON
1.1 error body, so nothing above it ever sees a Python traceback.
"""
from __future__ import annotations

from typing import List, Optional


class AWSError(Exception):
    """An error response: ``__type`` code, optional message, HTTP status.

    ``message=None`` means AWS sends no message at all (InvalidCiphertextException,
    KMSInvalidSignatureException, ...): the body then has no ``message`` member.
    """

    def __init__(self, code: str, message: Optional[str] = None, status: int = 400):
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code
        self.message = message
        self.status = status


def validation_error(message: Optional[str]) -> AWSError:
    return AWSError("ValidationException", message)


def coral_clause(path: str, rule: str, value: Optional[str] = None, hidden: bool = False) -> str:
    """One violation as AWS words it: ``Value 'v' at 'path' failed to satisfy constraint: rule``.

    ``value`` is already rendered; None means the member was missing (``Value null``),
    ``hidden`` that it is sensitive and never echoed (``Value at ...``).
    """
    if value is None:
        shown = "Value null"
    elif hidden:
        shown = "Value"
    else:
        shown = f"Value '{value}'"
    return f"{shown} at '{path}' failed to satisfy constraint: {rule}"


def coral_validation_error(clauses: List[str]) -> AWSError:
    """``N validation error(s) detected: clause; clause`` — the model checks' and operations' own."""
    count = len(clauses)
    noun = "error" if count == 1 else "errors"
    return validation_error(f"{count} validation {noun} detected: " + "; ".join(clauses))
