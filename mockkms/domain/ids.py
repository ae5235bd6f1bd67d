"""Random identifiers in AWS's shapes (key ids, request ids, key material ids)."""
from __future__ import annotations

import os

_VARIANT = {c: "89ab"[int(c, 16) & 3] for c in "0123456789abcdef"}


def uuid4() -> str:
    """A random version-4 UUID string, as ``str(uuid.uuid4())`` gives, at a third of its cost."""
    h = os.urandom(16).hex()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:]}"
