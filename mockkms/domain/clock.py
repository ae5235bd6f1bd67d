"""One clock per mock: real time plus an offset the test controls.

Everything time-dependent (deletion windows, rotation, material expiry) is
computed from ``now()`` when state is read, so moving the clock is all a test
needs: no threads, no sleeps, and the process's real time (used by request
signing) is never touched.
"""
from __future__ import annotations

import datetime as _dt
import threading
import time
from typing import Optional, Union

UTC = _dt.timezone.utc


class Clock:
    def __init__(self, start: Optional[_dt.datetime] = None, tick: bool = True):
        self._lock = threading.Lock()
        self._offset = _dt.timedelta(0)
        self._frozen: Optional[_dt.datetime] = None
        if start is not None:
            self.move_to(start)
        if not tick:
            self.freeze()

    @property
    def _offset(self) -> _dt.timedelta:
        return self._offset_delta

    @_offset.setter
    def _offset(self, delta: _dt.timedelta) -> None:
        self._offset_delta = delta
        self._offset_seconds = delta.total_seconds()

    def stamp(self) -> Union[float, _dt.datetime]:
        """The current time, cheaply: to be turned into a datetime (``at``) only if ever read."""
        if self._frozen is not None:
            return self._frozen
        return time.time() + self._offset_seconds

    @staticmethod
    def at(stamp: Union[float, _dt.datetime]) -> _dt.datetime:
        """The datetime of a :meth:`stamp`, as :meth:`now` would have given it then."""
        if isinstance(stamp, _dt.datetime):
            return stamp
        return _dt.datetime.fromtimestamp(stamp * 1000 // 1 / 1000, UTC)  # whole milliseconds (floored)

    def now(self) -> _dt.datetime:
        """The mock's current time (aware, UTC, millisecond precision as AWS reports it)."""
        if self._frozen is not None:
            return self._frozen
        # Whole milliseconds from the epoch number: cheaper than truncating a datetime.
        return _dt.datetime.fromtimestamp((time.time() + self._offset_seconds) * 1000 // 1 / 1000, UTC)

    def advance(self, **timedelta_kwargs: float) -> _dt.datetime:
        """Move forward (``advance(days=31)``); returns the new time."""
        delta = _dt.timedelta(**timedelta_kwargs)
        if delta < _dt.timedelta(0):
            raise ValueError("the mock's clock only moves forward; use move_to() to go anywhere")
        with self._lock:
            if self._frozen is not None:
                self._frozen += delta
            else:
                self._offset += delta
        return self.now()

    def move_to(self, when: _dt.datetime) -> _dt.datetime:
        """Jump to ``when`` (naive datetimes are taken as UTC); time keeps ticking from there."""
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        with self._lock:
            if self._frozen is not None:
                self._frozen = when.astimezone(UTC)
            else:
                self._offset = when - _dt.datetime.now(UTC)
        return self.now()

    def freeze(self) -> _dt.datetime:
        """Stop time at its current value until ``unfreeze()``."""
        with self._lock:
            if self._frozen is None:
                self._frozen = self.now()
        return self._frozen

    def unfreeze(self) -> _dt.datetime:
        with self._lock:
            if self._frozen is not None:
                self._offset = self._frozen - _dt.datetime.now(UTC)
                self._frozen = None
        return self.now()
