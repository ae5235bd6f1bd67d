"""Hostile input: whatever a client sends, the mock answers like a service, never like a crash.

For each of the 54 operations, hypothesis builds request parameters by walking botocore's
input shape (strings within and beyond their length, pattern and enum; integers in and out of
range; random blobs; empty and huge lists and maps; odd unicode; required members left out),
mixed with real identifiers, ciphertexts, signatures and tokens of a seeded world, and sends
them through a boto3 client without client-side validation.  Every answer must be a success
(whose shape the conftest checks) or a ClientError with HTTP status 400 (or the status the
model gives the error): never a 500 KMSInternalException, never an escaping Python exception,
never a hang.  The same holds for raw request bodies that are not what botocore would send.

Ciphertexts that were altered, cut, made elsewhere or bound to another encryption context
never decrypt.  Key and identity policies the mock accepts never make a later call crash,
and no sequence of lifecycle calls and clock moves does either.

Failures found so far are pinned by plain regression tests here (lone surrogates, the
per-shape cache race in test_concurrency.py, Date and Null conditions, wildcard
backtracking); the policy generators leave the condition inputs out so that they keep
looking for anything else.
"""
from __future__ import annotations

import base64
import concurrent.futures
import datetime as _dt
import json
import logging
import os
import re
import socket
import time
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

import pytest
from botocore import xform_name
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from mockkms import mock_kms
from mockkms.domain import keypairs
from mockkms.model import service_model

from conftest import NetworkUsed, make_client

SERVICE = service_model()
OPERATIONS = sorted(SERVICE.operation_names)
ACCOUNT = "123456789012"
REGION = "us-east-1"
HANG_SECONDS = 30

#: Errors any operation may answer besides its modelled ones: AWS's common errors
#: (ValidationException, SerializationException, AccessDeniedException) and the mock's
#: NotImplementedException for the few features it declines (Recipient, SM2 wrapping).
COMMON_ERRORS = {"ValidationException", "SerializationException", "AccessDeniedException",
                 "NotImplementedException"}

# A deeper search, ten times the examples: MOCKKMS_HOSTILE_SCALE=10 python -m pytest tests/test_hostile_input.py
SCALE = float(os.environ.get("MOCKKMS_HOSTILE_SCALE", "1"))


def examples(count: int) -> int:
    return max(1, int(count * SCALE))


EXAMPLES_PER_OPERATION = examples(100)
HOSTILE = settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                   suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                          HealthCheck.data_too_large, HealthCheck.filter_too_much,
                                          HealthCheck.large_base_example])


def modelled_errors(operation: str) -> set:
    return {shape.metadata.get("error", {}).get("code", shape.name)
            for shape in SERVICE.operation_model(operation).error_shapes}


def modelled_status(code: str) -> int:
    shape = SERVICE.shape_for_error_code(code)
    if shape is None:
        return 400
    return shape.metadata.get("error", {}).get("httpStatusCode", 400)


# -- the seeded world ------------------------------------------------------------------------

@dataclass
class Seeds:
    """Real values of the world the requests are sent to, by the member names that take them."""
    region: str = REGION
    by_member: Dict[str, List[Any]] = field(default_factory=dict)
    recipes: Dict[str, List[dict]] = field(default_factory=dict)   # requests known to succeed, by operation
    sym_key: str = ""
    rsa_key: str = ""
    blob: bytes = b""                    # symmetric ciphertext of PLAINTEXT under CONTEXT
    rsa_blob: bytes = b""                # RSAES_OAEP_SHA_256 ciphertext of PLAINTEXT
    foreign_blob: bytes = b""            # made by another mock (same account id)

    def add(self, member: str, *values: Any) -> None:
        self.by_member.setdefault(member, []).extend(values)

    def recipe(self, operation: str, **params: Any) -> None:
        """A request known to succeed (members an older botocore model lacks are left out)."""
        members = SERVICE.operation_model(operation).input_shape.members
        kept = {k: v for k, v in params.items() if k in members}
        if "SourceArn" in (kept.get("Constraints") or {}) and \
                "SourceArn" not in SERVICE.shape_for("GrantConstraints").members:
            return  # a recipe an older botocore model cannot express
        self.recipes.setdefault(operation, []).append(kept)


PLAINTEXT = b"seed plaintext"
CONTEXT = {"purpose": "seed", "tenant": "42"}
MESSAGE = b"seed message"


def _key(client, **kwargs) -> Dict[str, Any]:
    return client.create_key(**kwargs)["KeyMetadata"]


