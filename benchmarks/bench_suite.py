"""Suite benchmark: every key family against the floor, a 1,000-test suite, scaling and threads.

    python benchmarks/bench_suite.py             # full run (about 1.5 minutes with moto, 2 cores)
    python benchmarks/bench_suite.py --quick     # a few seconds, for a smoke check
    python benchmarks/bench_suite.py --no-moto   # skip the moto comparisons

What it measures, in one run (the no-backend floor, the alternating rounds and the
timing helpers are bench_core.py's, imported from it):

1. Per-call latency, mockkms / floor, of CreateKey for each KeySpec family
   (SYMMETRIC_DEFAULT, RSA_2048, ECC_NIST_P256, HMAC_256, ML_DSA_44), Encrypt,
   Decrypt, GenerateDataKey, Sign (ECDSA P-256 and RSA-2048 PSS), Verify,
   GenerateMac, ListKeys (a page of 100 keys) and DescribeKey.  Target <= 1.3 for
   the operations that are not CreateKey; CreateKey rows are shown against the
   same floor without a target (asymmetric keys are generated lazily, so they
   should cost what a symmetric one does).  Beside the crypto operations: the
   cryptographic primitive alone (``cryptography``, no KMS), what it adds after a
   floor call (timed in the same rounds), and ex-crypto, what the mock adds beyond
   it.  Sign and Verify are judged by ex-crypto: their signatures alone cost
   0.3-3x the floor.
   With moto: the same calls under ``moto.mock_aws()``.
2. ``mock_kms()`` + start + stop, and ``import mockkms`` (bench_core's functions).
3. A 1,000-test suite: 1,000 x (fresh ``mock_kms()`` + CreateKey + Encrypt + Decrypt),
   against the floor (the same three calls answered by canned handlers) and moto
   (fewer iterations, extrapolated to 1,000).
4. Scaling: one mock filled to 10,000 keys, each with an alias and a grant; memory
   per key (tracemalloc), full ListKeys / ListAliases pagination (botocore
   paginators), DescribeKey by alias, CreateAlias, and Encrypt with a key whose
   policy has a Condition, at 1,000 / 5,000 / 10,000 keys; and the memory a full
   pagination leaves behind.  About 40 s on 2 cores.
5. Throughput with 1, 2 and 4 threads, each with its own client of one mock,
   looping Encrypt + Decrypt for a fixed time; floor and moto alike.

A report, not a test: the exit status is 0 whatever the numbers are (a section
that fails prints its error and the others still run).
"""
from __future__ import annotations

import gc
import hashlib
import hmac
import json
import os
import platform
import sys
import threading
import time
import traceback
import tracemalloc
import uuid
from typing import Any, Callable, Dict, List, NamedTuple, Optional, Sequence, Tuple

import boto3
import botocore
from botocore.awsrequest import AWSResponse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_core  # noqa: E402
from bench_core import (ACCOUNT, PLAINTEXT, REGION, TARGET_RATIO, Floor, alternate,  # noqa: E402
                        canned_answers, summary, time_calls)

from mockkms import mock_kms  # noqa: E402

Canned = Tuple[AWSResponse, dict]
Call = Callable[[], Any]

MESSAGE = b"release-manifest v1.2.3"
LIST_PAGE = 100
GRANTEE = f"arn:aws:iam::{ACCOUNT}:role/bench-app"
# A key policy with a Condition (a common guard: deny every other account), so calls on the key evaluate conditions.
CONDITIONED_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
     "Action": "kms:*", "Resource": "*"},
    {"Sid": "Deny other accounts", "Effect": "Deny", "Principal": "*", "Action": "kms:*", "Resource": "*",
     "Condition": {"StringNotEquals": {"kms:CallerAccount": ACCOUNT}}}]})
RSA_SIGNING = ["RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512",
               "RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512"]

# KeySpec family -> (CreateKey arguments, how its KeyMetadata differs from a symmetric key's;
# None removes a field).  Used for the calls and for the floor's canned CreateKey answers.
KEY_SPECS: Dict[str, Tuple[Dict[str, str], Dict[str, Any]]] = {
    "SYMMETRIC_DEFAULT": ({}, {}),
    "RSA_2048": ({"KeySpec": "RSA_2048", "KeyUsage": "SIGN_VERIFY"},
                 {"SigningAlgorithms": RSA_SIGNING}),
    "ECC_NIST_P256": ({"KeySpec": "ECC_NIST_P256", "KeyUsage": "SIGN_VERIFY"},
                      {"SigningAlgorithms": ["ECDSA_SHA_256"]}),
    "HMAC_256": ({"KeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC"},
                 {"MacAlgorithms": ["HMAC_SHA_256"]}),
    "ML_DSA_44": ({"KeySpec": "ML_DSA_44", "KeyUsage": "SIGN_VERIFY"},
                  {"SigningAlgorithms": ["ML_DSA_SHAKE_256"], "CustomerMasterKeySpec": None}),
}


# -- section 1: the rows ------------------------------------------------------------------------

