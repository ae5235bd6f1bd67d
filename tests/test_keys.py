"""Key management: CreateKey, DescribeKey, ListKeys, Enable/Disable, descriptions, deletion.

Expected values come from recorded AWS responses (aws-reference/) where they exist,
otherwise from the spec (operations.md §0-1, key-states.md, errors.md §5-6).
"""
import datetime as dt
import re

import boto3
import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, REGION, error_of

KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/"
UNKNOWN_ID = "11111111-2222-3333-4444-555555555555"

# test_create_key (recorded 2025-11-10): DescribeKey of a default symmetric key has these
# members and no others.
RECORDED_SYMMETRIC_FIELDS = {
    "AWSAccountId", "Arn", "CreationDate", "CurrentKeyMaterialId", "CustomerMasterKeySpec", "Description",
    "Enabled", "EncryptionAlgorithms", "KeyId", "KeyManager", "KeySpec", "KeyState", "KeyUsage",
    "MultiRegion", "Origin",
}






def metadata(client, key_id):
    return client.describe_key(KeyId=key_id)["KeyMetadata"]


def state_of(client, key_id):
    return metadata(client, key_id)["KeyState"]


def key_count(client):
    return len(client.list_keys()["Keys"])


def pending_deletion(client, key_id):
    client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    return key_id


# --------------------------------------------------------------------------- CreateKey

def test_default_key_metadata_has_exactly_the_recorded_fields(client, key_id):
    assert set(metadata(client, key_id)) == RECORDED_SYMMETRIC_FIELDS


def test_create_key_answers_with_the_same_fields_as_describe_key(client):
    created = client.create_key()["KeyMetadata"]
    assert set(created) == RECORDED_SYMMETRIC_FIELDS


@pytest.mark.parametrize("field, value", [
    ("AWSAccountId", ACCOUNT),
    ("CustomerMasterKeySpec", "SYMMETRIC_DEFAULT"),
    ("KeySpec", "SYMMETRIC_DEFAULT"),
    ("KeyUsage", "ENCRYPT_DECRYPT"),
    ("EncryptionAlgorithms", ["SYMMETRIC_DEFAULT"]),
    ("Enabled", True),
    ("KeyState", "Enabled"),
    ("KeyManager", "CUSTOMER"),
    ("Origin", "AWS_KMS"),
    ("MultiRegion", False),
])
def test_default_key_metadata_value(client, key_id, field, value):
    assert metadata(client, key_id)[field] == value


def test_key_id_is_a_uuid_and_arn_is_built_from_region_and_account(client):
    meta = client.create_key()["KeyMetadata"]
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", meta["KeyId"])
    assert meta["Arn"] == KEY_ARN + meta["KeyId"]


def test_current_key_material_id_is_64_hex_digits(client, key_id):
    assert re.fullmatch(r"[0-9a-f]{64}", metadata(client, key_id)["CurrentKeyMaterialId"])


def test_creation_date_is_the_mock_clock_time(kms, client):
    now = kms.clock.freeze()
    assert client.create_key()["KeyMetadata"]["CreationDate"] == now


def test_description_defaults_to_empty_string(client):
    assert client.create_key()["KeyMetadata"]["Description"] == ""


def test_description_is_kept(client, key_id):
    assert metadata(client, key_id)["Description"] == "test key"


def test_each_key_gets_its_own_id(client):
    assert client.create_key()["KeyMetadata"]["KeyId"] != client.create_key()["KeyMetadata"]["KeyId"]


def test_multi_region_key_id_starts_with_mrk(client):
    key = client.create_key(MultiRegion=True)["KeyMetadata"]
    assert re.fullmatch(r"mrk-[0-9a-f]{32}", key["KeyId"])
    assert key["MultiRegion"] is True


def test_multi_region_key_is_a_primary_without_replicas(client):
    # test_create_multi_region_key (recorded 2025-11-10)
    key = client.create_key(MultiRegion=True)["KeyMetadata"]
    assert key["MultiRegionConfiguration"] == {
        "MultiRegionKeyType": "PRIMARY",
        "PrimaryKey": {"Arn": key["Arn"], "Region": REGION},
        "ReplicaKeys": [],
    }