def seed_world(client, kms) -> Seeds:
    region = client.meta.region_name
    partition = "aws-cn" if region.startswith("cn-") else "aws"
    seeds = Seeds(region=region)
    sym = _key(client, Description="symmetric")
    sym2 = _key(client, Description="second symmetric", Tags=[{"TagKey": "team", "TagValue": "a"}])
    rsa_enc = _key(client, KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")
    rsa_sign = _key(client, KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")
    ecc_sign = _key(client, KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")
    ecc_agree = _key(client, KeySpec="ECC_NIST_P256", KeyUsage="KEY_AGREEMENT")
    hmac = _key(client, KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")
    external = _key(client, Origin="EXTERNAL", Description="waiting for material")
    multi = _key(client, MultiRegion=True)
    disabled = _key(client, Description="disabled")
    client.disable_key(KeyId=disabled["KeyId"])
    keys = [sym, sym2, rsa_enc, rsa_sign, ecc_sign, ecc_agree, hmac, external, multi, disabled]
    if partition == "aws-cn":                     # SM2 keys exist in China only
        keys += [_key(client, KeySpec="SM2", KeyUsage=usage)
                 for usage in ("SIGN_VERIFY", "ENCRYPT_DECRYPT", "KEY_AGREEMENT")]
    seeds.sym_key, seeds.rsa_key = sym["KeyId"], rsa_enc["KeyId"]

    aliases = {"alias/seed-sym": sym, "alias/seed-rsa": rsa_enc, "alias/seed-hmac": hmac,
               "alias/seed-ecc": ecc_sign, "alias/seed-disabled": disabled}
    for name, key in aliases.items():
        client.create_alias(AliasName=name, TargetKeyId=key["KeyId"])
    alias_arns = [f"arn:{partition}:kms:{region}:{ACCOUNT}:{name}" for name in aliases]
    some_id = sym["KeyId"]
    junk_ids = ["", " ", "alias/", "alias/aws/s3", "alias/aws/", "alias/missing",
                f"arn:{partition}:kms:{region}:{ACCOUNT}:alias/aws/ebs", f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/{some_id}",
                f"arn:{partition}:kms:{region}:999999999999:key/{some_id}", "arn:aws:kms", "arn:", "arn:::::",
                f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{some_id}", f"arn:aws-cn:kms:cn-north-1:{ACCOUNT}:key/{some_id}",
                f"arn:{partition}:kms:{region}:{ACCOUNT}:key/", f"arn:{partition}:kms:{region}:{ACCOUNT}:key/alias/x",
                "mrk-" + "0" * 32, "00000000-0000-0000-0000-000000000000", some_id.upper(), some_id + " ",
                "key/" + some_id, some_id[:-1], "../" + some_id, "%s", "\x00"]
    key_refs = ([k["KeyId"] for k in keys] + [k["Arn"] for k in keys] + list(aliases) + alias_arns + junk_ids)
    for member in ("KeyId", "TargetKeyId", "DestinationKeyId", "SourceKeyId"):
        seeds.add(member, *key_refs)
    seeds.add("AliasName", *aliases, "alias/new-one", "alias/aws/s3", "alias/aws/new", "alias/", "alias/a:b",
              "alias", "Alias/seed-sym", "alias/seed-sym/", "alias/" + "x" * 250)

    # Ciphertexts and what goes with them.
    seeds.blob = client.encrypt(KeyId=sym["KeyId"], Plaintext=PLAINTEXT, EncryptionContext=CONTEXT)["CiphertextBlob"]
    plain_blob = client.encrypt(KeyId=sym2["KeyId"], Plaintext=PLAINTEXT)["CiphertextBlob"]
    seeds.rsa_blob = client.encrypt(KeyId=rsa_enc["KeyId"], Plaintext=PLAINTEXT,
                                    EncryptionAlgorithm="RSAES_OAEP_SHA_256")["CiphertextBlob"]
    data_key = client.generate_data_key(KeyId=sym["KeyId"], KeySpec="AES_256")["CiphertextBlob"]
    with mock_kms() as other:                                   # nested: answers until it stops
        foreign = other.client()
        seeds.foreign_blob = foreign.encrypt(KeyId=_key(foreign)["KeyId"], Plaintext=PLAINTEXT)["CiphertextBlob"]
    seeds.add("CiphertextBlob", seeds.blob, plain_blob, seeds.rsa_blob, data_key, seeds.foreign_blob,
              seeds.blob[:-1], seeds.blob[:1], b"\x01" * 200)
    for member in ("EncryptionContext", "SourceEncryptionContext", "DestinationEncryptionContext"):
        seeds.add(member, CONTEXT, {"purpose": "seed"}, {})
    material_id = client.decrypt(CiphertextBlob=plain_blob)["KeyMaterialId"]
    seeds.add("KeyMaterialId", material_id, "0" * 64)

    seeds.add("Message", MESSAGE, b"\0" * 32, b"\0" * 48, b"\0" * 64)
    ecdsa = client.sign(KeyId=ecc_sign["KeyId"], Message=MESSAGE, SigningAlgorithm="ECDSA_SHA_256")["Signature"]
    pss = client.sign(KeyId=rsa_sign["KeyId"], Message=MESSAGE, SigningAlgorithm="RSASSA_PSS_SHA_256")["Signature"]
    mac = client.generate_mac(KeyId=hmac["KeyId"], Message=MESSAGE, MacAlgorithm="HMAC_SHA_256")["Mac"]
    seeds.add("Signature", ecdsa, pss, ecdsa[:-1], b"\x30\x00")
    seeds.add("Mac", mac, mac[:-1], b"\0" * 32)

    peer = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    rsa_public = client.get_public_key(KeyId=rsa_enc["KeyId"])["PublicKey"]
    ecc_public = client.get_public_key(KeyId=ecc_agree["KeyId"])["PublicKey"]
    seeds.add("PublicKey", peer, rsa_public, ecc_public, peer[:-1], peer[:20] + b"\0" * 70, b"\x30\x03\x02\x01\x00")

    # Imported key material: a real import token and material wrapped for it.
    params = client.get_parameters_for_import(KeyId=external["KeyId"], WrappingAlgorithm="RSAES_OAEP_SHA_256",
                                              WrappingKeySpec="RSA_2048")
    wrapping = serialization.load_der_public_key(params["PublicKey"])
    wrapped = wrapping.encrypt(os.urandom(32), padding.OAEP(mgf=padding.MGF1(hashes.SHA256()),
                                                           algorithm=hashes.SHA256(), label=None))
    seeds.add("ImportToken", params["ImportToken"], params["ImportToken"][:-1], b"\0" * 100)
    seeds.add("EncryptedKeyMaterial", wrapped, wrapped[:-1], b"\0" * 256)

    grant = client.create_grant(KeyId=sym["KeyId"], GranteePrincipal=f"arn:aws:iam::{ACCOUNT}:role/app",
                                RetiringPrincipal=f"arn:aws:iam::{ACCOUNT}:root", Operations=["Decrypt"])
    seeds.add("GrantId", grant["GrantId"], "0" * 64, "g" * 64, grant["GrantId"].upper())
    seeds.add("GrantToken", grant["GrantToken"], grant["GrantToken"][:-1], "not-a-token")
    seeds.add("GrantTokens", [grant["GrantToken"]], [grant["GrantToken"]] * 11, ["not-a-token"])
    principals = [f"arn:aws:iam::{ACCOUNT}:root", f"arn:aws:iam::{ACCOUNT}:role/app", "arn:aws:iam::111122223333:user/u",
                  f"arn:aws:sts::{ACCOUNT}:assumed-role/app/session", "*", ACCOUNT, "arn:aws:iam::12:root",
                  "arn:aws:iam:::role/x"]
    for member in ("GranteePrincipal", "RetiringPrincipal"):
        seeds.add(member, *principals)
    for member in ("GranteeServicePrincipal", "RetiringServicePrincipal"):
        seeds.add(member, "s3.amazonaws.com", "logs.us-east-1.amazonaws.com", "x.y")
    seeds.add("Operations", ["Decrypt"], ["Encrypt", "Decrypt", "CreateGrant"], ["Sign"], ["GenerateMac"], [])
    constraints = [{"EncryptionContextSubset": {"purpose": "seed"}}, {"EncryptionContextEquals": CONTEXT}]
    if "SourceArn" in SERVICE.shape_for("GrantConstraints").members:  # newer botocore models only
        constraints.append({"SourceArn": "arn:aws:s3:us-east-1:123456789012:bucket"})
    seeds.add("Constraints", *constraints)

    policy = client.get_key_policy(KeyId=sym["KeyId"])["Policy"]
    deny_all = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Principal": "*", "Action": "kms:*", "Resource": "*"}]})
    seeds.add("Policy", policy, deny_all, "{}", "[]", "null", "not json", '{"Statement": "x"}',
              json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"},
                                                                   "Action": "kms:*", "Resource": "*",
                                                                   "Condition": {"Bogus": {"a": "b"}}}]}))
    seeds.add("PolicyName", "default", "Default", "other")

    markers = [client.list_keys(Limit=1)["NextMarker"], client.list_aliases(Limit=1)["NextMarker"]]
    seeds.add("Marker", *markers, "x", markers[0][:-1])
    for member in ("ReplicaRegion", "PrimaryRegion"):
        seeds.add(member, "us-east-1", "us-west-2", "eu-west-1", "cn-north-1", "us-gov-west-1", "xx-fake-9")

    hsm = client.create_custom_key_store(
        CustomKeyStoreName="seed-hsm", CloudHsmClusterId="cluster-234567abcdefg",
        TrustAnchorCertificate="-----BEGIN CERTIFICATE-----\nMIIBmockkms\n-----END CERTIFICATE-----",
        KeyStorePassword="kmsuser-password")["CustomKeyStoreId"]
    xks = client.create_custom_key_store(
        CustomKeyStoreName="seed-xks", CustomKeyStoreType="EXTERNAL_KEY_STORE",
        XksProxyConnectivity="PUBLIC_ENDPOINT", XksProxyUriEndpoint="https://xks.example.com",
        XksProxyUriPath="/kms/xks/v1",
        XksProxyAuthenticationCredential={"AccessKeyId": "ABCDEFGHIJKLMNOPQRST", "RawSecretAccessKey": "A" * 43},
    )["CustomKeyStoreId"]
    seeds.add("CustomKeyStoreId", hsm, xks, "cks-0123456789abcdef0", "cks-")
    seeds.add("CustomKeyStoreName", "seed-hsm", "seed-xks", "new-store")

    # Requests that succeed as they are: mutated one member at a time, they reach the checks
    # behind validation (key state, usage, algorithms, tokens, policies, ...).
    sym_id, rsa_id = sym["KeyId"], rsa_enc["KeyId"]
    seeds.recipe("Encrypt", KeyId=sym_id, Plaintext=PLAINTEXT, EncryptionContext=CONTEXT)
    seeds.recipe("Encrypt", KeyId=rsa_id, Plaintext=PLAINTEXT, EncryptionAlgorithm="RSAES_OAEP_SHA_1")
    seeds.recipe("Decrypt", CiphertextBlob=seeds.blob, EncryptionContext=CONTEXT, KeyId="alias/seed-sym")
    seeds.recipe("Decrypt", CiphertextBlob=seeds.rsa_blob, KeyId=rsa_id, EncryptionAlgorithm="RSAES_OAEP_SHA_256")
    seeds.recipe("Decrypt", CiphertextBlob=seeds.blob, EncryptionContext=CONTEXT, DryRun=True,
                 DryRunModifiers=["IGNORE_CIPHERTEXT"], KeyId=sym_id)
    seeds.recipe("ReEncrypt", CiphertextBlob=seeds.blob, SourceEncryptionContext=CONTEXT, DestinationKeyId=rsa_id,
                 DestinationEncryptionAlgorithm="RSAES_OAEP_SHA_256")
    seeds.recipe("ReEncrypt", CiphertextBlob=seeds.rsa_blob, SourceKeyId=rsa_id,
                 SourceEncryptionAlgorithm="RSAES_OAEP_SHA_256", DestinationKeyId=sym_id,
                 DestinationEncryptionContext={"a": "b"})
    for operation in ("GenerateDataKey", "GenerateDataKeyWithoutPlaintext"):
        seeds.recipe(operation, KeyId=sym_id, KeySpec="AES_256", EncryptionContext=CONTEXT)
        seeds.recipe(operation, KeyId="alias/seed-sym", NumberOfBytes=64, GrantTokens=[grant["GrantToken"]])
    for operation in ("GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext"):
        seeds.recipe(operation, KeyId=sym_id, KeyPairSpec="ECC_NIST_P256", EncryptionContext=CONTEXT)
        seeds.recipe(operation, KeyId=sym_id, KeyPairSpec="RSA_2048")
    seeds.recipe("Sign", KeyId=ecc_sign["KeyId"], Message=MESSAGE, SigningAlgorithm="ECDSA_SHA_256")
    seeds.recipe("Sign", KeyId=rsa_sign["KeyId"], Message=b"\0" * 32, MessageType="DIGEST",
                 SigningAlgorithm="RSASSA_PKCS1_V1_5_SHA_256")
    seeds.recipe("Verify", KeyId=ecc_sign["KeyId"], Message=MESSAGE, Signature=ecdsa, SigningAlgorithm="ECDSA_SHA_256")
    seeds.recipe("Verify", KeyId=rsa_sign["KeyId"], Message=MESSAGE, Signature=pss, SigningAlgorithm="RSASSA_PSS_SHA_256")
    seeds.recipe("GenerateMac", KeyId=hmac["KeyId"], Message=MESSAGE, MacAlgorithm="HMAC_SHA_256")
    seeds.recipe("VerifyMac", KeyId=hmac["KeyId"], Message=MESSAGE, Mac=mac, MacAlgorithm="HMAC_SHA_256")
    seeds.recipe("DeriveSharedSecret", KeyId=ecc_agree["KeyId"], KeyAgreementAlgorithm="ECDH", PublicKey=peer)
    seeds.recipe("GetPublicKey", KeyId=rsa_sign["KeyId"])
    seeds.recipe("ImportKeyMaterial", KeyId=external["KeyId"], ImportToken=params["ImportToken"],
                 EncryptedKeyMaterial=wrapped, ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE")
    seeds.recipe("ImportKeyMaterial", KeyId=external["KeyId"], ImportToken=params["ImportToken"],
                 EncryptedKeyMaterial=wrapped, ExpirationModel="KEY_MATERIAL_EXPIRES",
                 ValidTo=_dt.datetime.now(_dt.timezone.utc) + _dt.timedelta(days=30))
    seeds.recipe("GetParametersForImport", KeyId=external["KeyId"], WrappingAlgorithm="RSA_AES_KEY_WRAP_SHA_256",
                 WrappingKeySpec="RSA_3072")
    seeds.recipe("CreateGrant", KeyId=sym_id, GranteePrincipal=f"arn:aws:iam::{ACCOUNT}:role/app",
                 Operations=["Encrypt", "Decrypt"], Constraints={"EncryptionContextSubset": {"tenant": "42"}},
                 Name="seed-grant", RetiringPrincipal=f"arn:aws:iam::{ACCOUNT}:root")
    seeds.recipe("CreateGrant", KeyId=hmac["KeyId"], GranteeServicePrincipal="s3.amazonaws.com",
                 RetiringServicePrincipal="s3.amazonaws.com", Operations=["GenerateMac"],
                 Constraints={"SourceArn": f"arn:aws:s3:us-east-1:{ACCOUNT}:bucket"})
    seeds.recipe("RetireGrant", GrantToken=grant["GrantToken"])
    seeds.recipe("RetireGrant", KeyId=sym_id, GrantId=grant["GrantId"])
    seeds.recipe("RevokeGrant", KeyId=sym_id, GrantId=grant["GrantId"])
    seeds.recipe("CreateKey", KeySpec="RSA_3072", KeyUsage="SIGN_VERIFY", Tags=[{"TagKey": "a", "TagValue": "b"}])
    seeds.recipe("CreateKey", KeySpec="HMAC_384", KeyUsage="GENERATE_VERIFY_MAC", Policy=policy)
    seeds.recipe("CreateKey", Origin="EXTERNAL", MultiRegion=True, Description="x")
    seeds.recipe("CreateKey", Origin="AWS_CLOUDHSM", CustomKeyStoreId=hsm)
    seeds.recipe("CreateKey", Origin="EXTERNAL_KEY_STORE", CustomKeyStoreId=xks, XksKeyId="external-key-1")
    seeds.recipe("CreateCustomKeyStore", CustomKeyStoreName="another-hsm", CloudHsmClusterId="cluster-234567abcdefh",
                 TrustAnchorCertificate="-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
                 KeyStorePassword="kmsuser-password")
    seeds.recipe("CreateCustomKeyStore", CustomKeyStoreName="another-xks", CustomKeyStoreType="EXTERNAL_KEY_STORE",
                 XksProxyConnectivity="VPC_ENDPOINT_SERVICE", XksProxyUriEndpoint="https://private.example.com",
                 XksProxyUriPath="/other/kms/xks/v1",
                 XksProxyVpcEndpointServiceName="com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0",
                 XksProxyAuthenticationCredential={"AccessKeyId": "ABCDEFGHIJKLMNOPQRST",
                                                   "RawSecretAccessKey": "B" * 43})
    seeds.recipe("UpdateCustomKeyStore", CustomKeyStoreId=xks, NewCustomKeyStoreName="renamed",
                 XksProxyUriPath="/kms/xks/v2")
    seeds.recipe("ConnectCustomKeyStore", CustomKeyStoreId=hsm)
    seeds.recipe("ReplicateKey", KeyId=multi["KeyId"], ReplicaRegion="eu-west-1", Description="replica",
                 Tags=[{"TagKey": "r", "TagValue": "1"}])
    seeds.recipe("UpdatePrimaryRegion", KeyId=multi["KeyId"], PrimaryRegion="eu-west-1")
    seeds.recipe("EnableKeyRotation", KeyId=sym_id, RotationPeriodInDays=90)
    seeds.recipe("RotateKeyOnDemand", KeyId=sym2["KeyId"])
    seeds.recipe("ListKeyRotations", KeyId=sym_id, IncludeKeyMaterial="ALL_KEY_MATERIAL", Limit=1)
    seeds.recipe("PutKeyPolicy", KeyId=sym2["KeyId"], Policy=policy, PolicyName="default")
    seeds.recipe("ScheduleKeyDeletion", KeyId=sym2["KeyId"], PendingWindowInDays=7)
    seeds.recipe("TagResource", KeyId=sym_id, Tags=[{"TagKey": "k", "TagValue": "v"}])
    seeds.recipe("UntagResource", KeyId=sym2["KeyId"], TagKeys=["team"])
    seeds.recipe("CreateAlias", AliasName="alias/new-one", TargetKeyId=sym2["KeyId"])
    seeds.recipe("UpdateAlias", AliasName="alias/seed-sym", TargetKeyId=sym2["KeyId"])
    seeds.recipe("ListGrants", KeyId=sym_id, GrantId=grant["GrantId"], GranteePrincipal=f"arn:aws:iam::{ACCOUNT}:role/app")
    seeds.recipe("ListRetirableGrants", RetiringPrincipal=f"arn:aws:iam::{ACCOUNT}:root", Limit=1)
    seeds.recipe("ListAliases", KeyId=sym_id, Limit=1)
    seeds.recipe("GenerateRandom", NumberOfBytes=32)
    return seeds


class _MemoisedPool(keypairs.KeyPairPool):
    """A private key pool that makes each spec's key once: GenerateDataKeyPair takes a fresh
    pair for every call (RSA-4096 costs up to a second), and these tests check answers, not
    key freshness.  Installed only for this file's tests; its pairs never reach the real pool."""

    made: Dict[str, Any] = {}

    def __init__(self):
        super().__init__(generator=self._once)

    def _once(self, spec: str) -> Any:
        if spec not in self.made:
            self.made[spec] = keypairs.generate(spec)
        return self.made[spec]


@pytest.fixture
def seeded(kms, request):
    """A world with a few real keys of every kind, in the Region the test asks for (indirect parameter)."""
    real_pool = keypairs.POOL
    keypairs.POOL = _MemoisedPool()
    try:
        yield seed_world(make_client(getattr(request, "param", REGION)), kms)
    finally:
        kms.world.retire()                 # its pairs go back to the private pool, not the real one
        keypairs.POOL = real_pool


@pytest.fixture(scope="module")
def runner():
    """One worker thread runs each call, so a hang fails the test instead of stalling the run."""
    executor = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="hostile-call")
    yield executor
    executor.shutdown(wait=False)


