"""Core benchmark: mockkms per-call latency against a no-backend floor (and moto).

    python benchmarks/bench_core.py            # full run (well under a minute)
    python benchmarks/bench_core.py --quick    # a few seconds, for a smoke check

What it measures, in one run:

1. Per-call latency (median, p90) of CreateKey, DescribeKey, Encrypt, Decrypt and
   GenerateDataKey through a real boto3 client while ``mock_kms()`` is active.
2. The same calls on the same client with no mock active and, instead, a
   ``before-call.kms.<Operation>`` handler that returns a canned
   ``(AWSResponse, parsed)`` pair built once up front: the cost of botocore
   itself (parameter validation, serialisation, events) with no backend.
3. The mockkms / floor ratio per operation, against the target (<= 1.3).
4. ``mock_kms()`` + ``start()`` + ``stop()`` cost, and ``import mockkms`` cost
   (in fresh interpreters, against importing its dependencies alone).
5. With moto installed: the same calls under ``moto.mock_aws()``, and moto / mockkms.

Floor and mock are measured in alternating rounds on the same client, so drift
(CPU frequency, other load) hits both alike.  It is a report, not a test: the
exit status is 0 whatever the ratios are.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import gc
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import boto3
from botocore.awsrequest import AWSResponse

from mockkms import mock_kms

TARGET_RATIO = 1.3
START_STOP_TARGET_US = 1000.0
REGION = "us-east-1"
ACCOUNT = "123456789012"
PLAINTEXT = b"a small secret, 32 bytes long..."
OPERATIONS = ("CreateKey", "DescribeKey", "Encrypt", "Decrypt", "GenerateDataKey")

# Import cost: the modules mockkms pulls in that a test would not otherwise need.
DEPENDENCIES = ("import boto3, botocore.session, botocore.endpoint, botocore.parsers, botocore.handlers, "
                "wrapt, cryptography.hazmat.primitives.ciphers.aead")


# -- the calls ---------------------------------------------------------------------------------

Call = Callable[[], Any]


def calls_for(client: Any, key_id: str, blob: bytes) -> Dict[str, Call]:
    """One zero-argument callable per operation, all aimed at ``client``."""
    return {
        "CreateKey": lambda: client.create_key(),
        "DescribeKey": lambda: client.describe_key(KeyId=key_id),
        "Encrypt": lambda: client.encrypt(KeyId=key_id, Plaintext=PLAINTEXT),
        "Decrypt": lambda: client.decrypt(CiphertextBlob=blob),
        "GenerateDataKey": lambda: client.generate_data_key(KeyId=key_id, KeySpec="AES_256"),
    }


def time_calls(call: Call, iterations: int) -> List[int]:
    """``iterations`` timings of ``call``, in nanoseconds."""
    clock = time.perf_counter_ns
    samples = []
    append = samples.append
    for _ in range(iterations):
        t0 = clock()
        call()
        append(clock() - t0)
    return samples


def summary(samples_ns: Sequence[int]) -> Tuple[float, float]:
    """(median, p90) in microseconds."""
    ordered = sorted(samples_ns)
    median = statistics.median(ordered)
    p90 = ordered[min(len(ordered) - 1, int(round(0.9 * (len(ordered) - 1))))]
    return median / 1000.0, p90 / 1000.0


# -- the floor: botocore with a canned, do-nothing backend ---------------------------------------

class _Body:
    def __init__(self, body: bytes):
        self._body = body

    def stream(self, *args: Any, **kwargs: Any) -> Any:
        return iter((self._body,))


def canned_answers(key_id: str) -> Dict[str, Tuple[AWSResponse, dict]]:
    """A plausible (http_response, parsed) pair per operation, built once."""
    arn = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{key_id}"
    blob = os.urandom(len(PLAINTEXT) + 137)

    def answer(parsed: dict) -> Tuple[AWSResponse, dict]:
        headers = {"x-amzn-requestid": "00000000-0000-4000-8000-000000000000",
                   "content-type": "application/x-amz-json-1.1", "content-length": "0",
                   "date": "Thu, 01 Jan 2026 00:00:00 GMT"}
        parsed["ResponseMetadata"] = {"RequestId": headers["x-amzn-requestid"], "HTTPStatusCode": 200,
                                      "HTTPHeaders": headers, "RetryAttempts": 0}
        return AWSResponse("https://kms.floor.invalid/", 200, headers, _Body(b"{}")), parsed

    metadata = {
        "AWSAccountId": ACCOUNT, "KeyId": key_id, "Arn": arn,
        "CreationDate": _dt.datetime(2026, 1, 1, tzinfo=_dt.timezone.utc), "Enabled": True,
        "Description": "", "KeyUsage": "ENCRYPT_DECRYPT", "KeyState": "Enabled", "Origin": "AWS_KMS",
        "KeyManager": "CUSTOMER", "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT", "KeySpec": "SYMMETRIC_DEFAULT",
        "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"], "MultiRegion": False, "CurrentKeyMaterialId": "0" * 64,
    }
    return {
        "CreateKey": answer({"KeyMetadata": dict(metadata)}),
        "DescribeKey": answer({"KeyMetadata": dict(metadata)}),
        "Encrypt": answer({"CiphertextBlob": blob, "KeyId": arn, "EncryptionAlgorithm": "SYMMETRIC_DEFAULT"}),
        "Decrypt": answer({"KeyId": arn, "Plaintext": PLAINTEXT, "EncryptionAlgorithm": "SYMMETRIC_DEFAULT",
                           "KeyMaterialId": "0" * 64}),
        "GenerateDataKey": answer({"CiphertextBlob": blob, "Plaintext": os.urandom(32), "KeyId": arn,
                                   "KeyMaterialId": "0" * 64}),
    }


class Floor:
    """Context manager: ``before-call.kms.<Operation>`` handlers answering with canned pairs."""

    def __init__(self, client: Any, answers: Dict[str, Tuple[AWSResponse, dict]]):
        self.client = client
        self.answers = answers

    def __enter__(self) -> "Floor":
        events = self.client.meta.events
        for operation, canned in self.answers.items():
            events.register(f"before-call.kms.{operation}", self._handler(canned),
                            unique_id=f"bench-floor-{operation}")
        return self

    def __exit__(self, *exc: Any) -> None:
        events = self.client.meta.events
        for operation in self.answers:
            events.unregister(f"before-call.kms.{operation}", unique_id=f"bench-floor-{operation}")

    @staticmethod
    def _handler(canned: Tuple[AWSResponse, dict]) -> Callable[..., Tuple[AWSResponse, dict]]:
        def handler(**kwargs: Any) -> Tuple[AWSResponse, dict]:
            return canned
        return handler


# -- mockkms vs floor ---------------------------------------------------------------------------

def alternate(call: Call, mock: Any, floor: "Floor", warmup: int, rounds: int,
              per_round: int) -> Tuple[List[int], List[int]]:
    """Timings of ``call`` on the floor and under the mock, in alternating rounds after a warm-up."""
    floor_samples, mock_samples = alternate_sides([(floor, call), (mock, call)], warmup, rounds, per_round)
    return floor_samples, mock_samples


def alternate_sides(sides: Sequence[Tuple[Any, Call]], warmup: int, rounds: int, per_round: int) -> List[List[int]]:
    """Timings of each side's call inside its context manager (the floor, a mock), one side after
    the other in each round, after a warm-up: drift on the machine affects every side alike."""
    for context, call in sides:
        with context:
            time_calls(call, warmup)
    samples: List[List[int]] = [[] for _ in sides]
    for _ in range(rounds):
        for taken, (context, call) in zip(samples, sides):
            gc.collect()
            with context:
                taken += time_calls(call, per_round)
    return samples


def bench_mockkms_and_floor(iterations: int, warmup: int, rounds: int) -> Dict[str, Dict[str, Tuple[float, float]]]:
    mock = mock_kms(account_id=ACCOUNT, region=REGION)
    with mock:
        # Made inside a mock so that, with no AWS setup, credentials resolve to the mock's fake ones
        # (and botocore never goes looking for instance metadata).
        client = boto3.client("kms", region_name=REGION)
        key_id = client.create_key()["KeyMetadata"]["KeyId"]
        blob = client.encrypt(KeyId=key_id, Plaintext=PLAINTEXT)["CiphertextBlob"]
    calls = calls_for(client, key_id, blob)
    answers = canned_answers(key_id)

    # Sanity: the floor must short-circuit, the mock must answer for real.
    with Floor(client, answers):
        assert client.describe_key(KeyId=key_id)["KeyMetadata"]["Description"] == ""
    with mock:
        assert client.decrypt(CiphertextBlob=blob)["Plaintext"] == PLAINTEXT

    samples: Dict[str, Dict[str, List[int]]] = {"floor": {}, "mockkms": {}}
    per_round = max(1, iterations // rounds)
    for operation in OPERATIONS:
        call = calls[operation]
        floor_samples, mock_samples = alternate(call, mock, Floor(client, answers), warmup, rounds, per_round)
        samples["floor"][operation] = floor_samples
        samples["mockkms"][operation] = mock_samples
    return {side: {op: summary(s) for op, s in by_op.items()} for side, by_op in samples.items()}


# -- moto ---------------------------------------------------------------------------------------

def bench_moto(create_iterations: int, iterations: int, warmup: int) -> Optional[Dict[str, Tuple[float, float]]]:
    try:
        import moto
    except ImportError:
        return None
    results = {}
    with moto.mock_aws():
        client = boto3.client("kms", region_name=REGION)
        key_id = client.create_key()["KeyMetadata"]["KeyId"]
        blob = client.encrypt(KeyId=key_id, Plaintext=PLAINTEXT)["CiphertextBlob"]
        calls = calls_for(client, key_id, blob)
        for operation in OPERATIONS:
            n = create_iterations if operation == "CreateKey" else iterations
            time_calls(calls[operation], min(warmup, n))
            gc.collect()
            results[operation] = summary(time_calls(calls[operation], n))
    return results


# -- lifecycle and import -----------------------------------------------------------------------

def bench_start_stop(cycles: int) -> float:
    """Mean microseconds of ``m = mock_kms(); m.start(); m.stop()``."""
    for _ in range(min(cycles, 100)):
        m = mock_kms()
        m.start()
        m.stop()
    gc.collect()
    t0 = time.perf_counter_ns()
    for _ in range(cycles):
        m = mock_kms()
        m.start()
        m.stop()
    return (time.perf_counter_ns() - t0) / cycles / 1000.0


def _subprocess_ms(code: str, env: Dict[str, str]) -> float:
    """Wall time (ms) of one fresh ``python -c code``."""
    t0 = time.perf_counter_ns()
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
    return (time.perf_counter_ns() - t0) / 1e6


def _cached_bytecode_env(prefix: str) -> Dict[str, str]:
    """An environment where every module gets a bytecode cache, kept under ``prefix``.

    Without it (PYTHONDONTWRITEBYTECODE=1, or a read-only checkout) mockkms would be
    compiled from source on each import while its installed dependencies load their
    .pyc files: an unfair comparison.  The prefix keeps the source tree clean.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = prefix
    return env


