"""mockkms: AWS KMS for tests, in-process, behaving like the real service.

    from mockkms import mock_kms
"""
from .calls import CallLog, CallRecord
from .mock import MockKMS, current_mock, mock_kms

__all__ = ["mock_kms", "MockKMS", "current_mock", "CallLog", "CallRecord"]
__version__ = "0.1.0"
