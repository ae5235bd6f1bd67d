"""Key management: create, describe, list, enable/disable, describe, delete."""
from __future__ import annotations

import datetime as _dt
import os
from typing import Any, Dict, List, Optional, Tuple

from ..domain import arn as arns
from ..domain import mac, specs
from ..domain.ids import uuid4
from ..domain.key import Key, KeyMaterial, KeyState
from ..domain.multi_region import MultiRegionSet
from ..domain.world import RegionStore
from ..errors import coral_clause, coral_validation_error, validation_error
from . import custom_key_stores, operation, pagination, policies, regions, tags
from .request import Request
from .views import key_metadata

_ORIGINS_NEEDING_A_STORE = ("AWS_CLOUDHSM", "EXTERNAL_KEY_STORE")


def _spec_and_usage(req: Request) -> "tuple[str, str]":
    """A new key's (KeySpec, KeyUsage), once the rules between them hold."""
    params = req.params
    spec = params.get("KeySpec")
    legacy = params.get("CustomerMasterKeySpec")
    usage = params.get("KeyUsage")
    regions.refuse_china_only(req, "KeySpec", "CustomerMasterKeySpec")
    if spec is not None and legacy is not None and spec != legacy:
        raise validation_error("You cannot specify KeySpec and CustomerMasterKeySpec in the same request. "
                               "CustomerMasterKeySpec parameter is deprecated. Use KeySpec parameter instead.")
    spec = spec or legacy or specs.SYMMETRIC
    if usage is None:
        if spec != specs.SYMMETRIC:
            raise validation_error(
                "You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.")
        usage = "ENCRYPT_DECRYPT"
    if usage not in specs.ALGORITHMS[spec]:
        raise validation_error(f"KeyUsage {usage} is not compatible with KeySpec {spec}")
    return spec, usage


def _check_origin(req: Request, origin: str, spec: str, usage: str,
                  multi_region: bool) -> Optional[custom_key_stores.CustomKeyStore]:
    """The custom key store a key is to be created in, if any, once the Origin rules hold."""
    store_id = req.get("CustomKeyStoreId")
    if req.get("XksKeyId") is not None and origin != "EXTERNAL_KEY_STORE":
        raise validation_error("XksKeyId is only valid for keys with Origin EXTERNAL_KEY_STORE.")
    if origin in _ORIGINS_NEEDING_A_STORE:
        if store_id is None:
            raise validation_error(f"A CustomKeyStoreId is required for keys with Origin {origin}.")
        if origin == "EXTERNAL_KEY_STORE" and req.get("XksKeyId") is None:
            raise validation_error("An XksKeyId is required for keys with Origin EXTERNAL_KEY_STORE.")
    if store_id is None:
        return None
    if origin not in _ORIGINS_NEEDING_A_STORE:
        raise validation_error(f"CustomKeyStoreId is only valid for keys with Origin AWS_CLOUDHSM or "
                               f"EXTERNAL_KEY_STORE, not {origin}.")  # [G]
    return custom_key_stores.key_in_store(req, store_id, origin, spec, usage, multi_region)


_RARE_CREATE_PARAMS = frozenset(("CustomKeyStoreId", "XksKeyId", "Policy", "Tags"))
#: without any of these, a new key is a symmetric encryption key (most keys are)
_SPEC_PARAMS = frozenset(("KeySpec", "CustomerMasterKeySpec", "KeyUsage"))


@operation("CreateKey")
def create_key(req: Request) -> Dict[str, Any]:
    params = req.params
    spec, usage = (specs.SYMMETRIC, "ENCRYPT_DECRYPT") if _SPEC_PARAMS.isdisjoint(params) else _spec_and_usage(req)
    req.authorize_iam()
    origin = params.get("Origin", "AWS_KMS")
    new_tags: Dict[str, str] = {}
    store: Optional[custom_key_stores.CustomKeyStore] = None
    multi_region = bool(params.get("MultiRegion"))
    randomness = os.urandom(80)  # one system call: the key id's 16 bytes, then a first material's 64
    key_id = ("mrk-" + randomness[:16].hex()) if multi_region else uuid4(randomness[:16])
    account, region, now = req.caller.account, req.region, req.now
    arn = arns.key_arn(region, account, key_id)
    if origin != "AWS_KMS" or not _RARE_CREATE_PARAMS.isdisjoint(params):
        store = _check_origin(req, origin, spec, usage, multi_region)
        if "Tags" in params:
            req.authorize_iam("kms:TagResource")
            new_tags = tags.merged({}, params["Tags"])
    policy = policies.new_key_policy(req, arn, account)
    # Positional up to origin: keyword arguments cost about as much as the rest of Key() together.
    key = Key(key_id, account, region, arn, now, params.get("Description", ""), spec, usage, origin,
              multi_region=multi_region, policy=policy, tags=new_tags)
    if store is not None:
        custom_key_stores.attach(key, store, params.get("XksKeyId"))
    if origin == "EXTERNAL":
        key.state = KeyState.PENDING_IMPORT
    elif spec == specs.SYMMETRIC:
        key.add_material(KeyMaterial(now, randomness[16:48], randomness[48:].hex()))
    elif spec in mac.KEY_BYTES:
        key.add_material(KeyMaterial(now, secret=os.urandom(mac.KEY_BYTES[spec])))
    else:
        key.pair = req.world.new_key_pair(spec)  # the private key is made when first used
    req.store.add_key(key)
    if multi_region:
        key.mr = MultiRegionSet(key, req.store)
    return {"KeyMetadata": key_metadata(key)}


