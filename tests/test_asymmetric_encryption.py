"""Asymmetric encryption (RSAES-OAEP with RSA ENCRYPT_DECRYPT keys) and data key pairs.

Encrypt, Decrypt and ReEncrypt with RSA keys; GenerateDataKeyPair and
GenerateDataKeyPairWithoutPlaintext.  Expected errors are AWS's (code, exact
message, HTTP 400); where the text comes from a recording the row of the shared
aws-reference/errors.md is named, where it is guessed (spec tag [G]) it says so.

RSA private keys are made when a key is first used and recycled between tests,
but data key pairs are handed out for good: RSA_4096 pairs are asked for only
where the spec matters (each costs about half a second).
"""
from __future__ import annotations

import os

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

from conftest import ACCOUNT, REGION, UNUSABLE_KEY, error_of

ARN_PREFIX = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/"
ALIAS = "alias/asymmetric-test"
CONTEXT = {"purpose": "test", "tenant": "acme"}
DRY_RUN = "The request would have succeeded, but the DryRun option is set."

RSA_SPECS = ["RSA_2048", "RSA_3072", "RSA_4096"]
OAEP_ALGORITHMS = ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"]
MODULUS_BYTES = {"RSA_2048": 256, "RSA_3072": 384, "RSA_4096": 512}
#: The most plaintext one OAEP block carries (key-specs.md 3; recorded row 21).
LIMITS = {
    ("RSA_2048", "RSAES_OAEP_SHA_1"): 214, ("RSA_2048", "RSAES_OAEP_SHA_256"): 190,
    ("RSA_3072", "RSAES_OAEP_SHA_1"): 342, ("RSA_3072", "RSAES_OAEP_SHA_256"): 318,
    ("RSA_4096", "RSAES_OAEP_SHA_1"): 470, ("RSA_4096", "RSAES_OAEP_SHA_256"): 446,
}
SPEC_AND_ALGORITHM = pytest.mark.parametrize("spec, algorithm", sorted(LIMITS))

KEY_PAIR_SPECS = ["RSA_2048", "RSA_3072", "RSA_4096", "ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521",
                  "ECC_SECG_P256K1", "ECC_NIST_EDWARDS25519"]
#: Specs that are cheap to generate, for behaviours that do not depend on the spec.
CHEAP_PAIR_SPECS = ["RSA_2048", "ECC_NIST_P256", "ECC_NIST_EDWARDS25519"]
PAIR_OPERATIONS = ["generate_data_key_pair", "generate_data_key_pair_without_plaintext"]
CURVES = {
    "ECC_NIST_P256": (ec.SECP256R1, hashes.SHA256),
    "ECC_NIST_P384": (ec.SECP384R1, hashes.SHA384),
    "ECC_NIST_P521": (ec.SECP521R1, hashes.SHA512),
    "ECC_SECG_P256K1": (ec.SECP256K1, hashes.SHA256),
}
RSA_BITS = {"RSA_2048": 2048, "RSA_3072": 3072, "RSA_4096": 4096}

_DER = serialization.Encoding.DER
_SPKI = serialization.PublicFormat.SubjectPublicKeyInfo
_PKCS8 = serialization.PrivateFormat.PKCS8


def arn(key_id):
    return ARN_PREFIX + key_id


def new_key(client, **kwargs):
    return client.create_key(**kwargs)["KeyMetadata"]["KeyId"]


def new_rsa_key(client, spec="RSA_2048", usage="ENCRYPT_DECRYPT"):
    return new_key(client, KeySpec=spec, KeyUsage=usage)


def oaep(algorithm):
    digest = {"RSAES_OAEP_SHA_1": hashes.SHA1, "RSAES_OAEP_SHA_256": hashes.SHA256}[algorithm]()
    return padding.OAEP(mgf=padding.MGF1(digest), algorithm=digest, label=None)


def public_key(client, key):
    return serialization.load_der_public_key(client.get_public_key(KeyId=key)["PublicKey"])


def offline_encrypt(client, key, algorithm, plaintext):
    """OAEP outside KMS, with the public key KMS hands out (same hash for MGF1, no label)."""
    return public_key(client, key).encrypt(plaintext, oaep(algorithm))


def rsa_encrypt(client, key, algorithm="RSAES_OAEP_SHA_256", plaintext=b"secret"):
    return client.encrypt(KeyId=key, Plaintext=plaintext, EncryptionAlgorithm=algorithm)["CiphertextBlob"]


def rsa_decrypt(client, key, blob, algorithm="RSAES_OAEP_SHA_256"):
    return client.decrypt(CiphertextBlob=blob, KeyId=key, EncryptionAlgorithm=algorithm)["Plaintext"]


def fields(response, *left_out):
    return {k: v for k, v in response.items() if k not in ("ResponseMetadata",) + left_out}


def assert_empty_error(excinfo, code):
    """AWS sends these errors with no message at all: botocore shows '' and no top-level 'message'."""
    assert error_of(excinfo) == (code, "", 400)
    assert "message" not in excinfo.value.response


def enum_error_values(message, value, member):
    """The value list of a Coral enum error, after checking the rest of the message."""
    prefix = (f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: "
              "Member must satisfy enum value set: [")
    assert message.startswith(prefix) and message.endswith("]"), message
    return set(message[len(prefix):-1].split(", "))


@pytest.fixture
def rsa_key(client):
    """An RSA_2048 ENCRYPT_DECRYPT key."""
    return new_rsa_key(client)


@pytest.fixture
def alias(client, rsa_key):
    client.create_alias(AliasName=ALIAS, TargetKeyId=rsa_key)
    return ALIAS


