"""A KMS key: its metadata, its state, its key materials, its tags."""
from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from . import specs
from .grants import Grant
from .keypairs import KeyPair
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
    """One generation of secret key material (symmetric or HMAC), named by a 64-hex-digit id as in AWS."""

    __slots__ = ("material_id", "secret", "created", "_aead", "sealed_headers")

    def __init__(self, created: _dt.datetime, secret: Optional[bytes] = None,
                 material_id: Optional[str] = None):
        if secret is None or material_id is None:
            fresh = os.urandom(64)  # one system call for both
            secret = fresh[:32] if secret is None else secret
            material_id = material_id or fresh[32:].hex()
        self.secret = secret
        self.material_id = material_id
        self.created = created
        self._aead: Optional[AESGCM] = None
        self.sealed_headers: Dict[Tuple[str, str], bytes] = {}

    @property
    def aead(self) -> AESGCM:
        if self._aead is None:
            self._aead = AESGCM(self.secret)
        return self._aead


@dataclass
class Key:
    key_id: str
    account: str
    region: str
    arn: str
    created: _dt.datetime
    description: str = ""
    key_spec: str = specs.SYMMETRIC
    key_usage: str = "ENCRYPT_DECRYPT"
    origin: str = "AWS_KMS"
    key_manager: str = "CUSTOMER"
    state: str = KeyState.ENABLED
    multi_region: bool = False
    policy: Policy = None  # type: ignore[assignment]  # set by CreateKey (the default key policy if none given)
    deletion_date: Optional[_dt.datetime] = None
    pending_window_days: Optional[int] = None
    tags: Dict[str, str] = field(default_factory=dict)
    materials: Dict[str, KeyMaterial] = field(default_factory=dict)
    current_material_id: Optional[str] = None
    #: the private key of an asymmetric key (made on first use); None for symmetric and HMAC keys
    pair: Optional[KeyPair] = None
    grants: Dict[str, Grant] = field(default_factory=dict)

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

    @property
    def algorithms(self) -> "tuple[str, tuple[str, ...]]":
        """(KeyMetadata field, algorithm list) for this key's spec and usage."""
        return specs.algorithms(self.key_spec, self.key_usage)

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
