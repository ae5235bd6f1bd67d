"""KMS semantics: one handler per operation, grouped by family in sibling modules.

``dispatch`` is the one door in: it holds the world's lock, starts the
:class:`~.request.Request` the transport made (which first lets happen what the clock brought:
deletions, rotations, ...) and calls the handler.  An operation with no handler yet answers with an
AWS-shaped error that names it, never with a network call.
"""
from __future__ import annotations

import time
from typing import Any, Callable, Dict

from ..domain.optional import MissingDependency
from ..errors import AWSError
from .request import Caller, Request

Handler = Callable[[Request], Dict[str, Any]]
HANDLERS: Dict[str, Handler] = {}


def operation(name: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        HANDLERS[name] = handler
        return handler
    return register


def not_implemented(name: str) -> AWSError:
    return AWSError("NotImplementedException", f"mockkms does not implement the KMS operation {name} yet")


def dispatch(name: str, params: Dict[str, Any], req: Request) -> Dict[str, Any]:
    handler = HANDLERS.get(name)
    if handler is None:
        raise not_implemented(name)
    lock = req.world.lock
    if not lock.acquire(False):
        _wait_for(lock)
    try:
        req.begin(name, params)
        try:
            result = handler(req)
        except MissingDependency as missing:  # an optional package would answer this call
            raise AWSError("NotImplementedException", str(missing)) from None
        if req.used and name in last_usage.TRACKED:
            last_usage.record(req, req.request_id)
        return result
    finally:
        lock.release()


#: how many times a call yields to the thread holding the world's lock before it sleeps on it
_YIELDS = 200


def _wait_for(lock: Any) -> None:
    """Take the world's lock from another thread's call, which takes tens of microseconds.

    Sleeping on the lock costs far more: the holder wakes the sleeper when it lets go, and the
    sleeper must then win the GIL back from threads that keep running, so two threads sharing a
    mock got half the throughput of one.  Yielding the GIL instead (``sleep(0)``) lets the holder
    finish at once and hands the lock straight over; only a long hold (a key pair being made)
    ends in sleeping on the lock.
    """
    for _ in range(_YIELDS):
        time.sleep(0)
        if lock.acquire(False):
            return
    lock.acquire()


# Importing the handler modules registers their operations.
from . import (aliases, crypto, custom_key_stores, grants, imports, key_agreement, keys,  # noqa: E402,F401
               last_usage, macs, multi_region, policies, public_keys, regions, rotation, signatures, tags)

__all__ = ["Caller", "HANDLERS", "Request", "dispatch", "operation"]