# ---------------------------------------------------------------------------------- round trips

@SPEC_AND_ALGORITHM
def test_ciphertext_made_offline_with_the_public_key_decrypts_in_the_mock(client, spec, algorithm):
    key = new_rsa_key(client, spec)
    blob = offline_encrypt(client, key, algorithm, b"made outside KMS")
    assert rsa_decrypt(client, key, blob, algorithm) == b"made outside KMS"


@SPEC_AND_ALGORITHM
def test_mock_encrypt_then_mock_decrypt_round_trips(client, spec, algorithm):
    key = new_rsa_key(client, spec)
    blob = rsa_encrypt(client, key, algorithm, b"attack at dawn")
    assert rsa_decrypt(client, key, blob, algorithm) == b"attack at dawn"


@SPEC_AND_ALGORITHM
def test_ciphertext_is_exactly_one_modulus_long(client, spec, algorithm):
    key = new_rsa_key(client, spec)
    assert len(rsa_encrypt(client, key, algorithm, b"x")) == MODULUS_BYTES[spec]


def test_encrypt_response_names_the_key_by_arn_and_the_algorithm(client, rsa_key, alias):
    response = client.encrypt(KeyId=alias, Plaintext=b"x", EncryptionAlgorithm="RSAES_OAEP_SHA_1")
    assert fields(response, "CiphertextBlob") == {"KeyId": arn(rsa_key), "EncryptionAlgorithm": "RSAES_OAEP_SHA_1"}


def test_decrypt_response_has_no_key_material_id(client, rsa_key, alias):
    blob = rsa_encrypt(client, rsa_key, "RSAES_OAEP_SHA_256", b"secret")
    response = client.decrypt(CiphertextBlob=blob, KeyId=alias, EncryptionAlgorithm="RSAES_OAEP_SHA_256")
    assert fields(response) == {
        "KeyId": arn(rsa_key), "Plaintext": b"secret", "EncryptionAlgorithm": "RSAES_OAEP_SHA_256"}


def test_two_encryptions_of_the_same_plaintext_differ(client, rsa_key):
    """OAEP is randomized."""
    assert rsa_encrypt(client, rsa_key, plaintext=b"same") != rsa_encrypt(client, rsa_key, plaintext=b"same")


# ---------------------------------------------------------------------------------- plaintext limits

@SPEC_AND_ALGORITHM
def test_plaintext_of_exactly_the_limit_round_trips(client, spec, algorithm):
    key = new_rsa_key(client, spec)
    plaintext = os.urandom(LIMITS[spec, algorithm])
    assert rsa_decrypt(client, key, rsa_encrypt(client, key, algorithm, plaintext), algorithm) == plaintext


@SPEC_AND_ALGORITHM
def test_plaintext_one_byte_over_the_limit_is_rejected(client, spec, algorithm):
    key = new_rsa_key(client, spec)
    limit = LIMITS[spec, algorithm]
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.encrypt(KeyId=key, Plaintext=b"p" * (limit + 1), EncryptionAlgorithm=algorithm)
    assert error_of(excinfo) == (  # recorded row 21
        "ValidationException",
        f"Algorithm {algorithm} and key spec {spec} cannot encrypt data larger than {limit} bytes.",
        400,
    )
    assert "message" not in excinfo.value.response  # ValidationException is not in KMS's model


# ---------------------------------------------------------------------------------- usage and algorithm

@pytest.mark.parametrize("spec", RSA_SPECS)
@pytest.mark.parametrize("explicit", [False, True], ids=["default", "explicit"])
def test_encrypt_with_symmetric_default_on_an_rsa_key_is_invalid_key_usage(client, spec, explicit):
    key = new_rsa_key(client, spec)
    kwargs = {"EncryptionAlgorithm": "SYMMETRIC_DEFAULT"} if explicit else {}
    with pytest.raises(client.exceptions.InvalidKeyUsageException) as excinfo:
        client.encrypt(KeyId=key, Plaintext=b"x", **kwargs)
    assert error_of(excinfo) == (
        "InvalidKeyUsageException", f"Algorithm SYMMETRIC_DEFAULT is incompatible with key spec {spec}.", 400)


def test_decrypt_without_an_algorithm_on_an_rsa_key_is_invalid_key_usage(client, rsa_key):
    blob = rsa_encrypt(client, rsa_key)
    with pytest.raises(client.exceptions.InvalidKeyUsageException) as excinfo:
        client.decrypt(CiphertextBlob=blob, KeyId=rsa_key)
    assert error_of(excinfo) == (
        "InvalidKeyUsageException", "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048.", 400)


@pytest.mark.parametrize("spec, usage", [
    ("RSA_2048", "SIGN_VERIFY"),              # recorded row 18
    ("RSA_4096", "SIGN_VERIFY"),              # asserted (code only) by test_invalid_key_usage
    ("ECC_NIST_P256", "SIGN_VERIFY"),
    ("ECC_NIST_P256", "KEY_AGREEMENT"),
    ("HMAC_256", "GENERATE_VERIFY_MAC"),
])
@pytest.mark.parametrize("algorithm", [None, "RSAES_OAEP_SHA_256"])
def test_encrypt_with_a_key_of_another_usage_names_the_usage(client, spec, usage, algorithm):
    """Usage is checked before the algorithm, so the algorithm does not change the error."""
    key = new_key(client, KeySpec=spec, KeyUsage=usage)
    kwargs = {"EncryptionAlgorithm": algorithm} if algorithm else {}
    with pytest.raises(client.exceptions.InvalidKeyUsageException) as excinfo:
        client.encrypt(KeyId=key, Plaintext=b"x", **kwargs)
    assert error_of(excinfo) == (
        "InvalidKeyUsageException", f"{arn(key)} key usage is {usage} which is not valid for Encrypt.", 400)


