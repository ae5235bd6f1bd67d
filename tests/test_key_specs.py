"""Key specs and the operations of non-symmetric keys: CreateKey for every KeySpec x KeyUsage,
the SM2 Region rule, GetPublicKey, GenerateMac / VerifyMac, DeriveSharedSecret.

Expected values are written out here from the spec (key-specs.md §1, §5-7, operations.md §2)
and from recorded AWS responses (aws-reference/errors.md rows, LocalStack snapshots), never
read back from mockkms' own tables.
"""
from __future__ import annotations

import functools
import hashlib
import hmac

import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from conftest import ACCOUNT, REGION, error_of, make_client

try:
    from cryptography.hazmat.primitives.asymmetric import mldsa
except ImportError:  # cryptography < 47: mockkms cannot make ML-DSA keys either
    mldsa = None

KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/"
CHINA = "cn-north-1"
DRY_RUN = "The request would have succeeded, but the DryRun option is set."
MESSAGE = b"Hello World"

_RSA_ENCRYPT = ("EncryptionAlgorithms", ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"])
# Order of the botocore model's DescribeKey example and of the AWS CLI describe-key example
# (key-specs.md §1 [M example]).
_RSA_SIGN = ("SigningAlgorithms", ["RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384",
                                   "RSASSA_PKCS1_V1_5_SHA_512", "RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384",
                                   "RSASSA_PSS_SHA_512"])
_ECDH = ("KeyAgreementAlgorithms", ["ECDH"])
_ML_DSA = ("SigningAlgorithms", ["ML_DSA_SHAKE_256"])

#: (KeySpec, KeyUsage) -> (the one algorithm list field, its values): every pair AWS allows
#: outside China (key-specs.md §1).
ALLOWED = {
    ("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT"): ("EncryptionAlgorithms", ["SYMMETRIC_DEFAULT"]),
    ("RSA_2048", "ENCRYPT_DECRYPT"): _RSA_ENCRYPT,
    ("RSA_2048", "SIGN_VERIFY"): _RSA_SIGN,
    ("RSA_3072", "ENCRYPT_DECRYPT"): _RSA_ENCRYPT,
    ("RSA_3072", "SIGN_VERIFY"): _RSA_SIGN,
    ("RSA_4096", "ENCRYPT_DECRYPT"): _RSA_ENCRYPT,
    ("RSA_4096", "SIGN_VERIFY"): _RSA_SIGN,
    ("ECC_NIST_P256", "SIGN_VERIFY"): ("SigningAlgorithms", ["ECDSA_SHA_256"]),
    ("ECC_NIST_P256", "KEY_AGREEMENT"): _ECDH,
    ("ECC_NIST_P384", "SIGN_VERIFY"): ("SigningAlgorithms", ["ECDSA_SHA_384"]),
    ("ECC_NIST_P384", "KEY_AGREEMENT"): _ECDH,
    ("ECC_NIST_P521", "SIGN_VERIFY"): ("SigningAlgorithms", ["ECDSA_SHA_512"]),
    ("ECC_NIST_P521", "KEY_AGREEMENT"): _ECDH,
    ("ECC_SECG_P256K1", "SIGN_VERIFY"): ("SigningAlgorithms", ["ECDSA_SHA_256"]),
    ("ECC_NIST_EDWARDS25519", "SIGN_VERIFY"): ("SigningAlgorithms", ["ED25519_SHA_512", "ED25519_PH_SHA_512"]),
    ("ML_DSA_44", "SIGN_VERIFY"): _ML_DSA,
    ("ML_DSA_65", "SIGN_VERIFY"): _ML_DSA,
    ("ML_DSA_87", "SIGN_VERIFY"): _ML_DSA,
    ("HMAC_224", "GENERATE_VERIFY_MAC"): ("MacAlgorithms", ["HMAC_SHA_224"]),
    ("HMAC_256", "GENERATE_VERIFY_MAC"): ("MacAlgorithms", ["HMAC_SHA_256"]),
    ("HMAC_384", "GENERATE_VERIFY_MAC"): ("MacAlgorithms", ["HMAC_SHA_384"]),
    ("HMAC_512", "GENERATE_VERIFY_MAC"): ("MacAlgorithms", ["HMAC_SHA_512"]),
}
ALGORITHM_FIELDS = {"EncryptionAlgorithms", "SigningAlgorithms", "MacAlgorithms", "KeyAgreementAlgorithms"}

# The enums of the botocore model KMS is described by (not mockkms' copy of it).
_MODEL = make_client().meta.service_model
MODEL_KEY_SPECS = list(_MODEL.shape_for("KeySpec").enum)
MODEL_LEGACY_SPECS = list(_MODEL.shape_for("CustomerMasterKeySpec").enum)
MODEL_KEY_USAGES = list(_MODEL.shape_for("KeyUsageType").enum)
COMMERCIAL_SPECS = [spec for spec in MODEL_KEY_SPECS if spec != "SM2"]
#: Specs the deprecated CustomerMasterKeySpec enum cannot name: the field is left out for them.
NO_LEGACY_SPEC = {"ML_DSA_44", "ML_DSA_65", "ML_DSA_87", "ECC_NIST_EDWARDS25519"}

DISALLOWED = [(spec, usage) for spec in COMMERCIAL_SPECS for usage in MODEL_KEY_USAGES
              if (spec, usage) not in ALLOWED]
ASYMMETRIC = [pair for pair in ALLOWED if pair[0] != "SYMMETRIC_DEFAULT" and not pair[0].startswith("HMAC_")]

#: Members every KeyMetadata of a single-Region, enabled, AWS_KMS key has, whatever its spec.
COMMON_FIELDS = {"AWSAccountId", "Arn", "CreationDate", "Description", "Enabled", "KeyId", "KeyManager",
                 "KeySpec", "KeyState", "KeyUsage", "MultiRegion", "Origin"}
# test_hmac_create_key (recorded 2025-11-10): CreateKey and DescribeKey of an HMAC_256 key.
RECORDED_HMAC_FIELDS = {"AWSAccountId", "Arn", "CreationDate", "CustomerMasterKeySpec", "Description", "Enabled",
                        "KeyId", "KeyManager", "KeySpec", "KeyState", "KeyUsage", "MacAlgorithms", "MultiRegion",
                        "Origin"}

#: HMAC KeySpec -> (its one MacAlgorithm, MAC length in bytes, hashlib constructor).
HMAC_SPECS = {
    "HMAC_224": ("HMAC_SHA_224", 28, hashlib.sha224),
    "HMAC_256": ("HMAC_SHA_256", 32, hashlib.sha256),
    "HMAC_384": ("HMAC_SHA_384", 48, hashlib.sha384),
    "HMAC_512": ("HMAC_SHA_512", 64, hashlib.sha512),
}
MAC_ALGORITHMS = ["HMAC_SHA_224", "HMAC_SHA_256", "HMAC_SHA_384", "HMAC_SHA_512"]

#: KEY_AGREEMENT KeySpec -> (curve, shared secret length in bytes).
ECDH_SPECS = {
    "ECC_NIST_P256": (ec.SECP256R1(), 32),
    "ECC_NIST_P384": (ec.SECP384R1(), 48),
    "ECC_NIST_P521": (ec.SECP521R1(), 66),
}


def _pair_id(pair):
    return f"{pair[0]}-{pair[1]}"


def _needs_mldsa(pairs):
    """Parameters for ``pairs``, ML-DSA ones skipped where cryptography cannot load ML-DSA keys."""
    skip = pytest.mark.skipif(mldsa is None, reason="cryptography without ML-DSA")
    return [pytest.param(pair, id=_pair_id(pair), marks=[skip] if pair[0].startswith("ML_DSA") else [])
            for pair in pairs]


def create(client, spec, usage=None, **kwargs):
    params = {"KeySpec": spec, **kwargs}
    if usage is not None:
        params["KeyUsage"] = usage
    return client.create_key(**params)["KeyMetadata"]


def hmac_key(client, spec="HMAC_256"):
    return create(client, spec, "GENERATE_VERIFY_MAC")


def ecdh_key(client, spec="ECC_NIST_P256"):
    return create(client, spec, "KEY_AGREEMENT")


def expected_spec_fields(spec, usage):
    """KeySpec, KeyUsage, CustomerMasterKeySpec (when the old enum can name it) and the algorithm list."""
    field, algorithms = ALLOWED[(spec, usage)]
    fields = {"KeySpec": spec, "KeyUsage": usage, field: algorithms}
    if spec not in NO_LEGACY_SPEC:
        fields["CustomerMasterKeySpec"] = spec
    return fields


def enum_error(value, path, members):
    return ("ValidationException",
            f"1 validation error detected: Value '{value}' at '{path}' failed to satisfy constraint: "
            f"Member must satisfy enum value set: [{', '.join(members)}]", 400)


def assert_empty_error(excinfo, code):
    """AWS sends these errors with no message at all: botocore shows '' and no top-level 'message'."""
    assert error_of(excinfo) == (code, "", 400)
    assert "message" not in excinfo.value.response


def without_metadata(response):
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


@pytest.fixture
def china_client(kms):
    """A client of the same mock, in a China Region (the interceptor serves every Region)."""
    return make_client(CHINA)


def test_the_spec_table_covers_the_model():
    # Guards the tables of this file: every commercial KeySpec has at least one allowed usage.
    assert {spec for spec, _ in ALLOWED} == set(COMMERCIAL_SPECS)
    assert set(MODEL_LEGACY_SPECS) == set(MODEL_KEY_SPECS) - NO_LEGACY_SPEC


# ------------------------------------------------------------------------------- CreateKey

@pytest.mark.parametrize("pair", ALLOWED, ids=_pair_id)
def test_create_key_reports_spec_usage_and_algorithms(client, pair):
    spec, usage = pair
    field, algorithms = ALLOWED[pair]
    meta = create(client, spec, usage)
    assert (meta["KeySpec"], meta["KeyUsage"], meta[field]) == (spec, usage, algorithms)


@pytest.mark.parametrize("pair", ALLOWED, ids=_pair_id)
def test_create_key_has_exactly_one_algorithm_list(client, pair):
    meta = create(client, *pair)
    assert ALGORITHM_FIELDS & set(meta) == {ALLOWED[pair][0]}


@pytest.mark.parametrize("pair", ALLOWED, ids=_pair_id)
def test_customer_master_key_spec_repeats_the_key_spec_where_its_enum_can(client, pair):
    meta = create(client, *pair)
    if pair[0] in NO_LEGACY_SPEC:
        assert "CustomerMasterKeySpec" not in meta
    else:
        assert meta["CustomerMasterKeySpec"] == pair[0]


@pytest.mark.parametrize("pair", ALLOWED, ids=_pair_id)
def test_current_key_material_id_only_for_symmetric_keys(client, pair):
    meta = create(client, *pair)
    assert ("CurrentKeyMaterialId" in meta) == (pair[0] == "SYMMETRIC_DEFAULT")


@pytest.mark.parametrize("pair", ALLOWED, ids=_pair_id)
def test_key_metadata_has_exactly_the_fields_of_its_spec(client, pair):
    meta = create(client, *pair)
    expected = COMMON_FIELDS | set(expected_spec_fields(*pair))
    if pair[0] == "SYMMETRIC_DEFAULT":
        expected |= {"CurrentKeyMaterialId"}
    assert set(meta) == expected


@pytest.mark.parametrize("pair", ALLOWED, ids=_pair_id)
def test_describe_key_returns_what_create_key_returned(client, pair):
    created = create(client, *pair)
    assert client.describe_key(KeyId=created["KeyId"])["KeyMetadata"] == created


@pytest.mark.parametrize("operation", ["create", "describe"])
def test_hmac_key_metadata_has_the_recorded_fields(client, operation):
    meta = hmac_key(client, "HMAC_256")
    if operation == "describe":
        meta = client.describe_key(KeyId=meta["KeyId"])["KeyMetadata"]
    assert set(meta) == RECORDED_HMAC_FIELDS


def test_hmac_key_metadata_has_the_recorded_values(client):
    # test_hmac_create_key (recorded 2025-11-10)
    meta = create(client, "HMAC_256", "GENERATE_VERIFY_MAC", Description="test key")
    assert {k: meta[k] for k in RECORDED_HMAC_FIELDS - {"Arn", "CreationDate", "KeyId"}} == {
        "AWSAccountId": ACCOUNT, "CustomerMasterKeySpec": "HMAC_256", "Description": "test key",
        "Enabled": True, "KeyManager": "CUSTOMER", "KeySpec": "HMAC_256", "KeyState": "Enabled",
        "KeyUsage": "GENERATE_VERIFY_MAC", "MacAlgorithms": ["HMAC_SHA_256"], "MultiRegion": False,
        "Origin": "AWS_KMS"}


@pytest.mark.parametrize("pair", DISALLOWED, ids=_pair_id)
def test_disallowed_spec_and_usage_is_a_validation_error(client, pair):
    spec, usage = pair
    with pytest.raises(ClientError) as excinfo:
        create(client, spec, usage)
    # errors.md row 9: no full stop.
    assert error_of(excinfo) == ("ValidationException", f"KeyUsage {usage} is not compatible with KeySpec {spec}", 400)


@pytest.mark.parametrize("spec", [s for s in COMMERCIAL_SPECS if s != "SYMMETRIC_DEFAULT"])
def test_non_symmetric_spec_without_key_usage_is_a_validation_error(client, spec):
    with pytest.raises(ClientError) as excinfo:
        create(client, spec)
    # errors.md row 8
    assert error_of(excinfo) == (
        "ValidationException",
        "You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.", 400)


def test_disallowed_pairs_create_no_key(client):
    for spec, usage in DISALLOWED[:5]:
        with pytest.raises(ClientError):
            create(client, spec, usage)
    assert client.list_keys()["Keys"] == []


# ------------------------------------------------------------------------------- SM2 and Regions

@pytest.mark.parametrize("usage", [None, "ENCRYPT_DECRYPT", "SIGN_VERIFY", "KEY_AGREEMENT"])
def test_sm2_outside_china_fails_the_key_spec_enum(client, usage):
    with pytest.raises(ClientError) as excinfo:
        create(client, "SM2", usage)
    assert error_of(excinfo) == enum_error("SM2", "keySpec", COMMERCIAL_SPECS)


def test_sm2_as_customer_master_key_spec_outside_china_fails_its_enum(client):
    with pytest.raises(ClientError) as excinfo:
        client.create_key(CustomerMasterKeySpec="SM2", KeyUsage="SIGN_VERIFY")
    assert error_of(excinfo) == enum_error(
        "SM2", "customerMasterKeySpec", [s for s in MODEL_LEGACY_SPECS if s != "SM2"])


def test_unknown_key_spec_outside_china_lists_the_specs_without_sm2(client):
    with pytest.raises(ClientError) as excinfo:
        create(client, "HMAC_random")
    assert error_of(excinfo) == enum_error("HMAC_random", "keySpec", COMMERCIAL_SPECS)


def test_unknown_key_spec_lists_every_recorded_commercial_spec(client):
    # errors.md row 6 (2023): AWS's commercial list, without SM2; newer specs came later.
    recorded = {"RSA_2048", "ECC_NIST_P384", "ECC_NIST_P256", "ECC_NIST_P521", "HMAC_384", "RSA_3072",
                "ECC_SECG_P256K1", "RSA_4096", "SYMMETRIC_DEFAULT", "HMAC_256", "HMAC_224", "HMAC_512"}
    with pytest.raises(ClientError) as excinfo:
        create(client, "HMAC_random")
    listed = set(error_of(excinfo)[1].split("[", 1)[1].rstrip("]").split(", "))
    assert recorded <= listed and "SM2" not in listed


def test_unknown_key_spec_in_china_lists_sm2_too(china_client):
    with pytest.raises(ClientError) as excinfo:
        create(china_client, "HMAC_random")
    assert error_of(excinfo) == enum_error("HMAC_random", "keySpec", MODEL_KEY_SPECS)


@pytest.mark.parametrize("usage, field, algorithms", [
    ("ENCRYPT_DECRYPT", "EncryptionAlgorithms", ["SM2PKE"]),
    ("SIGN_VERIFY", "SigningAlgorithms", ["SM2DSA"]),
    ("KEY_AGREEMENT", "KeyAgreementAlgorithms", ["ECDH"]),
])
def test_sm2_in_china_reports_its_algorithms(china_client, usage, field, algorithms):
    meta = create(china_client, "SM2", usage)
    assert (meta["KeySpec"], meta["CustomerMasterKeySpec"], meta["KeyUsage"]) == ("SM2", "SM2", usage)
    assert meta[field] == algorithms
    assert ALGORITHM_FIELDS & set(meta) == {field}


def test_sm2_in_china_refuses_mac_usage(china_client):
    with pytest.raises(ClientError) as excinfo:
        create(china_client, "SM2", "GENERATE_VERIFY_MAC")
    assert error_of(excinfo) == (
        "ValidationException", "KeyUsage GENERATE_VERIFY_MAC is not compatible with KeySpec SM2", 400)


@pytest.mark.parametrize("pair", [("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT"), ("HMAC_256", "GENERATE_VERIFY_MAC"),
                                  ("ECC_NIST_P256", "KEY_AGREEMENT"), ("RSA_2048", "SIGN_VERIFY")], ids=_pair_id)
def test_keys_created_in_china_have_aws_cn_arns(china_client, pair):
    meta = create(china_client, *pair)
    assert meta["Arn"] == f"arn:aws-cn:kms:{CHINA}:{ACCOUNT}:key/{meta['KeyId']}"


def test_get_public_key_in_china_names_the_key_by_its_aws_cn_arn(china_client):
    meta = create(china_client, "ECC_NIST_P256", "SIGN_VERIFY")
    assert china_client.get_public_key(KeyId=meta["KeyId"])["KeyId"] == meta["Arn"]


def test_keys_created_in_china_are_not_in_us_east_1(client, china_client):
    create(china_client, "HMAC_256", "GENERATE_VERIFY_MAC")
    assert client.list_keys()["Keys"] == []


# ------------------------------------------------------------------------------- key pairs made lazily

def test_create_key_makes_no_private_key_until_get_public_key(kms, client):
    meta = create(client, "RSA_4096", "SIGN_VERIFY")
    pair = kms.world.store(ACCOUNT, REGION).keys[meta["KeyId"]].pair
    assert pair._private is None
    client.get_public_key(KeyId=meta["KeyId"])
    assert pair._private is not None


# ------------------------------------------------------------------------------- GetPublicKey

def _check_rsa(bits):
    return lambda key: isinstance(key, rsa.RSAPublicKey) and key.key_size == bits


def _check_curve(name):
    return lambda key: isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name == name


def _check_mldsa(class_name):
    return lambda key: isinstance(key, getattr(mldsa, class_name))


#: KeySpec -> what its public key must be.
PUBLIC_KEY_CHECKS = {
    "RSA_2048": _check_rsa(2048),
    "RSA_3072": _check_rsa(3072),
    "RSA_4096": _check_rsa(4096),
    "ECC_NIST_P256": _check_curve("secp256r1"),
    "ECC_NIST_P384": _check_curve("secp384r1"),
    "ECC_NIST_P521": _check_curve("secp521r1"),
    "ECC_SECG_P256K1": _check_curve("secp256k1"),
    "ECC_NIST_EDWARDS25519": lambda key: isinstance(key, ed25519.Ed25519PublicKey),
    "ML_DSA_44": _check_mldsa("MLDSA44PublicKey"),
    "ML_DSA_65": _check_mldsa("MLDSA65PublicKey"),
    "ML_DSA_87": _check_mldsa("MLDSA87PublicKey"),
}


@pytest.mark.parametrize("pair", _needs_mldsa(ASYMMETRIC))
def test_public_key_is_der_spki_of_the_keys_type(client, pair):
    key_id = create(client, *pair)["KeyId"]
    der = client.get_public_key(KeyId=key_id)["PublicKey"]
    public = serialization.load_der_public_key(der)
    assert PUBLIC_KEY_CHECKS[pair[0]](public), type(public)
    # Canonical DER SubjectPublicKeyInfo (EC points uncompressed): re-encoding changes nothing.
    assert public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo) == der


