"""Limit / Marker / Truncated / NextMarker, the same way for every List* operation."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, FrozenSet, List, Sequence, Tuple

from ..errors import AWSError

if TYPE_CHECKING:
    from .request import Request


def page(req: "Request", items: Sequence[Dict[str, Any]], listing: str, default_limit: int,
         max_limit: int, identity: str) -> Tuple[List[Dict[str, Any]], Dict[str, Any]]:
    """Slice ``items`` for this request; returns the page and its Truncated/NextMarker fields.

    ``listing`` names what is listed (operation + filter), so a marker from one
    listing is refused by another.  Limits above the documented maximum are
    capped, as AWS does.

    A marker remembers which items (by their ``identity`` field) were already
    returned, not a position: code that deletes what it has listed before asking
    for the next page (the usual clean-up loop) must not have items skipped, as
    they would be if the list shrank under a positional cursor.
    """
    limit = min(req.get("Limit") or default_limit, max_limit)
    returned: FrozenSet[Any] = frozenset()
    marker = req.get("Marker")
    if marker is not None:
        cursor = req.world.marker_position(marker, listing)
        if cursor is None:
            raise AWSError("InvalidMarkerException", "Invalid marker")
        returned = cursor
    remaining = [item for item in items if item[identity] not in returned]
    chunk = remaining[:limit]
    if len(remaining) > limit:
        cursor = returned | {item[identity] for item in chunk}
        return chunk, {"NextMarker": req.world.issue_marker(listing, cursor), "Truncated": True}
    return chunk, {"Truncated": False}
