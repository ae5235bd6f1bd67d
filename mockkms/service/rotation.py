"""Key rotation: EnableKeyRotation, DisableKeyRotation, GetKeyRotationStatus, RotateKeyOnDemand,
ListKeyRotations (keys-lifecycle.md §7-8).

Automatic rotation happens on the mock's clock: the store schedules it (see
:class:`~mockkms.domain.world.RegionStore`) and it takes place, as of its due
date, on the first call after the clock passes it.  Every earlier material stays
with the key, so old ciphertexts keep decrypting; new ones use the newest.
On-demand rotation completes at once, unless the mock was made with
``on_demand_rotation_seconds``: then it is in progress (GetKeyRotationStatus shows
OnDemandRotationStartDate, another RotateKeyOnDemand is a ConflictException) until
the clock has moved that far.
"""
from __future__ import annotations

import datetime as _dt
from typing import Any, Dict

from ..domain.key import Key, KeyMaterial, KeyState
from ..errors import AWSError
from . import multi_region, operation, pagination
from .request import Request

DEFAULT_PERIOD_DAYS = 365
#: RotateKeyOnDemand per key: 25 in the current API documentation (a 2025 recording hit 10).
DEFAULT_ON_DEMAND_LIMIT = 25
_CONFLICT_WINDOW = _dt.timedelta(minutes=20)


def _unsupported(key: Key) -> AWSError:
    """[O] for RotateKeyOnDemand on an RSA key: no message.  Other origins are named (as AWS's
    stale 2025 record for EXTERNAL keys did)."""
    if key.key_spec == "SYMMETRIC_DEFAULT" and key.origin != "AWS_KMS":
        return AWSError("UnsupportedOperationException",
                        f"{key.arn} origin is {key.origin} which is not valid for this operation.")
    return AWSError("UnsupportedOperationException")


def _automatic_rotation_allowed(key: Key) -> None:
    if key.key_spec != "SYMMETRIC_DEFAULT" or key.origin != "AWS_KMS":
        raise _unsupported(key)
    if key.rotation_owner is not key:  # the rotation of related multi-Region keys is set on the primary
        raise multi_region.not_primary(key)


@operation("EnableKeyRotation")
def enable_key_rotation(req: Request) -> Dict[str, Any]:
    key = req.key()
    _automatic_rotation_allowed(key)
    period = req.params.get("RotationPeriodInDays", DEFAULT_PERIOD_DAYS)
    if key.rotation_period_days is not None and key.next_rotation is not None:
        anchor = key.next_rotation - _dt.timedelta(days=key.rotation_period_days)  # keep the schedule's origin
    else:
        anchor = req.now
    key.rotation_period_days = period
    # A shorter period may already have passed since the anchor: then the rotation happens now.
    req.store_of(key.account).plan_rotation(key, max(anchor + _dt.timedelta(days=period), req.now))
    return {}


@operation("DisableKeyRotation")
def disable_key_rotation(req: Request) -> Dict[str, Any]:
    key = req.key()
    _automatic_rotation_allowed(key)
    key.rotation_period_days = None
    key.next_rotation = None
    return {}


@operation("GetKeyRotationStatus")
def get_key_rotation_status(req: Request) -> Dict[str, Any]:
    key = req.key()
    if key.key_spec != "SYMMETRIC_DEFAULT":
        # key-states.md Note R [G]: unresolved in the sources; this is the text an emulator report quotes.
        raise AWSError("UnsupportedOperationException", "You cannot perform this operation on a non-symmetric "
                       "key or a key with non-ENCRYPT_DECRYPT key usage.")
    if key.custom_key_store_id is not None:
        raise _unsupported(key)
    owner = key.rotation_owner  # replicas show their primary's setting
    # While a key is pending deletion its status reads false; cancelling restores it.
    enabled = owner.rotation_period_days is not None and key.state not in (KeyState.PENDING_DELETION,
                                                                           KeyState.PENDING_REPLICA_DELETION)
    result: Dict[str, Any] = {"KeyRotationEnabled": enabled, "KeyId": key.arn}
    if enabled:
        result["RotationPeriodInDays"] = owner.rotation_period_days
        result["NextRotationDate"] = owner.next_rotation
    if owner.on_demand_started is not None:
        result["OnDemandRotationStartDate"] = owner.on_demand_started
    return result


