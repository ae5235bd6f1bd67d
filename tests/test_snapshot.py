"""Seeds and snapshots: ``kms.dump()``, ``mock_kms(state=...)`` and the server's state file.

A snapshot must continue the same world: everything a client could observe before the
dump (ciphertexts, signatures, MACs, shared secrets, aliases, policies, grants, rotation
and deletion schedules, multi-Region sets, custom key stores, identity policies, the
clock) is observed the same way after it.  Hand-written seeds follow the format
documented in mockkms/snapshot.py; their errors name the bad field.

The server tests open loopback connections (and only those) to the servers they start.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import os
import subprocess
import sys
import threading

import boto3
import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

import mockkms
from conftest import ACCOUNT, REGION, error_of, make_client
from mockkms import current_mock, mock_kms
from mockkms.snapshot import SeedError

OTHER_REGION = "eu-west-1"
OTHER_ACCOUNT = "111122223333"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"
APP = f"arn:aws:iam::{ACCOUNT}:role/app"
FIXED_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
OTHER_ID = "0987dcba-09fe-87dc-65ba-ab0987654321"
MESSAGE = b"the message"
CONTEXT = {"purpose": "snapshot-test"}
LIST_KEYS_ONLY = {"Version": "2012-10-17",
                  "Statement": [{"Effect": "Allow", "Action": "kms:ListKeys", "Resource": "*"}]}
ENCRYPT_ONLY = {"Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*"}]}
CUSTOM_POLICY = ('{"Version": "2012-10-17", "Id": "custom",\n "Statement": [{"Sid": "owner", "Effect": "Allow", '
                 f'"Principal": {{"AWS": "{ROOT}"}}, "Action": "kms:*", "Resource": "*"}}]}}')
CLUSTER = "cluster-234567abcdefg"
TRUST_ANCHOR = "-----BEGIN CERTIFICATE-----\nMIIBmockkmsanchor\n-----END CERTIFICATE-----"
XKS_CREDENTIAL = {"AccessKeyId": "ABCDEFGHIJKLMNOPQRST", "RawSecretAccessKey": "A" * 43}
FAKE_CREDENTIALS = {"aws_access_key_id": "AKIAIOSFODNN7EXAMPLE", "aws_secret_access_key": "secret"}


# --------------------------------------------------------------------------- helpers

def fields(response):
    return {name: value for name, value in response.items() if name != "ResponseMetadata"}


def metadata(client, key_id):
    return client.describe_key(KeyId=key_id)["KeyMetadata"]


def encrypt(client, key_id, plaintext=MESSAGE, **extra):
    return client.encrypt(KeyId=key_id, Plaintext=plaintext, **extra)["CiphertextBlob"]


def decrypt(client, blob, **extra):
    return client.decrypt(CiphertextBlob=blob, **extra)["Plaintext"]


def refused(call, **params):
    with pytest.raises(ClientError) as excinfo:
        call(**params)
    return error_of(excinfo)


def b64(data):
    return base64.b64encode(data).decode()


def pkcs8(private_key):
    return private_key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption())


def spki(public_key):
    return public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def import_material(client, key_id, material, **kwargs):
    """GetParametersForImport, wrap offline with RSAES_OAEP_SHA_256, ImportKeyMaterial."""
    if "ValidTo" not in kwargs:
        kwargs.setdefault("ExpirationModel", "KEY_MATERIAL_DOES_NOT_EXPIRE")
    params = client.get_parameters_for_import(KeyId=key_id, WrappingAlgorithm="RSAES_OAEP_SHA_256",
                                              WrappingKeySpec="RSA_2048")
    public_key = serialization.load_der_public_key(params["PublicKey"])
    oaep = padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    return client.import_key_material(KeyId=key_id, ImportToken=params["ImportToken"],
                                      EncryptedKeyMaterial=public_key.encrypt(material, oaep), **kwargs)


def seed_error(seed):
    """The message of the SeedError that loading ``seed`` raises."""
    with pytest.raises(SeedError) as excinfo:
        mock_kms(state=seed)
    return str(excinfo.value)


# --------------------------------------------------------------------------- round trip: crypto

def test_symmetric_ciphertext_decrypts_after_the_round_trip(kms, client):
    key_id = client.create_key()["KeyMetadata"]["KeyId"]
    blob = encrypt(client, key_id)
    with mock_kms(state=kms.dump()) as other:
        assert decrypt(other.client(), blob) == MESSAGE


def test_ciphertext_with_an_encryption_context_decrypts_only_with_it_after_the_round_trip(kms, client):
    key_id = client.create_key()["KeyMetadata"]["KeyId"]
    blob = encrypt(client, key_id, EncryptionContext=CONTEXT)
    with mock_kms(state=kms.dump()) as other:
        new = other.client()
        assert decrypt(new, blob, EncryptionContext=CONTEXT) == MESSAGE
        assert refused(new.decrypt, CiphertextBlob=blob)[0] == "InvalidCiphertextException"


def test_ciphertexts_from_before_and_after_an_automatic_rotation_decrypt_after_the_round_trip(kms, client):
    key_id = client.create_key()["KeyMetadata"]["KeyId"]
    client.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    before = encrypt(client, key_id, b"before")
    kms.clock.advance(days=91)
    after = encrypt(client, key_id, b"after")
    rotations = client.list_key_rotations(KeyId=key_id)["Rotations"]
    assert len(rotations) == 1
    with mock_kms(state=kms.dump()) as other:
        new = other.client()
        assert (decrypt(new, before), decrypt(new, after)) == (b"before", b"after")
        assert new.list_key_rotations(KeyId=key_id)["Rotations"] == rotations


def test_a_generated_data_key_decrypts_after_the_round_trip(kms, client):
    key_id = client.create_key()["KeyMetadata"]["KeyId"]
    data_key = client.generate_data_key(KeyId=key_id, KeySpec="AES_256")
    with mock_kms(state=kms.dump()) as other:
        assert decrypt(other.client(), data_key["CiphertextBlob"]) == data_key["Plaintext"]


def test_rsa_signing_key_has_the_same_public_key_after_the_round_trip(kms, client):
    key_id = client.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    public = fields(client.get_public_key(KeyId=key_id))
    with mock_kms(state=kms.dump()) as other:
        assert fields(other.client().get_public_key(KeyId=key_id)) == public


def test_rsa_signature_made_before_verifies_after_the_round_trip(kms, client):
    key_id = client.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    signature = client.sign(KeyId=key_id, Message=MESSAGE, SigningAlgorithm="RSASSA_PSS_SHA_256")["Signature"]
    with mock_kms(state=kms.dump()) as other:
        assert other.client().verify(KeyId=key_id, Message=MESSAGE, Signature=signature,
                                     SigningAlgorithm="RSASSA_PSS_SHA_256")["SignatureValid"] is True


def test_rsa_encryption_ciphertext_decrypts_after_the_round_trip(kms, client):
    key_id = client.create_key(KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]["KeyId"]
    blob = client.encrypt(KeyId=key_id, Plaintext=MESSAGE,
                          EncryptionAlgorithm="RSAES_OAEP_SHA_256")["CiphertextBlob"]
    with mock_kms(state=kms.dump()) as other:
        assert decrypt(other.client(), blob, KeyId=key_id, EncryptionAlgorithm="RSAES_OAEP_SHA_256") == MESSAGE


def test_hmac_key_gives_the_same_mac_after_the_round_trip(kms, client):
    key_id = client.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]["KeyId"]
    mac = client.generate_mac(KeyId=key_id, Message=MESSAGE, MacAlgorithm="HMAC_SHA_256")["Mac"]
    with mock_kms(state=kms.dump()) as other:
        assert other.client().generate_mac(KeyId=key_id, Message=MESSAGE, MacAlgorithm="HMAC_SHA_256")["Mac"] == mac


def test_ecc_key_agreement_gives_the_same_shared_secret_after_the_round_trip(kms, client):
    key_id = client.create_key(KeySpec="ECC_NIST_P256", KeyUsage="KEY_AGREEMENT")["KeyMetadata"]["KeyId"]
    peer = spki(ec.generate_private_key(ec.SECP256R1()).public_key())
    secret = client.derive_shared_secret(KeyId=key_id, KeyAgreementAlgorithm="ECDH", PublicKey=peer)["SharedSecret"]
    with mock_kms(state=kms.dump()) as other:
        again = other.client().derive_shared_secret(KeyId=key_id, KeyAgreementAlgorithm="ECDH", PublicKey=peer)
        assert again["SharedSecret"] == secret


def test_imported_material_keeps_working_after_the_round_trip(kms, client):
    key_id = client.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    material = os.urandom(32)
    material_id = import_material(client, key_id, material)["KeyMaterialId"]
    blob = encrypt(client, key_id)
    with mock_kms(state=kms.dump()) as other:
        new = other.client()
        meta = metadata(new, key_id)
        assert (meta["Origin"], meta["KeyState"], meta["CurrentKeyMaterialId"], meta["ExpirationModel"]) == (
            "EXTERNAL", "Enabled", material_id, "KEY_MATERIAL_DOES_NOT_EXPIRE")
        assert decrypt(new, blob) == MESSAGE
        assert decrypt(new, encrypt(new, key_id, b"new")) == b"new"


def test_imported_material_can_be_reimported_after_the_round_trip(kms, client):
    key_id = client.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    material = os.urandom(32)
    import_material(client, key_id, material)
    blob = encrypt(client, key_id)
    client.delete_imported_key_material(KeyId=key_id)
    with mock_kms(state=kms.dump()) as other:
        new = other.client()
        assert metadata(new, key_id)["KeyState"] == "PendingImport"
        import_material(new, key_id, material)
        assert decrypt(new, blob) == MESSAGE


def test_expiring_imported_material_still_expires_after_the_round_trip(kms, client):
    now = kms.clock.freeze()
    key_id = client.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    import_material(client, key_id, os.urandom(32), ValidTo=now + dt.timedelta(days=10),
                    ExpirationModel="KEY_MATERIAL_EXPIRES")
    valid_to = metadata(client, key_id)["ValidTo"]
    with mock_kms(state=kms.dump()) as other:
        new = other.client()
        assert metadata(new, key_id)["ValidTo"] == valid_to
        other.clock.advance(days=11)
        assert metadata(new, key_id)["KeyState"] == "PendingImport"


# --------------------------------------------------------------------------- round trip: metadata

def test_aliases_are_kept_by_the_round_trip(kms, client):
    key_id = client.create_key()["KeyMetadata"]["KeyId"]
    client.create_alias(AliasName="alias/app", TargetKeyId=key_id)
    client.create_alias(AliasName="alias/app-2", TargetKeyId=key_id)
    with mock_kms(state=kms.dump()) as other:
        new = other.client()
        assert [(a["AliasName"], a["TargetKeyId"]) for a in new.list_aliases(KeyId=key_id)["Aliases"]] == [
            ("alias/app", key_id), ("alias/app-2", key_id)]
        assert metadata(new, "alias/app")["KeyId"] == key_id


def test_alias_dates_are_kept_by_the_round_trip(kms, client):
    # An alias made (and updated) after its key: ListAliases's CreationDate / LastUpdatedDate
    # must not become the key's creation date.
    kms.clock.freeze()
    first, second = (client.create_key()["KeyMetadata"]["KeyId"] for _ in range(2))
    kms.clock.advance(days=1)
    client.create_alias(AliasName="alias/app", TargetKeyId=first)
    kms.clock.advance(days=1)
    client.update_alias(AliasName="alias/app", TargetKeyId=second)
    aliases = client.list_aliases(KeyId=second)["Aliases"]
    with mock_kms(state=kms.dump()) as other:
        assert other.client().list_aliases(KeyId=second)["Aliases"] == aliases


def test_an_updated_alias_points_at_its_new_key_after_the_round_trip(kms, client):
    first, second = (client.create_key()["KeyMetadata"]["KeyId"] for _ in range(2))
    client.create_alias(AliasName="alias/app", TargetKeyId=first)
    client.update_alias(AliasName="alias/app", TargetKeyId=second)
    with mock_kms(state=kms.dump()) as other:
        assert metadata(other.client(), "alias/app")["KeyId"] == second


def test_tags_are_kept_by_the_round_trip(kms, client):
    key_id = client.create_key(Tags=[{"TagKey": "team", "TagValue": "a"},
                                     {"TagKey": "env", "TagValue": "test"}])["KeyMetadata"]["KeyId"]
    tags = client.list_resource_tags(KeyId=key_id)["Tags"]
    with mock_kms(state=kms.dump()) as other:
        assert other.client().list_resource_tags(KeyId=key_id)["Tags"] == tags


def test_description_and_whole_metadata_are_kept_by_the_round_trip(kms, client):
    key_id = client.create_key(Description="the payments key")["KeyMetadata"]["KeyId"]
    before = metadata(client, key_id)
    with mock_kms(state=kms.dump()) as other:
        after = metadata(other.client(), key_id)
    assert after["Description"] == "the payments key"
    assert after == before


def test_custom_key_policy_text_is_kept_by_the_round_trip(kms, client):
    key_id = client.create_key(Policy=CUSTOM_POLICY)["KeyMetadata"]["KeyId"]
    policy = client.get_key_policy(KeyId=key_id)["Policy"]
    assert json.loads(policy) == json.loads(CUSTOM_POLICY)
    with mock_kms(state=kms.dump()) as other:
        assert other.client().get_key_policy(KeyId=key_id)["Policy"] == policy


def test_a_policy_put_after_creation_is_kept_and_enforced_after_the_round_trip(kms, client):
    key_id = client.create_key()["KeyMetadata"]["KeyId"]
    denying = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "kms:*", "Resource": "*"},
        {"Effect": "Deny", "Principal": {"AWS": APP}, "Action": "kms:Encrypt", "Resource": "*"}]}
    client.put_key_policy(KeyId=key_id, PolicyName="default", Policy=json.dumps(denying))
    policy = client.get_key_policy(KeyId=key_id)["Policy"]
    with mock_kms(state=kms.dump()) as other:
        assert other.client().get_key_policy(KeyId=key_id)["Policy"] == policy
        assert refused(other.client(principal=APP).encrypt, KeyId=key_id, Plaintext=b"x")[0] == (
            "AccessDeniedException")


def test_default_key_policy_is_kept_by_the_round_trip(kms, client):
    key_id = client.create_key()["KeyMetadata"]["KeyId"]
    policy = client.get_key_policy(KeyId=key_id)["Policy"]
    with mock_kms(state=kms.dump()) as other:
        assert other.client().get_key_policy(KeyId=key_id)["Policy"] == policy


def test_disabled_key_stays_disabled_after_the_round_trip(kms, client):
    key_id = client.create_key()["KeyMetadata"]["KeyId"]
    client.disable_key(KeyId=key_id)
    with mock_kms(state=kms.dump()) as other:
        new = other.client()
        assert (metadata(new, key_id)["KeyState"], metadata(new, key_id)["Enabled"]) == ("Disabled", False)
        assert refused(new.encrypt, KeyId=key_id, Plaintext=b"x")[0] == "DisabledException"


# --------------------------------------------------------------------------- round trip: grants

@pytest.fixture
def granted(kms, client):
    """A key, a grant of Decrypt to APP (whose IAM allows only ListKeys), and a ciphertext."""
    kms.allow(APP, LIST_KEYS_ONLY)
    key_id = client.create_key()["KeyMetadata"]["KeyId"]
    grant = client.create_grant(KeyId=key_id, GranteePrincipal=APP, Operations=["Decrypt", "RetireGrant"],
                                Name="app-decrypt")
    return key_id, grant, encrypt(client, key_id)


def test_grants_are_listed_the_same_after_the_round_trip(kms, client, granted):
    key_id, _, _ = granted
    grants = client.list_grants(KeyId=key_id)["Grants"]
    with mock_kms(state=kms.dump()) as other:
        assert other.client().list_grants(KeyId=key_id)["Grants"] == grants


def test_a_grant_still_authorizes_its_grantee_after_the_round_trip(kms, client, granted):
    _, _, blob = granted
    with mock_kms(state=kms.dump()) as other:
        app = other.client(principal=APP)
        assert decrypt(app, blob) == MESSAGE
        assert refused(app.describe_key, KeyId=granted[0])[0] == "AccessDeniedException"


def test_a_grant_token_is_still_accepted_after_the_round_trip(kms, client, granted):
    _, grant, blob = granted
    with mock_kms(state=kms.dump()) as other:
        new = other.client()
        assert decrypt(new, blob, GrantTokens=[grant["GrantToken"]]) == MESSAGE
        assert refused(new.decrypt, CiphertextBlob=blob, GrantTokens=["made-up-token"])[0] == (
            "InvalidGrantTokenException")


def test_a_grant_can_be_retired_by_its_token_after_the_round_trip(kms, client, granted):
    key_id, grant, blob = granted
    with mock_kms(state=kms.dump()) as other:
        new = other.client()
        new.retire_grant(GrantToken=grant["GrantToken"])
        assert new.list_grants(KeyId=key_id)["Grants"] == []
        assert refused(other.client(principal=APP).decrypt, CiphertextBlob=blob)[0] == "AccessDeniedException"


# --------------------------------------------------------------------------- round trip: schedules

def test_rotation_status_is_kept_by_the_round_trip(kms, client):
    key_id = client.create_key()["KeyMetadata"]["KeyId"]
    client.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=180)
    status = fields(client.get_key_rotation_status(KeyId=key_id))
    assert status["NextRotationDate"] is not None
    with mock_kms(state=kms.dump()) as other:
        assert fields(other.client().get_key_rotation_status(KeyId=key_id)) == status


def test_rotation_happens_on_schedule_in_the_new_mock(kms, client):
    key_id = client.create_key()["KeyMetadata"]["KeyId"]
    client.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    kms.clock.advance(days=60)
    with mock_kms(state=kms.dump()) as other:
        new = other.client()
        other.clock.advance(days=29)
        assert new.list_key_rotations(KeyId=key_id)["Rotations"] == []
        other.clock.advance(days=2)
        rotations = new.list_key_rotations(KeyId=key_id)["Rotations"]
        assert [r["RotationType"] for r in rotations] == ["AUTOMATIC"]


def test_disabled_rotation_stays_disabled_after_the_round_trip(kms, client):
    key_id = client.create_key()["KeyMetadata"]["KeyId"]
    client.enable_key_rotation(KeyId=key_id)
    client.disable_key_rotation(KeyId=key_id)
    with mock_kms(state=kms.dump()) as other:
        status = other.client().get_key_rotation_status(KeyId=key_id)
        assert status["KeyRotationEnabled"] is False and "NextRotationDate" not in status


def test_on_demand_rotations_are_kept_by_the_round_trip(kms, client):
    key_id = client.create_key()["KeyMetadata"]["KeyId"]
    before = encrypt(client, key_id, b"before")
    client.rotate_key_on_demand(KeyId=key_id)
    rotations = client.list_key_rotations(KeyId=key_id)["Rotations"]
    with mock_kms(state=kms.dump()) as other:
        new = other.client()
        assert new.list_key_rotations(KeyId=key_id)["Rotations"] == rotations
        assert decrypt(new, before) == b"before"


def test_pending_deletion_keeps_its_deletion_date_after_the_round_trip(kms, client):
    key_id = client.create_key()["KeyMetadata"]["KeyId"]
    deletion_date = client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)["DeletionDate"]
    with mock_kms(state=kms.dump()) as other:
        meta = metadata(other.client(), key_id)
        assert (meta["KeyState"], meta["DeletionDate"]) == ("PendingDeletion", deletion_date)


def test_key_pending_deletion_is_deleted_when_the_new_mocks_clock_passes_its_date(kms, client):
    key_id = client.create_key()["KeyMetadata"]["KeyId"]
    client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    kms.clock.advance(days=3)
    with mock_kms(state=kms.dump()) as other:
        new = other.client()
        other.clock.advance(days=3)
        assert metadata(new, key_id)["KeyState"] == "PendingDeletion"
        other.clock.advance(days=2)
        assert refused(new.describe_key, KeyId=key_id)[0] == "NotFoundException"
        assert new.list_keys()["Keys"] == []


def test_key_pending_deletion_can_be_cancelled_after_the_round_trip(kms, client):
    key_id = client.create_key()["KeyMetadata"]["KeyId"]
    client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    with mock_kms(state=kms.dump()) as other:
        new = other.client()
        new.cancel_key_deletion(KeyId=key_id)
        other.clock.advance(days=8)
        assert metadata(new, key_id)["KeyState"] == "Disabled"


# --------------------------------------------------------------------------- round trip: multi-Region

def replicated(kms, client):
    key_id = client.create_key(MultiRegion=True)["KeyMetadata"]["KeyId"]
    client.replicate_key(KeyId=key_id, ReplicaRegion=OTHER_REGION)
    kms.clock.advance(seconds=6)
    return key_id


def assert_both_regions_survive_the_round_trip(kms, key_id):
    """The key's metadata in both Regions is the same in a mock seeded with the dump."""
    views = {region: metadata(make_client(region), key_id) for region in (REGION, OTHER_REGION)}
    with mock_kms(state=kms.dump()) as other:
        for region in (REGION, OTHER_REGION):
            assert metadata(other.client(region), key_id) == views[region]


