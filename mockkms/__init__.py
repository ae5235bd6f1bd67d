"""mockkms: AWS KMS for tests, in-process, behaving like the real service.

    from mockkms import mock_kms

    with mockkms.serve() as server:     # an HTTP endpoint at server.url
        ...
"""
from .calls import CallLog, CallRecord
from .mock import MockKMS, current_mock, mock_kms

__all__ = ["mock_kms", "MockKMS", "current_mock", "CallLog", "CallRecord", "serve"]


def __getattr__(name: str):  # the server's modules load only when asked for
    if name in ("serve", "Server"):
        from . import server
        return getattr(server, name)
    raise AttributeError(f"module 'mockkms' has no attribute {name!r}")
__version__ = "0.1.0"
