"""Keys are per Region; a MultiRegion key is a primary with an ``mrk-`` id."""
import pytest


def test_key_is_not_found_in_another_region_by_id(us_east_1, eu_west_1):
    key_id = eu_west_1.create_key()["KeyMetadata"]["KeyId"]
    with pytest.raises(us_east_1.exceptions.NotFoundException) as excinfo:
        us_east_1.describe_key(KeyId=key_id)
    # A bare key id is resolved in the caller's Region.
    assert excinfo.value.response["Error"]["Message"] == (
        f"Key 'arn:aws:kms:us-east-1:123456789012:key/{key_id}' does not exist")


def test_key_is_not_found_in_another_region_by_arn(us_east_1, eu_west_1):
    arn = eu_west_1.create_key()["KeyMetadata"]["Arn"]
    with pytest.raises(us_east_1.exceptions.NotFoundException) as excinfo:
        us_east_1.describe_key(KeyId=arn)
    # An ARN naming another Region is refused, naming the ARN's Region.
    assert excinfo.value.response["Error"]["Message"] == "Invalid arn eu-west-1"


def test_each_region_lists_only_its_own_keys(us_east_1, eu_west_1):
    east = us_east_1.create_key()["KeyMetadata"]["KeyId"]
    west = eu_west_1.create_key()["KeyMetadata"]["KeyId"]
    assert [k["KeyId"] for k in us_east_1.list_keys()["Keys"]] == [east]
    assert [k["KeyId"] for k in eu_west_1.list_keys()["Keys"]] == [west]


def test_multi_region_key(us_east_1):
    metadata = us_east_1.create_key(MultiRegion=True)["KeyMetadata"]
    assert metadata["KeyId"].startswith("mrk-")
    assert metadata["MultiRegion"] is True
    assert metadata["MultiRegionConfiguration"]["MultiRegionKeyType"] == "PRIMARY"
    blob = us_east_1.encrypt(KeyId=metadata["KeyId"], Plaintext=b"everywhere")["CiphertextBlob"]
    assert us_east_1.decrypt(CiphertextBlob=blob)["Plaintext"] == b"everywhere"