def test_multi_region_primary_and_replica_exist_in_both_regions_after_the_round_trip(kms, client):
    assert_both_regions_survive_the_round_trip(kms, replicated(kms, client))


def test_multi_region_ciphertext_decrypts_in_either_region_after_the_round_trip(kms, client):
    key_id = replicated(kms, client)
    from_primary = encrypt(client, key_id, b"primary")
    from_replica = encrypt(make_client(OTHER_REGION), key_id, b"replica")
    with mock_kms(state=kms.dump()) as other:
        for region in (REGION, OTHER_REGION):
            new = other.client(region)
            assert (decrypt(new, from_primary), decrypt(new, from_replica)) == (b"primary", b"replica")


def test_multi_region_set_survives_when_the_replica_region_was_used_first(kms, client):
    # The replica's Region exists in the world before the primary's: the dump lists the
    # replica first, and loading must still make the right member the primary.
    make_client(OTHER_REGION).list_keys()
    assert_both_regions_survive_the_round_trip(kms, replicated(kms, client))


def test_a_new_replica_can_be_made_after_the_round_trip(kms, client):
    key_id = replicated(kms, client)
    blob = encrypt(client, key_id)
    with mock_kms(state=kms.dump()) as other:
        other.client().replicate_key(KeyId=key_id, ReplicaRegion="ap-southeast-2")
        other.clock.advance(seconds=6)
        assert decrypt(other.client("ap-southeast-2"), blob) == MESSAGE