def _importtime_mockkms_self_ms(env: Dict[str, str]) -> float:
    """Sum of ``-X importtime`` self times of mockkms's own modules (ms)."""
    out = subprocess.run([sys.executable, "-X", "importtime", "-c", "import mockkms"],
                         check=True, capture_output=True, text=True, env=env).stderr
    total = 0
    for line in out.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[2].strip().split(".")[0] == "mockkms":
            try:
                total += int(parts[0].split(":")[1])
            except ValueError:
                pass
    return total / 1000.0


_STAGED_IMPORT = """
import time
w0, c0 = time.perf_counter(), time.process_time()
{deps}
w1, c1 = time.perf_counter(), time.process_time()
import mockkms
w2, c2 = time.perf_counter(), time.process_time()
print((w1 - w0) * 1e3, (c1 - c0) * 1e3, (w2 - w1) * 1e3, (c2 - c1) * 1e3)
"""


def bench_import(repeats: int) -> Dict[str, float]:
    """Import costs in fresh interpreters, best of ``repeats`` (the minimum is the least noisy).

    ``mockkms - deps`` is timed inside one interpreter (dependencies first, then
    ``import mockkms``), in wall and CPU time, so machine load hurts it less than
    subtracting two separately timed interpreters.
    """
    prefix = tempfile.mkdtemp(prefix="mockkms-bench-pycache-")
    try:
        env = _cached_bytecode_env(prefix)
        staged = _STAGED_IMPORT.format(deps=DEPENDENCIES)
        for code in ("pass", "import mockkms", staged):  # fill the bytecode cache
            subprocess.run([sys.executable, "-c", code], check=True, env=env, capture_output=True)
        walls: Dict[str, List[float]] = {"python": [], "mockkms": []}
        stages: List[List[float]] = []
        for _ in range(repeats):
            walls["python"].append(_subprocess_ms("pass", env))
            walls["mockkms"].append(_subprocess_ms("import mockkms", env))
            out = subprocess.run([sys.executable, "-c", staged], check=True, env=env,
                                 capture_output=True, text=True).stdout
            stages.append([float(x) for x in out.split()])
        result = {name: min(values) for name, values in walls.items()}
        for i, name in enumerate(("deps_wall", "deps_cpu", "own_wall", "own_cpu")):
            result[name] = min(row[i] for row in stages)
        result["self"] = _importtime_mockkms_self_ms(env)
    finally:
        shutil.rmtree(prefix, ignore_errors=True)
    return result


