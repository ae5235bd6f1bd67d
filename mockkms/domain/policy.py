"""Policy documents — key policies and identity (IAM) policies: parsed once, evaluated per call.

Evaluation answers, for one caller, action and resource: is there a matching
explicit Deny; is there an Allow naming the caller directly (its ARN, its role,
or ``*``); and which accounts an Allow names as a whole (``"AWS": "111122223333"``
or the account's root ARN).  In a key policy the latter does not authorize
anybody by itself: it lets that account's IAM policies decide (see
:mod:`mockkms.service.authorize`).
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, FrozenSet, List, Optional, Tuple

from . import conditions, principals
from .conditions import Context
from .principals import Principal

MAX_KEY_POLICY_BYTES = 32768


class MalformedPolicy(Exception):
    """Not a usable policy; ``message`` is what MalformedPolicyDocumentException says (None: nothing)."""

    def __init__(self, message: Optional[str] = None):
        super().__init__(message or "malformed policy")
        self.message = message


INVALID_PRINCIPALS = "Policy contains a statement with one or more invalid principals."


def _strings(value: Any, what: str) -> Tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(item, str) for item in items):
        # Wording [G]: AWS's text for a malformed element is not recorded.
        raise MalformedPolicy(f"{what} must be a string or a list of strings.")
    return tuple(items)


@dataclass(frozen=True)
class PrincipalSet:
    """The principals a statement names, sorted by how they match a caller."""
    anyone: bool = False
    accounts: FrozenSet[str] = frozenset()      # whole accounts: delegation to their IAM
    arns: FrozenSet[str] = frozenset()          # users, roles, sessions
    role_names: FrozenSet[Tuple[str, str]] = frozenset()  # (account, role name): matches the role's sessions

    @classmethod
    def parse(cls, value: Any) -> "PrincipalSet":
        if value == "*":
            return cls(anyone=True)
        if not isinstance(value, dict) or not value:
            raise MalformedPolicy(INVALID_PRINCIPALS)
        accounts, arns, roles = set(), set(), set()
        anyone = False
        for kind, names in value.items():
            for name in _strings(names, "Principal"):
                if kind != "AWS":
                    continue  # Service / Federated / CanonicalUser principals never call directly here
                if name == "*":
                    anyone = True
                    continue
                principal = principals.parse(name)
                if principal is None:
                    raise MalformedPolicy(INVALID_PRINCIPALS)
                if principal.is_root:
                    accounts.add(principal.account)
                else:
                    arns.add(principal.arn)
                    if principal.kind == "role":
                        roles.add((principal.account, principal.role_name))
        return cls(anyone, frozenset(accounts), frozenset(arns), frozenset(roles))

    def names_directly(self, caller: Principal) -> bool:
        if self.anyone or caller.arn in self.arns:
            return True
        return caller.kind == "assumed-role" and (caller.account, caller.role_name) in self.role_names

    def names_account(self, account: str) -> bool:
        return account in self.accounts


@dataclass(frozen=True)
class Statement:
    allow: bool
    principals: Optional[PrincipalSet]          # None in identity policies
    not_principals: Optional[PrincipalSet]
    actions: Optional[Tuple[str, ...]]
    not_actions: Optional[Tuple[str, ...]]
    resources: Optional[Tuple[str, ...]]
    not_resources: Optional[Tuple[str, ...]]
    condition: Optional[Dict[str, Dict[str, Any]]]

    def covers(self, action: str, resource: str, context: Callable[[], Context]) -> bool:
        """Action, resource and condition match (principals are checked by the caller)."""
        if self.actions is not None:
            if not any(conditions.glob_match(a, action, ignore_case=True) for a in self.actions):
                return False
        elif self.not_actions is not None:
            if any(conditions.glob_match(a, action, ignore_case=True) for a in self.not_actions):
                return False
        else:
            return False  # no Action: the statement is inert
        if self.resources is not None:
            if not any(conditions.glob_match(r, resource) for r in self.resources):
                return False
        elif self.not_resources is not None:
            if any(conditions.glob_match(r, resource) for r in self.not_resources):
                return False
        else:
            return False
        return self.condition is None or conditions.holds(self.condition, context())


@dataclass
class Verdict:
    """What one policy says about one request."""
    denied: bool = False
    allowed_directly: bool = False
    allowed_accounts: set = field(default_factory=set)

    @property
    def allows_something(self) -> bool:
        return self.allowed_directly or bool(self.allowed_accounts)


def _statement(raw: Any, key_policy: bool) -> Statement:
    if not isinstance(raw, dict):
        raise MalformedPolicy("Policy statements must be objects.")  # [G]
    effect = raw.get("Effect")
    if effect not in ("Allow", "Deny"):
        raise MalformedPolicy("Policy statements must have an Effect of Allow or Deny.")  # [G]
    principal, not_principal = raw.get("Principal"), raw.get("NotPrincipal")
    if key_policy and principal is None and not_principal is None:
        raise MalformedPolicy("Policy contains a statement with no principal.")  # [G]
    if not key_policy and (principal is not None or not_principal is not None):
        raise MalformedPolicy("An identity policy cannot name a Principal.")  # as IAM refuses it
    condition = raw.get("Condition")
    if condition is not None:
        try:
            conditions.check_block(condition)
        except conditions.PolicyError as error:
            raise MalformedPolicy(f"Policy contains an invalid condition: {error}.") from None  # [G]

    def optional(name: str) -> Optional[Tuple[str, ...]]:
        return _strings(raw[name], name) if name in raw else None

    return Statement(
        allow=effect == "Allow",
        principals=PrincipalSet.parse(principal) if principal is not None else None,
        not_principals=PrincipalSet.parse(not_principal) if not_principal is not None else None,
        actions=optional("Action"), not_actions=optional("NotAction"),
        resources=optional("Resource"), not_resources=optional("NotResource"),
        condition=condition,
    )


class Policy:
    """A parsed policy document, with the text it was made from."""

    def __init__(self, text: str, statements: List[Statement], default_for: Optional[str] = None):
        self.text = text
        self.statements = statements
        #: the account whose default key policy this is (None for any other policy)
        self.default_for = default_for

    @classmethod
    def parse(cls, text: str, *, key_policy: bool = True) -> "Policy":
        try:
            document = json.loads(text)
        except ValueError:
            raise MalformedPolicy(None) from None  # [O]: non-JSON gets no message at all
        if not isinstance(document, dict):
            raise MalformedPolicy(None)
        raw = document.get("Statement")
        statements = raw if isinstance(raw, list) else [raw] if raw is not None else []
        if not statements:
            raise MalformedPolicy("The policy document must contain at least one statement.")  # [G]
        return cls(text, [_statement(s, key_policy) for s in statements])

    def judge(self, caller: Principal, action: str, resource: str, context: Callable[[], Context]) -> Verdict:
        verdict = Verdict()
        for statement in self.statements:
            named = statement.principals
            excluded = statement.not_principals
            if named is not None:
                direct = named.names_directly(caller)
                by_account = named.names_account(caller.account)
                if not direct and not by_account and not statement.allow:
                    continue
            elif excluded is not None:
                direct = not (excluded.names_directly(caller) or excluded.names_account(caller.account))
                by_account = False
            else:  # identity policy: the caller is its principal
                direct, by_account = True, False
            if statement.allow:
                accounts = named.accounts if named is not None else frozenset()
                if not direct and not accounts:
                    continue
                if not statement.covers(action, resource, context):
                    continue
                if direct:
                    verdict.allowed_directly = True
                verdict.allowed_accounts.update(accounts)
            elif (direct or by_account) and statement.covers(action, resource, context):
                verdict.denied = True
        return verdict


@functools.lru_cache(maxsize=64)
def default_policy(account: str, partition: str = "aws") -> Policy:
    """The default key policy of ``account``, parsed once and shared by its keys (it is immutable)."""
    policy = Policy.parse(default_key_policy(account, partition))
    policy.default_for = account
    return policy


def default_key_policy(account: str, partition: str = "aws") -> str:
    """The key policy CreateKey sets when none is given, byte for byte as GetKeyPolicy returns it [O]."""
    return pretty({
        "Version": "2012-10-17",
        "Id": "key-default-1",
        "Statement": [{
            "Sid": "Enable IAM User Permissions",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:{partition}:iam::{account}:root"},
            "Action": "kms:*",
            "Resource": "*",
        }],
    })


def pretty(value: Any, indent: str = "") -> str:
    """JSON in the layout KMS returns policies in (Jackson's default pretty printer)."""
    inner = indent + "  "
    if isinstance(value, dict):
        if not value:
            return "{ }"
        members = [f"{inner}{json.dumps(k, ensure_ascii=False)} : {pretty(v, inner)}" for k, v in value.items()]
        return "{\n" + ",\n".join(members) + f"\n{indent}}}"
    if isinstance(value, list):
        if not value:
            return "[ ]"
        return "[ " + ", ".join(pretty(v, indent) for v in value) + " ]"
    return json.dumps(value, ensure_ascii=False)