# --------------------------------------------------------------------------- round trip: world-wide state

def test_custom_key_stores_are_described_the_same_after_the_round_trip(kms, client):
    client.create_custom_key_store(CustomKeyStoreName="hsm", CloudHsmClusterId=CLUSTER,
                                   TrustAnchorCertificate=TRUST_ANCHOR, KeyStorePassword="kmsuser-password")
    client.create_custom_key_store(
        CustomKeyStoreName="xks", CustomKeyStoreType="EXTERNAL_KEY_STORE", XksProxyConnectivity="PUBLIC_ENDPOINT",
        XksProxyUriEndpoint="https://xks.example.com", XksProxyUriPath="/kms/xks/v1",
        XksProxyAuthenticationCredential=XKS_CREDENTIAL)
    stores = client.describe_custom_key_stores()["CustomKeyStores"]
    with mock_kms(state=kms.dump()) as other:
        assert other.client().describe_custom_key_stores()["CustomKeyStores"] == stores


def test_a_key_in_a_connected_custom_key_store_is_kept_by_the_round_trip(kms, client):
    store_id = client.create_custom_key_store(
        CustomKeyStoreName="hsm", CloudHsmClusterId=CLUSTER, TrustAnchorCertificate=TRUST_ANCHOR,
        KeyStorePassword="kmsuser-password")["CustomKeyStoreId"]
    client.connect_custom_key_store(CustomKeyStoreId=store_id)
    kms.clock.advance(seconds=6)
    key_id = client.create_key(CustomKeyStoreId=store_id, Origin="AWS_CLOUDHSM")["KeyMetadata"]["KeyId"]
    blob = encrypt(client, key_id)
    meta = metadata(client, key_id)
    with mock_kms(state=kms.dump()) as other:
        new = other.client()
        assert metadata(new, key_id) == meta
        assert decrypt(new, blob) == MESSAGE


