"""Key policies: GetKeyPolicy, PutKeyPolicy, ListKeyPolicies, and the checks a new policy must pass.

A key has one policy, named ``default``.  Without one, CreateKey sets AWS's
default policy (the account may use the key as its IAM policies say).  A new
policy must be JSON with statements and valid principals, at most 32 KB, and —
unless the caller bypasses the lockout safety check — must still let the caller
change the policy later.  GetKeyPolicy returns policies in the layout KMS uses.
"""
from __future__ import annotations

import json
from typing import Any, Dict

from ..domain.arn import partition_of
from ..domain.policy import MAX_KEY_POLICY_BYTES, MalformedPolicy, Policy, default_policy, pretty
from ..errors import AWSError
from . import authorize, operation
from .request import Request

POLICY_NAME = "default"
LOCKOUT = "The new key policy will not allow you to update the key policy in the future."


def new_key_policy(req: Request, key_arn: str, key_account: str) -> Policy:
    """The policy a CreateKey or PutKeyPolicy request sets (the default one if it gives none)."""
    text = req.params.get("Policy")
    if text is None:
        return default_policy(key_account, partition_of(req.region))
    if len(text.encode("utf-8")) > MAX_KEY_POLICY_BYTES:
        # Wording [G]: the quota is documented, the message is not recorded.
        raise AWSError("LimitExceededException",
                       f"The key policy exceeds the maximum size of {MAX_KEY_POLICY_BYTES} bytes.")
    try:
        policy = Policy.parse(text)
    except MalformedPolicy as malformed:
        raise AWSError("MalformedPolicyDocumentException", malformed.message) from None
    if not req.params.get("BypassPolicyLockoutSafetyCheck") and req.world.enforce_policies:
        if not authorize.allows_put_key_policy(req, policy, key_arn, key_account):
            raise AWSError("MalformedPolicyDocumentException", LOCKOUT)
    return policy


def _policy_name(req: Request) -> None:
    name = req.params.get("PolicyName", POLICY_NAME)
    if name != POLICY_NAME:
        raise AWSError("NotFoundException", "No such policy exists")  # wording [G]


def returned(policy: Policy) -> str:
    """The default policy's exact text; other policies re-laid out as KMS lays them out [O]."""
    if policy.default_for is not None:
        return policy.text
    return pretty(json.loads(policy.text))


@operation("GetKeyPolicy")
def get_key_policy(req: Request) -> Dict[str, Any]:
    key = req.key()
    _policy_name(req)
    return {"Policy": returned(key.policy), "PolicyName": POLICY_NAME}


@operation("PutKeyPolicy")
def put_key_policy(req: Request) -> Dict[str, Any]:
    key = req.key()
    _policy_name(req)
    key.policy = new_key_policy(req, key.arn, key.account)
    return {}


@operation("ListKeyPolicies")
def list_key_policies(req: Request) -> Dict[str, Any]:
    req.key()
    return {"PolicyNames": [POLICY_NAME], "Truncated": False}