def test_re_encrypt_to_an_rsa_key_without_destination_algorithm_is_invalid_key_usage(client, key_id, rsa_key):
    blob = client.encrypt(KeyId=key_id, Plaintext=b"x")["CiphertextBlob"]
    with pytest.raises(client.exceptions.InvalidKeyUsageException) as excinfo:
        client.re_encrypt(CiphertextBlob=blob, DestinationKeyId=rsa_key)
    assert error_of(excinfo) == (
        "InvalidKeyUsageException", "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048.", 400)


def test_re_encrypt_to_a_sign_verify_rsa_key_is_invalid_key_usage(client, key_id):
    signing = new_rsa_key(client, usage="SIGN_VERIFY")
    blob = client.encrypt(KeyId=key_id, Plaintext=b"x")["CiphertextBlob"]
    with pytest.raises(client.exceptions.InvalidKeyUsageException) as excinfo:
        client.re_encrypt(CiphertextBlob=blob, DestinationKeyId=signing,
                          DestinationEncryptionAlgorithm="RSAES_OAEP_SHA_256")
    assert error_of(excinfo) == (
        "InvalidKeyUsageException", f"{arn(signing)} key usage is SIGN_VERIFY which is not valid for ReEncrypt.", 400)


# ---------------------------------------------------------------------------------- encryption context

#: Each call passes an encryption context to the asymmetric side: (client, RSA key, symmetric key).
CONTEXT_CALLS = {
    "Encrypt": (lambda c, rsa_key, sym: c.encrypt(
        KeyId=rsa_key, Plaintext=b"x", EncryptionAlgorithm="RSAES_OAEP_SHA_256", EncryptionContext=CONTEXT),
        "EncryptionContext"),
    "Decrypt": (lambda c, rsa_key, sym: c.decrypt(
        CiphertextBlob=rsa_encrypt(c, rsa_key), KeyId=rsa_key, EncryptionAlgorithm="RSAES_OAEP_SHA_256",
        EncryptionContext=CONTEXT),
        "EncryptionContext"),
    "ReEncrypt-source": (lambda c, rsa_key, sym: c.re_encrypt(
        CiphertextBlob=rsa_encrypt(c, rsa_key), SourceKeyId=rsa_key, SourceEncryptionAlgorithm="RSAES_OAEP_SHA_256",
        SourceEncryptionContext=CONTEXT, DestinationKeyId=sym),
        "SourceEncryptionContext"),
    "ReEncrypt-destination": (lambda c, rsa_key, sym: c.re_encrypt(
        CiphertextBlob=c.encrypt(KeyId=sym, Plaintext=b"x")["CiphertextBlob"], DestinationKeyId=rsa_key,
        DestinationEncryptionAlgorithm="RSAES_OAEP_SHA_256", DestinationEncryptionContext=CONTEXT),
        "DestinationEncryptionContext"),
}


@pytest.mark.parametrize("call", sorted(CONTEXT_CALLS))
def test_encryption_context_with_an_asymmetric_key_is_rejected(client, rsa_key, key_id, call):
    make_call, parameter = CONTEXT_CALLS[call]
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        make_call(client, rsa_key, key_id)
    # Wording guessed [G]: the rule is documented, the message was never recorded.
    assert error_of(excinfo) == (
        "ValidationException", f"{parameter} is not supported for asymmetric encryption.", 400)


# ---------------------------------------------------------------------------------- failed decryption

@pytest.mark.parametrize("algorithm", [None, "RSAES_OAEP_SHA_256"], ids=["no-algorithm", "rsa-algorithm"])
def test_rsa_ciphertext_without_a_key_id_is_invalid_ciphertext(client, rsa_key, algorithm):
    """Bare OAEP output names no key: only the request's KeyId can."""
    blob = rsa_encrypt(client, rsa_key)
    kwargs = {"EncryptionAlgorithm": algorithm} if algorithm else {}
    with pytest.raises(client.exceptions.InvalidCiphertextException) as excinfo:
        client.decrypt(CiphertextBlob=blob, **kwargs)
    assert_empty_error(excinfo, "InvalidCiphertextException")


@pytest.mark.parametrize("encrypted_with, decrypted_with", [
    ("RSAES_OAEP_SHA_256", "RSAES_OAEP_SHA_1"), ("RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256")])
def test_decrypt_with_the_other_oaep_hash_is_invalid_ciphertext(client, rsa_key, encrypted_with, decrypted_with):
    blob = rsa_encrypt(client, rsa_key, encrypted_with)
    with pytest.raises(client.exceptions.InvalidCiphertextException) as excinfo:
        rsa_decrypt(client, rsa_key, blob, decrypted_with)
    assert_empty_error(excinfo, "InvalidCiphertextException")


@pytest.mark.parametrize("garbage", [
    b"x",
    os.urandom(255),
    os.urandom(256),     # one modulus long
    os.urandom(257),
    b"\x00" * 256,
    os.urandom(6144),    # the largest blob the model allows
], ids=["one-byte", "255-bytes", "256-random", "257-bytes", "256-zeros", "6144-bytes"])
def test_garbage_naming_an_rsa_key_is_invalid_ciphertext(client, rsa_key, garbage):
    with pytest.raises(client.exceptions.InvalidCiphertextException) as excinfo:
        rsa_decrypt(client, rsa_key, garbage)
    assert_empty_error(excinfo, "InvalidCiphertextException")