def test_an_aws_managed_key_is_kept_by_the_round_trip(kms, client):
    s3 = kms.client(via_service="s3.us-east-1.amazonaws.com")
    blob = encrypt(s3, "alias/aws/s3")
    meta = metadata(client, "alias/aws/s3")
    with mock_kms(state=kms.dump()) as other:
        assert metadata(other.client(), "alias/aws/s3") == meta
        assert decrypt(other.client(via_service="s3.us-east-1.amazonaws.com"), blob) == MESSAGE


def test_a_role_limited_by_an_identity_policy_is_still_limited_after_the_round_trip(kms, client):
    key_id = client.create_key()["KeyMetadata"]["KeyId"]
    kms.allow(APP, ENCRYPT_ONLY)
    with mock_kms(state=kms.dump()) as other:
        app = other.client(principal=APP)
        assert app.encrypt(KeyId=key_id, Plaintext=b"x")["KeyId"].endswith(key_id)
        assert refused(app.describe_key, KeyId=key_id)[0] == "AccessDeniedException"


def test_the_new_mocks_clock_starts_where_the_dumps_did(kms):
    when = dt.datetime(2031, 5, 4, 3, 2, 1, tzinfo=dt.timezone.utc)
    kms.clock.move_to(when)
    kms.clock.freeze()
    with mock_kms(state=kms.dump()) as other:
        now = other.clock.now()
        assert when <= now < when + dt.timedelta(seconds=5)
        created = other.client().create_key()["KeyMetadata"]["CreationDate"]
        assert when <= created < when + dt.timedelta(seconds=5)


def test_the_dump_is_json_serialisable_and_loads_from_its_json(kms, client):
    key_id = client.create_key(Description="json")["KeyMetadata"]["KeyId"]
    client.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")
    client.create_grant(KeyId=key_id, GranteePrincipal=APP, Operations=["Decrypt"])
    kms.allow(APP, LIST_KEYS_ONLY)
    blob = encrypt(client, key_id)
    text = json.dumps(kms.dump())
    with mock_kms(state=json.loads(text)) as other:
        assert decrypt(other.client(), blob) == MESSAGE


def test_loading_a_dump_twice_gives_two_independent_worlds(kms, client):
    key_id = client.create_key()["KeyMetadata"]["KeyId"]
    state = kms.dump()
    first, second = mock_kms(state=state), mock_kms(state=state)
    with first:
        first.client().disable_key(KeyId=key_id)
        first.client().create_key()
    with second:
        new = second.client()
        assert metadata(new, key_id)["KeyState"] == "Enabled"
        assert [k["KeyId"] for k in new.list_keys()["Keys"]] == [key_id]
    assert len(first.dump()["keys"]) == 2 and len(second.dump()["keys"]) == 1


