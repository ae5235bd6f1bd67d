"""Aliases: CreateAlias, UpdateAlias, DeleteAlias, ListAliases, and aliases as key identifiers.

Messages: test_create_alias (recorded 2023-04-13) for the prefix rule; errors.md §3-6 for
the rest (AlreadyExists / "Aliases must refer to keys" are 2015 captures quoted by moto).
"""

import boto3
import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, REGION, error_of

KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/"
ALIAS_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:"
PREFIX_MESSAGE = ('Alias must start with the prefix "alias/". Please see '
                  "https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html")






@pytest.fixture
def other_key(client):
    return client.create_key(Description="other key")["KeyMetadata"]["KeyId"]


def alias_names(response):
    """The customer's aliases in a ListAliases page (the predefined ``alias/aws/*`` ones left out)."""
    return [a["AliasName"] for a in response["Aliases"] if not a["AliasName"].startswith("alias/aws/")]


def target_of(client, alias_name):
    return client.describe_key(KeyId=alias_name)["KeyMetadata"]["KeyId"]


# --------------------------------------------------------------------------- CreateAlias

def test_create_alias_makes_the_name_resolve_to_the_key(client, key_id):
    client.create_alias(AliasName="alias/app", TargetKeyId=key_id)
    assert target_of(client, "alias/app") == key_id


def test_create_alias_accepts_a_key_arn_as_target(client, key_id):
    client.create_alias(AliasName="alias/app", TargetKeyId=KEY_ARN + key_id)
    assert target_of(client, "alias/app") == key_id


@pytest.mark.parametrize("name", ["app", "aliasx/app", "Alias/app"])
def test_create_alias_requires_the_alias_prefix(client, key_id, name):
    with pytest.raises(ClientError) as excinfo:
        client.create_alias(AliasName=name, TargetKeyId=key_id)
    assert error_of(excinfo) == ("ValidationException", PREFIX_MESSAGE, 400)


@pytest.mark.parametrize("operation, params", [
    ("update_alias", {"TargetKeyId": "11111111-2222-3333-4444-555555555555"}),
    ("delete_alias", {}),
])
def test_update_and_delete_alias_require_the_alias_prefix_too(client, operation, params):
    # errors.md §6.2 [G]: same rule and text as CreateAlias.
    with pytest.raises(ClientError) as excinfo:
        getattr(client, operation)(AliasName="app", **params)
    assert error_of(excinfo) == ("ValidationException", PREFIX_MESSAGE, 400)


@pytest.mark.parametrize("operation", ["create_alias", "update_alias", "delete_alias"])
def test_reserved_aws_prefix_is_not_authorized(client, key_id, operation):
    # errors.md §4: NotAuthorizedException with no message (2015 capture).
    params = {"TargetKeyId": key_id} if operation != "delete_alias" else {}
    with pytest.raises(ClientError) as excinfo:
        getattr(client, operation)(AliasName="alias/aws/s3", **params)
    assert error_of(excinfo) == ("NotAuthorizedException", "", 400)


@pytest.mark.parametrize("name", ["alias/bad name!", "alias/é"])
def test_alias_name_must_match_the_model_pattern(client, key_id, name):
    with pytest.raises(ClientError) as excinfo:
        client.create_alias(AliasName=name, TargetKeyId=key_id)
    assert error_of(excinfo) == (
        "ValidationException",
        f"1 validation error detected: Value '{name}' at 'aliasName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$", 400)


def test_alias_name_longer_than_256_is_refused(client, key_id):
    name = "alias/" + "a" * 251
    with pytest.raises(ClientError) as excinfo:
        client.create_alias(AliasName=name, TargetKeyId=key_id)
    assert error_of(excinfo) == (
        "ValidationException",
        f"1 validation error detected: Value '{name}' at 'aliasName' failed to satisfy constraint: "
        "Member must have length less than or equal to 256", 400)


def test_alias_name_of_256_characters_is_accepted(client, key_id):
    name = "alias/" + "a" * 250
    client.create_alias(AliasName=name, TargetKeyId=key_id)
    assert alias_names(client.list_aliases()) == [name]


