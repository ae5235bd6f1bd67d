"""The one exception type every layer raises to answer a call with an AWS error.

Wire, model and service code all fail the same way: raise :class:`AWSError` with
the exact code and message real KMS sends.  The wire layer turns it into the JSON
1.1 error body, so nothing above it ever sees a Python traceback.
"""
from __future__ import annotations

from typing import Optional


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