def test_single_region_key_has_no_multi_region_configuration(client, key_id):
    # test_non_multi_region_keys_should_not_have_multi_region_properties (recorded 2025-11-10)
    assert "MultiRegionConfiguration" not in metadata(client, key_id)


def test_external_key_is_pending_import_without_key_material(client):
    # test_import_key_symmetric, "created-key" (recorded 2025-11-10)
    key = client.create_key(Origin="EXTERNAL")["KeyMetadata"]
    assert (key["Origin"], key["KeyState"], key["Enabled"]) == ("EXTERNAL", "PendingImport", False)
    assert set(key) == RECORDED_SYMMETRIC_FIELDS - {"CurrentKeyMaterialId"}


def test_external_key_cannot_encrypt_before_import(client):
    key = client.create_key(Origin="EXTERNAL")["KeyMetadata"]
    with pytest.raises(ClientError) as excinfo:
        client.encrypt(KeyId=key["KeyId"], Plaintext=b"data")
    assert error_of(excinfo) == ("KMSInvalidStateException", f"{key['Arn']} is pending import.", 400)


@pytest.mark.parametrize("params, message", [
    ({"KeySpec": "HMAC_256"},
     "You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys."),
    ({"KeySpec": "RSA_2048", "KeyUsage": "KEY_AGREEMENT"},
     "KeyUsage KEY_AGREEMENT is not compatible with KeySpec RSA_2048"),
    ({"KeySpec": "SYMMETRIC_DEFAULT", "KeyUsage": "SIGN_VERIFY"},
     "KeyUsage SIGN_VERIFY is not compatible with KeySpec SYMMETRIC_DEFAULT"),
    ({"Description": "d" * 8193},
     "1 validation error detected: Value '" + "d" * 8193 + "' at 'description' failed to satisfy "
     "constraint: Member must have length less than or equal to 8192"),
], ids=["hmac-without-usage", "rsa-key-agreement", "symmetric-sign-verify", "description-too-long"])
def test_create_key_validation(client, params, message):
    with pytest.raises(ClientError) as excinfo:
        client.create_key(**params)
    assert error_of(excinfo) == ("ValidationException", message, 400)


@pytest.mark.parametrize("params, path, members", [
    ({"KeySpec": "HMAC_random"}, "'HMAC_random' at 'keySpec'",
     {"SYMMETRIC_DEFAULT", "RSA_2048", "RSA_3072", "RSA_4096", "ECC_NIST_P256", "ECC_NIST_P384",
      "ECC_NIST_P521", "ECC_SECG_P256K1", "HMAC_224", "HMAC_256", "HMAC_384", "HMAC_512"}),
    ({"KeySpec": "HMAC_256", "KeyUsage": "RANDOM"}, "'RANDOM' at 'keyUsage'",
     {"ENCRYPT_DECRYPT", "SIGN_VERIFY", "GENERATE_VERIFY_MAC"}),
], ids=["keySpec", "keyUsage"])
def test_create_key_enum_violation_lists_the_allowed_values(client, params, path, members):
    # test_hmac_create_key_invalid_operations (recorded 2023-04-13); the list order is not stable.
    with pytest.raises(ClientError) as excinfo:
        client.create_key(**params)
    code, message, status = error_of(excinfo)
    prefix = (f"1 validation error detected: Value {path} failed to satisfy constraint: "
              "Member must satisfy enum value set: [")
    assert (code, status) == ("ValidationException", 400)
    assert message.startswith(prefix) and message.endswith("]")
    assert members <= set(message[len(prefix):-1].split(", "))


def test_policy_that_is_not_json_is_malformed_without_message(client):
    with pytest.raises(ClientError) as excinfo:
        client.create_key(Policy="this is not json")
    assert error_of(excinfo) == ("MalformedPolicyDocumentException", "", 400)


def test_unknown_custom_key_store_is_not_found(client):
    with pytest.raises(ClientError) as excinfo:
        client.create_key(CustomKeyStoreId="cks-1234567890abcdef0", Origin="AWS_CLOUDHSM")
    # The message is a guess (errors.md §3 [G]); the code is modelled.
    assert error_of(excinfo) == (
        "CustomKeyStoreNotFoundException", "Custom key store cks-1234567890abcdef0 does not exist", 400)


