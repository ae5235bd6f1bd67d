"""How a key looks in responses (KeyMetadata), built from the domain key."""
from __future__ import annotations

from typing import Any, Dict

from ..domain.key import Key, KeyState
from ..model import service_model

# The deprecated CustomerMasterKeySpec cannot name the newer specs (ML-DSA, Ed25519): AWS
# leaves the field out for them rather than send a value outside its enum.
_LEGACY_SPECS = frozenset(service_model().shape_for("CustomerMasterKeySpec").enum)


def spec_fields(key: Key) -> Dict[str, Any]:
    """KeySpec, CustomerMasterKeySpec (when it can say it), KeyUsage and the algorithm list."""
    field, algorithms = key.algorithms
    fields: Dict[str, Any] = {"CustomerMasterKeySpec": key.key_spec} if key.key_spec in _LEGACY_SPECS else {}
    fields["KeySpec"] = key.key_spec
    fields["KeyUsage"] = key.key_usage
    fields[field] = list(algorithms)
    return fields


def key_metadata(key: Key) -> Dict[str, Any]:
    """Every KeyMetadata field AWS returns for this key, and no other, in the model's member order."""
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
    }
    if key.state == KeyState.PENDING_DELETION:
        meta["DeletionDate"] = key.deletion_date
    meta["Origin"] = key.origin
    meta["KeyManager"] = key.key_manager
    if key.key_spec in _LEGACY_SPECS:
        meta["CustomerMasterKeySpec"] = key.key_spec
    meta["KeySpec"] = key.key_spec
    if field != "MacAlgorithms":
        meta[field] = list(algorithms)
    meta["MultiRegion"] = key.multi_region
    if key.multi_region:
        meta["MultiRegionConfiguration"] = {
            "MultiRegionKeyType": "PRIMARY",
            "PrimaryKey": {"Arn": key.arn, "Region": key.region},
            "ReplicaKeys": [],
        }
    if key.state == KeyState.PENDING_REPLICA_DELETION:
        meta["PendingDeletionWindowInDays"] = key.pending_window_days
    if field == "MacAlgorithms":
        meta[field] = list(algorithms)
    if key.current_material_id is not None and key.key_spec == "SYMMETRIC_DEFAULT":
        meta["CurrentKeyMaterialId"] = key.current_material_id
    return meta