@pytest.mark.parametrize("pair", _needs_mldsa(ASYMMETRIC))
def test_get_public_key_response_fields(client, pair):
    meta = create(client, *pair)
    response = without_metadata(client.get_public_key(KeyId=meta["KeyId"]))
    del response["PublicKey"]
    assert response == {"KeyId": meta["Arn"], **expected_spec_fields(*pair)}


@pytest.mark.parametrize("pair", _needs_mldsa(ASYMMETRIC))
def test_get_public_key_twice_gives_the_same_bytes(client, pair):
    key_id = create(client, *pair)["KeyId"]
    assert client.get_public_key(KeyId=key_id)["PublicKey"] == client.get_public_key(KeyId=key_id)["PublicKey"]


def test_two_keys_have_different_public_keys(client):
    first, second = (create(client, "ECC_NIST_P256", "SIGN_VERIFY")["KeyId"] for _ in range(2))
    assert client.get_public_key(KeyId=first)["PublicKey"] != client.get_public_key(KeyId=second)["PublicKey"]


@pytest.mark.parametrize("form", ["alias name", "alias ARN", "key ARN"])
def test_get_public_key_through_another_identifier(client, form):
    meta = create(client, "ECC_NIST_P384", "SIGN_VERIFY")
    client.create_alias(AliasName="alias/signer", TargetKeyId=meta["KeyId"])
    ref = {"alias name": "alias/signer", "alias ARN": f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/signer",
           "key ARN": meta["Arn"]}[form]
    response = client.get_public_key(KeyId=ref)
    assert response["KeyId"] == meta["Arn"]
    assert response["PublicKey"] == client.get_public_key(KeyId=meta["KeyId"])["PublicKey"]