def test_colon_passes_the_pattern_but_not_the_alias_rules(client, key_id):
    with pytest.raises(ClientError) as excinfo:
        client.create_alias(AliasName="alias/a:b", TargetKeyId=key_id)
    assert error_of(excinfo) == ("ValidationException", "alias/a:b contains invalid characters for an alias", 400)


def test_duplicate_alias_name_already_exists(client, key_id, other_key):
    client.create_alias(AliasName="alias/x", TargetKeyId=key_id)
    with pytest.raises(ClientError) as excinfo:
        client.create_alias(AliasName="alias/x", TargetKeyId=other_key)
    assert error_of(excinfo) == (
        "AlreadyExistsException", f"An alias with the name {ALIAS_ARN}alias/x already exists", 400)


def test_duplicate_alias_keeps_its_original_target(client, key_id, other_key):
    client.create_alias(AliasName="alias/x", TargetKeyId=key_id)
    with pytest.raises(ClientError):
        client.create_alias(AliasName="alias/x", TargetKeyId=other_key)
    assert target_of(client, "alias/x") == key_id


@pytest.mark.parametrize("target", ["alias/x", f"{ALIAS_ARN}alias/x"], ids=["alias name", "alias ARN"])
def test_alias_target_must_be_a_key_not_an_alias(client, key_id, target):
    client.create_alias(AliasName="alias/x", TargetKeyId=key_id)
    with pytest.raises(ClientError) as excinfo:
        client.create_alias(AliasName="alias/y", TargetKeyId=target)
    assert error_of(excinfo) == ("ValidationException", "Aliases must refer to keys. Not aliases", 400)


def test_alias_target_that_does_not_exist_is_not_found(client):
    missing = "11111111-2222-3333-4444-555555555555"
    with pytest.raises(ClientError) as excinfo:
        client.create_alias(AliasName="alias/x", TargetKeyId=missing)
    assert error_of(excinfo) == ("NotFoundException", f"Key '{KEY_ARN}{missing}' does not exist", 400)


def test_alias_target_that_is_not_a_key_id_is_invalid(client):
    with pytest.raises(ClientError) as excinfo:
        client.create_alias(AliasName="alias/x", TargetKeyId="not-a-key")
    assert error_of(excinfo) == ("NotFoundException", "Invalid keyId 'not-a-key'", 400)


def test_alias_can_target_a_disabled_key(client, key_id):
    client.disable_key(KeyId=key_id)
    client.create_alias(AliasName="alias/x", TargetKeyId=key_id)
    assert target_of(client, "alias/x") == key_id


def test_one_key_can_have_several_aliases(client, key_id):
    client.create_alias(AliasName="alias/one", TargetKeyId=key_id)
    client.create_alias(AliasName="alias/two", TargetKeyId=key_id)
    assert (target_of(client, "alias/one"), target_of(client, "alias/two")) == (key_id, key_id)


def test_a_key_takes_at_most_50_aliases(client, key_id):
    for i in range(50):
        client.create_alias(AliasName=f"alias/a{i}", TargetKeyId=key_id)
    with pytest.raises(ClientError) as excinfo:
        client.create_alias(AliasName="alias/one-too-many", TargetKeyId=key_id)
    # The code is documented (errors.md §3); the message is the mock's own wording [G].
    assert error_of(excinfo) == (
        "LimitExceededException", f"Too many aliases for the KMS key {KEY_ARN}{key_id}: the limit is 50.", 400)


def test_same_alias_name_in_two_regions_is_fine(client, key_id):
    eu = boto3.client("kms", region_name="eu-west-1")
    eu_key = eu.create_key()["KeyMetadata"]["KeyId"]
    client.create_alias(AliasName="alias/shared", TargetKeyId=key_id)
    eu.create_alias(AliasName="alias/shared", TargetKeyId=eu_key)
    assert (target_of(client, "alias/shared"), target_of(eu, "alias/shared")) == (key_id, eu_key)


