"""All the state of one mock: accounts x Regions -> stores, plus the clock.

A new mock starts with an empty world.  The world's lock serialises calls, so
concurrent callers (threads spawned by code under test) never corrupt it.
"""
from __future__ import annotations

import datetime as _dt
import heapq
import itertools
import os
import threading
import weakref
from typing import Any, Callable, Dict, List, Optional, Tuple

from .clock import Clock
from .custom_key_stores import CustomKeyStore
from .key import Alias, Key, KeyState
from .grants import Grant
from .keypairs import KeyPair, retire
from .policy import Policy
from .principals import Principal


class AliasTable(Dict[str, Alias]):
    """A store's aliases by name, also indexed by the key they point at.

    The per-key index keeps the per-key alias limit check, ``ListAliases(KeyId=...)``
    and ``kms:ResourceAliases`` independent of how many aliases the Region has.  Every
    change goes through item assignment or deletion (UpdateAlias re-assigns).
    """

    def __init__(self) -> None:
        super().__init__()
        self.by_key: Dict[str, Dict[str, Alias]] = {}
        #: a derived view of the whole table (ListAliases' sorted listing), dropped on any change
        self.view: Any = None

    def __setitem__(self, name: str, alias: Alias) -> None:
        if name in self:
            self._unindex(self[name])
        super().__setitem__(name, alias)
        self.by_key.setdefault(alias.target_key_id, {})[name] = alias
        self.view = None

    def __delitem__(self, name: str) -> None:
        self._unindex(self[name])
        super().__delitem__(name)
        self.view = None

    def _unindex(self, alias: Alias) -> None:
        of_key = self.by_key.get(alias.target_key_id)
        if of_key is not None:
            of_key.pop(alias.name, None)
            if not of_key:
                del self.by_key[alias.target_key_id]

    def pop(self, name: str, *default: Any) -> Any:  # type: ignore[override]
        if name in self:
            alias = self[name]
            del self[name]
            return alias
        if default:
            return default[0]
        raise KeyError(name)


class Timeline:
    """The events the clock will bring, in every store of one world.

    Events (a deletion window ending, an automatic rotation falling due, imported
    material expiring, a replica finishing Creating) wait in one heap ordered by
    time; every call first lets the ones whose time has come happen, in time order,
    as of their own time — in every Region, since multi-Region keys tie them.
    Nothing runs in the background and nothing sleeps.
    """

    def __init__(self, clock: Optional[Clock] = None) -> None:
        #: the heap of (when, tie-break, store, event, key id); empty most of the time
        self.events: List[Tuple[_dt.datetime, int, "RegionStore", str, str]] = []
        self._sequence = itertools.count()
        self._clock = clock
        self._first = float("inf")  # when the earliest event falls due, as epoch seconds

    def schedule(self, when: _dt.datetime, store: "RegionStore", event: str, key_id: str) -> None:
        heapq.heappush(self.events, (when, next(self._sequence), store, event, key_id))
        self._first = self.events[0][0].timestamp()

    def catch_up(self, now: Callable[[], _dt.datetime]) -> None:
        """Let every event whose time has come happen.

        ``now`` is only called when an event has fallen due: most calls never build a datetime
        (a cheap clock stamp is compared with the earliest event's time).
        """
        heap = self.events
        if not heap:
            return
        if self._clock is not None:
            stamp = self._clock.stamp()
            if (stamp if isinstance(stamp, float) else stamp.timestamp()) < self._first - 0.001:
                return
        when_now = now()
        while heap and heap[0][0] <= when_now:
            when, _, store, event, name = heapq.heappop(heap)
            if event in _STORE_EVENTS:
                _STORE_EVENTS[event](store, name, when)
                continue
            key = store.keys.get(name)
            if key is not None:
                _EVENTS[event](store, key, when)
        self._first = heap[0][0].timestamp() if heap else float("inf")


