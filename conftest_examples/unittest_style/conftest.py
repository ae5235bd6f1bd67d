"""A network guard for the whole directory, unittest-style tests included.

``@mock_kms`` keeps every KMS call in-process; this autouse fixture makes sure
nothing else sneaks out either (pytest applies autouse fixtures to
``unittest.TestCase`` tests too).  A test that opens a socket fails loudly
instead of quietly talking to AWS.
"""
import socket

import pytest


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError(f"this test tried to open a network connection: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
