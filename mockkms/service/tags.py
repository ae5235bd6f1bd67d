"""TagResource, UntagResource, ListResourceTags, and the tag rules CreateKey shares."""
from __future__ import annotations

from typing import Any, Dict, Iterable, List

from ..domain.key import Key
from ..errors import AWSError
from . import operation, pagination
from .request import Request

MAX_TAGS = 50


def _reserved(tag_key: str) -> bool:
    return tag_key[:4].lower() == "aws:"


def merged(existing: Dict[str, str], new: Iterable[Dict[str, str]]) -> Dict[str, str]:
    """The tags a key would have after adding ``new``, or the TagException AWS gives."""
    new = list(new)
    keys = [tag["TagKey"] for tag in new]
    if any(_reserved(k) for k in keys):
        raise AWSError("TagException", "Tags beginning with aws: are reserved")
    if len(set(keys)) != len(keys):
        raise AWSError("TagException", "Duplicate tag keys")
    result = dict(existing)
    result.update((tag["TagKey"], tag["TagValue"]) for tag in new)
    if len(result) > MAX_TAGS:
        raise AWSError("TagException", "Too many tags")
    return result


def as_list(key: Key) -> List[Dict[str, str]]:
    return [{"TagKey": k, "TagValue": v} for k, v in key.tags.items()]


@operation("TagResource")
def tag_resource(req: Request) -> Dict[str, Any]:
    key = req.key()
    key.tags = merged(key.tags, req.params["Tags"])
    return {}


@operation("UntagResource")
def untag_resource(req: Request) -> Dict[str, Any]:
    key = req.key()
    tag_keys = req.params["TagKeys"]
    if any(_reserved(k) for k in tag_keys):
        raise AWSError("TagException", "Tags beginning with aws: are reserved")
    for tag_key in tag_keys:
        key.tags.pop(tag_key, None)
    return {}


@operation("ListResourceTags")
def list_resource_tags(req: Request) -> Dict[str, Any]:
    key = req.key()
    tags, more = pagination.page(req, as_list(key), f"ListResourceTags:{key.arn}", 50, 50, "TagKey")
    return {"Tags": tags, **more}