@pytest.mark.parametrize("pair", [("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT")]
                         + [(spec, "GENERATE_VERIFY_MAC") for spec in HMAC_SPECS], ids=_pair_id)
def test_get_public_key_of_a_key_without_one_is_unsupported(client, pair):
    meta = create(client, *pair)
    with pytest.raises(ClientError) as excinfo:
        client.get_public_key(KeyId=meta["KeyId"])
    # Wording [G] (operations.md GetPublicKey), pinned so it does not drift.
    assert error_of(excinfo) == (
        "UnsupportedOperationException", f"{meta['Arn']} key spec is {pair[0]} which is not valid for GetPublicKey.",
        400)


def test_get_public_key_of_a_disabled_key(client):
    meta = create(client, "RSA_2048", "ENCRYPT_DECRYPT")
    client.disable_key(KeyId=meta["KeyId"])
    with pytest.raises(ClientError) as excinfo:
        client.get_public_key(KeyId=meta["KeyId"])
    assert error_of(excinfo) == ("DisabledException", f"{meta['Arn']} is disabled.", 400)


def test_get_public_key_of_a_key_pending_deletion(client):
    meta = create(client, "ECC_NIST_P256", "KEY_AGREEMENT")
    client.schedule_key_deletion(KeyId=meta["KeyId"], PendingWindowInDays=7)
    with pytest.raises(ClientError) as excinfo:
        client.get_public_key(KeyId=meta["KeyId"])
    assert error_of(excinfo) == ("KMSInvalidStateException", f"{meta['Arn']} is pending deletion.", 400)


