"""Asymmetric signing: Sign and Verify with SIGN_VERIFY keys (key-specs.md §4).

Every signature the mock makes is checked OUTSIDE the mock, with the DER public key
GetPublicKey returns and an independent verifier (``cryptography``; pycryptodome for
Ed25519ph), so a signature that only the mock itself accepts fails here.  Every
expected error is (code, exact message, HTTP 400); recorded texts name their row of
the shared aws-reference/errors.md, guessed ones say so.
"""
from __future__ import annotations

import hashlib
import os
import sys

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, utils

from conftest import ACCOUNT, REGION, UNUSABLE_KEY, error_of, make_client

ARN_PREFIX = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/"
ALIAS = "alias/signing-test"
ALIAS_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:{ALIAS}"
DRY_RUN = "The request would have succeeded, but the DryRun option is set."
MESSAGE = b"the message KMS signs"

RSA_ALGORITHMS = [  # the order of the botocore model's DescribeKey example (key-specs.md §1, [M])
    "RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512",
    "RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512",
]

#: Every SIGN_VERIFY KeySpec of a commercial Region -> its SigningAlgorithms (key-specs.md §1).
SIGNING_ALGORITHMS = {
    "RSA_2048": RSA_ALGORITHMS,
    "RSA_3072": RSA_ALGORITHMS,
    "RSA_4096": RSA_ALGORITHMS,
    "ECC_NIST_P256": ["ECDSA_SHA_256"],
    "ECC_NIST_P384": ["ECDSA_SHA_384"],
    "ECC_NIST_P521": ["ECDSA_SHA_512"],
    "ECC_SECG_P256K1": ["ECDSA_SHA_256"],
    "ECC_NIST_EDWARDS25519": ["ED25519_SHA_512", "ED25519_PH_SHA_512"],
    "ML_DSA_44": ["ML_DSA_SHAKE_256"],
    "ML_DSA_65": ["ML_DSA_SHAKE_256"],
    "ML_DSA_87": ["ML_DSA_SHAKE_256"],
}

#: Every SigningAlgorithm a us-east-1 request may name (the model's enum minus the China-only SM2DSA).
ALGORITHM_ENUM = {
    "RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512",
    "RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512",
    "ECDSA_SHA_256", "ECDSA_SHA_384", "ECDSA_SHA_512",
    "ED25519_SHA_512", "ED25519_PH_SHA_512", "ML_DSA_SHAKE_256",
}

HASHES = {"256": hashes.SHA256(), "384": hashes.SHA384(), "512": hashes.SHA512()}
ML_DSA_SIGNATURE_BYTES = {"ML_DSA_44": 2420, "ML_DSA_65": 3309, "ML_DSA_87": 4627}  # FIPS 204
RSA_MODULUS_BYTES = {"RSA_2048": 256, "RSA_3072": 384, "RSA_4096": 512}
CURVE_ORDERS = {
    "ECC_NIST_P256": 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
    "ECC_SECG_P256K1": 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141,
}


def _pairs(*, exclude=()):
    return [pytest.param(spec, algorithm, id=f"{spec}-{algorithm}")
            for spec, algorithms in SIGNING_ALGORITHMS.items() for algorithm in algorithms
            if algorithm not in exclude]


#: (spec, algorithm) for every algorithm that signs a RAW message (ED25519_PH_SHA_512 takes DIGEST only).
RAW_PAIRS = _pairs(exclude={"ED25519_PH_SHA_512"})
#: (spec, algorithm) for every algorithm that hashes with SHA-2, so that takes MessageType DIGEST.
DIGEST_PAIRS = [pytest.param(spec, algorithm, id=f"{spec}-{algorithm}")
                for spec, algorithm in [("RSA_2048", algorithm) for algorithm in RSA_ALGORITHMS] + [
                    ("ECC_NIST_P256", "ECDSA_SHA_256"), ("ECC_NIST_P384", "ECDSA_SHA_384"),
                    ("ECC_NIST_P521", "ECDSA_SHA_512"), ("ECC_SECG_P256K1", "ECDSA_SHA_256")]]
ML_DSA_SPECS = ["ML_DSA_44", "ML_DSA_65", "ML_DSA_87"]


# ---------------------------------------------------------------------------------- helpers

def arn(key_id):
    return ARN_PREFIX + key_id


def new_key(client, spec, usage="SIGN_VERIFY", **kwargs):
    return client.create_key(KeySpec=spec, KeyUsage=usage, **kwargs)["KeyMetadata"]["KeyId"]


def public_key(client, key):
    return serialization.load_der_public_key(client.get_public_key(KeyId=key)["PublicKey"])


def hash_of(algorithm):
    """The SHA-2 hash of an RSA or ECDSA algorithm (its name ends in the size)."""
    return HASHES[algorithm[-3:]]


def digest_of(algorithm, message):
    h = hashes.Hash(hash_of(algorithm))
    h.update(message)
    return h.finalize()


def sign(client, key, algorithm, message=MESSAGE, message_type="RAW"):
    return client.sign(KeyId=key, Message=message, MessageType=message_type,
                       SigningAlgorithm=algorithm)["Signature"]


def verify(client, key, algorithm, signature, message=MESSAGE, message_type="RAW"):
    return client.verify(KeyId=key, Message=message, MessageType=message_type, SigningAlgorithm=algorithm,
                         Signature=signature)


def pss(hash_algorithm, salt_length):
    return padding.PSS(mgf=padding.MGF1(hash_algorithm), salt_length=salt_length)


def verify_offline(public, algorithm, signature, message, message_type="RAW"):
    """Raise InvalidSignature unless ``signature`` is the standard ``algorithm`` signature of ``message``."""
    if algorithm.startswith(("RSASSA", "ECDSA")):
        h = hash_of(algorithm)
        chosen = utils.Prehashed(h) if message_type == "DIGEST" else h
        if algorithm.startswith("RSASSA_PSS"):
            public.verify(signature, message, pss(h, h.digest_size), chosen)   # salt length = hash length
        elif algorithm.startswith("RSASSA_PKCS1"):
            public.verify(signature, message, padding.PKCS1v15(), chosen)
        else:
            public.verify(signature, message, ec.ECDSA(chosen))
    else:  # pure Ed25519 (RFC 8032) and pure ML-DSA (FIPS 204, empty context)
        assert message_type == "RAW"
        public.verify(signature, message)


