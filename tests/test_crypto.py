"""Symmetric cryptography: Encrypt, Decrypt, ReEncrypt, GenerateDataKey*, GenerateRandom.

Every expected error is AWS's (code, exact message, HTTP 400); where the text comes
from a recording the row of the shared aws-reference/errors.md is named.
"""
from __future__ import annotations

import os

import pytest

from conftest import ACCOUNT, REGION, UNUSABLE_KEY, error_of, make_client
from mockkms import mock_kms

ARN_PREFIX = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/"
ALIAS = "alias/crypto-test"
ALIAS_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:{ALIAS}"
CONTEXT = {"purpose": "test", "tenant": "acme"}
INCORRECT_KEY = "The key ID in the request does not identify a CMK that can perform this operation."
NOT_YOUR_CIPHERTEXT = ("The ciphertext refers to a customer master key that does not exist, "
                       "does not exist in this region, or you are not allowed to access.")
DRY_RUN = "The request would have succeeded, but the DryRun option is set."



def arn(key_id):
    return ARN_PREFIX + key_id


def new_key(client, **kwargs):
    return client.create_key(**kwargs)["KeyMetadata"]["KeyId"]


def encrypt(client, key, plaintext=b"secret", **kwargs):
    return client.encrypt(KeyId=key, Plaintext=plaintext, **kwargs)["CiphertextBlob"]


def assert_empty_error(excinfo, code):
    """AWS sends these errors with no message at all: botocore shows '' and no top-level 'message'."""
    assert error_of(excinfo) == (code, "", 400)
    assert "message" not in excinfo.value.response


@pytest.fixture
def alias(client, key_id):
    client.create_alias(AliasName=ALIAS, TargetKeyId=key_id)
    return ALIAS


@pytest.fixture
def other_key(client):
    return new_key(client, Description="another key")


#: How a key can be named where AWS accepts any identifier (operations.md 0.3).
IDENTIFIERS = {
    "key id": lambda key_id: key_id,
    "key arn": arn,
    "alias name": lambda key_id: ALIAS,
    "alias arn": lambda key_id: ALIAS_ARN,
}


@pytest.fixture(params=sorted(IDENTIFIERS))
def key_ref(request, alias, key_id):
    """The test key, named in each of the four ways."""
    return IDENTIFIERS[request.param](key_id)


# ---------------------------------------------------------------------------------- round trips

def test_encrypt_decrypt_round_trip_by_every_identifier(client, key_ref):
    blob = encrypt(client, key_ref, b"attack at dawn")
    assert client.decrypt(CiphertextBlob=blob)["Plaintext"] == b"attack at dawn"


def test_decrypt_with_the_right_key_named_in_every_way(client, key_id, key_ref):
    blob = encrypt(client, key_id)
    assert client.decrypt(CiphertextBlob=blob, KeyId=key_ref)["Plaintext"] == b"secret"


@pytest.mark.parametrize("size", [1, 4096])
def test_plaintext_sizes_at_the_limits_round_trip(client, key_id, size):
    plaintext = os.urandom(size)
    assert client.decrypt(CiphertextBlob=encrypt(client, key_id, plaintext))["Plaintext"] == plaintext


def test_encrypt_response_names_the_key_by_arn(client, key_id, alias):
    response = client.encrypt(KeyId=alias, Plaintext=b"x")
    assert response["KeyId"] == arn(key_id)
    assert response["EncryptionAlgorithm"] == "SYMMETRIC_DEFAULT"


def test_decrypt_response_fields(client, key_id):
    material = client.describe_key(KeyId=key_id)["KeyMetadata"]["CurrentKeyMaterialId"]
    response = client.decrypt(CiphertextBlob=encrypt(client, key_id))
    assert {k: v for k, v in response.items() if k != "ResponseMetadata"} == {
        "KeyId": arn(key_id), "Plaintext": b"secret", "EncryptionAlgorithm": "SYMMETRIC_DEFAULT",
        "KeyMaterialId": material,
    }


def test_decrypt_with_another_keys_id_is_incorrect_key(client, key_id, other_key):
    with pytest.raises(client.exceptions.IncorrectKeyException) as excinfo:
        client.decrypt(CiphertextBlob=encrypt(client, key_id), KeyId=other_key)
    assert error_of(excinfo) == ("IncorrectKeyException", INCORRECT_KEY, 400)  # recorded row 10


def test_decrypt_naming_another_key_by_alias_is_incorrect_key(client, alias, other_key):
    with pytest.raises(client.exceptions.IncorrectKeyException) as excinfo:
        client.decrypt(CiphertextBlob=encrypt(client, other_key), KeyId=alias)
    assert error_of(excinfo) == ("IncorrectKeyException", INCORRECT_KEY, 400)


