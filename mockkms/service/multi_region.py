"""Multi-Region keys: ReplicateKey and UpdatePrimaryRegion (keys-lifecycle.md §10).

A replica starts Creating and becomes usable when the mock's clock has moved
:data:`REPLICA_CREATION` on; UpdatePrimaryRegion swaps the roles at once and
leaves both keys Updating for :data:`PRIMARY_UPDATE` (crypto keeps working while
Updating, as in AWS).  AWS documents both as taking "a few seconds" or minutes;
the durations here are guesses [G].
"""
from __future__ import annotations

import datetime as _dt
from typing import Any, Dict

from ..domain import arn as arns
from ..domain.key import Key, KeyState
from ..errors import AWSError, validation_error
from . import operation, policies, states, tags
from .request import Request
from .views import key_metadata

REPLICA_CREATION = _dt.timedelta(seconds=5)
PRIMARY_UPDATE = _dt.timedelta(seconds=5)


def not_primary(key: Key) -> AWSError:
    if key.mr is None:
        return AWSError("UnsupportedOperationException", f"{key.arn} is not a multi-region key.")  # [G]
    return AWSError("UnsupportedOperationException", f"{key.arn} is not a multi-region primary key.")  # [O]


def _primary(key: Key) -> Key:
    if key.mr is None or key.mr.primary is not key:
        raise not_primary(key)
    return key


def _other_region(req: Request, key: Key, param: str) -> str:
    region = req.params[param]
    if arns.partition_of(region) != arns.partition_of(key.region):
        raise validation_error(f"{region} is not in the partition of {key.arn}.")  # [G]
    return region


@operation("ReplicateKey")
def replicate_key(req: Request) -> Dict[str, Any]:
    key = _primary(req.key())
    assert key.mr is not None
    region = _other_region(req, key, "ReplicaRegion")
    replica_arn = arns.key_arn(region, key.account, key.key_id)
    if key.mr.member_in(region) is not None:
        raise AWSError("AlreadyExistsException", f"Key '{replica_arn}' already exists")  # [G]
    req.authorize_iam("kms:CreateKey")
    new_tags: Dict[str, str] = {}
    if "Tags" in req.params:
        req.authorize_iam("kms:TagResource")
        new_tags = tags.merged({}, req.params["Tags"])
    policy = policies.new_key_policy(req, replica_arn, key.account)
    store = req.world.store(key.account, region)
    replica = Key(
        key_id=key.key_id, account=key.account, region=region, arn=replica_arn, created=req.now,
        description=req.params.get("Description", ""), key_spec=key.key_spec, key_usage=key.key_usage,
        origin=key.origin, multi_region=True, policy=policy, tags=new_tags, state=KeyState.CREATING,
    )
    if key.origin != "EXTERNAL":  # imported material is imported into each member itself
        replica.materials = key.materials
        replica.current_material_id = key.current_material_id
        replica.pair = key.pair
    replica.mr = key.mr
    key.mr.add(replica, store)
    store.add_key(replica)
    store.schedule(req.now + REPLICA_CREATION, "ready", replica.key_id)
    result = {"ReplicaKeyMetadata": key_metadata(replica), "ReplicaPolicy": policies.returned(policy)}
    if new_tags:  # [O]: with no tags the recorded response has no ReplicaTags member at all
        result["ReplicaTags"] = [{"TagKey": k, "TagValue": v} for k, v in new_tags.items()]
    return result


@operation("UpdatePrimaryRegion")
def update_primary_region(req: Request) -> Dict[str, Any]:
    key = _primary(req.key())
    mr = key.mr
    assert mr is not None
    region = _other_region(req, key, "PrimaryRegion")
    if region == key.region:
        raise validation_error(f"{key.arn} is already the primary key in {region}.")  # [G]
    replica = mr.member_in(region)
    if replica is None:
        raise AWSError("NotFoundException",
                       f"Key '{arns.key_arn(region, key.account, key.key_id)}' does not exist")
    states.check(req.operation, replica)
    mr.primary_region = region
    # The automatic-rotation setting belongs to the primary: it moves with the role.
    replica.rotation_period_days, key.rotation_period_days = key.rotation_period_days, None
    next_rotation, key.next_rotation = key.next_rotation, None
    if next_rotation is not None:
        mr.stores[region].plan_rotation(replica, next_rotation)
    for member in (key, replica):
        member.state_before_update = member.state
        member.state = KeyState.UPDATING
        mr.stores[member.region].schedule(req.now + PRIMARY_UPDATE, "updated", member.key_id)
    return {}