class RegionStore:
    """Keys and aliases of one account in one Region, and what the clock does to them."""

    def __init__(self, account: str, region: str, timeline: Optional[Timeline] = None):
        self.account = account
        self.region = region
        #: by key id, in creation order (keys are only ever added, by add_key, and removed)
        self.keys: Dict[str, Key] = {}
        self.aliases = AliasTable()
        self.custom_key_stores: Dict[str, CustomKeyStore] = {}
        self._timeline = timeline or Timeline()
        #: a derived view of all the keys (ListKeys' ordered listing), dropped when a key comes or goes
        self.key_view: Any = None

    def add_key(self, key: Key) -> None:
        self.keys[key.key_id] = key
        self.key_view = None

    def schedule(self, when: _dt.datetime, event: str, key_id: str) -> None:
        """Let ``event`` ("delete", "rotate", "expire", "ready", "updated") happen to the key at ``when``."""
        self._timeline.schedule(when, self, event, key_id)

    def watch_deletion(self, key: Key) -> None:
        assert key.deletion_date is not None
        self.schedule(key.deletion_date, "delete", key.key_id)

    def _delete(self, key: Key, when: _dt.datetime) -> None:
        if key.state != KeyState.PENDING_DELETION or key.deletion_date != when:
            return  # the deletion was cancelled (or rescheduled)
        del self.keys[key.key_id]
        self.key_view = None
        for grant in key.grants.values():
            grant.live = False  # grants go with their key; so do their tokens
        for name in list(self.aliases.by_key.get(key.key_id, ())):
            del self.aliases[name]
        if key.mr is not None:
            self._leave_set(key, when)

    @staticmethod
    def _leave_set(key: Key, when: _dt.datetime) -> None:
        """A deleted member leaves its multi-Region set; a primary waiting for that starts its window."""
        mr = key.mr
        assert mr is not None
        mr.remove(key)
        if key.region == mr.primary_region or mr.replicas():
            return
        primary = mr.members.get(mr.primary_region)
        if primary is not None and primary.state == KeyState.PENDING_REPLICA_DELETION:
            days = primary.pending_window_days or 30
            primary.schedule_deletion(when + _dt.timedelta(days=days), days)
            mr.stores[mr.primary_region].watch_deletion(primary)

    def _rotate(self, key: Key, when: _dt.datetime) -> None:
        if key.next_rotation != when or key.rotation_period_days is None:
            return  # rotation was disabled or rescheduled since
        if key.state != KeyState.ENABLED:
            return  # overdue: it rotates when the key is enabled again (see rotate_if_overdue)
        key.rotate(when, "AUTOMATIC")
        self.plan_rotation(key, when + _dt.timedelta(days=key.rotation_period_days))

    def plan_rotation(self, key: Key, when: _dt.datetime) -> None:
        key.next_rotation = when
        self.schedule(when, "rotate", key.key_id)

    def rotate_if_overdue(self, key: Key, now: _dt.datetime) -> None:
        """A key enabled again after missing its rotation date rotates at once, as AWS does."""
        if key.next_rotation is not None and key.rotation_period_days is not None and key.next_rotation <= now:
            key.rotate(now, "AUTOMATIC")
            self.plan_rotation(key, now + _dt.timedelta(days=key.rotation_period_days))

    def _expire(self, key: Key, when: _dt.datetime) -> None:
        expired = [m for m in key.materials.values() if m.valid_to == when and m.secret is not None]
        if not expired:
            return  # reimported with another expiry, or deleted already
        for material in expired:
            material.forget()  # expiry deletes the material, as DeleteImportedKeyMaterial does
        key.settle_import_state()

    def _rotated(self, key: Key, when: _dt.datetime) -> None:
        """An on-demand rotation in progress completes (dated when it was asked for)."""
        started = key.on_demand_started
        if started is None:
            return
        key.rotate(started, "ON_DEMAND", key.on_demand_material)
        key.on_demand_started, key.on_demand_material = None, None

    def _ready(self, key: Key, when: _dt.datetime) -> None:
        """A new replica finishes Creating: usable, or waiting for its own imported material."""
        if key.state == KeyState.CREATING:
            key.state = KeyState.PENDING_IMPORT if key.origin == "EXTERNAL" else KeyState.ENABLED

    def _updated(self, key: Key, when: _dt.datetime) -> None:
        """UpdatePrimaryRegion's Updating ends: back to the state the key had."""
        if key.state == KeyState.UPDATING:
            key.state = key.state_before_update or KeyState.ENABLED
            key.state_before_update = None

    def _connected(self, attempt: str, when: _dt.datetime) -> None:
        """A custom key store's connection attempt ends: CONNECTED (its keys usable) or FAILED."""
        store_id, _, number = attempt.partition("#")
        cks = self.custom_key_stores.get(store_id)
        if cks is None or cks.state != "CONNECTING" or str(cks.attempt) != number:
            return  # disconnected since, or a newer attempt is under way
        if cks.fail_with is not None:
            cks.state, cks.error_code, cks.fail_with = "FAILED", cks.fail_with, None
            return
        cks.state, cks.error_code = "CONNECTED", None
        for key in self.keys_in_store(store_id):
            if key.state == KeyState.UNAVAILABLE:
                key.state = key.state_before_unavailable or KeyState.ENABLED
                key.state_before_unavailable = None

    def keys_in_store(self, store_id: str) -> List[Key]:
        return [key for key in self.keys.values() if key.custom_key_store_id == store_id]

    def aliases_of(self, key_id: str) -> List[Alias]:
        return list(self.aliases.by_key.get(key_id, {}).values())