@pytest.mark.parametrize("position", [0, 100, -1])
def test_flipped_byte_in_rsa_ciphertext_is_invalid_ciphertext(client, rsa_key, position):
    damaged = bytearray(rsa_encrypt(client, rsa_key))
    damaged[position] ^= 0x01
    with pytest.raises(client.exceptions.InvalidCiphertextException) as excinfo:
        rsa_decrypt(client, rsa_key, bytes(damaged))
    assert_empty_error(excinfo, "InvalidCiphertextException")


def test_rsa_ciphertext_of_another_rsa_key_is_invalid_ciphertext(client, rsa_key):
    other = new_rsa_key(client)
    with pytest.raises(client.exceptions.InvalidCiphertextException) as excinfo:
        rsa_decrypt(client, other, rsa_encrypt(client, rsa_key))
    assert_empty_error(excinfo, "InvalidCiphertextException")


def test_symmetric_ciphertext_naming_an_rsa_key_is_invalid_ciphertext(client, key_id, rsa_key):
    """The named RSA key is tried (OAEP), and a symmetric blob is not OAEP output."""
    blob = client.encrypt(KeyId=key_id, Plaintext=b"x")["CiphertextBlob"]
    with pytest.raises(client.exceptions.InvalidCiphertextException) as excinfo:
        rsa_decrypt(client, rsa_key, blob)
    assert_empty_error(excinfo, "InvalidCiphertextException")


# ---------------------------------------------------------------------------------- ReEncrypt

def test_re_encrypt_symmetric_to_rsa_decrypts_under_the_rsa_key(client, key_id, rsa_key):
    blob = client.encrypt(KeyId=key_id, Plaintext=b"moving", EncryptionContext=CONTEXT)["CiphertextBlob"]
    moved = client.re_encrypt(CiphertextBlob=blob, SourceEncryptionContext=CONTEXT, DestinationKeyId=rsa_key,
                              DestinationEncryptionAlgorithm="RSAES_OAEP_SHA_1")["CiphertextBlob"]
    assert len(moved) == 256
    assert rsa_decrypt(client, rsa_key, moved, "RSAES_OAEP_SHA_1") == b"moving"


def test_re_encrypt_rsa_to_symmetric_with_a_destination_context(client, key_id, rsa_key):
    blob = offline_encrypt(client, rsa_key, "RSAES_OAEP_SHA_256", b"moving")
    moved = client.re_encrypt(CiphertextBlob=blob, SourceKeyId=rsa_key, SourceEncryptionAlgorithm="RSAES_OAEP_SHA_256",
                              DestinationKeyId=key_id, DestinationEncryptionContext=CONTEXT)["CiphertextBlob"]
    assert client.decrypt(CiphertextBlob=moved, EncryptionContext=CONTEXT)["Plaintext"] == b"moving"


def test_re_encrypt_rsa_to_rsa_with_another_algorithm(client, rsa_key):
    destination = new_rsa_key(client, "RSA_3072")
    blob = rsa_encrypt(client, rsa_key, "RSAES_OAEP_SHA_1", b"moving")
    moved = client.re_encrypt(CiphertextBlob=blob, SourceKeyId=rsa_key, SourceEncryptionAlgorithm="RSAES_OAEP_SHA_1",
                              DestinationKeyId=destination,
                              DestinationEncryptionAlgorithm="RSAES_OAEP_SHA_256")["CiphertextBlob"]
    assert len(moved) == 384
    assert rsa_decrypt(client, destination, moved, "RSAES_OAEP_SHA_256") == b"moving"


@pytest.mark.parametrize("source_kind, destination_kind", [
    ("symmetric", "rsa"), ("rsa", "symmetric"), ("rsa", "rsa")])
def test_re_encrypt_response_reports_key_material_only_for_symmetric_sides(client, key_id, rsa_key, source_kind,
                                                                         destination_kind):
    material = client.describe_key(KeyId=key_id)["KeyMetadata"]["CurrentKeyMaterialId"]
    if source_kind == "symmetric":
        source, source_algorithm = key_id, "SYMMETRIC_DEFAULT"
        blob = client.encrypt(KeyId=key_id, Plaintext=b"x")["CiphertextBlob"]
    else:
        source, source_algorithm = rsa_key, "RSAES_OAEP_SHA_256"
        blob = rsa_encrypt(client, rsa_key, source_algorithm, b"x")
    if destination_kind == "symmetric":
        destination, destination_algorithm = key_id, "SYMMETRIC_DEFAULT"
    else:
        destination, destination_algorithm = new_rsa_key(client), "RSAES_OAEP_SHA_1"
    response = client.re_encrypt(CiphertextBlob=blob, SourceKeyId=source, SourceEncryptionAlgorithm=source_algorithm,
                                  DestinationKeyId=destination,
                                  DestinationEncryptionAlgorithm=destination_algorithm)
    expected = {"SourceKeyId": arn(source), "KeyId": arn(destination),
                "SourceEncryptionAlgorithm": source_algorithm,
                "DestinationEncryptionAlgorithm": destination_algorithm}
    if source_kind == "symmetric":
        expected["SourceKeyMaterialId"] = material
    if destination_kind == "symmetric":
        expected["DestinationKeyMaterialId"] = material
    assert fields(response, "CiphertextBlob") == expected