def test_decrypt_naming_an_unknown_key_is_not_found(client, key_id):
    missing = "11111111-2222-3333-4444-555555555555"
    with pytest.raises(client.exceptions.NotFoundException) as excinfo:
        client.decrypt(CiphertextBlob=encrypt(client, key_id), KeyId=missing)
    assert error_of(excinfo) == ("NotFoundException", f"Key '{arn(missing)}' does not exist", 400)


def test_two_encryptions_of_the_same_plaintext_differ(client, key_id):
    assert encrypt(client, key_id, b"same") != encrypt(client, key_id, b"same")


# ---------------------------------------------------------------------------------- encryption context

def test_round_trip_with_encryption_context(client, key_id):
    blob = encrypt(client, key_id, EncryptionContext=CONTEXT)
    assert client.decrypt(CiphertextBlob=blob, EncryptionContext=CONTEXT)["Plaintext"] == b"secret"


def test_order_of_context_pairs_does_not_matter(client, key_id):
    blob = encrypt(client, key_id, EncryptionContext={"a": "1", "b": "2", "c": "3"})
    reordered = {"c": "3", "a": "1", "b": "2"}
    assert client.decrypt(CiphertextBlob=blob, EncryptionContext=reordered)["Plaintext"] == b"secret"


def test_non_ascii_context_round_trips(client, key_id):
    context = {"clé": "värde ✓"}
    blob = encrypt(client, key_id, EncryptionContext=context)
    assert client.decrypt(CiphertextBlob=blob, EncryptionContext=context)["Plaintext"] == b"secret"


@pytest.mark.parametrize("used_on_decrypt", [
    None,                                                   # omitted (recorded row 11)
    {"purpose": "test", "tenant": "other"},                 # a different value
    {"purpose": "test"},                                    # a pair missing
    {**CONTEXT, "extra": "pair"},                           # an extra pair
    {"Purpose": "test", "tenant": "acme"},                  # keys are case-sensitive
], ids=["omitted", "different-value", "missing-pair", "extra-pair", "key-case"])
def test_wrong_encryption_context_is_invalid_ciphertext_without_message(client, key_id, used_on_decrypt):
    blob = encrypt(client, key_id, EncryptionContext=CONTEXT)
    kwargs = {} if used_on_decrypt is None else {"EncryptionContext": used_on_decrypt}
    with pytest.raises(client.exceptions.InvalidCiphertextException) as excinfo:
        client.decrypt(CiphertextBlob=blob, **kwargs)
    assert_empty_error(excinfo, "InvalidCiphertextException")


def test_context_on_decrypt_of_a_blob_encrypted_without_one_is_invalid_ciphertext(client, key_id):
    with pytest.raises(client.exceptions.InvalidCiphertextException) as excinfo:
        client.decrypt(CiphertextBlob=encrypt(client, key_id), EncryptionContext=CONTEXT)
    assert_empty_error(excinfo, "InvalidCiphertextException")


# ---------------------------------------------------------------------------------- damaged ciphertexts

def _flip(blob, position):
    damaged = bytearray(blob)
    damaged[position] ^= 0x01
    return bytes(damaged)


@pytest.mark.parametrize("position", [0, 1, 12, 13, 60, 108, 109, 120, 121, "middle", -17, -1])
def test_flipping_any_single_byte_is_invalid_ciphertext(client, key_id, position):
    blob = encrypt(client, key_id, os.urandom(64))
    index = len(blob) // 2 if position == "middle" else position
    with pytest.raises(client.exceptions.InvalidCiphertextException) as excinfo:
        client.decrypt(CiphertextBlob=_flip(blob, index))
    assert_empty_error(excinfo, "InvalidCiphertextException")


@pytest.mark.parametrize("damage", [
    lambda blob: blob[1:],             # leading byte cut (recorded row 11)
    lambda blob: blob[13:],            # leading bytes cut
    lambda blob: blob[:-1],            # trailing byte cut
    lambda blob: blob[:-16],           # the whole authentication tag cut
    lambda blob: blob[:40],            # most of it cut
    lambda blob: blob + b"\x00",       # a byte appended (recorded row 11)
    lambda blob: blob + b"more bytes",
    lambda blob: blob[:60] + blob[61:],  # a byte removed in the middle
], ids=["cut-1-leading", "cut-13-leading", "cut-1-trailing", "cut-tag", "cut-to-40",
        "append-1", "append-10", "drop-middle-byte"])
def test_truncated_or_extended_blob_is_invalid_ciphertext(client, key_id, damage):
    blob = encrypt(client, key_id, b"a plaintext of some length")
    with pytest.raises(client.exceptions.InvalidCiphertextException) as excinfo:
        client.decrypt(CiphertextBlob=damage(blob))
    assert_empty_error(excinfo, "InvalidCiphertextException")


