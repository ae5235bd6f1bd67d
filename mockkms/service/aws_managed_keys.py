"""Making an AWS managed key the first time its predefined alias is used (see domain/aws_managed.py)."""
from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING

from ..domain import arn as arns
from ..domain import aws_managed
from ..domain.ids import uuid4
from ..domain.key import Alias, Key, KeyMaterial
from ..domain.world import RegionStore

if TYPE_CHECKING:
    from .request import Request


def create(req: "Request", store: RegionStore, service: str) -> Key:
    """The AWS managed key of ``service`` in ``store``, with its alias, as the service would make it."""
    key_id = uuid4()
    now = req.now
    partition = arns.partition_of(store.region)
    key = Key(
        key_id=key_id, account=store.account, region=store.region,
        arn=arns.key_arn(store.region, store.account, key_id), created=now,
        description=aws_managed.description(service), key_manager="AWS",
        policy=aws_managed.key_policy(service, store.account, store.region, partition),
    )
    key.add_material(KeyMaterial(now))
    key.rotation_period_days = aws_managed.ROTATION_PERIOD_DAYS
    store.add_key(key)
    store.plan_rotation(key, now + _dt.timedelta(days=aws_managed.ROTATION_PERIOD_DAYS))
    name = aws_managed.PREFIX + service
    store.aliases[name] = Alias(name, key_id, now, now)
    return key
