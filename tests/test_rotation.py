"""Key rotation (automatic and on demand), ListKeyRotations, and GetKeyLastUsage.

Expected values come from recorded AWS responses (aws-reference/) where they exist (the
errors.md row is named), otherwise from the spec (keys-lifecycle.md §7, §8, §13,
key-states.md) and the botocore model's documentation.  Automatic rotation is driven
by the mock's clock: every test that depends on dates freezes it first.
"""
from __future__ import annotations

import datetime as dt
import re

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, REGION, UNUSABLE_KEY, error_of, make_client
from mockkms import mock_kms

NEEDS_LAST_USAGE = pytest.mark.skipif(
    "GetKeyLastUsage" not in make_client().meta.service_model.operation_names,
    reason="this botocore's KMS model has no GetKeyLastUsage (older botocore, e.g. on Python 3.9)")

ARN_PREFIX = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/"
DAY = dt.timedelta(days=1)
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
LIMIT_MESSAGE = ("The on-demand rotations limit has been reached for the given keyId. "
                 "No more on-demand rotations can be performed for this key: {arn}")  # errors.md row 39

#: Keys that cannot rotate at all (errors.md row 41: UnsupportedOperationException, no message).
NON_SYMMETRIC = pytest.mark.parametrize("spec, usage", [
    ("RSA_2048", "ENCRYPT_DECRYPT"),
    ("ECC_NIST_P256", "SIGN_VERIFY"),
    ("HMAC_256", "GENERATE_VERIFY_MAC"),
], ids=["rsa", "ecc", "hmac"])

ROTATION_CHANGES = ["enable_key_rotation", "disable_key_rotation", "rotate_key_on_demand"]


def arn(key_id):
    return ARN_PREFIX + key_id


def fields(response):
    return {name: value for name, value in response.items() if name != "ResponseMetadata"}


def status(client, key_id):
    return fields(client.get_key_rotation_status(KeyId=key_id))


def current_material(client, key_id):
    return client.describe_key(KeyId=key_id)["KeyMetadata"]["CurrentKeyMaterialId"]


def rotations(client, key_id, **kwargs):
    return client.list_key_rotations(KeyId=key_id, **kwargs)["Rotations"]


def last_usage(client, key_id):
    return fields(client.get_key_last_usage(KeyId=key_id))


def assert_empty_error(excinfo, code):
    """No message at all: botocore shows '' and the body has no top-level 'message'."""
    assert error_of(excinfo) == (code, "", 400)
    assert "message" not in excinfo.value.response


@pytest.fixture
def now(kms):
    """The mock's clock, frozen: dates in responses can be compared exactly."""
    return kms.clock.freeze()


# --------------------------------------------------------------------------- EnableKeyRotation / status

def test_enable_key_rotation_defaults_to_a_365_day_period(client, key_id, now):
    client.enable_key_rotation(KeyId=key_id)
    assert status(client, key_id) == {
        "KeyRotationEnabled": True, "KeyId": arn(key_id), "RotationPeriodInDays": 365,
        "NextRotationDate": now + 365 * DAY,
    }


@pytest.mark.parametrize("days", [90, 180, 2560])
def test_enable_key_rotation_with_a_custom_period(client, key_id, now, days):
    # test_key_enable_rotation_status[90], [180] (recorded): the status names the period.
    client.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=days)
    assert status(client, key_id) == {
        "KeyRotationEnabled": True, "KeyId": arn(key_id), "RotationPeriodInDays": days,
        "NextRotationDate": now + days * DAY,
    }


@pytest.mark.parametrize("days, rule", [
    (89, "Member must have value greater than or equal to 90"),
    (2561, "Member must have value less than or equal to 2560"),
])
def test_rotation_period_outside_the_model_range_is_a_validation_error(raw_client, key_id, days, rule):
    with pytest.raises(ClientError) as excinfo:
        raw_client.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=days)
    assert error_of(excinfo) == (
        "ValidationException",
        f"1 validation error detected: Value '{days}' at 'rotationPeriodInDays' failed to satisfy constraint: {rule}",
        400)
    assert status(raw_client, key_id)["KeyRotationEnabled"] is False


def test_rotation_status_of_a_new_key_is_only_key_id_and_false(client, key_id):
    # test_rotate_key_on_demand_with_symmetric_key_and_automatic_rotation_disabled (recorded)
    assert status(client, key_id) == {"KeyRotationEnabled": False, "KeyId": arn(key_id)}


