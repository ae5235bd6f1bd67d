"""Tags: TagResource, UntagResource, ListResourceTags, and Tags on CreateKey.

Expected lists and messages are the recorded AWS ones (test_tag_existing_key_and_untag,
test_untag_key_partially, test_update_and_add_tags_on_tagged_key, test_*_tag_* in
aws-reference/localstack/kms/test_kms.snapshot.json, recorded 2025-01).
"""

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, REGION, error_of

KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/"






def tags(**pairs):
    return [{"TagKey": k, "TagValue": v} for k, v in pairs.items()]


def numbered(count, start=0):
    return [{"TagKey": f"k{i}", "TagValue": f"v{i}"} for i in range(start, start + count)]


def tags_of(client, key_id):
    return client.list_resource_tags(KeyId=key_id)["Tags"]


def create_key_with(client, new_tags):
    return client.create_key(Tags=new_tags)


def tag_existing_key(client, new_tags):
    key_id = client.create_key()["KeyMetadata"]["KeyId"]
    return client.tag_resource(KeyId=key_id, Tags=new_tags)


# The tag rules are the same whether the tags come with CreateKey or with TagResource.
TAGGING = pytest.mark.parametrize("apply_tags", [create_key_with, tag_existing_key],
                                  ids=["CreateKey", "TagResource"])


# --------------------------------------------------------------------------- reading and writing

def test_key_without_tags_lists_an_empty_list(client, key_id):
    response = client.list_resource_tags(KeyId=key_id)
    assert (response["Tags"], response["Truncated"], "NextMarker" in response) == ([], False, False)


def test_create_key_tags_are_listed_in_order(client):
    key_id = client.create_key(Tags=tags(tag1="value1", tag2="value2"))["KeyMetadata"]["KeyId"]
    assert tags_of(client, key_id) == tags(tag1="value1", tag2="value2")


def test_tag_resource_adds_tags(client, key_id):
    client.tag_resource(KeyId=key_id, Tags=tags(tag1="value1", tag2="value2"))
    assert tags_of(client, key_id) == tags(tag1="value1", tag2="value2")


def test_tag_resource_overwrites_values_and_appends_new_keys(client, key_id):
    client.tag_resource(KeyId=key_id, Tags=tags(tag1="value1", tag2="value2", tag3="value3"))
    client.tag_resource(KeyId=key_id, Tags=tags(tag2="updated_value2", tag4="value4", tag5="value5"))
    assert tags_of(client, key_id) == tags(tag1="value1", tag2="updated_value2", tag3="value3",
                                           tag4="value4", tag5="value5")


def test_tag_resource_accepts_a_key_arn(client, key_id):
    client.tag_resource(KeyId=KEY_ARN + key_id, Tags=tags(team="blue"))
    assert tags_of(client, KEY_ARN + key_id) == tags(team="blue")


def test_tag_value_may_be_empty(client, key_id):
    client.tag_resource(KeyId=key_id, Tags=tags(flag=""))
    assert tags_of(client, key_id) == tags(flag="")


def test_tags_belong_to_one_key(client, key_id):
    other = client.create_key()["KeyMetadata"]["KeyId"]
    client.tag_resource(KeyId=key_id, Tags=tags(team="blue"))
    assert tags_of(client, other) == []


def test_untag_resource_removes_only_the_named_tags(client, key_id):
    client.tag_resource(KeyId=key_id, Tags=tags(tag1="value1", tag2="value2", tag3="value3"))
    client.untag_resource(KeyId=key_id, TagKeys=["tag2"])
    assert tags_of(client, key_id) == tags(tag1="value1", tag3="value3")


def test_untag_resource_ignores_keys_that_are_not_there(client, key_id):
    client.tag_resource(KeyId=key_id, Tags=tags(tag1="value1"))
    client.untag_resource(KeyId=key_id, TagKeys=["never-set", "tag1"])
    assert tags_of(client, key_id) == []


def test_untag_every_tag_leaves_an_empty_list(client):
    key_id = client.create_key(Tags=tags(tag1="value1", tag2="value2"))["KeyMetadata"]["KeyId"]
    client.untag_resource(KeyId=key_id, TagKeys=["tag1", "tag2"])
    assert tags_of(client, key_id) == []


