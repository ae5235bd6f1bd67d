"""One call being answered: who asks, where, with what; and the shared steps.

Every operation handler receives a :class:`Request`.  Its helpers are the one
key-resolution path, the one key-state check and the one DryRun rule that all
operations share, so no handler re-implements them.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import Any, Dict, Optional

from ..domain.key import Key
from ..domain.world import RegionStore, World
from ..errors import AWSError
from . import resolve, states


@dataclass(frozen=True)
class Caller:
    """The principal making the call (derived from the client's credentials)."""
    account: str
    arn: str

    @classmethod
    def root(cls, account: str) -> "Caller":
        return cls(account, f"arn:aws:iam::{account}:root")


@dataclass
class CallContext:
    """What the transport knows about a call: the world it is for, the Region, the caller."""
    world: World
    region: str
    caller: Caller


class Request:
    __slots__ = ("operation", "params", "world", "region", "caller", "_now", "store")

    def __init__(self, operation: str, params: Dict[str, Any], context: CallContext):
        self.operation = operation
        self.params = params
        self.world = context.world
        self.region = context.region
        self.caller = context.caller
        self._now: Optional[_dt.datetime] = None
        self.store: RegionStore = self.store_of(context.caller.account)

    @property
    def now(self) -> _dt.datetime:
        """The mock's time for this call: read once, when first needed, then fixed."""
        if self._now is None:
            self._now = self.world.clock.now()
        return self._now

    def _read_now(self) -> _dt.datetime:
        return self.now

    def store_of(self, account: str) -> RegionStore:
        store = self.world.store(account, self.region)
        store.purge(self._read_now)
        return store

    def get(self, name: str, default: Any = None) -> Any:
        return self.params.get(name, default)

    def key(self, param: str = "KeyId", *, aliases: bool = False, check_state: bool = True) -> Key:
        """Resolve the key named by ``param`` and apply this operation's key-state rule."""
        key = resolve.key(self, self.params[param], aliases=aliases)
        if check_state:
            states.check(self.operation, key)
        return key

    def optional_key(self, param: str, *, aliases: bool = False) -> Optional[Key]:
        if self.params.get(param) is None:
            return None
        return self.key(param, aliases=aliases, check_state=False)

    def check_grant_tokens(self) -> None:
        """Grant tokens must be ones this mock issued; none exist until grants are created."""
        tokens = self.params.get("GrantTokens") or ()
        for token in tokens:
            if not self.world.grant_token_known(token):
                raise AWSError("InvalidGrantTokenException", "Invalid grant token")

    def finish_dry_run(self) -> None:
        """Every check passed: a DryRun call stops here, with no side effect."""
        if self.params.get("DryRun"):
            raise AWSError("DryRunOperationException",
                           "The request would have succeeded, but the DryRun option is set.")