# -- strategies from the shapes --------------------------------------------------------------

#: Characters that break naive code: controls, NUL, BOM, bidi overrides, line separators,
#: non-characters, astral code points (two UTF-16 units), combining marks, lone surrogates
#: (JSON's "\ud800": valid JSON, no valid UTF-8).
ODD_CHARACTERS = "\x00\x01\t\n\r\x1b\x7f\x80\x85\xa0\xad\xff\u0301\u200b\u200e\u202e\u2028\ufeff\ufffd\uffff" \
                 "\ud800\udbff\udc00\udfff\U0001f511\U0010ffff\u00e9\u4e2d\u00df%'\"\\/{}[]<>:*?"
ODD_TEXT = st.text(alphabet=st.one_of(st.sampled_from(ODD_CHARACTERS), st.characters()),
                   max_size=24)


def _sizes(low: Optional[int], high: Optional[int]) -> List[int]:
    sizes = {0, 1, 2}
    for bound in (low, high):
        if bound is not None:
            sizes |= {bound - 1, bound, bound + 1}
    sizes.add((high or 0) * 2 + 100)
    return sorted(s for s in sizes if 0 <= s <= 300_000)


def _repeated_text(low, high):
    # 'a' is one UTF-16 unit, the key emoji two: lengths land on both sides of each bound.
    return st.builds(lambda char, n: char * n, st.sampled_from(["a", " ", "\u00e9", "\U0001f511", "\x00"]),
                     st.sampled_from(_sizes(low, high)))


def string_strategy(shape) -> st.SearchStrategy:
    meta = shape.metadata
    low, high = meta.get("min"), meta.get("max")
    options = [ODD_TEXT, st.text(alphabet=st.characters(), max_size=40),
               _repeated_text(low, high)]
    if shape.enum:
        values = list(shape.enum)
        options += [st.sampled_from(values)] * 3
        options.append(st.sampled_from([v.lower() for v in values] + [v + " " for v in values] + [""]))
    pattern = meta.get("pattern")
    if pattern is not None:
        try:
            matching = st.from_regex(re.compile(pattern, re.ASCII), fullmatch=True)
            if high is not None:
                matching = matching.filter(lambda s: len(s) <= high)
            options += [matching, matching]
        except Exception:  # a Java pattern Python cannot generate from: the other options remain
            pass
    return st.one_of(options)


def integer_strategy(shape) -> st.SearchStrategy:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    options = [st.integers(-(2 ** 31) - 1, 2 ** 31 + 1),
               st.sampled_from([0, -1, 2 ** 31 - 1, 2 ** 31, 2 ** 63 - 1, 2 ** 63, -(2 ** 63) - 1, 2 ** 64, 10 ** 30])]
    if low is not None or high is not None:
        lo = (low if low is not None else 0) - 2
        hi = (high if high is not None else lo + 100) + 2
        options += [st.integers(lo, hi)] * 2
    return st.one_of(options)


def blob_strategy(shape) -> st.SearchStrategy:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    return st.one_of(st.binary(max_size=64), st.binary(min_size=1, max_size=4),
                     st.builds(lambda byte, n: byte * n, st.sampled_from([b"\0", b"\xff", b"\x01"]),
                               st.sampled_from(_sizes(low, high))))


TIMESTAMPS = st.one_of(
    st.datetimes(min_value=_dt.datetime(1, 1, 2), max_value=_dt.datetime(9999, 12, 30),
                 timezones=st.just(_dt.timezone.utc)),
    st.builds(lambda days: _dt.datetime.now(_dt.timezone.utc) + _dt.timedelta(days=days), st.integers(-400, 400)),
)