# -- report -------------------------------------------------------------------------------------

def _us(value: float) -> str:
    return f"{value:,.1f}"


def report(results: Dict[str, Any], out: Any = sys.stdout) -> None:
    def p(line: str = "") -> None:
        print(line, file=out)

    cfg = results["config"]
    p(f"mockkms core benchmark  (python {sys.version.split()[0]}, boto3 {boto3.__version__}; "
      f"{cfg['iterations']} calls/op after {cfg['warmup']} warm-up, {cfg['rounds']} alternating rounds)")
    p()
    p("Per-call latency, microseconds (median / p90)")
    header = f"{'operation':<16} {'floor med':>10} {'floor p90':>10} {'mockkms med':>12} {'mockkms p90':>12} " \
             f"{'ratio':>6}  {'target':<12}"
    moto = results.get("moto")
    if moto:
        header += f" {'moto med':>10} {'moto p90':>10} {'moto/mockkms':>12}"
    p(header)
    p("-" * len(header))
    for operation in OPERATIONS:
        f_med, f_p90 = results["floor"][operation]
        m_med, m_p90 = results["mockkms"][operation]
        ratio = m_med / f_med
        mark = "OK" if ratio <= TARGET_RATIO else "OVER"
        line = f"{operation:<16} {_us(f_med):>10} {_us(f_p90):>10} {_us(m_med):>12} {_us(m_p90):>12} " \
               f"{ratio:>6.2f}  {mark + ' (<=' + str(TARGET_RATIO) + ')':<12}"
        if moto:
            o_med, o_p90 = moto[operation]
            line += f" {_us(o_med):>10} {_us(o_p90):>10} {o_med / m_med:>11.1f}x"
        p(line)
    p("ratio = mockkms median / floor median; floor = same client, canned before-call answer, no backend.")
    if moto:
        p(f"moto: moto.mock_aws(), {cfg['moto_create']} CreateKey calls, {cfg['moto_iterations']} of each other.")
    else:
        p("moto: not installed, skipped.")
    p()
    ss = results["start_stop_us"]
    mark = "OK" if ss < START_STOP_TARGET_US else "OVER"
    p(f"mock_kms() + start() + stop(): {_us(ss)} us mean over {cfg['cycles']} cycles   "
      f"[{mark}: target < {START_STOP_TARGET_US:.0f} us]  ({results['credentials']})")
    imp = results["import"]
    p(f"import (fresh interpreters, bytecode cached, best of {cfg['import_repeats']}): "
      f"`python -c pass` {imp['python']:.0f} ms, `python -c 'import mockkms'` {imp['mockkms']:.0f} ms")
    p(f"  dependencies alone: {imp['deps_wall']:.0f} ms; then mockkms's own import cost: "
      f"{imp['own_wall']:.1f} ms wall / {imp['own_cpu']:.1f} ms CPU "
      f"(-X importtime self time of mockkms.* modules: {imp['self']:.1f} ms, inflated by the tracing)")
    p(f"  dependencies = `{DEPENDENCIES}`")