def _pending_material(key: Key) -> KeyMaterial:
    pending = next((m for m in key.materials.values() if m.pending_rotation and m.secret is not None), None)
    if pending is None:
        raise AWSError("KMSInvalidStateException",
                       f"No available key material pending rotation for the key: {key.arn}.")  # [O]
    return pending


@operation("RotateKeyOnDemand")
def rotate_key_on_demand(req: Request) -> Dict[str, Any]:
    key = req.key()
    if key.key_spec != "SYMMETRIC_DEFAULT" or key.origin not in ("AWS_KMS", "EXTERNAL"):
        raise _unsupported(key)
    if key.rotation_owner is not key:
        raise multi_region.not_primary(key)
    imported = _pending_material(key) if key.origin == "EXTERNAL" else None
    limit = req.world.on_demand_rotation_limit
    if key.on_demand_rotations >= limit:
        raise AWSError("LimitExceededException",
                       "The on-demand rotations limit has been reached for the given keyId. "
                       f"No more on-demand rotations can be performed for this key: {key.arn}")  # [O]
    if key.on_demand_started is not None:
        # Wording [G]: the rule (one rotation at a time) is documented, its message is not.
        raise AWSError("ConflictException", f"An on-demand rotation of {key.arn} is already in progress.")
    if key.next_rotation is not None and key.next_rotation - req.now <= _CONFLICT_WINDOW:
        raise AWSError("ConflictException",
                       f"An automatic rotation of {key.arn} is due within 20 minutes; try again after it.")  # [G]
    key.on_demand_rotations += 1
    duration = req.world.on_demand_rotation_time
    if not duration:
        key.rotate(req.now, "ON_DEMAND", imported)
    else:  # in progress until the clock has moved on: GetKeyRotationStatus shows when it started
        key.on_demand_started = req.now
        key.on_demand_material = imported
        req.store_of(key.account).schedule(req.now + duration, "rotated", key.key_id)
    return {"KeyId": key.arn}


def _rotation_entry(key: Key, material: KeyMaterial) -> Dict[str, Any]:
    entry: Dict[str, Any] = {"KeyId": key.key_id, "KeyMaterialId": material.material_id}
    if material.imported:
        if material.description is not None:
            entry["KeyMaterialDescription"] = material.description
        entry["ImportState"] = "IMPORTED" if material.secret is not None else "PENDING_IMPORT"
    if material.pending_rotation:
        entry["KeyMaterialState"] = "PENDING_ROTATION"
    else:
        entry["KeyMaterialState"] = "CURRENT" if material.material_id == key.current_material_id else "NON_CURRENT"
    if material.imported and material.expiration_model is not None:
        entry["ExpirationModel"] = material.expiration_model
        if material.valid_to is not None:
            entry["ValidTo"] = material.valid_to
    if material.rotation_type is not None:
        entry["RotationDate"] = material.rotation_date
        entry["RotationType"] = material.rotation_type
    return entry


@operation("ListKeyRotations")
def list_key_rotations(req: Request) -> Dict[str, Any]:
    key = req.key()
    if key.key_spec != "SYMMETRIC_DEFAULT":
        raise _unsupported(key)
    everything = req.params.get("IncludeKeyMaterial") == "ALL_KEY_MATERIAL"
    # Materials are never removed from a key (deleted ones keep their place), so their index is stable.
    materials = [(i, m) for i, m in enumerate(key.materials.values()) if everything or m.rotation_type is not None]
    entries = [_rotation_entry(key, m) for _, m in materials]
    listing = f"ListKeyRotations:{key.arn}:{everything}"
    page, more = pagination.page(req, entries, listing, 100, 1000, "KeyMaterialId", order=[i for i, _ in materials])
    return {"Rotations": page, **more}