# --------------------------------------------------------------------------- identifiers

@pytest.mark.parametrize("form", ["key id", "key ARN", "alias name", "alias ARN"])
def test_describe_key_accepts_every_identifier_form(client, key_id, form):
    client.create_alias(AliasName="alias/x", TargetKeyId=key_id)
    value = {"key id": key_id, "key ARN": KEY_ARN + key_id, "alias name": "alias/x",
             "alias ARN": f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/x"}[form]
    assert metadata(client, value)["KeyId"] == key_id


@pytest.mark.parametrize("value", ["fake-key-id", "134f2428cec14b25a1ae9048164dba47", "mrk-fake-key-id"])
def test_malformed_key_id_is_an_invalid_key_id(client, value):
    # test_get_key_invalid_uuid (recorded 2023-11-07)
    with pytest.raises(ClientError) as excinfo:
        client.describe_key(KeyId=value)
    assert error_of(excinfo) == ("NotFoundException", f"Invalid keyId '{value}'", 400)


@pytest.mark.parametrize("value", [UNKNOWN_ID, KEY_ARN + UNKNOWN_ID, "mrk-" + "0" * 32],
                         ids=["key id", "key ARN", "mrk id"])
def test_unknown_well_formed_key_does_not_exist(client, value):
    # test_get_key_does_not_exist (recorded 2025-09-08)
    key_id = value.rsplit("/", 1)[-1]
    with pytest.raises(ClientError) as excinfo:
        client.describe_key(KeyId=value)
    assert error_of(excinfo) == ("NotFoundException", f"Key '{KEY_ARN}{key_id}' does not exist", 400)


def test_key_arn_of_another_region_is_an_invalid_arn(client, key_id):
    # test_get_key_in_different_region (recorded 2025-11-10): only the Region is named.
    with pytest.raises(ClientError) as excinfo:
        client.describe_key(KeyId=f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/{key_id}")
    assert error_of(excinfo) == ("NotFoundException", "Invalid arn eu-west-1", 400)


def test_key_of_another_region_asked_by_id_does_not_exist(client, key_id):
    eu = boto3.client("kms", region_name="eu-west-1")
    with pytest.raises(ClientError) as excinfo:
        eu.describe_key(KeyId=key_id)
    assert error_of(excinfo) == (
        "NotFoundException", f"Key 'arn:aws:kms:eu-west-1:{ACCOUNT}:key/{key_id}' does not exist", 400)


@pytest.mark.parametrize("value", ["alias/x", f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/x"],
                         ids=["alias name", "alias ARN"])
def test_missing_alias_is_not_found_with_its_arn(client, value):
    with pytest.raises(ClientError) as excinfo:
        client.describe_key(KeyId=value)
    assert error_of(excinfo) == (
        "NotFoundException", f"Alias arn:aws:kms:{REGION}:{ACCOUNT}:alias/x is not found.", 400)


@pytest.mark.parametrize("operation, params", [
    ("enable_key", {}),
    ("disable_key", {}),
    ("update_key_description", {"Description": "d"}),
    ("schedule_key_deletion", {}),
    ("cancel_key_deletion", {}),
    ("tag_resource", {"Tags": [{"TagKey": "k", "TagValue": "v"}]}),
    ("untag_resource", {"TagKeys": ["k"]}),
    ("list_resource_tags", {}),
])
def test_key_only_operations_refuse_an_existing_alias(client, key_id, operation, params):
    client.create_alias(AliasName="alias/x", TargetKeyId=key_id)
    with pytest.raises(ClientError) as excinfo:
        getattr(client, operation)(KeyId="alias/x", **params)
    assert error_of(excinfo) == ("NotFoundException", "Invalid keyId 'alias/x'", 400)


# --------------------------------------------------------------------------- Enable / Disable

def test_disable_key_disables_it(client, key_id):
    client.disable_key(KeyId=key_id)
    meta = metadata(client, key_id)
    assert (meta["KeyState"], meta["Enabled"]) == ("Disabled", False)


def test_disable_key_twice_is_harmless(client, key_id):
    client.disable_key(KeyId=key_id)
    client.disable_key(KeyId=key_id)
    assert state_of(client, key_id) == "Disabled"


def test_enable_key_re_enables_a_disabled_key(client, key_id):
    client.disable_key(KeyId=key_id)
    client.enable_key(KeyId=key_id)
    meta = metadata(client, key_id)
    assert (meta["KeyState"], meta["Enabled"]) == ("Enabled", True)


def test_enable_key_on_an_enabled_key_is_harmless(client, key_id):
    client.enable_key(KeyId=key_id)
    assert state_of(client, key_id) == "Enabled"


def test_disabled_key_cannot_encrypt(client, key_id):
    client.disable_key(KeyId=key_id)
    with pytest.raises(ClientError) as excinfo:
        client.encrypt(KeyId=key_id, Plaintext=b"data")
    assert error_of(excinfo) == ("DisabledException", f"{KEY_ARN}{key_id} is disabled.", 400)


@pytest.mark.parametrize("operation", ["enable_key", "disable_key"])
def test_enable_and_disable_refuse_a_key_pending_import(client, operation):
    key = client.create_key(Origin="EXTERNAL")["KeyMetadata"]
    with pytest.raises(ClientError) as excinfo:
        getattr(client, operation)(KeyId=key["KeyId"])
    assert error_of(excinfo) == ("KMSInvalidStateException", f"{key['Arn']} is pending import.", 400)


# --------------------------------------------------------------------------- UpdateKeyDescription

def test_update_key_description_replaces_it(client, key_id):
    client.update_key_description(KeyId=key_id, Description="new words")
    assert metadata(client, key_id)["Description"] == "new words"


def test_update_key_description_accepts_empty(client, key_id):
    client.update_key_description(KeyId=key_id, Description="")
    assert metadata(client, key_id)["Description"] == ""


def test_update_key_description_works_on_a_disabled_key(client, key_id):
    client.disable_key(KeyId=key_id)
    client.update_key_description(KeyId=key_id, Description="still mine")
    assert metadata(client, key_id)["Description"] == "still mine"


# --------------------------------------------------------------------------- ScheduleKeyDeletion

def test_schedule_key_deletion_defaults_to_a_30_day_window(kms, client, key_id):
    now = kms.clock.freeze()
    response = client.schedule_key_deletion(KeyId=key_id)
    del response["ResponseMetadata"]
    assert response == {"KeyId": KEY_ARN + key_id, "DeletionDate": now + dt.timedelta(days=30),
                        "KeyState": "PendingDeletion", "PendingWindowInDays": 30}


@pytest.mark.parametrize("days", [7, 30])
def test_schedule_key_deletion_honours_the_window(kms, client, key_id, days):
    now = kms.clock.freeze()
    response = client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=days)
    assert (response["DeletionDate"], response["PendingWindowInDays"]) == (now + dt.timedelta(days=days), days)


def test_describe_key_shows_the_pending_deletion(kms, client, key_id):
    now = kms.clock.freeze()
    client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=10)
    meta = metadata(client, key_id)
    assert (meta["KeyState"], meta["Enabled"], meta["DeletionDate"]) == (
        "PendingDeletion", False, now + dt.timedelta(days=10))


def test_key_pending_deletion_has_no_pending_deletion_window_field(client, key_id):
    # PendingDeletionWindowInDays belongs to PendingReplicaDeletion only (operations.md, DescribeKey).
    pending_deletion(client, key_id)
    assert "PendingDeletionWindowInDays" not in metadata(client, key_id)


@pytest.mark.parametrize("days, rule", [
    (6, "greater than or equal to 7"),
    (31, "less than or equal to 30"),
])
def test_schedule_key_deletion_window_must_be_7_to_30_days(client, key_id, days, rule):
    with pytest.raises(ClientError) as excinfo:
        client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=days)
    assert error_of(excinfo) == (
        "ValidationException",
        f"1 validation error detected: Value '{days}' at 'pendingWindowInDays' failed to satisfy constraint: "
        f"Member must have value {rule}", 400)