def test_get_public_key_of_an_external_key_without_material_is_pending_import(client):
    meta = create(client, "ECC_NIST_P256", "SIGN_VERIFY", Origin="EXTERNAL")
    with pytest.raises(ClientError) as excinfo:
        client.get_public_key(KeyId=meta["KeyId"])
    assert error_of(excinfo) == ("KMSInvalidStateException", f"{meta['Arn']} is pending import.", 400)


def test_get_public_key_works_again_after_re_enabling(client):
    key_id = create(client, "ECC_NIST_P256", "SIGN_VERIFY")["KeyId"]
    before = client.get_public_key(KeyId=key_id)["PublicKey"]
    client.disable_key(KeyId=key_id)
    client.enable_key(KeyId=key_id)
    assert client.get_public_key(KeyId=key_id)["PublicKey"] == before


# ------------------------------------------------------------------------------- GenerateMac / VerifyMac

def material_secret(kms, key_id, region=REGION):
    return kms.world.store(ACCOUNT, region).keys[key_id].current_material.secret


@pytest.mark.parametrize("spec", HMAC_SPECS)
def test_mac_has_the_hash_length(client, spec):
    algorithm, length, _ = HMAC_SPECS[spec]
    key_id = hmac_key(client, spec)["KeyId"]
    assert len(client.generate_mac(KeyId=key_id, MacAlgorithm=algorithm, Message=MESSAGE)["Mac"]) == length


