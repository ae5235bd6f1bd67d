"""Asymmetric keys benchmark: CreateKey(RSA_4096) against the floor, and fresh mocks in a loop.

    python benchmarks/bench_asymmetric.py            # full run (under a minute without moto)
    python benchmarks/bench_asymmetric.py --quick    # a few seconds
    python benchmarks/bench_asymmetric.py --no-moto

What it measures, in one run:

1. CreateKey(KeySpec=RSA_4096, KeyUsage=SIGN_VERIFY) per-call latency with
   ``mock_kms()`` active, against the same call answered by a canned
   ``before-call`` handler (the no-backend floor of bench_core.py), in
   alternating rounds.  Target: ratio <= 1.5.  CreateKey never generates the
   private key: it is made when first used.
2. A suite's pattern: N fresh mocks, one after the other, each creating an
   RSA_4096 key and signing once (``with mock_kms():`` and ``@mock_kms``), timed
   after one warm-up iteration.  Target: 50 iterations in under 2 s.  Key pairs
   of mocks that have stopped are recycled through a process-wide pool, so only
   the warm-up pays for RSA-4096 generation.
3. With moto installed: the same loop under ``moto.mock_aws()`` (fewer
   iterations; moto generates the key in CreateKey), reported per iteration.

A report, not a test: the exit status is 0 whatever the numbers are.
"""
from __future__ import annotations

import datetime as _dt
import gc
import os
import sys
import time
from typing import Any, Dict, Optional, Sequence

import boto3

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_core  # noqa: E402
from bench_core import ACCOUNT, REGION, Floor, alternate, summary  # noqa: E402

from mockkms import mock_kms  # noqa: E402

CREATE_TARGET_RATIO = 1.5
LOOP_TARGET_S = 2.0
LOOP_TARGET_ITERATIONS = 50
RSA = {"KeySpec": "RSA_4096", "KeyUsage": "SIGN_VERIFY"}
SIGN = {"Message": b"release-manifest", "SigningAlgorithm": "RSASSA_PSS_SHA_256"}


def _canned_create(client: Any) -> Dict[str, Any]:
    """The floor's CreateKey(RSA_4096) answer, shaped as bench_core builds its canned answers."""
    from bench_core import canned_answers
    key_id = "11111111-2222-4333-8444-555555555555"
    response, parsed = canned_answers(key_id)["CreateKey"]
    metadata = dict(parsed["KeyMetadata"], KeyUsage="SIGN_VERIFY", KeySpec="RSA_4096",
                    CustomerMasterKeySpec="RSA_4096",
                    CreationDate=_dt.datetime(2026, 1, 1, tzinfo=_dt.timezone.utc))
    del metadata["EncryptionAlgorithms"], metadata["CurrentKeyMaterialId"]
    metadata["SigningAlgorithms"] = ["RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512",
                                     "RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384",
                                     "RSASSA_PKCS1_V1_5_SHA_512"]
    return {"CreateKey": (response, dict(parsed, KeyMetadata=metadata))}


