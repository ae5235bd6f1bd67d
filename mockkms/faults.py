"""Injected faults: make the next N matching calls fail as AWS would (``kms.fail(...)``).

A faulted call does not take the in-process shortcut: it goes down botocore's
normal request path, where a ``before-send`` answer stands in for the network.
So botocore's real retry logic runs — a client in standard or adaptive retry
mode retries a throttled or failing attempt (and the next attempt gets the next
fault, or a real answer), a client with retries off fails — and the call log
shows every attempt.
"""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

from .calls import names_key

#: HTTP status and message AWS uses for the errors tests inject most (messages [G] unless noted).
KNOWN = {
    "ThrottlingException": (400, "Rate exceeded"),
    "KMSInternalException": (500, "The request was rejected because an internal exception occurred. "
                                  "The request can be retried."),
    "DependencyTimeoutException": (503, "The system timed out while trying to fulfill the request. "
                                        "You can retry the request."),
    "KeyUnavailableException": (500, "The request was rejected because the specified KMS key was not available. "
                                     "You can retry the request."),
}


@dataclass
class Fault:
    error: str
    times: int
    operation: Optional[str] = None
    key: Optional[str] = None
    message: Optional[str] = None
    status: int = 400

    def matches(self, operation: str, params: Dict[str, Any]) -> bool:
        if self.times <= 0 or (self.operation is not None and self.operation != operation):
            return False
        if self.key is None:
            return True
        return names_key(params, self.key)


class Faults:
    """The faults a mock still has to inject, in the order they were asked for."""

    def __init__(self) -> None:
        self._faults: List[Fault] = []
        self._lock = threading.Lock()
        self.left = 0  # uses left over all faults: the hot path only looks at this

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self._faults.append(fault)
            self.left += fault.times
        return fault

    def pending(self, operation: str, params: Dict[str, Any]) -> bool:
        return any(f.matches(operation, params) for f in self._faults)

    def take(self, operation: str, params: Dict[str, Any]) -> Optional[Fault]:
        """The first fault matching this call, with one use consumed; None if there is none."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(operation, params):
                    fault.times -= 1
                    self.left -= 1
                    return fault
        return None

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
            self.left = 0


def params_of(body: Any) -> Dict[str, Any]:
    """The request parameters of a JSON body, for matching (anything unreadable matches no key)."""
    try:
        params = json.loads(body or b"{}")
    except ValueError:
        return {}
    return params if isinstance(params, dict) else {}


def fault(operation: Optional[str], error: str, times: int, key: Optional[str], message: Optional[str],
          status: Optional[int]) -> Fault:
    known_status, known_message = KNOWN.get(error, (400, None))
    return Fault(error=error, times=times, operation=operation, key=key,
                 message=message if message is not None else known_message,
                 status=status if status is not None else known_status)