@pytest.mark.parametrize("spec", HMAC_SPECS)
def test_generate_mac_response_fields(client, spec):
    algorithm = HMAC_SPECS[spec][0]
    meta = hmac_key(client, spec)
    response = without_metadata(client.generate_mac(KeyId=meta["KeyId"], MacAlgorithm=algorithm, Message=MESSAGE))
    assert set(response) == {"Mac", "MacAlgorithm", "KeyId"}
    assert (response["KeyId"], response["MacAlgorithm"]) == (meta["Arn"], algorithm)


@pytest.mark.parametrize("spec", HMAC_SPECS)
def test_verify_mac_accepts_the_keys_own_mac(client, spec):
    algorithm = HMAC_SPECS[spec][0]
    meta = hmac_key(client, spec)
    tag = client.generate_mac(KeyId=meta["KeyId"], MacAlgorithm=algorithm, Message=MESSAGE)["Mac"]
    response = client.verify_mac(KeyId=meta["KeyId"], MacAlgorithm=algorithm, Message=MESSAGE, Mac=tag)
    assert without_metadata(response) == {"KeyId": meta["Arn"], "MacValid": True, "MacAlgorithm": algorithm}


@pytest.mark.parametrize("spec", HMAC_SPECS)
def test_mac_is_rfc_2104_hmac_over_the_key_material(kms, client, spec):
    algorithm, _, digest = HMAC_SPECS[spec]
    key_id = hmac_key(client, spec)["KeyId"]
    expected = hmac.new(material_secret(kms, key_id), MESSAGE, digest).digest()
    assert client.generate_mac(KeyId=key_id, MacAlgorithm=algorithm, Message=MESSAGE)["Mac"] == expected


def test_same_message_gives_the_same_mac(client):
    key_id = hmac_key(client)["KeyId"]
    first, second = (client.generate_mac(KeyId=key_id, MacAlgorithm="HMAC_SHA_256", Message=MESSAGE)["Mac"]
                     for _ in range(2))
    assert first == second


def test_different_messages_give_different_macs(client):
    key_id = hmac_key(client)["KeyId"]
    macs = {client.generate_mac(KeyId=key_id, MacAlgorithm="HMAC_SHA_256", Message=m)["Mac"] for m in (b"a", b"b")}
    assert len(macs) == 2


def test_two_keys_of_one_spec_give_different_macs(client):
    keys = [hmac_key(client)["KeyId"] for _ in range(2)]
    macs = {client.generate_mac(KeyId=k, MacAlgorithm="HMAC_SHA_256", Message=MESSAGE)["Mac"] for k in keys}
    assert len(macs) == 2