def test_rejected_window_leaves_the_key_alone(client, key_id):
    with pytest.raises(ClientError):
        client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=31)
    assert state_of(client, key_id) == "Enabled"


def test_schedule_key_deletion_twice_is_refused(client, key_id):
    pending_deletion(client, key_id)
    with pytest.raises(ClientError) as excinfo:
        client.schedule_key_deletion(KeyId=key_id)
    assert error_of(excinfo) == ("KMSInvalidStateException", f"{KEY_ARN}{key_id} is pending deletion.", 400)


def test_a_key_pending_import_can_be_scheduled_for_deletion(client):
    key_id = client.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    assert client.schedule_key_deletion(KeyId=key_id)["KeyState"] == "PendingDeletion"


# --------------------------------------------------------------------------- CancelKeyDeletion

def test_cancel_key_deletion_answers_with_the_key_arn(client, key_id):
    pending_deletion(client, key_id)
    response = client.cancel_key_deletion(KeyId=key_id)
    del response["ResponseMetadata"]
    assert response == {"KeyId": KEY_ARN + key_id}


def test_cancelled_key_is_disabled_without_deletion_date(client, key_id):
    pending_deletion(client, key_id)
    client.cancel_key_deletion(KeyId=key_id)
    meta = metadata(client, key_id)
    assert (meta["KeyState"], meta["Enabled"], "DeletionDate" in meta) == ("Disabled", False, False)