_EVENTS: Dict[str, Callable[[RegionStore, Key, _dt.datetime], None]] = {
    "delete": RegionStore._delete, "rotate": RegionStore._rotate, "expire": RegionStore._expire,
    "ready": RegionStore._ready, "updated": RegionStore._updated, "rotated": RegionStore._rotated,
}
_STORE_EVENTS: Dict[str, Callable[[RegionStore, str, _dt.datetime], None]] = {
    "connected": RegionStore._connected,
}


class World:
    def __init__(self, clock: Optional[Clock] = None, enforce_policies: bool = True,
                 on_demand_rotation_limit: int = 25, on_demand_rotation_seconds: float = 0):
        self.clock = clock or Clock()
        self.enforce_policies = enforce_policies
        self.on_demand_rotation_limit = on_demand_rotation_limit
        self.on_demand_rotation_time = _dt.timedelta(seconds=on_demand_rotation_seconds)
        #: import tokens GetParametersForImport issued -> what they stand for (service.imports)
        self.import_tokens: Dict[bytes, Any] = {}
        #: identity (IAM) policies by principal; roles by (account, role name), so sessions find them
        self._identity_policies: Dict[object, List[Policy]] = {}
        #: whether any principal has identity policies (until one does, every call is its account's
        #: own business: authorization reads this before looking the caller up)
        self.any_identity_policies = False
        self.lock = threading.RLock()
        self.timeline = Timeline(self.clock)
        self._stores: Dict[Tuple[str, str], RegionStore] = {}
        self._markers: Dict[str, Tuple[str, int]] = {}
        #: grant tokens CreateGrant issued -> their grant (removed when the grant goes)
        self.grant_tokens: Dict[str, Grant] = {}
        #: key pairs this world's keys took from the process-wide pool; they go back when
        #: the world is retired, or garbage collected if nobody retires it.
        self.lent_pairs: List[KeyPair] = []
        self._retire = weakref.finalize(self, retire, self.lent_pairs)

    def new_key_pair(self, spec: str) -> KeyPair:
        return KeyPair(spec, self.lent_pairs)

    def retire(self) -> None:
        """This world will never answer again: lend its key pairs to the worlds that follow."""
        self._retire()


    @staticmethod
    def _identity_key(principal: Principal) -> object:
        if principal.kind in ("role", "assumed-role"):
            return ("role", principal.account, principal.role_name)
        return principal.arn

    def attach_identity_policy(self, principal: Principal, policy: Policy) -> None:
        self._identity_policies.setdefault(self._identity_key(principal), []).append(policy)
        self.any_identity_policies = True

    def identity_policy_texts(self) -> Dict[str, List[str]]:
        """The attached identity policies by principal ARN (roles without their path)."""
        texts: Dict[str, List[str]] = {}
        for identity, attached in self._identity_policies.items():
            if isinstance(identity, tuple):
                _, account, role_name = identity
                identity = f"arn:aws:iam::{account}:role/{role_name}"
            texts[str(identity)] = [p.text for p in attached]
        return texts

    def identity_policies_of(self, principal: Principal) -> List[Policy]:
        if not self._identity_policies:
            return []
        return self._identity_policies.get(self._identity_key(principal), [])

    def store(self, account: str, region: str) -> RegionStore:
        store = self._stores.get((account, region))
        if store is None:
            store = self._stores[(account, region)] = RegionStore(account, region, self.timeline)
        return store

    def stores(self) -> List[RegionStore]:
        return list(self._stores.values())

    # Pagination markers are opaque tokens this world issued, bound to one listing.
    def issue_marker(self, listing: str, position: Any) -> str:
        token = os.urandom(24).hex()
        self._markers[token] = (listing, position)
        return token

    def marker_position(self, token: str, listing: str) -> Any:
        entry = self._markers.get(token)
        if entry is None or entry[0] != listing:
            return None
        return entry[1]
