"""AWS managed keys: predefined ``alias/aws/<service>`` aliases, the key a service makes on first
use, its policy (use only through the service, metadata directly), and what customers may not do.

Expected values come from the spec (keys-lifecycle.md §1, §3.3, §7, §9; operations.md CreateAlias;
errors.md §4 AccessDeniedException wording [O]) and the botocore model's documentation
(DescribeKey: "If you call the DescribeKey operation on a predefined Amazon Web Services alias ...
KMS creates an Amazon Web Services managed key"; ListAliases: aliases without TargetKeyId).
"""
from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, REGION, error_of, make_client
from mockkms import mock_kms

ROOT = f"arn:aws:iam::{ACCOUNT}:root"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/app"
ALIAS_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:"
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
S3 = "s3.us-east-1.amazonaws.com"
OTHER = "eu-west-1"


def denial(action, resource, caller=ROOT):
    """errors.md §4 [O]: the AccessDeniedException a key policy that allows nothing gives."""
    return ("AccessDeniedException",
            f"User: {caller} is not authorized to perform: kms:{action} on resource: {resource} "
            f"because no resource-based policy allows the kms:{action} action", 400)


def refused(call, **params):
    with pytest.raises(ClientError) as excinfo:
        call(**params)
    return error_of(excinfo)


def aliases(client, **params):
    return {a["AliasName"]: a for a in client.list_aliases(**params)["Aliases"]}


@pytest.fixture
def s3_key(client):
    """The account's AWS managed key for S3 (made by DescribeKey on its alias); returns its metadata."""
    return client.describe_key(KeyId="alias/aws/s3")["KeyMetadata"]


@pytest.fixture
def via_s3(kms):
    return kms.client(via_service=S3)


# --------------------------------------------------------------------------- predefined aliases

def test_fresh_account_lists_predefined_aliases_without_targets(client):
    listed = client.list_aliases(Limit=1000)["Aliases"]
    assert listed
    for alias in listed:
        assert alias["AliasName"].startswith("alias/aws/")
        assert alias == {"AliasName": alias["AliasName"], "AliasArn": ALIAS_ARN + alias["AliasName"]}


@pytest.mark.parametrize("service", ["s3", "ebs", "dynamodb", "rds", "lambda", "secretsmanager", "ssm"])
def test_well_known_services_have_predefined_aliases(client, service):
    # keys-lifecycle.md §1 [D]: alias/aws/<service> for e.g. these services.
    assert f"alias/aws/{service}" in aliases(client, Limit=1000)


def test_predefined_aliases_are_listed_in_every_region(kms):
    assert "alias/aws/s3" in aliases(make_client(OTHER), Limit=1000)


# --------------------------------------------------------------------------- the key a service makes

def test_describe_key_of_a_predefined_alias_makes_the_aws_managed_key(s3_key):
    assert re.fullmatch(UUID, s3_key["KeyId"])
    assert s3_key["Arn"] == f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{s3_key['KeyId']}"
    assert s3_key["AWSAccountId"] == ACCOUNT
    assert (s3_key["KeyManager"], s3_key["Origin"]) == ("AWS", "AWS_KMS")
    assert (s3_key["KeySpec"], s3_key["KeyUsage"], s3_key["EncryptionAlgorithms"]) == (
        "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", ["SYMMETRIC_DEFAULT"])
    assert (s3_key["KeyState"], s3_key["Enabled"], s3_key["MultiRegion"]) == ("Enabled", True, False)
    assert "MultiRegionConfiguration" not in s3_key


def test_describe_key_of_the_alias_arn_makes_the_key_too(client):
    meta = client.describe_key(KeyId=ALIAS_ARN + "alias/aws/ebs")["KeyMetadata"]
    assert meta["KeyManager"] == "AWS"
    assert aliases(client)["alias/aws/ebs"]["TargetKeyId"] == meta["KeyId"]


def test_aws_managed_key_was_created_at_first_use(kms, client):
    now = kms.clock.freeze()
    assert client.describe_key(KeyId="alias/aws/s3")["KeyMetadata"]["CreationDate"] == now


def test_list_aliases_then_shows_the_alias_with_its_target(kms, client):
    now = kms.clock.freeze()
    key_id = client.describe_key(KeyId="alias/aws/s3")["KeyMetadata"]["KeyId"]
    listed = aliases(client, Limit=1000)
    assert listed["alias/aws/s3"] == {
        "AliasName": "alias/aws/s3", "AliasArn": ALIAS_ARN + "alias/aws/s3", "TargetKeyId": key_id,
        "CreationDate": now, "LastUpdatedDate": now}
    assert set(listed["alias/aws/ebs"]) == {"AliasName", "AliasArn"}  # other services: still no key


