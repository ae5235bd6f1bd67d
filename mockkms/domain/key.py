"""A KMS key: its metadata, its state, its key materials, its tags."""
from __future__ import annotations

import datetime as _dt
import itertools
import os
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from . import specs
from .grants import Grant
from .keypairs import KeyPair
from .multi_region import MultiRegionSet
from .policy import Policy


class KeyState:
    ENABLED = "Enabled"
    DISABLED = "Disabled"
    PENDING_DELETION = "PendingDeletion"
    PENDING_REPLICA_DELETION = "PendingReplicaDeletion"
    PENDING_IMPORT = "PendingImport"
    UNAVAILABLE = "Unavailable"
    CREATING = "Creating"
    UPDATING = "Updating"


class KeyMaterial:
    """One generation of secret key material (symmetric or HMAC), named by a 64-hex-digit id as in AWS.

    Imported material (Origin=EXTERNAL) also carries its import state and expiry;
    its ``secret`` is None while it is deleted (until the same material is imported again).
    """

    __slots__ = ("material_id", "secret", "created", "_aead", "sealed_headers", "rotation_type",
                 "rotation_date", "imported", "expiration_model", "valid_to", "description",
                 "pending_rotation")

    def __init__(self, created: _dt.datetime, secret: Optional[bytes] = None,
                 material_id: Optional[str] = None):
        if secret is None or material_id is None:
            fresh = os.urandom(64)  # one system call for both
            secret = fresh[:32] if secret is None else secret
            material_id = material_id or fresh[32:].hex()
        self.secret: Optional[bytes] = secret
        self.material_id = material_id
        self.created = created
        self._aead: Optional[AESGCM] = None
        #: (account, key id) -> the blob header sealed for it (ciphertext.py), made at the first seal
        self.sealed_headers: Optional[Dict[Tuple[str, str], bytes]] = None
        self.rotation_type: Optional[str] = None        # AUTOMATIC / ON_DEMAND; None for the first material
        self.rotation_date: Optional[_dt.datetime] = None
        self.imported = False
        self.expiration_model: Optional[str] = None
        self.valid_to: Optional[_dt.datetime] = None
        self.description: Optional[str] = None
        self.pending_rotation = False                   # imported as NEW_KEY_MATERIAL, not yet current

    @property
    def aead(self) -> AESGCM:
        if self._aead is None:
            assert self.secret is not None
            self._aead = AESGCM(self.secret)
        return self._aead

    def forget(self) -> None:
        """Delete imported material: the id stays known, the secret goes."""
        self.secret = None
        self._aead = None
        self.expiration_model = None
        self.valid_to = None


_SEQUENCE = itertools.count()