def test_tags_work_on_a_disabled_key(client, key_id):
    client.disable_key(KeyId=key_id)
    client.tag_resource(KeyId=key_id, Tags=tags(team="blue"))
    assert tags_of(client, key_id) == tags(team="blue")


# --------------------------------------------------------------------------- tag rules

def test_duplicate_keys_in_one_request_are_refused(client, key_id):
    with pytest.raises(ClientError) as excinfo:
        client.tag_resource(KeyId=key_id, Tags=tags(tag1="a") + tags(tag1="b"))
    assert error_of(excinfo) == ("TagException", "Duplicate tag keys", 400)


def test_duplicate_keys_in_create_key_are_refused(client):
    with pytest.raises(ClientError) as excinfo:
        client.create_key(Tags=tags(tag1="a") + tags(tag1="b"))
    assert error_of(excinfo) == ("TagException", "Duplicate tag keys", 400)


@TAGGING
@pytest.mark.parametrize("tag_key", ["aws:key1", "AWS:key1", "Aws:key1"])
def test_aws_prefix_is_reserved_in_any_case(client, apply_tags, tag_key):
    with pytest.raises(ClientError) as excinfo:
        apply_tags(client, [{"TagKey": tag_key, "TagValue": "v"}])
    assert error_of(excinfo) == ("TagException", "Tags beginning with aws: are reserved", 400)


def test_aws_inside_a_tag_key_is_fine(client, key_id):
    client.tag_resource(KeyId=key_id, Tags=tags(my_aws_key="v"))
    assert tags_of(client, key_id) == tags(my_aws_key="v")


@TAGGING
def test_more_than_50_tags_are_refused(client, apply_tags):
    with pytest.raises(ClientError) as excinfo:
        apply_tags(client, numbered(51))
    assert error_of(excinfo) == ("TagException", "Too many tags", 400)


@TAGGING
def test_50_tags_are_accepted(client, apply_tags):
    apply_tags(client, numbered(50))
    (key,) = client.list_keys()["Keys"]
    assert len(tags_of(client, key["KeyId"])) == 50


def test_new_tags_count_with_the_existing_ones(client, key_id):
    client.tag_resource(KeyId=key_id, Tags=numbered(48))
    with pytest.raises(ClientError) as excinfo:
        client.tag_resource(KeyId=key_id, Tags=numbered(3, start=48))
    assert error_of(excinfo) == ("TagException", "Too many tags", 400)


def test_overwriting_tags_of_a_full_key_is_allowed(client, key_id):
    client.tag_resource(KeyId=key_id, Tags=numbered(50))
    client.tag_resource(KeyId=key_id, Tags=tags(k0="changed"))
    assert tags_of(client, key_id)[0] == {"TagKey": "k0", "TagValue": "changed"}


def test_refused_tag_resource_changes_nothing(client, key_id):
    client.tag_resource(KeyId=key_id, Tags=tags(keep="me"))
    with pytest.raises(ClientError):
        client.tag_resource(KeyId=key_id, Tags=tags(keep="overwritten") + numbered(50))
    assert tags_of(client, key_id) == tags(keep="me")


def test_refused_create_key_creates_no_key(client):
    with pytest.raises(ClientError):
        client.create_key(Tags=numbered(51))
    assert client.list_keys()["Keys"] == []


@TAGGING
def test_tag_key_longer_than_128_is_refused(client, apply_tags):
    long_key = "a" * 129
    with pytest.raises(ClientError) as excinfo:
        apply_tags(client, [{"TagKey": long_key, "TagValue": "v"}])
    assert error_of(excinfo) == (
        "ValidationException",
        f"1 validation error detected: Value '{long_key}' at 'tags.1.member.tagKey' failed to satisfy "
        "constraint: Member must have length less than or equal to 128", 400)