def test_disable_key_rotation_drops_period_and_next_date(client, key_id):
    client.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    client.disable_key_rotation(KeyId=key_id)
    assert status(client, key_id) == {"KeyRotationEnabled": False, "KeyId": arn(key_id)}


def test_enable_key_rotation_again_changes_the_period(client, key_id, now):
    client.enable_key_rotation(KeyId=key_id)
    client.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=730)
    assert status(client, key_id)["RotationPeriodInDays"] == 730
    assert status(client, key_id)["NextRotationDate"] == now + 730 * DAY


def test_disabled_rotation_never_rotates(kms, client, key_id):
    client.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    client.disable_key_rotation(KeyId=key_id)
    before = current_material(client, key_id)
    kms.clock.advance(days=400)
    assert current_material(client, key_id) == before
    assert rotations(client, key_id) == []


# --------------------------------------------------------------------------- automatic rotation

def test_automatic_rotation_changes_the_current_key_material(kms, client, key_id, now):
    client.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    before = current_material(client, key_id)
    kms.clock.advance(days=90, seconds=1)
    after = current_material(client, key_id)
    assert after != before and re.fullmatch(r"[0-9a-f]{64}", after)


def test_automatic_rotation_does_not_happen_before_its_date(kms, client, key_id, now):
    client.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    before = current_material(client, key_id)
    kms.clock.advance(days=90, seconds=-1)
    assert current_material(client, key_id) == before
    assert rotations(client, key_id) == []


def test_automatic_rotation_is_listed_with_its_due_date(kms, client, key_id, now):
    client.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    kms.clock.advance(days=100)
    assert rotations(client, key_id) == [{
        "KeyId": key_id, "KeyMaterialId": current_material(client, key_id), "KeyMaterialState": "CURRENT",
        "RotationDate": now + 90 * DAY, "RotationType": "AUTOMATIC",
    }]


def test_automatic_rotation_moves_the_next_rotation_date_on_by_the_period(kms, client, key_id, now):
    client.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    kms.clock.advance(days=100)
    assert status(client, key_id) == {
        "KeyRotationEnabled": True, "KeyId": arn(key_id), "RotationPeriodInDays": 90,
        "NextRotationDate": now + 180 * DAY,
    }


def test_jump_over_several_periods_rotates_once_per_period_at_each_due_date(kms, client, key_id, now):
    client.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    kms.clock.advance(days=365)  # due at 90, 180, 270 and 360 days
    listed = rotations(client, key_id)
    assert [(r["RotationType"], r["RotationDate"]) for r in listed] == [
        ("AUTOMATIC", now + 90 * DAY), ("AUTOMATIC", now + 180 * DAY),
        ("AUTOMATIC", now + 270 * DAY), ("AUTOMATIC", now + 360 * DAY)]
    assert len({r["KeyMaterialId"] for r in listed}) == 4
    assert [r["KeyMaterialState"] for r in listed] == ["NON_CURRENT"] * 3 + ["CURRENT"]
    assert listed[-1]["KeyMaterialId"] == current_material(client, key_id)
    assert status(client, key_id)["NextRotationDate"] == now + 450 * DAY


def test_shortened_period_never_dates_a_rotation_before_the_call(kms, client, key_id, now):
    # Changing the period of a key whose new period is already over (365 -> 90 days, 100 days in)
    # may rotate at once, but a rotation dated before the EnableKeyRotation call that caused it
    # contradicts the ciphertexts made meanwhile: they were made under the material it claims
    # was already replaced.
    client.enable_key_rotation(KeyId=key_id)
    changed_at = kms.clock.advance(days=100)
    old_material = current_material(client, key_id)
    blob = client.encrypt(KeyId=key_id, Plaintext=b"made at the change")["CiphertextBlob"]
    client.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    assert client.decrypt(CiphertextBlob=blob)["KeyMaterialId"] == old_material
    dates = [r["RotationDate"] for r in rotations(client, key_id)]
    assert all(date >= changed_at for date in dates), [date - now for date in dates]
    assert status(client, key_id)["NextRotationDate"] > changed_at