def test_the_dump_is_not_changed_by_later_calls(kms, client):
    key_id = client.create_key()["KeyMetadata"]["KeyId"]
    state = kms.dump()
    snapshot_text = json.dumps(state, sort_keys=True)
    client.tag_resource(KeyId=key_id, Tags=[{"TagKey": "later", "TagValue": "x"}])
    client.create_alias(AliasName="alias/later", TargetKeyId=key_id)
    assert json.dumps(state, sort_keys=True) == snapshot_text


# --------------------------------------------------------------------------- hand-written seeds

def test_an_alias_only_seed_gives_one_symmetric_key_in_the_default_account_and_region():
    with mock_kms(state={"keys": [{"aliases": ["alias/app"]}]}) as kms:
        client = kms.client()
        keys = client.list_keys()["Keys"]
        assert len(keys) == 1
        meta = metadata(client, "alias/app")
        assert meta["Arn"] == f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{meta['KeyId']}"
        assert (meta["KeySpec"], meta["KeyUsage"], meta["KeyState"], meta["Origin"], meta["KeyManager"]) == (
            "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", "Enabled", "AWS_KMS", "CUSTOMER")
        assert decrypt(client, encrypt(client, "alias/app")) == MESSAGE


def test_a_seed_key_without_account_or_region_goes_to_the_mocks_own():
    with mock_kms(account_id=OTHER_ACCOUNT, region=OTHER_REGION, state={"keys": [{"id": FIXED_ID}]}) as kms:
        meta = metadata(kms.client(), FIXED_ID)
        assert meta["Arn"] == f"arn:aws:kms:{OTHER_REGION}:{OTHER_ACCOUNT}:key/{FIXED_ID}"


def test_seed_account_and_region_fields_place_the_key():
    seed = {"keys": [{"id": FIXED_ID, "account": OTHER_ACCOUNT, "region": OTHER_REGION}]}
    with mock_kms(state=seed) as kms:
        assert kms.client().list_keys()["Keys"] == []
        owner = kms.client(OTHER_REGION, principal=OTHER_ACCOUNT)
        assert metadata(owner, FIXED_ID)["Arn"] == f"arn:aws:kms:{OTHER_REGION}:{OTHER_ACCOUNT}:key/{FIXED_ID}"
        assert owner.get_key_policy(KeyId=FIXED_ID)["Policy"].count(f"arn:aws:iam::{OTHER_ACCOUNT}:root") == 1


@pytest.mark.parametrize("spec, usage, algorithms", [
    ("RSA_2048", "SIGN_VERIFY", "SigningAlgorithms"),
    ("HMAC_256", "GENERATE_VERIFY_MAC", "MacAlgorithms"),
    ("ECC_NIST_P256", "KEY_AGREEMENT", "KeyAgreementAlgorithms"),
])
def test_seed_spec_and_usage_make_that_kind_of_key(spec, usage, algorithms):
    with mock_kms(state={"keys": [{"id": FIXED_ID, "spec": spec, "usage": usage}]}) as kms:
        meta = metadata(kms.client(), FIXED_ID)
        assert (meta["KeySpec"], meta["KeyUsage"]) == (spec, usage)
        assert meta[algorithms]


def test_a_seeded_rsa_signing_key_signs_and_verifies():
    with mock_kms(state={"keys": [{"id": FIXED_ID, "spec": "RSA_2048", "usage": "SIGN_VERIFY"}]}) as kms:
        client = kms.client()
        signature = client.sign(KeyId=FIXED_ID, Message=MESSAGE, SigningAlgorithm="RSASSA_PSS_SHA_256")["Signature"]
        public = serialization.load_der_public_key(client.get_public_key(KeyId=FIXED_ID)["PublicKey"])
        public.verify(signature, MESSAGE, padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32),
                      hashes.SHA256())


def test_seed_description_is_the_keys_description():
    with mock_kms(state={"keys": [{"id": FIXED_ID, "description": "from the seed"}]}) as kms:
        assert metadata(kms.client(), FIXED_ID)["Description"] == "from the seed"


def test_seed_state_disabled_gives_a_disabled_key():
    with mock_kms(state={"keys": [{"id": FIXED_ID, "state": "Disabled"}]}) as kms:
        client = kms.client()
        assert (metadata(client, FIXED_ID)["KeyState"], metadata(client, FIXED_ID)["Enabled"]) == (
            "Disabled", False)
        assert refused(client.encrypt, KeyId=FIXED_ID, Plaintext=b"x")[0] == "DisabledException"
        client.enable_key(KeyId=FIXED_ID)
        assert decrypt(client, encrypt(client, FIXED_ID)) == MESSAGE


def test_seed_tags_are_the_keys_tags():
    with mock_kms(state={"keys": [{"id": FIXED_ID, "tags": {"team": "a", "env": "test"}}]}) as kms:
        tags = kms.client().list_resource_tags(KeyId=FIXED_ID)["Tags"]
        assert sorted((t["TagKey"], t["TagValue"]) for t in tags) == [("env", "test"), ("team", "a")]


def test_seed_policy_given_as_a_dict_is_the_keys_policy_and_is_enforced():
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "kms:*", "Resource": "*"},
        {"Effect": "Deny", "Principal": {"AWS": APP}, "Action": "kms:Encrypt", "Resource": "*"}]}
    with mock_kms(state={"keys": [{"id": FIXED_ID, "policy": policy}]}) as kms:
        assert json.loads(kms.client().get_key_policy(KeyId=FIXED_ID)["Policy"]) == policy
        assert refused(kms.client(principal=APP).encrypt, KeyId=FIXED_ID, Plaintext=b"x")[0] == (
            "AccessDeniedException")


def test_seed_policy_given_as_text_reads_as_create_keys_policy_would(kms, client):
    created = client.create_key(Policy=CUSTOM_POLICY)["KeyMetadata"]["KeyId"]
    expected = client.get_key_policy(KeyId=created)["Policy"]
    with mock_kms(state={"keys": [{"id": FIXED_ID, "policy": CUSTOM_POLICY}]}) as seeded:
        assert seeded.client().get_key_policy(KeyId=FIXED_ID)["Policy"] == expected


def test_seed_rotation_period_turns_automatic_rotation_on():
    seed = {"clock": "2030-01-01T00:00:00Z", "keys": [{"id": FIXED_ID, "rotation_period_days": 120}]}
    with mock_kms(state=seed) as kms:
        kms.clock.freeze()
        status = kms.client().get_key_rotation_status(KeyId=FIXED_ID)
        assert (status["KeyRotationEnabled"], status["RotationPeriodInDays"]) == (True, 120)
        start = dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc)
        assert start + dt.timedelta(days=120) <= status["NextRotationDate"] < start + dt.timedelta(days=120,
                                                                                                  seconds=5)


