"""Multi-Region key sets: one key id, one primary, replicas in other Regions (keys-lifecycle.md §10).

Related keys share what AWS shares — key id, spec, usage, origin, key material
(every generation) and the automatic-rotation setting — and keep their own
state, description, policy, grants, aliases and tags.  Sharing is by reference:
the members hold the same materials dict and key pair, so a rotation of the
primary is a rotation of every replica, and a ciphertext made in one Region
decrypts in all of them.  Imported material is the exception: each member
imports it itself.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Dict, List, Optional

if TYPE_CHECKING:
    from .key import Key
    from .world import RegionStore


class MultiRegionSet:
    def __init__(self, primary: "Key", store: "RegionStore"):
        self.key_id = primary.key_id
        self.primary_region = primary.region
        self.members: Dict[str, "Key"] = {primary.region: primary}
        self.stores: Dict[str, "RegionStore"] = {primary.region: store}

    @property
    def primary(self) -> "Key":
        return self.members[self.primary_region]

    def replicas(self) -> List["Key"]:
        return [key for region, key in self.members.items() if region != self.primary_region]

    def add(self, replica: "Key", store: "RegionStore") -> None:
        self.members[replica.region] = replica
        self.stores[replica.region] = store

    def remove(self, key: "Key") -> None:
        self.members.pop(key.region, None)
        self.stores.pop(key.region, None)

    def member_in(self, region: str) -> Optional["Key"]:
        return self.members.get(region)

    def configuration(self, key: "Key") -> dict:
        """MultiRegionConfiguration as DescribeKey shows it on ``key`` (every replica listed, on every member)."""
        primary = self.primary
        return {
            "MultiRegionKeyType": "PRIMARY" if key.region == self.primary_region else "REPLICA",
            "PrimaryKey": {"Arn": primary.arn, "Region": primary.region},
            "ReplicaKeys": [{"Arn": r.arn, "Region": r.region} for r in self.replicas()],
        }
