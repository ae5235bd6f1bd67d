"""CreateAlias, UpdateAlias, DeleteAlias, ListAliases."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from ..domain import arn as arns
from ..domain import aws_managed, specs
from ..domain.key import Alias, Key
from ..domain.world import AliasTable
from ..errors import AWSError, validation_error
from . import operation, pagination, resolve
from .request import Request

MAX_ALIASES_PER_KEY = 50
_PREFIX_MESSAGE = ('Alias must start with the prefix "alias/". Please see '
                   "https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html")


def _checked_name(req: Request) -> str:
    name = req.params["AliasName"]
    if not name.startswith("alias/"):
        raise validation_error(_PREFIX_MESSAGE)
    if name.startswith("alias/aws/"):  # reserved for AWS managed keys
        raise AWSError("NotAuthorizedException")
    return name


def _alias_arn(req: Request, name: str) -> str:
    return arns.alias_arn(req.region, req.caller.account, name)


def _existing(req: Request, name: str) -> Alias:
    alias = req.store.aliases.get(name)
    if alias is None:
        raise resolve.not_found(f"Alias {_alias_arn(req, name)} is not found.")
    return alias


def _target(req: Request, moving: Optional[str] = None) -> Key:
    """The key an alias is to point at; ``moving`` is the alias being re-pointed, which
    does not count against the per-key limit (re-pointing it at its own key adds nothing)."""
    value = req.params["TargetKeyId"]
    if value.startswith("alias/") or (value.startswith("arn:") and ":alias/" in value):
        raise validation_error("Aliases must refer to keys. Not aliases")
    key = req.key("TargetKeyId")
    others = [a for a in req.store.aliases_of(key.key_id) if a.name != moving]
    if len(others) >= MAX_ALIASES_PER_KEY:
        raise AWSError("LimitExceededException",
                       f"Too many aliases for the KMS key {key.arn}: the limit is {MAX_ALIASES_PER_KEY}.")
    return key


@operation("CreateAlias")
def create_alias(req: Request) -> Dict[str, Any]:
    name = _checked_name(req)
    if ":" in name:
        raise validation_error(f"{name} contains invalid characters for an alias")
    if name == "alias/":
        raise AWSError("InvalidAliasNameException", "Alias name must not be empty after the alias/ prefix.")
    req.authorize_iam(resource=_alias_arn(req, name))
    key = _target(req)
    if name in req.store.aliases:
        raise AWSError("AlreadyExistsException", f"An alias with the name {_alias_arn(req, name)} already exists")
    req.store.aliases[name] = Alias(name, key.key_id, req.now, req.now)
    return {}


@operation("UpdateAlias")
def update_alias(req: Request) -> Dict[str, Any]:
    name = _checked_name(req)
    alias = _existing(req, name)
    req.authorize_iam(resource=_alias_arn(req, name))
    key = _target(req, moving=name)
    current = req.store.keys.get(alias.target_key_id)
    if current is not None:
        req.authorize(current)  # UpdateAlias needs the permission on the old key too
    if current is not None and (specs.key_type(current.key_spec) != specs.key_type(key.key_spec)
                                or current.key_usage != key.key_usage):
        raise validation_error(
            f"{key.arn} is not compatible with the KMS key currently associated with {_alias_arn(req, name)}: "
            "the new KMS key must have the same key type and key usage.")
    req.store.aliases[name] = Alias(name, key.key_id, alias.created, req.now)  # re-assigned: re-indexed
    return {}


@operation("DeleteAlias")
def delete_alias(req: Request) -> Dict[str, Any]:
    name = _checked_name(req)
    alias = _existing(req, name)
    req.authorize_iam(resource=_alias_arn(req, name))
    current = req.store.keys.get(alias.target_key_id)
    if current is not None:
        req.authorize(current)
    del req.store.aliases[name]
    return {}


@operation("ListAliases")
def list_aliases(req: Request) -> Dict[str, Any]:
    req.authorize_iam()
    listing = "ListAliases"
    if req.get("KeyId") is not None:
        key = req.key(check_state=False)
        listed = sorted(req.store.aliases_of(key.key_id), key=_name)
        order = [_name(a) for a in listed]
        listing += ":" + key.arn
    else:
        listed, order = _whole_listing(req.store.aliases)

    def entry(alias: Any) -> Dict[str, Any]:
        if isinstance(alias, str):
            return {"AliasName": alias, "AliasArn": _alias_arn(req, alias)}
        return {"AliasName": alias.name, "AliasArn": _alias_arn(req, alias.name), "TargetKeyId": alias.target_key_id,
                "CreationDate": alias.created, "LastUpdatedDate": alias.updated}

    page, more = pagination.page(req, listed, listing, 50, 100, "AliasName", order=order, entry=entry)
    return {"Aliases": page, **more}


def _whole_listing(table: AliasTable) -> Tuple[List[Any], List[str]]:
    """The Region's aliases and the predefined AWS managed ones no service has made yet (listed
    without a target [M]), sorted by name, with the names.  Kept on the table until it changes,
    so paging through n aliases costs O(n log n) once, not per page."""
    if table.view is None:
        listed: List[Any] = list(table.values())
        listed += [name for name in (aws_managed.PREFIX + s for s in aws_managed.SERVICES) if name not in table]
        listed.sort(key=_name)
        table.view = (listed, [_name(a) for a in listed])
    return table.view


def _name(alias: Any) -> str:
    return alias if isinstance(alias, str) else alias.name
