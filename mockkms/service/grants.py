"""Grants: CreateGrant, ListGrants, ListRetirableGrants, RetireGrant, RevokeGrant (keys-lifecycle.md §5).

A grant lets its grantee use a key for the listed operations, maybe only with
certain encryption contexts; :mod:`.authorize` consults grants after the
policies.  Grant tokens are issued by CreateGrant and name their grant; a token
of a grant that is gone is no longer valid.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from ..domain import grants, principals
from ..domain.grants import Grant
from ..domain.key import Key
from ..errors import AWSError, validation_error
from . import authorize, operation, pagination
from .request import Request


def _grantee(req: Request) -> str:
    person, service = req.params.get("GranteePrincipal"), req.params.get("GranteeServicePrincipal")
    if (person is None) == (service is None):
        # Wording [G]: the rule is documented ("either ... but not both"), the message is not recorded.
        raise validation_error("You must specify either GranteePrincipal or GranteeServicePrincipal, but not both.")
    if service is not None:
        constraints = req.params.get("Constraints") or {}
        if not constraints.get("SourceArn"):
            raise validation_error("A SourceArn grant constraint is required with a GranteeServicePrincipal.")  # [G]
        if req.params.get("RetiringPrincipal") is None and req.params.get("RetiringServicePrincipal") is None:
            raise validation_error(
                "A RetiringPrincipal or RetiringServicePrincipal is required with a GranteeServicePrincipal.")  # [G]
        return service
    if principals.parse(person) is None:
        raise validation_error(f"Invalid principal: {person}")  # [G]
    return person


def _retiring(req: Request) -> Optional[str]:
    person, service = req.params.get("RetiringPrincipal"), req.params.get("RetiringServicePrincipal")
    if person is not None and service is not None:
        raise validation_error("You can specify either RetiringPrincipal or RetiringServicePrincipal, but not both.")
    return person if person is not None else service


def _check_operations(key: Key, operations: Tuple[str, ...], constraints: Optional[Dict[str, Any]]) -> None:
    supported = grants.operations_for(key.key_spec, key.key_usage)
    unsupported = [op for op in operations if op not in supported]
    if unsupported:
        # Wording [G]: the docs say only that such a grant is refused with a validation error.
        raise validation_error(f"Grant operations {', '.join(unsupported)} are not supported by "
                               f"{key.key_spec} keys with key usage {key.key_usage}.")
    context_constraint = constraints and ("EncryptionContextEquals" in constraints
                                          or "EncryptionContextSubset" in constraints)
    if context_constraint and key.key_spec != "SYMMETRIC_DEFAULT":
        raise validation_error("Encryption context grant constraints are supported only for symmetric "
                               "encryption KMS keys.")  # [G]


@operation("CreateGrant")
def create_grant(req: Request) -> Dict[str, Any]:
    grantee = _grantee(req)
    retiring = _retiring(req)
    key = req.key()
    operations = tuple(req.params["Operations"])
    constraints = req.params.get("Constraints") or None
    _check_operations(key, operations, constraints)
    parent = req.granted_by
    if parent is not None and not parent.at_least_as_strict(operations, constraints):
        raise authorize.denied(req.caller.principal, "kms:CreateGrant", key.arn,
                               "because the grant that allows it allows less than the new grant would")  # [G]
    req.check_grant_tokens()
    name = req.params.get("Name")
    existing = None
    if name is not None:
        existing = next((g for g in key.grants.values()
                         if g.name == name and g.same_request(grantee, operations, retiring, constraints)), None)
    if existing is None and len(key.grants) >= grants.MAX_GRANTS_PER_KEY:
        raise AWSError("LimitExceededException",
                       f"The number of grants on {key.arn} has reached the limit of {grants.MAX_GRANTS_PER_KEY}.")
    req.finish_dry_run()
    grant = existing
    if grant is None:
        grant = Grant(grant_id=grants.new_grant_id(), key_id=key.key_id, key_arn=key.arn, grantee=grantee,
                      operations=operations, issuing_account=f"arn:aws:iam::{req.caller.account}:root",
                      created=req.now, retiring=retiring, constraints=constraints, name=name)
        key.grants[grant.grant_id] = grant
    token = grants.new_token(grant.grant_id)
    grant.tokens.add(token)
    req.world.grant_tokens[token] = grant
    return {"GrantToken": token, "GrantId": grant.grant_id}


def _entry(grant: Grant) -> Dict[str, Any]:
    entry: Dict[str, Any] = {"KeyId": grant.key_arn, "GrantId": grant.grant_id}
    if grant.name is not None:
        entry["Name"] = grant.name
    entry["CreationDate"] = grant.created
    entry["GranteePrincipal"] = grant.grantee
    if grant.retiring is not None:
        entry["RetiringPrincipal"] = grant.retiring
    entry["IssuingAccount"] = grant.issuing_account
    entry["Operations"] = list(grant.operations)
    if grant.constraints:
        entry["Constraints"] = grant.constraints
    return entry


@operation("ListGrants")
def list_grants(req: Request) -> Dict[str, Any]:
    key = req.key()
    wanted_id = req.params.get("GrantId")
    if wanted_id is not None:
        _check_grant_id(wanted_id)
    wanted_grantee = req.params.get("GranteePrincipal") or req.params.get("GranteeServicePrincipal")
    found = [g for g in key.grants.values()
             if (wanted_id is None or g.grant_id == wanted_id)
             and (wanted_grantee is None or g.grantee == wanted_grantee)]
    listing = f"ListGrants:{key.arn}:{wanted_id}:{wanted_grantee}"
    page, more = pagination.page(req, found, listing, 50, 100, "GrantId", order=[g.sequence for g in found],
                                 entry=_entry)
    return {"Grants": page, **more}


@operation("ListRetirableGrants")
def list_retirable_grants(req: Request) -> Dict[str, Any]:
    retiring = req.params.get("RetiringPrincipal") or req.params.get("RetiringServicePrincipal")
    if retiring is None:
        raise validation_error("You must specify either RetiringPrincipal or RetiringServicePrincipal.")  # [G]
    req.authorize_iam()
    found: List[Grant] = []
    for store in req.world.stores():
        if store.region == req.region:
            for key in store.keys.values():
                found.extend(g for g in key.grants.values() if g.retiring == retiring)
    found.sort(key=lambda g: g.sequence)
    page, more = pagination.page(req, found, f"ListRetirableGrants:{retiring}", 50, 100, "GrantId",
                                 order=[g.sequence for g in found], entry=_entry)
    return {"Grants": page, **more}


def _check_grant_id(grant_id: str) -> None:
    if not (len(grant_id) == 64 and all(c in "0123456789abcdef" for c in grant_id)):
        raise AWSError("InvalidGrantIdException", f"Invalid grant ID {grant_id}")  # [G]


def _grant_on(req: Request, key: Key, grant_id: str) -> Grant:
    _check_grant_id(grant_id)
    grant = key.grants.get(grant_id)
    if grant is None:
        raise AWSError("NotFoundException", f"Grant ID {grant_id} not found")  # [G]
    return grant


def _remove(req: Request, key: Key, grant: Grant) -> None:
    del key.grants[grant.grant_id]
    grant.live = False
    for token in grant.tokens:
        req.world.grant_tokens.pop(token, None)


def _check_retirer(req: Request, key: Key, grant: Grant) -> None:
    """Who may retire a grant [D]: its retiring principal, its grantee if it lists RetireGrant, and
    the account that made it (its root, or principals IAM allows); an IAM Deny stops anyone."""
    caller = req.caller.principal
    action = "kms:RetireGrant"
    identity_denied, identity_allows = authorize.identity_side(req, action, key.arn, key.account)
    if identity_denied:
        raise authorize.denied(caller, action, key.arn, authorize.EXPLICIT_DENY_IDENTITY)
    if grant.retiring is not None:
        named = grants.naming(grant.retiring, caller)
        if named == "direct" or (named == "account" and identity_allows):
            return
    if "RetireGrant" in grant.operations and grant.names(caller) is not None:
        return
    if grant.issuing_account == f"arn:aws:iam::{caller.account}:root" and identity_allows:
        return
    raise authorize.denied(caller, action, key.arn, authorize.no_policy_allows("resource", action))


def _retirement(req: Request) -> Tuple[Key, Grant]:
    """The grant RetireGrant names, by token or by KeyId and GrantId, and its key."""
    token = req.params.get("GrantToken")
    if token is None:
        if req.params.get("KeyId") is None or req.params.get("GrantId") is None:
            raise validation_error("Either GrantToken, or both KeyId and GrantId, must be specified.")  # [G]
        key = req.key(check_state=False)
        return key, _grant_on(req, key, req.params["GrantId"])
    grant = req.live_grant(token)
    if grant is None:
        raise AWSError("InvalidGrantTokenException", "Invalid grant token")
    return req.store_of(grant.account).keys[grant.key_id], grant


@operation("RetireGrant")
def retire_grant(req: Request) -> Dict[str, Any]:
    key, grant = _retirement(req)
    if req.world.enforce_policies:
        _check_retirer(req, key, grant)
    req.finish_dry_run()
    _remove(req, key, grant)
    return {}


@operation("RevokeGrant")
def revoke_grant(req: Request) -> Dict[str, Any]:
    key = req.key()
    grant = _grant_on(req, key, req.params["GrantId"])
    req.finish_dry_run()
    _remove(req, key, grant)
    return {}
