"""Limit / Marker / Truncated / NextMarker, the same way for every List* operation."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Sequence, Tuple

from ..errors import AWSError

if TYPE_CHECKING:
    from .request import Request


def page(req: "Request", items: Sequence[Any], listing: str, default_limit: int,
         max_limit: int) -> Tuple[List[Any], Dict[str, Any]]:
    """Slice ``items`` for this request; returns the page and its Truncated/NextMarker fields.

    ``listing`` names what is listed (operation + filter), so a marker from one
    listing is refused by another.  Limits above the documented maximum are
    capped, as AWS does.
    """
    limit = min(req.get("Limit") or default_limit, max_limit)
    start = 0
    marker = req.get("Marker")
    if marker is not None:
        position = req.world.marker_position(marker, listing)
        if position is None:
            raise AWSError("InvalidMarkerException", "Invalid marker")
        start = position
    end = start + limit
    chunk = list(items[start:end])
    if end < len(items):
        return chunk, {"Truncated": True, "NextMarker": req.world.issue_marker(listing, end)}
    return chunk, {"Truncated": False}