@pytest.mark.parametrize("form", ["alias name", "alias ARN", "key ARN"])
def test_mac_through_another_identifier(client, form):
    meta = hmac_key(client)
    client.create_alias(AliasName="alias/mac", TargetKeyId=meta["KeyId"])
    ref = {"alias name": "alias/mac", "alias ARN": f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/mac",
           "key ARN": meta["Arn"]}[form]
    by_ref = client.generate_mac(KeyId=ref, MacAlgorithm="HMAC_SHA_256", Message=MESSAGE)
    assert by_ref["KeyId"] == meta["Arn"]
    assert client.verify_mac(KeyId=ref, MacAlgorithm="HMAC_SHA_256", Message=MESSAGE, Mac=by_ref["Mac"])["MacValid"]


def _mac_failures():
    def other_message(client, key_id, tag):
        return {"KeyId": key_id, "Message": b"some different important message", "Mac": tag}

    def other_key(client, key_id, tag):
        return {"KeyId": hmac_key(client)["KeyId"], "Message": MESSAGE, "Mac": tag}

    def flipped_bit(client, key_id, tag):
        return {"KeyId": key_id, "Message": MESSAGE, "Mac": bytes([tag[0] ^ 1]) + tag[1:]}

    def truncated(client, key_id, tag):
        return {"KeyId": key_id, "Message": MESSAGE, "Mac": tag[:-1]}

    def extended(client, key_id, tag):
        return {"KeyId": key_id, "Message": MESSAGE, "Mac": tag + b"\0"}

    return [other_message, other_key, flipped_bit, truncated, extended]


@pytest.mark.parametrize("failure", _mac_failures(), ids=lambda f: f.__name__)
def test_verify_mac_mismatch_is_invalid_mac_without_message(client, failure):
    key_id = hmac_key(client)["KeyId"]
    tag = client.generate_mac(KeyId=key_id, MacAlgorithm="HMAC_SHA_256", Message=MESSAGE)["Mac"]
    with pytest.raises(ClientError) as excinfo:
        client.verify_mac(MacAlgorithm="HMAC_SHA_256", **failure(client, key_id, tag))
    assert_empty_error(excinfo, "KMSInvalidMacException")  # errors.md row 49


def mac_call(client, operation, key_id, algorithm="HMAC_SHA_256", **extra):
    if operation == "GenerateMac":
        return client.generate_mac(KeyId=key_id, MacAlgorithm=algorithm, Message=MESSAGE, **extra)
    return client.verify_mac(KeyId=key_id, MacAlgorithm=algorithm, Message=MESSAGE, Mac=b"m" * 32, **extra)


MAC_OPERATIONS = ["GenerateMac", "VerifyMac"]


@pytest.mark.parametrize("operation", MAC_OPERATIONS)
@pytest.mark.parametrize("spec, algorithm", [(spec, alg) for spec in HMAC_SPECS for alg in MAC_ALGORITHMS
                                             if alg != HMAC_SPECS[spec][0]])
def test_mac_algorithm_of_another_spec_is_invalid_key_usage(client, operation, spec, algorithm):
    key_id = hmac_key(client, spec)["KeyId"]
    with pytest.raises(ClientError) as excinfo:
        mac_call(client, operation, key_id, algorithm)
    # errors.md rows 25, 48
    assert error_of(excinfo) == (
        "InvalidKeyUsageException", f"Algorithm {algorithm} is incompatible with key spec {spec}.", 400)


@pytest.mark.parametrize("operation", MAC_OPERATIONS)
@pytest.mark.parametrize("pair", [("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT"), ("ECC_NIST_P256", "SIGN_VERIFY"),
                                  ("ECC_NIST_P256", "KEY_AGREEMENT"), ("RSA_2048", "ENCRYPT_DECRYPT")],
                         ids=_pair_id)
def test_mac_with_a_key_of_another_usage_is_invalid_key_usage(client, operation, pair):
    meta = create(client, *pair)
    with pytest.raises(ClientError) as excinfo:
        mac_call(client, operation, meta["KeyId"])
    # errors.md row 24
    assert error_of(excinfo) == (
        "InvalidKeyUsageException", f"{meta['Arn']} key usage is {pair[1]} which is not valid for {operation}.", 400)


@pytest.mark.parametrize("operation", MAC_OPERATIONS)
def test_mac_algorithm_outside_the_enum_is_a_validation_error(raw_client, operation):
    key_id = hmac_key(raw_client)["KeyId"]
    with pytest.raises(ClientError) as excinfo:
        mac_call(raw_client, operation, key_id, "INVALID")
    code, message, status = error_of(excinfo)
    prefix = ("1 validation error detected: Value 'INVALID' at 'macAlgorithm' failed to satisfy constraint: "
              "Member must satisfy enum value set: [")
    # errors.md rows 27, 51; the recorded order is not the model's, so compare as sets.
    assert (code, status) == ("ValidationException", 400)
    assert message.startswith(prefix) and message.endswith("]")
    assert set(message[len(prefix):-1].split(", ")) == set(MAC_ALGORITHMS)


@pytest.mark.parametrize("operation", MAC_OPERATIONS)
def test_mac_with_a_malformed_key_id_is_not_found(client, operation):
    with pytest.raises(ClientError) as excinfo:
        mac_call(client, operation, "key_id")
    assert error_of(excinfo) == ("NotFoundException", "Invalid keyId 'key_id'", 400)  # errors.md rows 26, 50