def verify_ed25519ph_offline(public, digest, signature):
    """Ed25519ph (RFC 8032, empty context) over message = ``digest``; raises ValueError if it does not verify."""
    from Crypto.Hash import SHA512
    from Crypto.Signature import eddsa
    key = eddsa.import_public_key(public.public_bytes_raw())
    eddsa.new(key, "rfc8032").verify(SHA512.new(digest), signature)


def external_mu(public, message):
    """FIPS 204 μ for pure ML-DSA with an empty context: SHAKE256(SHAKE256(pk, 64) || 0x00 0x00 || M, 64)."""
    tr = hashlib.shake_256(public.public_bytes_raw()).digest(64)
    return hashlib.shake_256(tr + b"\x00\x00" + message).digest(64)


def assert_invalid_signature(excinfo):
    """AWS sends KMSInvalidSignatureException with no message (recorded row 47)."""
    assert error_of(excinfo) == ("KMSInvalidSignatureException", "", 400)
    assert "message" not in excinfo.value.response


def _sign_call(client, key, algorithm, message, message_type, **kwargs):
    return client.sign(KeyId=key, Message=message, MessageType=message_type, SigningAlgorithm=algorithm, **kwargs)


def _verify_call(client, key, algorithm, message, message_type, **kwargs):
    return client.verify(KeyId=key, Message=message, MessageType=message_type, SigningAlgorithm=algorithm,
                         Signature=b"a signature that is never checked", **kwargs)


#: Sign and Verify called with (client, key, algorithm, message, message type, **more parameters); Verify
#: gets a dummy signature, so only errors raised before the signature is checked can come out of it.
CALLS = {"Sign": _sign_call, "Verify": _verify_call}
OPERATIONS = sorted(CALLS)


# ---------------------------------------------------------------------------------- algorithm lists

@pytest.mark.parametrize("spec", sorted(SIGNING_ALGORITHMS))
def test_listed_signing_algorithms_are_the_ones_this_file_signs_with(client, spec):
    metadata = client.describe_key(KeyId=new_key(client, spec))["KeyMetadata"]
    assert set(metadata["SigningAlgorithms"]) == set(SIGNING_ALGORITHMS[spec])


@pytest.mark.parametrize("spec", sorted(SIGNING_ALGORITHMS))
def test_signing_algorithms_are_listed_in_aws_order(client, spec):
    # key-specs.md §1 gives the RSA order from the botocore model's DescribeKey example (PKCS1 first).
    metadata = client.describe_key(KeyId=new_key(client, spec))["KeyMetadata"]
    assert metadata["SigningAlgorithms"] == SIGNING_ALGORITHMS[spec]


@pytest.mark.parametrize("spec", sorted(SIGNING_ALGORITHMS))
def test_get_public_key_lists_the_same_signing_algorithms_as_describe_key(client, spec):
    key = new_key(client, spec)
    response = client.get_public_key(KeyId=key)
    listed = client.describe_key(KeyId=key)["KeyMetadata"]["SigningAlgorithms"]
    assert (response["KeyUsage"], response["SigningAlgorithms"]) == ("SIGN_VERIFY", listed)


# ---------------------------------------------------------------------------------- signatures checked offline

@pytest.mark.parametrize("spec, algorithm", RAW_PAIRS)
def test_raw_signature_verifies_offline_with_the_public_key(client, spec, algorithm):
    key = new_key(client, spec)
    signature = sign(client, key, algorithm)
    verify_offline(public_key(client, key), algorithm, signature, MESSAGE)  # raises if it does not verify


@pytest.mark.parametrize("spec, algorithm", RAW_PAIRS)
def test_raw_signature_verifies_in_the_mock(client, spec, algorithm):
    key = new_key(client, spec)
    response = verify(client, key, algorithm, sign(client, key, algorithm))
    assert {k: v for k, v in response.items() if k != "ResponseMetadata"} == {
        "KeyId": arn(key), "SignatureValid": True, "SigningAlgorithm": algorithm}


@pytest.mark.parametrize("spec, algorithm", RAW_PAIRS)
def test_raw_signature_does_not_verify_offline_over_another_message(client, spec, algorithm):
    key = new_key(client, spec)
    signature = sign(client, key, algorithm)
    with pytest.raises(InvalidSignature):
        verify_offline(public_key(client, key), algorithm, signature, MESSAGE + b"!")


@pytest.mark.parametrize("spec, algorithm", [p for p in RAW_PAIRS if p.values[0] in RSA_MODULUS_BYTES])
def test_rsa_signature_is_as_long_as_the_modulus(client, spec, algorithm):
    key = new_key(client, spec)
    assert len(sign(client, key, algorithm)) == RSA_MODULUS_BYTES[spec]


@pytest.mark.parametrize("spec, algorithm", [p for p in RAW_PAIRS if p.values[1].startswith("ECDSA")])
def test_ecdsa_signature_is_canonical_der(client, spec, algorithm):
    key = new_key(client, spec)
    signature = sign(client, key, algorithm)
    r, s = utils.decode_dss_signature(signature)
    assert utils.encode_dss_signature(r, s) == signature and r > 0 and s > 0


