"""How a key looks in responses (KeyMetadata), built from the domain key."""
from __future__ import annotations

from typing import Any, Dict

from ..domain.key import Key, KeyState


def key_metadata(key: Key) -> Dict[str, Any]:
    """Every KeyMetadata field AWS returns for this key, and no other."""
    field, algorithms = key.algorithms
    meta: Dict[str, Any] = {
        "AWSAccountId": key.account,
        "KeyId": key.key_id,
        "Arn": key.arn,
        "CreationDate": key.created,
        "Enabled": key.enabled,
        "Description": key.description,
        "KeyUsage": key.key_usage,
        "KeyState": key.state,
        "Origin": key.origin,
        "KeyManager": key.key_manager,
        "CustomerMasterKeySpec": key.key_spec,
        "KeySpec": key.key_spec,
        field: list(algorithms),
        "MultiRegion": key.multi_region,
    }
    if key.multi_region:
        meta["MultiRegionConfiguration"] = {
            "MultiRegionKeyType": "PRIMARY",
            "PrimaryKey": {"Arn": key.arn, "Region": key.region},
            "ReplicaKeys": [],
        }
    if key.state == KeyState.PENDING_DELETION:
        meta["DeletionDate"] = key.deletion_date
    if key.state == KeyState.PENDING_REPLICA_DELETION:
        meta["PendingDeletionWindowInDays"] = key.pending_window_days
    if key.current_material_id is not None and key.key_spec == "SYMMETRIC_DEFAULT":
        meta["CurrentKeyMaterialId"] = key.current_material_id
    return meta
