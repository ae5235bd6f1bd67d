"""Who may do what: the one authorization path, as KMS evaluates it (keys-lifecycle.md §4).

For an action on a key:

1. an explicit Deny in the key policy or in the caller's identity policies refuses;
2. a key policy Allow naming the caller (its ARN, its role, ``*``) allows — for a
   caller of another account only if its identity policies allow too;
3. a key policy Allow naming a whole account (``"AWS": "<account>"`` or its root
   ARN) hands the decision to that account's identity policies;
4. otherwise a grant for the caller that covers the operation allows.

Identity side: ``kms.allow(principal, policy)`` attaches identity policies.  A
principal with none attached is treated, in its own account, as allowed whatever
the key policy delegates to the account (so the default key policy lets every
principal of the account use the key, as a permissive IAM setup would); an
account root is always allowed by IAM; a principal of another account needs
attached policies that allow.  Operations IAM alone governs (CreateKey,
ListKeys, ...) follow the same identity rule.

With ``mock_kms(enforce_policies=False)`` nothing is evaluated; the rule that
only some operations work across accounts still holds (it is the API's, not a
policy's).
"""
from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Callable, Dict, List, Optional

from ..domain.conditions import Context
from ..domain.grants import Grant
from ..domain.key import Key
from ..domain.policy import Policy
from ..domain.principals import Principal
from ..errors import AWSError

if TYPE_CHECKING:
    from .request import Request

#: Operations AWS lets a principal of another account perform on a key [M, operation docs].
CROSS_ACCOUNT = frozenset({
    "Encrypt", "Decrypt", "ReEncrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext",
    "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext", "GenerateMac", "VerifyMac", "Sign",
    "Verify", "DeriveSharedSecret", "GetPublicKey", "DescribeKey", "GetKeyRotationStatus", "CreateGrant",
    "ListGrants", "RetireGrant", "RevokeGrant",
})
#: What an AWS managed key's policy lets customers do: use it through its service...
AWS_MANAGED_SERVICE_ACTIONS = frozenset({
    "kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext", "kms:GenerateDataKeyPair", "kms:GenerateDataKeyPairWithoutPlaintext",
    "kms:CreateGrant", "kms:DescribeKey",
})
#: ... and read its metadata directly.
AWS_MANAGED_METADATA_PREFIXES = ("kms:Describe", "kms:Get", "kms:List")


def _aws_managed_allows(req: "Request", action: str) -> bool:
    if action.startswith(AWS_MANAGED_METADATA_PREFIXES):
        return True
    return action in AWS_MANAGED_SERVICE_ACTIONS and req.caller.via_service is not None
_GRANT_ISSUE_OPERATIONS = frozenset({"CreateGrant", "ListGrants", "RevokeGrant"})
_DEFAULT_ENCRYPTION_ALGORITHM_OPS = frozenset({
    "Encrypt", "Decrypt", "ReEncrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext",
    "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext"})


_ACTIONS_BY_PARAM = {("ReEncrypt", "SourceKeyId"): "kms:ReEncryptFrom",
                     ("ReEncrypt", "DestinationKeyId"): "kms:ReEncryptTo"}


def action_for(operation: str, param: Optional[str]) -> str:
    """The permission an operation needs on the key named by ``param`` (ReEncrypt needs two)."""
    return _ACTIONS_BY_PARAM.get((operation, param or ""), "kms:" + operation)


def denied(caller: Principal, action: str, resource: str, reason: str) -> AWSError:
    """AccessDeniedException worded as AWS words it [O]."""
    return AWSError("AccessDeniedException",
                    f"User: {caller.arn} is not authorized to perform: {action} on resource: {resource} {reason}")


def no_policy_allows(kind: str, action: str) -> str:
    return f"because no {kind}-based policy allows the {action} action"


EXPLICIT_DENY_KEY_POLICY = "with an explicit deny in a resource-based policy"
EXPLICIT_DENY_IDENTITY = "with an explicit deny in an identity-based policy"