class Key:
    """One KMS key in one Region (a multi-Region replica is a Key of its own).

    A plain class rather than a dataclass: a key is made on every CreateKey, and the
    fields most keys never set (deletion, rotation, multi-Region, custom key stores,
    imported material) are class-level defaults, assigned on the instance only when
    they change.  Keys compare by identity: two keys are never the same key.
    """

    # -- set for every key, by __init__ --------------------------------------------------------
    key_id: str
    account: str
    region: str
    arn: str
    created: _dt.datetime
    description: str
    key_spec: str
    key_usage: str
    origin: str
    key_manager: str
    state: str
    multi_region: bool
    policy: Policy                 # the default key policy if CreateKey gives none
    tags: Dict[str, str]
    materials: Dict[str, KeyMaterial]
    current_material_id: Optional[str]
    grants: Dict[str, Grant]
    #: creation order, across the process: ListKeys pages in this order
    sequence: int
    algorithms: "tuple[str, tuple[str, ...]]"

    # -- defaults, set on the instance only when they change -----------------------------------
    deletion_date: Optional[_dt.datetime] = None
    pending_window_days: Optional[int] = None
    #: the private key of an asymmetric key (made on first use); None for symmetric and HMAC keys
    pair: Optional[KeyPair] = None
    # automatic rotation: enabled with a period; the next due date; an overdue rotation waits
    # for the key to be enabled again
    rotation_period_days: Optional[int] = None
    next_rotation: Optional[_dt.datetime] = None
    on_demand_rotations: int = 0
    #: an on-demand rotation in progress: when it started, and the imported material it makes current
    on_demand_started: Optional[_dt.datetime] = None
    on_demand_material: Optional[KeyMaterial] = None
    #: the last successful cryptographic use: [operation, time, request id, CloudTrail event id or None]
    last_usage: Optional[List[Any]] = None
    #: the multi-Region key set this key belongs to (primary or replica), if any
    mr: Optional[MultiRegionSet] = None
    #: the state to return to when an UpdatePrimaryRegion's Updating ends
    state_before_update: Optional[str] = None
    #: keys in a custom key store: the store, its cluster (CloudHSM) or the external key's id (XKS)
    custom_key_store_id: Optional[str] = None
    cloudhsm_cluster_id: Optional[str] = None
    xks_key_id: Optional[str] = None
    #: the state to return to when the key's custom key store connects again
    state_before_unavailable: Optional[str] = None

    def __init__(self, key_id: str, account: str, region: str, arn: str, created: _dt.datetime,
                 description: str = "", key_spec: str = specs.SYMMETRIC, key_usage: str = "ENCRYPT_DECRYPT",
                 origin: str = "AWS_KMS", key_manager: str = "CUSTOMER", state: str = KeyState.ENABLED,
                 multi_region: bool = False, policy: Policy = None,  # type: ignore[assignment]
                 tags: Optional[Dict[str, str]] = None):
        self.key_id = key_id
        self.account = account
        self.region = region
        self.arn = arn
        self.created = created
        self.description = description
        self.key_spec = key_spec
        self.key_usage = key_usage
        self.origin = origin
        self.key_manager = key_manager
        self.state = state
        self.multi_region = multi_region
        self.policy = policy
        self.tags = {} if tags is None else tags
        self.materials = {}
        self.current_material_id = None
        self.grants = {}
        self.sequence = next(_SEQUENCE)
        #: (KeyMetadata field, algorithm list) for the key's spec and usage (which never change)
        self.algorithms = specs.ALGORITHMS[key_spec][key_usage]

    def __repr__(self) -> str:
        return f"Key({self.arn!r}, {self.key_spec}, {self.key_usage}, {self.state})"

    @property
    def enabled(self) -> bool:
        return self.state == KeyState.ENABLED

    @property
    def current_material(self) -> KeyMaterial:
        return self.materials[self.current_material_id]  # type: ignore[index]

    def add_material(self, material: KeyMaterial, current: bool = True) -> None:
        self.materials[material.material_id] = material
        if current:
            self.current_material_id = material.material_id

    def rotate(self, when: _dt.datetime, rotation_type: str, material: Optional[KeyMaterial] = None) -> KeyMaterial:
        """Make new material (or ``material``, imported for the purpose) the current one."""
        material = material or KeyMaterial(when)
        material.rotation_type = rotation_type
        material.rotation_date = when
        material.pending_rotation = False
        self.add_material(material)
        if self.mr is not None and self.origin != "EXTERNAL":
            for member in self.mr.members.values():  # they share the materials; make it current everywhere
                member.current_material_id = material.material_id
        return material

    def settle_import_state(self) -> None:
        """Imported material came or went: a key with all its material present (material waiting
        for an on-demand rotation does not count) is usable, one missing any is PendingImport."""
        if self.state == KeyState.PENDING_DELETION:
            return
        complete = all(m.secret is not None for m in self.materials.values() if not m.pending_rotation)
        if complete and self.state == KeyState.PENDING_IMPORT:
            self.state = KeyState.ENABLED
        elif not complete:
            self.state = KeyState.PENDING_IMPORT

    @property
    def rotation_owner(self) -> "Key":
        """The key whose automatic-rotation setting applies: the primary of a multi-Region set."""
        return self.mr.primary if self.mr is not None else self

    @property
    def rotation_enabled(self) -> bool:
        return self.rotation_period_days is not None


    def schedule_deletion(self, when: _dt.datetime, window_days: int) -> None:
        self.state = KeyState.PENDING_DELETION
        self.deletion_date = when
        self.pending_window_days = window_days

    def cancel_deletion(self) -> None:
        self.state = KeyState.DISABLED
        self.deletion_date = None
        self.pending_window_days = None


@dataclass
class Alias:
    name: str
    target_key_id: str
    created: _dt.datetime
    updated: _dt.datetime
