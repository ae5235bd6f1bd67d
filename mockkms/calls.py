"""The call log: every KMS call a mock answered, for tests to assert on."""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, List, Optional


@dataclass
class CallRecord:
    operation: str
    region: Optional[str]
    account_id: str
    params: Dict[str, Any] = field(default_factory=dict)
    error_code: Optional[str] = None

    @property
    def succeeded(self) -> bool:
        return self.error_code is None


class CallLog:
    """A thread-safe, append-only list of :class:`CallRecord` with ``.last``."""

    def __init__(self) -> None:
        self._records: List[CallRecord] = []
        self._lock = threading.Lock()

    def append(self, record: CallRecord) -> None:
        with self._lock:
            self._records.append(record)

    @property
    def last(self) -> CallRecord:
        if not self._records:
            raise IndexError("no KMS call has been made to this mock")
        return self._records[-1]

    def of(self, operation: str) -> List[CallRecord]:
        """The calls of one operation, oldest first."""
        return [r for r in self._records if r.operation == operation]

    def __len__(self) -> int:
        return len(self._records)

    def __iter__(self) -> Iterator[CallRecord]:
        return iter(list(self._records))

    def __getitem__(self, index: int) -> CallRecord:
        return self._records[index]

    def __repr__(self) -> str:
        return f"CallLog({[r.operation for r in self._records]!r})"