def _huge_list(member, sizes=(11, 51, 1001)):
    return st.builds(lambda item, n: [item] * n, member, st.sampled_from(sizes))


def _huge_map(value, sizes=(65, 1001)):
    return st.builds(lambda v, n: {f"key-{i}": v for i in range(n)}, value, st.sampled_from(sizes))


def shape_strategy(shape, seeds: Seeds, member: Optional[str] = None, depth: int = 0) -> st.SearchStrategy:
    """Values for ``shape`` (the value of ``member`` when it is a structure's member)."""
    generic = _generic(shape, seeds, depth)
    real = seeds.by_member.get(member or "")
    if real:
        return st.one_of(st.sampled_from(real), st.sampled_from(real), generic)
    return generic


def _generic(shape, seeds: Seeds, depth: int) -> st.SearchStrategy:
    kind = shape.type_name
    if kind == "structure":
        members = {name: shape_strategy(m, seeds, name, depth + 1) for name, m in shape.members.items()}
        required = set(shape.required_members)
        well_formed = st.fixed_dictionaries({n: s for n, s in members.items() if n in required},
                                            optional={n: s for n, s in members.items() if n not in required})
        anything = st.fixed_dictionaries({}, optional=members)       # required members may be missing
        return st.one_of(well_formed, well_formed, anything)
    if kind == "list":
        member = shape_strategy(shape.member, seeds, None, depth + 1)
        return st.one_of(st.lists(member, max_size=4), st.just([]), _huge_list(member))
    if kind == "map":
        keys = shape_strategy(shape.key, seeds, None, depth + 1)
        values = shape_strategy(shape.value, seeds, None, depth + 1)
        return st.one_of(st.dictionaries(keys, values, max_size=4), st.just({}), _huge_map(values))
    if kind == "string":
        return string_strategy(shape)
    if kind in ("integer", "long"):
        return integer_strategy(shape)
    if kind == "boolean":
        return st.booleans()
    if kind == "blob":
        return blob_strategy(shape)
    if kind == "timestamp":
        return TIMESTAMPS
    raise AssertionError(f"no strategy for {shape.name} ({kind})")


def valid_strategy(shape, seeds: Seeds, member: Optional[str] = None) -> st.SearchStrategy:
    """Values ``shape`` accepts (within length, range, pattern, enum), or real ones of the world."""
    real = seeds.by_member.get(member or "")
    if real:
        return st.sampled_from(real)
    meta = shape.metadata
    low, high = meta.get("min"), meta.get("max")
    kind = shape.type_name
    if kind == "structure":
        members = {name: valid_strategy(m, seeds, name) for name, m in shape.members.items()}
        required = set(shape.required_members)
        return st.fixed_dictionaries({n: s for n, s in members.items() if n in required},
                                     optional={n: s for n, s in members.items() if n not in required})
    if kind == "list":
        return st.lists(valid_strategy(shape.member, seeds), min_size=low or 0, max_size=min(high or 4, 4))
    if kind == "map":
        return st.dictionaries(valid_strategy(shape.key, seeds), valid_strategy(shape.value, seeds), max_size=3)
    if kind == "string":
        if shape.enum:
            return st.sampled_from(list(shape.enum))
        pattern = meta.get("pattern")
        if pattern is not None:
            try:
                return st.from_regex(re.compile(pattern, re.ASCII), fullmatch=True).filter(
                    lambda v: (low or 0) <= len(v) <= (high or 10 ** 6))
            except Exception:
                pass
        return st.text(alphabet=st.characters(exclude_categories=("Cs",)), min_size=low or 0,
                       max_size=max(low or 0, min(high or 30, 30)))
    if kind in ("integer", "long"):
        return st.integers(low if low is not None else -(2 ** 31), high if high is not None else 2 ** 31 - 1)
    if kind == "blob":
        return st.binary(min_size=low or 0, max_size=max(low or 0, min(high or 64, 64)))
    return _generic(shape, seeds, 0)


@st.composite
def _request(draw, members, required, recipes):
    """Mostly plausible requests, so the handlers behind validation are reached too: a request
    known to succeed or one of valid members, as it is or with one member hostile or missing;
    or every member hostile."""
    modes = ["valid", "one-bad", "one-bad", "chaos"] + (["recipe", "recipe-one-bad", "recipe-one-bad"]
                                                         if recipes else [])
    mode = draw(st.sampled_from(modes))
    params = {}
    if mode.startswith("recipe"):
        params = dict(draw(st.sampled_from(recipes)))
        for name, (valid, _) in members.items():
            if name not in params and draw(st.integers(0, 5)) == 0:
                params[name] = draw(valid)
    for name, (valid, hostile) in members.items():
        if mode == "chaos":
            if draw(st.booleans()):
                params[name] = draw(hostile)
        elif mode in ("valid", "one-bad") and (name in required or draw(st.integers(0, 2)) == 0):
            params[name] = draw(valid)                            # optional members: one in three
    if mode.endswith("one-bad") and members:
        name = draw(st.sampled_from(sorted(members)))
        if draw(st.booleans()):
            params.pop(name, None)
        else:
            params[name] = draw(members[name][1])
    return params


_REQUESTS: Dict[Tuple[str, int], st.SearchStrategy] = {}


def request_strategy(operation: str, seeds: Seeds) -> st.SearchStrategy:
    key = (operation, id(seeds))
    if key not in _REQUESTS:
        _REQUESTS.clear()
        shape = SERVICE.operation_model(operation).input_shape
        members = {name: (valid_strategy(m, seeds, name), shape_strategy(m, seeds, name))
                   for name, m in shape.members.items()}
        _REQUESTS[key] = _request(members, set(shape.required_members), seeds.recipes.get(operation, []))
    return _REQUESTS[key]


# -- sending and judging ---------------------------------------------------------------------

def send(runner, client, operation: str, params: dict) -> Tuple[Optional[dict], Optional[ClientError]]:
    """The call's result or ClientError; any other exception propagates; a hang fails."""
    future = runner.submit(getattr(client, xform_name(operation)), **params)
    try:
        return future.result(timeout=HANG_SECONDS), None
    except ClientError as error:
        return None, error
    except concurrent.futures.TimeoutError:
        pytest.fail(f"{operation} did not answer within {HANG_SECONDS} s: {_shown(params)}")


def _shown(params: Any, limit: int = 2000) -> str:
    text = repr(params)
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} characters)"


def check_answer(operation: str, params: dict, error: Optional[ClientError]) -> Optional[str]:
    """Fail on a 500 or a wrong status; return the code of an error the model does not list."""
    if error is None:
        return None                     # the conftest already checked the success's shape
    code = error.response["Error"]["Code"]
    message = error.response["Error"].get("Message", "")
    status = error.response["ResponseMetadata"]["HTTPStatusCode"]
    assert code != "KMSInternalException" and "mockkms internal error" not in message, \
        f"{operation} crashed inside the mock: {message}\nparams: {_shown(params)}"
    assert status == modelled_status(code), \
        f"{operation} answered {code} with HTTP {status}, not {modelled_status(code)}\nparams: {_shown(params)}"
    if code not in modelled_errors(operation) | COMMON_ERRORS:
        return code
    return None


# Not asserted on: what a run saw, for a look after a deeper run (how much got past validation,
# which codes AWS's model does not list for the operation).
UNMODELLED: Dict[str, set] = {}               # error code -> operations that answered it
OUTCOMES: Dict[Tuple[str, str], int] = {}     # (operation, error code or "success") -> how often


def _hostile_call(operation: str, seeds: Seeds, runner, data) -> None:
    params = data.draw(request_strategy(operation, seeds), label="params")
    result, error = send(runner, make_client(seeds.region, parameter_validation=False), operation, params)
    note(f"answer: {error.response['Error'] if error is not None else 'success'}")
    outcome = (operation, error.response["Error"]["Code"] if error is not None else "success")
    OUTCOMES[outcome] = OUTCOMES.get(outcome, 0) + 1
    unmodelled = check_answer(operation, params, error)
    if unmodelled is not None:
        UNMODELLED.setdefault(unmodelled, set()).add(operation)


@pytest.mark.parametrize("operation", OPERATIONS)
@HOSTILE
@given(data=st.data())
def test_every_operation_answers_hostile_parameters_like_a_service(operation, seeded, runner, data):
    _hostile_call(operation, seeded, runner, data)


@pytest.mark.parametrize("seeded", ["cn-north-1"], indirect=True)
@pytest.mark.parametrize("operation", OPERATIONS)
@settings(HOSTILE, max_examples=examples(25))
@given(data=st.data())
def test_every_operation_answers_hostile_parameters_in_china_like_a_service(operation, seeded, runner, data):
    """The same in the aws-cn partition, where SM2 keys and algorithms exist and ARNs differ."""
    _hostile_call(operation, seeded, runner, data)


def test_every_operation_of_the_model_is_fuzzed_and_has_a_handler():
    from mockkms.service import HANDLERS
    assert len(OPERATIONS) >= 53  # 54 with today's botocore; Python 3.9's botocore lacks GetKeyLastUsage
    assert set(OPERATIONS) <= set(HANDLERS)


# -- raw bodies botocore would never send ----------------------------------------------------

JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(2 ** 70), 2 ** 70), st.floats(allow_nan=False),
              ODD_TEXT, st.sampled_from(["", "AAAA", "=", "not base64!", "eA==", "9999999999999999999999"])),
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(ODD_TEXT, children, max_size=4)),
    max_leaves=12,
)