@pytest.mark.parametrize("garbage", [
    b"x",
    os.urandom(200),
    b"\x01" + os.urandom(180),   # our version byte, random rest
    b"\x00" * 138,               # the size of a real 1-byte ciphertext
], ids=["one-byte", "random", "version-byte-then-random", "zeros"])
def test_garbage_is_invalid_ciphertext(client, key_id, garbage):
    with pytest.raises(client.exceptions.InvalidCiphertextException) as excinfo:
        client.decrypt(CiphertextBlob=garbage)
    assert_empty_error(excinfo, "InvalidCiphertextException")


def test_blob_spliced_from_two_keys_ciphertexts_is_invalid_ciphertext(client, key_id):
    """The header naming one key with the body made under another key must not decrypt."""
    first = encrypt(client, key_id, b"first plaintext")
    second = encrypt(client, new_key(client), b"other plaintext")
    with pytest.raises(client.exceptions.InvalidCiphertextException) as excinfo:
        client.decrypt(CiphertextBlob=first[:109] + second[109:])
    assert_empty_error(excinfo, "InvalidCiphertextException")


def test_blob_from_another_mock_is_access_denied(client, kms):
    with mock_kms():
        foreign = make_client()
        blob = encrypt(foreign, new_key(foreign))
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.decrypt(CiphertextBlob=blob)
    assert error_of(excinfo) == ("AccessDeniedException", NOT_YOUR_CIPHERTEXT, 400)


def test_blob_from_another_region_is_access_denied(client, key_id):
    blob = encrypt(client, key_id)
    elsewhere = make_client("eu-west-1")
    with pytest.raises(elsewhere.exceptions.ClientError) as excinfo:
        elsewhere.decrypt(CiphertextBlob=blob)
    assert error_of(excinfo) == ("AccessDeniedException", NOT_YOUR_CIPHERTEXT, 400)


def test_blob_of_a_deleted_key_is_access_denied(client, kms, key_id):
    blob = encrypt(client, key_id)
    client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    kms.clock.advance(days=8)
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.decrypt(CiphertextBlob=blob)
    assert error_of(excinfo) == ("AccessDeniedException", NOT_YOUR_CIPHERTEXT, 400)


# ---------------------------------------------------------------------------------- opacity

def test_blob_reveals_no_identifiers_or_plaintext(client, key_id):
    plaintext = b"a very recognisable plaintext"
    blob = encrypt(client, key_id, plaintext)
    readable = [key_id.encode(), key_id.replace("-", "").encode(), ACCOUNT.encode(), plaintext,
                bytes.fromhex(key_id.replace("-", ""))]
    assert [value for value in readable if value in blob] == []


def test_blob_does_not_reveal_the_key_material_id(client, key_id):
    material = client.describe_key(KeyId=key_id)["KeyMetadata"]["CurrentKeyMaterialId"]
    blob = encrypt(client, key_id)
    assert bytes.fromhex(material) not in blob and material.encode() not in blob


# ---------------------------------------------------------------------------------- plaintext limits

def test_plaintext_over_4096_bytes_is_rejected_without_echoing_it(client, key_id):
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.encrypt(KeyId=key_id, Plaintext=b"p" * 4097)
    assert error_of(excinfo) == (  # recorded row 20
        "ValidationException",
        "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: "
        "Member must have length less than or equal to 4096",
        400,
    )


def test_empty_plaintext_is_rejected(raw_client, key_id):
    with pytest.raises(raw_client.exceptions.ClientError) as excinfo:
        raw_client.encrypt(KeyId=key_id, Plaintext=b"")
    assert error_of(excinfo) == (
        "ValidationException",
        "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1",
        400,
    )


# ---------------------------------------------------------------------------------- algorithms