def test_list_key_rotations_returns_100_entries_by_default(kms, client, key_id, now):
    client.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    kms.clock.advance(days=90 * 101 + 1)  # 101 automatic rotations
    first = client.list_key_rotations(KeyId=key_id)
    assert (len(first["Rotations"]), first["Truncated"]) == (100, True)
    rest = client.list_key_rotations(KeyId=key_id, Marker=first["NextMarker"])
    assert (len(rest["Rotations"]), rest["Truncated"]) == (1, False)
    assert rest["Rotations"][0]["RotationDate"] == now + 90 * 101 * DAY


def _rotate_seven_times(kms, client, key_id):
    """5 automatic and 2 on-demand rotations, a ciphertext made under each of the 8 materials.

    Returns [(ciphertext, plaintext, material id it was made under)].
    """
    made = []

    def encrypt_now():
        plaintext = f"secret #{len(made)}".encode()
        blob = client.encrypt(KeyId=key_id, Plaintext=plaintext)["CiphertextBlob"]
        made.append((blob, plaintext, current_material(client, key_id)))

    client.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    encrypt_now()
    for step in ["auto", "on-demand", "auto", "auto", "on-demand", "auto", "auto"]:
        if step == "auto":
            kms.clock.advance(days=90)
        else:
            client.rotate_key_on_demand(KeyId=key_id)
        encrypt_now()
    return made


def test_seven_rotations_make_eight_distinct_materials(kms, client, key_id, now):
    made = _rotate_seven_times(kms, client, key_id)
    assert len({material for _, _, material in made}) == 8
    listed = rotations(client, key_id)
    assert [r["RotationType"] for r in listed] == [
        "AUTOMATIC", "ON_DEMAND", "AUTOMATIC", "AUTOMATIC", "ON_DEMAND", "AUTOMATIC", "AUTOMATIC"]
    assert [r["KeyMaterialId"] for r in listed] == [material for _, _, material in made[1:]]


def test_every_ciphertext_made_along_the_rotations_still_decrypts(kms, client, key_id, now):
    made = _rotate_seven_times(kms, client, key_id)
    for blob, plaintext, material in made:
        response = client.decrypt(CiphertextBlob=blob)
        assert (response["Plaintext"], response["KeyMaterialId"], response["KeyId"]) == (
            plaintext, material, arn(key_id))


def test_new_encryptions_use_the_newest_material(kms, client, key_id, now):
    client.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    kms.clock.advance(days=91)
    client.rotate_key_on_demand(KeyId=key_id)
    newest = rotations(client, key_id)[-1]["KeyMaterialId"]
    blob = client.encrypt(KeyId=key_id, Plaintext=b"fresh")["CiphertextBlob"]
    assert client.decrypt(CiphertextBlob=blob)["KeyMaterialId"] == newest == current_material(client, key_id)
    assert client.generate_data_key(KeyId=key_id, KeySpec="AES_256")["KeyMaterialId"] == newest


def test_re_encrypt_moves_an_old_ciphertext_to_the_newest_material(kms, client, key_id, now):
    old_material = current_material(client, key_id)
    old = client.encrypt(KeyId=key_id, Plaintext=b"archive")["CiphertextBlob"]
    client.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    kms.clock.advance(days=200)  # two automatic rotations
    newest = current_material(client, key_id)
    response = client.re_encrypt(CiphertextBlob=old, DestinationKeyId=key_id)
    assert (response["SourceKeyMaterialId"], response["DestinationKeyMaterialId"]) == (old_material, newest)
    decrypted = client.decrypt(CiphertextBlob=response["CiphertextBlob"])
    assert (decrypted["Plaintext"], decrypted["KeyMaterialId"]) == (b"archive", newest)


# --------------------------------------------------------------------------- disabled / pending deletion

def test_disabled_key_is_not_rotated_while_disabled(kms, client, key_id, now):
    client.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    before = current_material(client, key_id)
    client.disable_key(KeyId=key_id)
    kms.clock.advance(days=100)
    assert current_material(client, key_id) == before
    assert rotations(client, key_id) == []
    # key-states.md §4: the status does not change while the key is disabled.
    assert status(client, key_id)["KeyRotationEnabled"] is True


def test_enable_key_after_the_due_date_rotates_at_once(kms, client, key_id, now):
    client.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    before = current_material(client, key_id)
    client.disable_key(KeyId=key_id)
    enabled_at = kms.clock.advance(days=100)
    client.enable_key(KeyId=key_id)
    after = current_material(client, key_id)
    assert after != before
    assert rotations(client, key_id) == [{
        "KeyId": key_id, "KeyMaterialId": after, "KeyMaterialState": "CURRENT",
        "RotationDate": enabled_at, "RotationType": "AUTOMATIC",
    }]
    assert status(client, key_id)["NextRotationDate"] == enabled_at + 90 * DAY


