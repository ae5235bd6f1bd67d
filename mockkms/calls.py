"""The call log: every KMS call a mock answered, for tests to assert on."""
from __future__ import annotations

import threading
from typing import Any, Dict, Iterator, List, Optional


_KEY_PARAMS = ("KeyId", "SourceKeyId", "DestinationKeyId", "TargetKeyId")


def _tail(identifier: str) -> str:
    """What names the key or alias in an identifier: a key id, or ``alias/<name>`` (ARNs stripped)."""
    if identifier.startswith("arn:"):
        resource = identifier.split(":", 5)[-1]
        return resource[len("key/"):] if resource.startswith("key/") else resource
    return identifier


def names_key(params: Dict[str, Any], key: str) -> bool:
    """Whether a key parameter of a request is ``key``: the same key id, or the same alias, however
    each is written (bare, or as an ARN).  Aliases are matched as named, not resolved."""
    for name in _KEY_PARAMS:
        value = params.get(name)
        if isinstance(value, str) and (value == key or _tail(value) == _tail(key)):
            return True
    return False


class CallRecord:
    """One call a mock answered: what was asked, by whom, and the AWS error it got (if any).

    ``error_message`` keeps the message even when a library catches the error and moves on.
    (A slotted class: one is made for every call.)
    """
    __slots__ = ("operation", "region", "account_id", "params", "error_code", "principal", "error_message")

    def __init__(self, operation: str, region: Optional[str], account_id: str,
                 params: Optional[Dict[str, Any]] = None, error_code: Optional[str] = None,
                 principal: Optional[str] = None, error_message: Optional[str] = None):
        self.operation = operation
        self.region = region
        self.account_id = account_id
        self.params: Dict[str, Any] = {} if params is None else params
        self.error_code = error_code
        self.principal = principal
        self.error_message = error_message

    def _fields(self) -> tuple:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CallRecord) and self._fields() == other._fields()

    __hash__ = None  # type: ignore[assignment]  # mutable, like the dataclass it replaces

    def __repr__(self) -> str:
        return "CallRecord(" + ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__) + ")"

    @property
    def succeeded(self) -> bool:
        return self.error_code is None

    def names_key(self, key: str) -> bool:
        """Whether a key parameter of the call is ``key`` (a key id, key ARN, alias name or alias ARN)."""
        return names_key(self.params, key)


def _describe(operation: Optional[str], criteria: Dict[str, Any]) -> str:
    what = f"{operation} call" if operation else "call"
    details = ", ".join(f"{k}={v!r}" for k, v in criteria.items())
    return f"{what} with {details}" if details else what


class CallLog:
    """A thread-safe, append-only list of :class:`CallRecord` with ``.last``.

    With a ``limit`` it keeps (at least) the newest ``limit`` records: a long-lived mock
    (a notebook, a server) does not grow without end.  ``dropped`` counts the records
    let go.  Trimming happens in batches, so appending stays one list append.
    """

    def __init__(self, limit: Optional[int] = None) -> None:
        if limit is not None and limit < 1:
            raise ValueError("call_log_limit must be at least 1 (or None: keep every call)")
        self._records: List[CallRecord] = []
        self.limit = limit
        self.dropped = 0
        self._trim_at = None if limit is None else limit + max(1, limit // 10)
        self._trim_lock = threading.Lock()

    def append(self, record: CallRecord) -> None:
        records = self._records
        records.append(record)  # one list.append: atomic, no lock needed
        if self._trim_at is not None and len(records) > self._trim_at:
            self._trim()

    def _trim(self) -> None:
        with self._trim_lock:
            excess = len(self._records) - self.limit  # type: ignore[operator]
            if excess > 0:
                del self._records[:excess]
                self.dropped += excess

    def clear(self) -> None:
        """Forget every record so far (e.g. those of a test's setup)."""
        with self._trim_lock:
            del self._records[:]

    @property
    def last(self) -> CallRecord:
        if not self._records:
            raise IndexError("no KMS call has been made to this mock")
        return self._records[-1]

    def of(self, operation: str) -> List[CallRecord]:
        """The calls of one operation, oldest first."""
        return [r for r in self._records if r.operation == operation]

    def filter(self, operation: Optional[str] = None, *, key: Optional[str] = None,
               error: Optional[str] = None, succeeded: Optional[bool] = None) -> List[CallRecord]:
        """The calls matching every criterion given: operation, a key they name, an error code
        (``error="*"`` for any error), success."""
        found = []
        for record in list(self._records):
            if operation is not None and record.operation != operation:
                continue
            if key is not None and not record.names_key(key):
                continue
            if error is not None and (record.error_code is None or (error != "*" and record.error_code != error)):
                continue
            if succeeded is not None and record.succeeded != succeeded:
                continue
            found.append(record)
        return found

    def assert_called(self, operation: Optional[str] = None, **criteria: Any) -> CallRecord:
        """At least one matching call; returns the last one."""
        found = self.filter(operation, **criteria)
        if not found:
            raise AssertionError(f"expected a {_describe(operation, criteria)}; calls were {self._summary()}")
        return found[-1]

    def assert_called_once(self, operation: Optional[str] = None, **criteria: Any) -> CallRecord:
        """Exactly one matching call; returns it."""
        found = self.filter(operation, **criteria)
        if len(found) != 1:
            raise AssertionError(f"expected exactly one {_describe(operation, criteria)}, got {len(found)}; "
                                 f"calls were {self._summary()}")
        return found[0]

    def assert_not_called(self, operation: Optional[str] = None, **criteria: Any) -> None:
        found = self.filter(operation, **criteria)
        if found:
            raise AssertionError(f"expected no {_describe(operation, criteria)}, got {len(found)}; "
                                 f"calls were {self._summary()}")

    def _summary(self) -> str:
        return "[" + ", ".join(r.operation + (f" ({r.error_code})" if r.error_code else "")
                               for r in list(self._records)) + "]"

    def __len__(self) -> int:
        return len(self._records)

    def __iter__(self) -> Iterator[CallRecord]:
        return iter(list(self._records))

    def __getitem__(self, index: int) -> CallRecord:
        return self._records[index]

    def __repr__(self) -> str:
        return f"CallLog({[r.operation for r in self._records]!r})"
