"""``python -m mockkms demo`` (a short tour, in-process) and ``python -m mockkms serve`` (an HTTP endpoint)."""
from __future__ import annotations

import argparse
import sys
from typing import List, Optional

#: a server runs for long: its call log keeps fewer records than a test's mock
SERVER_CALL_LOG_LIMIT = 10_000


def _serve(args: argparse.Namespace) -> int:
    import os

    from .mock import MockKMS
    from .server import Server
    state = args.state if args.state is not None and os.path.exists(args.state) else None
    try:
        kms = MockKMS(account_id=args.account_id, region=args.region,
                      enforce_policies=not args.no_enforce_policies, state=state,
                      call_log_limit=args.call_log_limit or None)
    except ValueError as error:  # SeedError, and a state file not named *.json
        print(f"mockkms: cannot load the state file {args.state}: {error}", file=sys.stderr)
        return 1
    try:
        server = Server(kms, host=args.host, port=args.port, verbose=args.verbose, state_file=args.state)
    except ValueError as error:
        print(f"mockkms: {error}", file=sys.stderr)
        return 1
    print(f"mockkms serving KMS at {server.url}  (account {args.account_id}, Region {args.region}); "
          "Ctrl-C stops it", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mockkms", description="AWS KMS for tests")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("demo", help="a short tour of the in-process mock")
    serve = commands.add_parser("serve", help="serve the KMS API over HTTP (for the AWS CLI and other SDKs)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=0, help="0 (the default) picks a free port")
    serve.add_argument("--account-id", default="123456789012")
    serve.add_argument("--region", default="us-east-1", help="for calls whose credentials name no Region")
    serve.add_argument("--no-enforce-policies", action="store_true", help="store policies, do not evaluate them")
    serve.add_argument("--verbose", action="store_true", help="log every request")
    serve.add_argument("--state", metavar="FILE", help="keep the world in FILE (JSON) across restarts")
    serve.add_argument("--call-log-limit", type=int, default=SERVER_CALL_LOG_LIMIT, metavar="N",
                       help=f"keep the newest N calls in the call log (default {SERVER_CALL_LOG_LIMIT}; 0 keeps all)")
    args = parser.parse_args(argv)
    if args.command == "demo":
        from .demo import run
        run()
        return 0
    return _serve(args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