def test_enable_key_before_the_due_date_keeps_the_schedule(kms, client, key_id, now):
    # GetKeyRotationStatus doc: "the KMS key resumes its prior rotation schedule".
    client.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    before = current_material(client, key_id)
    client.disable_key(KeyId=key_id)
    kms.clock.advance(days=30)
    client.enable_key(KeyId=key_id)
    assert current_material(client, key_id) == before
    assert status(client, key_id)["NextRotationDate"] == now + 90 * DAY


def test_rotation_status_reads_false_while_pending_deletion(client, key_id):
    client.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    assert status(client, key_id) == {"KeyRotationEnabled": False, "KeyId": arn(key_id)}


def test_rotation_status_returns_after_cancel_deletion_and_enable_key(client, key_id, now):
    client.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    client.cancel_key_deletion(KeyId=key_id)
    client.enable_key(KeyId=key_id)
    assert status(client, key_id) == {
        "KeyRotationEnabled": True, "KeyId": arn(key_id), "RotationPeriodInDays": 90,
        "NextRotationDate": now + 90 * DAY,
    }


def test_key_pending_deletion_is_not_rotated(kms, client, key_id, now):
    client.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    before = current_material(client, key_id)
    kms.clock.advance(days=89)
    client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    kms.clock.advance(days=2)  # the due date passes while the key is pending deletion
    assert current_material(client, key_id) == before
    assert rotations(client, key_id) == []


# --------------------------------------------------------------------------- keys that cannot rotate

@NON_SYMMETRIC
@pytest.mark.parametrize("operation", ROTATION_CHANGES)
def test_rotation_of_a_non_symmetric_key_is_unsupported_without_message(client, spec, usage, operation):
    # errors.md row 41 (RotateKeyOnDemand on an RSA key); the same answer for the other two [G].
    key = client.create_key(KeySpec=spec, KeyUsage=usage)["KeyMetadata"]["KeyId"]
    with pytest.raises(ClientError) as excinfo:
        getattr(client, operation)(KeyId=key)
    assert_empty_error(excinfo, "UnsupportedOperationException")


def test_enable_key_rotation_of_an_external_key_names_its_origin(client):
    # test_rotate_key_on_demand_raises_error_given_key_with_imported_key_material (recorded) words it so.
    key = client.create_key(Origin="EXTERNAL")["KeyMetadata"]
    with pytest.raises(ClientError) as excinfo:
        client.enable_key_rotation(KeyId=key["KeyId"])
    assert error_of(excinfo) == (
        "UnsupportedOperationException", f"{key['Arn']} origin is EXTERNAL which is not valid for this operation.",
        400)


@UNUSABLE_KEY
@pytest.mark.parametrize("operation", ROTATION_CHANGES)
def test_rotation_changes_refuse_an_unusable_key(client, key_id, make_unusable, code, suffix, operation):
    # errors.md row 36 (RotateKeyOnDemand on a disabled key); key-states.md §2 for the rest.
    make_unusable(client, key_id)
    with pytest.raises(ClientError) as excinfo:
        getattr(client, operation)(KeyId=key_id)
    assert error_of(excinfo) == (code, f"{arn(key_id)} {suffix}", 400)
    assert excinfo.value.response["message"] == f"{arn(key_id)} {suffix}"


# --------------------------------------------------------------------------- RotateKeyOnDemand

def test_rotate_key_on_demand_answers_with_the_key_arn(client, key_id):
    # test_rotate_on_demand_returns_arn_for_key_id (recorded)
    assert fields(client.rotate_key_on_demand(KeyId=key_id)) == {"KeyId": arn(key_id)}


def test_rotate_key_on_demand_changes_the_current_material(client, key_id):
    before = current_material(client, key_id)
    client.rotate_key_on_demand(KeyId=key_id)
    assert current_material(client, key_id) != before


def test_rotate_key_on_demand_is_listed_as_on_demand(client, key_id, now):
    client.rotate_key_on_demand(KeyId=key_id)
    assert rotations(client, key_id) == [{
        "KeyId": key_id, "KeyMaterialId": current_material(client, key_id), "KeyMaterialState": "CURRENT",
        "RotationDate": now, "RotationType": "ON_DEMAND",
    }]


