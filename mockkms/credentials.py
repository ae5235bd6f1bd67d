"""Test credentials and a default Region while any mock is active.

Clients created inside a mock must work on a machine with no AWS setup, and
must never go looking for real credentials (that can mean network calls to
instance metadata or STS).  So while at least one mock is active, an
environment that names no access key gets a fake one, and one with no Region
gets the mock's; the environment is restored when the last mock stops.
Credentials already present are left alone: they are never sent anywhere,
because every KMS call is answered in-process.

A botocore session keeps the first credentials it resolves, so boto3's default
session, used inside the mock, would go on signing with the fake ones after it;
when the fakes go, that session forgets them.  (Swapping in a fresh default
session instead, as moto does, would cost every mock a reload of the service
models: ~40 ms on its first client.)
"""
from __future__ import annotations

import os
import threading
from typing import Any, Dict, Optional

import boto3

FAKE = {"AWS_ACCESS_KEY_ID": "mockkms-test-access-key", "AWS_SECRET_ACCESS_KEY": "mockkms-test-secret-key"}

_lock = threading.Lock()
_users = 0
_saved: Dict[str, Optional[str]] = {}


def acquire(region: str) -> None:
    global _users
    with _lock:
        _users += 1
        if _users > 1:
            return
        wanted: Dict[str, str] = {}
        if not os.environ.get("AWS_ACCESS_KEY_ID") and not os.environ.get("AWS_PROFILE"):
            wanted.update(FAKE)
        if not os.environ.get("AWS_DEFAULT_REGION"):
            # botocore reads only AWS_DEFAULT_REGION; an AWS_REGION (other SDKs, Lambda) is honoured.
            wanted["AWS_DEFAULT_REGION"] = os.environ.get("AWS_REGION") or region
        for name, value in wanted.items():
            _saved[name] = os.environ.get(name)
            os.environ[name] = value


def release() -> None:
    global _users
    with _lock:
        _users -= 1
        if _users > 0:
            return
        _forget_fake_credentials(boto3.DEFAULT_SESSION)
        for name, value in _saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        _saved.clear()


def _forget_fake_credentials(session: Any) -> None:
    """Make boto3's default session resolve credentials afresh if it cached the fake ones."""
    core = getattr(session, "_session", None)
    cached = getattr(core, "_credentials", None)
    if cached is not None and getattr(cached, "access_key", None) == FAKE["AWS_ACCESS_KEY_ID"]:
        core._credentials = None
