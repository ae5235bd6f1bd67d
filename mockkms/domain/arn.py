"""Key and alias ARNs, and the shapes of key identifiers."""
from __future__ import annotations

import functools
import re
from typing import NamedTuple, Optional

KEY_ID = re.compile(r"^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$")
_ARN = re.compile(r"^arn:(?P<partition>aws[a-z-]*):kms:(?P<region>[a-z0-9-]*):(?P<account>[0-9]*):"
                  r"(?P<type>key|alias)/(?P<name>.+)$")


@functools.lru_cache(maxsize=256)  # a C-level cache: no Python frame for each ARN a call makes
def partition_of(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def key_arn(region: str, account: str, key_id: str) -> str:
    return f"arn:{partition_of(region)}:kms:{region}:{account}:key/{key_id}"


def alias_arn(region: str, account: str, alias_name: str) -> str:
    return f"arn:{partition_of(region)}:kms:{region}:{account}:{alias_name}"


class ParsedArn(NamedTuple):
    partition: str
    region: str
    account: str
    resource_type: str  # "key" or "alias"
    name: str           # key id, or alias name including "alias/"


def parse_arn(value: str) -> Optional[ParsedArn]:
    match = _ARN.match(value)
    if match is None:
        return None
    kind = match["type"]
    name = match["name"] if kind == "key" else "alias/" + match["name"]
    return ParsedArn(match["partition"], match["region"], match["account"], kind, name)


def is_key_id(value: str) -> bool:
    return KEY_ID.match(value) is not None
