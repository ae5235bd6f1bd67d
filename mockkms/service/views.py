"""How a key looks in responses (KeyMetadata), built from the domain key."""
from __future__ import annotations

import datetime as _dt
import functools
from typing import Any, Dict, Optional

from ..domain.key import Key, KeyState
from ..model import service_model

@functools.lru_cache(maxsize=None)  # a C-level cache: no Python frame per KeyMetadata once known
def _is_legacy(spec: str) -> bool:
    """Whether the deprecated CustomerMasterKeySpec can name ``spec``.  It cannot name the newer
    specs (ML-DSA, Ed25519): AWS leaves the field out for them rather than send a value outside
    its enum.  Worked out from the model on first use, so importing mockkms does not load it."""
    return spec in service_model().shape_for("CustomerMasterKeySpec").enum


def spec_fields(key: Key) -> Dict[str, Any]:
    """KeySpec, CustomerMasterKeySpec (when it can say it), KeyUsage and the algorithm list."""
    field, algorithms = key.algorithms
    fields: Dict[str, Any] = {"CustomerMasterKeySpec": key.key_spec} if _is_legacy(key.key_spec) else {}
    fields["KeySpec"] = key.key_spec
    fields["KeyUsage"] = key.key_usage
    fields[field] = list(algorithms)
    return fields


def _imported_expiry(key: Key) -> "Optional[tuple[str, Optional[_dt.datetime]]]":
    """(ExpirationModel, earliest ValidTo) of a key's imported material present now, if any [O][M]."""
    present = [m for m in key.materials.values() if m.secret is not None and not m.pending_rotation]
    if not present:
        return None
    ends = [m.valid_to for m in present if m.valid_to is not None]
    if ends:
        return "KEY_MATERIAL_EXPIRES", min(ends)
    return present[0].expiration_model or "KEY_MATERIAL_DOES_NOT_EXPIRE", None


def key_metadata(key: Key) -> Dict[str, Any]:
    """Every KeyMetadata field AWS returns for this key, and no other, in the model's member order."""
    field, algorithms = key.algorithms
    meta: Dict[str, Any] = {
        "AWSAccountId": key.account,
        "KeyId": key.key_id,
        "Arn": key.arn,
        "CreationDate": key.created,
        "Enabled": key.state == KeyState.ENABLED,
        "Description": key.description,
        "KeyUsage": key.key_usage,
        "KeyState": key.state,
    }
    if key.state == KeyState.PENDING_DELETION:
        meta["DeletionDate"] = key.deletion_date
    expiration = _imported_expiry(key) if key.origin == "EXTERNAL" else None
    if expiration is not None and expiration[1] is not None:
        meta["ValidTo"] = expiration[1]
    meta["Origin"] = key.origin
    if key.custom_key_store_id is not None:
        meta["CustomKeyStoreId"] = key.custom_key_store_id
        if key.cloudhsm_cluster_id is not None:
            meta["CloudHsmClusterId"] = key.cloudhsm_cluster_id
    if expiration is not None:
        meta["ExpirationModel"] = expiration[0]
    meta["KeyManager"] = key.key_manager
    if _is_legacy(key.key_spec):
        meta["CustomerMasterKeySpec"] = key.key_spec
    meta["KeySpec"] = key.key_spec
    if field != "MacAlgorithms":
        meta[field] = list(algorithms)
    meta["MultiRegion"] = key.multi_region
    if key.mr is not None:
        meta["MultiRegionConfiguration"] = key.mr.configuration(key)
    if key.state == KeyState.PENDING_REPLICA_DELETION:
        meta["PendingDeletionWindowInDays"] = key.pending_window_days
    if field == "MacAlgorithms":
        meta[field] = list(algorithms)
    if key.xks_key_id is not None:
        meta["XksKeyConfiguration"] = {"Id": key.xks_key_id}
    if key.current_material_id is not None and key.key_spec == "SYMMETRIC_DEFAULT" and key.state != KeyState.CREATING:
        meta["CurrentKeyMaterialId"] = key.current_material_id
    return meta