def test_rotate_key_on_demand_does_not_move_the_next_rotation_date(kms, client, key_id, now):
    client.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    kms.clock.advance(days=30)
    client.rotate_key_on_demand(KeyId=key_id)
    assert status(client, key_id) == {
        "KeyRotationEnabled": True, "KeyId": arn(key_id), "RotationPeriodInDays": 90,
        "NextRotationDate": now + 90 * DAY,
    }


def test_rotate_key_on_demand_leaves_automatic_rotation_disabled(client, key_id):
    # test_rotate_key_on_demand_with_symmetric_key_and_automatic_rotation_disabled (recorded)
    client.rotate_key_on_demand(KeyId=key_id)
    assert status(client, key_id) == {"KeyRotationEnabled": False, "KeyId": arn(key_id)}


def test_twenty_sixth_on_demand_rotation_exceeds_the_default_limit(client, key_id):
    for _ in range(25):
        client.rotate_key_on_demand(KeyId=key_id)
    with pytest.raises(ClientError) as excinfo:
        client.rotate_key_on_demand(KeyId=key_id)
    assert error_of(excinfo) == ("LimitExceededException", LIMIT_MESSAGE.format(arn=arn(key_id)), 400)
    assert len(rotations(client, key_id)) == 25


def test_on_demand_rotation_limit_is_configurable():
    # test_key_rotations_limits (recorded 2025-04-03) hit the limit after 10.
    with mock_kms(on_demand_rotation_limit=10):
        client = make_client()
        key_id = client.create_key()["KeyMetadata"]["KeyId"]
        for _ in range(10):
            client.rotate_key_on_demand(KeyId=key_id)
        with pytest.raises(ClientError) as excinfo:
            client.rotate_key_on_demand(KeyId=key_id)
        assert error_of(excinfo) == ("LimitExceededException", LIMIT_MESSAGE.format(arn=arn(key_id)), 400)


def test_on_demand_limit_counts_per_key(client, key_id):
    other = client.create_key()["KeyMetadata"]["KeyId"]
    for _ in range(25):
        client.rotate_key_on_demand(KeyId=key_id)
    client.rotate_key_on_demand(KeyId=other)
    assert len(rotations(client, other)) == 1


def test_rotate_key_on_demand_conflicts_with_an_automatic_rotation_due_within_20_minutes(kms, client, key_id, now):
    # RotateKeyOnDemand doc: ConflictException; the message is not recorded, so only the code is checked.
    client.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    before = current_material(client, key_id)
    kms.clock.move_to(now + 90 * DAY - dt.timedelta(minutes=10))
    with pytest.raises(ClientError) as excinfo:
        client.rotate_key_on_demand(KeyId=key_id)
    code, _, http_status = error_of(excinfo)
    assert (code, http_status) == ("ConflictException", 400)
    assert current_material(client, key_id) == before


def test_rotate_key_on_demand_is_allowed_21_minutes_before_an_automatic_rotation(kms, client, key_id, now):
    client.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    kms.clock.move_to(now + 90 * DAY - dt.timedelta(minutes=21))
    client.rotate_key_on_demand(KeyId=key_id)
    assert [r["RotationType"] for r in rotations(client, key_id)] == ["ON_DEMAND"]


def test_rotate_key_on_demand_of_an_unknown_key_is_not_found(client):
    # errors.md row 40
    unknown = "11111111-2222-3333-4444-555555555555"
    with pytest.raises(ClientError) as excinfo:
        client.rotate_key_on_demand(KeyId=unknown)
    assert error_of(excinfo) == ("NotFoundException", f"Key '{arn(unknown)}' does not exist", 400)


# --------------------------------------------------------------------------- ListKeyRotations

def test_list_key_rotations_of_a_new_key_is_empty(client, key_id):
    response = fields(client.list_key_rotations(KeyId=key_id))
    assert response == {"Rotations": [], "Truncated": False}


def test_list_key_rotations_omits_the_initial_material_by_default(client, key_id):
    initial = current_material(client, key_id)
    client.rotate_key_on_demand(KeyId=key_id)
    listed = rotations(client, key_id)
    assert [r["KeyMaterialId"] for r in listed] == [current_material(client, key_id)]
    assert initial not in {r["KeyMaterialId"] for r in listed}
    assert rotations(client, key_id, IncludeKeyMaterial="ROTATIONS_ONLY") == listed