def test_list_aliases_names_the_alias_only_once(client, s3_key):
    names = [a["AliasName"] for a in client.list_aliases(Limit=1000)["Aliases"]]
    assert names.count("alias/aws/s3") == 1


def test_list_aliases_of_the_aws_managed_key_shows_its_alias(client, s3_key):
    assert [a["AliasName"] for a in client.list_aliases(KeyId=s3_key["KeyId"])["Aliases"]] == ["alias/aws/s3"]


def test_second_describe_key_returns_the_same_key(client, s3_key):
    again = client.describe_key(KeyId="alias/aws/s3")["KeyMetadata"]
    assert again == s3_key
    assert client.describe_key(KeyId=s3_key["KeyId"])["KeyMetadata"] == s3_key


def test_each_service_gets_its_own_key(client, s3_key):
    ebs = client.describe_key(KeyId="alias/aws/ebs")["KeyMetadata"]
    assert ebs["KeyId"] != s3_key["KeyId"]


def test_each_region_gets_its_own_key(kms, client, s3_key):
    there = make_client(OTHER).describe_key(KeyId="alias/aws/s3")["KeyMetadata"]
    assert there["KeyId"] != s3_key["KeyId"]
    assert there["Arn"].startswith(f"arn:aws:kms:{OTHER}:{ACCOUNT}:key/")
    assert client.describe_key(KeyId="alias/aws/s3")["KeyMetadata"]["KeyId"] == s3_key["KeyId"]


def test_rotation_of_an_aws_managed_key_is_on_every_365_days(kms, client):
    now = kms.clock.freeze()
    key = client.describe_key(KeyId="alias/aws/s3")["KeyMetadata"]
    status = client.get_key_rotation_status(KeyId=key["KeyId"])
    assert status["KeyRotationEnabled"] is True
    assert status["RotationPeriodInDays"] == 365
    assert status["NextRotationDate"] == now + dt.timedelta(days=365)


def test_aws_managed_key_rotates_yearly(kms, client, s3_key, via_s3):
    blob = via_s3.encrypt(KeyId="alias/aws/s3", Plaintext=b"old")["CiphertextBlob"]
    kms.clock.advance(days=366)
    meta = client.describe_key(KeyId=s3_key["KeyId"])["KeyMetadata"]
    assert meta["CurrentKeyMaterialId"] != s3_key["CurrentKeyMaterialId"]
    assert via_s3.decrypt(CiphertextBlob=blob)["Plaintext"] == b"old"


def test_key_policy_allows_use_through_the_service_and_metadata_to_the_account(client, s3_key):
    # keys-lifecycle.md §1 [D]: the AWS managed key policy template.
    policy = json.loads(client.get_key_policy(KeyId=s3_key["KeyId"], PolicyName="default")["Policy"])
    assert re.fullmatch(r"auto-s3-\d+", policy["Id"])
    through, direct = policy["Statement"]
    assert through["Effect"] == "Allow"
    assert through["Principal"] == {"AWS": "*"}
    assert {"kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"} <= set(
        through["Action"])
    assert through["Condition"]["StringEquals"] == {"kms:CallerAccount": ACCOUNT, "kms:ViaService": S3}
    assert direct["Principal"] == {"AWS": ROOT}
    assert set(direct["Action"]) == {"kms:Describe*", "kms:Get*", "kms:List*"}
    assert "Condition" not in direct


def test_key_policy_of_another_region_names_that_region_service_endpoint(kms):
    eu = make_client(OTHER)
    key_id = eu.describe_key(KeyId="alias/aws/s3")["KeyMetadata"]["KeyId"]
    through = json.loads(eu.get_key_policy(KeyId=key_id)["Policy"])["Statement"][0]
    assert through["Condition"]["StringEquals"]["kms:ViaService"] == f"s3.{OTHER}.amazonaws.com"


def test_key_policy_is_the_only_policy(client, s3_key):
    assert client.list_key_policies(KeyId=s3_key["KeyId"])["PolicyNames"] == ["default"]


def test_metadata_operations_are_allowed_directly(client, s3_key):
    key_id = s3_key["KeyId"]
    assert client.list_resource_tags(KeyId=key_id)["Tags"] == []
    assert client.list_grants(KeyId=key_id)["Grants"] == []


# --------------------------------------------------------------------------- using it