def test_cancel_key_deletion_of_an_enabled_key_is_refused(client, key_id):
    with pytest.raises(ClientError) as excinfo:
        client.cancel_key_deletion(KeyId=key_id)
    assert error_of(excinfo) == ("KMSInvalidStateException", f"{KEY_ARN}{key_id} is not pending deletion.", 400)


def test_cancelled_key_survives_its_old_deletion_date(kms, client, key_id):
    pending_deletion(client, key_id)
    client.cancel_key_deletion(KeyId=key_id)
    kms.clock.advance(days=8)
    assert state_of(client, key_id) == "Disabled"


def test_rescheduled_key_is_deleted_at_the_new_date_only(kms, client, key_id):
    client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    client.cancel_key_deletion(KeyId=key_id)
    kms.clock.advance(days=1)
    client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    kms.clock.advance(days=6, hours=12)
    assert state_of(client, key_id) == "PendingDeletion"


# --------------------------------------------------------------------------- the window elapses

def test_key_still_exists_until_its_deletion_date(kms, client, key_id):
    client.schedule_key_deletion(KeyId=key_id)
    kms.clock.advance(days=29, hours=23)
    assert state_of(client, key_id) == "PendingDeletion"


@pytest.mark.parametrize("form", ["key id", "key ARN"])
def test_deleted_key_is_not_found_as_if_it_never_existed(kms, client, key_id, form):
    client.schedule_key_deletion(KeyId=key_id)
    kms.clock.advance(days=31)
    with pytest.raises(ClientError) as excinfo:
        client.describe_key(KeyId={"key id": key_id, "key ARN": KEY_ARN + key_id}[form])
    assert error_of(excinfo) == ("NotFoundException", f"Key '{KEY_ARN}{key_id}' does not exist", 400)


@pytest.mark.parametrize("operation, params", [
    ("enable_key", {}),
    ("cancel_key_deletion", {}),
    ("list_resource_tags", {}),
    ("encrypt", {"Plaintext": b"data"}),
])
def test_every_operation_on_a_deleted_key_is_not_found(kms, client, key_id, operation, params):
    client.schedule_key_deletion(KeyId=key_id)
    kms.clock.advance(days=31)
    with pytest.raises(ClientError) as excinfo:
        getattr(client, operation)(KeyId=key_id, **params)
    assert error_of(excinfo) == ("NotFoundException", f"Key '{KEY_ARN}{key_id}' does not exist", 400)


