"""``python -m mockkms demo``: a short tour of the mock, all in-process."""
from __future__ import annotations

import sys


def main(argv: "list[str]") -> int:
    if argv[:1] != ["demo"]:
        print("usage: python -m mockkms demo", file=sys.stderr)
        return 2
    from .demo import run
    run()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
