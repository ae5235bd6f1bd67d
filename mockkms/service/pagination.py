"""Limit / Marker / Truncated / NextMarker, the same way for every List* operation."""
from __future__ import annotations

import bisect
from typing import TYPE_CHECKING, Any, Callable, Dict, FrozenSet, List, Optional, Sequence, Tuple

from ..errors import AWSError

if TYPE_CHECKING:
    from .request import Request


def page(req: "Request", items: Sequence[Any], listing: str, default_limit: int,
         max_limit: int, identity: str, order: Optional[Sequence[Any]] = None,
         entry: Optional[Callable[[Any], Dict[str, Any]]] = None) -> Tuple[List[Dict[str, Any]], Dict[str, Any]]:
    """Slice ``items`` for this request; returns the page and its Truncated/NextMarker fields.

    ``listing`` names what is listed (operation + filter), so a marker from one
    listing is refused by another.  Limits above the documented maximum are
    capped, as AWS does.

    A marker never holds a position: code that deletes what it has listed before
    asking for the next page (the usual clean-up loop) must not have items skipped,
    as they would be if the list shrank under a positional cursor.  With ``order``
    (each item's place in a stable total order, ascending, e.g. creation sequence or
    name) a marker holds the last item's place and the next page starts after it:
    constant memory, a binary search per page.  Without it, a marker remembers every
    item (by its ``identity`` field) already returned: for short listings.
    ``entry``, with ``order``, turns an item into its response entry: only the
    page's items are turned, so a page of a long listing costs little.
    """
    limit = min(req.get("Limit") or default_limit, max_limit)
    if order is not None:
        return _page_in_order(req, items, listing, limit, order, entry)
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


def _page_in_order(req: "Request", items: Sequence[Any], listing: str, limit: int, order: Sequence[Any],
                   entry: Optional[Callable[[Any], Dict[str, Any]]]) -> Tuple[List[Dict[str, Any]], Dict[str, Any]]:
    start = 0
    marker = req.get("Marker")
    if marker is not None:
        last = req.world.marker_position(marker, listing)
        if last is None:
            raise AWSError("InvalidMarkerException", "Invalid marker")
        start = bisect.bisect_right(order, last)
    window = items[start:start + limit]  # a new list when ``items`` is one (as listings are)
    chunk = [entry(item) for item in window] if entry else window if isinstance(window, list) else list(window)
    if start + limit < len(items):
        return chunk, {"NextMarker": req.world.issue_marker(listing, order[start + limit - 1]), "Truncated": True}
    return chunk, {"Truncated": False}
