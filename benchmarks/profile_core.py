"""Where mockkms spends its time inside real client calls.

    python benchmarks/profile_core.py               # Encrypt and DescribeKey
    python benchmarks/profile_core.py CreateKey ListKeys -n 5000

Each step of the in-process road is wrapped with a timer, and real boto3 calls
are made: the table gives, per call, the microseconds spent inside each step
(inclusive: a step contains the ones indented below it), and what is left of
the hook outside them.

Why not a replay or a profiler: a step costs 1.5-3x more inside a client call
than in a tight loop, because botocore's own work between two calls evicts the
CPU's caches; and cProfile and py-spy credit time to the wrong functions here
(their own overhead dwarfs microsecond-sized functions).  Each wrapper adds
about 0.3 us to the steps around it, so read the table for proportions; for
the ratio to the floor, run bench_core.py.
"""
from __future__ import annotations

import argparse
import collections
import sys
import time
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import os

import boto3

from mockkms import interceptor, mock, mock_kms, service, wire

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_core  # noqa: E402
from bench_core import PLAINTEXT, REGION  # noqa: E402
LIST_KEYS = 100

#: (label, depth): the steps in the order they nest; the handler's label is the operation's
STEPS: List[Tuple[str, int]] = [
    ("interceptor._answer", 0),
    ("MockKMS.answer", 1),
    ("wire.serve", 2),
    ("read the arguments", 3),
    ("validate (body road only)", 3),
    ("service.dispatch", 3),
    ("handler", 4),
    ("convert the result", 3),
    ("headers", 3),
    ("interceptor.parsed_answer", 1),
]


class Timers:
    """Per-step nanoseconds, accumulated by wrappers around the steps."""

    def __init__(self) -> None:
        self.ns: Dict[str, int] = collections.Counter()
        self._restore: List[Callable[[], None]] = []

    def wrap(self, owner: Any, name: str, label: str) -> None:
        original = getattr(owner, name)
        clock = time.perf_counter_ns
        ns = self.ns

        def timed(*args: Any, **kwargs: Any) -> Any:
            start = clock()
            try:
                return original(*args, **kwargs)
            finally:
                ns[label] += clock() - start
        setattr(owner, name, timed)
        self._restore.append(lambda: setattr(owner, name, original))

    def wrap_plan(self, operation: str) -> None:
        plan = wire._plan(operation)
        holder = type("Plan", (), {"read": staticmethod(plan.read), "validate": staticmethod(plan.validate),
                                   "parsed": staticmethod(plan.parsed)})
        self.wrap(holder, "read", "read the arguments")
        self.wrap(holder, "validate", "validate (body road only)")
        self.wrap(holder, "parsed", "convert the result")
        wire._PLANS[operation] = plan._replace(read=holder.read, validate=holder.validate, parsed=holder.parsed)
        self._restore.append(lambda: wire._PLANS.__setitem__(operation, plan))

    def restore(self) -> None:
        while self._restore:
            self._restore.pop()()


def client_calls(client: Any, key_id: str, blob: bytes) -> Dict[str, Callable[[], Any]]:
    """bench_core's calls, and a page of ListKeys."""
    return {**bench_core.calls_for(client, key_id, blob), "ListKeys": lambda: client.list_keys(Limit=LIST_KEYS)}


def breakdown(operation: str, call: Callable[[], Any], n: int) -> Tuple[float, Dict[str, float]]:
    """(µs per whole client call, µs per call inside each step) over ``n`` calls after a warm-up."""
    timers = Timers()
    timers.wrap(interceptor, "_answer", "interceptor._answer")
    timers.wrap(interceptor, "parsed_answer", "interceptor.parsed_answer")
    timers.wrap(mock.MockKMS, "answer", "MockKMS.answer")
    timers.wrap(wire, "serve", "wire.serve")
    timers.wrap(wire, "_headers", "headers")
    timers.wrap(service, "dispatch", "service.dispatch")
    handler = service.HANDLERS[operation]
    timers.wrap_plan(operation)
    service.HANDLERS[operation] = _timed(handler, timers.ns, "handler")
    try:
        for _ in range(min(n, 500)):
            call()
        timers.ns.clear()
        start = time.perf_counter_ns()
        for _ in range(n):
            call()
        total = (time.perf_counter_ns() - start) / n / 1000
    finally:
        service.HANDLERS[operation] = handler
        timers.restore()
    return total, {label: ns / n / 1000 for label, ns in timers.ns.items()}


def _timed(function: Callable[..., Any], ns: Dict[str, int], label: str) -> Callable[..., Any]:
    clock = time.perf_counter_ns

    def timed(*args: Any) -> Any:
        start = clock()
        try:
            return function(*args)
        finally:
            ns[label] += clock() - start
    return timed


def report(operation: str, total: float, steps: Dict[str, float]) -> None:
    print(f"== {operation}: {total:.1f} us per client call (botocore's work included), "
          f"of which inside mockkms's hook:")
    for label, depth in STEPS:
        shown = operation if label == "handler" else label
        print(f"  {steps.get(label, 0.0):>7.2f}  {'  ' * depth}{shown}")
    outside = steps.get("interceptor._answer", 0.0) - steps.get("MockKMS.answer", 0.0) - \
        steps.get("interceptor.parsed_answer", 0.0)
    print(f"  {outside:>7.2f}    (interceptor._answer outside the steps above)")
    print()


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("operations", nargs="*", metavar="OPERATION",
                        help="Encrypt, DescribeKey (default), Decrypt, GenerateDataKey, CreateKey, ListKeys")
    parser.add_argument("-n", type=int, default=3000, help="calls per operation")
    args = parser.parse_args(argv)
    operations = args.operations or ["Encrypt", "DescribeKey"]

    with mock_kms(region=REGION):
        client = boto3.client("kms", region_name=REGION)
        key_id = client.create_key()["KeyMetadata"]["KeyId"]
        blob = client.encrypt(KeyId=key_id, Plaintext=PLAINTEXT)["CiphertextBlob"]
        for _ in range(LIST_KEYS - 1):
            client.create_key()
        calls = client_calls(client, key_id, blob)
        unknown = [op for op in operations if op not in calls]
        if unknown:
            parser.error(f"unknown operation(s): {', '.join(unknown)}")
        for operation in operations:
            total, steps = breakdown(operation, calls[operation], args.n)
            report(operation, total, steps)
    return 0


if __name__ == "__main__":
    sys.exit(main())