def test_direct_encrypt_by_the_account_root_is_denied(client, s3_key):
    assert refused(client.encrypt, KeyId="alias/aws/s3", Plaintext=b"x") == denial("Encrypt", s3_key["Arn"])


def test_direct_generate_data_key_is_denied(client, s3_key):
    assert refused(client.generate_data_key, KeyId=s3_key["KeyId"], KeySpec="AES_256") == denial(
        "GenerateDataKey", s3_key["Arn"])


def test_use_through_the_service_works(client, s3_key, via_s3):
    blob = via_s3.encrypt(KeyId="alias/aws/s3", Plaintext=b"object")["CiphertextBlob"]
    response = via_s3.decrypt(CiphertextBlob=blob)
    assert (response["Plaintext"], response["KeyId"]) == (b"object", s3_key["Arn"])
    data_key = via_s3.generate_data_key(KeyId="alias/aws/s3", KeySpec="AES_256")
    assert via_s3.decrypt(CiphertextBlob=data_key["CiphertextBlob"])["Plaintext"] == data_key["Plaintext"]
    assert via_s3.describe_key(KeyId="alias/aws/s3")["KeyMetadata"]["KeyId"] == s3_key["KeyId"]


def test_use_through_the_service_works_for_a_role_of_the_account(kms, s3_key):
    via_s3 = kms.client(principal=ROLE, via_service=S3)
    blob = via_s3.encrypt(KeyId=s3_key["KeyId"], Plaintext=b"object")["CiphertextBlob"]
    assert via_s3.decrypt(CiphertextBlob=blob)["Plaintext"] == b"object"


def test_decrypt_directly_of_a_ciphertext_made_through_the_service_is_denied(client, s3_key, via_s3):
    blob = via_s3.encrypt(KeyId="alias/aws/s3", Plaintext=b"object")["CiphertextBlob"]
    assert refused(client.decrypt, CiphertextBlob=blob, KeyId=s3_key["KeyId"]) == denial("Decrypt", s3_key["Arn"])


def test_use_through_another_service_is_denied(kms, s3_key):
    via_dynamodb = kms.client(via_service="dynamodb.us-east-1.amazonaws.com")
    assert refused(via_dynamodb.encrypt, KeyId="alias/aws/s3", Plaintext=b"x") == denial("Encrypt", s3_key["Arn"])


def test_use_through_the_service_of_another_region_is_denied(kms, s3_key):
    via_s3_eu = kms.client(via_service=f"s3.{OTHER}.amazonaws.com")
    assert refused(via_s3_eu.encrypt, KeyId="alias/aws/s3", Plaintext=b"x") == denial("Encrypt", s3_key["Arn"])


def test_use_by_another_account_through_the_service_is_denied(kms, s3_key):
    # kms:CallerAccount must be the key's account.
    outsider = kms.client(principal="arn:aws:iam::111122223333:root", via_service=S3)
    code, _, status = refused(outsider.encrypt, KeyId=s3_key["Arn"], Plaintext=b"x")
    assert (code, status) == ("AccessDeniedException", 400)


# --------------------------------------------------------------------------- managing it

MANAGEMENT = [
    ("DisableKey", "disable_key", {}),
    ("EnableKey", "enable_key", {}),
    ("ScheduleKeyDeletion", "schedule_key_deletion", {"PendingWindowInDays": 7}),
    ("PutKeyPolicy", "put_key_policy", {"PolicyName": "default", "Policy": json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": ROOT},
                                                "Action": "kms:*", "Resource": "*"}]})}),
    ("TagResource", "tag_resource", {"Tags": [{"TagKey": "k", "TagValue": "v"}]}),
    ("UntagResource", "untag_resource", {"TagKeys": ["k"]}),
    ("EnableKeyRotation", "enable_key_rotation", {}),
    ("DisableKeyRotation", "disable_key_rotation", {}),
    ("RotateKeyOnDemand", "rotate_key_on_demand", {}),
    ("UpdateKeyDescription", "update_key_description", {"Description": "mine now"}),
]


@pytest.mark.parametrize("action, method, params", MANAGEMENT, ids=[m[0] for m in MANAGEMENT])
def test_customers_cannot_manage_an_aws_managed_key(client, s3_key, action, method, params):
    # keys-lifecycle.md §1, §3.3, errors.md §5: refused by the key policy -> AccessDeniedException.
    assert refused(getattr(client, method), KeyId=s3_key["KeyId"], **params) == denial(action, s3_key["Arn"])