# -- the identity side --------------------------------------------------------------------------
def _identity(req: "Request", action: str, resource: str, resource_account: str,
              context: Callable[[], Context]) -> "tuple[bool, bool]":
    """(explicitly denied, allowed) by the caller's identity policies."""
    caller = req.caller.principal
    policies = req.world.identity_policies_of(caller)
    if not policies:
        return False, caller.is_root or caller.account == resource_account
    verdicts = [p.judge(caller, action, resource, context) for p in policies]
    return any(v.denied for v in verdicts), caller.is_root or any(v.allowed_directly for v in verdicts)


def identity_side(req: "Request", action: str, resource: str, resource_account: str) -> "tuple[bool, bool]":
    """(explicitly denied, allowed) by the caller's identity side, for ``action`` on ``resource``."""
    if not req.world.identity_policies_of(req.caller.principal):
        caller = req.caller.principal
        return False, caller.is_root or caller.account == resource_account
    return _identity(req, action, resource, resource_account, _context(req, None, action, None))


def identity_action(req: "Request", action: str, resource: str = "*") -> None:
    """Authorize an operation that identity policies alone govern (no key involved)."""
    world = req.world
    caller = req.caller.principal
    if not world.enforce_policies or not world.any_identity_policies or not world.identity_policies_of(caller):
        return  # no identity policies: allowed in the caller's own account, where these operations act
    context = _context(req, None, action, None)
    is_denied, allowed = _identity(req, action, resource, caller.account, context)
    if is_denied:
        raise denied(caller, action, resource, EXPLICIT_DENY_IDENTITY)
    if not allowed:
        raise denied(caller, action, resource, no_policy_allows("identity", action))


# -- a key ------------------------------------------------------------------------------------
def key_action(req: "Request", key: Key, action: str, param: Optional[str] = None) -> Optional[Grant]:
    """Authorize ``action`` on ``key`` for the request's caller, or raise AccessDeniedException.

    Returns the grant that allowed it, when only a grant did (CreateGrant limits what such a
    caller may grant); None when a policy allowed it.
    """
    caller = req.caller.principal
    cross_account = caller.account != key.account
    if cross_account and req.operation not in CROSS_ACCOUNT:
        raise denied(caller, action, key.arn, no_policy_allows("resource", action))
    world = req.world
    if not world.enforce_policies:
        if key.key_manager == "AWS" and not _aws_managed_allows(req, action):
            # Even unenforced, an AWS managed key stays AWS's: its policy would refuse this.
            raise denied(caller, action, key.arn, no_policy_allows("resource", action))
        return None
    policy: Policy = key.policy
    if policy.default_for == key.account and not cross_account and (
            not world.any_identity_policies or not world.identity_policies_of(caller)):
        return None  # the default policy delegates to the account, whose IAM side allows: the common case
    context = _context(req, key, action, param)
    verdict = policy.judge(caller, action, key.arn, context)
    if verdict.denied:
        raise denied(caller, action, key.arn, EXPLICIT_DENY_KEY_POLICY)
    identity_denied, identity_allows = _identity(req, action, key.arn, key.account, context)
    if identity_denied:
        raise denied(caller, action, key.arn, EXPLICIT_DENY_IDENTITY)
    if cross_account:
        key_side = verdict.allowed_directly or caller.account in verdict.allowed_accounts
        if key_side and identity_allows:
            return None
    else:
        if verdict.allowed_directly:
            return None
        key_side = key.account in verdict.allowed_accounts
        if key_side and identity_allows:
            return None
    grant = _granted(req, key, action, identity_allows)
    if grant is not None:
        return grant
    kind = "identity" if key_side else "resource"
    raise denied(caller, action, key.arn, no_policy_allows(kind, action))


def _granted(req: "Request", key: Key, action: str, identity_allows: bool) -> Optional[Grant]:
    """The caller's grant on ``key`` that covers ``action`` with this request's context, if any."""
    caller = req.caller.principal
    operation = action[len("kms:"):]
    encryption_context = _encryption_context(req, action)
    for grant in key.grants.values():
        named = grant.names(caller)
        if named is None or (named == "account" and not identity_allows):
            continue
        if grant.allows(operation, encryption_context):
            return grant
    return None