def test_list_key_rotations_with_all_key_material_includes_the_initial_one(client, key_id, now):
    initial = current_material(client, key_id)
    client.rotate_key_on_demand(KeyId=key_id)
    assert rotations(client, key_id, IncludeKeyMaterial="ALL_KEY_MATERIAL") == [
        {"KeyId": key_id, "KeyMaterialId": initial, "KeyMaterialState": "NON_CURRENT"},
        {"KeyId": key_id, "KeyMaterialId": current_material(client, key_id), "KeyMaterialState": "CURRENT",
         "RotationDate": now, "RotationType": "ON_DEMAND"},
    ]


def test_all_key_material_of_a_new_key_is_its_current_material(client, key_id):
    assert rotations(client, key_id, IncludeKeyMaterial="ALL_KEY_MATERIAL") == [
        {"KeyId": key_id, "KeyMaterialId": current_material(client, key_id), "KeyMaterialState": "CURRENT"}]


def test_list_key_rotations_pages_with_limit_and_marker(client, key_id):
    for _ in range(5):
        client.rotate_key_on_demand(KeyId=key_id)
    everything = rotations(client, key_id)
    first = client.list_key_rotations(KeyId=key_id, Limit=2)
    assert (first["Rotations"], first["Truncated"]) == (everything[:2], True)
    second = client.list_key_rotations(KeyId=key_id, Limit=2, Marker=first["NextMarker"])
    assert (second["Rotations"], second["Truncated"]) == (everything[2:4], True)
    third = client.list_key_rotations(KeyId=key_id, Limit=2, Marker=second["NextMarker"])
    assert (third["Rotations"], third["Truncated"]) == (everything[4:], False)
    assert "NextMarker" not in third


def test_list_key_rotations_paginator_walks_every_page(client, key_id):
    for _ in range(5):
        client.rotate_key_on_demand(KeyId=key_id)
    paginator = client.get_paginator("list_key_rotations")
    pages = list(paginator.paginate(KeyId=key_id, IncludeKeyMaterial="ALL_KEY_MATERIAL",
                                    PaginationConfig={"PageSize": 2}))
    assert [len(page["Rotations"]) for page in pages] == [2, 2, 2]
    walked = [entry for page in pages for entry in page["Rotations"]]
    assert walked == rotations(client, key_id, IncludeKeyMaterial="ALL_KEY_MATERIAL")
    assert len({entry["KeyMaterialId"] for entry in walked}) == 6


def test_list_key_rotations_marker_of_another_listing_is_refused(client, key_id):
    for _ in range(3):
        client.rotate_key_on_demand(KeyId=key_id)
    marker = client.list_key_rotations(KeyId=key_id, Limit=1)["NextMarker"]
    with pytest.raises(ClientError) as excinfo:
        client.list_key_rotations(KeyId=key_id, Limit=1, Marker=marker, IncludeKeyMaterial="ALL_KEY_MATERIAL")
    assert error_of(excinfo)[0] == "InvalidMarkerException"


def test_rotation_status_of_an_asymmetric_key_is_unsupported(client):
    # key-states.md Note R: the model lists UnsupportedOperationException for GetKeyRotationStatus,
    # and the spec's chosen default for asymmetric/HMAC keys is that error (the text is unverified).
    key = client.create_key(KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]["KeyId"]
    with pytest.raises(ClientError) as excinfo:
        client.get_key_rotation_status(KeyId=key)
    code, _, http_status = error_of(excinfo)
    assert (code, http_status) == ("UnsupportedOperationException", 400)


@NON_SYMMETRIC
def test_list_key_rotations_of_a_non_symmetric_key_is_unsupported(client, spec, usage):
    key = client.create_key(KeySpec=spec, KeyUsage=usage)["KeyMetadata"]["KeyId"]
    with pytest.raises(ClientError) as excinfo:
        client.list_key_rotations(KeyId=key)
    assert_empty_error(excinfo, "UnsupportedOperationException")


# --------------------------------------------------------------------------- GetKeyLastUsage

