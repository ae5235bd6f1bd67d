"""Grants: permissions attached to one key, for one grantee, for some operations, maybe constrained.

Grants only ever allow.  A constraint ties the grant to encryption contexts:
``EncryptionContextEquals`` wants the request's context to be exactly the given
one, ``EncryptionContextSubset`` wants it to contain the given pairs.  A grant
is usable by its grantee — for a role, by the role's sessions too — or, when the
grantee is an account, by that account's principals (as IAM lets them).
"""
from __future__ import annotations

import base64
import datetime as _dt
import itertools
import os
from dataclasses import dataclass, field
from typing import Dict, Optional, Set, Tuple

from . import principals
from .principals import Principal

#: Operations a grant may list, by what the key can do [D]; the "any key" ones go with every key.
ANY_KEY = ("CreateGrant", "RetireGrant", "DescribeKey")
BY_USAGE = {
    "ENCRYPT_DECRYPT": ("Decrypt", "Encrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext",
                        "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext", "ReEncryptFrom",
                        "ReEncryptTo"),
    "SIGN_VERIFY": ("Sign", "Verify", "GetPublicKey"),
    "GENERATE_VERIFY_MAC": ("GenerateMac", "VerifyMac"),
    "KEY_AGREEMENT": ("DeriveSharedSecret", "GetPublicKey"),
}
ASYMMETRIC_ENCRYPTION = ("Decrypt", "Encrypt", "ReEncryptFrom", "ReEncryptTo", "GetPublicKey")
MAX_GRANTS_PER_KEY = 50000


def operations_for(key_spec: str, key_usage: str) -> Tuple[str, ...]:
    """The grant operations a key of this spec and usage supports."""
    if key_usage == "ENCRYPT_DECRYPT" and key_spec != "SYMMETRIC_DEFAULT":
        return ASYMMETRIC_ENCRYPTION + ANY_KEY
    return BY_USAGE[key_usage] + ANY_KEY


def new_grant_id() -> str:
    return os.urandom(32).hex()


def new_token(grant_id: str) -> str:
    """An opaque token, unique per CreateGrant call, that names its grant (as AWS's do)."""
    raw = os.urandom(48) + bytes.fromhex(grant_id)
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


_SEQUENCE = itertools.count()


def naming(named: str, caller: Principal) -> Optional[str]:
    """How the principal ``named`` covers ``caller``: "direct" (the caller, or the role of the caller's
    session), "account" (the caller's account as a whole), or None."""
    if named == caller.arn:
        return "direct"
    principal = principals.parse(named)
    if principal is None:
        return None
    if principal.is_root:
        return "account" if principal.account == caller.account else None
    if (principal.kind == "role" and caller.kind == "assumed-role"
            and (principal.account, principal.role_name) == (caller.account, caller.role_name)):
        return "direct"
    return None


@dataclass
class Grant:
    grant_id: str
    key_id: str
    key_arn: str
    grantee: str
    operations: Tuple[str, ...]
    issuing_account: str
    created: _dt.datetime
    retiring: Optional[str] = None
    constraints: Optional[Dict[str, Dict[str, str]]] = None
    name: Optional[str] = None
    tokens: Set[str] = field(default_factory=set)
    live: bool = True  # False once retired, revoked, or deleted with its key
    #: creation order, across the process: ListGrants pages in this order
    sequence: int = field(default_factory=lambda: next(_SEQUENCE))

    @property
    def account(self) -> str:
        """The account of the grant's key."""
        return self.key_arn.split(":")[4]

    def same_request(self, grantee: str, operations: Tuple[str, ...], retiring: Optional[str],
                     constraints: Optional[Dict[str, Dict[str, str]]]) -> bool:
        """Whether a CreateGrant with this grant's Name asks for this very grant again."""
        return (self.grantee == grantee and set(self.operations) == set(operations)
                and self.retiring == retiring and (self.constraints or None) == (constraints or None))

    def names(self, caller: Principal) -> Optional[str]:
        """How the grant's grantee names ``caller`` (see :func:`naming`)."""
        return naming(self.grantee, caller)

    def allows(self, operation: str, context: Optional[Dict[str, str]]) -> bool:
        """Whether the grant covers ``operation`` with this encryption context."""
        if operation not in self.operations:
            return False
        if not self.constraints or operation in ("DescribeKey", "RetireGrant"):
            return True
        given = context or {}
        equals = self.constraints.get("EncryptionContextEquals")
        if equals is not None and given != equals:
            return False
        subset = self.constraints.get("EncryptionContextSubset")
        return subset is None or all(given.get(k) == v for k, v in subset.items())

    def at_least_as_strict(self, operations: Tuple[str, ...], constraints: Optional[Dict[str, Dict[str, str]]]) -> bool:
        """Whether a grant made through this one stays within it (operations and constraints) [D]."""
        if not set(operations) <= set(self.operations):
            return False
        if not self.constraints:
            return True
        child = constraints or {}
        equals = self.constraints.get("EncryptionContextEquals")
        if equals is not None and child.get("EncryptionContextEquals") != equals:
            return False
        subset = self.constraints.get("EncryptionContextSubset")
        if subset is None:
            return True
        pairs = child.get("EncryptionContextEquals") or child.get("EncryptionContextSubset") or {}
        return all(pairs.get(k) == v for k, v in subset.items())
