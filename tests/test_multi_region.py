"""Multi-Region keys: CreateKey(MultiRegion), ReplicateKey, UpdatePrimaryRegion, shared material
and rotation, independent per-member settings, and deletion of primaries and replicas.

Expected values come from recorded AWS responses (aws-reference/: test_replicate_key,
test_create_multi_region_key, errors.md row 35) where they exist, otherwise from the spec
(keys-lifecycle.md §9-10, operations.md ReplicateKey/UpdatePrimaryRegion, key-states.md).
The mock finishes a replica's Creating, and UpdatePrimaryRegion's Updating, 5 s after the
call on its own clock: the tests move the clock rather than wait.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re

import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding

from conftest import ACCOUNT, REGION, error_of, make_client

OTHER = "eu-west-1"
THIRD = "ap-southeast-2"
DAY = dt.timedelta(days=1)

# keys-lifecycle.md §3.1 [O]: ReplicateKey returns the default policy, as GetKeyPolicy does.
DEFAULT_POLICY = (
    '{\n  "Version" : "2012-10-17",\n  "Id" : "key-default-1",\n  "Statement" : [ {\n'
    '    "Sid" : "Enable IAM User Permissions",\n    "Effect" : "Allow",\n    "Principal" : {\n'
    f'      "AWS" : "arn:aws:iam::{ACCOUNT}:root"\n    }},\n    "Action" : "kms:*",\n'
    '    "Resource" : "*"\n  } ]\n}'
)

# test_replicate_key (recorded 2025-11-10): the members of ReplicaKeyMetadata while the replica
# is Creating — no CurrentKeyMaterialId yet (DescribeKey shows one once it is Enabled).
RECORDED_CREATING_REPLICA_FIELDS = {
    "AWSAccountId", "Arn", "CreationDate", "CustomerMasterKeySpec", "Description", "Enabled",
    "EncryptionAlgorithms", "KeyId", "KeyManager", "KeySpec", "KeyState", "KeyUsage", "MultiRegion",
    "MultiRegionConfiguration", "Origin",
}


def arn(key_id, region=REGION):
    return f"arn:aws:kms:{region}:{ACCOUNT}:key/{key_id}"


def member(key_id, region):
    return {"Arn": arn(key_id, region), "Region": region}


def metadata(client, key_id):
    return client.describe_key(KeyId=key_id)["KeyMetadata"]


def state_of(client, key_id):
    return metadata(client, key_id)["KeyState"]


def material_of(client, key_id):
    return metadata(client, key_id)["CurrentKeyMaterialId"]


def refused(call, **params):
    with pytest.raises(ClientError) as excinfo:
        call(**params)
    return error_of(excinfo)


def code_of(call, **params):
    """(code, HTTP status), for errors whose wording AWS has not been recorded saying."""
    code, _, status = refused(call, **params)
    return code, status


def encrypt(client, key_id, plaintext=b"secret"):
    return client.encrypt(KeyId=key_id, Plaintext=plaintext)["CiphertextBlob"]


@pytest.fixture
def eu(kms):
    """A client in the replica Region (same account, same mock)."""
    return make_client(OTHER)


@pytest.fixture
def primary(client):
    return client.create_key(MultiRegion=True, Description="primary key")["KeyMetadata"]["KeyId"]


def replicate(kms, client, key_id, region=OTHER, **params):
    """Replicate ``key_id`` into ``region`` and let the replica finish Creating."""
    response = client.replicate_key(KeyId=key_id, ReplicaRegion=region, **params)
    kms.clock.advance(seconds=6)
    return response


@pytest.fixture
def replica(kms, client, primary):
    """``primary`` with an Enabled replica in eu-west-1; returns the (shared) key id."""
    replicate(kms, client, primary)
    return primary


# --------------------------------------------------------------------------- CreateKey

def test_multi_region_key_id_is_mrk_and_32_hex_digits(client, primary):
    assert re.fullmatch(r"mrk-[0-9a-f]{32}", primary)


def test_multi_region_primary_configuration(client, primary):
    # test_create_multi_region_key (recorded 2025-11-10)
    meta = metadata(client, primary)
    assert meta["MultiRegion"] is True
    assert meta["MultiRegionConfiguration"] == {
        "MultiRegionKeyType": "PRIMARY", "PrimaryKey": member(primary, REGION), "ReplicaKeys": []}


def test_multi_region_key_is_unknown_in_another_region_before_replication(eu, primary):
    # test_replicate_key: describe-key-from-different-region (recorded 2025-11-10)
    assert refused(eu.describe_key, KeyId=primary) == (
        "NotFoundException", f"Key '{arn(primary, OTHER)}' does not exist", 400)


# --------------------------------------------------------------------------- ReplicateKey

def test_replicate_key_answers_with_a_creating_replica(client, primary):
    # test_replicate_key: replicate-key (recorded 2025-11-10)
    response = client.replicate_key(KeyId=primary, ReplicaRegion=OTHER)
    meta = response["ReplicaKeyMetadata"]
    assert meta["KeyId"] == primary
    assert meta["Arn"] == arn(primary, OTHER)
    assert meta["AWSAccountId"] == ACCOUNT
    assert (meta["KeyState"], meta["Enabled"]) == ("Creating", False)
    assert (meta["KeyManager"], meta["Origin"], meta["KeySpec"], meta["KeyUsage"]) == (
        "CUSTOMER", "AWS_KMS", "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT")
    assert meta["MultiRegion"] is True
    assert meta["MultiRegionConfiguration"] == {
        "MultiRegionKeyType": "REPLICA",
        "PrimaryKey": member(primary, REGION),
        "ReplicaKeys": [member(primary, OTHER)],
    }


def test_replica_key_metadata_while_creating_has_exactly_the_recorded_fields(client, primary):
    # test_replicate_key (recorded 2025-11-10): no CurrentKeyMaterialId while Creating.
    meta = client.replicate_key(KeyId=primary, ReplicaRegion=OTHER)["ReplicaKeyMetadata"]
    assert set(meta) == RECORDED_CREATING_REPLICA_FIELDS


def test_replica_gets_the_default_policy_no_tags_and_no_description_of_its_own(client, primary):
    # keys-lifecycle.md §10 [O][D]: not copied from the primary.
    client.tag_resource(KeyId=primary, Tags=[{"TagKey": "team", "TagValue": "a"}])
    response = client.replicate_key(KeyId=primary, ReplicaRegion=OTHER)
    assert response["ReplicaPolicy"] == DEFAULT_POLICY
    # The recorded AWS response (test_replicate_key, 2025) has no ReplicaTags member when none were
    # given; operations.md said "[]", the recording wins.
    assert "ReplicaTags" not in response
    assert response["ReplicaKeyMetadata"]["Description"] == ""


def test_replica_takes_the_description_tags_and_policy_given(kms, client, eu, primary):
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "replica", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": "kms:*", "Resource": "*"}]})
    tags = [{"TagKey": "env", "TagValue": "dr"}]
    response = replicate(kms, client, primary, Description="the replica", Tags=tags, Policy=policy)
    assert response["ReplicaKeyMetadata"]["Description"] == "the replica"
    assert response["ReplicaTags"] == tags
    assert json.loads(response["ReplicaPolicy"]) == json.loads(policy)
    assert eu.list_resource_tags(KeyId=primary)["Tags"] == tags
    assert json.loads(eu.get_key_policy(KeyId=primary)["Policy"]) == json.loads(policy)
    assert metadata(eu, primary)["Description"] == "the replica"
    assert metadata(client, primary)["Description"] == "primary key"
    assert client.list_resource_tags(KeyId=primary)["Tags"] == []


def test_get_key_policy_of_a_new_replica_is_the_default_policy(kms, client, eu, replica):
    assert eu.get_key_policy(KeyId=replica)["Policy"] == DEFAULT_POLICY


def test_replica_is_creating_until_the_clock_moves_on(kms, client, eu, primary):
    client.replicate_key(KeyId=primary, ReplicaRegion=OTHER)
    assert (metadata(eu, primary)["KeyState"], metadata(eu, primary)["Enabled"]) == ("Creating", False)
    kms.clock.advance(seconds=6)
    meta = metadata(eu, primary)
    assert (meta["KeyState"], meta["Enabled"]) == ("Enabled", True)


def test_enabled_replica_shares_the_primary_key_material_id(client, eu, replica):
    assert material_of(eu, replica) == material_of(client, replica)


def test_describe_key_lists_the_replica_on_primary_and_replica(client, eu, replica):
    # keys-lifecycle.md §10 [M]: every member lists the primary and all replicas.
    primary_view = metadata(client, replica)["MultiRegionConfiguration"]
    replica_view = metadata(eu, replica)["MultiRegionConfiguration"]
    assert primary_view == {"MultiRegionKeyType": "PRIMARY", "PrimaryKey": member(replica, REGION),
                            "ReplicaKeys": [member(replica, OTHER)]}
    assert replica_view == {"MultiRegionKeyType": "REPLICA", "PrimaryKey": member(replica, REGION),
                            "ReplicaKeys": [member(replica, OTHER)]}


def test_every_member_lists_every_replica(kms, client, eu, replica):
    replicate(kms, client, replica, THIRD)
    third = make_client(THIRD)
    expected = [member(replica, OTHER), member(replica, THIRD)]
    for each in (client, eu, third):
        assert sorted(metadata(each, replica)["MultiRegionConfiguration"]["ReplicaKeys"],
                      key=lambda m: m["Region"]) == sorted(expected, key=lambda m: m["Region"])


def test_replica_is_listed_by_list_keys_in_its_region(eu, replica):
    assert eu.list_keys()["Keys"] == [{"KeyId": replica, "KeyArn": arn(replica, OTHER)}]


def test_replica_keeps_the_primary_key_spec_and_usage(kms, client, eu):
    key = client.create_key(MultiRegion=True, KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")
    key_id = key["KeyMetadata"]["KeyId"]
    meta = client.replicate_key(KeyId=key_id, ReplicaRegion=OTHER)["ReplicaKeyMetadata"]
    assert (meta["KeySpec"], meta["KeyUsage"], meta["MacAlgorithms"]) == (
        "HMAC_256", "GENERATE_VERIFY_MAC", ["HMAC_SHA_256"])


# --------------------------------------------------------------------------- shared material

@pytest.mark.parametrize("key_param", ["none", "key-id", "local-arn"])
def test_ciphertext_of_the_primary_decrypts_in_the_replica_region(client, eu, replica, key_param):
    blob = encrypt(client, replica, b"from us-east-1")
    params = {"none": {}, "key-id": {"KeyId": replica}, "local-arn": {"KeyId": arn(replica, OTHER)}}[key_param]
    response = eu.decrypt(CiphertextBlob=blob, **params)
    assert response["Plaintext"] == b"from us-east-1"
    assert response["KeyId"] == arn(replica, OTHER)


@pytest.mark.parametrize("key_param", ["none", "key-id", "local-arn"])
def test_ciphertext_of_the_replica_decrypts_in_the_primary_region(client, eu, replica, key_param):
    blob = encrypt(eu, replica, b"from eu-west-1")
    params = {"none": {}, "key-id": {"KeyId": replica}, "local-arn": {"KeyId": arn(replica)}}[key_param]
    response = client.decrypt(CiphertextBlob=blob, **params)
    assert response["Plaintext"] == b"from eu-west-1"
    assert response["KeyId"] == arn(replica)


def test_data_key_generated_in_one_region_decrypts_in_the_other(client, eu, replica):
    data_key = client.generate_data_key(KeyId=replica, KeySpec="AES_256")
    assert eu.decrypt(CiphertextBlob=data_key["CiphertextBlob"])["Plaintext"] == data_key["Plaintext"]
    data_key = eu.generate_data_key(KeyId=replica, NumberOfBytes=16)
    assert client.decrypt(CiphertextBlob=data_key["CiphertextBlob"])["Plaintext"] == data_key["Plaintext"]


def test_encryption_context_still_binds_across_regions(client, eu, replica):
    blob = client.encrypt(KeyId=replica, Plaintext=b"x", EncryptionContext={"app": "a"})["CiphertextBlob"]
    assert eu.decrypt(CiphertextBlob=blob, EncryptionContext={"app": "a"})["Plaintext"] == b"x"
    assert code_of(eu.decrypt, CiphertextBlob=blob, EncryptionContext={"app": "b"}) == (
        "InvalidCiphertextException", 400)


def test_replica_of_an_hmac_key_makes_the_same_mac(kms, client, eu):
    key_id = client.create_key(MultiRegion=True, KeySpec="HMAC_256",
                               KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]["KeyId"]
    replicate(kms, client, key_id)
    message = b"message to authenticate"
    mac_here = client.generate_mac(KeyId=key_id, Message=message, MacAlgorithm="HMAC_SHA_256")["Mac"]
    mac_there = eu.generate_mac(KeyId=key_id, Message=message, MacAlgorithm="HMAC_SHA_256")["Mac"]
    assert mac_here == mac_there
    assert eu.verify_mac(KeyId=key_id, Message=message, MacAlgorithm="HMAC_SHA_256", Mac=mac_here)["MacValid"]


def test_replica_of_an_ecc_signing_key_verifies_the_primary_signature(kms, client, eu):
    key_id = client.create_key(MultiRegion=True, KeySpec="ECC_NIST_P256",
                               KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    replicate(kms, client, key_id)
    message = b"signed in us-east-1"
    signature = client.sign(KeyId=key_id, Message=message, SigningAlgorithm="ECDSA_SHA_256")["Signature"]
    assert eu.verify(KeyId=key_id, Message=message, Signature=signature,
                     SigningAlgorithm="ECDSA_SHA_256")["SignatureValid"] is True
    primary_key = client.get_public_key(KeyId=key_id)["PublicKey"]
    assert eu.get_public_key(KeyId=key_id)["PublicKey"] == primary_key
    # and the signature checks offline with that public key
    public_key = serialization.load_der_public_key(primary_key)
    public_key.verify(signature, message, ec.ECDSA(hashes.SHA256()))


def test_replica_of_an_rsa_encryption_key_decrypts_what_the_primary_public_key_encrypted(kms, client, eu):
    key_id = client.create_key(MultiRegion=True, KeySpec="RSA_2048",
                               KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]["KeyId"]
    replicate(kms, client, key_id)
    public_key = serialization.load_der_public_key(client.get_public_key(KeyId=key_id)["PublicKey"])
    blob = public_key.encrypt(b"offline", padding.OAEP(mgf=padding.MGF1(hashes.SHA256()),
                                                       algorithm=hashes.SHA256(), label=None))
    assert eu.decrypt(KeyId=key_id, CiphertextBlob=blob,
                      EncryptionAlgorithm="RSAES_OAEP_SHA_256")["Plaintext"] == b"offline"


# --------------------------------------------------------------------------- Creating

def test_creating_replica_refuses_encrypt(client, eu, primary):
    # key-states.md CRE [D]: "<arn> is creating."
    client.replicate_key(KeyId=primary, ReplicaRegion=OTHER)
    assert refused(eu.encrypt, KeyId=primary, Plaintext=b"x") == (
        "KMSInvalidStateException", f"{arn(primary, OTHER)} is creating.", 400)


def test_creating_replica_refuses_decrypt_of_a_primary_ciphertext(client, eu, primary):
    blob = encrypt(client, primary)
    client.replicate_key(KeyId=primary, ReplicaRegion=OTHER)
    assert refused(eu.decrypt, CiphertextBlob=blob) == (
        "KMSInvalidStateException", f"{arn(primary, OTHER)} is creating.", 400)


def test_primary_keeps_working_while_its_replica_is_creating(client, primary):
    client.replicate_key(KeyId=primary, ReplicaRegion=OTHER)
    assert client.decrypt(CiphertextBlob=encrypt(client, primary))["Plaintext"] == b"secret"


# --------------------------------------------------------------------------- ReplicateKey errors

def test_replicating_a_replica_is_unsupported(kms, eu, replica):
    # errors.md row 35 [O]: called in the replica's Region.
    assert refused(eu.replicate_key, KeyId=replica, ReplicaRegion=THIRD) == (
        "UnsupportedOperationException", f"{arn(replica, OTHER)} is not a multi-region primary key.", 400)


def test_replicating_a_single_region_key_is_unsupported(client, key_id):
    # operations.md ReplicateKey [M]; wording [G]
    assert code_of(client.replicate_key, KeyId=key_id, ReplicaRegion=OTHER) == (
        "UnsupportedOperationException", 400)


def test_replicating_into_a_region_that_has_a_replica_already_exists(client, replica):
    assert code_of(client.replicate_key, KeyId=replica, ReplicaRegion=OTHER) == ("AlreadyExistsException", 400)


def test_replicating_into_a_region_whose_replica_is_creating_already_exists(client, primary):
    client.replicate_key(KeyId=primary, ReplicaRegion=OTHER)
    assert code_of(client.replicate_key, KeyId=primary, ReplicaRegion=OTHER) == ("AlreadyExistsException", 400)


def test_replicating_into_a_region_whose_replica_is_pending_deletion_already_exists(client, eu, replica):
    # keys-lifecycle.md §10: "even if that replica is PendingDeletion"
    eu.schedule_key_deletion(KeyId=replica, PendingWindowInDays=7)
    assert code_of(client.replicate_key, KeyId=replica, ReplicaRegion=OTHER) == ("AlreadyExistsException", 400)


def test_replicating_into_the_primary_region_already_exists(client, primary):
    assert code_of(client.replicate_key, KeyId=primary, ReplicaRegion=REGION) == ("AlreadyExistsException", 400)


def test_replicating_a_disabled_primary_is_disabled(client, primary):
    client.disable_key(KeyId=primary)
    assert refused(client.replicate_key, KeyId=primary, ReplicaRegion=OTHER) == (
        "DisabledException", f"{arn(primary)} is disabled.", 400)


def test_replicating_a_primary_pending_deletion_is_invalid_state(client, primary):
    client.schedule_key_deletion(KeyId=primary, PendingWindowInDays=7)
    assert refused(client.replicate_key, KeyId=primary, ReplicaRegion=OTHER) == (
        "KMSInvalidStateException", f"{arn(primary)} is pending deletion.", 400)


def test_replicating_an_unknown_key_is_not_found(client):
    unknown = "mrk-" + "0" * 32
    assert refused(client.replicate_key, KeyId=unknown, ReplicaRegion=OTHER) == (
        "NotFoundException", f"Key '{arn(unknown)}' does not exist", 400)


def test_replicating_into_another_partition_is_a_validation_error(client, primary):
    # operations.md ReplicateKey: same partition only [G: code]
    assert code_of(client.replicate_key, KeyId=primary, ReplicaRegion="cn-north-1") == ("ValidationException", 400)


def test_replica_tags_follow_the_tag_rules(client, eu, primary):
    # errors.md TagException [O]: "Tags beginning with aws: are reserved"
    assert refused(client.replicate_key, KeyId=primary, ReplicaRegion=OTHER,
                   Tags=[{"TagKey": "aws:owner", "TagValue": "me"}]) == (
        "TagException", "Tags beginning with aws: are reserved", 400)
    assert code_of(eu.describe_key, KeyId=primary) == ("NotFoundException", 400)  # no replica was made


def test_replica_policy_must_pass_the_lockout_safety_check(client, eu, primary):
    # keys-lifecycle.md §3.2 [O]: policy rules as CreateKey.
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": "kms:Encrypt", "Resource": "*"}]})
    assert refused(client.replicate_key, KeyId=primary, ReplicaRegion=OTHER, Policy=policy) == (
        "MalformedPolicyDocumentException",
        "The new key policy will not allow you to update the key policy in the future.", 400)
    assert code_of(eu.describe_key, KeyId=primary) == ("NotFoundException", 400)


def test_deleted_replica_can_be_replicated_again(kms, client, eu, replica):
    # keys-lifecycle.md §10 [D]: deleting a replica is recoverable by re-replicating.
    eu.schedule_key_deletion(KeyId=replica, PendingWindowInDays=7)
    kms.clock.advance(days=8)
    blob = encrypt(client, replica)
    replicate(kms, client, replica)
    assert eu.decrypt(CiphertextBlob=blob)["Plaintext"] == b"secret"


# --------------------------------------------------------------------------- independent settings

def test_aliases_are_per_region(client, eu, replica):
    client.create_alias(AliasName="alias/app", TargetKeyId=replica)
    assert code_of(eu.describe_key, KeyId="alias/app") == ("NotFoundException", 400)
    eu.create_alias(AliasName="alias/app-eu", TargetKeyId=replica)
    assert [a["AliasName"] for a in client.list_aliases(KeyId=replica)["Aliases"]] == ["alias/app"]
    assert [a["AliasName"] for a in eu.list_aliases(KeyId=replica)["Aliases"]] == ["alias/app-eu"]
    assert metadata(eu, "alias/app-eu")["Arn"] == arn(replica, OTHER)


def test_tags_are_per_member(client, eu, replica):
    eu.tag_resource(KeyId=replica, Tags=[{"TagKey": "where", "TagValue": "eu"}])
    client.tag_resource(KeyId=replica, Tags=[{"TagKey": "where", "TagValue": "us"}])
    assert eu.list_resource_tags(KeyId=replica)["Tags"] == [{"TagKey": "where", "TagValue": "eu"}]
    assert client.list_resource_tags(KeyId=replica)["Tags"] == [{"TagKey": "where", "TagValue": "us"}]


def test_description_is_per_member(client, eu, replica):
    eu.update_key_description(KeyId=replica, Description="replica in Ireland")
    assert metadata(eu, replica)["Description"] == "replica in Ireland"
    assert metadata(client, replica)["Description"] == "primary key"


def test_put_key_policy_on_the_replica_leaves_the_primary_policy(client, eu, replica):
    policy = {"Version": "2012-10-17", "Statement": [{
        "Sid": "only the replica", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": "kms:*", "Resource": "*"}]}
    eu.put_key_policy(KeyId=replica, PolicyName="default", Policy=json.dumps(policy))
    assert json.loads(eu.get_key_policy(KeyId=replica)["Policy"]) == policy
    assert client.get_key_policy(KeyId=replica)["Policy"] == DEFAULT_POLICY


def test_disabling_the_replica_leaves_the_primary_enabled(client, eu, replica):
    eu.disable_key(KeyId=replica)
    assert state_of(eu, replica) == "Disabled"
    assert state_of(client, replica) == "Enabled"
    blob = encrypt(client, replica)
    assert refused(eu.decrypt, CiphertextBlob=blob) == ("DisabledException", f"{arn(replica, OTHER)} is disabled.", 400)
    eu.enable_key(KeyId=replica)
    assert eu.decrypt(CiphertextBlob=blob)["Plaintext"] == b"secret"


def test_disabling_the_primary_leaves_the_replica_enabled(client, eu, replica):
    client.disable_key(KeyId=replica)
    assert state_of(eu, replica) == "Enabled"
    assert eu.decrypt(CiphertextBlob=encrypt(eu, replica))["Plaintext"] == b"secret"


def test_grants_are_per_member(client, eu, replica):
    grantee = f"arn:aws:iam::{ACCOUNT}:role/app"
    client.create_grant(KeyId=replica, GranteePrincipal=grantee, Operations=["Decrypt"])
    assert len(client.list_grants(KeyId=replica)["Grants"]) == 1
    assert eu.list_grants(KeyId=replica)["Grants"] == []


@pytest.mark.skipif("GetKeyLastUsage" not in make_client().meta.service_model.operation_names,
                    reason="this botocore's KMS model has no GetKeyLastUsage")
def test_last_usage_is_per_member(client, eu, replica):
    # keys-lifecycle.md §10 [D][M]: GetKeyLastUsage data is independent.
    encrypt(client, replica)
    assert client.get_key_last_usage(KeyId=replica)["KeyLastUsage"]["Operation"] == "Encrypt"
    assert "KeyLastUsage" not in eu.get_key_last_usage(KeyId=replica)


# --------------------------------------------------------------------------- rotation

def test_rotation_enabled_on_the_primary_shows_on_the_replica(kms, client, eu, replica):
    now = kms.clock.freeze()
    client.enable_key_rotation(KeyId=replica, RotationPeriodInDays=90)
    status = eu.get_key_rotation_status(KeyId=replica)
    assert status["KeyRotationEnabled"] is True
    assert status["RotationPeriodInDays"] == 90
    assert status["NextRotationDate"] == now + 90 * DAY
    assert status["KeyId"] == arn(replica, OTHER)


def test_rotation_disabled_on_the_primary_shows_on_the_replica(client, eu, replica):
    client.enable_key_rotation(KeyId=replica)
    client.disable_key_rotation(KeyId=replica)
    assert eu.get_key_rotation_status(KeyId=replica)["KeyRotationEnabled"] is False


@pytest.mark.parametrize("operation", ["enable_key_rotation", "disable_key_rotation", "rotate_key_on_demand"])
def test_rotation_cannot_be_changed_on_a_replica(eu, replica, operation):
    # keys-lifecycle.md §7: set on the primary only.
    assert code_of(getattr(eu, operation), KeyId=replica) == ("UnsupportedOperationException", 400)


def test_automatic_rotation_changes_the_material_of_every_member(kms, client, eu, replica):
    kms.clock.freeze()
    client.enable_key_rotation(KeyId=replica, RotationPeriodInDays=90)
    before = material_of(client, replica)
    old_here, old_there = encrypt(client, replica, b"old-us"), encrypt(eu, replica, b"old-eu")
    kms.clock.advance(days=91)
    after_here, after_there = material_of(client, replica), material_of(eu, replica)
    assert after_here != before
    assert after_there == after_here
    for each in (client, eu):
        assert each.decrypt(CiphertextBlob=old_here)["Plaintext"] == b"old-us"
        assert each.decrypt(CiphertextBlob=old_there)["Plaintext"] == b"old-eu"
    new = encrypt(eu, replica, b"new-eu")
    assert client.decrypt(CiphertextBlob=new)["KeyMaterialId"] == after_here


def test_rotate_key_on_demand_on_the_primary_changes_every_member(client, eu, replica):
    before = material_of(eu, replica)
    old = encrypt(eu, replica)
    client.rotate_key_on_demand(KeyId=replica)
    assert material_of(eu, replica) != before
    assert material_of(eu, replica) == material_of(client, replica)
    assert client.decrypt(CiphertextBlob=old)["Plaintext"] == b"secret"
    assert eu.decrypt(CiphertextBlob=old)["Plaintext"] == b"secret"


def test_replica_created_after_rotations_decrypts_every_earlier_ciphertext(kms, client, eu, primary):
    old = encrypt(client, primary, b"before rotation")
    client.rotate_key_on_demand(KeyId=primary)
    replicate(kms, client, primary)
    assert eu.decrypt(CiphertextBlob=old)["Plaintext"] == b"before rotation"
    assert material_of(eu, primary) == material_of(client, primary)


def test_replica_shows_the_primary_rotations(client, eu, replica):
    client.rotate_key_on_demand(KeyId=replica)
    here = [r["KeyMaterialId"] for r in client.list_key_rotations(KeyId=replica)["Rotations"]]
    there = [r["KeyMaterialId"] for r in eu.list_key_rotations(KeyId=replica)["Rotations"]]
    assert here == there and len(here) == 1


# --------------------------------------------------------------------------- UpdatePrimaryRegion

def test_update_primary_region_leaves_both_keys_updating(client, eu, replica):
    client.update_primary_region(KeyId=replica, PrimaryRegion=OTHER)
    assert state_of(client, replica) == "Updating"
    assert state_of(eu, replica) == "Updating"


def test_crypto_works_while_updating(client, eu, replica):
    # operations.md UpdatePrimaryRegion [M]: crypto keeps working.
    client.update_primary_region(KeyId=replica, PrimaryRegion=OTHER)
    assert eu.decrypt(CiphertextBlob=encrypt(client, replica))["Plaintext"] == b"secret"
    assert client.decrypt(CiphertextBlob=encrypt(eu, replica))["Plaintext"] == b"secret"


def test_enabled_reads_false_while_updating(client, eu, replica):
    # botocore model, KeyMetadata.Enabled [M]: "When KeyState is Enabled this value is true, otherwise
    # it is false."  (key-states.md guesses [G] it keeps reading as before; the model is followed.)
    client.update_primary_region(KeyId=replica, PrimaryRegion=OTHER)
    assert metadata(client, replica)["Enabled"] is False
    assert metadata(eu, replica)["Enabled"] is False


@pytest.mark.parametrize("operation", ["disable_key", "enable_key"])
def test_enable_and_disable_are_refused_while_updating(client, eu, replica, operation):
    # UpdatePrimaryRegion doc [M]: no enabling or disabling while Updating; key-states.md UPD [D].
    client.update_primary_region(KeyId=replica, PrimaryRegion=OTHER)
    assert refused(getattr(eu, operation), KeyId=replica) == (
        "KMSInvalidStateException", f"{arn(replica, OTHER)} is updating.", 400)


def test_new_primary_cannot_be_replicated_while_updating(client, eu, replica):
    # UpdatePrimaryRegion doc [M]: "you cannot replicate the new primary key" while Updating.
    client.update_primary_region(KeyId=replica, PrimaryRegion=OTHER)
    assert refused(eu.replicate_key, KeyId=replica, ReplicaRegion=THIRD) == (
        "KMSInvalidStateException", f"{arn(replica, OTHER)} is updating.", 400)


def test_updating_ends_in_the_previous_states(kms, client, eu, replica):
    client.update_primary_region(KeyId=replica, PrimaryRegion=OTHER)
    kms.clock.advance(seconds=6)
    assert state_of(client, replica) == "Enabled"
    assert state_of(eu, replica) == "Enabled"


def test_update_primary_region_swaps_the_roles_on_every_member(kms, client, eu, replica):
    client.update_primary_region(KeyId=replica, PrimaryRegion=OTHER)
    kms.clock.advance(seconds=6)
    expected_replicas = [member(replica, REGION)]
    new_primary = metadata(eu, replica)["MultiRegionConfiguration"]
    old_primary = metadata(client, replica)["MultiRegionConfiguration"]
    assert new_primary == {"MultiRegionKeyType": "PRIMARY", "PrimaryKey": member(replica, OTHER),
                           "ReplicaKeys": expected_replicas}
    assert old_primary == {"MultiRegionKeyType": "REPLICA", "PrimaryKey": member(replica, OTHER),
                           "ReplicaKeys": expected_replicas}


def test_update_primary_region_updates_a_third_member_too(kms, client, eu, replica):
    replicate(kms, client, replica, THIRD)
    client.update_primary_region(KeyId=replica, PrimaryRegion=OTHER)
    kms.clock.advance(seconds=6)
    config = metadata(make_client(THIRD), replica)["MultiRegionConfiguration"]
    assert config["MultiRegionKeyType"] == "REPLICA"
    assert config["PrimaryKey"] == member(replica, OTHER)
    assert sorted(m["Region"] for m in config["ReplicaKeys"]) == sorted([REGION, THIRD])


def test_update_primary_region_answers_with_no_fields(client, replica):
    response = client.update_primary_region(KeyId=replica, PrimaryRegion=OTHER)
    assert set(response) == {"ResponseMetadata"}


def test_rotation_setting_moves_to_the_new_primary(kms, client, eu, replica):
    now = kms.clock.freeze()
    client.enable_key_rotation(KeyId=replica, RotationPeriodInDays=100)
    client.update_primary_region(KeyId=replica, PrimaryRegion=OTHER)
    kms.clock.advance(seconds=6)
    for each in (client, eu):
        status = each.get_key_rotation_status(KeyId=replica)
        assert (status["KeyRotationEnabled"], status["RotationPeriodInDays"]) == (True, 100)
        assert status["NextRotationDate"] == now + 100 * DAY
    assert code_of(client.enable_key_rotation, KeyId=replica) == ("UnsupportedOperationException", 400)
    eu.disable_key_rotation(KeyId=replica)
    assert client.get_key_rotation_status(KeyId=replica)["KeyRotationEnabled"] is False


def test_automatic_rotation_still_happens_after_the_primary_moved(kms, client, eu, replica):
    kms.clock.freeze()
    client.enable_key_rotation(KeyId=replica, RotationPeriodInDays=90)
    client.update_primary_region(KeyId=replica, PrimaryRegion=OTHER)
    before = material_of(client, replica)
    kms.clock.advance(days=91)
    assert material_of(client, replica) != before
    assert material_of(eu, replica) == material_of(client, replica)


def test_old_primary_cannot_be_replicated_after_the_move(kms, client, eu, replica):
    client.update_primary_region(KeyId=replica, PrimaryRegion=OTHER)
    kms.clock.advance(seconds=6)
    assert refused(client.replicate_key, KeyId=replica, ReplicaRegion=THIRD) == (
        "UnsupportedOperationException", f"{arn(replica)} is not a multi-region primary key.", 400)
    eu.replicate_key(KeyId=replica, ReplicaRegion=THIRD)  # the new primary can


def test_update_primary_region_to_a_region_without_a_replica_is_not_found(client, replica):
    assert code_of(client.update_primary_region, KeyId=replica, PrimaryRegion=THIRD) == ("NotFoundException", 400)


def test_update_primary_region_called_on_a_replica_is_unsupported(eu, replica):
    assert code_of(eu.update_primary_region, KeyId=replica, PrimaryRegion=REGION) == (
        "UnsupportedOperationException", 400)


def test_update_primary_region_of_a_single_region_key_is_unsupported(client, key_id):
    assert code_of(client.update_primary_region, KeyId=key_id, PrimaryRegion=OTHER) == (
        "UnsupportedOperationException", 400)


def test_update_primary_region_of_a_disabled_primary_is_disabled(client, replica):
    client.disable_key(KeyId=replica)
    assert refused(client.update_primary_region, KeyId=replica, PrimaryRegion=OTHER) == (
        "DisabledException", f"{arn(replica)} is disabled.", 400)


def test_update_primary_region_to_a_creating_replica_is_invalid_state(client, primary):
    client.replicate_key(KeyId=primary, ReplicaRegion=OTHER)
    assert code_of(client.update_primary_region, KeyId=primary, PrimaryRegion=OTHER) == (
        "KMSInvalidStateException", 400)


# --------------------------------------------------------------------------- deletion

def test_schedule_deletion_of_a_primary_with_replicas_is_pending_replica_deletion(client, replica):
    response = client.schedule_key_deletion(KeyId=replica, PendingWindowInDays=10)
    assert {k: v for k, v in response.items() if k != "ResponseMetadata"} == {
        "KeyId": arn(replica), "KeyState": "PendingReplicaDeletion", "PendingWindowInDays": 10}


def test_primary_pending_replica_deletion_describes_its_window_without_a_date(client, replica):
    client.schedule_key_deletion(KeyId=replica, PendingWindowInDays=10)
    meta = metadata(client, replica)
    assert (meta["KeyState"], meta["Enabled"], meta["PendingDeletionWindowInDays"]) == (
        "PendingReplicaDeletion", False, 10)
    assert "DeletionDate" not in meta


def test_primary_pending_replica_deletion_refuses_crypto(client, replica):
    client.schedule_key_deletion(KeyId=replica, PendingWindowInDays=10)
    code, message, status = refused(client.encrypt, KeyId=replica, Plaintext=b"x")
    assert (code, status) == ("KMSInvalidStateException", 400)
    assert message.startswith(arn(replica) + " is pending")


def test_primary_waits_for_its_replica_then_starts_its_window(kms, client, eu, replica):
    client.schedule_key_deletion(KeyId=replica, PendingWindowInDays=10)
    scheduled = kms.clock.freeze()
    eu.schedule_key_deletion(KeyId=replica, PendingWindowInDays=7)
    kms.clock.advance(days=8)
    assert refused(eu.describe_key, KeyId=replica) == (
        "NotFoundException", f"Key '{arn(replica, OTHER)}' does not exist", 400)
    meta = metadata(client, replica)
    assert meta["KeyState"] == "PendingDeletion"
    assert meta["DeletionDate"] == scheduled + 7 * DAY + 10 * DAY
    assert meta["MultiRegionConfiguration"]["ReplicaKeys"] == []
    kms.clock.advance(days=8, hours=23)  # 1 hour before the primary's DeletionDate
    assert state_of(client, replica) == "PendingDeletion"
    kms.clock.advance(hours=2)
    assert refused(client.describe_key, KeyId=replica) == (
        "NotFoundException", f"Key '{arn(replica)}' does not exist", 400)


def test_primary_stays_pending_replica_deletion_while_a_replica_remains(kms, client, eu, replica):
    replicate(kms, client, replica, THIRD)
    client.schedule_key_deletion(KeyId=replica, PendingWindowInDays=7)
    eu.schedule_key_deletion(KeyId=replica, PendingWindowInDays=7)
    kms.clock.advance(days=8)
    assert state_of(client, replica) == "PendingReplicaDeletion"
    assert metadata(client, replica)["MultiRegionConfiguration"]["ReplicaKeys"] == [member(replica, THIRD)]


def test_replica_pending_deletion_has_a_deletion_date(kms, eu, replica):
    now = kms.clock.freeze()
    response = eu.schedule_key_deletion(KeyId=replica, PendingWindowInDays=7)
    assert (response["KeyState"], response["DeletionDate"]) == ("PendingDeletion", now + 7 * DAY)


def test_cancel_deletion_of_a_primary_pending_replica_deletion_disables_it(kms, client, eu, replica):
    client.schedule_key_deletion(KeyId=replica, PendingWindowInDays=7)
    assert client.cancel_key_deletion(KeyId=replica)["KeyId"] == arn(replica)
    meta = metadata(client, replica)
    assert meta["KeyState"] == "Disabled"
    assert "PendingDeletionWindowInDays" not in meta
    # the replica's later deletion no longer starts a window for the primary
    eu.schedule_key_deletion(KeyId=replica, PendingWindowInDays=7)
    kms.clock.advance(days=8)
    assert state_of(client, replica) == "Disabled"


def test_primary_without_replicas_is_deleted_like_any_key(kms, client, primary):
    now = kms.clock.freeze()
    response = client.schedule_key_deletion(KeyId=primary, PendingWindowInDays=7)
    assert (response["KeyState"], response["DeletionDate"]) == ("PendingDeletion", now + 7 * DAY)


def test_rotation_status_reads_false_while_pending_replica_deletion(client, replica):
    # keys-lifecycle.md §7 and key-states.md (GetKeyRotationStatus, column "PendingDeletion /
    # PendingReplicaDeletion"): "reports KeyRotationEnabled:false while pending".
    client.enable_key_rotation(KeyId=replica)
    client.schedule_key_deletion(KeyId=replica, PendingWindowInDays=7)
    assert client.get_key_rotation_status(KeyId=replica)["KeyRotationEnabled"] is False
    client.cancel_key_deletion(KeyId=replica)
    assert client.get_key_rotation_status(KeyId=replica)["KeyRotationEnabled"] is True


def test_after_the_move_the_new_primary_waits_for_its_replicas(kms, client, eu, replica):
    client.update_primary_region(KeyId=replica, PrimaryRegion=OTHER)
    kms.clock.advance(seconds=6)
    assert eu.schedule_key_deletion(KeyId=replica, PendingWindowInDays=7)["KeyState"] == "PendingReplicaDeletion"
    now = kms.clock.freeze()
    response = client.schedule_key_deletion(KeyId=replica, PendingWindowInDays=7)
    assert (response["KeyState"], response["DeletionDate"]) == ("PendingDeletion", now + 7 * DAY)
    kms.clock.advance(days=7, seconds=1)
    assert metadata(eu, replica)["DeletionDate"] == now + 14 * DAY


def test_replica_pending_deletion_still_listed_by_its_primary(client, eu, replica):
    eu.schedule_key_deletion(KeyId=replica, PendingWindowInDays=7)
    assert metadata(client, replica)["MultiRegionConfiguration"]["ReplicaKeys"] == [member(replica, OTHER)]


# --------------------------------------------------------------------------- imported material

def _import(client, key_id, material):
    params = client.get_parameters_for_import(KeyId=key_id, WrappingAlgorithm="RSAES_OAEP_SHA_256",
                                              WrappingKeySpec="RSA_2048")
    public_key = serialization.load_der_public_key(params["PublicKey"])
    wrapped = public_key.encrypt(material, padding.OAEP(mgf=padding.MGF1(hashes.SHA256()),
                                                        algorithm=hashes.SHA256(), label=None))
    return client.import_key_material(KeyId=key_id, ImportToken=params["ImportToken"],
                                      EncryptedKeyMaterial=wrapped,
                                      ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE")


def test_replica_of_an_external_key_waits_for_its_own_import(kms, client, eu):
    key_id = client.create_key(MultiRegion=True, Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    material = os.urandom(32)
    _import(client, key_id, material)
    blob = encrypt(client, key_id)
    response = client.replicate_key(KeyId=key_id, ReplicaRegion=OTHER)
    assert response["ReplicaKeyMetadata"]["Origin"] == "EXTERNAL"
    assert response["ReplicaKeyMetadata"]["KeyState"] == "Creating"
    kms.clock.advance(seconds=6)
    assert state_of(eu, key_id) == "PendingImport"
    assert refused(eu.decrypt, CiphertextBlob=blob) == (
        "KMSInvalidStateException", f"{arn(key_id, OTHER)} is pending import.", 400)
    _import(eu, key_id, material)  # the same material, imported into the replica itself
    assert state_of(eu, key_id) == "Enabled"
    assert eu.decrypt(CiphertextBlob=blob)["Plaintext"] == b"secret"


def test_replicating_an_external_primary_without_material_is_pending_import(client):
    key_id = client.create_key(MultiRegion=True, Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    assert refused(client.replicate_key, KeyId=key_id, ReplicaRegion=OTHER) == (
        "KMSInvalidStateException", f"{arn(key_id)} is pending import.", 400)