def test_a_key_seeded_without_rotation_period_does_not_rotate():
    with mock_kms(state={"keys": [{"id": FIXED_ID}]}) as kms:
        assert kms.client().get_key_rotation_status(KeyId=FIXED_ID)["KeyRotationEnabled"] is False


def test_two_mocks_seeded_with_the_same_material_and_id_decrypt_each_others_ciphertexts():
    seed = {"keys": [{"id": FIXED_ID, "material": b64(bytes(range(32)))}]}
    with mock_kms(state=seed) as first:
        blob_first = encrypt(first.client(), FIXED_ID, b"from first")
    with mock_kms(state=seed) as second:
        client = second.client()
        assert decrypt(client, blob_first) == b"from first"
        blob_second = encrypt(client, FIXED_ID, b"from second")
    with mock_kms(state=seed) as first_again:
        assert decrypt(first_again.client(), blob_second) == b"from second"


def test_the_same_material_under_another_key_id_does_not_decrypt_the_ciphertext():
    material = b64(bytes(range(32)))
    with mock_kms(state={"keys": [{"id": FIXED_ID, "material": material}]}) as first:
        blob = encrypt(first.client(), FIXED_ID)
    with mock_kms(state={"keys": [{"id": OTHER_ID, "material": material}]}) as second:
        # The ciphertext names FIXED_ID, a key this world does not have (test_crypto.py's wording).
        assert refused(second.client().decrypt, CiphertextBlob=blob)[0] == "AccessDeniedException"


def test_seeded_hmac_material_gives_the_mac_pythons_hmac_computes():
    material = os.urandom(32)
    seed = {"keys": [{"id": FIXED_ID, "spec": "HMAC_256", "usage": "GENERATE_VERIFY_MAC", "material": b64(material)}]}
    with mock_kms(state=seed) as kms:
        mac = kms.client().generate_mac(KeyId=FIXED_ID, Message=MESSAGE, MacAlgorithm="HMAC_SHA_256")["Mac"]
    assert mac == hmac.new(material, MESSAGE, hashlib.sha256).digest()


def test_seeded_rsa_material_gives_that_public_key():
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    seed = {"keys": [{"id": FIXED_ID, "spec": "RSA_2048", "usage": "SIGN_VERIFY", "material": b64(pkcs8(private))}]}
    with mock_kms(state=seed) as kms:
        client = kms.client()
        assert client.get_public_key(KeyId=FIXED_ID)["PublicKey"] == spki(private.public_key())
        signature = client.sign(KeyId=FIXED_ID, Message=MESSAGE, SigningAlgorithm="RSASSA_PKCS1_V1_5_SHA_256")
    private.public_key().verify(signature["Signature"], MESSAGE, padding.PKCS1v15(), hashes.SHA256())


def test_seeded_ecc_material_gives_that_public_key_and_its_shared_secret():
    private = ec.generate_private_key(ec.SECP256R1())
    peer = ec.generate_private_key(ec.SECP256R1())
    seed = {"keys": [{"id": FIXED_ID, "spec": "ECC_NIST_P256", "usage": "KEY_AGREEMENT",
                      "material": b64(pkcs8(private))}]}
    with mock_kms(state=seed) as kms:
        client = kms.client()
        assert client.get_public_key(KeyId=FIXED_ID)["PublicKey"] == spki(private.public_key())
        secret = client.derive_shared_secret(KeyId=FIXED_ID, KeyAgreementAlgorithm="ECDH",
                                             PublicKey=spki(peer.public_key()))["SharedSecret"]
    assert secret == peer.exchange(ec.ECDH(), private.public_key())


def test_seed_clock_sets_the_mocks_time():
    with mock_kms(state={"clock": "2030-06-01T12:00:00Z", "keys": []}) as kms:
        start = dt.datetime(2030, 6, 1, 12, tzinfo=dt.timezone.utc)
        assert start <= kms.clock.now() < start + dt.timedelta(seconds=5)


def test_seed_identity_policies_limit_their_principal():
    seed = {"keys": [{"id": FIXED_ID}], "identity_policies": {APP: [ENCRYPT_ONLY]}}
    with mock_kms(state=seed) as kms:
        app = kms.client(principal=APP)
        app.encrypt(KeyId=FIXED_ID, Plaintext=b"x")
        assert refused(app.describe_key, KeyId=FIXED_ID)[0] == "AccessDeniedException"


def test_a_seed_from_a_json_file(tmp_path):
    path = tmp_path / "world.json"
    path.write_text(json.dumps({"keys": [{"id": FIXED_ID, "aliases": ["alias/json"], "description": "json"}]}))
    with mock_kms(state=str(path)) as kms:
        assert metadata(kms.client(), "alias/json")["Description"] == "json"
    with mock_kms(state=path) as kms:  # a pathlib.Path works too
        assert metadata(kms.client(), "alias/json")["KeyId"] == FIXED_ID


@pytest.mark.skipif(sys.version_info < (3, 11), reason="reading TOML needs Python 3.11's tomllib")
def test_a_seed_from_a_toml_file(tmp_path):
    path = tmp_path / "world.toml"
    path.write_text('version = 1\n\n[[keys]]\nid = "%s"\naliases = ["alias/toml"]\ndescription = "toml"\n'
                    'spec = "HMAC_256"\nusage = "GENERATE_VERIFY_MAC"\n\n[keys.tags]\nteam = "a"\n' % FIXED_ID)
    with mock_kms(state=path) as kms:
        client = kms.client()
        meta = metadata(client, "alias/toml")
        assert (meta["KeyId"], meta["Description"], meta["KeySpec"]) == (FIXED_ID, "toml", "HMAC_256")
        assert client.list_resource_tags(KeyId=FIXED_ID)["Tags"] == [{"TagKey": "team", "TagValue": "a"}]


def test_a_dump_written_to_a_file_loads_from_it(kms, client, tmp_path):
    key_id = client.create_key()["KeyMetadata"]["KeyId"]
    blob = encrypt(client, key_id)
    path = tmp_path / "dump.json"
    path.write_text(json.dumps(kms.dump()))
    with mock_kms(state=str(path)) as other:
        assert decrypt(other.client(), blob) == MESSAGE


# --------------------------------------------------------------------------- seed validation

def test_seed_error_is_a_value_error():
    assert issubclass(SeedError, ValueError)