@pytest.mark.parametrize("operation", MAC_OPERATIONS)
def test_mac_with_a_disabled_key(client, operation):
    meta = hmac_key(client)
    client.disable_key(KeyId=meta["KeyId"])
    with pytest.raises(ClientError) as excinfo:
        mac_call(client, operation, meta["KeyId"])
    assert error_of(excinfo) == ("DisabledException", f"{meta['Arn']} is disabled.", 400)


@pytest.mark.parametrize("operation", MAC_OPERATIONS)
def test_mac_with_a_key_pending_deletion(client, operation):
    meta = hmac_key(client)
    client.schedule_key_deletion(KeyId=meta["KeyId"], PendingWindowInDays=7)
    with pytest.raises(ClientError) as excinfo:
        mac_call(client, operation, meta["KeyId"])
    assert error_of(excinfo) == ("KMSInvalidStateException", f"{meta['Arn']} is pending deletion.", 400)


def test_generate_mac_dry_run_that_would_succeed(client):
    key_id = hmac_key(client)["KeyId"]
    with pytest.raises(ClientError) as excinfo:
        client.generate_mac(KeyId=key_id, MacAlgorithm="HMAC_SHA_256", Message=MESSAGE, DryRun=True)
    assert error_of(excinfo) == ("DryRunOperationException", DRY_RUN, 400)


def test_verify_mac_dry_run_that_would_succeed(client):
    key_id = hmac_key(client)["KeyId"]
    tag = client.generate_mac(KeyId=key_id, MacAlgorithm="HMAC_SHA_256", Message=MESSAGE)["Mac"]
    with pytest.raises(ClientError) as excinfo:
        client.verify_mac(KeyId=key_id, MacAlgorithm="HMAC_SHA_256", Message=MESSAGE, Mac=tag, DryRun=True)
    assert error_of(excinfo) == ("DryRunOperationException", DRY_RUN, 400)


@pytest.mark.parametrize("operation", MAC_OPERATIONS)
def test_mac_dry_run_on_a_disabled_key_gets_the_real_error(client, operation):
    meta = hmac_key(client)
    client.disable_key(KeyId=meta["KeyId"])
    with pytest.raises(ClientError) as excinfo:
        mac_call(client, operation, meta["KeyId"], DryRun=True)
    assert error_of(excinfo) == ("DisabledException", f"{meta['Arn']} is disabled.", 400)


@pytest.mark.parametrize("operation", MAC_OPERATIONS)
def test_mac_dry_run_with_the_wrong_algorithm_gets_the_real_error(client, operation):
    key_id = hmac_key(client, "HMAC_224")["KeyId"]
    with pytest.raises(ClientError) as excinfo:
        mac_call(client, operation, key_id, "HMAC_SHA_256", DryRun=True)
    assert error_of(excinfo) == (
        "InvalidKeyUsageException", "Algorithm HMAC_SHA_256 is incompatible with key spec HMAC_224.", 400)


def test_verify_mac_dry_run_with_a_wrong_mac_gets_the_real_error(client):
    # operations.md §0.1 puts the MAC check (step 8) before DryRun (step 10), and §0.6 says a
    # DryRun answers DryRunOperationException only when the call would have succeeded: this
    # one would fail with KMSInvalidMacException (like Decrypt's DryRun with a bad ciphertext).
    key_id = hmac_key(client)["KeyId"]
    with pytest.raises(ClientError) as excinfo:
        client.verify_mac(KeyId=key_id, MacAlgorithm="HMAC_SHA_256", Message=MESSAGE, Mac=b"m" * 32, DryRun=True)
    assert_empty_error(excinfo, "KMSInvalidMacException")


# ------------------------------------------------------------------------------- DeriveSharedSecret

def spki(public_key):
    return public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def derive(client, key_id, peer_der, **extra):
    return client.derive_shared_secret(KeyId=key_id, KeyAgreementAlgorithm="ECDH", PublicKey=peer_der, **extra)


@pytest.mark.parametrize("spec", ECDH_SPECS)
def test_shared_secret_is_the_ecdh_of_the_public_keys(client, spec):
    curve, _ = ECDH_SPECS[spec]
    key_id = ecdh_key(client, spec)["KeyId"]
    peer = ec.generate_private_key(curve)
    kms_public = serialization.load_der_public_key(client.get_public_key(KeyId=key_id)["PublicKey"])
    expected = peer.exchange(ec.ECDH(), kms_public)
    assert derive(client, key_id, spki(peer.public_key()))["SharedSecret"] == expected


@pytest.mark.parametrize("spec", ECDH_SPECS)
def test_shared_secret_is_the_raw_x_coordinate_length(client, spec):
    curve, length = ECDH_SPECS[spec]
    key_id = ecdh_key(client, spec)["KeyId"]
    peer = ec.generate_private_key(curve)
    assert len(derive(client, key_id, spki(peer.public_key()))["SharedSecret"]) == length


@pytest.mark.parametrize("spec", ECDH_SPECS)
def test_two_kms_keys_agree_on_a_secret(client, spec):
    first, second = (ecdh_key(client, spec)["KeyId"] for _ in range(2))
    public = {k: client.get_public_key(KeyId=k)["PublicKey"] for k in (first, second)}
    one_way = derive(client, first, public[second])["SharedSecret"]
    assert one_way == derive(client, second, public[first])["SharedSecret"]


def test_derive_shared_secret_response_fields(client):
    meta = ecdh_key(client)
    peer = ec.generate_private_key(ec.SECP256R1())
    response = without_metadata(derive(client, meta["KeyId"], spki(peer.public_key())))
    del response["SharedSecret"]
    assert response == {"KeyId": meta["Arn"], "KeyAgreementAlgorithm": "ECDH", "KeyOrigin": "AWS_KMS"}