def run(quick: bool = False, moto: bool = True) -> Dict[str, Any]:
    cfg = dict(iterations=2000, warmup=200, rounds=10, moto_create=50, moto_iterations=200,
               cycles=2000, import_repeats=7)
    if quick:
        cfg.update(iterations=200, warmup=20, rounds=2, moto_create=5, moto_iterations=20,
                   cycles=200, import_repeats=3)
    has_creds = bool(os.environ.get("AWS_ACCESS_KEY_ID") or os.environ.get("AWS_PROFILE"))
    results: Dict[str, Any] = {"config": cfg}
    both = bench_mockkms_and_floor(cfg["iterations"], cfg["warmup"], cfg["rounds"])
    results.update(both)
    results["start_stop_us"] = bench_start_stop(cfg["cycles"])
    results["credentials"] = ("credentials in environment: mock leaves them alone" if has_creds
                              else "no credentials in environment: mock sets and restores fake ones")
    results["import"] = bench_import(cfg["import_repeats"])
    results["moto"] = bench_moto(cfg["moto_create"], cfg["moto_iterations"], 5) if moto else None
    return results


def main(argv: Optional[Sequence[str]] = None, run_and_report: Optional[Callable[[bool, bool], None]] = None,
         description: str = __doc__) -> int:
    """The command line of a benchmark: ``--quick``, ``--no-moto``, then run, report and time it."""
    parser = argparse.ArgumentParser(description=description.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="few iterations: a smoke run of a few seconds")
    parser.add_argument("--no-moto", action="store_true", help="skip the moto comparison")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    if run_and_report is None:
        report(run(quick=args.quick, moto=not args.no_moto))
    else:
        run_and_report(args.quick, not args.no_moto)
    print(f"\n(total {time.perf_counter() - t0:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