# --------------------------------------------------------------------------- aliases as identifiers

@pytest.mark.parametrize("identifier", ["alias/app", f"{ALIAS_ARN}alias/app"], ids=["alias name", "alias ARN"])
def test_describe_key_by_alias(client, key_id, identifier):
    client.create_alias(AliasName="alias/app", TargetKeyId=key_id)
    assert client.describe_key(KeyId=identifier)["KeyMetadata"]["Arn"] == KEY_ARN + key_id


@pytest.mark.parametrize("identifier", ["alias/app", f"{ALIAS_ARN}alias/app"], ids=["alias name", "alias ARN"])
def test_encrypt_by_alias_uses_the_target_key(client, key_id, identifier):
    client.create_alias(AliasName="alias/app", TargetKeyId=key_id)
    response = client.encrypt(KeyId=identifier, Plaintext=b"secret")
    assert response["KeyId"] == KEY_ARN + key_id
    assert client.decrypt(CiphertextBlob=response["CiphertextBlob"])["Plaintext"] == b"secret"


def test_alias_arn_of_another_region_is_an_invalid_arn(client, key_id):
    client.create_alias(AliasName="alias/app", TargetKeyId=key_id)
    with pytest.raises(ClientError) as excinfo:
        client.describe_key(KeyId=f"arn:aws:kms:eu-west-1:{ACCOUNT}:alias/app")
    assert error_of(excinfo) == ("NotFoundException", "Invalid arn eu-west-1", 400)


def test_alias_of_a_disabled_key_reports_the_key_arn(client, key_id):
    client.create_alias(AliasName="alias/app", TargetKeyId=key_id)
    client.disable_key(KeyId=key_id)
    with pytest.raises(ClientError) as excinfo:
        client.encrypt(KeyId="alias/app", Plaintext=b"secret")
    assert error_of(excinfo) == ("DisabledException", f"{KEY_ARN}{key_id} is disabled.", 400)


# --------------------------------------------------------------------------- UpdateAlias

def test_update_alias_points_it_at_another_key(client, key_id, other_key):
    client.create_alias(AliasName="alias/app", TargetKeyId=key_id)
    client.update_alias(AliasName="alias/app", TargetKeyId=other_key)
    assert target_of(client, "alias/app") == other_key


def test_update_alias_moves_the_last_updated_date_only(kms, client, key_id, other_key):
    created = kms.clock.freeze()
    client.create_alias(AliasName="alias/app", TargetKeyId=key_id)
    updated = kms.clock.advance(hours=2)
    client.update_alias(AliasName="alias/app", TargetKeyId=other_key)
    (entry,) = client.list_aliases(KeyId=other_key)["Aliases"]
    assert (entry["CreationDate"], entry["LastUpdatedDate"]) == (created, updated)


def test_update_alias_of_a_missing_alias_is_not_found(client, key_id):
    with pytest.raises(ClientError) as excinfo:
        client.update_alias(AliasName="alias/missing", TargetKeyId=key_id)
    assert error_of(excinfo) == ("NotFoundException", f"Alias {ALIAS_ARN}alias/missing is not found.", 400)


def test_update_alias_target_must_be_a_key_not_an_alias(client, key_id):
    client.create_alias(AliasName="alias/app", TargetKeyId=key_id)
    with pytest.raises(ClientError) as excinfo:
        client.update_alias(AliasName="alias/app", TargetKeyId="alias/app")
    assert error_of(excinfo) == ("ValidationException", "Aliases must refer to keys. Not aliases", 400)


def test_update_alias_refuses_a_new_target_pending_deletion(client, key_id, other_key):
    client.create_alias(AliasName="alias/app", TargetKeyId=key_id)
    client.schedule_key_deletion(KeyId=other_key, PendingWindowInDays=7)
    with pytest.raises(ClientError) as excinfo:
        client.update_alias(AliasName="alias/app", TargetKeyId=other_key)
    assert error_of(excinfo) == ("KMSInvalidStateException", f"{KEY_ARN}{other_key} is pending deletion.", 400)