@pytest.mark.parametrize("form", ["alias name", "alias ARN", "key ARN"])
def test_derive_shared_secret_through_another_identifier(client, form):
    meta = ecdh_key(client)
    client.create_alias(AliasName="alias/agree", TargetKeyId=meta["KeyId"])
    ref = {"alias name": "alias/agree", "alias ARN": f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/agree",
           "key ARN": meta["Arn"]}[form]
    peer = spki(ec.generate_private_key(ec.SECP256R1()).public_key())
    response = derive(client, ref, peer)
    by_id = derive(client, meta["KeyId"], peer)
    assert (response["KeyId"], response["SharedSecret"]) == (meta["Arn"], by_id["SharedSecret"])


@functools.lru_cache(maxsize=None)
def _bad_peer_keys(spec):
    """Peer keys DeriveSharedSecret must refuse for a key of ``spec``."""
    other_curves = [c for s, (c, _) in ECDH_SPECS.items() if s != spec] + [ec.SECP256K1()]
    bad = {f"curve {c.name}": spki(ec.generate_private_key(c).public_key()) for c in other_curves}
    right_curve = ec.generate_private_key(ECDH_SPECS[spec][0])
    bad.update({
        "not DER": b"InvalidPublicKey",
        "RSA public key": spki(rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key()),
        "Ed25519 public key": spki(ed25519.Ed25519PrivateKey.generate().public_key()),
        "PEM instead of DER": right_curve.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo),
        "raw point, no SPKI": right_curve.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint),
        "private key": right_curve.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()),
        "truncated SPKI": spki(right_curve.public_key())[:-1],
    })
    return bad


BAD_PEERS = [(spec, name) for spec in ECDH_SPECS for name in _bad_peer_keys(spec)]


@pytest.mark.parametrize("spec, peer", BAD_PEERS, ids=[f"{s}-{n}" for s, n in BAD_PEERS])
def test_unusable_peer_key_is_a_validation_error_without_message(client, spec, peer):
    key_id = ecdh_key(client, spec)["KeyId"]
    with pytest.raises(ClientError) as excinfo:
        derive(client, key_id, _bad_peer_keys(spec)[peer])
    assert_empty_error(excinfo, "ValidationException")  # errors.md row 14


@pytest.mark.parametrize("pair", [("ECC_NIST_P256", "SIGN_VERIFY"), ("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT"),
                                  ("HMAC_256", "GENERATE_VERIFY_MAC"), ("RSA_2048", "ENCRYPT_DECRYPT")],
                         ids=_pair_id)
def test_derive_with_a_key_of_another_usage_is_invalid_key_usage(client, pair):
    meta = create(client, *pair)
    peer = spki(ec.generate_private_key(ec.SECP256R1()).public_key())
    with pytest.raises(ClientError) as excinfo:
        derive(client, meta["KeyId"], peer)
    # errors.md row 12
    assert error_of(excinfo) == (
        "InvalidKeyUsageException", f"{meta['Arn']} key usage is {pair[1]} which is not valid for DeriveSharedSecret.",
        400)


def test_key_agreement_algorithm_outside_the_enum_is_a_validation_error(raw_client):
    key_id = ecdh_key(raw_client)["KeyId"]
    peer = spki(ec.generate_private_key(ec.SECP256R1()).public_key())
    with pytest.raises(ClientError) as excinfo:
        raw_client.derive_shared_secret(KeyId=key_id, KeyAgreementAlgorithm="INVALID", PublicKey=peer)
    assert error_of(excinfo) == enum_error("INVALID", "keyAgreementAlgorithm", ["ECDH"])  # errors.md row 13


def test_derive_with_a_disabled_key(client):
    meta = ecdh_key(client)
    client.disable_key(KeyId=meta["KeyId"])
    with pytest.raises(ClientError) as excinfo:
        derive(client, meta["KeyId"], spki(ec.generate_private_key(ec.SECP256R1()).public_key()))
    assert error_of(excinfo) == ("DisabledException", f"{meta['Arn']} is disabled.", 400)


def test_derive_with_a_malformed_key_id_is_not_found(client):
    with pytest.raises(ClientError) as excinfo:
        derive(client, "key_id", spki(ec.generate_private_key(ec.SECP256R1()).public_key()))
    assert error_of(excinfo) == ("NotFoundException", "Invalid keyId 'key_id'", 400)


def test_derive_dry_run_that_would_succeed(client):
    key_id = ecdh_key(client)["KeyId"]
    with pytest.raises(ClientError) as excinfo:
        derive(client, key_id, spki(ec.generate_private_key(ec.SECP256R1()).public_key()), DryRun=True)
    assert error_of(excinfo) == ("DryRunOperationException", DRY_RUN, 400)


def test_derive_dry_run_with_a_bad_peer_key_gets_the_real_error(client):
    key_id = ecdh_key(client)["KeyId"]
    with pytest.raises(ClientError) as excinfo:
        derive(client, key_id, b"InvalidPublicKey", DryRun=True)
    assert_empty_error(excinfo, "ValidationException")


def test_derive_dry_run_on_a_disabled_key_gets_the_real_error(client):
    meta = ecdh_key(client)
    client.disable_key(KeyId=meta["KeyId"])
    with pytest.raises(ClientError) as excinfo:
        derive(client, meta["KeyId"], spki(ec.generate_private_key(ec.SECP256R1()).public_key()), DryRun=True)
    assert error_of(excinfo) == ("DisabledException", f"{meta['Arn']} is disabled.", 400)