@NEEDS_LAST_USAGE
def test_new_key_has_no_last_usage(client):
    meta = client.create_key()["KeyMetadata"]
    response = last_usage(client, meta["KeyId"])
    assert response == {"KeyId": meta["KeyId"], "TrackingStartDate": meta["CreationDate"],
                        "KeyCreationDate": meta["CreationDate"]}


@NEEDS_LAST_USAGE
def test_get_key_last_usage_accepts_the_key_arn(client, key_id):
    assert last_usage(client, arn(key_id))["KeyId"] == key_id


@NEEDS_LAST_USAGE
def test_encrypt_is_recorded_as_last_usage(kms, client, key_id):
    kms.clock.advance(days=3)
    when = kms.clock.freeze()
    request_id = client.encrypt(KeyId=key_id, Plaintext=b"x")["ResponseMetadata"]["RequestId"]
    usage = last_usage(client, key_id)["KeyLastUsage"]
    assert re.fullmatch(UUID, usage.pop("CloudTrailEventId"))
    assert usage == {"Operation": "Encrypt", "Timestamp": when, "KmsRequestId": request_id}


@NEEDS_LAST_USAGE
def test_last_usage_keeps_the_tracking_start_at_key_creation(kms, client):
    meta = client.create_key()["KeyMetadata"]
    kms.clock.advance(days=10)
    client.encrypt(KeyId=meta["KeyId"], Plaintext=b"x")
    response = last_usage(client, meta["KeyId"])
    assert (response["TrackingStartDate"], response["KeyCreationDate"]) == (meta["CreationDate"],) * 2


@NEEDS_LAST_USAGE
def test_failed_decrypt_does_not_change_last_usage(kms, client, key_id):
    blob = client.encrypt(KeyId=key_id, Plaintext=b"x", EncryptionContext={"a": "b"})["CiphertextBlob"]
    before = last_usage(client, key_id)
    kms.clock.advance(hours=1)
    with pytest.raises(ClientError) as excinfo:
        client.decrypt(CiphertextBlob=blob, EncryptionContext={"a": "other"})
    assert error_of(excinfo)[0] == "InvalidCiphertextException"
    assert last_usage(client, key_id) == before


@NEEDS_LAST_USAGE
def test_dry_run_encrypt_does_not_count_as_usage(client, key_id):
    with pytest.raises(ClientError) as excinfo:
        client.encrypt(KeyId=key_id, Plaintext=b"x", DryRun=True)
    assert error_of(excinfo)[0] == "DryRunOperationException"
    assert "KeyLastUsage" not in last_usage(client, key_id)


@NEEDS_LAST_USAGE
def test_failed_verify_does_not_count_as_usage(client):
    key = client.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    with pytest.raises(ClientError) as excinfo:
        client.verify(KeyId=key, Message=b"m", Signature=b"\x30" * 70, SigningAlgorithm="ECDSA_SHA_256")
    assert error_of(excinfo)[0] == "KMSInvalidSignatureException"
    assert "KeyLastUsage" not in last_usage(client, key)


@NEEDS_LAST_USAGE
def test_failed_re_encrypt_records_usage_on_neither_key(client, key_id):
    destination = client.create_key()["KeyMetadata"]["KeyId"]
    blob = client.encrypt(KeyId=key_id, Plaintext=b"x")["CiphertextBlob"]
    before = last_usage(client, key_id)
    client.disable_key(KeyId=destination)
    with pytest.raises(ClientError) as excinfo:
        client.re_encrypt(CiphertextBlob=blob, DestinationKeyId=destination)
    assert error_of(excinfo)[0] == "DisabledException"
    assert last_usage(client, key_id) == before
    assert "KeyLastUsage" not in last_usage(client, destination)


@NEEDS_LAST_USAGE
def test_re_encrypt_records_usage_on_both_keys(kms, client, key_id):
    destination = client.create_key()["KeyMetadata"]["KeyId"]
    blob = client.encrypt(KeyId=key_id, Plaintext=b"x")["CiphertextBlob"]
    when = kms.clock.freeze()
    request_id = client.re_encrypt(CiphertextBlob=blob, DestinationKeyId=destination)["ResponseMetadata"]["RequestId"]
    for key in (key_id, destination):
        usage = last_usage(client, key)["KeyLastUsage"]
        assert (usage["Operation"], usage["Timestamp"], usage["KmsRequestId"]) == ("ReEncrypt", when, request_id)