@pytest.mark.parametrize("seed, message", [
    ({"keys": [{"spec": "RSA_1024"}]}, "state.keys[0].spec: 'RSA_1024' is not a KeySpec"),
    ({"keys": [{"spec": "RSA_2048", "usage": "GENERATE_VERIFY_MAC"}]},
     "state.keys[0].usage: 'GENERATE_VERIFY_MAC' is not a KeyUsage of RSA_2048 keys"),
    ({"keys": [{"usage": "SIGN_VERIFY"}]},
     "state.keys[0].usage: 'SIGN_VERIFY' is not a KeyUsage of SYMMETRIC_DEFAULT keys"),
    ({"keys": [{}, {"state": "Frozen"}]}, "state.keys[1].state: 'Frozen' is not a key state"),
    ({"keys": [{"id": "not-a-key-id"}]}, "state.keys[0].id: 'not-a-key-id' is not a key id"),
    ({"keys": [{"id": FIXED_ID}, {"id": FIXED_ID}]},
     f"state.keys[1].id: {FIXED_ID} appears twice in {ACCOUNT}/{REGION}"),
    ({"keys": [{"material": "not base64!"}]}, "state.keys[0].material: is not base64"),
    ({"keys": [{"material": b64(bytes(16))}]},
     "state.keys[0].material: is not valid key material for a SYMMETRIC_DEFAULT key"),
    ({"keys": [{"spec": "HMAC_256", "usage": "GENERATE_VERIFY_MAC", "material": b64(bytes(8))}]},
     "state.keys[0].material: is not valid key material for a HMAC_256 key"),
    ({"keys": [{"aliases": ["app"]}]}, "state.keys[0].aliases[0]: 'app' is not an alias name"),
    ({"keys": [{"aliases": ["alias/app"]}, {"aliases": ["alias/app"]}]},
     "state.keys[1].aliases[0]: alias/app already names another key"),
    ({"keys": [], "clock": "yesterday"}, "state.clock: 'yesterday' is not an ISO 8601 time"),
    ({"keys": [{"created": "2026-13-45"}]}, "state.keys[0].created: '2026-13-45' is not an ISO 8601 time"),
    ({"keys": [], "kees": []}, "state: unknown field(s) kees"),
    ({"version": 2, "keys": []}, "state.version: 2 is not a version this mockkms reads (1)"),
    ({"keys": [{"state": "PendingDeletion"}]}, "state.keys[0].deletion_date: is required for a key pending deletion"),
    ({"keys": {"id": FIXED_ID}}, "state.keys: must be a list of keys"),
    ({"keys": ["alias/app"]}, "state.keys[0]: must be an object"),
    ({"keys": [{"tags": ["team"]}]}, "state.keys[0].tags: must map tag keys to values"),
], ids=["unknown-spec", "usage-of-another-spec", "asymmetric-usage-for-symmetric", "unknown-state", "bad-id",
        "duplicate-id", "material-not-base64", "material-wrong-length", "hmac-material-too-short",
        "alias-without-prefix", "duplicate-alias", "bad-clock", "bad-created", "unknown-top-level-field",
        "wrong-version", "pending-deletion-without-date", "keys-not-a-list", "key-not-an-object",
        "tags-not-a-map"])
def test_a_bad_seed_is_refused_naming_the_field(seed, message):
    assert seed_error(seed) == message


def test_a_policy_that_is_not_json_is_refused_naming_the_field():
    assert seed_error({"keys": [{"policy": "{not json"}]}).startswith("state.keys[0].policy: ")


def test_a_bad_base64_rsa_material_is_refused_naming_the_field():
    assert seed_error({"keys": [{"spec": "RSA_2048", "usage": "SIGN_VERIFY", "material": "not base64!"}]}) == (
        "state.keys[0].material: is not base64")


def test_rsa_material_that_is_not_a_private_key_of_the_spec_is_refused():
    ec_key = b64(pkcs8(ec.generate_private_key(ec.SECP256R1())))
    message = seed_error({"keys": [{"spec": "RSA_2048", "usage": "SIGN_VERIFY", "material": ec_key}]})
    assert message.startswith("state.keys[0].") and "RSA_2048" in message


def test_a_seed_file_that_is_not_an_object_is_refused(tmp_path):
    path = tmp_path / "list.json"
    path.write_text(json.dumps([{"id": FIXED_ID}]))
    assert seed_error(str(path)) == "state: must be an object with a 'keys' list"


def test_a_malformed_identity_policy_in_a_seed_is_a_seed_error_naming_the_field():
    seed = {"keys": [], "identity_policies": {APP: ["{not json"]}}
    assert seed_error(seed).startswith("state.identity_policies")


def test_a_seed_identity_policy_naming_no_principal_is_refused():
    assert seed_error({"keys": [], "identity_policies": {"nobody": [ENCRYPT_ONLY]}}) == (
        "state.identity_policies: 'nobody' names no principal")


def test_a_grant_without_grantee_is_a_seed_error_naming_the_field():
    assert "state.keys[0].grants[0]" in seed_error({"keys": [{"grants": [{"operations": ["Decrypt"]}]}]})


def test_a_rotation_period_that_is_not_a_number_is_a_seed_error_naming_the_field():
    assert "state.keys[0].rotation_period_days" in seed_error({"keys": [{"rotation_period_days": "yearly"}]})