def test_update_alias_may_leave_a_key_pending_deletion(client, key_id, other_key):
    # key-states.md: the *source* key pending deletion does not block UpdateAlias.
    client.create_alias(AliasName="alias/app", TargetKeyId=key_id)
    client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    client.update_alias(AliasName="alias/app", TargetKeyId=other_key)
    assert target_of(client, "alias/app") == other_key


def test_update_alias_to_its_own_key_is_allowed_at_the_alias_limit(client, key_id):
    for i in range(50):
        client.create_alias(AliasName=f"alias/a{i}", TargetKeyId=key_id)
    client.update_alias(AliasName="alias/a0", TargetKeyId=key_id)
    assert target_of(client, "alias/a0") == key_id


# --------------------------------------------------------------------------- DeleteAlias

def test_deleted_alias_is_not_found(client, key_id):
    client.create_alias(AliasName="alias/app", TargetKeyId=key_id)
    client.delete_alias(AliasName="alias/app")
    with pytest.raises(ClientError) as excinfo:
        client.describe_key(KeyId="alias/app")
    assert error_of(excinfo) == ("NotFoundException", f"Alias {ALIAS_ARN}alias/app is not found.", 400)


def test_delete_alias_leaves_the_key(client, key_id):
    client.create_alias(AliasName="alias/app", TargetKeyId=key_id)
    client.delete_alias(AliasName="alias/app")
    assert client.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "Enabled"


def test_delete_missing_alias_is_not_found(client):
    with pytest.raises(ClientError) as excinfo:
        client.delete_alias(AliasName="alias/missing")
    assert error_of(excinfo) == ("NotFoundException", f"Alias {ALIAS_ARN}alias/missing is not found.", 400)


def test_deleted_alias_name_can_be_reused(client, key_id, other_key):
    client.create_alias(AliasName="alias/app", TargetKeyId=key_id)
    client.delete_alias(AliasName="alias/app")
    client.create_alias(AliasName="alias/app", TargetKeyId=other_key)
    assert target_of(client, "alias/app") == other_key


# --------------------------------------------------------------------------- ListAliases

def test_list_aliases_entry_fields(kms, client, key_id):
    now = kms.clock.freeze()
    client.create_alias(AliasName="alias/app", TargetKeyId=KEY_ARN + key_id)
    response = client.list_aliases(KeyId=key_id)
    assert response["Aliases"] == [{
        "AliasName": "alias/app", "AliasArn": f"{ALIAS_ARN}alias/app", "TargetKeyId": key_id,
        "CreationDate": now, "LastUpdatedDate": now,
    }]
    assert (response["Truncated"], "NextMarker" in response) == (False, False)


def test_list_aliases_with_no_alias_lists_only_the_predefined_aws_aliases(client, key_id):
    aliases = client.list_aliases()["Aliases"]
    assert aliases and all(a["AliasName"].startswith("alias/aws/") for a in aliases)
    assert all(set(a) == {"AliasName", "AliasArn"} for a in aliases)  # no TargetKeyId: no key made yet [M]
    assert "alias/aws/s3" in [a["AliasName"] for a in aliases]


def test_list_aliases_by_key_never_shows_predefined_aliases(client, key_id):
    assert client.list_aliases(KeyId=key_id)["Aliases"] == []


@pytest.mark.parametrize("form", ["key id", "key ARN"])
def test_list_aliases_filters_by_key(client, key_id, other_key, form):
    client.create_alias(AliasName="alias/mine", TargetKeyId=key_id)
    client.create_alias(AliasName="alias/theirs", TargetKeyId=other_key)
    value = {"key id": key_id, "key ARN": KEY_ARN + key_id}[form]
    assert alias_names(client.list_aliases(KeyId=value)) == ["alias/mine"]


def test_list_aliases_filter_refuses_an_alias(client, key_id):
    client.create_alias(AliasName="alias/mine", TargetKeyId=key_id)
    with pytest.raises(ClientError) as excinfo:
        client.list_aliases(KeyId="alias/mine")
    assert error_of(excinfo) == ("NotFoundException", "Invalid keyId 'alias/mine'", 400)


