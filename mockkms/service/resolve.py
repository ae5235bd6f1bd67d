"""Turn a key identifier (key id, key ARN, alias name, alias ARN) into a key.

The failure shapes are AWS's own (recorded): ``Invalid keyId '<v>'`` for a value
that is not an identifier, ``Key '<arn>' does not exist`` for a well-formed id
with no key, ``Invalid arn <region>`` for an ARN of another Region, and
``Alias <alias-arn> is not found.`` for a missing alias.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Optional, Tuple

from ..domain import arn as arns
from ..domain import aws_managed
from ..domain.key import Alias, Key
from ..errors import AWSError

if TYPE_CHECKING:
    from .request import Request


def not_found(message: str) -> AWSError:
    return AWSError("NotFoundException", message)


def invalid_key_id(value: str) -> AWSError:
    return not_found(f"Invalid keyId '{value}'")


def key(req: "Request", value: str, *, aliases: bool) -> Key:
    """Resolve ``value`` to a live key of the caller's Region (any account named by an ARN)."""
    found = req.store.keys.get(value)
    if found is not None:  # a bare id of one of the caller's keys: the common case, nothing to parse
        return found
    account, kind, name = _parse(req, value)
    store = req.store if account == req.caller.account else req.store_of(account)
    if kind == "alias":
        if not aliases:
            raise invalid_key_id(value)
        alias = store.aliases.get(name)
        if alias is None:
            service = aws_managed.service_of(name)
            if service is None or account != req.caller.account:
                raise not_found(f"Alias {arns.alias_arn(req.region, account, name)} is not found.")
            from . import aws_managed_keys  # the first use of a predefined alias makes its key
            return aws_managed_keys.create(req, store, service)
        name = alias.target_key_id
    found = store.keys.get(name)
    if found is None:
        raise not_found(f"Key '{arns.key_arn(req.region, account, name)}' does not exist")
    return found


def _parse(req: "Request", value: str) -> Tuple[str, str, str]:
    """(account, "key" | "alias", key id or alias name) named by ``value``."""
    if value.startswith("arn:"):
        parsed = arns.parse_arn(value)
        if parsed is None:
            raise AWSError("InvalidArnException", f"Invalid arn {value}")
        if parsed.region != req.region:
            raise not_found(f"Invalid arn {parsed.region}")
        if parsed.resource_type == "key" and not arns.is_key_id(parsed.name):
            raise invalid_key_id(value)
        return parsed.account, parsed.resource_type, parsed.name
    if value.startswith("alias/"):
        return req.caller.account, "alias", value
    if arns.is_key_id(value):
        return req.caller.account, "key", value
    raise invalid_key_id(value)


def alias(req: "Request", name: str) -> Optional[Alias]:
    return req.store.aliases.get(name)