def allows_put_key_policy(req: "Request", policy: Policy, key_arn: str, key_account: str) -> bool:
    """The lockout safety check: would ``policy`` let this caller call PutKeyPolicy later?"""
    caller = req.caller.principal
    action = "kms:PutKeyPolicy"
    context = _context(req, None, action, None)
    verdict = policy.judge(caller, action, key_arn, context)
    if verdict.denied:
        return False
    identity_denied, identity_allows = _identity(req, action, key_arn, key_account, context)
    if identity_denied:
        return False
    if caller.account != key_account:
        return False
    return verdict.allowed_directly or (key_account in verdict.allowed_accounts and identity_allows)


# -- the request context ------------------------------------------------------------------------
def _encryption_context(req: "Request", action: str) -> Optional[Dict[str, str]]:
    params = req.params
    if action == "kms:ReEncryptFrom":
        return params.get("SourceEncryptionContext")
    if action == "kms:ReEncryptTo":
        return params.get("DestinationEncryptionContext")
    if req.operation == "CreateGrant":
        constraints = params.get("Constraints") or {}
        return constraints.get("EncryptionContextEquals") or constraints.get("EncryptionContextSubset")
    return params.get("EncryptionContext")


def _request_alias(req: "Request", param: Optional[str]) -> Optional[str]:
    value = req.params.get(param) if param else None
    if not isinstance(value, str):
        return None
    if value.startswith("alias/"):
        return value
    if value.startswith("arn:") and ":alias/" in value:
        return "alias/" + value.split(":alias/", 1)[1]
    return None


def _context(req: "Request", key: Optional[Key], action: str, param: Optional[str]) -> Callable[[], Context]:
    """The condition keys of this request, built only if a condition asks for them."""
    built: List[Context] = []

    def build() -> Context:
        if not built:
            built.append(_build_context(req, key, action, param))
        return built[0]
    return build


class _LazyContext(dict):
    """Condition keys, some of them worked out only when a condition reads them."""

    def later(self, name: str, make: Callable[[], object]) -> None:
        self.__dict__.setdefault("_later", {})[name] = make

    def _settle(self, name: object) -> None:
        later = self.__dict__.get("_later")
        if later and name in later:
            self[name] = later.pop(name)()

    def __contains__(self, name: object) -> bool:
        self._settle(name)
        return super().__contains__(name)

    def __getitem__(self, name: object) -> object:
        self._settle(name)
        return super().__getitem__(name)

    def get(self, name: object, default: object = None) -> object:
        self._settle(name)
        return super().get(name, default)


