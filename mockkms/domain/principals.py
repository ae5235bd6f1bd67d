"""Who calls: account roots, IAM users and roles, assumed-role sessions — and their credentials.

A caller is named by an ARN as IAM names it.  An assumed-role session
(``arn:aws:sts::111122223333:assumed-role/Admin/alice``) acts as its role
(``arn:aws:iam::111122223333:role/Admin``) wherever a policy names the role.
Credentials handed out by a mock map back to the principal they were made for;
any other credentials are the root of the mock's default account.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Dict, Optional

_ACCOUNT = re.compile(r"^\d{12}$")
_IAM = re.compile(r"^arn:(?P<partition>aws[a-z-]*):iam::(?P<account>\d{12}):"
                  r"(?P<kind>root|user/[\w+=,.@/-]+|role/[\w+=,.@/-]+)$")
_STS = re.compile(r"^arn:(?P<partition>aws[a-z-]*):sts::(?P<account>\d{12}):"
                  r"assumed-role/(?P<role>[\w+=,.@-]+)/(?P<session>[\w+=,.@-]+)$")
_KEY_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


@dataclass(frozen=True)
class Principal:
    """A caller.  ``arn`` names it in AccessDenied messages; ``role_name`` is set for roles and sessions."""
    arn: str
    account: str
    kind: str                       # "root", "user", "role" or "assumed-role"
    role_name: Optional[str] = None
    partition: str = "aws"

    @property
    def is_root(self) -> bool:
        return self.kind == "root"

    @property
    def role_arn(self) -> Optional[str]:
        """The role an assumed-role session acts as (without the role's path, which the session ARN drops)."""
        if self.kind != "assumed-role":
            return None
        return f"arn:{self.partition}:iam::{self.account}:role/{self.role_name}"


def root(account: str, partition: str = "aws") -> Principal:
    return Principal(f"arn:{partition}:iam::{account}:root", account, "root", partition=partition)


def parse(value: str) -> Optional[Principal]:
    """The principal an ARN (or a bare account id, meaning its root) names; None if it names none."""
    if _ACCOUNT.match(value):
        return root(value)
    match = _IAM.match(value)
    if match:
        kind, _, name = match["kind"].partition("/")
        role_name = name.rsplit("/", 1)[-1] if kind == "role" else None
        return Principal(value, match["account"], kind, role_name, match["partition"])
    match = _STS.match(value)
    if match:
        return Principal(value, match["account"], "assumed-role", match["role"], match["partition"])
    return None


def _random(length: int) -> str:
    return "".join(_KEY_CHARS[b & 31] for b in os.urandom(length))


class Identities:
    """The credentials one mock handed out, and who each set belongs to."""

    def __init__(self) -> None:
        self._by_access_key: Dict[str, "tuple[Principal, Optional[str]]"] = {}

    def issue(self, principal: Principal, via_service: Optional[str] = None) -> Dict[str, str]:
        """boto3 client keyword arguments that make calls as ``principal`` (through ``via_service``, if set)."""
        temporary = principal.kind == "assumed-role"
        access_key = ("ASIA" if temporary else "AKIA") + _random(16)
        self._by_access_key[access_key] = (principal, via_service)
        credentials = {"aws_access_key_id": access_key, "aws_secret_access_key": _random(40)}
        if temporary:
            credentials["aws_session_token"] = "mockkms-session-" + _random(64)
        return credentials

    def lookup(self, access_key: Optional[str]) -> "Optional[tuple[Principal, Optional[str]]]":
        if access_key is None:
            return None
        return self._by_access_key.get(access_key)