@pytest.mark.parametrize("size", [190, 191])
def test_re_encrypt_to_rsa_applies_the_destination_limit_to_the_recovered_plaintext(client, key_id, rsa_key, size):
    blob = client.encrypt(KeyId=key_id, Plaintext=b"p" * size)["CiphertextBlob"]

    def call():
        return client.re_encrypt(CiphertextBlob=blob, DestinationKeyId=rsa_key,
                                 DestinationEncryptionAlgorithm="RSAES_OAEP_SHA_256")["CiphertextBlob"]

    if size == 190:
        assert rsa_decrypt(client, rsa_key, call()) == b"p" * size
        return
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        call()
    assert error_of(excinfo) == (
        "ValidationException",
        "Algorithm RSAES_OAEP_SHA_256 and key spec RSA_2048 cannot encrypt data larger than 190 bytes.", 400)


def test_re_encrypt_rsa_to_a_smaller_rsa_key_is_refused_when_the_plaintext_does_not_fit(client, rsa_key):
    source = new_rsa_key(client, "RSA_3072")
    blob = rsa_encrypt(client, source, "RSAES_OAEP_SHA_1", b"p" * 342)
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.re_encrypt(CiphertextBlob=blob, SourceKeyId=source, SourceEncryptionAlgorithm="RSAES_OAEP_SHA_1",
                          DestinationKeyId=rsa_key, DestinationEncryptionAlgorithm="RSAES_OAEP_SHA_1")
    assert error_of(excinfo) == (
        "ValidationException",
        "Algorithm RSAES_OAEP_SHA_1 and key spec RSA_2048 cannot encrypt data larger than 214 bytes.", 400)


def test_re_encrypt_of_rsa_ciphertext_without_a_source_key_is_invalid_ciphertext(client, key_id, rsa_key):
    with pytest.raises(client.exceptions.InvalidCiphertextException) as excinfo:
        client.re_encrypt(CiphertextBlob=rsa_encrypt(client, rsa_key), SourceEncryptionAlgorithm="RSAES_OAEP_SHA_256",
                          DestinationKeyId=key_id)
    assert_empty_error(excinfo, "InvalidCiphertextException")


def test_re_encrypt_with_the_wrong_source_algorithm_is_invalid_ciphertext(client, key_id, rsa_key):
    with pytest.raises(client.exceptions.InvalidCiphertextException) as excinfo:
        client.re_encrypt(CiphertextBlob=rsa_encrypt(client, rsa_key, "RSAES_OAEP_SHA_256"), SourceKeyId=rsa_key,
                          SourceEncryptionAlgorithm="RSAES_OAEP_SHA_1", DestinationKeyId=key_id)
    assert_empty_error(excinfo, "InvalidCiphertextException")


# ---------------------------------------------------------------------------------- DryRun

#: Calls that would succeed: (client, RSA key, symmetric key).
DRY_RUN_CALLS = {
    "Encrypt": lambda c, rsa_key, sym: c.encrypt(
        KeyId=rsa_key, Plaintext=b"x", EncryptionAlgorithm="RSAES_OAEP_SHA_256", DryRun=True),
    "Decrypt": lambda c, rsa_key, sym: c.decrypt(
        CiphertextBlob=rsa_encrypt(c, rsa_key), KeyId=rsa_key, EncryptionAlgorithm="RSAES_OAEP_SHA_256", DryRun=True),
    "Decrypt-ignore-ciphertext": lambda c, rsa_key, sym: c.decrypt(
        KeyId=rsa_key, EncryptionAlgorithm="RSAES_OAEP_SHA_256", DryRun=True, DryRunModifiers=["IGNORE_CIPHERTEXT"]),
    "ReEncrypt-to-rsa": lambda c, rsa_key, sym: c.re_encrypt(
        CiphertextBlob=c.encrypt(KeyId=sym, Plaintext=b"x")["CiphertextBlob"], DestinationKeyId=rsa_key,
        DestinationEncryptionAlgorithm="RSAES_OAEP_SHA_1", DryRun=True),
    "ReEncrypt-from-rsa": lambda c, rsa_key, sym: c.re_encrypt(
        CiphertextBlob=rsa_encrypt(c, rsa_key), SourceKeyId=rsa_key, SourceEncryptionAlgorithm="RSAES_OAEP_SHA_256",
        DestinationKeyId=sym, DryRun=True),
    "ReEncrypt-from-rsa-ignore-ciphertext": lambda c, rsa_key, sym: c.re_encrypt(
        SourceKeyId=rsa_key, SourceEncryptionAlgorithm="RSAES_OAEP_SHA_256", DestinationKeyId=sym, DryRun=True,
        DryRunModifiers=["IGNORE_CIPHERTEXT"]),
}


@pytest.mark.parametrize("call", sorted(DRY_RUN_CALLS))
def test_dry_run_that_would_succeed(client, rsa_key, key_id, call):
    with pytest.raises(client.exceptions.DryRunOperationException) as excinfo:
        DRY_RUN_CALLS[call](client, rsa_key, key_id)
    assert error_of(excinfo) == ("DryRunOperationException", DRY_RUN, 400)
    assert excinfo.value.response["message"] == DRY_RUN


def test_dry_run_ignoring_the_ciphertext_still_checks_the_algorithm(client, rsa_key):
    with pytest.raises(client.exceptions.InvalidKeyUsageException) as excinfo:
        client.decrypt(KeyId=rsa_key, DryRun=True, DryRunModifiers=["IGNORE_CIPHERTEXT"])
    assert error_of(excinfo) == (
        "InvalidKeyUsageException", "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048.", 400)


def test_dry_run_ignoring_the_ciphertext_still_refuses_a_context_on_decrypt(client, rsa_key):
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.decrypt(KeyId=rsa_key, EncryptionAlgorithm="RSAES_OAEP_SHA_256", EncryptionContext=CONTEXT,
                       DryRun=True, DryRunModifiers=["IGNORE_CIPHERTEXT"])
    assert error_of(excinfo) == (
        "ValidationException", "EncryptionContext is not supported for asymmetric encryption.", 400)