@pytest.mark.parametrize("algorithm", ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"])
def test_asymmetric_algorithm_with_a_symmetric_key_is_invalid_key_usage(client, key_id, algorithm):
    with pytest.raises(client.exceptions.InvalidKeyUsageException) as excinfo:
        client.encrypt(KeyId=key_id, Plaintext=b"x", EncryptionAlgorithm=algorithm)
    assert error_of(excinfo) == (
        "InvalidKeyUsageException", f"Algorithm {algorithm} is incompatible with key spec SYMMETRIC_DEFAULT.", 400)


def test_decrypt_with_an_asymmetric_algorithm_is_invalid_key_usage(client, key_id):
    with pytest.raises(client.exceptions.InvalidKeyUsageException) as excinfo:
        client.decrypt(CiphertextBlob=encrypt(client, key_id), EncryptionAlgorithm="RSAES_OAEP_SHA_256")
    assert error_of(excinfo) == (
        "InvalidKeyUsageException", "Algorithm RSAES_OAEP_SHA_256 is incompatible with key spec SYMMETRIC_DEFAULT.",
        400)


def test_bogus_algorithm_is_a_coral_enum_error(client, key_id):
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.encrypt(KeyId=key_id, Plaintext=b"x", EncryptionAlgorithm="AES_FANCY")
    code, message, status = error_of(excinfo)
    prefix = ("1 validation error detected: Value 'AES_FANCY' at 'encryptionAlgorithm' failed to satisfy "
              "constraint: Member must satisfy enum value set: [")
    assert (code, status) == ("ValidationException", 400)
    assert message.startswith(prefix) and message.endswith("]")
    # AWS's enum order is hash-like (spec errors.md 6.1): compare the values, not their order.
    # SM2PKE exists only in the China Regions, so us-east-1's list leaves it out.
    assert set(message[len(prefix):-1].split(", ")) == {
        "SYMMETRIC_DEFAULT", "RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"}


# ---------------------------------------------------------------------------------- key states

def _encrypt_call(client, ref, blob):
    return client.encrypt(KeyId=ref, Plaintext=b"x")


def _decrypt_call(client, ref, blob):
    return client.decrypt(CiphertextBlob=blob, KeyId=ref)


def _re_encrypt_call(client, ref, blob):
    return client.re_encrypt(CiphertextBlob=blob, SourceKeyId=ref, DestinationKeyId=ref)


def _data_key_call(client, ref, blob):
    return client.generate_data_key(KeyId=ref, KeySpec="AES_256")


def _data_key_without_plaintext_call(client, ref, blob):
    return client.generate_data_key_without_plaintext(KeyId=ref, KeySpec="AES_256")


#: The five operations on the "crypto" row of the key-state matrix (key-states.md 2).
#: Each gets (client, key identifier, a ciphertext the key made while it was usable).
CRYPTO_CALLS = {
    "Encrypt": _encrypt_call,
    "Decrypt": _decrypt_call,
    "ReEncrypt": _re_encrypt_call,
    "GenerateDataKey": _data_key_call,
    "GenerateDataKeyWithoutPlaintext": _data_key_without_plaintext_call,
}


@pytest.mark.parametrize("ref_kind", ["key id", "alias name"])
@UNUSABLE_KEY
@pytest.mark.parametrize("operation", sorted(CRYPTO_CALLS))
def test_crypto_on_an_unusable_key_names_its_arn(client, key_id, alias, operation, make_unusable, code, suffix,
                                                  ref_kind):
    blob = encrypt(client, key_id)
    make_unusable(client, key_id)
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        CRYPTO_CALLS[operation](client, IDENTIFIERS[ref_kind](key_id), blob)
    assert error_of(excinfo) == (code, f"{arn(key_id)} {suffix}", 400)  # recorded rows 19, 36


#: With a key pending import there is no ciphertext to decrypt: Decrypt is reached through a
#: DryRun that ignores the ciphertext, ReEncrypt through the destination key.
PENDING_IMPORT_CALLS = {
    "Encrypt": lambda client, ref, blob: client.encrypt(KeyId=ref, Plaintext=b"x"),
    "Decrypt": lambda client, ref, blob: client.decrypt(KeyId=ref, DryRun=True,
                                                        DryRunModifiers=["IGNORE_CIPHERTEXT"]),
    "ReEncrypt": lambda client, ref, blob: client.re_encrypt(CiphertextBlob=blob, DestinationKeyId=ref),
    "GenerateDataKey": _data_key_call,
    "GenerateDataKeyWithoutPlaintext": _data_key_without_plaintext_call,
}


@pytest.mark.parametrize("operation", sorted(PENDING_IMPORT_CALLS))
def test_crypto_on_an_external_key_without_material_is_pending_import(client, key_id, operation):
    external = new_key(client, Origin="EXTERNAL")
    with pytest.raises(client.exceptions.KMSInvalidStateException) as excinfo:
        PENDING_IMPORT_CALLS[operation](client, external, encrypt(client, key_id))
    assert error_of(excinfo) == ("KMSInvalidStateException", f"{arn(external)} is pending import.", 400)  # row 19


def test_old_ciphertext_decrypts_after_re_enabling(client, key_id):
    blob = encrypt(client, key_id)
    client.disable_key(KeyId=key_id)
    client.enable_key(KeyId=key_id)
    assert client.decrypt(CiphertextBlob=blob)["Plaintext"] == b"secret"


def test_old_ciphertext_decrypts_after_cancelled_deletion_and_enabling(client, key_id):
    blob = encrypt(client, key_id)
    client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    client.cancel_key_deletion(KeyId=key_id)
    client.enable_key(KeyId=key_id)
    assert client.decrypt(CiphertextBlob=blob)["Plaintext"] == b"secret"


# ---------------------------------------------------------------------------------- ReEncrypt

def test_re_encrypt_to_another_key_decrypts_under_the_destination(client, key_id, other_key):
    blob = encrypt(client, key_id, EncryptionContext=CONTEXT)
    moved = client.re_encrypt(CiphertextBlob=blob, SourceEncryptionContext=CONTEXT,
                              DestinationKeyId=other_key)["CiphertextBlob"]
    response = client.decrypt(CiphertextBlob=moved, KeyId=other_key)
    assert (response["Plaintext"], response["KeyId"]) == (b"secret", arn(other_key))


def test_re_encrypt_to_another_key_leaves_the_source_unable_to_decrypt(client, key_id, other_key):
    moved = client.re_encrypt(CiphertextBlob=encrypt(client, key_id), DestinationKeyId=other_key)["CiphertextBlob"]
    with pytest.raises(client.exceptions.IncorrectKeyException):
        client.decrypt(CiphertextBlob=moved, KeyId=key_id)


def test_re_encrypt_to_the_same_key_with_a_new_context(client, key_id):
    blob = encrypt(client, key_id, EncryptionContext=CONTEXT)
    new_context = {"purpose": "archive"}
    moved = client.re_encrypt(CiphertextBlob=blob, SourceEncryptionContext=CONTEXT, DestinationKeyId=key_id,
                              DestinationEncryptionContext=new_context)["CiphertextBlob"]
    assert client.decrypt(CiphertextBlob=moved, EncryptionContext=new_context)["Plaintext"] == b"secret"


def test_re_encrypted_blob_no_longer_opens_with_the_old_context(client, key_id):
    blob = encrypt(client, key_id, EncryptionContext=CONTEXT)
    moved = client.re_encrypt(CiphertextBlob=blob, SourceEncryptionContext=CONTEXT, DestinationKeyId=key_id,
                              DestinationEncryptionContext={"purpose": "archive"})["CiphertextBlob"]
    with pytest.raises(client.exceptions.InvalidCiphertextException) as excinfo:
        client.decrypt(CiphertextBlob=moved, EncryptionContext=CONTEXT)
    assert_empty_error(excinfo, "InvalidCiphertextException")


def test_re_encrypt_response_fields(client, key_id, other_key, alias):
    source_material = client.describe_key(KeyId=key_id)["KeyMetadata"]["CurrentKeyMaterialId"]
    destination_material = client.describe_key(KeyId=other_key)["KeyMetadata"]["CurrentKeyMaterialId"]
    response = client.re_encrypt(CiphertextBlob=encrypt(client, key_id), SourceKeyId=alias,
                                 DestinationKeyId=other_key)
    fields = {k: v for k, v in response.items() if k not in ("ResponseMetadata", "CiphertextBlob")}
    assert fields == {
        "SourceKeyId": arn(key_id), "KeyId": arn(other_key),
        "SourceEncryptionAlgorithm": "SYMMETRIC_DEFAULT", "DestinationEncryptionAlgorithm": "SYMMETRIC_DEFAULT",
        "SourceKeyMaterialId": source_material, "DestinationKeyMaterialId": destination_material,
    }


def test_re_encrypt_with_the_wrong_source_key_is_incorrect_key(client, key_id, other_key):
    with pytest.raises(client.exceptions.IncorrectKeyException) as excinfo:
        client.re_encrypt(CiphertextBlob=encrypt(client, key_id), SourceKeyId=other_key, DestinationKeyId=key_id)
    assert error_of(excinfo) == ("IncorrectKeyException", INCORRECT_KEY, 400)  # recorded row 34


def test_re_encrypt_with_the_wrong_source_context_is_invalid_ciphertext(client, key_id, other_key):
    blob = encrypt(client, key_id, EncryptionContext=CONTEXT)
    with pytest.raises(client.exceptions.InvalidCiphertextException) as excinfo:
        client.re_encrypt(CiphertextBlob=blob, SourceEncryptionContext={"purpose": "other"},
                          DestinationKeyId=other_key)
    assert_empty_error(excinfo, "InvalidCiphertextException")


def test_re_encrypt_to_a_disabled_destination_is_disabled(client, key_id, other_key):
    client.disable_key(KeyId=other_key)
    with pytest.raises(client.exceptions.DisabledException) as excinfo:
        client.re_encrypt(CiphertextBlob=encrypt(client, key_id), DestinationKeyId=other_key)
    assert error_of(excinfo) == ("DisabledException", f"{arn(other_key)} is disabled.", 400)


def test_re_encrypt_from_a_disabled_source_is_disabled(client, key_id, other_key):
    blob = encrypt(client, key_id)
    client.disable_key(KeyId=key_id)
    with pytest.raises(client.exceptions.DisabledException) as excinfo:
        client.re_encrypt(CiphertextBlob=blob, DestinationKeyId=other_key)
    assert error_of(excinfo) == ("DisabledException", f"{arn(key_id)} is disabled.", 400)


# ---------------------------------------------------------------------------------- data keys

DATA_KEY_OPERATIONS = ["generate_data_key", "generate_data_key_without_plaintext"]


@pytest.mark.parametrize("key_spec, size", [("AES_256", 32), ("AES_128", 16)])
def test_data_key_spec_sets_the_size(client, key_id, key_spec, size):
    assert len(client.generate_data_key(KeyId=key_id, KeySpec=key_spec)["Plaintext"]) == size


@pytest.mark.parametrize("count", [1, 17, 1024])
def test_data_key_number_of_bytes_sets_the_size(client, key_id, count):
    assert len(client.generate_data_key(KeyId=key_id, NumberOfBytes=count)["Plaintext"]) == count


@pytest.mark.parametrize("operation", DATA_KEY_OPERATIONS)
@pytest.mark.parametrize("size_params", [{"KeySpec": "AES_256", "NumberOfBytes": 32}, {}], ids=["both", "neither"])
def test_data_key_needs_exactly_one_of_key_spec_and_number_of_bytes(raw_client, key_id, operation, size_params):
    with pytest.raises(raw_client.exceptions.ClientError) as excinfo:
        getattr(raw_client, operation)(KeyId=key_id, **size_params)
    assert error_of(excinfo) == ("ValidationException", "Please specify either number of bytes or key spec.", 400)


@pytest.mark.parametrize("operation", DATA_KEY_OPERATIONS)
@pytest.mark.parametrize("count, rule", [
    (0, "Member must have value greater than or equal to 1"),
    (1025, "Member must have value less than or equal to 1024"),
])
def test_data_key_number_of_bytes_out_of_range(raw_client, key_id, operation, count, rule):
    with pytest.raises(raw_client.exceptions.ClientError) as excinfo:
        getattr(raw_client, operation)(KeyId=key_id, NumberOfBytes=count)
    assert error_of(excinfo) == (
        "ValidationException",
        f"1 validation error detected: Value '{count}' at 'numberOfBytes' failed to satisfy constraint: {rule}",
        400,
    )


def test_data_key_ciphertext_decrypts_to_its_plaintext(client, key_id):
    response = client.generate_data_key(KeyId=key_id, KeySpec="AES_256", EncryptionContext=CONTEXT)
    decrypted = client.decrypt(CiphertextBlob=response["CiphertextBlob"], EncryptionContext=CONTEXT)
    assert decrypted["Plaintext"] == response["Plaintext"]


@pytest.mark.parametrize("operation", DATA_KEY_OPERATIONS)
def test_data_key_ciphertext_is_bound_to_its_context(client, key_id, operation):
    blob = getattr(client, operation)(KeyId=key_id, KeySpec="AES_256", EncryptionContext=CONTEXT)["CiphertextBlob"]
    with pytest.raises(client.exceptions.InvalidCiphertextException) as excinfo:
        client.decrypt(CiphertextBlob=blob)
    assert_empty_error(excinfo, "InvalidCiphertextException")


@pytest.mark.parametrize("size_params, size", [
    ({"KeySpec": "AES_256"}, 32), ({"KeySpec": "AES_128"}, 16), ({"NumberOfBytes": 5}, 5)])
def test_data_key_without_plaintext_decrypts_to_a_key_of_the_right_size(client, key_id, size_params, size):
    response = client.generate_data_key_without_plaintext(KeyId=key_id, EncryptionContext=CONTEXT, **size_params)
    assert "Plaintext" not in response
    decrypted = client.decrypt(CiphertextBlob=response["CiphertextBlob"], EncryptionContext=CONTEXT)
    assert len(decrypted["Plaintext"]) == size


@pytest.mark.parametrize("operation", DATA_KEY_OPERATIONS)
def test_data_key_response_names_key_arn_and_current_material(client, key_id, alias, operation):
    material = client.describe_key(KeyId=key_id)["KeyMetadata"]["CurrentKeyMaterialId"]
    response = getattr(client, operation)(KeyId=alias, KeySpec="AES_256")
    assert (response["KeyId"], response["KeyMaterialId"]) == (arn(key_id), material)


def test_two_data_keys_differ(client, key_id):
    first = client.generate_data_key(KeyId=key_id, KeySpec="AES_256")["Plaintext"]
    assert client.generate_data_key(KeyId=key_id, KeySpec="AES_256")["Plaintext"] != first


def test_bogus_data_key_spec_is_a_coral_enum_error(client, key_id):
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.generate_data_key(KeyId=key_id, KeySpec="AES_512")
    code, message, status = error_of(excinfo)
    assert (code, status) == ("ValidationException", 400)
    assert message.startswith("1 validation error detected: Value 'AES_512' at 'keySpec' failed to satisfy "
                              "constraint: Member must satisfy enum value set: [")


# ---------------------------------------------------------------------------------- GenerateRandom

@pytest.mark.parametrize("count", [1, 12, 1024])  # recorded test_generate_random
def test_generate_random_returns_the_requested_length(client, count):
    assert len(client.generate_random(NumberOfBytes=count)["Plaintext"]) == count


@pytest.mark.parametrize("count, rule", [
    (0, "Member must have value greater than or equal to 1"),      # recorded row 29
    (1025, "Member must have value less than or equal to 1024"),   # recorded row 30
])
def test_generate_random_out_of_range(raw_client, count, rule):
    with pytest.raises(raw_client.exceptions.ClientError) as excinfo:
        raw_client.generate_random(NumberOfBytes=count)
    assert error_of(excinfo) == (
        "ValidationException",
        f"1 validation error detected: Value '{count}' at 'numberOfBytes' failed to satisfy constraint: {rule}",
        400,
    )


def test_generate_random_without_number_of_bytes(raw_client):
    with pytest.raises(raw_client.exceptions.ClientError) as excinfo:
        raw_client.generate_random()
    assert error_of(excinfo) == ("ValidationException", "NumberOfBytes is required.", 400)  # recorded row 28


def test_generate_random_calls_differ(client):
    assert client.generate_random(NumberOfBytes=32)["Plaintext"] != client.generate_random(NumberOfBytes=32)[
        "Plaintext"]


# ---------------------------------------------------------------------------------- DryRun

#: Each operation that takes DryRun, called so that it would succeed: (client, key id, blob).
DRY_RUN_CALLS = {
    "Encrypt": lambda client, key, blob: client.encrypt(KeyId=key, Plaintext=b"x", DryRun=True),
    "Decrypt": lambda client, key, blob: client.decrypt(CiphertextBlob=blob, DryRun=True),
    "ReEncrypt": lambda client, key, blob: client.re_encrypt(CiphertextBlob=blob, DestinationKeyId=key,
                                                             DryRun=True),
    "GenerateDataKey": lambda client, key, blob: client.generate_data_key(KeyId=key, KeySpec="AES_256",
                                                                          DryRun=True),
    "GenerateDataKeyWithoutPlaintext": lambda client, key, blob: client.generate_data_key_without_plaintext(
        KeyId=key, KeySpec="AES_256", DryRun=True),
}


@pytest.mark.parametrize("operation", sorted(DRY_RUN_CALLS))
def test_dry_run_that_would_succeed(client, key_id, operation):
    with pytest.raises(client.exceptions.DryRunOperationException) as excinfo:
        DRY_RUN_CALLS[operation](client, key_id, encrypt(client, key_id))
    assert error_of(excinfo) == ("DryRunOperationException", DRY_RUN, 400)  # recorded rows 22, 23
    assert excinfo.value.response["message"] == DRY_RUN


@pytest.mark.parametrize("operation", sorted(DRY_RUN_CALLS))
def test_dry_run_on_a_disabled_key_gets_the_real_error(client, key_id, operation):
    blob = encrypt(client, key_id)
    client.disable_key(KeyId=key_id)
    with pytest.raises(client.exceptions.DisabledException) as excinfo:
        DRY_RUN_CALLS[operation](client, key_id, blob)
    assert error_of(excinfo) == ("DisabledException", f"{arn(key_id)} is disabled.", 400)


@pytest.mark.parametrize("operation", ["Decrypt", "ReEncrypt"])
def test_dry_run_with_a_bad_ciphertext_gets_the_real_error(client, key_id, operation):
    with pytest.raises(client.exceptions.InvalidCiphertextException) as excinfo:
        DRY_RUN_CALLS[operation](client, key_id, b"not a ciphertext")
    assert_empty_error(excinfo, "InvalidCiphertextException")


def test_dry_run_with_an_oversized_plaintext_gets_the_validation_error(client, key_id):
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.encrypt(KeyId=key_id, Plaintext=b"p" * 4097, DryRun=True)
    assert error_of(excinfo)[0] == "ValidationException"


def test_dry_run_has_no_effect_on_the_key(client, key_id):
    before = client.describe_key(KeyId=key_id)["KeyMetadata"]
    with pytest.raises(client.exceptions.DryRunOperationException):
        client.generate_data_key(KeyId=key_id, KeySpec="AES_256", DryRun=True)
    assert client.describe_key(KeyId=key_id)["KeyMetadata"] == before


def test_decrypt_dry_run_ignoring_the_ciphertext_needs_only_the_key(client, key_id):
    with pytest.raises(client.exceptions.DryRunOperationException) as excinfo:
        client.decrypt(KeyId=key_id, DryRun=True, DryRunModifiers=["IGNORE_CIPHERTEXT"])
    assert error_of(excinfo) == ("DryRunOperationException", DRY_RUN, 400)


def test_decrypt_dry_run_ignoring_the_ciphertext_ignores_a_bad_one(client, key_id):
    with pytest.raises(client.exceptions.DryRunOperationException):
        client.decrypt(KeyId=key_id, CiphertextBlob=b"garbage", DryRun=True, DryRunModifiers=["IGNORE_CIPHERTEXT"])


def test_re_encrypt_dry_run_ignoring_the_ciphertext_needs_only_the_keys(client, key_id, other_key):
    with pytest.raises(client.exceptions.DryRunOperationException) as excinfo:
        client.re_encrypt(SourceKeyId=key_id, DestinationKeyId=other_key, DryRun=True,
                          DryRunModifiers=["IGNORE_CIPHERTEXT"])
    assert error_of(excinfo) == ("DryRunOperationException", DRY_RUN, 400)


@pytest.mark.parametrize("call, member", [
    (lambda c, key: c.decrypt(DryRun=True, DryRunModifiers=["IGNORE_CIPHERTEXT"]), "keyId"),
    (lambda c, key: c.re_encrypt(DestinationKeyId=key, DryRun=True, DryRunModifiers=["IGNORE_CIPHERTEXT"]),
     "sourceKeyId"),
], ids=["Decrypt", "ReEncrypt"])
def test_dry_run_ignoring_the_ciphertext_without_a_key_is_a_validation_error(client, key_id, call, member):
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        call(client, key_id)
    code, message, status = error_of(excinfo)
    assert (code, status) == ("ValidationException", 400)
    assert f"'{member}'" in message


def test_ignore_ciphertext_without_dry_run_still_needs_the_ciphertext(raw_client, key_id):
    with pytest.raises(raw_client.exceptions.ClientError) as excinfo:
        raw_client.decrypt(KeyId=key_id, DryRunModifiers=["IGNORE_CIPHERTEXT"])
    assert error_of(excinfo) == (
        "ValidationException",
        "1 validation error detected: Value null at 'ciphertextBlob' failed to satisfy constraint: "
        "Member must not be null",
        400,
    )


# ---------------------------------------------------------------------------------- grant tokens

GRANT_TOKEN_CALLS = {
    "Encrypt": lambda client, key, blob, tokens: client.encrypt(KeyId=key, Plaintext=b"x", GrantTokens=tokens),
    "Decrypt": lambda client, key, blob, tokens: client.decrypt(CiphertextBlob=blob, GrantTokens=tokens),
    "ReEncrypt": lambda client, key, blob, tokens: client.re_encrypt(CiphertextBlob=blob, DestinationKeyId=key,
                                                                     GrantTokens=tokens),
    "GenerateDataKey": lambda client, key, blob, tokens: client.generate_data_key(
        KeyId=key, KeySpec="AES_256", GrantTokens=tokens),
    "GenerateDataKeyWithoutPlaintext": lambda client, key, blob, tokens: client.generate_data_key_without_plaintext(
        KeyId=key, KeySpec="AES_256", GrantTokens=tokens),
}


@pytest.mark.parametrize("operation", sorted(GRANT_TOKEN_CALLS))
def test_grant_token_the_mock_never_issued_is_invalid(client, key_id, operation):
    with pytest.raises(client.exceptions.InvalidGrantTokenException) as excinfo:
        GRANT_TOKEN_CALLS[operation](client, key_id, encrypt(client, key_id), ["never-issued-token"])
    code, message, status = error_of(excinfo)
    assert (code, status) == ("InvalidGrantTokenException", 400) and message  # text not recorded from AWS


# -- body nonces (NIST SP 800-38D deterministic construction) ---------------------------------
def _body_nonce(blob):
    from mockkms.domain.ciphertext import _BODY_START, _HEADER_END
    return blob[_HEADER_END:_BODY_START]


def test_every_seal_gets_a_fresh_nonce(client, key_id):
    blobs = [client.encrypt(KeyId=key_id, Plaintext=b"same")["CiphertextBlob"] for _ in range(50)]
    assert len({_body_nonce(blob) for blob in blobs}) == 50


def test_nonces_of_one_process_share_a_fixed_field_and_count_up(client, key_id):
    first, second = (_body_nonce(client.encrypt(KeyId=key_id, Plaintext=b"x")["CiphertextBlob"]) for _ in range(2))
    assert first[:6] == second[:6]
    assert int.from_bytes(second[6:], "big") == int.from_bytes(first[6:], "big") + 1


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_draws_a_new_fixed_field():
    from mockkms.domain.ciphertext import _NONCES
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report its fixed field and leave at once
        os.write(writer, _NONCES.next()[:6])
        os._exit(0)
    os.close(writer)
    child = os.read(reader, 6)
    os.waitpid(pid, 0)
    assert len(child) == 6 and child != _NONCES.next()[:6]
