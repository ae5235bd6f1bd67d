"""Imported key material: GetParametersForImport, ImportKeyMaterial, DeleteImportedKeyMaterial,
expiry, and new material for on-demand rotation.

Key material is wrapped offline with ``cryptography`` exactly as a user would wrap it for
real KMS: RSAES-OAEP with the same hash for MGF1 and no label, or, for RSA_AES_KEY_WRAP,
OAEP(aes key) || AES key wrap with padding (RFC 5649) of the material.

Expected values come from recorded AWS responses (aws-reference/; the errors.md row is
named), otherwise from the spec (keys-lifecycle.md §8, §11, key-states.md) and the
botocore model's documentation.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import os
import re

import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import hashes, keywrap, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from conftest import ACCOUNT, REGION, error_of

ARN_PREFIX = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/"
WRAPPING_ALGORITHMS = ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256", "RSA_AES_KEY_WRAP_SHA_1", "RSA_AES_KEY_WRAP_SHA_256"]
WRAPPING_KEY_SPECS = {"RSA_2048": 2048, "RSA_3072": 3072, "RSA_4096": 4096}
NEVER = "KEY_MATERIAL_DOES_NOT_EXPIRE"
HOURS = dt.timedelta(hours=1)
DAYS = dt.timedelta(days=1)

# test_import_key_symmetric (recorded 2025-11-10): the members DescribeKey shows at each step.
BEFORE_IMPORT_FIELDS = {
    "AWSAccountId", "Arn", "CreationDate", "CustomerMasterKeySpec", "Description", "Enabled",
    "EncryptionAlgorithms", "KeyId", "KeyManager", "KeySpec", "KeyState", "KeyUsage", "MultiRegion", "Origin",
}
AFTER_IMPORT_FIELDS = BEFORE_IMPORT_FIELDS | {"CurrentKeyMaterialId", "ExpirationModel"}
AFTER_DELETED_IMPORT_FIELDS = BEFORE_IMPORT_FIELDS | {"CurrentKeyMaterialId"}
# test_import_key_asymmetric (recorded): an ECC_NIST_P256 SIGN_VERIFY key after its import.
ASYMMETRIC_AFTER_IMPORT_FIELDS = {
    "AWSAccountId", "Arn", "CreationDate", "CustomerMasterKeySpec", "Description", "Enabled", "ExpirationModel",
    "KeyId", "KeyManager", "KeySpec", "KeyState", "KeyUsage", "MultiRegion", "Origin", "SigningAlgorithms",
}


def arn(key_id):
    return ARN_PREFIX + key_id


def fields(response):
    return {name: value for name, value in response.items() if name != "ResponseMetadata"}


def metadata(client, key_id):
    return client.describe_key(KeyId=key_id)["KeyMetadata"]


def external_key(client, **kwargs):
    return client.create_key(Origin="EXTERNAL", **kwargs)["KeyMetadata"]["KeyId"]


def _oaep(algorithm):
    digest = hashes.SHA256() if algorithm.endswith("SHA_256") else hashes.SHA1()
    return padding.OAEP(mgf=padding.MGF1(algorithm=digest), algorithm=digest, label=None)


def wrap(public_key_der, algorithm, material):
    """Wrap ``material`` offline for ``algorithm``, as the KMS Developer Guide tells users to."""
    public_key = serialization.load_der_public_key(public_key_der)
    if algorithm.startswith("RSAES_OAEP_"):
        return public_key.encrypt(material, _oaep(algorithm))
    aes_key = os.urandom(32)
    return public_key.encrypt(aes_key, _oaep(algorithm)) + keywrap.aes_key_wrap_with_padding(aes_key, material)


def parameters(client, key_id, algorithm="RSAES_OAEP_SHA_256", spec="RSA_2048"):
    return client.get_parameters_for_import(KeyId=key_id, WrappingAlgorithm=algorithm, WrappingKeySpec=spec)


def import_material(client, key_id, material, algorithm="RSAES_OAEP_SHA_256", spec="RSA_2048", **kwargs):
    """GetParametersForImport, wrap offline, ImportKeyMaterial (material that never expires by default)."""
    if "ValidTo" not in kwargs:
        kwargs.setdefault("ExpirationModel", NEVER)
    params = parameters(client, key_id, algorithm, spec)
    return client.import_key_material(
        KeyId=key_id, ImportToken=params["ImportToken"],
        EncryptedKeyMaterial=wrap(params["PublicKey"], algorithm, material), **kwargs)


def assert_empty_error(excinfo, code):
    """No message at all: botocore shows '' and the body has no top-level 'message'."""
    assert error_of(excinfo) == (code, "", 400)
    assert "message" not in excinfo.value.response


def code_of(excinfo):
    """(code, HTTP status): for errors whose message AWS has not been recorded saying."""
    code, _, status = error_of(excinfo)
    return code, status


@pytest.fixture
def now(kms):
    """The mock's clock, frozen on a whole second: dates in responses can be compared exactly
    (older botocore sends request timestamps such as ValidTo as whole seconds)."""
    frozen = kms.clock.freeze()
    return kms.clock.move_to(frozen.replace(microsecond=0))


@pytest.fixture
def external(client):
    return external_key(client, Description="imported")


@pytest.fixture
def material():
    return os.urandom(32)


@pytest.fixture
def imported(client, external, material):
    """An EXTERNAL symmetric key with ``material`` imported (never expires); returns (key id, material id)."""
    return external, import_material(client, external, material)["KeyMaterialId"]


@functools.lru_cache(maxsize=None)
def offline_private_key(kind):
    """Private keys a user made offline (cached: RSA generation is slow)."""
    if kind == "P-256":
        return ec.generate_private_key(ec.SECP256R1())
    if kind == "P-384":
        return ec.generate_private_key(ec.SECP384R1())
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def pkcs8(private_key):
    return private_key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption())


def spki(private_key):
    return private_key.public_key().public_bytes(serialization.Encoding.DER,
                                                 serialization.PublicFormat.SubjectPublicKeyInfo)


# --------------------------------------------------------------------------- EXTERNAL keys before import

def test_external_key_describes_as_pending_import_without_material(client, external):
    # test_import_key_symmetric, "describe-key-before-import" (recorded 2025-11-10)
    meta = metadata(client, external)
    assert set(meta) == BEFORE_IMPORT_FIELDS
    assert (meta["Origin"], meta["KeyState"], meta["Enabled"]) == ("EXTERNAL", "PendingImport", False)


def test_external_key_cannot_encrypt_before_import(client, external):
    # errors.md row 19 ("encrypt-before-import-error")
    with pytest.raises(ClientError) as excinfo:
        client.encrypt(KeyId=external, Plaintext=b"data")
    assert error_of(excinfo) == ("KMSInvalidStateException", f"{arn(external)} is pending import.", 400)


# --------------------------------------------------------------------------- GetParametersForImport

@pytest.mark.parametrize("spec", list(WRAPPING_KEY_SPECS))
@pytest.mark.parametrize("algorithm", WRAPPING_ALGORITHMS)
def test_wrapping_key_is_an_rsa_public_key_of_the_requested_size(client, external, algorithm, spec):
    public_key = serialization.load_der_public_key(parameters(client, external, algorithm, spec)["PublicKey"])
    assert isinstance(public_key, rsa.RSAPublicKey)
    assert public_key.key_size == WRAPPING_KEY_SPECS[spec]


def test_import_parameters_are_valid_for_24_hours(client, external, now):
    response = fields(parameters(client, external))
    token = response.pop("ImportToken")
    assert isinstance(token, bytes) and token
    response.pop("PublicKey")
    assert response == {"KeyId": arn(external), "ParametersValidTo": now + 24 * HOURS}


def test_each_parameters_request_gets_its_own_token_and_wrapping_key(client, external):
    first, second = parameters(client, external), parameters(client, external)
    assert first["ImportToken"] != second["ImportToken"]
    assert first["PublicKey"] != second["PublicKey"]


def test_parameters_for_import_of_an_aws_kms_key_are_unsupported(client, key_id):
    # errors.md row 31 (test_get_parameters_for_import_raises_for_non_external_kms_keys)
    message = f"{arn(key_id)} origin is AWS_KMS which is not valid for this operation."
    with pytest.raises(ClientError) as excinfo:
        parameters(client, key_id)
    assert error_of(excinfo) == ("UnsupportedOperationException", message, 400)
    assert excinfo.value.response["message"] == message


def test_rsaes_pkcs1_v1_5_wrapping_is_refused(client, external):
    # The algorithm is still in the model's enum; AWS no longer accepts it (the message is not recorded).
    with pytest.raises(ClientError) as excinfo:
        parameters(client, external, "RSAES_PKCS1_V1_5")
    assert code_of(excinfo) == ("ValidationException", 400)


def test_parameters_for_import_of_a_key_pending_deletion_are_refused(client, external):
    client.schedule_key_deletion(KeyId=external, PendingWindowInDays=7)
    with pytest.raises(ClientError) as excinfo:
        parameters(client, external)
    assert error_of(excinfo) == ("KMSInvalidStateException", f"{arn(external)} is pending deletion.", 400)


# --------------------------------------------------------------------------- ImportKeyMaterial

@pytest.mark.parametrize("spec", list(WRAPPING_KEY_SPECS))
@pytest.mark.parametrize("algorithm", WRAPPING_ALGORITHMS)
def test_material_wrapped_offline_imports_with_every_wrapping(client, external, material, algorithm, spec):
    import_material(client, external, material, algorithm, spec)
    assert metadata(client, external)["KeyState"] == "Enabled"


def test_import_without_valid_to_defaults_to_expiring_and_is_refused(client, external, material):
    # errors.md row 33: ExpirationModel defaults to KEY_MATERIAL_EXPIRES, which needs a ValidTo.
    params = parameters(client, external)
    with pytest.raises(ClientError) as excinfo:
        client.import_key_material(KeyId=external, ImportToken=params["ImportToken"],
                                   EncryptedKeyMaterial=wrap(params["PublicKey"], "RSAES_OAEP_SHA_256", material))
    assert error_of(excinfo) == (
        "ValidationException", "A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES", 400)
    assert "message" not in excinfo.value.response
    assert metadata(client, external)["KeyState"] == "PendingImport"


@pytest.mark.parametrize("kwargs", [
    {"ExpirationModel": NEVER, "ValidTo": 3},
    {"ValidTo": -1},
    {"ValidTo": 366},
], ids=["valid-to-with-does-not-expire", "valid-to-in-the-past", "valid-to-beyond-365-days"])
def test_import_with_an_invalid_expiry_is_refused(client, external, material, now, kwargs):
    # ImportKeyMaterial doc: ValidTo only with KEY_MATERIAL_EXPIRES, in the future, at most 365 days ahead.
    kwargs = dict(kwargs, ValidTo=now + kwargs["ValidTo"] * DAYS)
    with pytest.raises(ClientError) as excinfo:
        import_material(client, external, material, **kwargs)
    assert code_of(excinfo) == ("ValidationException", 400)
    assert metadata(client, external)["KeyState"] == "PendingImport"


def test_valid_to_365_days_ahead_is_accepted(client, external, material, now):
    import_material(client, external, material, ValidTo=now + 365 * DAYS)
    assert metadata(client, external)["ValidTo"] == now + 365 * DAYS


def test_import_into_a_key_pending_deletion_is_refused(client, external, material):
    params = parameters(client, external)
    client.schedule_key_deletion(KeyId=external, PendingWindowInDays=7)
    with pytest.raises(ClientError) as excinfo:
        client.import_key_material(KeyId=external, ImportToken=params["ImportToken"], ExpirationModel=NEVER,
                                   EncryptedKeyMaterial=wrap(params["PublicKey"], "RSAES_OAEP_SHA_256", material))
    assert error_of(excinfo) == ("KMSInvalidStateException", f"{arn(external)} is pending deletion.", 400)


def test_import_key_material_answers_with_key_arn_and_material_id(client, external, material):
    # test_rotate_key_on_demand_updates_current_key_material_for_external_keys, "import-key-material-response"
    response = fields(import_material(client, external, material))
    assert response["KeyId"] == arn(external)
    assert re.fullmatch(r"[0-9a-f]{64}", response["KeyMaterialId"])
    assert set(response) == {"KeyId", "KeyMaterialId"}


def test_describe_key_after_import_is_enabled_with_its_material(client, imported):
    # test_import_key_symmetric, "describe-key-after-import" (recorded)
    key_id, material_id = imported
    meta = metadata(client, key_id)
    assert set(meta) == AFTER_IMPORT_FIELDS
    assert (meta["KeyState"], meta["Enabled"], meta["ExpirationModel"], meta["CurrentKeyMaterialId"]) == (
        "Enabled", True, NEVER, material_id)


def test_describe_key_after_an_expiring_import_shows_valid_to(client, external, material, now):
    valid_to = now + 3 * DAYS
    import_material(client, external, material, ValidTo=valid_to)
    meta = metadata(client, external)
    assert (meta["ExpirationModel"], meta["ValidTo"], meta["KeyState"]) == (
        "KEY_MATERIAL_EXPIRES", valid_to, "Enabled")


def test_explicit_expiring_model_with_valid_to_is_accepted(client, external, material, now):
    import_material(client, external, material, ExpirationModel="KEY_MATERIAL_EXPIRES", ValidTo=now + 10 * DAYS)
    assert metadata(client, external)["ValidTo"] == now + 10 * DAYS


def test_imported_material_encrypts_and_decrypts(client, imported):
    key_id, material_id = imported
    blob = client.encrypt(KeyId=key_id, Plaintext=b"data")["CiphertextBlob"]
    response = client.decrypt(CiphertextBlob=blob)
    assert (response["Plaintext"], response["KeyId"], response["KeyMaterialId"]) == (
        b"data", arn(key_id), material_id)


def test_same_material_in_two_keys_gets_two_material_ids(client, material):
    first, second = external_key(client), external_key(client)
    assert (import_material(client, first, material)["KeyMaterialId"]
            != import_material(client, second, material)["KeyMaterialId"])


def test_import_token_used_after_25_hours_has_expired(kms, client, external, material):
    params = parameters(client, external)
    kms.clock.advance(hours=25)
    with pytest.raises(ClientError) as excinfo:
        client.import_key_material(KeyId=external, ImportToken=params["ImportToken"], ExpirationModel=NEVER,
                                   EncryptedKeyMaterial=wrap(params["PublicKey"], "RSAES_OAEP_SHA_256", material))
    assert code_of(excinfo) == ("ExpiredImportTokenException", 400)
    assert metadata(client, external)["KeyState"] == "PendingImport"


def test_import_token_is_still_good_after_23_hours(kms, client, external, material):
    params = parameters(client, external)
    kms.clock.advance(hours=23)
    client.import_key_material(KeyId=external, ImportToken=params["ImportToken"], ExpirationModel=NEVER,
                               EncryptedKeyMaterial=wrap(params["PublicKey"], "RSAES_OAEP_SHA_256", material))
    assert metadata(client, external)["KeyState"] == "Enabled"


def test_import_token_of_another_key_is_invalid(client, external, material):
    other = external_key(client)
    params = parameters(client, other)
    with pytest.raises(ClientError) as excinfo:
        client.import_key_material(KeyId=external, ImportToken=params["ImportToken"], ExpirationModel=NEVER,
                                   EncryptedKeyMaterial=wrap(params["PublicKey"], "RSAES_OAEP_SHA_256", material))
    assert code_of(excinfo) == ("InvalidImportTokenException", 400)


def test_made_up_import_token_is_invalid(client, external, material):
    params = parameters(client, external)
    with pytest.raises(ClientError) as excinfo:
        client.import_key_material(KeyId=external, ImportToken=os.urandom(84), ExpirationModel=NEVER,
                                   EncryptedKeyMaterial=wrap(params["PublicKey"], "RSAES_OAEP_SHA_256", material))
    assert code_of(excinfo) == ("InvalidImportTokenException", 400)


@pytest.mark.parametrize("algorithm", WRAPPING_ALGORITHMS)
def test_garbage_wrapped_material_is_an_invalid_ciphertext(client, external, algorithm):
    params = parameters(client, external, algorithm)
    with pytest.raises(ClientError) as excinfo:
        client.import_key_material(KeyId=external, ImportToken=params["ImportToken"], ExpirationModel=NEVER,
                                   EncryptedKeyMaterial=os.urandom(256 + 40))
    assert_empty_error(excinfo, "InvalidCiphertextException")


def test_material_wrapped_with_another_hash_is_an_invalid_ciphertext(client, external, material):
    params = parameters(client, external, "RSAES_OAEP_SHA_256")
    with pytest.raises(ClientError) as excinfo:
        client.import_key_material(KeyId=external, ImportToken=params["ImportToken"], ExpirationModel=NEVER,
                                   EncryptedKeyMaterial=wrap(params["PublicKey"], "RSAES_OAEP_SHA_1", material))
    assert_empty_error(excinfo, "InvalidCiphertextException")


def test_material_of_the_wrong_length_is_incorrect(client, external):
    with pytest.raises(ClientError) as excinfo:
        import_material(client, external, os.urandom(16))
    assert code_of(excinfo) == ("IncorrectKeyMaterialException", 400)
    assert metadata(client, external)["KeyState"] == "PendingImport"


def test_reimport_after_delete_restores_the_key_and_old_ciphertexts(client, imported, material):
    key_id, material_id = imported
    blob = client.encrypt(KeyId=key_id, Plaintext=b"kept")["CiphertextBlob"]
    client.delete_imported_key_material(KeyId=key_id)
    response = import_material(client, key_id, material)
    assert response["KeyMaterialId"] == material_id
    assert metadata(client, key_id)["KeyState"] == "Enabled"
    decrypted = client.decrypt(CiphertextBlob=blob)
    assert (decrypted["Plaintext"], decrypted["KeyMaterialId"]) == (b"kept", material_id)


def test_different_material_on_reimport_is_incorrect(client, imported):
    key_id, _ = imported
    client.delete_imported_key_material(KeyId=key_id)
    with pytest.raises(ClientError) as excinfo:
        import_material(client, key_id, os.urandom(32))
    assert code_of(excinfo) == ("IncorrectKeyMaterialException", 400)
    assert metadata(client, key_id)["KeyState"] == "PendingImport"


def test_reimport_with_the_matching_key_material_id_is_accepted(client, imported, material):
    key_id, material_id = imported
    client.delete_imported_key_material(KeyId=key_id)
    import_material(client, key_id, material, ImportType="EXISTING_KEY_MATERIAL", KeyMaterialId=material_id)
    assert metadata(client, key_id)["KeyState"] == "Enabled"


def test_reimport_can_change_the_expiration(kms, client, external, material, now):
    import_material(client, external, material, ValidTo=now + 3 * DAYS)
    import_material(client, external, material)  # the same material again, now without expiry
    assert "ValidTo" not in metadata(client, external)
    kms.clock.advance(days=4)
    meta = metadata(client, external)
    assert (meta["KeyState"], meta["ExpirationModel"]) == ("Enabled", NEVER)


# --------------------------------------------------------------------------- expiry and deletion

@pytest.fixture
def expiring(client, external, material, now):
    """A key whose material expires three days from now."""
    import_material(client, external, material, ValidTo=now + 3 * DAYS)
    return external


def test_material_is_usable_until_valid_to(kms, client, expiring):
    kms.clock.advance(days=2)
    assert metadata(client, expiring)["KeyState"] == "Enabled"
    client.encrypt(KeyId=expiring, Plaintext=b"still fine")


def test_material_expires_at_valid_to(kms, client, expiring):
    kms.clock.advance(days=4)
    meta = metadata(client, expiring)
    assert (meta["KeyState"], meta["Enabled"]) == ("PendingImport", False)


def test_encrypt_after_expiry_is_pending_import(kms, client, expiring):
    # errors.md row 19
    kms.clock.advance(days=4)
    with pytest.raises(ClientError) as excinfo:
        client.encrypt(KeyId=expiring, Plaintext=b"data")
    assert error_of(excinfo) == ("KMSInvalidStateException", f"{arn(expiring)} is pending import.", 400)


def test_expired_material_leaves_the_material_id_but_no_expiration(kms, client, expiring):
    material_id = metadata(client, expiring)["CurrentKeyMaterialId"]
    kms.clock.advance(days=4)
    meta = metadata(client, expiring)
    assert set(meta) == AFTER_DELETED_IMPORT_FIELDS
    assert meta["CurrentKeyMaterialId"] == material_id


def test_reimport_after_expiry_restores_the_key(kms, client, expiring, material):
    blob = client.encrypt(KeyId=expiring, Plaintext=b"kept")["CiphertextBlob"]
    kms.clock.advance(days=4)
    import_material(client, expiring, material)
    assert client.decrypt(CiphertextBlob=blob)["Plaintext"] == b"kept"


def test_expiry_of_a_key_pending_deletion_keeps_it_pending_deletion(kms, client, expiring):
    client.schedule_key_deletion(KeyId=expiring, PendingWindowInDays=7)
    kms.clock.advance(days=4)
    assert metadata(client, expiring)["KeyState"] == "PendingDeletion"


def test_cancel_deletion_of_a_key_whose_material_was_deleted_is_pending_import(client, imported):
    # key-states.md §4: CancelKeyDeletion of an EXTERNAL key without material lands in PendingImport.
    # DeleteImportedKeyMaterial on a key pending deletion leaves it PendingDeletion (model doc).
    key_id, _ = imported
    client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    client.delete_imported_key_material(KeyId=key_id)
    assert metadata(client, key_id)["KeyState"] == "PendingDeletion"
    client.cancel_key_deletion(KeyId=key_id)
    assert metadata(client, key_id)["KeyState"] == "PendingImport"


def test_cancel_deletion_of_a_key_whose_material_expired_is_pending_import(kms, client, expiring):
    client.schedule_key_deletion(KeyId=expiring, PendingWindowInDays=7)
    kms.clock.advance(days=4)  # the material expires while the key is pending deletion
    client.cancel_key_deletion(KeyId=expiring)
    assert metadata(client, expiring)["KeyState"] == "PendingImport"


def test_key_whose_material_is_gone_never_encrypts_after_cancel_deletion(client, imported):
    # Whatever state CancelKeyDeletion leaves, a key without material must refuse Encrypt as
    # pending import (errors.md row 19), not fail inside the mock.
    key_id, _ = imported
    client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    client.delete_imported_key_material(KeyId=key_id)
    client.cancel_key_deletion(KeyId=key_id)
    try:
        client.enable_key(KeyId=key_id)
    except ClientError:
        pass  # refused as pending import: right
    with pytest.raises(ClientError) as excinfo:
        client.encrypt(KeyId=key_id, Plaintext=b"data")
    assert error_of(excinfo) == ("KMSInvalidStateException", f"{arn(key_id)} is pending import.", 400)


def test_delete_imported_key_material_makes_the_key_pending_import_at_once(client, imported):
    # test_import_key_symmetric, "describe-key-after-deleted-import" (recorded)
    key_id, material_id = imported
    client.delete_imported_key_material(KeyId=key_id)
    meta = metadata(client, key_id)
    assert set(meta) == AFTER_DELETED_IMPORT_FIELDS
    assert (meta["KeyState"], meta["Enabled"], meta["CurrentKeyMaterialId"]) == (
        "PendingImport", False, material_id)


def test_encrypt_after_delete_imported_key_material_is_pending_import(client, imported):
    # errors.md row 19 ("encrypt-after-delete-error")
    key_id, _ = imported
    client.delete_imported_key_material(KeyId=key_id)
    with pytest.raises(ClientError) as excinfo:
        client.encrypt(KeyId=key_id, Plaintext=b"data")
    assert error_of(excinfo) == ("KMSInvalidStateException", f"{arn(key_id)} is pending import.", 400)


def test_delete_imported_key_material_answers_with_key_arn_and_material_id(client, imported):
    key_id, material_id = imported
    assert fields(client.delete_imported_key_material(KeyId=key_id)) == {
        "KeyId": arn(key_id), "KeyMaterialId": material_id}


def test_delete_imported_key_material_of_a_disabled_key_makes_it_pending_import(client, imported):
    key_id, _ = imported
    client.disable_key(KeyId=key_id)
    client.delete_imported_key_material(KeyId=key_id)
    assert metadata(client, key_id)["KeyState"] == "PendingImport"


def test_delete_imported_key_material_of_an_aws_kms_key_is_unsupported(client, key_id):
    with pytest.raises(ClientError) as excinfo:
        client.delete_imported_key_material(KeyId=key_id)
    assert error_of(excinfo) == (
        "UnsupportedOperationException", f"{arn(key_id)} origin is AWS_KMS which is not valid for this operation.",
        400)


# --------------------------------------------------------------------------- new material, on-demand rotation

@pytest.fixture
def pending(client, imported):
    """``imported`` plus a second material imported as NEW_KEY_MATERIAL: (key id, first id, pending id)."""
    key_id, first = imported
    second = import_material(client, key_id, os.urandom(32), ImportType="NEW_KEY_MATERIAL")["KeyMaterialId"]
    return key_id, first, second


def test_new_key_material_waits_pending_rotation(client, pending):
    # test_rotate_key_on_demand_updates_current_key_material_for_external_keys (recorded):
    # "describe-key-with-new-material-response" still names the first material.
    key_id, first, second = pending
    assert second != first
    meta = metadata(client, key_id)
    assert (meta["CurrentKeyMaterialId"], meta["KeyState"]) == (first, "Enabled")


def test_all_key_material_lists_the_pending_material(client, pending):
    key_id, first, second = pending
    assert client.list_key_rotations(KeyId=key_id, IncludeKeyMaterial="ALL_KEY_MATERIAL")["Rotations"] == [
        {"KeyId": key_id, "KeyMaterialId": first, "ImportState": "IMPORTED", "KeyMaterialState": "CURRENT",
         "ExpirationModel": NEVER},
        {"KeyId": key_id, "KeyMaterialId": second, "ImportState": "IMPORTED", "KeyMaterialState": "PENDING_ROTATION",
         "ExpirationModel": NEVER},
    ]


def test_rotations_only_does_not_list_imported_materials_before_rotation(client, pending):
    key_id, _, _ = pending
    assert client.list_key_rotations(KeyId=key_id)["Rotations"] == []


def test_new_material_while_another_is_pending_rotation_is_refused(client, pending):
    # errors.md row 32 (test_import_key_material_raises_if_there_is_already_key_material_pending)
    key_id, first, second = pending
    with pytest.raises(ClientError) as excinfo:
        import_material(client, key_id, os.urandom(32), ImportType="NEW_KEY_MATERIAL")
    code, message, status = error_of(excinfo)
    assert (code, status) == ("KMSInvalidStateException", 400)
    match = re.fullmatch(
        rf"New key material \(id: ([0-9a-f]{{64}})\) cannot be imported into KMS key {re.escape(arn(key_id))}, "
        rf"because another key material \(id: {second}\) is pending rotation\.", message)
    assert match is not None, message
    assert match.group(1) not in (first, second)


def test_rotate_key_on_demand_makes_the_pending_material_current(client, pending, now):
    key_id, first, second = pending
    # "rotate-key-on-demand-response" (recorded): the key ARN
    assert fields(client.rotate_key_on_demand(KeyId=key_id)) == {"KeyId": arn(key_id)}
    assert metadata(client, key_id)["CurrentKeyMaterialId"] == second
    assert client.list_key_rotations(KeyId=key_id)["Rotations"] == [
        {"KeyId": key_id, "KeyMaterialId": second, "ImportState": "IMPORTED", "KeyMaterialState": "CURRENT",
         "ExpirationModel": NEVER, "RotationDate": now, "RotationType": "ON_DEMAND"}]


def test_ciphertexts_from_before_the_rotation_still_decrypt(client, pending):
    # test_rotate_key_on_demand_for_external_keys_decrypts_with_previous_material (recorded)
    key_id, first, second = pending
    old = client.encrypt(KeyId=key_id, Plaintext=b"old")["CiphertextBlob"]
    client.rotate_key_on_demand(KeyId=key_id)
    new = client.encrypt(KeyId=key_id, Plaintext=b"new")["CiphertextBlob"]
    assert [(r["Plaintext"], r["KeyMaterialId"]) for r in map(lambda b: client.decrypt(CiphertextBlob=b), [old, new])
            ] == [(b"old", first), (b"new", second)]


def test_after_the_rotation_another_new_material_can_be_imported(client, pending):
    key_id, _, _ = pending
    client.rotate_key_on_demand(KeyId=key_id)
    third = import_material(client, key_id, os.urandom(32), ImportType="NEW_KEY_MATERIAL")["KeyMaterialId"]
    states = {r["KeyMaterialId"]: r["KeyMaterialState"] for r in
              client.list_key_rotations(KeyId=key_id, IncludeKeyMaterial="ALL_KEY_MATERIAL")["Rotations"]}
    assert states[third] == "PENDING_ROTATION"


def test_key_material_description_is_listed(client, imported):
    key_id, _ = imported
    second = import_material(client, key_id, os.urandom(32), ImportType="NEW_KEY_MATERIAL",
                             KeyMaterialDescription="second generation")["KeyMaterialId"]
    listed = client.list_key_rotations(KeyId=key_id, IncludeKeyMaterial="ALL_KEY_MATERIAL")["Rotations"]
    assert [r.get("KeyMaterialDescription") for r in listed if r["KeyMaterialId"] == second] == ["second generation"]


def test_expiry_of_material_pending_rotation_leaves_the_key_usable(kms, client, imported, now):
    # At ValidTo KMS deletes the material (ImportKeyMaterial doc), so expiry must do what
    # DeleteImportedKeyMaterial of that material does: the mock keeps a key whose pending
    # material is deleted Enabled (see the next test), so an expired pending material must too.
    key_id, first = imported
    second = import_material(client, key_id, os.urandom(32), ImportType="NEW_KEY_MATERIAL",
                             ValidTo=now + 3 * DAYS)["KeyMaterialId"]
    kms.clock.advance(days=4)
    meta = metadata(client, key_id)
    assert (meta["KeyState"], meta["CurrentKeyMaterialId"]) == ("Enabled", first)
    states = {r["KeyMaterialId"]: r.get("ImportState") for r in
              client.list_key_rotations(KeyId=key_id, IncludeKeyMaterial="ALL_KEY_MATERIAL")["Rotations"]}
    assert states[second] == "PENDING_IMPORT"


def test_deleting_material_pending_rotation_leaves_the_key_usable(client, pending):
    key_id, first, second = pending
    client.delete_imported_key_material(KeyId=key_id, KeyMaterialId=second)
    meta = metadata(client, key_id)
    assert (meta["KeyState"], meta["CurrentKeyMaterialId"]) == ("Enabled", first)


def test_rotate_key_on_demand_with_no_material_pending_rotation(client, imported):
    # errors.md row 38 (test_rotate_key_on_demand_raises_for_no_pending_key_material)
    key_id, _ = imported
    with pytest.raises(ClientError) as excinfo:
        client.rotate_key_on_demand(KeyId=key_id)
    assert error_of(excinfo) == (
        "KMSInvalidStateException", f"No available key material pending rotation for the key: {arn(key_id)}.", 400)


def test_rotate_key_on_demand_of_an_external_key_before_any_import(client, external):
    # errors.md row 37 (test_rotate_key_on_demand_on_external_key_with_no_key_material)
    with pytest.raises(ClientError) as excinfo:
        client.rotate_key_on_demand(KeyId=external)
    assert error_of(excinfo) == ("KMSInvalidStateException", f"{arn(external)} is pending import.", 400)


# --------------------------------------------------------------------------- HMAC keys

@pytest.mark.parametrize("spec, algorithm, digest", [
    ("HMAC_224", "HMAC_SHA_224", hashlib.sha224),
    ("HMAC_256", "HMAC_SHA_256", hashlib.sha256),
    ("HMAC_384", "HMAC_SHA_384", hashlib.sha384),
    ("HMAC_512", "HMAC_SHA_512", hashlib.sha512),
])
def test_hmac_key_with_imported_material_macs_like_python(client, spec, algorithm, digest):
    key_id = external_key(client, KeySpec=spec, KeyUsage="GENERATE_VERIFY_MAC")
    secret = os.urandom(digest().digest_size)
    import_material(client, key_id, secret)
    message = b"some important message"
    mac = client.generate_mac(KeyId=key_id, Message=message, MacAlgorithm=algorithm)["Mac"]
    assert mac == hmac.new(secret, message, digest).digest()


def test_hmac_key_verifies_a_mac_made_offline(client):
    key_id = external_key(client, KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")
    secret = os.urandom(32)
    import_material(client, key_id, secret)
    offline = hmac.new(secret, b"message", hashlib.sha256).digest()
    assert client.verify_mac(KeyId=key_id, Message=b"message", MacAlgorithm="HMAC_SHA_256", Mac=offline)["MacValid"]


def test_hmac_key_after_import_has_no_current_key_material_id(client):
    # test_import_key_hmac_keys[HMAC_256], "describe-key-after-import" (recorded)
    key_id = external_key(client, KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")
    import_material(client, key_id, os.urandom(32))
    meta = metadata(client, key_id)
    assert "CurrentKeyMaterialId" not in meta
    assert (meta["KeyState"], meta["ExpirationModel"]) == ("Enabled", NEVER)


def test_hmac_256_key_refuses_16_bytes_of_material(client):
    key_id = external_key(client, KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")
    with pytest.raises(ClientError) as excinfo:
        import_material(client, key_id, os.urandom(16))
    assert code_of(excinfo) == ("IncorrectKeyMaterialException", 400)


# --------------------------------------------------------------------------- asymmetric keys

@pytest.fixture
def p256_signing_key(client):
    """An ECC_NIST_P256 SIGN_VERIFY key holding an offline P-256 private key (PKCS#8 DER)."""
    key_id = external_key(client, KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")
    # A PKCS#8 key is wrapped with RSA_AES_KEY_WRAP: it may exceed one OAEP block.
    import_material(client, key_id, pkcs8(offline_private_key("P-256")), "RSA_AES_KEY_WRAP_SHA_256")
    return key_id


def test_imported_ecc_key_has_the_offline_public_key(client, p256_signing_key):
    public = client.get_public_key(KeyId=p256_signing_key)["PublicKey"]
    assert public == spki(offline_private_key("P-256"))


def test_imported_ecc_key_signature_verifies_offline(client, p256_signing_key):
    message = b"signed in the mock"
    signature = client.sign(KeyId=p256_signing_key, Message=message, SigningAlgorithm="ECDSA_SHA_256")["Signature"]
    offline_private_key("P-256").public_key().verify(signature, message, ec.ECDSA(hashes.SHA256()))


def test_imported_ecc_key_verifies_an_offline_signature(client, p256_signing_key):
    message = b"signed offline"
    signature = offline_private_key("P-256").sign(message, ec.ECDSA(hashes.SHA256()))
    assert client.verify(KeyId=p256_signing_key, Message=message, Signature=signature,
                         SigningAlgorithm="ECDSA_SHA_256")["SignatureValid"] is True


def test_imported_ecc_key_describes_as_recorded(client, p256_signing_key):
    # test_import_key_asymmetric, "describe-key-after-import" (recorded)
    meta = metadata(client, p256_signing_key)
    assert set(meta) == ASYMMETRIC_AFTER_IMPORT_FIELDS
    assert (meta["KeyState"], meta["ExpirationModel"]) == ("Enabled", NEVER)


def test_imported_ecc_key_reimported_after_delete_signs_again(client, p256_signing_key):
    client.delete_imported_key_material(KeyId=p256_signing_key)
    assert metadata(client, p256_signing_key)["KeyState"] == "PendingImport"
    import_material(client, p256_signing_key, pkcs8(offline_private_key("P-256")), "RSA_AES_KEY_WRAP_SHA_256")
    signature = client.sign(KeyId=p256_signing_key, Message=b"m", SigningAlgorithm="ECDSA_SHA_256")["Signature"]
    offline_private_key("P-256").public_key().verify(signature, b"m", ec.ECDSA(hashes.SHA256()))


def test_p384_material_in_a_p256_key_is_incorrect(client):
    key_id = external_key(client, KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")
    with pytest.raises(ClientError) as excinfo:
        import_material(client, key_id, pkcs8(offline_private_key("P-384")), "RSA_AES_KEY_WRAP_SHA_256")
    assert code_of(excinfo) == ("IncorrectKeyMaterialException", 400)
    assert metadata(client, key_id)["KeyState"] == "PendingImport"


@pytest.fixture
def rsa_encryption_key(client):
    key_id = external_key(client, KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")
    import_material(client, key_id, pkcs8(offline_private_key("RSA-2048")), "RSA_AES_KEY_WRAP_SHA_256")
    return key_id


def test_imported_rsa_key_decrypts_data_encrypted_offline(client, rsa_encryption_key):
    public_key = offline_private_key("RSA-2048").public_key()
    blob = public_key.encrypt(b"for the mock", _oaep("SHA_256"))
    response = client.decrypt(KeyId=rsa_encryption_key, CiphertextBlob=blob, EncryptionAlgorithm="RSAES_OAEP_SHA_256")
    assert response["Plaintext"] == b"for the mock"


def test_imported_rsa_key_has_the_offline_public_key(client, rsa_encryption_key):
    assert client.get_public_key(KeyId=rsa_encryption_key)["PublicKey"] == spki(offline_private_key("RSA-2048"))