def _wrong_members(operation: str) -> st.SearchStrategy:
    """An object with the operation's real member names, holding JSON values of any type."""
    shape = SERVICE.operation_model(operation).input_shape
    names = list(shape.members) if shape is not None else ["X"]
    return st.dictionaries(st.sampled_from(names), JSON_VALUES, max_size=len(names))


def _bodies(operation: str) -> st.SearchStrategy:
    as_json = st.one_of(_wrong_members(operation), _wrong_members(operation), JSON_VALUES).map(
        lambda value: json.dumps(value).encode())
    raw = st.one_of(st.binary(max_size=64), st.sampled_from([
        b"", b"   ", b"{", b"}", b"[", b"null", b"NaN", b"Infinity", b"-Infinity", b'{"a": NaN}', b"\xff\xfe",
        b'{"KeyId": "\xff"}', b"[" * 100_000, b'{"KeyId": 1e999}', b'{"Limit": 1e400}', b'{"Limit": 3.0}',
        b'{"Limit": 3.5}', b'{"Limit": -0.0}', b'{"ValidTo": 1e20}', b'{"ValidTo": -1e20}', b'{"KeyId": "a"} x',
        b'\xef\xbb\xbf{}', b'{"KeyId": "\\u0000"}', b'{"KeyId": "\\uffff"}', b'{"Tags": [null, {}]}',
        b'{"EncryptionContext": {"a": null}}', b'{"GrantTokens": [null]}', b'{"KeyId": null}',
        b'{"KeyId": "\\ud800"}', b'{"EncryptionContext": {"\\udfff": "x"}}', b'{"Description": "\\udc00\\ud800"}',
    ]))
    return st.one_of(as_json, as_json, raw)