def test_deleted_key_leaves_list_keys(kms, client, key_id):
    survivor = client.create_key()["KeyMetadata"]["KeyId"]
    client.schedule_key_deletion(KeyId=key_id)
    kms.clock.advance(days=31)
    assert [k["KeyId"] for k in client.list_keys()["Keys"]] == [survivor]


def test_deleted_key_takes_its_aliases_with_it(kms, client, key_id):
    survivor = client.create_key()["KeyMetadata"]["KeyId"]
    client.create_alias(AliasName="alias/doomed", TargetKeyId=key_id)
    client.create_alias(AliasName="alias/kept", TargetKeyId=survivor)
    client.schedule_key_deletion(KeyId=key_id)
    kms.clock.advance(days=31)
    assert [a["AliasName"] for a in client.list_aliases()["Aliases"]
            if not a["AliasName"].startswith("alias/aws/")] == ["alias/kept"]


def test_alias_of_a_deleted_key_is_not_found(kms, client, key_id):
    client.create_alias(AliasName="alias/doomed", TargetKeyId=key_id)
    client.schedule_key_deletion(KeyId=key_id)
    kms.clock.advance(days=31)
    with pytest.raises(ClientError) as excinfo:
        client.describe_key(KeyId="alias/doomed")
    assert error_of(excinfo) == (
        "NotFoundException", f"Alias arn:aws:kms:{REGION}:{ACCOUNT}:alias/doomed is not found.", 400)


# --------------------------------------------------------------------------- key states

@pytest.mark.parametrize("operation, params", [
    ("update_key_description", {"Description": "d"}),
    ("enable_key", {}),
    ("disable_key", {}),
    ("tag_resource", {"Tags": [{"TagKey": "k", "TagValue": "v"}]}),
    ("untag_resource", {"TagKeys": ["k"]}),
    ("encrypt", {"Plaintext": b"data"}),
])
def test_operation_refuses_a_key_pending_deletion(client, key_id, operation, params):
    pending_deletion(client, key_id)
    with pytest.raises(ClientError) as excinfo:
        getattr(client, operation)(KeyId=key_id, **params)
    assert error_of(excinfo) == ("KMSInvalidStateException", f"{KEY_ARN}{key_id} is pending deletion.", 400)


def test_create_alias_refuses_a_target_pending_deletion(client, key_id):
    pending_deletion(client, key_id)
    with pytest.raises(ClientError) as excinfo:
        client.create_alias(AliasName="alias/late", TargetKeyId=key_id)
    assert error_of(excinfo) == ("KMSInvalidStateException", f"{KEY_ARN}{key_id} is pending deletion.", 400)


@pytest.mark.parametrize("operation, check", [
    ("describe_key", lambda r: r["KeyMetadata"]["KeyState"] == "PendingDeletion"),
    ("list_resource_tags", lambda r: r["Tags"] == [{"TagKey": "k", "TagValue": "v"}]),
    ("list_aliases", lambda r: [a["AliasName"] for a in r["Aliases"]] == ["alias/x"]),
], ids=["describe_key", "list_resource_tags", "list_aliases"])
def test_read_operations_work_on_a_key_pending_deletion(client, key_id, operation, check):
    client.tag_resource(KeyId=key_id, Tags=[{"TagKey": "k", "TagValue": "v"}])
    client.create_alias(AliasName="alias/x", TargetKeyId=key_id)
    pending_deletion(client, key_id)
    assert check(getattr(client, operation)(KeyId=key_id))


def test_delete_alias_works_on_a_key_pending_deletion(client, key_id):
    client.create_alias(AliasName="alias/x", TargetKeyId=key_id)
    pending_deletion(client, key_id)
    client.delete_alias(AliasName="alias/x")
    assert client.list_aliases(KeyId=key_id)["Aliases"] == []


# --------------------------------------------------------------------------- ListKeys

def test_list_keys_lists_id_and_arn_in_creation_order(client):
    ids = [client.create_key()["KeyMetadata"]["KeyId"] for _ in range(3)]
    assert client.list_keys()["Keys"] == [{"KeyId": i, "KeyArn": KEY_ARN + i} for i in ids]


def test_list_keys_of_an_empty_region_is_empty_and_complete(client):
    response = client.list_keys()
    assert (response["Keys"], response["Truncated"], "NextMarker" in response) == ([], False, False)


