"""One call being answered: who asks, where, with what; and the shared steps.

Every operation handler receives a :class:`Request`.  Its helpers are the one
key-resolution path, the one key-state check and the one DryRun rule that all
operations share, so no handler re-implements them.
"""
from __future__ import annotations

import datetime as _dt
from typing import Any, Dict, List, Optional

from ..domain import principals
from ..domain.grants import Grant
from ..domain.key import Key
from ..domain.principals import Principal
from ..domain.world import RegionStore, World
from ..errors import AWSError
from . import authorize, resolve, states


class Caller:
    """The principal making the call (from the client's credentials), and the service it calls through.

    Its account and ARN are read on every call, so they are plain attributes.
    """
    __slots__ = ("principal", "via_service", "account", "arn")

    def __init__(self, principal: Principal, via_service: Optional[str] = None):
        self.principal = principal
        self.via_service = via_service
        self.account = principal.account
        self.arn = principal.arn

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Caller) and (self.principal, self.via_service) == (other.principal, other.via_service)

    def __hash__(self) -> int:
        return hash((self.principal, self.via_service))

    def __repr__(self) -> str:
        return f"Caller({self.principal!r}, via_service={self.via_service!r})"

    @classmethod
    def root(cls, account: str) -> "Caller":
        return cls(principals.root(account))


class Request:
    """One call: made by the transport with who calls and where (the world, the Region, the
    caller), then given the operation and its parameters by :func:`~mockkms.service.dispatch`,
    which hands it to the operation's handler.  (What the transport knows and what the handler
    asks are one object: a call makes one, not two.)
    """
    __slots__ = ("operation", "params", "get", "world", "region", "caller", "_now", "store", "granted_by", "used",
                 "request_id")

    def __init__(self, world: World, region: str, caller: Caller, request_id: str = ""):
        self.world = world
        self.region = region
        self.caller = caller
        #: the response's request id (the wire sets it before dispatching)
        self.request_id = request_id

    def begin(self, operation: str, params: Dict[str, Any]) -> None:
        """Start answering ``operation`` (under the world's lock): first, what the clock brought."""
        self.operation = operation
        self.params = params
        #: ``req.get(name, default=None)``: a parameter (the dict's own get: no Python frame per call)
        self.get = params.get
        self._now: Optional[_dt.datetime] = None
        #: the grant that authorized the call, when no policy did
        self.granted_by: Optional[Grant] = None
        #: keys this call was authorized to use (GetKeyLastUsage records them if it succeeds)
        self.used: List[Key] = []
        world = self.world
        timeline = world.timeline
        if timeline.events:
            timeline.catch_up(self._read_now)  # what the clock brought since the last call
        self.store: RegionStore = world.store(self.caller.account, self.region)

    @property
    def now(self) -> _dt.datetime:
        """The mock's time for this call: read once, when first needed, then fixed."""
        if self._now is None:
            self._now = self.world.clock.now()
        return self._now

    def _read_now(self) -> _dt.datetime:
        return self.now

    def now_if_read(self) -> Optional[_dt.datetime]:
        """The call's time if something already read it (else None: nobody needed it)."""
        return self._now

    def store_of(self, account: str) -> RegionStore:
        return self.world.store(account, self.region)

    def key(self, param: str = "KeyId", *, aliases: bool = False, check_state: bool = True,
            action: Optional[str] = None) -> Key:
        """Resolve the key named by ``param``, authorize the call on it, apply the key-state rule.

        ``action`` is the permission checked (default ``kms:<Operation>``); None for
        ``check_state=False`` lookups that authorize later, when the action is known.
        """
        key = resolve.key(self, self.params[param], aliases=aliases)
        if check_state:
            self.authorize(key, action, param)
            states.check(self.operation, key)
        return key

    def optional_key(self, param: str, *, aliases: bool = False) -> Optional[Key]:
        if self.params.get(param) is None:
            return None
        return self.key(param, aliases=aliases, check_state=False)

    def authorize(self, key: Key, action: Optional[str] = None, param: Optional[str] = None) -> None:
        """The one authorization path: key policy, identity policies and grants (see authorize.py)."""
        grant = authorize.key_action(self, key, action or authorize.action_for(self.operation, param), param)
        if grant is not None:
            self.granted_by = grant
        self.used.append(key)

    def authorize_iam(self, action: Optional[str] = None, resource: str = "*") -> None:
        """For operations IAM alone authorizes (CreateKey, ListKeys, ...)."""
        authorize.identity_action(self, action or "kms:" + self.operation, resource)

    def check_grant_tokens(self) -> None:
        """Grant tokens must be ones this mock issued, of grants that still exist."""
        tokens = self.params.get("GrantTokens") or ()
        for token in tokens:
            if self.live_grant(token) is None:
                raise AWSError("InvalidGrantTokenException", "Invalid grant token")

    def live_grant(self, token: str) -> Optional[Grant]:
        """The grant ``token`` names, if it still exists (its key's store catches up first)."""
        grant = self.world.grant_tokens.get(token)
        return grant if grant is not None and grant.live else None

    def finish_dry_run(self) -> None:
        """Every check passed: a DryRun call stops here, with no side effect."""
        if self.params.get("DryRun"):
            raise AWSError("DryRunOperationException",
                           "The request would have succeeded, but the DryRun option is set.")