def test_dry_run_ignoring_the_ciphertext_still_refuses_a_destination_context_on_re_encrypt(client, key_id, rsa_key):
    """The context is wrong whatever the ciphertext holds, so the real request would fail (operations.md 0.6)."""
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.re_encrypt(SourceKeyId=key_id, DestinationKeyId=rsa_key,
                          DestinationEncryptionAlgorithm="RSAES_OAEP_SHA_256", DestinationEncryptionContext=CONTEXT,
                          DryRun=True, DryRunModifiers=["IGNORE_CIPHERTEXT"])
    assert error_of(excinfo) == (
        "ValidationException", "DestinationEncryptionContext is not supported for asymmetric encryption.", 400)


def test_dry_run_with_an_oversized_rsa_plaintext_gets_the_size_error(client, rsa_key):
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.encrypt(KeyId=rsa_key, Plaintext=b"p" * 215, EncryptionAlgorithm="RSAES_OAEP_SHA_1", DryRun=True)
    assert error_of(excinfo) == (
        "ValidationException",
        "Algorithm RSAES_OAEP_SHA_1 and key spec RSA_2048 cannot encrypt data larger than 214 bytes.", 400)


def test_dry_run_decrypt_of_garbage_gets_invalid_ciphertext(client, rsa_key):
    with pytest.raises(client.exceptions.InvalidCiphertextException) as excinfo:
        client.decrypt(CiphertextBlob=os.urandom(256), KeyId=rsa_key, EncryptionAlgorithm="RSAES_OAEP_SHA_256",
                       DryRun=True)
    assert_empty_error(excinfo, "InvalidCiphertextException")


# ---------------------------------------------------------------------------------- key states

#: Each call uses the RSA key as it would succeed: (client, RSA key, symmetric key, RSA blob, symmetric blob).
STATE_CALLS = {
    "Encrypt": lambda c, rsa_key, sym, rsa_blob, sym_blob: c.encrypt(
        KeyId=rsa_key, Plaintext=b"x", EncryptionAlgorithm="RSAES_OAEP_SHA_256"),
    "Decrypt": lambda c, rsa_key, sym, rsa_blob, sym_blob: c.decrypt(
        CiphertextBlob=rsa_blob, KeyId=rsa_key, EncryptionAlgorithm="RSAES_OAEP_SHA_256"),
    "Decrypt-ignore-ciphertext": lambda c, rsa_key, sym, rsa_blob, sym_blob: c.decrypt(
        KeyId=rsa_key, EncryptionAlgorithm="RSAES_OAEP_SHA_256", DryRun=True, DryRunModifiers=["IGNORE_CIPHERTEXT"]),
    "ReEncrypt-source": lambda c, rsa_key, sym, rsa_blob, sym_blob: c.re_encrypt(
        CiphertextBlob=rsa_blob, SourceKeyId=rsa_key, SourceEncryptionAlgorithm="RSAES_OAEP_SHA_256",
        DestinationKeyId=sym),
    "ReEncrypt-destination": lambda c, rsa_key, sym, rsa_blob, sym_blob: c.re_encrypt(
        CiphertextBlob=sym_blob, DestinationKeyId=rsa_key, DestinationEncryptionAlgorithm="RSAES_OAEP_SHA_256"),
}


@UNUSABLE_KEY
@pytest.mark.parametrize("call", sorted(STATE_CALLS))
def test_crypto_on_an_unusable_rsa_key_names_its_arn(client, rsa_key, key_id, call, make_unusable, code, suffix):
    rsa_blob = rsa_encrypt(client, rsa_key)
    sym_blob = client.encrypt(KeyId=key_id, Plaintext=b"x")["CiphertextBlob"]
    make_unusable(client, rsa_key)
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        STATE_CALLS[call](client, rsa_key, key_id, rsa_blob, sym_blob)
    assert error_of(excinfo) == (code, f"{arn(rsa_key)} {suffix}", 400)


def test_rsa_ciphertext_decrypts_again_after_re_enabling(client, rsa_key):
    blob = rsa_encrypt(client, rsa_key, plaintext=b"kept")
    client.disable_key(KeyId=rsa_key)
    client.enable_key(KeyId=rsa_key)
    assert rsa_decrypt(client, rsa_key, blob) == b"kept"


# ---------------------------------------------------------------------------------- SM2 outside China

#: SM2PKE exists only in the China Regions: each algorithm parameter, with its Coral member name.
SM2PKE_CALLS = {
    "Encrypt": (lambda c, rsa_key, sym: c.encrypt(KeyId=rsa_key, Plaintext=b"x", EncryptionAlgorithm="SM2PKE"),
                "encryptionAlgorithm"),
    "Decrypt": (lambda c, rsa_key, sym: c.decrypt(CiphertextBlob=b"x" * 256, KeyId=rsa_key,
                                                  EncryptionAlgorithm="SM2PKE"),
                "encryptionAlgorithm"),
    "ReEncrypt-source": (lambda c, rsa_key, sym: c.re_encrypt(
        CiphertextBlob=b"x" * 256, SourceKeyId=rsa_key, SourceEncryptionAlgorithm="SM2PKE", DestinationKeyId=sym),
        "sourceEncryptionAlgorithm"),
    "ReEncrypt-destination": (lambda c, rsa_key, sym: c.re_encrypt(
        CiphertextBlob=b"x" * 256, DestinationKeyId=rsa_key, DestinationEncryptionAlgorithm="SM2PKE"),
        "destinationEncryptionAlgorithm"),
}