class Row(NamedTuple):
    label: str
    operation: str               # the botocore operation the floor answers
    keygen: bool                 # a CreateKey row: no target
    crypto: Optional[str] = None  # the primitive timed alone, if any
    #: judged by ex-crypto: the signature alone costs 0.3-3x the floor, which no mock with real
    #: cryptography can stay within 1.3x of; what the mock adds around it is held to 1.3
    by_ex_crypto: bool = False


ROWS = tuple(Row(f"CreateKey {spec}", "CreateKey", True) for spec in KEY_SPECS) + (
    Row("Encrypt", "Encrypt", False, "aes-gcm-encrypt"),
    Row("Decrypt", "Decrypt", False, "aes-gcm-decrypt"),
    Row("GenerateDataKey", "GenerateDataKey", False, "data-key"),
    Row("Sign ECDSA P-256", "Sign", False, "ecdsa-sign", True),
    Row("Sign RSA-2048 PSS", "Sign", False, "rsa-pss-sign", True),
    Row("Verify ECDSA P-256", "Verify", False, "ecdsa-verify", True),
    Row("GenerateMac HMAC_256", "GenerateMac", False, "hmac"),
    Row(f"ListKeys ({LIST_PAGE} keys)", "ListKeys", False),
    Row("DescribeKey", "DescribeKey", False),
)


def setup_keys(client: Any) -> Dict[str, Any]:
    """The keys (and a ciphertext and a signature) the non-CreateKey rows use."""
    ids: Dict[str, Any] = {}
    for name, spec in (("sym", "SYMMETRIC_DEFAULT"), ("rsa", "RSA_2048"), ("ecc", "ECC_NIST_P256"),
                       ("hmac", "HMAC_256")):
        ids[name] = client.create_key(**KEY_SPECS[spec][0])["KeyMetadata"]["KeyId"]
    ids["blob"] = client.encrypt(KeyId=ids["sym"], Plaintext=PLAINTEXT)["CiphertextBlob"]
    ids["signature"] = client.sign(KeyId=ids["ecc"], Message=MESSAGE,
                                   SigningAlgorithm="ECDSA_SHA_256")["Signature"]
    return ids


def row_calls(client: Any, ids: Dict[str, Any]) -> Dict[str, Call]:
    """One zero-argument callable per row, aimed at ``client``."""
    calls: Dict[str, Call] = {}
    for spec, (kwargs, _) in KEY_SPECS.items():
        calls[f"CreateKey {spec}"] = (lambda kw=kwargs: client.create_key(**kw))
    calls.update({
        "Encrypt": lambda: client.encrypt(KeyId=ids["sym"], Plaintext=PLAINTEXT),
        "Decrypt": lambda: client.decrypt(CiphertextBlob=ids["blob"]),
        "GenerateDataKey": lambda: client.generate_data_key(KeyId=ids["sym"], KeySpec="AES_256"),
        "Sign ECDSA P-256": lambda: client.sign(KeyId=ids["ecc"], Message=MESSAGE, SigningAlgorithm="ECDSA_SHA_256"),
        "Sign RSA-2048 PSS": lambda: client.sign(KeyId=ids["rsa"], Message=MESSAGE,
                                                 SigningAlgorithm="RSASSA_PSS_SHA_256"),
        "Verify ECDSA P-256": lambda: client.verify(KeyId=ids["ecc"], Message=MESSAGE, Signature=ids["signature"],
                                                    SigningAlgorithm="ECDSA_SHA_256"),
        "GenerateMac HMAC_256": lambda: client.generate_mac(KeyId=ids["hmac"], Message=MESSAGE,
                                                            MacAlgorithm="HMAC_SHA_256"),
        f"ListKeys ({LIST_PAGE} keys)": lambda: client.list_keys(Limit=LIST_PAGE),
        "DescribeKey": lambda: client.describe_key(KeyId=ids["sym"]),
    })
    return calls


