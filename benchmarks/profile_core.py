"""Where mockkms spends its time beyond botocore's own cost (the "floor").

    python benchmarks/profile_core.py               # Encrypt and DescribeKey
    python benchmarks/profile_core.py Decrypt -n 5000

For each operation it captures the arguments botocore hands to the
``before-call.kms`` hook, then:

1. replays mockkms's hook step by step and times each step in place
   (perf_counter_ns, no profiler overhead), in microseconds per call: the hook
   is the whole of what the mock adds on top of the floor;
2. runs cProfile over the hook alone and prints the top functions by own time
   (cProfile inflates small functions: read it for the ranking, step 1 for the µs).
"""
from __future__ import annotations

import os
import argparse
import cProfile
import email.utils
import pstats
import statistics
import sys
import time
from typing import Any, Callable, Dict, List, Optional, Sequence

import boto3
from botocore.awsrequest import AWSResponse

import mockkms.interceptor as interceptor
from mockkms import mock_kms, service, wire
from mockkms.calls import CallRecord
from mockkms.model import operation_model
from mockkms.model.validation import validate

REGION = "us-east-1"
PLAINTEXT = b"a small secret, 32 bytes long..."

_REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def capture(client: Any, operation: str, call: Callable[[], Any]) -> Dict[str, Any]:
    """The keyword arguments botocore passes to before-call.kms.<operation>."""
    seen: Dict[str, Any] = {}

    def grab(**kwargs: Any) -> Any:
        seen.update(kwargs)
        return None  # let mockkms answer

    event = f"before-call.kms.{operation}"
    client.meta.events.register(event, grab, unique_id="profile-capture")
    try:
        call()
    finally:
        client.meta.events.unregister(event, unique_id="profile-capture")
    return seen


def per_call_us(fn: Callable[[], Any], n: int) -> float:
    """Median over 5 batches of the mean time per call, in microseconds."""
    for _ in range(min(n, 200)):
        fn()
    batches = []
    batch = max(1, n // 5)
    for _ in range(5):
        t0 = time.perf_counter_ns()
        for _ in range(batch):
            fn()
        batches.append((time.perf_counter_ns() - t0) / batch / 1000.0)
    return statistics.median(batches)


def breakdown(mock: Any, operation: str, kwargs: Dict[str, Any], n: int) -> List[tuple]:
    """Cumulative timing of the hook's steps, replayed in order (mirrors before_call ->
    MockKMS.answer -> wire.serve -> botocore_answer as of this commit).

    Steps are timed in sequence, not one by one: a step timed alone in a tight loop
    looks up to twice as cheap as it is inside the real chain (warm caches).
    """
    model = kwargs["model"]
    body = kwargs["params"]["body"]
    body = body.encode() if isinstance(body, str) else body
    op_model = operation_model(operation)
    parser = interceptor._parser()
    region = REGION
    stages = ["interceptor.current() + Caller.root + CallRecord",
              "CallContext + wire.decode_request (json.loads + codec.decode)",
              "validation.validate",
              "service.dispatch (Request: clock, store, purge; handler)",
              "wire.encode_result (codec.encoder + json.dumps)",
              "wire._headers (uuid4) + Response + call log append",
              "botocore_answer: headers copy + email.utils.formatdate",
              "botocore_answer: botocore JSONParser.parse (json.loads + shapes)",
              "botocore_answer: AWSResponse + ResponseMetadata"]

    def upto(stage: int) -> Callable[[], Any]:
        def replay() -> Any:
            m = interceptor.current()
            caller = service.Caller.root(m.account_id)
            record = CallRecord(operation, region, caller.account)
            if stage == 0:
                return
            context = service.CallContext(m.world, region, caller)
            params = wire.decode_request(operation, body)
            record.params = params
            if stage == 1:
                return
            validate(op_model, params)
            if stage == 2:
                return
            result = service.dispatch(operation, params, context)
            if stage == 3:
                return
            payload = wire.encode_result(operation, result)
            if stage == 4:
                return
            response = wire.Response(200, wire._headers(), payload)
            m.calls.append(record)
            if stage == 5:
                return
            headers = dict(response.headers)
            headers["content-length"] = str(len(payload))
            headers["date"] = email.utils.formatdate(usegmt=True)
            if stage == 6:
                return
            parsed = parser.parse({"status_code": 200, "headers": headers, "body": payload}, model.output_shape)
            if stage == 7:
                return
            parsed.setdefault("ResponseMetadata", {})["RetryAttempts"] = 0
            return AWSResponse("https://kms.mockkms.invalid/", 200, headers, interceptor._Body(payload)), parsed
        return replay

    rows = []
    previous = 0.0
    for i, label in enumerate(stages):
        mock.calls._records.clear()
        cumulative = per_call_us(upto(i), n)
        rows.append((label, cumulative - previous))
        previous = cumulative
    mock.calls._records.clear()
    rows.append(("= replayed total", previous))
    rows.append(("  real interceptor.before_call, for comparison", per_call_us(lambda: interceptor.before_call(**kwargs), n)))
    return rows


def profile(kwargs: Dict[str, Any], n: int, top: int) -> None:
    profiler = cProfile.Profile()
    hook = interceptor.before_call
    profiler.enable()
    for _ in range(n):
        hook(**kwargs)
    profiler.disable()
    stats = pstats.Stats(profiler)
    rows = []
    for (filename, line, name), (cc, nc, tt, ct, callers) in stats.stats.items():  # type: ignore[attr-defined]
        short = filename.split("site-packages/")[-1].split(_REPO)[-1]
        rows.append((tt / n * 1e6, ct / n * 1e6, nc / n, f"{short}:{line}({name})"))
    rows.sort(reverse=True)
    print(f"  {'own us':>7} {'cum us':>7} {'calls':>6}  function   (cProfile, per hook call)")
    for own, cum, calls, where in rows[:top]:
        print(f"  {own:>7.2f} {cum:>7.2f} {calls:>6.1f}  {where}")


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("operations", nargs="*", metavar="OPERATION",
                        help="Encrypt, DescribeKey (default), Decrypt, GenerateDataKey, CreateKey")
    parser.add_argument("-n", type=int, default=3000, help="calls per measurement")
    parser.add_argument("--top", type=int, default=25, help="rows of the cProfile table")
    args = parser.parse_args(argv)
    operations = args.operations or ["Encrypt", "DescribeKey"]

    with mock_kms(region=REGION) as mock:
        client = boto3.client("kms", region_name=REGION)
        key_id = client.create_key()["KeyMetadata"]["KeyId"]
        blob = client.encrypt(KeyId=key_id, Plaintext=PLAINTEXT)["CiphertextBlob"]
        calls = {
            "CreateKey": lambda: client.create_key(),
            "DescribeKey": lambda: client.describe_key(KeyId=key_id),
            "Encrypt": lambda: client.encrypt(KeyId=key_id, Plaintext=PLAINTEXT),
            "Decrypt": lambda: client.decrypt(CiphertextBlob=blob),
            "GenerateDataKey": lambda: client.generate_data_key(KeyId=key_id, KeySpec="AES_256"),
        }
        unknown = [op for op in operations if op not in calls]
        if unknown:
            parser.error(f"unknown operation(s): {', '.join(unknown)}")
        for operation in operations:
            kwargs = capture(client, operation, calls[operation])
            print(f"== {operation}: microseconds per call, step by step (median of 5 batches)")
            for label, us in breakdown(mock, operation, kwargs, args.n):
                print(f"  {us:>7.2f}  {label}")
            print()
            profile(kwargs, args.n, args.top)
            print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