@NEEDS_LAST_USAGE
def test_decrypt_is_recorded_as_last_usage(client, key_id):
    blob = client.encrypt(KeyId=key_id, Plaintext=b"x")["CiphertextBlob"]
    request_id = client.decrypt(CiphertextBlob=blob)["ResponseMetadata"]["RequestId"]
    usage = last_usage(client, key_id)["KeyLastUsage"]
    assert (usage["Operation"], usage["KmsRequestId"]) == ("Decrypt", request_id)


@NEEDS_LAST_USAGE
@pytest.mark.parametrize("operation", ["get_public_key", "describe_key"])
def test_get_public_key_and_describe_key_are_not_usage(client, operation):
    key = client.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    getattr(client, operation)(KeyId=key)
    assert "KeyLastUsage" not in last_usage(client, key)


@NEEDS_LAST_USAGE
def test_management_calls_are_not_usage(client, key_id):
    client.enable_key_rotation(KeyId=key_id)
    client.rotate_key_on_demand(KeyId=key_id)
    client.list_key_rotations(KeyId=key_id)
    client.update_key_description(KeyId=key_id, Description="d")
    assert "KeyLastUsage" not in last_usage(client, key_id)


@pytest.mark.parametrize("operation, spec, usage, call", [
    ("Sign", "ECC_NIST_P256", "SIGN_VERIFY",
     lambda client, key: client.sign(KeyId=key, Message=b"m", SigningAlgorithm="ECDSA_SHA_256")),
    ("GenerateMac", "HMAC_256", "GENERATE_VERIFY_MAC",
     lambda client, key: client.generate_mac(KeyId=key, Message=b"m", MacAlgorithm="HMAC_SHA_256")),
], ids=["Sign", "GenerateMac"])
@NEEDS_LAST_USAGE
def test_sign_and_generate_mac_are_usage(client, operation, spec, usage, call):
    key = client.create_key(KeySpec=spec, KeyUsage=usage)["KeyMetadata"]["KeyId"]
    request_id = call(client, key)["ResponseMetadata"]["RequestId"]
    recorded = last_usage(client, key)["KeyLastUsage"]
    assert (recorded["Operation"], recorded["KmsRequestId"]) == (operation, request_id)


@NEEDS_LAST_USAGE
def test_last_usage_is_the_latest_operation(client, key_id):
    client.encrypt(KeyId=key_id, Plaintext=b"x")
    request_id = client.generate_data_key(KeyId=key_id, KeySpec="AES_256")["ResponseMetadata"]["RequestId"]
    usage = last_usage(client, key_id)["KeyLastUsage"]
    assert (usage["Operation"], usage["KmsRequestId"]) == ("GenerateDataKey", request_id)


@NEEDS_LAST_USAGE
def test_get_key_last_usage_works_on_a_key_pending_deletion(client, key_id):
    client.encrypt(KeyId=key_id, Plaintext=b"x")
    client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    assert last_usage(client, key_id)["KeyLastUsage"]["Operation"] == "Encrypt"


# ------------------------------------------------------------------ on-demand rotation taking time

def test_an_on_demand_rotation_in_progress_shows_its_start_and_refuses_another():
    with mock_kms(on_demand_rotation_seconds=30) as slow:
        client = slow.client()
        key = client.create_key()["KeyMetadata"]["KeyId"]
        before = client.describe_key(KeyId=key)["KeyMetadata"]["CurrentKeyMaterialId"]
        started = slow.clock.freeze()
        client.rotate_key_on_demand(KeyId=key)
        assert client.get_key_rotation_status(KeyId=key)["OnDemandRotationStartDate"] == started
        assert client.describe_key(KeyId=key)["KeyMetadata"]["CurrentKeyMaterialId"] == before
        with pytest.raises(ClientError) as excinfo:
            client.rotate_key_on_demand(KeyId=key)
        assert error_of(excinfo)[0::2] == ("ConflictException", 400)
        slow.clock.advance(seconds=31)
        status = client.get_key_rotation_status(KeyId=key)
        assert "OnDemandRotationStartDate" not in status
        rotations = client.list_key_rotations(KeyId=key)["Rotations"]
        assert [(r["RotationType"], r["RotationDate"]) for r in rotations] == [("ON_DEMAND", started)]
        assert client.describe_key(KeyId=key)["KeyMetadata"]["CurrentKeyMaterialId"] != before
        client.rotate_key_on_demand(KeyId=key)  # the next one may start now