@pytest.mark.parametrize("call", sorted(SM2PKE_CALLS))
def test_sm2pke_outside_china_is_an_enum_error_without_sm2pke(client, rsa_key, key_id, call):
    make_call, member = SM2PKE_CALLS[call]
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        make_call(client, rsa_key, key_id)
    code, message, status = error_of(excinfo)
    assert (code, status) == ("ValidationException", 400)
    assert enum_error_values(message, "SM2PKE", member) == {
        "SYMMETRIC_DEFAULT", "RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"}


# ---------------------------------------------------------------------------------- data key pairs

def load_private(der):
    return serialization.load_der_private_key(der, password=None)


def pair_private_key(client, operation, response, **decrypt_kwargs):
    """The PKCS#8 DER private key of a data key pair: given, or recovered through Decrypt."""
    if operation == "generate_data_key_pair":
        return response["PrivateKeyPlaintext"]
    return client.decrypt(CiphertextBlob=response["PrivateKeyCiphertextBlob"], **decrypt_kwargs)["Plaintext"]


@pytest.mark.parametrize("spec", KEY_PAIR_SPECS)
def test_private_key_plaintext_is_pkcs8_der_of_the_requested_spec(client, key_id, spec):
    der = client.generate_data_key_pair(KeyId=key_id, KeyPairSpec=spec)["PrivateKeyPlaintext"]
    private = load_private(der)
    # load_der_private_key also takes the traditional formats: re-encoding pins PKCS#8.
    assert private.private_bytes(_DER, _PKCS8, serialization.NoEncryption()) == der
    if spec in RSA_BITS:
        assert isinstance(private, rsa.RSAPrivateKey)
        assert private.key_size == RSA_BITS[spec]
        assert private.public_key().public_numbers().e == 65537
    elif spec in CURVES:
        assert isinstance(private, ec.EllipticCurvePrivateKey)
        assert isinstance(private.curve, CURVES[spec][0])
    else:
        assert isinstance(private, ed25519.Ed25519PrivateKey)


@pytest.mark.parametrize("spec", KEY_PAIR_SPECS)
@pytest.mark.parametrize("operation", PAIR_OPERATIONS)
def test_public_key_is_spki_der_of_the_private_half(client, key_id, operation, spec):
    response = getattr(client, operation)(KeyId=key_id, KeyPairSpec=spec)
    private = load_private(pair_private_key(client, operation, response))
    public = serialization.load_der_public_key(response["PublicKey"])
    assert public.public_bytes(_DER, _SPKI) == response["PublicKey"]  # canonical DER SPKI
    assert response["PublicKey"] == private.public_key().public_bytes(_DER, _SPKI)


def _check_usable(private, public, spec):
    message = b"data signed with a data key pair"
    if spec in RSA_BITS:
        # Key usage restrictions do not apply to data key pairs: an RSA pair signs and encrypts.
        pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.MAX_LENGTH)
        public.verify(private.sign(message, pss, hashes.SHA256()), message, pss, hashes.SHA256())
        assert private.decrypt(public.encrypt(message, oaep("RSAES_OAEP_SHA_256")),
                               oaep("RSAES_OAEP_SHA_256")) == message
    elif spec in CURVES:
        algorithm = ec.ECDSA(CURVES[spec][1]())
        public.verify(private.sign(message, algorithm), message, algorithm)
    else:
        public.verify(private.sign(message), message)


@pytest.mark.parametrize("spec", KEY_PAIR_SPECS)
def test_data_key_pair_signs_and_verifies_offline(client, key_id, spec):
    response = client.generate_data_key_pair(KeyId=key_id, KeyPairSpec=spec)
    _check_usable(load_private(response["PrivateKeyPlaintext"]),
                  serialization.load_der_public_key(response["PublicKey"]), spec)


@pytest.mark.parametrize("spec", CHEAP_PAIR_SPECS)
def test_private_key_ciphertext_decrypts_to_exactly_the_private_key_plaintext(client, key_id, spec):
    response = client.generate_data_key_pair(KeyId=key_id, KeyPairSpec=spec, EncryptionContext=CONTEXT)
    decrypted = client.decrypt(CiphertextBlob=response["PrivateKeyCiphertextBlob"], EncryptionContext=CONTEXT)
    assert fields(decrypted) == {
        "KeyId": arn(key_id), "Plaintext": response["PrivateKeyPlaintext"], "EncryptionAlgorithm": "SYMMETRIC_DEFAULT",
        "KeyMaterialId": response["KeyMaterialId"]}


@pytest.mark.parametrize("used_on_decrypt", [None, {"purpose": "other"}], ids=["omitted", "different"])
@pytest.mark.parametrize("operation", PAIR_OPERATIONS)
def test_private_key_ciphertext_is_bound_to_its_context(client, key_id, operation, used_on_decrypt):
    blob = getattr(client, operation)(KeyId=key_id, KeyPairSpec="ECC_NIST_P256",
                                      EncryptionContext=CONTEXT)["PrivateKeyCiphertextBlob"]
    kwargs = {} if used_on_decrypt is None else {"EncryptionContext": used_on_decrypt}
    with pytest.raises(client.exceptions.InvalidCiphertextException) as excinfo:
        client.decrypt(CiphertextBlob=blob, **kwargs)
    assert_empty_error(excinfo, "InvalidCiphertextException")  # recorded row 11