def row_answers(ids: Dict[str, Any]) -> Dict[str, Canned]:
    """The floor's canned answer per row, built on bench_core's: same response, metadata and fields."""
    base = canned_answers(ids["sym"])
    response, described = base["DescribeKey"]

    def answer(operation: str, key_id: str, **fields: Any) -> Canned:
        """bench_core's answer for ``operation`` with ``fields`` put in (and KeyId made ``key_id``'s ARN)."""
        parsed = dict(base[operation][1]) if operation in base else {"ResponseMetadata": described["ResponseMetadata"]}
        parsed.update(fields)
        if "KeyId" in parsed:
            parsed["KeyId"] = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{key_id}"
        return response, parsed

    symmetric = described["KeyMetadata"]
    answers: Dict[str, Canned] = {}
    for spec, (_, differences) in KEY_SPECS.items():
        metadata = dict(symmetric)
        if differences:
            del metadata["EncryptionAlgorithms"], metadata["CurrentKeyMaterialId"]
            metadata.update(KeyUsage=KEY_SPECS[spec][0]["KeyUsage"], KeySpec=spec, CustomerMasterKeySpec=spec)
            for name, value in differences.items():
                if value is None:
                    del metadata[name]
                else:
                    metadata[name] = value
        answers[f"CreateKey {spec}"] = answer("CreateKey", ids["sym"], KeyMetadata=metadata)
    keys = []
    for _ in range(LIST_PAGE):
        key_id = str(uuid.uuid4())
        keys.append({"KeyId": key_id, "KeyArn": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{key_id}"})
    answers.update({
        "Encrypt": base["Encrypt"],
        "Decrypt": base["Decrypt"],
        "GenerateDataKey": base["GenerateDataKey"],
        "Sign ECDSA P-256": answer("Sign", ids["ecc"], KeyId="", Signature=os.urandom(71),
                                   SigningAlgorithm="ECDSA_SHA_256"),
        "Sign RSA-2048 PSS": answer("Sign", ids["rsa"], KeyId="", Signature=os.urandom(256),
                                    SigningAlgorithm="RSASSA_PSS_SHA_256"),
        "Verify ECDSA P-256": answer("Verify", ids["ecc"], KeyId="", SignatureValid=True,
                                     SigningAlgorithm="ECDSA_SHA_256"),
        "GenerateMac HMAC_256": answer("GenerateMac", ids["hmac"], KeyId="", Mac=os.urandom(32),
                                       MacAlgorithm="HMAC_SHA_256"),
        f"ListKeys ({LIST_PAGE} keys)": answer("ListKeys", ids["sym"], Keys=keys, Truncated=False),
        "DescribeKey": base["DescribeKey"],
    })
    return answers


def _fields(parsed: dict) -> Tuple[Any, ...]:
    """What makes an answer's shape: its fields (and KeyMetadata's), without ResponseMetadata."""
    top = sorted(k for k in parsed if k != "ResponseMetadata")
    meta = sorted(parsed.get("KeyMetadata", {}))
    return tuple(top), tuple(meta)


def primitive_work() -> Dict[str, Call]:
    """One zero-argument callable per cryptographic primitive (``cryptography``/hmac, no KMS)."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    aes = AESGCM(os.urandom(32))
    nonce = os.urandom(12)
    sealed = aes.encrypt(nonce, PLAINTEXT, None)
    ecc = ec.generate_private_key(ec.SECP256R1())
    signature = ecc.sign(MESSAGE, ec.ECDSA(hashes.SHA256()))
    public = ecc.public_key()
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
    mac_key = os.urandom(32)
    work: Dict[str, Call] = {
        "aes-gcm-encrypt": lambda: aes.encrypt(os.urandom(12), PLAINTEXT, None),
        "aes-gcm-decrypt": lambda: aes.decrypt(nonce, sealed, None),
        "data-key": lambda: aes.encrypt(os.urandom(12), os.urandom(32), None),
        "ecdsa-sign": lambda: ecc.sign(MESSAGE, ec.ECDSA(hashes.SHA256())),
        "rsa-pss-sign": lambda: rsa_key.sign(MESSAGE, pss, hashes.SHA256()),
        "ecdsa-verify": lambda: public.verify(signature, MESSAGE, ec.ECDSA(hashes.SHA256())),
        "hmac": lambda: hmac.new(mac_key, MESSAGE, hashlib.sha256).digest(),
    }
    return work


def primitives(iterations: int) -> Dict[str, float]:
    """Median microseconds of each cryptographic primitive alone, in a tight loop."""
    results = {}
    for name, call in primitive_work().items():
        time_calls(call, 20)
        results[name] = summary(time_calls(call, iterations))[0]
    return results


def alternate_with_primitive(call: Call, primitive: Call, mock: Any, floor: Floor, warmup: int, rounds: int,
                             per_round: int) -> Tuple[List[int], List[int], List[int]]:
    """Timings of ``call`` on the floor, of the floor call followed by ``primitive``, and of ``call``
    under the mock, in alternating rounds.

    A primitive timed in a tight loop finds its code and data in the CPU's caches; inside a
    KMS call, botocore's work around it has evicted them, and after a long primitive (an
    RSA signature) botocore's next call starts cold too.  The floor call followed by the
    primitive pays all of that, so (that - the floor call) is the primitive's cost in a
    call's conditions; timing it in the same rounds as the mock keeps drift out of the
    comparison.
    """
    def call_then_primitive() -> None:
        call()
        primitive()
    floor_samples, paired, mock_samples = bench_core.alternate_sides(
        [(floor, call), (floor, call_then_primitive), (mock, call)], warmup, rounds, per_round)
    return floor_samples, paired, mock_samples


def bench_latency(cfg: Dict[str, Any]) -> Dict[str, Any]:
    main = mock_kms(account_id=ACCOUNT, region=REGION)      # exactly LIST_PAGE keys: ListKeys returns one page
    creator = mock_kms(account_id=ACCOUNT, region=REGION)   # where the CreateKey rows pile their keys up
    with main:
        client = boto3.client("kms", region_name=REGION)    # made inside a mock: fake credentials
        ids = setup_keys(client)
        for _ in range(LIST_PAGE - 4):
            client.create_key()
        calls = row_calls(client, ids)
        real = {row.label: calls[row.label]() for row in ROWS if not row.keygen}
    with creator:
        real.update({row.label: calls[row.label]() for row in ROWS if row.keygen})
    answers = row_answers(ids)

    # Sanity: the floor short-circuits with the canned answer; the mock answered for real, with the
    # same fields; and a 100-key page is what ListKeys lists.
    for row in ROWS:
        with Floor(client, {row.operation: answers[row.label]}):
            assert calls[row.label]()["ResponseMetadata"]["RequestId"] == "00000000-0000-4000-8000-000000000000"
    mismatched = [row.label for row in ROWS if _fields(real[row.label]) != _fields(answers[row.label][1])]
    listed = real[f"ListKeys ({LIST_PAGE} keys)"]
    assert len(listed["Keys"]) == LIST_PAGE and not listed["Truncated"], "ListKeys did not list one 100-key page"

    per_round = max(1, cfg["iterations"] // cfg["rounds"])
    results: Dict[str, Any] = {"floor": {}, "mockkms": {}, "mismatched": mismatched, "crypto_in_call": {}}
    work = primitive_work()
    for row in ROWS:
        floor = Floor(client, {row.operation: answers[row.label]})
        mock = creator if row.keygen else main
        if row.crypto:
            f, paired, m = alternate_with_primitive(calls[row.label], work[row.crypto], mock, floor, cfg["warmup"],
                                                    cfg["rounds"], per_round)
            results["crypto_in_call"][row.label] = summary(paired)[0] - summary(f)[0]
        else:
            f, m = alternate(calls[row.label], mock, floor, cfg["warmup"], cfg["rounds"], per_round)
        results["floor"][row.label] = summary(f)
        results["mockkms"][row.label] = summary(m)
    results["crypto"] = primitives(cfg["iterations"])
    results["keys_created"] = LIST_PAGE + len(creator.calls.of("CreateKey"))
    return results


def bench_latency_moto(create_iterations: int, iterations: int, list_keys: int) -> Optional[Dict[str, Any]]:
    try:
        import moto
    except ImportError:
        return None
    results: Dict[str, Any] = {}
    with moto.mock_aws():
        client = boto3.client("kms", region_name=REGION)
        try:
            ids = setup_keys(client)
        except Exception as error:  # a moto without one of the key families: no moto column
            results["setup_error"] = _error_code(error)
            return results
        calls = row_calls(client, ids)
        for row in ROWS:
            if row.label.startswith("ListKeys"):
                while len(client.list_keys()["Keys"]) < list_keys:   # moto ignores Limit: list exactly 100
                    client.create_key()
                results["list_count"] = len(client.list_keys(Limit=LIST_PAGE)["Keys"])
            n = create_iterations if row.keygen else iterations
            try:
                time_calls(calls[row.label], 2)
                gc.collect()
                results[row.label] = summary(time_calls(calls[row.label], n))
            except Exception as error:  # moto may not support a KeySpec or an operation
                results[row.label] = _error_code(error)
    return results


def _error_code(error: Exception) -> str:
    return getattr(error, "response", {}).get("Error", {}).get("Code") or type(error).__name__


# -- section 3: a 1,000-test suite ------------------------------------------------------------

def _three_calls(client: Any) -> None:
    key_id = client.create_key()["KeyMetadata"]["KeyId"]
    blob = client.encrypt(KeyId=key_id, Plaintext=PLAINTEXT)["CiphertextBlob"]
    client.decrypt(CiphertextBlob=blob)


def _suite(test: Call, iterations: int) -> float:
    for _ in range(min(20, iterations)):  # warm-up
        test()
    gc.collect()
    t0 = time.perf_counter()
    for _ in range(iterations):
        test()
    return time.perf_counter() - t0


def bench_suite_shape(tests: int, moto_tests: int, moto: bool) -> Dict[str, Any]:
    with mock_kms():
        client = boto3.client("kms", region_name=REGION)
        made = [time_calls(lambda: boto3.client("kms", region_name=REGION), 1)[0] for _ in range(20)]

    def mocked() -> None:
        with mock_kms():
            _three_calls(client)

    answers = canned_answers(str(uuid.uuid4()))
    floor_answers = {op: answers[op] for op in ("CreateKey", "Encrypt", "Decrypt")}

    def floored() -> None:
        with Floor(client, floor_answers):
            _three_calls(client)

    results: Dict[str, Any] = {"mockkms": _suite(mocked, tests), "floor": _suite(floored, tests),
                               "client_ms": summary(made)[0] / 1000.0, "moto": None}
    if moto:
        try:
            import moto as moto_module
        except ImportError:
            return results
        with moto_module.mock_aws():
            moto_client = boto3.client("kms", region_name=REGION)

        def with_moto() -> None:
            with moto_module.mock_aws():
                _three_calls(moto_client)

        results["moto"] = _suite(with_moto, moto_tests)
    return results


# -- section 4: scaling -----------------------------------------------------------------------

def _paginate(client: Any, operation: str, field: str) -> Tuple[float, int, int]:
    """(seconds, items, pages) of a full pagination with botocore's paginator (default page size)."""
    gc.collect()
    t0 = time.perf_counter()
    items = pages = 0
    for page in client.get_paginator(operation).paginate():
        items += len(page[field])
        pages += 1
    return time.perf_counter() - t0, items, pages


def _retained(work: Call) -> int:
    """Bytes still allocated after ``work`` (tracemalloc), after a collection."""
    gc.collect()
    tracemalloc.start()
    try:
        work()
        gc.collect()
        return tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()


def bench_scaling(sizes: Sequence[int], probes: int) -> Dict[str, Any]:
    mock = mock_kms(account_id=ACCOUNT, region=REGION).start()
    stages: List[Dict[str, Any]] = []
    try:
        client = mock.client()
        for operation, field in (("list_keys", "Keys"), ("list_aliases", "Aliases")):
            _paginate(client, operation, field)  # warm-up: botocore loads its paginator model once
        built = 0
        for size in sizes:
            stage: Dict[str, Any] = {"keys": size}
            first = built

            def fill() -> None:
                for i in range(first, size):
                    policy = {"Policy": CONDITIONED_POLICY} if i == 0 else {}  # key 0: for the Condition probe
                    key_id = client.create_key(Description=f"bench key {i}", **policy)["KeyMetadata"]["KeyId"]
                    client.create_alias(AliasName=f"alias/bench-{i:06d}", TargetKeyId=key_id)
                    client.create_grant(KeyId=key_id, GranteePrincipal=GRANTEE, Operations=["Encrypt", "Decrypt"])

            t0 = time.perf_counter()
            stage["bytes_per_key"] = _retained(fill) / (size - first)
            stage["fill_s"] = time.perf_counter() - t0  # under tracemalloc: slower than without
            built = size

            stage["list_keys"] = _paginate(client, "list_keys", "Keys")
            stage["list_aliases"] = _paginate(client, "list_aliases", "Aliases")
            names = [f"alias/bench-{i:06d}" for i in range(1, size, max(1, size // probes))][:probes]
            cursor = iter(names * 2)
            time_calls(lambda: client.describe_key(KeyId=next(cursor)), len(names))
            cursor = iter(names)
            stage["describe_alias_us"] = summary(time_calls(lambda: client.describe_key(KeyId=next(cursor)),
                                                            len(names)))
            conditioned = client.describe_key(KeyId="alias/bench-000000")["KeyMetadata"]["KeyId"]
            encrypt = lambda: client.encrypt(KeyId=conditioned, Plaintext=PLAINTEXT)  # noqa: E731
            time_calls(encrypt, 10)
            stage["encrypt_condition_us"] = summary(time_calls(encrypt, probes))
            # CreateAlias on one more name and DeleteAlias again: the world is left as it was.
            target = client.describe_key(KeyId=names[0])["KeyMetadata"]["KeyId"]
            samples = []
            for n in range(probes):
                t = time.perf_counter_ns()
                client.create_alias(AliasName=f"alias/probe-{n}", TargetKeyId=target)
                samples.append(time.perf_counter_ns() - t)
                client.delete_alias(AliasName=f"alias/probe-{n}")
            stage["create_alias_us"] = summary(samples)
            # Memory a full pagination leaves behind (its markers), each measured on one more pagination.
            stage["list_keys_retained"] = _retained(lambda: _paginate(client, "list_keys", "Keys"))
            stage["list_aliases_retained"] = _retained(lambda: _paginate(client, "list_aliases", "Aliases"))
            stages.append(stage)
    finally:
        mock.stop()
    # What every call leaves behind (its call-log record), on a fresh mock so the log's list is traced from empty.
    with mock_kms(account_id=ACCOUNT, region=REGION) as fresh:
        client = fresh.client()
        key_id = client.create_key()["KeyMetadata"]["KeyId"]
        n = 5 * probes
        log_bytes = _retained(lambda: [client.describe_key(KeyId=key_id) for _ in range(n)]) / n
    return {"stages": stages, "call_log_bytes_per_call": log_bytes}


# -- section 5: threads -----------------------------------------------------------------------

def _run_threads(clients: Sequence[Any], seconds: float, key_id: str, blob: bytes) -> float:
    """Encrypt + Decrypt calls per second, all threads together, one client per thread."""
    counts = [0] * len(clients)
    errors: List[BaseException] = []
    barrier = threading.Barrier(len(clients) + 1)
    deadline = [0.0]

    def worker(i: int, client: Any) -> None:
        try:
            barrier.wait()
            end, clock, n = deadline[0], time.perf_counter, 0
            while clock() < end:
                client.encrypt(KeyId=key_id, Plaintext=PLAINTEXT)
                client.decrypt(CiphertextBlob=blob)
                n += 2
            counts[i] = n
        except BaseException as error:  # reported by the caller
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(i, c), daemon=True) for i, c in enumerate(clients)]
    for t in threads:
        t.start()
    gc.collect()
    deadline[0] = time.perf_counter() + seconds
    t0 = time.perf_counter()
    barrier.wait()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    if errors:
        raise errors[0]
    return sum(counts) / elapsed


def bench_threads(counts: Sequence[int], seconds: float, moto_seconds: float, moto: bool) -> Dict[str, Any]:
    results: Dict[str, Any] = {"mockkms": {}, "floor": {}, "moto": None}
    mock = mock_kms(account_id=ACCOUNT, region=REGION).start()
    try:
        clients = [mock.client() for _ in range(max(counts))]
        key_id = clients[0].create_key()["KeyMetadata"]["KeyId"]
        blob = clients[0].encrypt(KeyId=key_id, Plaintext=PLAINTEXT)["CiphertextBlob"]
        for c in clients:  # each client's first call pays one-off costs
            c.decrypt(CiphertextBlob=blob)
        for n in counts:
            results["mockkms"][n] = _run_threads(clients[:n], seconds, key_id, blob)
    finally:
        mock.stop()
    answers = canned_answers(key_id)
    floors = [Floor(c, {op: answers[op] for op in ("Encrypt", "Decrypt")}) for c in clients]
    for f in floors:
        f.__enter__()
    try:
        for n in counts:
            results["floor"][n] = _run_threads(clients[:n], seconds, key_id, blob)
    finally:
        for f in floors:
            f.__exit__(None, None, None)
    if moto:
        try:
            import moto as moto_module
        except ImportError:
            return results
        results["moto"] = {}
        with moto_module.mock_aws():
            clients = [boto3.client("kms", region_name=REGION) for _ in range(max(counts))]
            key_id = clients[0].create_key()["KeyMetadata"]["KeyId"]
            blob = clients[0].encrypt(KeyId=key_id, Plaintext=PLAINTEXT)["CiphertextBlob"]
            for c in clients:
                c.decrypt(CiphertextBlob=blob)
            for n in counts:
                results["moto"][n] = _run_threads(clients[:n], moto_seconds, key_id, blob)
    return results


# -- report -----------------------------------------------------------------------------------

def _p(line: str = "") -> None:
    print(line, flush=True)


_us = bench_core._us  # µs as bench_core prints them


def report_latency(cfg: Dict[str, Any], res: Dict[str, Any], moto: Optional[Dict[str, Any]]) -> None:
    _p(f"1. Per-call latency, microseconds (median / p90); {cfg['iterations']} calls per row after "
       f"{cfg['warmup']} warm-up, {cfg['rounds']} alternating rounds")
    header = (f"{'call':<26} {'floor':>7} {'p90':>7} {'mockkms':>9} {'p90':>8} {'ratio':>6}  {'target':<12}"
              f" {'crypto':>7} {'in call':>7} {'ex-crypto':>9}")
    if moto is not None:
        header += f" {'moto':>9} {'moto/mockkms':>12}"
    _p(header)
    _p("-" * len(header))
    over = []
    for row in ROWS:
        f_med, f_p90 = res["floor"][row.label]
        m_med, m_p90 = res["mockkms"][row.label]
        ratio = m_med / f_med
        ex_crypto = (m_med - res["crypto_in_call"][row.label]) / f_med if row.crypto else None
        judged = ex_crypto if row.by_ex_crypto else ratio
        if row.keygen:
            mark = "(CreateKey)"
        else:
            mark = f"{'OK' if judged <= TARGET_RATIO else 'OVER'} ({'ex' if row.by_ex_crypto else ''}<={TARGET_RATIO})"
            if judged > TARGET_RATIO:
                over.append(row.label)
        line = (f"{row.label:<26} {_us(f_med):>7} {_us(f_p90):>7} {_us(m_med):>9} {_us(m_p90):>8} {ratio:>6.2f}  "
                f"{mark:<12}")
        if row.crypto:
            c, in_call = res["crypto"][row.crypto], res["crypto_in_call"][row.label]
            line += f" {_us(c):>7} {_us(in_call):>7} {ex_crypto:>9.2f}"
        else:
            line += f" {'':>7} {'':>7} {'':>9}"
        if moto is not None:
            value = moto.get(row.label)
            if isinstance(value, tuple):
                line += f" {_us(value[0]):>9} {value[0] / m_med:>11.1f}x"
            else:
                line += f" {'n/a':>9} {str(value)[:12]:>12}"
        _p(line)
    _p("ratio = mockkms median / floor median (floor: same client, canned before-call answer, no backend).")
    _p("crypto = the primitive alone with `cryptography`/hmac in a tight loop (no KMS, no botocore); in call = what")
    _p("the same primitive adds right after a floor call (botocore's work in between has cooled the CPU's caches);")
    _p("ex-crypto = (mockkms - in call) / floor: what the mock adds beyond the maths. Sign and Verify are judged")
    _p("by it (ex<=1.3): their signature alone costs 0.3-3x the floor.")
    sym = res["mockkms"]["CreateKey SYMMETRIC_DEFAULT"][0]
    worst = max((res["mockkms"][r.label][0] for r in ROWS if r.keygen), default=sym)
    _p(f"CreateKey: asymmetric/HMAC/ML-DSA at most {worst / sym:.2f}x the symmetric median (keys generated "
       f"lazily); {res['keys_created']:,} keys created by the CreateKey rows and setup.")
    if res["mismatched"]:
        _p(f"WARNING: canned floor answers differ in fields from mockkms's for: {', '.join(res['mismatched'])}")
    else:
        _p("Floor answers carry the same fields as mockkms's answers, row by row (checked).")
    if over:
        _p(f"OVER target: {', '.join(over)}")
    if moto is None:
        _p("moto: skipped (not installed, or --no-moto).")
    elif "setup_error" in moto:
        _p(f"moto: could not create the keys the rows use ({moto['setup_error']}).")
    else:
        _p(f"moto: moto.mock_aws(), {cfg['moto_create']} calls per CreateKey row, {cfg['moto_iterations']} per other "
           f"row; its ListKeys ignores Limit and listed {moto.get('list_count', '?')} keys.")


def report_lifecycle(cfg: Dict[str, Any], start_stop: float, imp: Dict[str, float]) -> None:
    _p(f"2. mock_kms() + start() + stop(): {_us(start_stop)} us mean over {cfg['cycles']} cycles   "
       f"[{'OK' if start_stop < bench_core.START_STOP_TARGET_US else 'OVER'}: target < "
       f"{bench_core.START_STOP_TARGET_US:.0f} us]")
    _p(f"   import (fresh interpreters, best of {cfg['import_repeats']}): `python -c pass` {imp['python']:.0f} ms, "
       f"`import mockkms` {imp['mockkms']:.0f} ms; dependencies alone {imp['deps_wall']:.0f} ms, then mockkms's own "
       f"{imp['own_wall']:.1f} ms wall / {imp['own_cpu']:.1f} ms CPU")


def report_suite(cfg: Dict[str, Any], res: Dict[str, Any]) -> None:
    n = cfg["tests"]
    _p(f"3. A {n:,}-test suite: each test = fresh mock + CreateKey + Encrypt + Decrypt (one client, made once)")
    _p(f"   {'floor (canned answers)':<30} {res['floor']:7.2f} s   {res['floor'] / n * 1e3:6.3f} ms per test")
    _p(f"   {'mockkms  with mock_kms():':<30} {res['mockkms']:7.2f} s   {res['mockkms'] / n * 1e3:6.3f} ms per test"
       f"   ({res['mockkms'] / res['floor']:.2f}x the floor)")
    if res["moto"] is None:
        _p("   moto: skipped (not installed, or --no-moto)")
    else:
        m = cfg["moto_tests"]
        projected = res["moto"] / m * n
        _p(f"   {'moto     with mock_aws():':<30} {projected:7.2f} s   {res['moto'] / m * 1e3:6.3f} ms per test"
           f"   (EXTRAPOLATED from {m} tests, {res['moto']:.2f} s; {projected / res['mockkms']:.0f}x mockkms)")
    _p(f"   a test that makes its own boto3.client('kms') adds {res['client_ms']:.1f} ms "
       f"({res['client_ms'] * n / 1000:.1f} s per {n:,} tests) whatever the backend")


def report_scaling(res: Dict[str, Any]) -> None:
    stages = res["stages"]
    _p("4. Scaling: one mock, keys each with an alias and a grant; full paginations with botocore's paginators "
       "at their default page sizes (ListKeys 100, ListAliases 50)")
    header = (f"{'keys':>7} {'bytes/key':>10} {'ListKeys s':>11} {'us/key':>7} {'pages':>6} "
              f"{'ListAliases s':>14} {'us/alias':>9} {'pages':>6} {'DescribeKey(alias)':>19} "
              f"{'CreateAlias':>12} {'Encrypt (Condition)':>20} {'retained MB: ListKeys':>22} {'ListAliases':>12}")
    _p(header)
    _p("-" * len(header))
    for s in stages:
        lk_s, lk_n, lk_p = s["list_keys"]
        la_s, la_n, la_p = s["list_aliases"]
        _p(f"{s['keys']:>7,} {s['bytes_per_key']:>10,.0f} {lk_s:>11.3f} {lk_s / lk_n * 1e6:>7.1f} {lk_p:>6} "
           f"{la_s:>14.3f} {la_s / la_n * 1e6:>9.1f} {la_p:>6} {s['describe_alias_us'][0]:>16.1f} us "
           f"{s['create_alias_us'][0]:>9.1f} us {s['encrypt_condition_us'][0]:>17.1f} us "
           f"{s['list_keys_retained'] / 1e6:>22.2f} "
           f"{s['list_aliases_retained'] / 1e6:>12.2f}")
    first, last = stages[0], stages[-1]

    def verdict(name: str, field: str) -> str:
        factor = (last[field][0] / last[field][1]) / (first[field][0] / first[field][1])
        kind = "linear (flat per item)" if factor < 1.5 else "SUPERLINEAR (per-item cost grows with size)"
        return f"   {name}: time per item x{factor:.1f} from {first['keys']:,} to {last['keys']:,} keys -> {kind}"

    _p(verdict("ListKeys full pagination", "list_keys"))
    _p(verdict("ListAliases full pagination", "list_aliases"))
    for name, field in (("DescribeKey by alias", "describe_alias_us"),
                        ("CreateAlias (one more alias on an existing key, deleted again)", "create_alias_us"),
                        ("Encrypt with a key whose policy has a Condition", "encrypt_condition_us")):
        factor = last[field][0] / first[field][0]
        _p(f"   {name}, median: x{factor:.2f} from {first['keys']:,} to {last['keys']:,} keys -> "
           f"{'constant' if factor < 1.5 else 'GROWS with size'}")
    _p(f"   bytes/key: tracemalloc, memory still held after CreateKey + CreateAlias + CreateGrant, including the "
       f"3 call-log records ({res['call_log_bytes_per_call']:,.0f} bytes per call, measured on DescribeKey).")
    _p(f"   fill: {last['keys']:,} keys x 3 calls took {sum(s['fill_s'] for s in stages):.1f} s under tracemalloc. "
       "retained MB: memory still held after one more full pagination (kept by the mock until it is dropped).")


def report_threads(cfg: Dict[str, Any], res: Dict[str, Any]) -> None:
    counts = cfg["threads"]
    _p(f"5. Throughput, Encrypt + Decrypt calls per second, all threads together ({cfg['thread_seconds']} s per "
       f"measure; each thread its own client)")
    header = f"{'threads':>8} {'floor':>10} {'mockkms':>10} {'mockkms/floor':>14} {'vs 1 thread':>12}"
    if res["moto"] is not None:
        header += f" {'moto':>9} {'mockkms/moto':>13}"
    _p(header)
    _p("-" * len(header))
    one = res["mockkms"][counts[0]]
    for n in counts:
        m, f = res["mockkms"][n], res["floor"][n]
        line = f"{n:>8} {f:>10,.0f} {m:>10,.0f} {m / f:>14.2f} {m / one:>11.2f}x"
        if res["moto"] is not None:
            o = res["moto"][n]
            line += f" {o:>9,.0f} {m / o:>12.1f}x"
        _p(line)
    _p(f"   one process, one GIL: more threads are not expected to add throughput; the floor shows botocore's own "
       f"scaling.{' moto: ' + str(cfg['moto_thread_seconds']) + ' s per measure.' if res['moto'] else ''}")


# -- run --------------------------------------------------------------------------------------

def config(quick: bool) -> Dict[str, Any]:
    cfg: Dict[str, Any] = dict(iterations=2000, warmup=200, rounds=10, moto_create=15, moto_iterations=200,
                               moto_list_keys=LIST_PAGE, cycles=2000, import_repeats=5, tests=1000, moto_tests=50,
                               sizes=(1000, 5000, 10000), probes=300, threads=(1, 2, 4), thread_seconds=2.0,
                               moto_thread_seconds=1.0)
    if quick:
        cfg.update(iterations=100, warmup=10, rounds=2, moto_create=2, moto_iterations=10, moto_list_keys=0,
                   cycles=200, import_repeats=1, tests=100, moto_tests=3, sizes=(100, 250, 500), probes=50,
                   thread_seconds=0.2, moto_thread_seconds=0.1)
    return cfg


def _section(name: str, work: Callable[[], None]) -> None:
    t0 = time.perf_counter()
    try:
        work()
    except Exception:
        _p(f"   [section {name} failed; the report goes on]")
        _p(traceback.format_exc())
    _p(f"   ({name}: {time.perf_counter() - t0:.1f} s)")
    _p()


def run_and_report(quick: bool, moto: bool) -> None:
    cfg = config(quick)
    try:
        import moto as moto_module
        moto_version = moto_module.__version__
    except ImportError:
        moto_version, moto = "not installed", False
    _p(f"mockkms suite benchmark{' (--quick)' if quick else ''}: python {platform.python_version()}, "
       f"boto3 {boto3.__version__}, botocore {botocore.__version__}, moto {moto_version if moto else 'skipped'}")
    _p(f"machine: {platform.platform()}, {os.cpu_count()} CPUs, {platform.processor() or platform.machine()}")
    _p()

    def latency() -> None:
        res = bench_latency(cfg)
        moto_res = None
        if moto:
            moto_res = bench_latency_moto(cfg["moto_create"], cfg["moto_iterations"], cfg["moto_list_keys"])
        report_latency(cfg, res, moto_res)

    def lifecycle() -> None:
        start_stop = bench_core.bench_start_stop(cfg["cycles"])
        report_lifecycle(cfg, start_stop, bench_core.bench_import(cfg["import_repeats"]))

    _section("latency", latency)
    _section("lifecycle", lifecycle)
    _section("suite", lambda: report_suite(cfg, bench_suite_shape(cfg["tests"], cfg["moto_tests"], moto)))
    _section("scaling", lambda: report_scaling(bench_scaling(cfg["sizes"], cfg["probes"])))
    _section("threads", lambda: report_threads(cfg, bench_threads(cfg["threads"], cfg["thread_seconds"],
                                                                  cfg["moto_thread_seconds"], moto)))


def main(argv: Optional[Sequence[str]] = None) -> int:
    return bench_core.main(argv, run_and_report, __doc__)


if __name__ == "__main__":
    sys.exit(main())