def bench_create(iterations: int, warmup: int, rounds: int) -> Dict[str, Any]:
    mock = mock_kms(account_id=ACCOUNT, region=REGION)
    with mock:
        client = boto3.client("kms", region_name=REGION)
        client.create_key()
    call = lambda: client.create_key(**RSA)  # noqa: E731
    answers = _canned_create(client)
    floor, mocked = alternate(call, mock, Floor(client, answers), warmup, rounds, max(1, iterations // rounds))
    return {"floor": summary(floor), "mockkms": summary(mocked)}


def _with_block(client: Any) -> None:
    with mock_kms():
        key_id = client.create_key(**RSA)["KeyMetadata"]["KeyId"]
        client.sign(KeyId=key_id, **SIGN)


def _decorated(client: Any) -> Any:
    @mock_kms
    def one_test() -> None:
        key_id = client.create_key(**RSA)["KeyMetadata"]["KeyId"]
        client.sign(KeyId=key_id, **SIGN)
    return one_test


def _loop(step: Any, iterations: int) -> float:
    step()  # warm-up: the first RSA-4096 key pair is generated here
    gc.collect()
    t0 = time.perf_counter()
    for _ in range(iterations):
        step()
    return time.perf_counter() - t0


def bench_loops(iterations: int) -> Dict[str, float]:
    with mock_kms():
        client = boto3.client("kms", region_name=REGION)
    decorated = _decorated(client)
    return {"with mock_kms():": _loop(lambda: _with_block(client), iterations),
            "@mock_kms": _loop(decorated, iterations)}


def bench_moto_loop(iterations: int) -> Optional[float]:
    try:
        import moto
    except ImportError:
        return None
    with moto.mock_aws():
        client = boto3.client("kms", region_name=REGION)

    def step() -> None:
        with moto.mock_aws():
            key_id = client.create_key(**RSA)["KeyMetadata"]["KeyId"]
            client.sign(KeyId=key_id, **SIGN)
    return _loop(step, iterations)


def report(results: Dict[str, Any], out: Any = sys.stdout) -> None:
    def p(line: str = "") -> None:
        print(line, file=out)

    cfg = results["config"]
    create = results["create"]
    f_med, f_p90 = create["floor"]
    m_med, m_p90 = create["mockkms"]
    ratio = m_med / f_med
    p(f"mockkms asymmetric benchmark  (python {sys.version.split()[0]}, boto3 {boto3.__version__})")
    p()
    p(f"CreateKey(RSA_4096, SIGN_VERIFY), microseconds, {cfg['iterations']} calls after {cfg['warmup']} warm-up:")
    p(f"  floor median {f_med:,.1f} (p90 {f_p90:,.1f}); mockkms median {m_med:,.1f} (p90 {m_p90:,.1f}); "
      f"ratio {ratio:.2f}  [{'OK' if ratio <= CREATE_TARGET_RATIO else 'OVER'}: target <= {CREATE_TARGET_RATIO}]")
    p()
    n = cfg["loop"]
    p(f"{n} fresh mocks, each CreateKey(RSA_4096) + Sign once, after one warm-up iteration:")
    scale = LOOP_TARGET_ITERATIONS / n
    for style, seconds in results["loops"].items():
        projected = seconds * scale
        mark = "OK" if projected < LOOP_TARGET_S else "OVER"
        p(f"  {style:<18} {seconds:7.3f} s total, {seconds / n * 1e3:7.2f} ms per mock   "
          f"[{mark}: target {LOOP_TARGET_ITERATIONS} in < {LOOP_TARGET_S:.0f} s]")
    moto = results.get("moto")
    if moto is None:
        p("  moto: skipped (not installed, or --no-moto)")
    else:
        per = moto / cfg["moto_loop"]
        p(f"  moto.mock_aws()    {moto:7.3f} s for {cfg['moto_loop']}, {per * 1e3:7.2f} ms per mock "
          f"(~{per * LOOP_TARGET_ITERATIONS:.0f} s for {LOOP_TARGET_ITERATIONS})")


def run(quick: bool = False, moto: bool = True) -> Dict[str, Any]:
    cfg = dict(iterations=2000, warmup=200, rounds=10, loop=LOOP_TARGET_ITERATIONS, moto_loop=10)
    if quick:
        cfg.update(iterations=200, warmup=20, rounds=2, loop=LOOP_TARGET_ITERATIONS, moto_loop=2)
    return {"config": cfg,
            "create": bench_create(cfg["iterations"], cfg["warmup"], cfg["rounds"]),
            "loops": bench_loops(cfg["loop"]),
            "moto": bench_moto_loop(cfg["moto_loop"]) if moto else None}


def main(argv: Optional[Sequence[str]] = None) -> int:
    return bench_core.main(argv, lambda quick, moto: report(run(quick=quick, moto=moto)), __doc__)


if __name__ == "__main__":
    sys.exit(main())