@pytest.mark.parametrize("spec", sorted(CURVE_ORDERS))
def test_ecdsa_signatures_are_not_low_s_normalised(client, spec):
    """key-specs.md §4.2 [G]: KMS leaves s as it comes; half of all signatures have s > n/2."""
    key = new_key(client, spec)
    s_values = [utils.decode_dss_signature(sign(client, key, "ECDSA_SHA_256"))[1] for _ in range(24)]
    assert any(s > CURVE_ORDERS[spec] // 2 for s in s_values)  # fails by chance with p = 2**-24


def test_ed25519_signature_is_64_raw_bytes(client):
    key = new_key(client, "ECC_NIST_EDWARDS25519")
    assert len(sign(client, key, "ED25519_SHA_512")) == 64


@pytest.mark.parametrize("spec", ML_DSA_SPECS)
def test_ml_dsa_signature_has_the_fips_204_size(client, spec):
    key = new_key(client, spec)
    assert len(sign(client, key, "ML_DSA_SHAKE_256")) == ML_DSA_SIGNATURE_BYTES[spec]


@pytest.mark.parametrize("spec", ML_DSA_SPECS)
def test_ml_dsa_signature_uses_the_empty_context(client, spec):
    key = new_key(client, spec)
    signature = sign(client, key, "ML_DSA_SHAKE_256")
    public = public_key(client, key)
    public.verify(signature, MESSAGE, b"")
    with pytest.raises(InvalidSignature):
        public.verify(signature, MESSAGE, b"a context")


@pytest.mark.parametrize("algorithm", ["RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512"])
@pytest.mark.parametrize("salt_length", [
    lambda h: 0,
    lambda h: 20,                            # SHA-1's length
    lambda h: h.digest_size - 1,
    lambda h: 256 - h.digest_size - 2,       # the largest salt RSA-2048 allows (a number: PSS.MAX_LENGTH
],                                           # would make OpenSSL accept any salt length when verifying)
    ids=["salt-0", "salt-20", "salt-hash-minus-1", "salt-max"])
def test_pss_salt_is_not_of_another_length(client, algorithm, salt_length):
    """The salt is exactly the hash length (key-specs.md §4.1): other salt lengths fail offline."""
    key = new_key(client, "RSA_2048")
    signature = sign(client, key, algorithm)
    h = hash_of(algorithm)
    with pytest.raises(InvalidSignature):
        public_key(client, key).verify(signature, MESSAGE, pss(h, salt_length(h)), h)


@pytest.mark.parametrize("size", [1, 4096])
def test_raw_message_sizes_at_the_limits_sign_and_verify(client, size):
    key = new_key(client, "ECC_NIST_P256")
    message = os.urandom(size)
    signature = sign(client, key, "ECDSA_SHA_256", message)
    assert verify(client, key, "ECDSA_SHA_256", signature, message)["SignatureValid"] is True
    verify_offline(public_key(client, key), "ECDSA_SHA_256", signature, message)


def test_sign_response_fields(client):
    key = new_key(client, "ECC_NIST_P256")
    response = client.sign(KeyId=key, Message=MESSAGE, SigningAlgorithm="ECDSA_SHA_256")
    assert sorted(k for k in response if k != "ResponseMetadata") == ["KeyId", "Signature", "SigningAlgorithm"]
    assert (response["KeyId"], response["SigningAlgorithm"]) == (arn(key), "ECDSA_SHA_256")


def test_message_type_defaults_to_raw(client):
    key = new_key(client, "ECC_NIST_P256")
    signature = client.sign(KeyId=key, Message=MESSAGE, SigningAlgorithm="ECDSA_SHA_256")["Signature"]
    verify_offline(public_key(client, key), "ECDSA_SHA_256", signature, MESSAGE)
    assert client.verify(KeyId=key, Message=MESSAGE, SigningAlgorithm="ECDSA_SHA_256",
                         Signature=signature)["SignatureValid"] is True


# ---------------------------------------------------------------------------------- MessageType DIGEST

@pytest.mark.parametrize("spec, algorithm", DIGEST_PAIRS)
def test_digest_signature_verifies_offline_as_prehashed(client, spec, algorithm):
    key = new_key(client, spec)
    digest = digest_of(algorithm, MESSAGE)
    signature = sign(client, key, algorithm, digest, "DIGEST")
    verify_offline(public_key(client, key), algorithm, signature, digest, "DIGEST")


@pytest.mark.parametrize("spec, algorithm", DIGEST_PAIRS)
def test_digest_signature_is_a_signature_of_the_original_message(client, spec, algorithm):
    key = new_key(client, spec)
    signature = sign(client, key, algorithm, digest_of(algorithm, MESSAGE), "DIGEST")
    verify_offline(public_key(client, key), algorithm, signature, MESSAGE, "RAW")


@pytest.mark.parametrize("spec, algorithm", DIGEST_PAIRS)
def test_raw_signature_verifies_in_the_mock_as_digest_of_its_hash(client, spec, algorithm):
    key = new_key(client, spec)
    signature = sign(client, key, algorithm, MESSAGE, "RAW")
    response = verify(client, key, algorithm, signature, digest_of(algorithm, MESSAGE), "DIGEST")
    assert response["SignatureValid"] is True


@pytest.mark.parametrize("spec, algorithm", DIGEST_PAIRS)
def test_digest_signature_verifies_in_the_mock_as_raw_message(client, spec, algorithm):
    key = new_key(client, spec)
    signature = sign(client, key, algorithm, digest_of(algorithm, MESSAGE), "DIGEST")
    assert verify(client, key, algorithm, signature, MESSAGE, "RAW")["SignatureValid"] is True


@pytest.mark.parametrize("algorithm, spec", [("ECDSA_SHA_256", "ECC_NIST_P256"),
                                             ("RSASSA_PSS_SHA_256", "RSA_2048"),
                                             ("RSASSA_PKCS1_V1_5_SHA_256", "RSA_2048")])
def test_digest_bytes_signed_as_raw_do_not_verify_as_digest(client, spec, algorithm):
    """Signing the 32 digest bytes as RAW hashes them once more: KMS treats that as another message."""
    key = new_key(client, spec)
    digest = digest_of(algorithm, MESSAGE)
    signature = sign(client, key, algorithm, digest, "RAW")
    with pytest.raises(client.exceptions.KMSInvalidSignatureException) as excinfo:
        verify(client, key, algorithm, signature, digest, "DIGEST")
    assert_invalid_signature(excinfo)


def _wrong_lengths(size):
    return [size - 1, size + 1, 20]


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("spec, algorithm, length", [
    pytest.param(p.values[0], p.values[1], length, id=f"{p.id}-{length}")
    for p in DIGEST_PAIRS for length in _wrong_lengths(hash_of(p.values[1]).digest_size)
] + [pytest.param("ECC_NIST_EDWARDS25519", "ED25519_PH_SHA_512", length,
                  id=f"ECC_NIST_EDWARDS25519-ED25519_PH_SHA_512-{length}") for length in (32, 63, 65)])
def test_digest_of_the_wrong_length_is_rejected(client, operation, spec, algorithm, length):
    key = new_key(client, spec)
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        CALLS[operation](client, key, algorithm, os.urandom(length), "DIGEST")
    assert error_of(excinfo) == (  # recorded row 43 (Sign); Verify per the table under the rows
        "ValidationException", f"Digest is invalid length for algorithm {algorithm}.", 400)


@pytest.mark.parametrize("operation", OPERATIONS)
def test_digest_of_another_hash_is_rejected(client, operation):
    """A SHA-512 digest where ECDSA_SHA_256 wants SHA-256 (32 bytes) is the wrong length."""
    key = new_key(client, "ECC_NIST_P256")
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        CALLS[operation](client, key, "ECDSA_SHA_256", hashlib.sha512(MESSAGE).digest(), "DIGEST")
    assert error_of(excinfo) == (
        "ValidationException", "Digest is invalid length for algorithm ECDSA_SHA_256.", 400)


# ---------------------------------------------------------------------------------- MessageType pairings

@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("spec, algorithm, message_type, length", [
    ("ECC_NIST_EDWARDS25519", "ED25519_SHA_512", "DIGEST", 64),
    ("ECC_NIST_EDWARDS25519", "ED25519_SHA_512", "DIGEST", 32),
    ("ECC_NIST_EDWARDS25519", "ED25519_SHA_512", "EXTERNAL_MU", 64),
    ("ECC_NIST_EDWARDS25519", "ED25519_PH_SHA_512", "RAW", 64),
    ("ECC_NIST_EDWARDS25519", "ED25519_PH_SHA_512", "EXTERNAL_MU", 64),
    ("ML_DSA_44", "ML_DSA_SHAKE_256", "DIGEST", 64),
    ("ML_DSA_65", "ML_DSA_SHAKE_256", "DIGEST", 32),
    ("ECC_NIST_P256", "ECDSA_SHA_256", "EXTERNAL_MU", 64),
    ("ECC_NIST_P521", "ECDSA_SHA_512", "EXTERNAL_MU", 64),
    ("ECC_SECG_P256K1", "ECDSA_SHA_256", "EXTERNAL_MU", 64),
    ("RSA_2048", "RSASSA_PSS_SHA_512", "EXTERNAL_MU", 64),
    ("RSA_2048", "RSASSA_PKCS1_V1_5_SHA_256", "EXTERNAL_MU", 64),
], ids=lambda value: str(value))
def test_message_type_the_algorithm_does_not_take_is_rejected(client, operation, spec, algorithm, message_type,
                                                                length):
    key = new_key(client, spec)
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        CALLS[operation](client, key, algorithm, os.urandom(length), message_type)
    expected = f"MessageType {message_type} is not supported for signing algorithm {algorithm}."
    assert error_of(excinfo) == ("ValidationException", expected, 400)  # wording [G] (key-specs.md §4.2)


# ---------------------------------------------------------------------------------- Ed25519ph

def test_ed25519ph_signature_is_rfc8032_ph_over_the_supplied_digest(client):
    """KMS prehashes the 64 supplied bytes once more: Ed25519ph with message = those bytes (key-specs.md §4.1)."""
    key = new_key(client, "ECC_NIST_EDWARDS25519")
    digest = hashlib.sha512(MESSAGE).digest()
    signature = sign(client, key, "ED25519_PH_SHA_512", digest, "DIGEST")
    assert len(signature) == 64
    verify_ed25519ph_offline(public_key(client, key), digest, signature)  # raises ValueError if not


def test_ed25519ph_signature_is_not_a_pure_ed25519_signature_of_the_digest(client):
    key = new_key(client, "ECC_NIST_EDWARDS25519")
    digest = hashlib.sha512(MESSAGE).digest()
    signature = sign(client, key, "ED25519_PH_SHA_512", digest, "DIGEST")
    public = public_key(client, key)
    assert isinstance(public, ed25519.Ed25519PublicKey)
    with pytest.raises(InvalidSignature):
        public.verify(signature, digest)


def test_ed25519ph_signature_does_not_verify_offline_over_another_digest(client):
    key = new_key(client, "ECC_NIST_EDWARDS25519")
    signature = sign(client, key, "ED25519_PH_SHA_512", hashlib.sha512(MESSAGE).digest(), "DIGEST")
    with pytest.raises(ValueError):
        verify_ed25519ph_offline(public_key(client, key), hashlib.sha512(b"other").digest(), signature)


def test_ed25519ph_signature_verifies_in_the_mock(client):
    key = new_key(client, "ECC_NIST_EDWARDS25519")
    digest = hashlib.sha512(MESSAGE).digest()
    signature = sign(client, key, "ED25519_PH_SHA_512", digest, "DIGEST")
    response = verify(client, key, "ED25519_PH_SHA_512", signature, digest, "DIGEST")
    assert {k: v for k, v in response.items() if k != "ResponseMetadata"} == {
        "KeyId": arn(key), "SignatureValid": True, "SigningAlgorithm": "ED25519_PH_SHA_512"}


# ---------------------------------------------------------------------------------- ML-DSA EXTERNAL_MU

@pytest.mark.parametrize("spec", ML_DSA_SPECS)
def test_external_mu_signature_verifies_offline_over_the_message(client, spec):
    key = new_key(client, spec)
    public = public_key(client, key)
    signature = sign(client, key, "ML_DSA_SHAKE_256", external_mu(public, MESSAGE), "EXTERNAL_MU")
    assert len(signature) == ML_DSA_SIGNATURE_BYTES[spec]
    public.verify(signature, MESSAGE)  # pure ML-DSA, empty context; raises InvalidSignature if not


@pytest.mark.parametrize("spec", ML_DSA_SPECS)
def test_external_mu_signature_does_not_verify_offline_over_another_message(client, spec):
    key = new_key(client, spec)
    public = public_key(client, key)
    signature = sign(client, key, "ML_DSA_SHAKE_256", external_mu(public, MESSAGE), "EXTERNAL_MU")
    with pytest.raises(InvalidSignature):
        public.verify(signature, b"another message")


@pytest.mark.parametrize("spec", ML_DSA_SPECS)
def test_raw_signature_verifies_in_the_mock_as_external_mu(client, spec):
    key = new_key(client, spec)
    signature = sign(client, key, "ML_DSA_SHAKE_256", MESSAGE, "RAW")
    mu = external_mu(public_key(client, key), MESSAGE)
    assert verify(client, key, "ML_DSA_SHAKE_256", signature, mu, "EXTERNAL_MU")["SignatureValid"] is True


@pytest.mark.parametrize("spec", ML_DSA_SPECS)
def test_external_mu_signature_verifies_in_the_mock_as_raw_message(client, spec):
    key = new_key(client, spec)
    signature = sign(client, key, "ML_DSA_SHAKE_256", external_mu(public_key(client, key), MESSAGE), "EXTERNAL_MU")
    assert verify(client, key, "ML_DSA_SHAKE_256", signature, MESSAGE, "RAW")["SignatureValid"] is True


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("length", [1, 32, 63, 65, 128])
def test_external_mu_of_the_wrong_length_is_rejected(client, operation, length):
    key = new_key(client, "ML_DSA_44")
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        CALLS[operation](client, key, "ML_DSA_SHAKE_256", os.urandom(length), "EXTERNAL_MU")
    assert error_of(excinfo) == (  # wording guessed like the digest one (key-specs.md §4.2 [G])
        "ValidationException", "Digest is invalid length for algorithm ML_DSA_SHAKE_256.", 400)


# ---------------------------------------------------------------------------------- without pycryptodome

@pytest.fixture
def without_pycryptodome(monkeypatch):
    """Make the optional pycryptodome modules unimportable for one test (optional.py imports them per call)."""
    for module in ("Crypto.Signature.eddsa", "Crypto.Signature.mldsa", "Crypto.PublicKey.MLDSA"):
        monkeypatch.setitem(sys.modules, module, None)


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("spec, algorithm, message_type, feature", [
    ("ECC_NIST_EDWARDS25519", "ED25519_PH_SHA_512", "DIGEST", "ED25519_PH_SHA_512"),
    ("ML_DSA_44", "ML_DSA_SHAKE_256", "EXTERNAL_MU", "MessageType EXTERNAL_MU"),
], ids=["ed25519ph", "external-mu"])
def test_without_pycryptodome_the_error_says_what_to_install(client, without_pycryptodome, operation, spec,
                                                            algorithm, message_type, feature):
    key = new_key(client, spec)
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        CALLS[operation](client, key, algorithm, os.urandom(64), message_type)
    assert error_of(excinfo) == (
        "NotImplementedException",
        f"mockkms needs pycryptodome >= 4.4 for {feature}: pip install 'mockkms[all-algorithms]'", 400)


def test_without_pycryptodome_a_dry_run_says_what_the_real_call_says(client, without_pycryptodome):
    key = new_key(client, "ECC_NIST_EDWARDS25519")
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.sign(KeyId=key, Message=os.urandom(64), MessageType="DIGEST",
                    SigningAlgorithm="ED25519_PH_SHA_512", DryRun=True)
    assert error_of(excinfo)[0] == "NotImplementedException"


@pytest.mark.parametrize("spec, algorithm", [("ECC_NIST_EDWARDS25519", "ED25519_SHA_512"),
                                             ("ML_DSA_65", "ML_DSA_SHAKE_256")])
def test_without_pycryptodome_pure_ed25519_and_raw_ml_dsa_still_sign(client, without_pycryptodome, spec,
                                                                      algorithm):
    key = new_key(client, spec)
    signature = sign(client, key, algorithm)
    verify_offline(public_key(client, key), algorithm, signature, MESSAGE)
    assert verify(client, key, algorithm, signature)["SignatureValid"] is True


# ---------------------------------------------------------------------------------- invalid signatures

#: (spec, algorithm, message type) of the signers the invalid-signature cases run against.
SIGNERS = [
    ("RSA_2048", "RSASSA_PSS_SHA_256", "RAW"),
    ("RSA_2048", "RSASSA_PKCS1_V1_5_SHA_512", "RAW"),
    ("RSA_2048", "RSASSA_PSS_SHA_384", "DIGEST"),
    ("ECC_NIST_P256", "ECDSA_SHA_256", "RAW"),
    ("ECC_NIST_P384", "ECDSA_SHA_384", "DIGEST"),
    ("ECC_NIST_P521", "ECDSA_SHA_512", "RAW"),
    ("ECC_SECG_P256K1", "ECDSA_SHA_256", "RAW"),
    ("ECC_NIST_EDWARDS25519", "ED25519_SHA_512", "RAW"),
    ("ECC_NIST_EDWARDS25519", "ED25519_PH_SHA_512", "DIGEST"),
    ("ML_DSA_44", "ML_DSA_SHAKE_256", "RAW"),
    ("ML_DSA_65", "ML_DSA_SHAKE_256", "EXTERNAL_MU"),
]
SIGNER_PARAMS = [pytest.param(*signer, id="-".join(signer)) for signer in SIGNERS]


def message_for(algorithm, message_type, text=MESSAGE):
    """A message of the right shape: ``text`` itself (RAW), or 64 bytes derived from it."""
    if message_type == "RAW":
        return text
    if algorithm.startswith(("RSASSA", "ECDSA")):
        return digest_of(algorithm, text)
    return hashlib.sha512(text).digest()  # Ed25519ph digest, or a stand-in μ (any 64 bytes sign)


def _flip_middle(signature):
    damaged = bytearray(signature)
    damaged[len(damaged) // 2] ^= 0x01
    return bytes(damaged)


@pytest.mark.parametrize("damage", [
    _flip_middle,
    lambda signature: signature[:-1],
    lambda signature: signature + b"\x00",
    lambda signature: signature[:1],
    lambda signature: b"\x00" * len(signature),
], ids=["flipped-bit", "last-byte-cut", "byte-appended", "one-byte", "zeros"])
@pytest.mark.parametrize("spec, algorithm, message_type", SIGNER_PARAMS)
def test_damaged_signature_is_invalid_signature_without_message(client, spec, algorithm, message_type, damage):
    key = new_key(client, spec)
    message = message_for(algorithm, message_type)
    signature = sign(client, key, algorithm, message, message_type)
    with pytest.raises(client.exceptions.KMSInvalidSignatureException) as excinfo:
        verify(client, key, algorithm, damage(signature), message, message_type)
    assert_invalid_signature(excinfo)


@pytest.mark.parametrize("spec, algorithm, message_type", SIGNER_PARAMS)
def test_signature_of_another_message_is_invalid_signature(client, spec, algorithm, message_type):
    key = new_key(client, spec)
    signature = sign(client, key, algorithm, message_for(algorithm, message_type, b"another message"), message_type)
    with pytest.raises(client.exceptions.KMSInvalidSignatureException) as excinfo:
        verify(client, key, algorithm, signature, message_for(algorithm, message_type), message_type)
    assert_invalid_signature(excinfo)  # recorded row 47


@pytest.mark.parametrize("spec, algorithm, message_type", SIGNER_PARAMS)
def test_signature_of_another_key_is_invalid_signature(client, spec, algorithm, message_type):
    key, other = new_key(client, spec), new_key(client, spec)
    message = message_for(algorithm, message_type)
    signature = sign(client, other, algorithm, message, message_type)
    with pytest.raises(client.exceptions.KMSInvalidSignatureException) as excinfo:
        verify(client, key, algorithm, signature, message, message_type)
    assert_invalid_signature(excinfo)


@pytest.mark.parametrize("spec, signed_with, checked_as, message_type, message", [
    ("RSA_2048", "RSASSA_PSS_SHA_256", "RSASSA_PKCS1_V1_5_SHA_256", "RAW", MESSAGE),
    ("RSA_2048", "RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PSS_SHA_256", "RAW", MESSAGE),
    ("RSA_2048", "RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_512", "RAW", MESSAGE),
    ("RSA_2048", "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_256", "RAW", MESSAGE),
    ("ECC_NIST_EDWARDS25519", "ED25519_SHA_512", "ED25519_PH_SHA_512", None, hashlib.sha512(MESSAGE).digest()),
    ("ECC_NIST_EDWARDS25519", "ED25519_PH_SHA_512", "ED25519_SHA_512", None, hashlib.sha512(MESSAGE).digest()),
], ids=["pss-as-pkcs1", "pkcs1-as-pss", "pss256-as-pss512", "pkcs1-384-as-pkcs1-256", "ed25519-as-ph",
        "ph-as-ed25519"])
def test_signature_checked_with_another_algorithm_of_the_key_is_invalid(client, spec, signed_with, checked_as,
                                                                         message_type, message):
    """Each Ed25519 algorithm gets the 64 bytes with its own MessageType (RAW for pure, DIGEST for ph)."""
    def kind(algorithm):
        return message_type or ("DIGEST" if algorithm == "ED25519_PH_SHA_512" else "RAW")
    key = new_key(client, spec)
    signature = sign(client, key, signed_with, message, kind(signed_with))
    with pytest.raises(client.exceptions.KMSInvalidSignatureException) as excinfo:
        verify(client, key, checked_as, signature, message, kind(checked_as))
    assert_invalid_signature(excinfo)


@pytest.mark.parametrize("garbage", [b"x", os.urandom(256), os.urandom(6144)], ids=["one-byte", "256", "6144"])
def test_garbage_signature_is_invalid_signature(client, garbage):
    key = new_key(client, "ECC_NIST_P256")
    with pytest.raises(client.exceptions.KMSInvalidSignatureException) as excinfo:
        verify(client, key, "ECDSA_SHA_256", garbage)
    assert_invalid_signature(excinfo)


# ---------------------------------------------------------------------------------- key usage and algorithm

@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("spec, usage, algorithm", [
    ("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", "RSASSA_PSS_SHA_256"),
    ("HMAC_256", "GENERATE_VERIFY_MAC", "ECDSA_SHA_256"),     # recorded row 42 used HMAC_224
    ("HMAC_224", "GENERATE_VERIFY_MAC", "RSASSA_PSS_SHA_256"),
    ("RSA_2048", "ENCRYPT_DECRYPT", "RSASSA_PSS_SHA_256"),
    ("RSA_4096", "ENCRYPT_DECRYPT", "RSASSA_PKCS1_V1_5_SHA_256"),
    ("ECC_NIST_P256", "KEY_AGREEMENT", "ECDSA_SHA_256"),
], ids=["symmetric", "hmac-256", "hmac-224", "rsa-2048-encrypt", "rsa-4096-encrypt", "ecc-key-agreement"])
def test_key_of_another_usage_is_invalid_key_usage(client, operation, spec, usage, algorithm):
    key = new_key(client, spec, usage)
    with pytest.raises(client.exceptions.InvalidKeyUsageException) as excinfo:
        CALLS[operation](client, key, algorithm, MESSAGE, "RAW")
    assert error_of(excinfo) == (  # recorded rows 42 (Sign), 46 (Verify)
        "InvalidKeyUsageException", f"{arn(key)} key usage is {usage} which is not valid for {operation}.", 400)


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("spec, algorithm", [
    ("ECC_NIST_P256", "ECDSA_SHA_384"),
    ("ECC_NIST_P256", "RSASSA_PSS_SHA_256"),
    ("ECC_NIST_P384", "ECDSA_SHA_256"),
    ("ECC_NIST_P521", "ECDSA_SHA_256"),
    ("ECC_SECG_P256K1", "ECDSA_SHA_512"),
    ("RSA_2048", "ECDSA_SHA_256"),
    ("RSA_4096", "ML_DSA_SHAKE_256"),
    ("ECC_NIST_EDWARDS25519", "ECDSA_SHA_512"),
    ("ECC_NIST_EDWARDS25519", "ML_DSA_SHAKE_256"),
    ("ML_DSA_44", "ED25519_SHA_512"),
    ("ML_DSA_87", "RSASSA_PKCS1_V1_5_SHA_512"),
], ids=lambda value: str(value))
def test_algorithm_not_listed_for_the_key_is_invalid_key_usage(client, operation, spec, algorithm):
    key = new_key(client, spec)
    with pytest.raises(client.exceptions.InvalidKeyUsageException) as excinfo:
        CALLS[operation](client, key, algorithm, MESSAGE, "RAW")
    assert error_of(excinfo) == (
        "InvalidKeyUsageException", f"Algorithm {algorithm} is incompatible with key spec {spec}.", 400)


@pytest.mark.parametrize("operation", OPERATIONS)
def test_key_usage_is_checked_before_the_algorithm(client, operation):
    key = new_key(client, "RSA_2048", "ENCRYPT_DECRYPT")
    with pytest.raises(client.exceptions.InvalidKeyUsageException) as excinfo:
        CALLS[operation](client, key, "ECDSA_SHA_256", MESSAGE, "RAW")
    assert error_of(excinfo)[1] == f"{arn(key)} key usage is ENCRYPT_DECRYPT which is not valid for {operation}."


@pytest.mark.parametrize("operation", OPERATIONS)
def test_incompatible_algorithm_is_reported_before_the_digest_length(client, operation):
    key = new_key(client, "ECC_NIST_P256")
    with pytest.raises(client.exceptions.InvalidKeyUsageException) as excinfo:
        CALLS[operation](client, key, "ECDSA_SHA_384", os.urandom(32), "DIGEST")
    assert error_of(excinfo)[1] == "Algorithm ECDSA_SHA_384 is incompatible with key spec ECC_NIST_P256."


ENUM_PREFIX = "1 validation error detected: Value '{}' at 'signingAlgorithm' failed to satisfy constraint: " \
              "Member must satisfy enum value set: ["


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("algorithm", ["ECDSA_SHA_1", "RSASSA_PSS_SHA_1", "ed25519_sha_512", "SM2DSA"])
def test_algorithm_outside_the_regions_enum_is_a_coral_enum_error(raw_client, operation, algorithm):
    key = new_key(raw_client, "ECC_NIST_P256")
    with pytest.raises(raw_client.exceptions.ClientError) as excinfo:
        CALLS[operation](raw_client, key, algorithm, MESSAGE, "RAW")
    code, message, status = error_of(excinfo)
    prefix = ENUM_PREFIX.format(algorithm)
    assert (code, status) == ("ValidationException", 400)
    assert message.startswith(prefix) and message.endswith("]")
    # Enum order is hash-like in AWS (errors.md 6.1); SM2DSA exists only in the China Regions.
    assert set(message[len(prefix):-1].split(", ")) == ALGORITHM_ENUM


@pytest.mark.parametrize("operation", OPERATIONS)
def test_sm2dsa_in_china_on_an_ecc_key_is_incompatible(kms, operation):
    china = make_client("cn-north-1")
    key = new_key(china, "ECC_NIST_P256")
    with pytest.raises(china.exceptions.InvalidKeyUsageException) as excinfo:
        CALLS[operation](china, key, "SM2DSA", MESSAGE, "RAW")
    assert error_of(excinfo) == (
        "InvalidKeyUsageException", "Algorithm SM2DSA is incompatible with key spec ECC_NIST_P256.", 400)


@pytest.mark.parametrize("operation", OPERATIONS)
def test_unknown_message_type_is_a_coral_enum_error(raw_client, operation):
    key = new_key(raw_client, "ECC_NIST_P256")
    with pytest.raises(raw_client.exceptions.ClientError) as excinfo:
        CALLS[operation](raw_client, key, "ECDSA_SHA_256", MESSAGE, "HASHED")
    code, message, status = error_of(excinfo)
    prefix = ("1 validation error detected: Value 'HASHED' at 'messageType' failed to satisfy constraint: "
              "Member must satisfy enum value set: [")
    assert (code, status) == ("ValidationException", 400)
    assert message.startswith(prefix) and set(message[len(prefix):-1].split(", ")) == {
        "RAW", "DIGEST", "EXTERNAL_MU"}


# ---------------------------------------------------------------------------------- message size

@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("message_type", ["RAW", "DIGEST"])
def test_message_over_4096_bytes_is_rejected_without_echoing_it(client, operation, message_type):
    key = new_key(client, "ECC_NIST_P256")
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        CALLS[operation](client, key, "ECDSA_SHA_256", b"m" * 4097, message_type)
    assert error_of(excinfo) == (  # the pattern of recorded row 20, with the 'message' member
        "ValidationException",
        "1 validation error detected: Value at 'message' failed to satisfy constraint: "
        "Member must have length less than or equal to 4096",
        400,
    )


@pytest.mark.parametrize("operation", OPERATIONS)
def test_empty_message_is_rejected(raw_client, operation):
    key = new_key(raw_client, "ECC_NIST_P256")
    with pytest.raises(raw_client.exceptions.ClientError) as excinfo:
        CALLS[operation](raw_client, key, "ECDSA_SHA_256", b"", "RAW")
    assert error_of(excinfo) == (
        "ValidationException",
        "1 validation error detected: Value at 'message' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1",
        400,
    )


# ---------------------------------------------------------------------------------- key identifiers

@pytest.fixture
def signing_key(client):
    key = new_key(client, "ECC_NIST_P256")
    client.create_alias(AliasName=ALIAS, TargetKeyId=key)
    return key


IDENTIFIERS = {
    "key id": lambda key: key,
    "key arn": arn,
    "alias name": lambda key: ALIAS,
    "alias arn": lambda key: ALIAS_ARN,
}


@pytest.mark.parametrize("ref_kind", sorted(IDENTIFIERS))
def test_sign_names_the_key_by_arn_whatever_identifier_was_given(client, signing_key, ref_kind):
    response = client.sign(KeyId=IDENTIFIERS[ref_kind](signing_key), Message=MESSAGE,
                           SigningAlgorithm="ECDSA_SHA_256")
    assert response["KeyId"] == arn(signing_key)
    verify_offline(public_key(client, signing_key), "ECDSA_SHA_256", response["Signature"], MESSAGE)


@pytest.mark.parametrize("ref_kind", sorted(IDENTIFIERS))
def test_verify_names_the_key_by_arn_whatever_identifier_was_given(client, signing_key, ref_kind):
    signature = sign(client, signing_key, "ECDSA_SHA_256")
    response = verify(client, IDENTIFIERS[ref_kind](signing_key), "ECDSA_SHA_256", signature)
    assert (response["KeyId"], response["SignatureValid"]) == (arn(signing_key), True)


@pytest.mark.parametrize("operation", OPERATIONS)
def test_unknown_alias_is_not_found(client, operation):
    with pytest.raises(client.exceptions.NotFoundException) as excinfo:
        CALLS[operation](client, "alias/no-such-alias", "ECDSA_SHA_256", MESSAGE, "RAW")
    assert error_of(excinfo) == (
        "NotFoundException", f"Alias arn:aws:kms:{REGION}:{ACCOUNT}:alias/no-such-alias is not found.", 400)


# ---------------------------------------------------------------------------------- key states

@pytest.mark.parametrize("ref_kind", ["key id", "alias name"])
@UNUSABLE_KEY
@pytest.mark.parametrize("operation", OPERATIONS)
def test_unusable_key_names_its_arn(client, signing_key, operation, make_unusable, code, suffix, ref_kind):
    make_unusable(client, signing_key)
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        CALLS[operation](client, IDENTIFIERS[ref_kind](signing_key), "ECDSA_SHA_256", MESSAGE, "RAW")
    assert error_of(excinfo) == (code, f"{arn(signing_key)} {suffix}", 400)


@pytest.mark.parametrize("operation", OPERATIONS)
def test_external_key_without_material_is_pending_import(client, operation):
    key = new_key(client, "ECC_NIST_P256", Origin="EXTERNAL")
    with pytest.raises(client.exceptions.KMSInvalidStateException) as excinfo:
        CALLS[operation](client, key, "ECDSA_SHA_256", MESSAGE, "RAW")
    assert error_of(excinfo) == ("KMSInvalidStateException", f"{arn(key)} is pending import.", 400)  # [G] row


@pytest.mark.parametrize("operation", OPERATIONS)
def test_key_state_is_checked_before_the_digest_length(client, signing_key, operation):
    client.disable_key(KeyId=signing_key)
    with pytest.raises(client.exceptions.DisabledException):
        CALLS[operation](client, signing_key, "ECDSA_SHA_256", b"short", "DIGEST")


@pytest.mark.parametrize("make_usable_again", [
    lambda client, key: (client.disable_key(KeyId=key), client.enable_key(KeyId=key)),
    lambda client, key: (client.schedule_key_deletion(KeyId=key, PendingWindowInDays=7), client.cancel_key_deletion(KeyId=key),
                         client.enable_key(KeyId=key)),
], ids=["re-enabled", "deletion-cancelled"])
def test_old_signature_verifies_once_the_key_is_usable_again(client, signing_key, make_usable_again):
    signature = sign(client, signing_key, "ECDSA_SHA_256")
    public_before = client.get_public_key(KeyId=signing_key)["PublicKey"]
    make_usable_again(client, signing_key)
    assert verify(client, signing_key, "ECDSA_SHA_256", signature)["SignatureValid"] is True
    assert client.get_public_key(KeyId=signing_key)["PublicKey"] == public_before


# ---------------------------------------------------------------------------------- DryRun and grant tokens

DRY_RUN_CALLS = {
    "Sign": lambda client, key, signature: client.sign(KeyId=key, Message=MESSAGE, SigningAlgorithm="ECDSA_SHA_256",
                                                       DryRun=True),
    "Verify": lambda client, key, signature: client.verify(KeyId=key, Message=MESSAGE, Signature=signature,
                                                           SigningAlgorithm="ECDSA_SHA_256", DryRun=True),
}


@pytest.mark.parametrize("operation", OPERATIONS)
def test_dry_run_that_would_succeed(client, signing_key, operation):
    signature = sign(client, signing_key, "ECDSA_SHA_256")
    with pytest.raises(client.exceptions.DryRunOperationException) as excinfo:
        DRY_RUN_CALLS[operation](client, signing_key, signature)
    assert error_of(excinfo) == ("DryRunOperationException", DRY_RUN, 400)  # recorded rows 22, 23
    assert excinfo.value.response["message"] == DRY_RUN


@pytest.mark.parametrize("operation", OPERATIONS)
def test_dry_run_has_no_effect(client, signing_key, operation):
    signature = sign(client, signing_key, "ECDSA_SHA_256")
    before = client.describe_key(KeyId=signing_key)["KeyMetadata"]
    public_before = client.get_public_key(KeyId=signing_key)["PublicKey"]
    with pytest.raises(client.exceptions.DryRunOperationException):
        DRY_RUN_CALLS[operation](client, signing_key, signature)
    assert client.describe_key(KeyId=signing_key)["KeyMetadata"] == before
    assert client.get_public_key(KeyId=signing_key)["PublicKey"] == public_before
    assert verify(client, signing_key, "ECDSA_SHA_256", signature)["SignatureValid"] is True


@pytest.mark.parametrize("operation", OPERATIONS)
def test_dry_run_on_a_disabled_key_gets_the_real_error(client, signing_key, operation):
    signature = sign(client, signing_key, "ECDSA_SHA_256")
    client.disable_key(KeyId=signing_key)
    with pytest.raises(client.exceptions.DisabledException) as excinfo:
        DRY_RUN_CALLS[operation](client, signing_key, signature)
    assert error_of(excinfo) == ("DisabledException", f"{arn(signing_key)} is disabled.", 400)


@pytest.mark.parametrize("operation", OPERATIONS)
def test_dry_run_with_a_wrong_digest_length_gets_the_validation_error(client, signing_key, operation):
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        CALLS[operation](client, signing_key, "ECDSA_SHA_256", b"short", "DIGEST", DryRun=True)
    assert error_of(excinfo) == (
        "ValidationException", "Digest is invalid length for algorithm ECDSA_SHA_256.", 400)


def test_verify_dry_run_with_a_bad_signature_gets_the_real_error(client, signing_key):
    """operations.md 0.1/0.6: DryRun answers DryRunOperationException only once every check passed,
    the signature check (step 8) included; otherwise the real error, as Decrypt does for a bad ciphertext."""
    with pytest.raises(client.exceptions.KMSInvalidSignatureException) as excinfo:
        DRY_RUN_CALLS["Verify"](client, signing_key, b"not a signature")
    assert_invalid_signature(excinfo)


@pytest.mark.parametrize("operation", OPERATIONS)
def test_grant_token_the_mock_never_issued_is_invalid(client, signing_key, operation):
    with pytest.raises(client.exceptions.InvalidGrantTokenException) as excinfo:
        CALLS[operation](client, signing_key, "ECDSA_SHA_256", MESSAGE, "RAW", GrantTokens=["never-issued"])
    code, message, status = error_of(excinfo)
    assert (code, status) == ("InvalidGrantTokenException", 400) and message  # text not recorded from AWS