@pytest.mark.parametrize("operation", OPERATIONS)
@settings(max_examples=examples(12), deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_every_operation_answers_raw_bodies_like_a_service(operation, kms, data):
    body = data.draw(_bodies(operation), label="body")
    response = kms.answer(operation, body, REGION, None)
    assert response.error_code != "KMSInternalException", response.body[:500]
    if response.error_code is None:
        assert response.status == 200
        json.loads(response.body)
    else:
        assert response.status == modelled_status(response.error_code), response
        error = json.loads(response.body)
        assert error["__type"] == response.error_code


# -- lone surrogates -----------------------------------------------------------------------

def _string_paths(shape, path=()):
    """Paths to every string reachable in ``shape`` through structures (and maps, as key and value)."""
    kind = shape.type_name
    if kind == "string":
        yield path
    elif kind == "structure":
        for name, member in shape.members.items():
            yield from _string_paths(member, path + (name,))
    elif kind == "map":
        yield path + ("<map>",)
    elif kind == "list" and shape.member.type_name == "string":
        yield path + ("<list>",)


def _with_value(path, value):
    """The smallest parameters that put ``value`` at ``path``."""
    head, rest = path[0], path[1:]
    if head == "<map>":
        return {value: value}
    if head == "<list>":
        return [value]
    return {head: _with_value(rest, value) if rest else value}


def test_lone_surrogates_in_any_string_member_are_client_errors(runner, caplog):
    """JSON can carry a lone UTF-16 surrogate ("\\ud800"), and botocore sends one as given.
    Every operation must answer such a request with a 4xx, whatever member holds it."""
    caplog.set_level(logging.CRITICAL, logger="mockkms")      # one traceback per crash: the list says enough
    crashes = []
    with mock_kms():
        client = make_client(parameter_validation=False)
        for operation in OPERATIONS:
            shape = SERVICE.operation_model(operation).input_shape
            for path in _string_paths(shape):
                params = _with_value(path, "alias/a\ud800")
                _, error = send(runner, client, operation, params)
                if error is not None and error.response["Error"]["Code"] == "KMSInternalException":
                    crashes.append(f"{operation} {'.'.join(path)}: {error.response['Error']['Message']}")
    assert not crashes, f"{len(crashes)} requests crashed the mock, e.g.:\n" + "\n".join(crashes[:10])


def test_lone_surrogate_in_key_id_is_a_client_error(raw_client):
    """Minimal case of the test above: DescribeKey(KeyId="\\ud800")."""
    with pytest.raises(ClientError) as excinfo:
        raw_client.describe_key(KeyId="\ud800")
    error = excinfo.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400, error["Error"]
    assert error["Error"]["Code"] != "KMSInternalException", error["Error"]


@pytest.mark.parametrize("operation, body", [
    ("DescribeKey", b'{"KeyId": "\\ud800"}'),
    ("Encrypt", b'{"KeyId": "alias/x", "Plaintext": "eA==", "EncryptionContext": {"\\udfff": "v"}}'),
], ids=["key-id", "context-key"])
def test_lone_surrogate_in_a_raw_body_is_a_client_error(kms, operation, body):
    """The same, as JSON on the wire (what any SDK, not only botocore, may send)."""
    response = kms.answer(operation, body, REGION, None)
    assert (response.status, response.error_code) != (500, "KMSInternalException"), response.body
    assert response.status == 400


def test_lone_surrogate_in_encryption_context_is_not_a_500(raw_client):
    """Minimal case: Encrypt with EncryptionContext={"k": "\\udc00"} on a real key: refused
    with a 4xx, or accepted, and then the same context decrypts the ciphertext."""
    key = raw_client.create_key()["KeyMetadata"]["KeyId"]
    context = {"k": "\udc00"}
    try:
        blob = raw_client.encrypt(KeyId=key, Plaintext=b"x", EncryptionContext=context)["CiphertextBlob"]
    except ClientError as refused:
        error = refused.response
        assert error["ResponseMetadata"]["HTTPStatusCode"] == 400, error["Error"]
        return
    assert raw_client.decrypt(CiphertextBlob=blob, EncryptionContext=context)["Plaintext"] == b"x"
    with pytest.raises(ClientError) as other_context:
        raw_client.decrypt(CiphertextBlob=blob, EncryptionContext={"k": "\udc01"})
    assert other_context.value.response["Error"]["Code"] == "InvalidCiphertextException"


# -- tampered and foreign ciphertexts ------------------------------------------------------

REJECTIONS = {"InvalidCiphertextException", "IncorrectKeyException", "AccessDeniedException",
              "ValidationException", "NotFoundException", "InvalidKeyUsageException"}


def _flip(blob: bytes, position: int, bit: int) -> bytes:
    i = position % len(blob)
    return blob[:i] + bytes([blob[i] ^ (1 << bit)]) + blob[i + 1:]


@st.composite
def tampered(draw, seeds: Seeds):
    """(description, Decrypt parameters) for a ciphertext that must not decrypt."""
    kind = draw(st.sampled_from(["random", "flip", "flips", "truncate", "extend", "other-context",
                                 "missing-context", "extra-context", "foreign", "rsa-flip", "rsa-truncate",
                                 "splice"]))
    blob, context = seeds.blob, dict(CONTEXT)
    params: Dict[str, Any] = {}
    if kind == "random":
        blob = draw(st.binary(min_size=1, max_size=400))
    elif kind == "flip":
        blob = _flip(blob, draw(st.integers(0, len(blob) - 1)), draw(st.integers(0, 7)))
    elif kind == "flips":
        for position in draw(st.lists(st.integers(0, len(blob) - 1), min_size=2, max_size=8, unique=True)):
            blob = _flip(blob, position, draw(st.integers(0, 7)))
    elif kind == "truncate":
        blob = blob[:draw(st.integers(1, len(blob) - 1))]
    elif kind == "extend":
        blob = blob + draw(st.binary(min_size=1, max_size=32))
    elif kind == "other-context":
        context = draw(st.dictionaries(st.text(min_size=1, max_size=8), st.text(max_size=8), min_size=1, max_size=3))
        if context == CONTEXT:
            context["extra"] = "x"
    elif kind == "missing-context":
        context = {}
    elif kind == "extra-context":
        context = dict(CONTEXT, extra=draw(st.text(max_size=8)))
    elif kind == "foreign":
        blob, context = seeds.foreign_blob, {}
    elif kind in ("rsa-flip", "rsa-truncate"):
        blob = seeds.rsa_blob
        if kind == "rsa-flip":
            blob = _flip(blob, draw(st.integers(0, len(blob) - 1)), draw(st.integers(0, 7)))
        else:
            blob = blob[:draw(st.integers(1, len(blob) - 1))]
        context = {}
        params = {"KeyId": seeds.rsa_key, "EncryptionAlgorithm": "RSAES_OAEP_SHA_256"}
    elif kind == "splice":       # the header of one ciphertext, the body of another
        other = draw(st.sampled_from(seeds.by_member["CiphertextBlob"][1:4]))
        cut = draw(st.integers(1, min(len(blob), len(other)) - 1))
        blob = blob[:cut] + other[cut:]
        if blob == seeds.blob:
            blob = blob[:-1]
    params["CiphertextBlob"] = blob
    if context:
        params["EncryptionContext"] = context
    if draw(st.booleans()) and "KeyId" not in params:
        params["KeyId"] = draw(st.sampled_from([seeds.sym_key, "alias/seed-sym"]))
    return kind, params


@settings(max_examples=examples(300), deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_tampered_or_foreign_ciphertexts_never_decrypt(seeded, raw_client, runner, data):
    kind, params = data.draw(tampered(seeded), label="tampered")
    for operation, call in (("Decrypt", params), ("ReEncrypt", _as_re_encrypt(params, seeded))):
        result, error = send(runner, raw_client, operation, call)
        assert error is not None, f"{operation} accepted a {kind} ciphertext: {result!r}"
        code = error.response["Error"]["Code"]
        assert code in REJECTIONS, (kind, code, error.response["Error"].get("Message"))
        assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def _as_re_encrypt(params: dict, seeds: Seeds) -> dict:
    renamed = {"CiphertextBlob": "CiphertextBlob", "EncryptionContext": "SourceEncryptionContext",
               "KeyId": "SourceKeyId", "EncryptionAlgorithm": "SourceEncryptionAlgorithm"}
    call = {renamed[name]: value for name, value in params.items()}
    call["DestinationKeyId"] = seeds.sym_key
    return call


def test_the_untampered_seed_ciphertexts_do_decrypt(seeded, raw_client):
    """The control for the test above: the same calls succeed when nothing was changed."""
    answer = raw_client.decrypt(CiphertextBlob=seeded.blob, EncryptionContext=CONTEXT)
    assert answer["Plaintext"] == PLAINTEXT
    answer = raw_client.decrypt(CiphertextBlob=seeded.rsa_blob, KeyId=seeded.rsa_key,
                                EncryptionAlgorithm="RSAES_OAEP_SHA_256")
    assert answer["Plaintext"] == PLAINTEXT
    assert raw_client.re_encrypt(CiphertextBlob=seeded.blob, SourceEncryptionContext=CONTEXT,
                                 DestinationKeyId=seeded.sym_key)["CiphertextBlob"]


# -- the network guard -----------------------------------------------------------------------

def test_a_raw_socket_connect_is_refused_by_the_no_network_guard():
    """conftest's autouse guard replaces socket connects for every test: a raw attempt fails
    loudly with NetworkUsed, before any packet leaves (port 9 on localhost is never reached)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as raw:
        with pytest.raises(NetworkUsed):
            raw.connect(("127.0.0.1", 9))
        with pytest.raises(NetworkUsed):
            raw.connect_ex(("127.0.0.1", 9))
    with pytest.raises(NetworkUsed):
        socket.create_connection(("kms.us-east-1.amazonaws.com", 443), timeout=1)


# -- policy documents: accepted ones must evaluate without crashing --------------------------
#
# Key policies and identity policies are parsed when set and evaluated on every call.  A
# document the mock accepts must never make a later call crash, whatever its conditions
# compare with what a caller sends (encryption context, tags, aliases, ...).

CONDITION_OPERATORS = [
    "StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "StringLike",
    "StringNotLike", "NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals",
    "NumericGreaterThan", "NumericGreaterThanEquals", "DateEquals", "DateNotEquals", "DateLessThan",
    "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals", "Bool", "ArnEquals", "ArnNotEquals",
    "ArnLike", "ArnNotLike", "Null", "BinaryEquals", "IpAddress", "stringequals",
]
CONDITION_KEYS = [
    "aws:CurrentTime", "aws:EpochTime", "aws:PrincipalArn", "aws:PrincipalAccount", "aws:PrincipalType",
    "aws:SecureTransport", "aws:ResourceTag/team", "aws:RequestTag/team", "aws:TagKeys", "kms:CallerAccount",
    "kms:EncryptionContext:when", "kms:EncryptionContext:tenant", "kms:EncryptionContextKeys",
    "kms:EncryptionAlgorithm", "kms:GrantOperations", "kms:GranteePrincipal", "kms:GrantIsForAWSResource",
    "kms:KeySpec", "kms:KeyUsage", "kms:KeyOrigin", "kms:MultiRegion", "kms:RequestAlias",
    "kms:ResourceAliases", "kms:ViaService", "kms:BypassPolicyLockoutSafetyCheck", "KMS:ENCRYPTIONCONTEXT:WHEN",
    "unknown:key",
]
# Values that are not timestamps datetime can hold ("1e20", "nan", "inf", -1e20, ...) and empty
# value lists crash the evaluation today: test_date_condition_* and test_null_condition_* below
# show them one by one; they are left out here so that this test looks for anything else.
def _no_date_holds(value: Any) -> bool:
    """Whether ``value`` reads as a number that is no datetime (see the comment above)."""
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return False
    return not -6.2e10 < number < 2.5e11          # also true for nan


CONDITION_SCALARS = st.one_of(
    st.text(max_size=12).filter(lambda v: not _no_date_holds(v)), ODD_TEXT.filter(lambda v: not _no_date_holds(v)),
    st.sampled_from(["2020-01-01T00:00:00Z", "2099-12-31", "2026-11-28T12:00:00+02:00", "1700000000", "true",
                     "false", "TRUE", "0", "-1", "1.5", "123456789012", "arn:aws:iam::123456789012:root",
                     "arn:aws:iam::123456789012:role/*", "*", "?", "alias/*", "SYMMETRIC_DEFAULT", "Encrypt",
                     "s3.us-east-1.amazonaws.com", "", " "]),
    st.integers(-(10 ** 9), 10 ** 9), st.floats(min_value=-1e9, max_value=1e9), st.booleans(), st.none(),
)
CONDITION_VALUES = st.one_of(CONDITION_SCALARS, st.lists(CONDITION_SCALARS, min_size=1, max_size=3),
                             st.dictionaries(st.text(max_size=4), CONDITION_SCALARS, max_size=2))
CONDITIONS = st.dictionaries(
    st.builds(lambda prefix, operator, suffix: prefix + operator + suffix,
              st.sampled_from(["", "", "ForAnyValue:", "ForAllValues:"]), st.sampled_from(CONDITION_OPERATORS),
              st.sampled_from(["", "", "IfExists"])),
    st.dictionaries(st.sampled_from(CONDITION_KEYS), CONDITION_VALUES, min_size=1, max_size=3),
    min_size=1, max_size=3)
ROLE = f"arn:aws:iam::{ACCOUNT}:role/app"
OTHER_ROLE = "arn:aws:iam::111122223333:role/partner"
PRINCIPAL_NAMES = st.sampled_from([f"arn:aws:iam::{ACCOUNT}:root", ACCOUNT, ROLE, OTHER_ROLE, "111122223333", "*",
                                   f"arn:aws:sts::{ACCOUNT}:assumed-role/app/s", "arn:aws:iam::bad", "", 7])
PRINCIPALS = st.one_of(
    st.just("*"), st.fixed_dictionaries({"AWS": st.one_of(PRINCIPAL_NAMES, st.lists(PRINCIPAL_NAMES, max_size=3))}),
    st.fixed_dictionaries({"Service": st.sampled_from(["s3.amazonaws.com", ["a", "b"]])}),
    st.sampled_from([{}, [], None, 1, "root", {"AWS": []}, {"aws": "*"}]))
ACTION_NAMES = st.sampled_from(["kms:*", "kms:Encrypt", "kms:Decrypt", "kms:Describe*", "kms:*Grant*", "*",
                                "kms:encrypt", "kms:Re*", "s3:*", "", "kms:?ncrypt", 3])
ACTIONS = st.one_of(ACTION_NAMES, st.lists(ACTION_NAMES, max_size=3))
RESOURCES = st.one_of(st.sampled_from(["*", "arn:aws:kms:*:*:key/*", "arn:aws:kms:us-east-1:123456789012:alias/*",
                                       "", "key/*", 0, None]),
                      st.lists(st.sampled_from(["*", "arn:aws:kms:*"]), max_size=2))
STATEMENTS = st.fixed_dictionaries(
    {"Effect": st.sampled_from(["Allow", "Deny", "Allow", "Deny", "allow", "", 1])},
    optional={"Sid": st.text(max_size=8), "Principal": PRINCIPALS, "NotPrincipal": PRINCIPALS, "Action": ACTIONS,
              "NotAction": ACTIONS, "Resource": RESOURCES, "NotResource": RESOURCES,
              "Condition": st.one_of(CONDITIONS, CONDITIONS, st.sampled_from([{}, [], "x", {"StringEquals": []}]))})
ROOT_ALLOWED = {"Sid": "root", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                "Action": "kms:*", "Resource": "*"}
KEY_POLICIES = st.builds(
    lambda keep_root, statements, version: {"Version": version,
                                            "Statement": ([ROOT_ALLOWED] if keep_root else []) + statements},
    st.booleans(), st.lists(STATEMENTS, min_size=1, max_size=3), st.sampled_from(["2012-10-17", "2008-10-17", "x"]))
IDENTITY_POLICIES = st.builds(
    lambda statements: {"Version": "2012-10-17", "Statement": [
        {k: v for k, v in s.items() if k not in ("Principal", "NotPrincipal")} for s in statements]},
    st.lists(STATEMENTS, min_size=1, max_size=2))
CONTEXT_VALUES = st.one_of(
    st.text(max_size=10).filter(lambda v: not _no_date_holds(v)),
    st.sampled_from(["2020-01-01T00:00:00Z", "1700000000", "true", "42", "-3.5", "arn:aws:iam::123456789012:root", ""]))
REQUEST_CONTEXTS = st.dictionaries(st.sampled_from(["when", "tenant", "When", "x"]), CONTEXT_VALUES, max_size=3)


def _wire(value: Any) -> Any:
    """A parameter as JSON 1.1 carries it (blobs in base64)."""
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, dict):
        return {k: _wire(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_wire(v) for v in value]
    return value


def answer(mock, operation: str, params: dict, credentials: Optional[dict] = None) -> Tuple[int, Optional[str], dict]:
    """(status, error code, JSON body) of one call, as the caller with ``credentials`` (None: root)."""
    access_key = credentials["aws_access_key_id"] if credentials else None
    response = mock.answer(operation, json.dumps(_wire(params)).encode(), REGION, access_key)
    body = json.loads(response.body) if response.body else (response.result or {})
    assert response.error_code != "KMSInternalException", f"{operation} crashed: {body}"
    assert response.status == (200 if response.error_code is None else modelled_status(response.error_code))
    return response.status, response.error_code, body


@settings(max_examples=examples(150), deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(key_policy=KEY_POLICIES, identity_policy=IDENTITY_POLICIES, context=REQUEST_CONTEXTS,
       bypass=st.booleans(), second=KEY_POLICIES)
def test_any_accepted_policy_evaluates_without_crashing(key_policy, identity_policy, context, bypass, second):
    with mock_kms() as mock:
        try:
            mock.allow(ROLE, identity_policy)
        except ValueError:
            pass                                  # refused by the Python API, as documented
        try:
            mock.allow(OTHER_ROLE, identity_policy)
        except ValueError:
            pass
        callers = [None, mock.credentials(ROLE), mock.credentials(OTHER_ROLE),
                   mock.credentials(f"arn:aws:sts::{ACCOUNT}:assumed-role/app/s")]
        status, _, body = answer(mock, "CreateKey", {"Policy": json.dumps(key_policy),
                                                     "BypassPolicyLockoutSafetyCheck": bypass,
                                                     "Tags": [{"TagKey": "team", "TagValue": "a"}]})
        if status != 200:
            status, _, body = answer(mock, "CreateKey", {"Tags": [{"TagKey": "team", "TagValue": "a"}]})
        key_arn = body["KeyMetadata"]["Arn"]
        answer(mock, "CreateAlias", {"AliasName": "alias/fuzzed", "TargetKeyId": key_arn})
        answer(mock, "PutKeyPolicy", {"KeyId": key_arn, "Policy": json.dumps(second),
                                      "BypassPolicyLockoutSafetyCheck": not bypass})
        for caller in callers:
            for key in (key_arn, "alias/fuzzed"):
                status, _, body = answer(mock, "Encrypt",
                                         {"KeyId": key, "Plaintext": b"x", "EncryptionContext": context}, caller)
                if status == 200:
                    answer(mock, "Decrypt", {"CiphertextBlob": base64.b64decode(body["CiphertextBlob"]),
                                             "EncryptionContext": context}, caller)
            answer(mock, "DescribeKey", {"KeyId": key_arn}, caller)
            answer(mock, "CreateGrant", {"KeyId": key_arn, "GranteePrincipal": ROLE, "Operations": ["Decrypt"],
                                         "Constraints": {"EncryptionContextSubset": context}}, caller)
            answer(mock, "TagResource", {"KeyId": key_arn, "Tags": [{"TagKey": "team", "TagValue": "b"}]}, caller)
            answer(mock, "CreateKey", {"Tags": [{"TagKey": "team", "TagValue": "c"}]}, caller)
            answer(mock, "ListKeys", {}, caller)


def _policy_with(condition: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [ROOT_ALLOWED, {
        "Sid": "conditional", "Effect": "Deny", "Principal": "*", "Action": "kms:Encrypt", "Resource": "*",
        "Condition": condition}]})


def _encrypt_under(raw_client, condition: dict, context: dict):
    """Put a key policy with ``condition``, then Encrypt with ``context``: (policy accepted?, answer)."""
    key = raw_client.create_key()["KeyMetadata"]["KeyId"]
    try:
        raw_client.put_key_policy(KeyId=key, PolicyName="default", Policy=_policy_with(condition))
    except ClientError as refused:            # refusing such a policy up front would be fine too
        assert refused.response["Error"]["Code"] == "MalformedPolicyDocumentException"
        return False, None
    try:
        return True, raw_client.encrypt(KeyId=key, Plaintext=b"x", EncryptionContext=context)
    except ClientError as error:
        return True, error.response


@pytest.mark.parametrize("context_value", ["1e20", "-1e20", "nan", "inf"])
def test_date_condition_against_a_caller_supplied_context_value_is_not_a_500(raw_client, context_value):
    """A valid key policy compares an encryption-context value as a date; the caller sends one
    that is a number no datetime holds.  Today: 500 KMSInternalException (OverflowError /
    ValueError from datetime.fromtimestamp in conditions._as_date); AWS: the condition just
    does not match."""
    _, answer_ = _encrypt_under(raw_client, {"DateGreaterThan": {"kms:EncryptionContext:when": "2020-01-01T00:00:00Z"}},
                                {"when": context_value})
    error = answer_.get("Error", {}) if isinstance(answer_, dict) else {}
    assert error.get("Code") != "KMSInternalException", error


@pytest.mark.parametrize("policy_value", ["1e20", "nan", "-inf", 1e300])
def test_date_condition_with_a_number_no_date_holds_is_not_a_500(raw_client, policy_value):
    """The same with the impossible number in the policy: PutKeyPolicy accepts it, and then
    every Encrypt evaluating the statement answers 500."""
    _, answer_ = _encrypt_under(raw_client, {"DateLessThan": {"aws:CurrentTime": policy_value}}, {})
    error = answer_.get("Error", {}) if isinstance(answer_, dict) else {}
    assert error.get("Code") != "KMSInternalException", error


def test_null_condition_with_an_empty_value_list_is_not_a_500(raw_client):
    """{"Null": {"kms:EncryptionContext:x": []}} is accepted by PutKeyPolicy; evaluating it
    raises IndexError (conditions._key_holds reads expected[0]): every Encrypt answers 500."""
    _, answer_ = _encrypt_under(raw_client, {"Null": {"kms:EncryptionContext:x": []}}, {"x": "y"})
    error = answer_.get("Error", {}) if isinstance(answer_, dict) else {}
    assert error.get("Code") != "KMSInternalException", error


def test_string_like_with_many_wildcards_answers_promptly(raw_client):
    """IAM wildcards are matched by a regex with one ".*" per "*": a pattern with many of them
    against a long caller-supplied value backtracks exponentially (10 wildcards, 40 characters:
    ~14 s; a few more and the test run hangs).  A glob match should take microseconds."""
    pattern = "*a" * 9 + "*b"
    key = raw_client.create_key()["KeyMetadata"]["KeyId"]
    raw_client.put_key_policy(KeyId=key, PolicyName="default", Policy=_policy_with(
        {"StringLike": {"kms:EncryptionContext:tenant": pattern}}))
    started = time.perf_counter()
    raw_client.encrypt(KeyId=key, Plaintext=b"x", EncryptionContext={"tenant": "a" * 36})
    elapsed = time.perf_counter() - started
    assert elapsed < 0.25, f"one Encrypt took {elapsed:.2f} s to match {pattern!r}"


# -- hostile sequences: any order of lifecycle calls and clock moves --------------------------
#
# Deletion windows, rotations, material expiry, replicas and custom key stores all change
# keys behind the caller's back when the clock moves.  Whatever order calls and clock moves
# come in, every answer is a success or a modelled 4xx, and what the mock says stays
# consistent: a ciphertext of a key DescribeKey calls Enabled decrypts, aliases name keys
# ListKeys lists.

from hypothesis.stateful import (Bundle, RuleBasedStateMachine, initialize, invariant, multiple,  # noqa: E402
                                 rule, run_state_machine_as_test)

SECOND_REGION = "eu-west-1"
ALIAS_NAMES = ["alias/seq-a", "alias/seq-b", "alias/seq-c"]
KEY_KINDS = {
    "symmetric": {},
    "multi-region": {"MultiRegion": True},
    "external": {"Origin": "EXTERNAL"},
    "external-multi-region": {"Origin": "EXTERNAL", "MultiRegion": True},
    "hmac": {"KeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC"},
    "ecc": {"KeySpec": "ECC_NIST_P256", "KeyUsage": "SIGN_VERIFY"},
    "rsa": {"KeySpec": "RSA_2048", "KeyUsage": "ENCRYPT_DECRYPT"},
}
EXPECTED_DECRYPT_FAILURES = {"DisabledException", "KMSInvalidStateException", "NotFoundException",
                             "AccessDeniedException", "KeyUnavailableException", "InvalidKeyUsageException"}


class KeyLifecycles(RuleBasedStateMachine):
    keys = Bundle("keys")
    ciphertexts = Bundle("ciphertexts")
    grants = Bundle("grants")

    def __init__(self):
        super().__init__()
        self.mock = mock_kms().start()
        self.client = make_client(REGION, parameter_validation=False)
        self.other = make_client(SECOND_REGION, parameter_validation=False)
        self.materials: Dict[str, bytes] = {}        # key id -> the material imported into it
        self.stores: List[str] = []

    def teardown(self):
        self.mock.stop()

    def call(self, operation: str, client=None, **params) -> Tuple[Optional[dict], Optional[str]]:
        if operation not in SERVICE.operation_names:  # an older botocore model
            return None, None
        try:
            return getattr(client or self.client, xform_name(operation))(**params), None
        except ClientError as error:
            code = error.response["Error"]["Code"]
            assert code != "KMSInternalException", f"{operation}({_shown(params)}): {error.response['Error']}"
            assert error.response["ResponseMetadata"]["HTTPStatusCode"] == modelled_status(code)
            return None, code

    # -- making things ------------------------------------------------------------------------
    @initialize(target=keys, kinds=st.lists(st.sampled_from(sorted(KEY_KINDS)), min_size=1, max_size=4))
    def some_keys(self, kinds):
        return multiple(*(self.create_key(kind) for kind in kinds))

    @initialize()
    def a_custom_key_store(self):
        result, _ = self.call("CreateCustomKeyStore", CustomKeyStoreName="seq-xks", CustomKeyStoreType="EXTERNAL_KEY_STORE",
                              XksProxyConnectivity="PUBLIC_ENDPOINT", XksProxyUriEndpoint="https://xks.example.com",
                              XksProxyUriPath="/kms/xks/v1",
                              XksProxyAuthenticationCredential={"AccessKeyId": "ABCDEFGHIJKLMNOPQRST",
                                                                "RawSecretAccessKey": "A" * 43})
        self.stores.append(result["CustomKeyStoreId"])

    @rule(target=keys, kind=st.sampled_from(sorted(KEY_KINDS)))
    def create_key(self, kind):
        result, code = self.call("CreateKey", **KEY_KINDS[kind])
        assert code is None, code
        return result["KeyMetadata"]["KeyId"]

    @rule(target=keys, xks_key=st.sampled_from(["ext-1", "ext-2"]))
    def create_key_in_store(self, xks_key):
        result, _ = self.call("CreateKey", Origin="EXTERNAL_KEY_STORE", CustomKeyStoreId=self.stores[0], XksKeyId=xks_key)
        return result["KeyMetadata"]["KeyId"] if result else multiple()

    @rule(key=keys, days=st.one_of(st.none(), st.integers(1, 400)), algorithm=st.sampled_from(
        ["RSAES_OAEP_SHA_256", "RSA_AES_KEY_WRAP_SHA_256"]))
    def import_material(self, key, days, algorithm):
        params, code = self.call("GetParametersForImport", KeyId=key, WrappingAlgorithm=algorithm,
                                 WrappingKeySpec="RSA_2048")
        if code is not None:
            return
        material = self.materials.setdefault(key, os.urandom(32))
        public = serialization.load_der_public_key(params["PublicKey"])
        oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
        if algorithm == "RSAES_OAEP_SHA_256":
            wrapped = public.encrypt(material, oaep)
        else:
            from cryptography.hazmat.primitives.keywrap import aes_key_wrap_with_padding
            aes = os.urandom(32)
            wrapped = public.encrypt(aes, oaep) + aes_key_wrap_with_padding(aes, material)
        expiry = ({"ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"} if days is None else
                  {"ExpirationModel": "KEY_MATERIAL_EXPIRES",
                   "ValidTo": self.mock.clock.now() + _dt.timedelta(days=days)})
        self.call("ImportKeyMaterial", KeyId=key, ImportToken=params["ImportToken"], EncryptedKeyMaterial=wrapped, **expiry)

    @rule(key=keys)
    def delete_imported_material(self, key):
        self.call("DeleteImportedKeyMaterial", KeyId=key)

    # -- crypto ---------------------------------------------------------------------------------
    @rule(target=ciphertexts, key=keys, plaintext=st.binary(min_size=1, max_size=32),
          context=st.dictionaries(st.sampled_from(["a", "b"]), st.text(max_size=4), max_size=2))
    def encrypt(self, key, plaintext, context):
        params = {"KeyId": key, "Plaintext": plaintext}
        if context:
            params["EncryptionContext"] = context
        result, _ = self.call("Encrypt", **params)
        if result is None:
            return multiple()
        return (result["CiphertextBlob"], plaintext, context, key)

    @rule(sealed=ciphertexts)
    def decrypt(self, sealed):
        blob, plaintext, context, key = sealed
        params = {"CiphertextBlob": blob}
        if context:
            params["EncryptionContext"] = context
        if self._spec(key) != "SYMMETRIC_DEFAULT":
            params.update(KeyId=key, EncryptionAlgorithm="RSAES_OAEP_SHA_1")
        result, code = self.call("Decrypt", **params)
        state = self._state(key)
        if result is not None:
            assert result["Plaintext"] == plaintext
        elif state == "Enabled" or state == "Updating":
            pytest.fail(f"a ciphertext of {key} ({state}) does not decrypt: {code}")
        else:
            assert code in EXPECTED_DECRYPT_FAILURES, (state, code)

    @rule(sealed=ciphertexts, destination=keys)
    def re_encrypt(self, sealed, destination):
        blob, _, context, key = sealed
        if self._spec(key) == "SYMMETRIC_DEFAULT":
            params = {"CiphertextBlob": blob, "DestinationKeyId": destination}
            if context:
                params["SourceEncryptionContext"] = context
            self.call("ReEncrypt", **params)

    @rule(key=keys)
    def sign_or_mac(self, key):
        self.call("Sign", KeyId=key, Message=b"m", SigningAlgorithm="ECDSA_SHA_256")
        self.call("GenerateMac", KeyId=key, Message=b"m", MacAlgorithm="HMAC_SHA_256")
        self.call("GenerateDataKey", KeyId=key, NumberOfBytes=16)

    # -- lifecycle ------------------------------------------------------------------------------
    @rule(key=keys, days=st.integers(7, 30))
    def schedule_deletion(self, key, days):
        self.call("ScheduleKeyDeletion", KeyId=key, PendingWindowInDays=days)

    @rule(key=keys)
    def cancel_deletion(self, key):
        self.call("CancelKeyDeletion", KeyId=key)

    @rule(key=keys, enable=st.booleans())
    def enable_or_disable(self, key, enable):
        self.call("EnableKey" if enable else "DisableKey", KeyId=key)

    @rule(key=keys, period=st.sampled_from([90, 91, 365]))
    def enable_rotation(self, key, period):
        self.call("EnableKeyRotation", KeyId=key, RotationPeriodInDays=period)

    @rule(key=keys)
    def rotate_now(self, key):
        self.call("RotateKeyOnDemand", KeyId=key)
        self.call("ListKeyRotations", KeyId=key, IncludeKeyMaterial="ALL_KEY_MATERIAL")
        self.call("GetKeyRotationStatus", KeyId=key)

    @rule(key=keys, back=st.booleans())
    def multi_region(self, key, back):
        self.call("ReplicateKey", KeyId=key, ReplicaRegion=SECOND_REGION)
        if back:
            self.call("UpdatePrimaryRegion", client=self.other, KeyId=key, PrimaryRegion=REGION)
        else:
            self.call("UpdatePrimaryRegion", KeyId=key, PrimaryRegion=SECOND_REGION)
        self.call("ScheduleKeyDeletion", client=self.other, KeyId=key, PendingWindowInDays=7)

    @rule(connect=st.booleans())
    def custom_key_store(self, connect):
        operation = "ConnectCustomKeyStore" if connect else "DisconnectCustomKeyStore"
        self.call(operation, CustomKeyStoreId=self.stores[0])
        self.call("DescribeCustomKeyStores")

    @rule()
    def delete_custom_key_store(self):
        self.call("DeleteCustomKeyStore", CustomKeyStoreId=self.stores[0])

    @rule(days=st.one_of(st.integers(0, 400), st.sampled_from([7, 30, 90, 365])), seconds=st.integers(0, 10))
    def advance_clock(self, days, seconds):
        self.mock.clock.advance(days=days, seconds=seconds)

    @rule(name=st.sampled_from(ALIAS_NAMES), key=keys, how=st.sampled_from(["CreateAlias", "UpdateAlias", "DeleteAlias"]))
    def alias(self, name, key, how):
        if how == "DeleteAlias":
            self.call(how, AliasName=name)
        else:
            self.call(how, AliasName=name, TargetKeyId=key)
        self.call("Encrypt", KeyId=name, Plaintext=b"via alias")

    @rule(target=grants, key=keys)
    def create_grant(self, key):
        result, _ = self.call("CreateGrant", KeyId=key, GranteePrincipal=ROLE,
                              RetiringPrincipal=f"arn:aws:iam::{ACCOUNT}:root",
                              Operations=["Decrypt", "Encrypt", "DescribeKey"])
        return (key, result["GrantId"], result["GrantToken"]) if result else multiple()

    @rule(grant=grants, how=st.sampled_from(["token", "id", "revoke"]))
    def end_grant(self, grant, how):
        key, grant_id, token = grant
        if how == "token":
            self.call("RetireGrant", GrantToken=token)
        elif how == "id":
            self.call("RetireGrant", KeyId=key, GrantId=grant_id)
        else:
            self.call("RevokeGrant", KeyId=key, GrantId=grant_id)
        self.call("ListGrants", KeyId=key)

    @rule(key=keys)
    def tags_and_reads(self, key):
        self.call("TagResource", KeyId=key, Tags=[{"TagKey": "t", "TagValue": "v"}])
        self.call("UntagResource", KeyId=key, TagKeys=["t"])
        self.call("GetKeyLastUsage", KeyId=key)
        self.call("GetPublicKey", KeyId=key)
        self.call("ListResourceTags", KeyId=key)

    # -- what must hold after every step ---------------------------------------------------------
    @invariant()
    def aliases_name_listed_keys(self):
        keys, _ = self.call("ListKeys", Limit=1000)
        aliases, _ = self.call("ListAliases", Limit=100)
        listed = {k["KeyId"] for k in keys["Keys"]}
        for alias in aliases["Aliases"]:
            if "TargetKeyId" in alias and not alias["AliasName"].startswith("alias/aws/"):
                assert alias["TargetKeyId"] in listed, alias

    def _describe(self, key) -> Optional[dict]:
        result, _ = self.call("DescribeKey", KeyId=key)
        return result["KeyMetadata"] if result else None

    def _state(self, key) -> Optional[str]:
        metadata = self._describe(key)
        return metadata["KeyState"] if metadata else None

    def _spec(self, key) -> Optional[str]:
        metadata = self._describe(key)
        return metadata["KeySpec"] if metadata else None


def test_hostile_sequences_of_lifecycle_calls_and_clock_moves():
    run_state_machine_as_test(KeyLifecycles, settings=settings(
        max_examples=examples(25), stateful_step_count=30, deadline=None, database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))