@TAGGING
def test_tag_value_longer_than_256_is_refused(client, apply_tags):
    long_value = "v" * 257
    with pytest.raises(ClientError) as excinfo:
        apply_tags(client, [{"TagKey": "k", "TagValue": long_value}])
    assert error_of(excinfo) == (
        "ValidationException",
        f"1 validation error detected: Value '{long_value}' at 'tags.1.member.tagValue' failed to satisfy "
        "constraint: Member must have length less than or equal to 256", 400)


def test_validation_path_counts_tags_from_one(client, key_id):
    long_key = "b" * 129
    with pytest.raises(ClientError) as excinfo:
        client.tag_resource(KeyId=key_id, Tags=tags(fine="v") + [{"TagKey": long_key, "TagValue": "v"}])
    assert "at 'tags.2.member.tagKey'" in error_of(excinfo)[1]


def test_empty_tag_key_is_refused(raw_client, key_id):
    with pytest.raises(ClientError) as excinfo:
        raw_client.tag_resource(KeyId=key_id, Tags=[{"TagKey": "", "TagValue": "v"}])
    assert error_of(excinfo) == (
        "ValidationException",
        "1 validation error detected: Value '' at 'tags.1.member.tagKey' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1", 400)


# --------------------------------------------------------------------------- identifiers


@pytest.mark.parametrize("operation, params", [
    ("tag_resource", {"Tags": [{"TagKey": "k", "TagValue": "v"}]}),
    ("untag_resource", {"TagKeys": ["k"]}),
    ("list_resource_tags", {}),
])
def test_tag_operations_on_a_missing_key_are_not_found(client, operation, params):
    missing = "11111111-2222-3333-4444-555555555555"
    with pytest.raises(ClientError) as excinfo:
        getattr(client, operation)(KeyId=missing, **params)
    assert error_of(excinfo) == ("NotFoundException", f"Key '{KEY_ARN}{missing}' does not exist", 400)


# --------------------------------------------------------------------------- ListResourceTags pages

def test_list_resource_tags_limit_truncates_with_a_marker(client, key_id):
    client.tag_resource(KeyId=key_id, Tags=numbered(3))
    first = client.list_resource_tags(KeyId=key_id, Limit=2)
    rest = client.list_resource_tags(KeyId=key_id, Limit=2, Marker=first["NextMarker"])
    assert (first["Tags"], first["Truncated"], rest["Tags"], rest["Truncated"]) == (
        numbered(2), True, numbered(1, start=2), False)


def test_list_resource_tags_paginator_returns_every_tag(client, key_id):
    client.tag_resource(KeyId=key_id, Tags=numbered(5))
    pages = list(client.get_paginator("list_resource_tags").paginate(
        KeyId=key_id, PaginationConfig={"PageSize": 2}))
    assert [p["Tags"] for p in pages] == [numbered(2), numbered(2, start=2), numbered(1, start=4)]


def test_untagging_while_paginating_removes_every_tag(client, key_id):
    client.tag_resource(KeyId=key_id, Tags=numbered(7))
    for page in client.get_paginator("list_resource_tags").paginate(
            KeyId=key_id, PaginationConfig={"PageSize": 2}):
        client.untag_resource(KeyId=key_id, TagKeys=[t["TagKey"] for t in page["Tags"]])
    assert tags_of(client, key_id) == []


def test_list_resource_tags_marker_belongs_to_one_key(client, key_id):
    other = client.create_key()["KeyMetadata"]["KeyId"]
    client.tag_resource(KeyId=key_id, Tags=numbered(3))
    marker = client.list_resource_tags(KeyId=key_id, Limit=2)["NextMarker"]
    with pytest.raises(ClientError) as excinfo:
        client.list_resource_tags(KeyId=other, Marker=marker)
    assert error_of(excinfo) == ("InvalidMarkerException", "Invalid marker", 400)


def test_list_resource_tags_accepts_a_limit_above_the_documented_50(client, key_id):
    # operations.md §0.5: documented maximum 50, model allows 1000 → accepted and capped [G].
    client.tag_resource(KeyId=key_id, Tags=numbered(50))
    response = client.list_resource_tags(KeyId=key_id, Limit=1000)
    assert (len(response["Tags"]), response["Truncated"]) == (50, False)