def _build_context(req: "Request", key: Optional[Key], action: str, param: Optional[str]) -> Context:
    caller = req.caller
    principal = caller.principal
    params = req.params
    now: _dt.datetime = req.now
    ctx = _LazyContext({
        "kms:calleraccount": principal.account,
        "aws:principalaccount": principal.account,
        "aws:principalarn": principal.role_arn or principal.arn,
        "aws:principaltype": {"root": "Account", "user": "User"}.get(principal.kind, "AssumedRole"),
        "aws:currenttime": now,
        "aws:epochtime": int(now.timestamp()),
        "aws:securetransport": True,
    })
    if caller.via_service:
        ctx["kms:viaservice"] = caller.via_service
    if req.operation in _GRANT_ISSUE_OPERATIONS:
        ctx["kms:grantisforawsresource"] = bool(caller.via_service)
    if key is not None:
        ctx["kms:keyspec"] = key.key_spec
        ctx["kms:keyusage"] = key.key_usage
        ctx["kms:keyorigin"] = key.origin
        ctx["kms:multiregion"] = key.multi_region
        if key.multi_region:
            ctx["kms:multiregionkeytype"] = "PRIMARY"
        # Finding a key's aliases scans the store: done only if a condition asks for them.
        ctx.later("kms:resourcealiases", lambda: [a.name for a in req.store_of(key.account).aliases_of(key.key_id)])
        for tag_key, tag_value in key.tags.items():
            ctx["aws:resourcetag/" + tag_key.lower()] = tag_value
    elif req.operation == "CreateKey":
        ctx["kms:keyspec"] = params.get("KeySpec") or params.get("CustomerMasterKeySpec") or "SYMMETRIC_DEFAULT"
        ctx["kms:keyusage"] = params.get("KeyUsage", "ENCRYPT_DECRYPT")
        ctx["kms:keyorigin"] = params.get("Origin", "AWS_KMS")
        ctx["kms:multiregion"] = bool(params.get("MultiRegion"))
    encryption_context = _encryption_context(req, action)
    if encryption_context is not None:
        for name, value in encryption_context.items():
            ctx["kms:encryptioncontext:" + name.lower()] = value
        ctx["kms:encryptioncontextkeys"] = list(encryption_context)
    algorithm_param = {"kms:ReEncryptFrom": "SourceEncryptionAlgorithm",
                       "kms:ReEncryptTo": "DestinationEncryptionAlgorithm"}.get(action, "EncryptionAlgorithm")
    if req.operation in _DEFAULT_ENCRYPTION_ALGORITHM_OPS:
        ctx["kms:encryptionalgorithm"] = params.get(algorithm_param) or "SYMMETRIC_DEFAULT"
    for name, condition_key in (("SigningAlgorithm", "kms:signingalgorithm"), ("MacAlgorithm", "kms:macalgorithm"),
                                ("KeyAgreementAlgorithm", "kms:keyagreementalgorithm"),
                                ("KeyPairSpec", "kms:datakeypairspec"),
                                ("BypassPolicyLockoutSafetyCheck", "kms:bypasspolicylockoutsafetycheck"),
                                ("PendingWindowInDays", "kms:schedulekeydeletionpendingwindowindays"),
                                ("RotationPeriodInDays", "kms:rotationperiodindays"),
                                ("GranteePrincipal", "kms:granteeprincipal"),
                                ("RetiringPrincipal", "kms:retiringprincipal"),
                                ("Operations", "kms:grantoperations")):
        if name in params:
            ctx[condition_key] = params[name]
    if req.operation == "ReEncrypt" and key is not None:
        ctx["kms:reencryptonsamekey"] = _re_encrypt_on_same_key(req, key, action)
    if req.operation in ("Sign", "Verify"):
        ctx["kms:messagetype"] = params.get("MessageType", "RAW")
    if req.operation == "CreateGrant" and params.get("Constraints"):
        ctx["kms:grantconstrainttype"] = next(iter(params["Constraints"]))
    alias = _request_alias(req, param)
    if alias is not None:
        ctx["kms:requestalias"] = alias
    request_tags = params.get("Tags")
    if isinstance(request_tags, list):
        for tag in request_tags:
            ctx["aws:requesttag/" + tag["TagKey"].lower()] = tag["TagValue"]
        ctx["aws:tagkeys"] = [tag["TagKey"] for tag in request_tags]
    elif "TagKeys" in params:
        ctx["aws:tagkeys"] = list(params["TagKeys"])
    return ctx


def _re_encrypt_on_same_key(req: "Request", key: Key, action: str) -> bool:
    """kms:ReEncryptOnSameKey: whether ReEncrypt's source and destination are the same key."""
    from . import resolve
    from ..domain import ciphertext
    params = req.params
    try:
        if action == "kms:ReEncryptFrom":
            other = resolve.key(req, params["DestinationKeyId"], aliases=True)
            return other is key
        if params.get("SourceKeyId"):
            return resolve.key(req, params["SourceKeyId"], aliases=True) is key
        header = ciphertext.read_header(params.get("CiphertextBlob") or b"")
        return (header.account, header.key_id) == (key.account, key.key_id)
    except (AWSError, ciphertext.InvalidCiphertext, KeyError):
        return False