@pytest.mark.parametrize("action, method, params", MANAGEMENT, ids=[m[0] for m in MANAGEMENT])
def test_the_service_cannot_manage_it_either(via_s3, s3_key, action, method, params):
    # The through-the-service statement allows only use (and DescribeKey, CreateGrant).
    assert refused(getattr(via_s3, method), KeyId=s3_key["KeyId"], **params) == denial(action, s3_key["Arn"])


def test_refused_management_leaves_the_key_unchanged(client, s3_key):
    for action, method, params in MANAGEMENT:
        with pytest.raises(ClientError):
            getattr(client, method)(KeyId=s3_key["KeyId"], **params)
    assert client.describe_key(KeyId=s3_key["KeyId"])["KeyMetadata"] == s3_key
    assert client.list_resource_tags(KeyId=s3_key["KeyId"])["Tags"] == []
    assert client.get_key_rotation_status(KeyId=s3_key["KeyId"])["KeyRotationEnabled"] is True


@pytest.mark.parametrize("operation", ["create_alias", "update_alias", "delete_alias"])
def test_aliases_with_the_aws_prefix_are_not_authorized(client, s3_key, operation):
    # errors.md §4: NotAuthorizedException with no message (2015 capture).
    params = {"TargetKeyId": s3_key["KeyId"]} if operation != "delete_alias" else {}
    assert refused(getattr(client, operation), AliasName="alias/aws/s3", **params) == (
        "NotAuthorizedException", "", 400)


def test_create_alias_pointing_at_an_aws_managed_key_is_denied(client, s3_key):
    assert refused(client.create_alias, AliasName="alias/mine", TargetKeyId=s3_key["KeyId"]) == denial(
        "CreateAlias", s3_key["Arn"])
    assert "alias/mine" not in aliases(client, Limit=1000)


def test_update_alias_to_an_aws_managed_key_is_denied(client, s3_key):
    own = client.create_key()["KeyMetadata"]["KeyId"]
    client.create_alias(AliasName="alias/mine", TargetKeyId=own)
    assert refused(client.update_alias, AliasName="alias/mine", TargetKeyId=s3_key["KeyId"]) == denial(
        "UpdateAlias", s3_key["Arn"])
    assert aliases(client)["alias/mine"]["TargetKeyId"] == own


def test_direct_create_grant_is_denied(client, s3_key):
    assert refused(client.create_grant, KeyId=s3_key["KeyId"], GranteePrincipal=ROLE,
                   Operations=["Decrypt"]) == denial("CreateGrant", s3_key["Arn"])


def test_permissive_mock_still_refuses_to_manage_an_aws_managed_key():
    # keys-lifecycle.md §1: "In permissive mode the mock must still block these explicitly".
    with mock_kms(enforce_policies=False):
        client = make_client()
        key = client.describe_key(KeyId="alias/aws/s3")["KeyMetadata"]
        assert key["KeyManager"] == "AWS"
        assert refused(client.disable_key, KeyId=key["KeyId"]) == denial("DisableKey", key["Arn"])
        assert refused(client.schedule_key_deletion, KeyId=key["KeyId"]) == denial(
            "ScheduleKeyDeletion", key["Arn"])
        assert refused(client.create_alias, AliasName="alias/mine", TargetKeyId=key["KeyId"]) == denial(
            "CreateAlias", key["Arn"])
        assert client.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"] == "Enabled"
        assert client.get_key_rotation_status(KeyId=key["KeyId"])["KeyRotationEnabled"] is True


# --------------------------------------------------------------------------- unknown services, key lists

def test_alias_of_an_unknown_service_is_not_found(client):
    assert refused(client.describe_key, KeyId="alias/aws/unknownservice") == (
        "NotFoundException", f"Alias {ALIAS_ARN}alias/aws/unknownservice is not found.", 400)
    assert client.list_keys()["Keys"] == []


def test_predefined_alias_of_another_account_makes_no_key(client):
    other = "arn:aws:kms:us-east-1:111122223333:alias/aws/s3"
    code, _, status = refused(client.describe_key, KeyId=other)
    assert (code, status) == ("NotFoundException", 400)


def test_list_keys_of_a_fresh_account_is_empty(client):
    # AWS owned keys never appear in the account; AWS managed keys only once made.
    assert client.list_keys()["Keys"] == []


def test_list_keys_shows_exactly_the_aws_managed_key_once_made(client, s3_key):
    assert client.list_keys()["Keys"] == [{"KeyId": s3_key["KeyId"], "KeyArn": s3_key["Arn"]}]


def test_list_aliases_does_not_make_keys(client):
    client.list_aliases()
    assert client.list_keys()["Keys"] == []