def test_a_seed_file_that_is_not_json_is_refused_naming_the_file(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"keys": [')
    message = seed_error(str(path))
    assert message.startswith(f"{path}: not JSON")


def test_a_bad_seed_leaves_no_mock_active():
    with pytest.raises(SeedError):
        mock_kms(state={"keys": [{"spec": "RSA_1024"}]})
    assert current_mock() is None


# --------------------------------------------------------------------------- the decorator

DECORATOR_SEED = {"keys": [{"id": FIXED_ID, "aliases": ["alias/seeded"]}]}


@mock_kms(state=DECORATOR_SEED)
def _keys_then_change_the_world():
    """The key ids the world starts with; then a new key and a disabled seed key."""
    client = make_client()
    keys = sorted(k["KeyId"] for k in client.list_keys()["Keys"])
    state = metadata(client, "alias/seeded")["KeyState"]
    client.create_key()
    client.disable_key(KeyId=FIXED_ID)
    return keys, state


def test_every_call_of_a_decorated_function_starts_from_the_seed():
    assert _keys_then_change_the_world() == ([FIXED_ID], "Enabled")
    assert _keys_then_change_the_world() == ([FIXED_ID], "Enabled")
    assert current_mock() is None


@pytest.mark.parametrize("run", [1, 2, 3])
@mock_kms(state=DECORATOR_SEED)
def test_a_decorated_test_starts_from_the_seed_in_every_run(run):
    client = make_client()
    assert [k["KeyId"] for k in client.list_keys()["Keys"]] == [FIXED_ID]
    assert metadata(client, FIXED_ID)["KeyState"] == "Enabled"
    client.create_key(Description=f"run {run}")
    client.disable_key(KeyId=FIXED_ID)


def test_a_decorated_function_does_not_change_the_seed_dict():
    before = json.dumps(DECORATOR_SEED, sort_keys=True)
    _keys_then_change_the_world()
    assert json.dumps(DECORATOR_SEED, sort_keys=True) == before


# --------------------------------------------------------------------------- the server's state file



def client_for(server, region=REGION):
    return boto3.client("kms", region_name=region, endpoint_url=server.url, **FAKE_CREDENTIALS)


@pytest.mark.usefixtures("loopback_only")
def test_the_server_writes_its_state_file_after_a_successful_create_key(tmp_path):
    path = tmp_path / "state.json"
    with mockkms.serve(state_file=str(path)) as server:
        key_id = client_for(server).create_key(Description="saved")["KeyMetadata"]["KeyId"]
        saved = json.loads(path.read_text())
    assert [(k["id"], k["description"]) for k in saved["keys"]] == [(key_id, "saved")]


@pytest.mark.usefixtures("loopback_only")
def test_the_server_does_not_write_its_state_file_after_a_failed_call(tmp_path):
    path = tmp_path / "state.json"
    with mockkms.serve(state_file=str(path)) as server:
        with pytest.raises(ClientError):
            client_for(server).describe_key(KeyId="alias/missing")
        assert not path.exists()


@pytest.mark.usefixtures("loopback_only")
def test_a_restarted_server_keeps_its_keys_and_decrypts_old_ciphertexts(tmp_path):
    path = str(tmp_path / "state.json")
    with mockkms.serve(state_file=path) as server:
        client = client_for(server)
        key_id = client.create_key(Description="durable")["KeyMetadata"]["KeyId"]
        client.create_alias(AliasName="alias/durable", TargetKeyId=key_id)
        blob = encrypt(client, key_id, EncryptionContext=CONTEXT)
    with mockkms.serve(state_file=path) as restarted:
        client = client_for(restarted)
        assert [k["KeyId"] for k in client.list_keys()["Keys"]] == [key_id]
        assert metadata(client, "alias/durable")["Description"] == "durable"
        assert decrypt(client, blob, EncryptionContext=CONTEXT) == MESSAGE


@pytest.mark.usefixtures("loopback_only")
def test_a_restarted_server_keeps_keys_of_other_regions(tmp_path):
    path = str(tmp_path / "state.json")
    with mockkms.serve(state_file=path) as server:
        key_id = client_for(server, OTHER_REGION).create_key()["KeyMetadata"]["KeyId"]
    with mockkms.serve(state_file=path) as restarted:
        assert [k["KeyId"] for k in client_for(restarted, OTHER_REGION).list_keys()["Keys"]] == [key_id]
        assert client_for(restarted).list_keys()["Keys"] == []


@pytest.mark.usefixtures("loopback_only")
@pytest.mark.skipif(sys.version_info < (3, 11), reason="reading TOML needs Python 3.11's tomllib")
def test_a_server_refuses_a_state_file_it_could_not_write_back(tmp_path):
    # The state file is written back as JSON after every call, so a TOML one would be
    # overwritten in another format: serve() refuses it up front (use a TOML seed with
    # mock_kms(state=...), and a *.json state file for the server).
    path = tmp_path / "world.toml"
    path.write_text('[[keys]]\nid = "%s"\naliases = ["alias/toml"]\n' % FIXED_ID)
    with pytest.raises(ValueError, match="name it \\*.json"):
        mockkms.serve(state_file=str(path))
    assert path.read_text().startswith("[[keys]]")


@pytest.mark.usefixtures("loopback_only")
def test_the_state_file_is_always_complete_json_and_leaves_no_temporary_files(tmp_path):
    path = tmp_path / "state.json"
    seen, broken = [], []
    stop = threading.Event()

    def watch():
        while not stop.is_set():
            try:
                text = path.read_text()
            except FileNotFoundError:
                continue
            try:
                seen.append(len(json.loads(text)["keys"]))
            except ValueError as error:
                broken.append((error, text[-80:]))

    watcher = threading.Thread(target=watch)
    with mockkms.serve(state_file=str(path)) as server:
        client = client_for(server)
        watcher.start()
        try:
            for index in range(15):
                client.create_key(Description=f"key {index}")
        finally:
            stop.set()
            watcher.join()
    assert broken == []
    assert seen and seen == sorted(seen)  # only ever whole states, never a step back
    assert len(json.loads(path.read_text())["keys"]) == 15
    assert sorted(os.listdir(tmp_path)) == ["state.json"]


def test_a_failed_save_leaves_the_previous_state_file_whole_and_no_temporary_file(tmp_path, monkeypatch):
    path = tmp_path / "state.json"
    kms = mockkms.MockKMS()
    with mockkms.serve(kms, state_file=str(path)) as server:
        with kms:
            make_client().create_key(Description="first")
        server.save()
        before = path.read_text()
        with kms:
            make_client().create_key(Description="second")

        def crash(*args, **kwargs):
            raise OSError("disk full")

        monkeypatch.setattr(os, "fsync", crash)
        with pytest.raises(OSError, match="disk full"):
            server.save()
        monkeypatch.undo()
    assert path.read_text() == before
    assert sorted(os.listdir(tmp_path)) == ["state.json"]


def _cli(*args, cwd):
    root = os.path.dirname(os.path.dirname(os.path.abspath(mockkms.__file__)))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])))
    return subprocess.run([sys.executable, "-m", "mockkms", *args], capture_output=True, text=True, timeout=30,
                          cwd=cwd, env=env)


def test_serve_with_a_corrupt_state_file_exits_1_naming_the_file(tmp_path):
    path = tmp_path / "corrupt-state.json"
    path.write_text('{"version": 1, "keys": [{"id": ')
    out = _cli("serve", "--state", str(path), cwd=tmp_path)
    assert out.returncode == 1, (out.stdout, out.stderr)
    assert str(path) in out.stderr
    assert "Traceback" not in out.stderr
    assert out.stdout == ""


def test_serve_with_a_state_file_holding_a_malformed_identity_policy_exits_1_naming_the_file(tmp_path):
    path = tmp_path / "bad-policy-state.json"
    path.write_text(json.dumps({"keys": [], "identity_policies": {APP: ["{not json"]}}))
    out = _cli("serve", "--state", str(path), cwd=tmp_path)
    assert out.returncode == 1, (out.stdout, out.stderr)
    assert str(path) in out.stderr
    assert "Traceback" not in out.stderr


def test_serve_with_an_invalid_state_file_exits_1_naming_the_field(tmp_path):
    path = tmp_path / "invalid-state.json"
    path.write_text(json.dumps({"keys": [{"spec": "RSA_1024"}]}))
    out = _cli("serve", "--state", str(path), cwd=tmp_path)
    assert out.returncode == 1, (out.stdout, out.stderr)
    assert str(path) in out.stderr and "state.keys[0].spec" in out.stderr
    assert "Traceback" not in out.stderr
