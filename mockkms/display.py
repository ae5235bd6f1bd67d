"""How a mock shows itself: a one-line summary (``repr``) and, in notebooks, a table of keys."""
from __future__ import annotations

import html
from typing import Any, Dict, List, Tuple


def _rows(world: Any) -> List[Tuple[str, str, Any]]:
    """(account, Region, key) for every key of the world, in a stable order."""
    rows = []
    for store in sorted(world.stores(), key=lambda s: (s.account, s.region)):
        rows.extend((store.account, store.region, key) for key in store.keys.values())
    return rows


def summary(mock: Any) -> str:
    state = "active" if mock.active else "stopped"
    counts: Dict[Tuple[str, str], int] = {}
    for account, region, _ in _rows(mock.world):
        counts[(account, region)] = counts.get((account, region), 0) + 1
    if counts:
        where = ", ".join(f"{account}/{region}: {n} key{'s' if n != 1 else ''}"
                          for (account, region), n in sorted(counts.items()))
    else:
        where = "no keys"
    return f"<MockKMS account_id={mock.account_id} region={mock.region} {state}; {where}>"


def _role(key: Any) -> str:
    if key.mr is None:
        return ""
    return "primary" if key.mr.primary is key else "replica"


def html_table(mock: Any) -> str:
    """The keys as an HTML table: what a notebook shows for the handle."""
    header = ("Account", "Region", "Key id", "Aliases", "Spec", "Usage", "State", "Rotation", "Multi-Region")
    lines = [f"<p>{html.escape(summary(mock))}</p>", "<table>",
             "<tr>" + "".join(f"<th>{h}</th>" for h in header) + "</tr>"]
    for account, region, key in _rows(mock.world):
        store = mock.world.store(account, region)
        owner = key.rotation_owner
        rotation = f"every {owner.rotation_period_days} days" if owner.rotation_period_days else ""
        cells = (account, region, key.key_id, ", ".join(a.name for a in store.aliases_of(key.key_id)),
                 key.key_spec, key.key_usage, key.state, rotation, _role(key))
        lines.append("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells) + "</tr>")
    lines.append("</table>")
    return "\n".join(lines)