@pytest.mark.parametrize("spec", CHEAP_PAIR_SPECS)
@pytest.mark.parametrize("operation", PAIR_OPERATIONS)
def test_two_calls_give_different_pairs(client, key_id, operation, spec):
    first = getattr(client, operation)(KeyId=key_id, KeyPairSpec=spec)
    second = getattr(client, operation)(KeyId=key_id, KeyPairSpec=spec)
    assert first["PublicKey"] != second["PublicKey"]
    assert pair_private_key(client, operation, first) != pair_private_key(client, operation, second)


@pytest.mark.parametrize("spec", [spec for spec in KEY_PAIR_SPECS if spec not in ("RSA_3072", "RSA_4096")])
@pytest.mark.parametrize("operation", PAIR_OPERATIONS)
def test_data_key_pair_response_fields(client, key_id, operation, spec):
    client.create_alias(AliasName="alias/wrapping", TargetKeyId=key_id)
    material = client.describe_key(KeyId=key_id)["KeyMetadata"]["CurrentKeyMaterialId"]
    response = getattr(client, operation)(KeyId="alias/wrapping", KeyPairSpec=spec)
    expected = {"PrivateKeyCiphertextBlob", "PublicKey", "KeyId", "KeyPairSpec", "KeyMaterialId"}
    if operation == "generate_data_key_pair":
        expected.add("PrivateKeyPlaintext")
    assert set(fields(response)) == expected
    assert (response["KeyId"], response["KeyPairSpec"], response["KeyMaterialId"]) == (arn(key_id), spec, material)


def _ecc_key(usage):
    return lambda client: new_key(client, KeySpec="ECC_NIST_P256", KeyUsage=usage)


#: Wrapping keys a data key pair cannot use: (make key, expected message after the ARN).
NOT_WRAPPING_KEYS = {
    "rsa-encrypt-decrypt": (lambda client: new_rsa_key(client), "key spec is RSA_2048"),
    "rsa-4096-encrypt-decrypt": (lambda client: new_rsa_key(client, "RSA_4096"), "key spec is RSA_4096"),
    "rsa-sign-verify": (lambda client: new_rsa_key(client, usage="SIGN_VERIFY"), "key usage is SIGN_VERIFY"),
    "ecc-sign-verify": (_ecc_key("SIGN_VERIFY"), "key usage is SIGN_VERIFY"),
    "ecc-key-agreement": (_ecc_key("KEY_AGREEMENT"), "key usage is KEY_AGREEMENT"),
    "hmac": (lambda client: new_key(client, KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC"),
             "key usage is GENERATE_VERIFY_MAC"),
}
OPERATION_NAMES = {"generate_data_key_pair": "GenerateDataKeyPair",
                   "generate_data_key_pair_without_plaintext": "GenerateDataKeyPairWithoutPlaintext"}


@pytest.mark.parametrize("kind", sorted(NOT_WRAPPING_KEYS))
@pytest.mark.parametrize("operation", PAIR_OPERATIONS)
def test_data_key_pair_under_a_non_symmetric_key_is_invalid_key_usage(client, operation, kind):
    make_key, what = NOT_WRAPPING_KEYS[kind]
    key = make_key(client)
    with pytest.raises(client.exceptions.InvalidKeyUsageException) as excinfo:
        getattr(client, operation)(KeyId=key, KeyPairSpec="ECC_NIST_P256")
    assert error_of(excinfo) == (
        "InvalidKeyUsageException", f"{arn(key)} {what} which is not valid for {OPERATION_NAMES[operation]}.", 400)


@pytest.mark.parametrize("operation", PAIR_OPERATIONS)
def test_sm2_key_pair_outside_china_is_an_enum_error_without_sm2(client, key_id, operation):
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        getattr(client, operation)(KeyId=key_id, KeyPairSpec="SM2")
    code, message, status = error_of(excinfo)
    assert (code, status) == ("ValidationException", 400)
    model = client.meta.service_model.operation_model(OPERATION_NAMES[operation])
    assert enum_error_values(message, "SM2", "keyPairSpec") == set(
        model.input_shape.members["KeyPairSpec"].enum) - {"SM2"}
    assert enum_error_values(message, "SM2", "keyPairSpec") == set(KEY_PAIR_SPECS)


@pytest.mark.parametrize("operation", PAIR_OPERATIONS)
def test_data_key_pair_dry_run(client, key_id, operation):
    with pytest.raises(client.exceptions.DryRunOperationException) as excinfo:
        getattr(client, operation)(KeyId=key_id, KeyPairSpec="RSA_2048", DryRun=True)
    assert error_of(excinfo) == ("DryRunOperationException", DRY_RUN, 400)  # recorded rows 22, 23
    assert excinfo.value.response["message"] == DRY_RUN


@pytest.mark.parametrize("dry_run", [False, True], ids=["call", "dry-run"])
@UNUSABLE_KEY
@pytest.mark.parametrize("operation", PAIR_OPERATIONS)
def test_data_key_pair_under_an_unusable_key_names_its_arn(client, key_id, operation, make_unusable, code, suffix,
                                                         dry_run):
    make_unusable(client, key_id)
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        getattr(client, operation)(KeyId=key_id, KeyPairSpec="ECC_NIST_P256", DryRun=dry_run)
    assert error_of(excinfo) == (code, f"{arn(key_id)} {suffix}", 400)


@pytest.mark.parametrize("operation", PAIR_OPERATIONS)
def test_data_key_pair_under_a_key_pending_import_is_invalid_state(client, operation):
    external = new_key(client, Origin="EXTERNAL")
    with pytest.raises(client.exceptions.KMSInvalidStateException) as excinfo:
        getattr(client, operation)(KeyId=external, KeyPairSpec="ECC_NIST_P256")
    assert error_of(excinfo) == ("KMSInvalidStateException", f"{arn(external)} is pending import.", 400)