def test_list_aliases_filter_with_missing_key_is_not_found(client):
    missing = "11111111-2222-3333-4444-555555555555"
    with pytest.raises(ClientError) as excinfo:
        client.list_aliases(KeyId=missing)
    assert error_of(excinfo) == ("NotFoundException", f"Key '{KEY_ARN}{missing}' does not exist", 400)


def test_list_aliases_shows_only_the_callers_region(client, key_id):
    eu = boto3.client("kms", region_name="eu-west-1")
    eu.create_alias(AliasName="alias/eu", TargetKeyId=eu.create_key()["KeyMetadata"]["KeyId"])
    client.create_alias(AliasName="alias/us", TargetKeyId=key_id)
    assert alias_names(client.list_aliases()) == ["alias/us"]


def test_list_aliases_limit_truncates_with_a_marker(client, key_id):
    for name in ("alias/a", "alias/b", "alias/c"):
        client.create_alias(AliasName=name, TargetKeyId=key_id)
    first = client.list_aliases(KeyId=key_id, Limit=2)
    rest = client.list_aliases(KeyId=key_id, Limit=2, Marker=first["NextMarker"])
    assert (alias_names(first), first["Truncated"], alias_names(rest), rest["Truncated"]) == (
        ["alias/a", "alias/b"], True, ["alias/c"], False)


def test_list_aliases_paginator_returns_every_alias(client, key_id):
    names = [f"alias/n{i}" for i in range(5)]
    for name in names:
        client.create_alias(AliasName=name, TargetKeyId=key_id)
    pages = list(client.get_paginator("list_aliases").paginate(KeyId=key_id, PaginationConfig={"PageSize": 2}))
    assert [alias_names(p) for p in pages] == [names[0:2], names[2:4], names[4:]]


def test_deleting_while_paginating_deletes_every_alias(client, key_id):
    # The usual clean-up loop: each page is deleted before the next one is asked for.
    for i in range(7):
        client.create_alias(AliasName=f"alias/n{i}", TargetKeyId=key_id)
    for page in client.get_paginator("list_aliases").paginate(PaginationConfig={"PageSize": 2}):
        for alias in page["Aliases"]:
            if not alias["AliasName"].startswith("alias/aws/"):  # AWS's own aliases are not ours to delete
                client.delete_alias(AliasName=alias["AliasName"])
    assert alias_names(client.list_aliases()) == []


def test_list_aliases_marker_is_bound_to_its_filter(client, key_id):
    for name in ("alias/a", "alias/b"):
        client.create_alias(AliasName=name, TargetKeyId=key_id)
    marker = client.list_aliases(Limit=1)["NextMarker"]
    with pytest.raises(ClientError) as excinfo:
        client.list_aliases(KeyId=key_id, Marker=marker)
    assert error_of(excinfo) == ("InvalidMarkerException", "Invalid marker", 400)


def test_list_aliases_refuses_a_marker_it_did_not_issue(client):
    with pytest.raises(ClientError) as excinfo:
        client.list_aliases(Marker="not-a-marker")
    assert error_of(excinfo) == ("InvalidMarkerException", "Invalid marker", 400)


def test_list_aliases_limit_above_100_is_capped(client, key_id):
    # operations.md §0.5: documented maximum 100, model allows 1000 → capped [G].
    keys = [key_id] + [client.create_key()["KeyMetadata"]["KeyId"] for _ in range(2)]   # 50 aliases per key
    for i in range(101):
        client.create_alias(AliasName=f"alias/n{i:03d}", TargetKeyId=keys[i % 3])
    response = client.list_aliases(Limit=1000)
    assert (len(response["Aliases"]), response["Truncated"]) == (100, True)


def test_list_aliases_limit_zero_is_refused(raw_client):
    with pytest.raises(ClientError) as excinfo:
        raw_client.list_aliases(Limit=0)
    assert error_of(excinfo) == (
        "ValidationException",
        "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: "
        "Member must have value greater than or equal to 1", 400)