@operation("DescribeKey")
def describe_key(req: Request) -> Dict[str, Any]:
    return {"KeyMetadata": key_metadata(req.key(aliases=True))}


@operation("ListKeys")
def list_keys(req: Request) -> Dict[str, Any]:
    req.authorize_iam()
    entries, sequence = _key_listing(req.store)
    page, more = pagination.page(req, entries, "ListKeys", 100, 1000, "KeyId", order=sequence)
    return {"Keys": page, **more}


def _key_listing(store: RegionStore) -> Tuple[List[Dict[str, str]], List[int]]:
    """(ListKeys entries, the keys' creation sequence numbers), in creation order.

    Kept on the store until a key comes or goes, so the pages of one pagination share one
    listing: paging through n keys costs O(n), not O(n) per page.  The entries are shared:
    the answer's conversion copies them.
    """
    if store.key_view is None:
        keys = list(store.keys.values())
        store.key_view = ([{"KeyId": key.key_id, "KeyArn": key.arn} for key in keys], [key.sequence for key in keys])
    return store.key_view


@operation("EnableKey")
def enable_key(req: Request) -> Dict[str, Any]:
    key = req.key()
    if key.state == KeyState.UNAVAILABLE:  # its custom key store is disconnected: applied on reconnect
        key.state_before_unavailable = KeyState.ENABLED
        return {}
    key.state = KeyState.ENABLED
    req.store_of(key.account).rotate_if_overdue(key, req.now)
    return {}


@operation("DisableKey")
def disable_key(req: Request) -> Dict[str, Any]:
    key = req.key()
    if key.state == KeyState.UNAVAILABLE:
        key.state_before_unavailable = KeyState.DISABLED
        return {}
    key.state = KeyState.DISABLED
    return {}


@operation("UpdateKeyDescription")
def update_key_description(req: Request) -> Dict[str, Any]:
    req.key().description = req.params["Description"]
    return {}


@operation("ScheduleKeyDeletion")
def schedule_key_deletion(req: Request) -> Dict[str, Any]:
    days = req.get("PendingWindowInDays", 30)
    if not 7 <= days <= 30:  # the model allows 1..365; the service only 7..30
        bound = "greater than or equal to 7" if days < 7 else "less than or equal to 30"
        raise coral_validation_error([coral_clause("pendingWindowInDays", f"Member must have value {bound}", str(days))])
    key = req.key()
    if key.mr is not None and key.mr.primary is key and key.mr.replicas():
        # A primary waits for its replicas to go; its window starts when the last one is deleted.
        key.state = KeyState.PENDING_REPLICA_DELETION
        key.pending_window_days = days
        return {"KeyId": key.arn, "KeyState": key.state, "PendingWindowInDays": days}
    key.schedule_deletion(req.now + _dt.timedelta(days=days), days)
    req.store_of(key.account).watch_deletion(key)
    return {"KeyId": key.arn, "DeletionDate": key.deletion_date, "KeyState": key.state,
            "PendingWindowInDays": days}


@operation("CancelKeyDeletion")
def cancel_key_deletion(req: Request) -> Dict[str, Any]:
    key = req.key()
    key.cancel_deletion()
    material = key.materials.get(key.current_material_id) if key.current_material_id else None
    if key.origin == "EXTERNAL" and (material is None or material.secret is None):
        key.state = KeyState.PENDING_IMPORT  # nothing to use until the material is imported again
    return {"KeyId": key.arn}