def test_list_keys_includes_keys_in_every_state(client, key_id):
    disabled = client.create_key()["KeyMetadata"]["KeyId"]
    client.disable_key(KeyId=disabled)
    pending_deletion(client, key_id)
    external = client.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    assert [k["KeyId"] for k in client.list_keys()["Keys"]] == [key_id, disabled, external]


def test_list_keys_shows_only_the_callers_region(client, key_id):
    boto3.client("kms", region_name="eu-west-1").create_key()
    assert [k["KeyId"] for k in client.list_keys()["Keys"]] == [key_id]


def test_list_keys_limit_truncates_with_a_marker(client):
    ids = [client.create_key()["KeyMetadata"]["KeyId"] for _ in range(3)]
    first = client.list_keys(Limit=2)
    assert ([k["KeyId"] for k in first["Keys"]], first["Truncated"]) == (ids[:2], True)
    assert first["NextMarker"]


def test_list_keys_marker_continues_where_the_page_ended(client):
    ids = [client.create_key()["KeyMetadata"]["KeyId"] for _ in range(3)]
    marker = client.list_keys(Limit=2)["NextMarker"]
    last = client.list_keys(Limit=2, Marker=marker)
    assert ([k["KeyId"] for k in last["Keys"]], last["Truncated"], "NextMarker" in last) == (ids[2:], False, False)


def test_list_keys_default_page_is_100_keys(client):
    for _ in range(101):
        client.create_key()
    response = client.list_keys()
    assert (len(response["Keys"]), response["Truncated"]) == (100, True)


def test_list_keys_paginator_returns_every_key_in_order(client):
    ids = [client.create_key()["KeyMetadata"]["KeyId"] for _ in range(5)]
    pages = list(client.get_paginator("list_keys").paginate(PaginationConfig={"PageSize": 2}))
    assert [len(p["Keys"]) for p in pages] == [2, 2, 1]
    assert [k["KeyId"] for p in pages for k in p["Keys"]] == ids


def test_list_keys_next_page_skips_nothing_when_listed_keys_are_deleted(kms, client):
    ids = [client.create_key()["KeyMetadata"]["KeyId"] for _ in range(4)]
    first = client.list_keys(Limit=2)
    for key in first["Keys"]:
        client.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
    kms.clock.advance(days=8)
    rest = client.list_keys(Limit=2, Marker=first["NextMarker"])
    assert [k["KeyId"] for k in rest["Keys"]] == ids[2:]


def test_list_keys_refuses_a_marker_it_did_not_issue(client, key_id):
    with pytest.raises(ClientError) as excinfo:
        client.list_keys(Marker="not-a-marker")
    assert error_of(excinfo) == ("InvalidMarkerException", "Invalid marker", 400)


def test_list_keys_refuses_a_marker_from_list_aliases(client, key_id):
    client.create_alias(AliasName="alias/a", TargetKeyId=key_id)
    client.create_alias(AliasName="alias/b", TargetKeyId=key_id)
    marker = client.list_aliases(Limit=1)["NextMarker"]
    with pytest.raises(ClientError) as excinfo:
        client.list_keys(Marker=marker)
    assert error_of(excinfo) == ("InvalidMarkerException", "Invalid marker", 400)


@pytest.mark.parametrize("limit, rule", [
    (0, "greater than or equal to 1"),
    (1001, "less than or equal to 1000"),
])
def test_list_keys_limit_range(raw_client, limit, rule):
    with pytest.raises(ClientError) as excinfo:
        raw_client.list_keys(Limit=limit)
    assert error_of(excinfo) == (
        "ValidationException",
        f"1 validation error detected: Value '{limit}' at 'limit' failed to satisfy constraint: "
        f"Member must have value {rule}", 400)


def test_changing_a_list_keys_answer_leaves_the_mock_unchanged(client, key_id):
    answer = client.list_keys()
    answer["Keys"][0]["KeyId"] = "changed"
    answer["Keys"].clear()
    assert [entry["KeyId"] for entry in client.list_keys()["Keys"]] == [key_id]
