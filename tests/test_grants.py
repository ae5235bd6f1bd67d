"""Grants (CreateGrant, ListGrants, ListRetirableGrants, RetireGrant, RevokeGrant) and cross-account use.

Expected behaviour comes from keys-lifecycle.md §4 (authorization, cross-account-capable
operations) and §5 (grants), operations.md §0.6-0.7 and §5, and AWS's Developer Guide
("Retiring and revoking grants", "Grants in AWS KMS").  The AccessDenied wording is the
recorded one (keys-lifecycle.md §4, item 6).

A role is made to depend on grants by attaching an identity policy that allows only
kms:ListKeys: under the default key policy (which delegates to the account's IAM) it is
then refused every key operation unless a grant allows it.
"""
import json
import re

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, REGION, error_of

OTHER = "222233334444"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"
APP = f"arn:aws:iam::{ACCOUNT}:role/app"
HELPER = f"arn:aws:iam::{ACCOUNT}:role/helper"
STRANGER = f"arn:aws:iam::{ACCOUNT}:role/stranger"
EXTERNAL = f"arn:aws:iam::{OTHER}:role/external"
EXTERNAL_ROOT = f"arn:aws:iam::{OTHER}:root"
UNKNOWN_GRANT_ID = "0123456789abcdef" * 4
CONTEXT = {"purpose": "test"}

LIST_KEYS_ONLY = {"Version": "2012-10-17",
                  "Statement": [{"Effect": "Allow", "Action": "kms:ListKeys", "Resource": "*"}]}
CROSS_ACCOUNT_ACTIONS = ["kms:Decrypt", "kms:Encrypt", "kms:DescribeKey"]
IDENTITY_ALLOWS_CRYPTO = {"Version": "2012-10-17",
                          "Statement": [{"Effect": "Allow", "Action": CROSS_ACCOUNT_ACTIONS, "Resource": "*"}]}
IDENTITY_ALLOWS_ALL = {"Version": "2012-10-17",
                       "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}


# --------------------------------------------------------------------------- helpers

def grant_dependent(kms, principal):
    """A client for ``principal``, whose IAM allows only kms:ListKeys (so it needs grants)."""
    kms.allow(principal, LIST_KEYS_ONLY)
    return kms.client(principal=principal)


def key_arn(key_id):
    return f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{key_id}"


def denied_message(caller, action, resource, kind):
    return (f"User: {caller} is not authorized to perform: {action} on resource: {resource} "
            f"because no {kind}-based policy allows the {action} action")


def grant(client, key_id, grantee=APP, operations=("Decrypt",), **extra):
    return client.create_grant(KeyId=key_id, GranteePrincipal=grantee, Operations=list(operations), **extra)


def grant_ids(client, key_id, **filters):
    return [g["GrantId"] for g in client.list_grants(KeyId=key_id, **filters)["Grants"]]


def ciphertext(client, key_id, context=None):
    extra = {"EncryptionContext": context} if context is not None else {}
    return client.encrypt(KeyId=key_id, Plaintext=b"secret", **extra)["CiphertextBlob"]


def decrypts(client, blob, context=None, **extra):
    if context is not None:
        extra["EncryptionContext"] = context
    return client.decrypt(CiphertextBlob=blob, **extra)["Plaintext"] == b"secret"


def expect(code, call, *args, **kwargs):
    with pytest.raises(ClientError) as excinfo:
        call(*args, **kwargs)
    found = error_of(excinfo)
    assert found[0] == code, found
    return found


def key_policy(*extra_statements):
    """A key policy that keeps the default delegation to the owner account, plus ``extra_statements``."""
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "owner", "Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "kms:*", "Resource": "*"},
        *extra_statements]})


def allows_account(account_root, actions):
    return {"Sid": "other account", "Effect": "Allow", "Principal": {"AWS": account_root},
            "Action": actions, "Resource": "*"}


@pytest.fixture
def app(kms):
    return grant_dependent(kms, APP)


@pytest.fixture
def blob(client, key_id):
    return ciphertext(client, key_id)


# --------------------------------------------------------------------------- grants allow, retiring and revoking stops

def test_role_without_grant_is_refused_decrypt(client, key_id, app, blob):
    assert expect("AccessDeniedException", app.decrypt, CiphertextBlob=blob) == (
        "AccessDeniedException", denied_message(APP, "kms:Decrypt", key_arn(key_id), "identity"), 400)


def test_grant_lets_role_decrypt(client, key_id, app, blob):
    grant(client, key_id)
    assert decrypts(app, blob)


def test_grant_covers_only_its_operations(client, key_id, app):
    grant(client, key_id, operations=["Decrypt"])
    assert expect("AccessDeniedException", app.encrypt, KeyId=key_id, Plaintext=b"x")[1] == denied_message(
        APP, "kms:Encrypt", key_arn(key_id), "identity")


def test_grant_to_role_serves_its_assumed_role_sessions(kms, client, key_id, blob):
    kms.allow(APP, LIST_KEYS_ONLY)
    session = kms.client(principal=f"arn:aws:sts::{ACCOUNT}:assumed-role/app/alice")
    grant(client, key_id)
    assert decrypts(session, blob)


def test_retire_grant_by_token_stops_decrypt(client, key_id, app, blob):
    token = grant(client, key_id)["GrantToken"]
    client.retire_grant(GrantToken=token)
    expect("AccessDeniedException", app.decrypt, CiphertextBlob=blob)
    assert grant_ids(client, key_id) == []


def test_revoke_grant_by_key_owner_stops_decrypt(client, key_id, app, blob):
    grant_id = grant(client, key_id)["GrantId"]
    client.revoke_grant(KeyId=key_id, GrantId=grant_id)
    expect("AccessDeniedException", app.decrypt, CiphertextBlob=blob)
    assert grant_ids(client, key_id) == []


def test_retiring_principal_retires_by_key_and_grant_id(kms, client, key_id, app, blob):
    retirer = grant_dependent(kms, HELPER)
    grant_id = grant(client, key_id, RetiringPrincipal=HELPER)["GrantId"]
    retirer.retire_grant(KeyId=key_arn(key_id), GrantId=grant_id)
    assert grant_ids(client, key_id) == []
    expect("AccessDeniedException", app.decrypt, CiphertextBlob=blob)


def test_grantee_retires_a_grant_that_includes_retire_grant(client, key_id, app):
    grant_id = grant(client, key_id, operations=["Decrypt", "RetireGrant"])["GrantId"]
    app.retire_grant(KeyId=key_arn(key_id), GrantId=grant_id)
    assert grant_ids(client, key_id) == []


def test_grantee_cannot_retire_a_grant_without_retire_grant(kms, client, key_id):
    # A grantee of another account, so that the key account's own right to retire plays no part.
    grant_id = grant(client, key_id, grantee=EXTERNAL, operations=["Decrypt"])["GrantId"]
    external = kms.client(principal=EXTERNAL)
    assert expect("AccessDeniedException", external.retire_grant, KeyId=key_arn(key_id), GrantId=grant_id) == (
        "AccessDeniedException", denied_message(EXTERNAL, "kms:RetireGrant", key_arn(key_id), "resource"), 400)
    assert grant_ids(client, key_id) == [grant_id]


def test_unrelated_role_of_another_account_cannot_retire(kms, client, key_id):
    grant_id = grant(client, key_id, RetiringPrincipal=HELPER)["GrantId"]
    outsider = kms.client(principal=EXTERNAL)
    assert expect("AccessDeniedException", outsider.retire_grant, KeyId=key_arn(key_id), GrantId=grant_id) == (
        "AccessDeniedException", denied_message(EXTERNAL, "kms:RetireGrant", key_arn(key_id), "resource"), 400)
    assert grant_ids(client, key_id) == [grant_id]


def test_unrelated_role_of_the_key_account_cannot_retire(kms, client, key_id):
    # AWS (Developer Guide, "Retiring and revoking grants"): besides the retiring principal and
    # a grantee whose grant includes RetireGrant, only "the AWS account in which the grant was
    # created" may retire, and that account "can delegate the kms:RetireGrant permission to an
    # IAM principal in the account".  A role whose IAM allows only kms:ListKeys has no such
    # delegation, so it must be refused.
    stranger = grant_dependent(kms, STRANGER)
    grant_id = grant(client, key_id, RetiringPrincipal=HELPER)["GrantId"]
    assert expect("AccessDeniedException", stranger.retire_grant, KeyId=key_arn(key_id), GrantId=grant_id)[1] \
        .startswith(f"User: {STRANGER} is not authorized to perform: kms:RetireGrant on resource: {key_arn(key_id)}")
    assert grant_ids(client, key_id) == [grant_id]


def test_identity_policy_deny_stops_retiring_principal(kms, client, key_id):
    # Developer Guide: "To deny permission to retire a grant, you can use a Deny action with the
    # kms:RetireGrant permission in your IAM policies."  (keys-lifecycle.md §4: "in IAM it only
    # delegates/denies".)
    kms.allow(HELPER, {"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": "kms:RetireGrant", "Resource": "*"}]})
    retirer = kms.client(principal=HELPER)
    grant_id = grant(client, key_id, RetiringPrincipal=HELPER)["GrantId"]
    assert expect("AccessDeniedException", retirer.retire_grant, KeyId=key_arn(key_id), GrantId=grant_id)[1] == (
        f"User: {HELPER} is not authorized to perform: kms:RetireGrant on resource: {key_arn(key_id)} "
        "with an explicit deny in an identity-based policy")
    assert grant_ids(client, key_id) == [grant_id]


def test_role_of_the_key_account_with_iam_retire_grant_retires(kms, client, key_id):
    # Developer Guide: the account "can delegate the kms:RetireGrant permission to an IAM principal".
    kms.allow(STRANGER, {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "kms:RetireGrant", "Resource": "*"}]})
    grant_id = grant(client, key_id, RetiringPrincipal=HELPER)["GrantId"]
    kms.client(principal=STRANGER).retire_grant(KeyId=key_arn(key_id), GrantId=grant_id)
    assert grant_ids(client, key_id) == []


def test_key_account_root_retires_a_grant_it_did_not_name(client, key_id):
    grant_id = grant(client, key_id, RetiringPrincipal=HELPER)["GrantId"]
    client.retire_grant(KeyId=key_arn(key_id), GrantId=grant_id)
    assert grant_ids(client, key_id) == []


# --------------------------------------------------------------------------- CreateGrant answer, ListGrants

def test_create_grant_answers_grant_id_and_token(client, key_id):
    created = grant(client, key_id)
    assert set(created) - {"ResponseMetadata"} == {"GrantId", "GrantToken"}
    assert re.fullmatch(r"[0-9a-f]{64}", created["GrantId"])
    assert isinstance(created["GrantToken"], str) and created["GrantToken"]


def test_list_grants_shows_every_field_of_a_full_grant(kms, client, key_id):
    now = kms.clock.freeze()
    created = grant(client, key_id, operations=["Decrypt", "Encrypt"], Name="full-grant",
                    RetiringPrincipal=HELPER, Constraints={"EncryptionContextSubset": CONTEXT})
    assert client.list_grants(KeyId=key_id)["Grants"] == [{
        "KeyId": key_arn(key_id),
        "GrantId": created["GrantId"],
        "Name": "full-grant",
        "CreationDate": now,
        "GranteePrincipal": APP,
        "RetiringPrincipal": HELPER,
        "IssuingAccount": ROOT,
        "Operations": ["Decrypt", "Encrypt"],
        "Constraints": {"EncryptionContextSubset": CONTEXT},
    }]


def test_list_grants_omits_fields_not_given(kms, client, key_id):
    now = kms.clock.freeze()
    created = grant(client, key_id)
    assert client.list_grants(KeyId=key_id)["Grants"] == [{
        "KeyId": key_arn(key_id), "GrantId": created["GrantId"], "CreationDate": now,
        "GranteePrincipal": APP, "IssuingAccount": ROOT, "Operations": ["Decrypt"],
    }]


def test_list_grants_of_key_without_grants_is_empty(client, key_id):
    listing = client.list_grants(KeyId=key_id)
    assert (listing["Grants"], listing["Truncated"], "NextMarker" in listing) == ([], False, False)


def test_list_grants_only_shows_the_keys_own_grants(client, key_id):
    other = client.create_key()["KeyMetadata"]["KeyId"]
    grant(client, other)
    assert grant_ids(client, key_id) == []


def test_list_grants_filter_by_grant_id(client, key_id):
    wanted = grant(client, key_id)["GrantId"]
    grant(client, key_id, grantee=HELPER)
    assert grant_ids(client, key_id, GrantId=wanted) == [wanted]


def test_list_grants_filter_by_grantee(client, key_id):
    first = grant(client, key_id)["GrantId"]
    grant(client, key_id, grantee=HELPER)
    second = grant(client, key_id, operations=["Encrypt"])["GrantId"]
    assert grant_ids(client, key_id, GranteePrincipal=APP) == [first, second]


def test_list_grants_filter_with_unknown_grant_id_is_empty(client, key_id):
    grant(client, key_id)
    assert grant_ids(client, key_id, GrantId=UNKNOWN_GRANT_ID) == []


def test_list_grants_filter_with_malformed_grant_id_is_invalid_grant_id(client, key_id):
    # operations.md §5 ListGrants: "Malformed GrantId -> InvalidGrantIdException"; the model lists
    # InvalidGrantIdException among ListGrants' errors.
    grant(client, key_id)
    expect("InvalidGrantIdException", client.list_grants, KeyId=key_id, GrantId="not-a-grant-id")


def test_list_grants_pages_with_limit_and_marker(client, key_id):
    created = [grant(client, key_id, grantee=f"arn:aws:iam::{ACCOUNT}:role/r{i}")["GrantId"] for i in range(5)]
    first = client.list_grants(KeyId=key_id, Limit=2)
    assert [g["GrantId"] for g in first["Grants"]] == created[:2]
    assert first["Truncated"] is True
    second = client.list_grants(KeyId=key_id, Limit=2, Marker=first["NextMarker"])
    assert [g["GrantId"] for g in second["Grants"]] == created[2:4]
    last = client.list_grants(KeyId=key_id, Limit=2, Marker=second["NextMarker"])
    assert [g["GrantId"] for g in last["Grants"]] == created[4:]
    assert last["Truncated"] is False and "NextMarker" not in last


def test_list_grants_botocore_paginator_collects_every_grant(client, key_id):
    created = [grant(client, key_id, grantee=f"arn:aws:iam::{ACCOUNT}:role/r{i}")["GrantId"] for i in range(5)]
    pages = list(client.get_paginator("list_grants").paginate(KeyId=key_id, PaginationConfig={"PageSize": 2}))
    assert [len(p["Grants"]) for p in pages] == [2, 2, 1]
    assert [g["GrantId"] for p in pages for g in p["Grants"]] == created


def test_list_retirable_grants_by_retiring_principal(client, key_id):
    other = client.create_key()["KeyMetadata"]["KeyId"]
    on_key = grant(client, key_id, RetiringPrincipal=HELPER)["GrantId"]
    grant(client, key_id, RetiringPrincipal=STRANGER)
    grant(client, key_id)
    on_other = grant(client, other, RetiringPrincipal=HELPER)["GrantId"]
    listing = client.list_retirable_grants(RetiringPrincipal=HELPER)
    assert [(g["KeyId"], g["GrantId"], g["RetiringPrincipal"]) for g in listing["Grants"]] == [
        (key_arn(key_id), on_key, HELPER), (key_arn(other), on_other, HELPER)]
    assert listing["Truncated"] is False


# --------------------------------------------------------------------------- Name idempotency

def test_same_name_and_parameters_return_the_same_grant_with_a_new_token(client, key_id):
    first = grant(client, key_id, Name="repeat")
    again = grant(client, key_id, Name="repeat")
    assert again["GrantId"] == first["GrantId"]
    assert again["GrantToken"] != first["GrantToken"]
    assert grant_ids(client, key_id) == [first["GrantId"]]


def test_same_name_with_different_operations_makes_a_new_grant(client, key_id):
    first = grant(client, key_id, Name="repeat", operations=["Decrypt"])["GrantId"]
    second = grant(client, key_id, Name="repeat", operations=["Decrypt", "Encrypt"])["GrantId"]
    assert second != first
    assert grant_ids(client, key_id) == [first, second]


def test_without_name_each_call_makes_a_new_grant(client, key_id):
    assert grant(client, key_id)["GrantId"] != grant(client, key_id)["GrantId"]


# --------------------------------------------------------------------------- constraints

def test_equals_constraint_allows_decrypt_with_exactly_that_context(client, key_id, app):
    grant(client, key_id, Constraints={"EncryptionContextEquals": CONTEXT})
    assert decrypts(app, ciphertext(client, key_id, CONTEXT), CONTEXT)


@pytest.mark.parametrize("context", [{}, {"purpose": "test", "extra": "x"}, {"purpose": "TEST"}],
                         ids=["none", "superset", "other-case"])
def test_equals_constraint_refuses_any_other_context(client, key_id, app, context):
    grant(client, key_id, Constraints={"EncryptionContextEquals": CONTEXT})
    blob = ciphertext(client, key_id, context)
    assert expect("AccessDeniedException", decrypts, app, blob, context)[1] == denied_message(
        APP, "kms:Decrypt", key_arn(key_id), "identity")


def test_subset_constraint_allows_decrypt_with_a_superset(client, key_id, app):
    grant(client, key_id, Constraints={"EncryptionContextSubset": CONTEXT})
    context = {"purpose": "test", "extra": "x"}
    assert decrypts(app, ciphertext(client, key_id, context), context)


@pytest.mark.parametrize("context", [{}, {"purpose": "other"}, {"extra": "x"}],
                         ids=["none", "other-value", "missing-pair"])
def test_subset_constraint_refuses_contexts_lacking_its_pairs(client, key_id, app, context):
    grant(client, key_id, Constraints={"EncryptionContextSubset": CONTEXT})
    expect("AccessDeniedException", decrypts, app, ciphertext(client, key_id, context), context)


def test_constraints_on_asymmetric_key_are_refused(client):
    rsa = client.create_key(KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]["KeyId"]
    status = expect("ValidationException", grant, client, rsa,
                    Constraints={"EncryptionContextEquals": CONTEXT})[2]
    assert status == 400
    assert grant_ids(client, rsa) == []


def test_describe_key_through_constrained_grant_needs_no_context(client, key_id, app):
    grant(client, key_id, operations=["Decrypt", "DescribeKey"], Constraints={"EncryptionContextEquals": CONTEXT})
    assert app.describe_key(KeyId=key_id)["KeyMetadata"]["KeyId"] == key_id


# --------------------------------------------------------------------------- operations the key supports

@pytest.mark.parametrize("create, operation", [
    ({}, "Sign"),
    ({}, "GenerateMac"),
    ({"KeySpec": "RSA_2048", "KeyUsage": "SIGN_VERIFY"}, "GenerateDataKey"),
    ({"KeySpec": "RSA_2048", "KeyUsage": "SIGN_VERIFY"}, "Decrypt"),
], ids=["sign-on-symmetric", "mac-on-symmetric", "data-key-on-rsa-signing", "decrypt-on-rsa-signing"])
def test_grant_operation_the_key_cannot_do_is_refused(client, create, operation):
    key = client.create_key(**create)["KeyMetadata"]["KeyId"]
    assert expect("ValidationException", grant, client, key, operations=[operation])[2] == 400
    assert grant_ids(client, key) == []


def test_grant_operations_the_signing_key_supports_are_accepted(client):
    key = client.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    grant(client, key, operations=["Sign", "Verify", "GetPublicKey", "DescribeKey"])
    assert len(grant_ids(client, key)) == 1


# --------------------------------------------------------------------------- grant tokens

def test_token_of_a_new_grant_is_accepted_on_decrypt(client, key_id, app, blob):
    token = grant(client, key_id)["GrantToken"]
    assert decrypts(app, blob, GrantTokens=[token])


def test_made_up_token_is_refused_on_decrypt(client, blob):
    assert expect("InvalidGrantTokenException", client.decrypt, CiphertextBlob=blob,
                  GrantTokens=["made-up-token"]) == ("InvalidGrantTokenException", "Invalid grant token", 400)


def test_token_of_a_retired_grant_is_refused(client, key_id, blob):
    token = grant(client, key_id)["GrantToken"]
    client.retire_grant(GrantToken=token)
    assert expect("InvalidGrantTokenException", client.decrypt, CiphertextBlob=blob,
                  GrantTokens=[token])[1] == "Invalid grant token"


def test_token_of_a_revoked_grant_is_refused(client, key_id, blob):
    created = grant(client, key_id)
    client.revoke_grant(KeyId=key_id, GrantId=created["GrantId"])
    expect("InvalidGrantTokenException", client.decrypt, CiphertextBlob=blob, GrantTokens=[created["GrantToken"]])


def test_retire_grant_with_made_up_token_is_invalid_grant_token(client):
    assert expect("InvalidGrantTokenException", client.retire_grant, GrantToken="made-up-token") == (
        "InvalidGrantTokenException", "Invalid grant token", 400)


def test_retiring_twice_by_token_is_invalid_grant_token(client, key_id):
    token = grant(client, key_id)["GrantToken"]
    client.retire_grant(GrantToken=token)
    expect("InvalidGrantTokenException", client.retire_grant, GrantToken=token)


# --------------------------------------------------------------------------- grants that allow CreateGrant

def test_grant_with_create_grant_lets_grantee_grant_less(client, key_id, app, blob, kms):
    grant(client, key_id, operations=["Decrypt", "Encrypt", "CreateGrant"])
    helper = grant_dependent(kms, HELPER)
    child = app.create_grant(KeyId=key_id, GranteePrincipal=HELPER, Operations=["Decrypt"])
    assert decrypts(helper, blob)
    entry = client.list_grants(KeyId=key_id, GrantId=child["GrantId"])["Grants"][0]
    assert (entry["GranteePrincipal"], entry["Operations"], entry["IssuingAccount"]) == (HELPER, ["Decrypt"], ROOT)


def test_grant_with_create_grant_refuses_a_wider_grant(client, key_id, app):
    parent = grant(client, key_id, operations=["Decrypt", "CreateGrant"])["GrantId"]
    message = expect("AccessDeniedException", app.create_grant, KeyId=key_id, GranteePrincipal=HELPER,
                     Operations=["Decrypt", "Encrypt"])[1]
    assert message.startswith(f"User: {APP} is not authorized to perform: kms:CreateGrant on resource: "
                              f"{key_arn(key_id)} ")
    assert grant_ids(client, key_id) == [parent]


def test_grant_without_create_grant_does_not_let_grantee_grant(client, key_id, app):
    grant(client, key_id, operations=["Decrypt"])
    assert expect("AccessDeniedException", app.create_grant, KeyId=key_id, GranteePrincipal=HELPER,
                  Operations=["Decrypt"])[1] == denied_message(APP, "kms:CreateGrant", key_arn(key_id), "identity")


def test_grant_with_constrained_create_grant_refuses_an_unconstrained_child(client, key_id, app):
    grant(client, key_id, operations=["Decrypt", "CreateGrant"], Constraints={"EncryptionContextEquals": CONTEXT})
    expect("AccessDeniedException", app.create_grant, KeyId=key_id, GranteePrincipal=HELPER, Operations=["Decrypt"])


def test_grant_with_constrained_create_grant_allows_an_equally_constrained_child(client, key_id, app):
    grant(client, key_id, operations=["Decrypt", "CreateGrant"], Constraints={"EncryptionContextEquals": CONTEXT})
    app.create_grant(KeyId=key_id, GranteePrincipal=HELPER, Operations=["Decrypt"],
                     Constraints={"EncryptionContextEquals": CONTEXT})
    assert len(grant_ids(client, key_id)) == 2


# --------------------------------------------------------------------------- unknown and malformed grant ids

def test_revoke_unknown_grant_id_is_not_found(client, key_id):
    assert expect("NotFoundException", client.revoke_grant, KeyId=key_id, GrantId=UNKNOWN_GRANT_ID) == (
        "NotFoundException", f"Grant ID {UNKNOWN_GRANT_ID} not found", 400)


def test_retire_unknown_grant_id_is_not_found(client, key_id):
    assert expect("NotFoundException", client.retire_grant, KeyId=key_arn(key_id), GrantId=UNKNOWN_GRANT_ID) == (
        "NotFoundException", f"Grant ID {UNKNOWN_GRANT_ID} not found", 400)


def test_revoke_grant_of_another_key_is_not_found(client, key_id):
    other = client.create_key()["KeyMetadata"]["KeyId"]
    grant_id = grant(client, other)["GrantId"]
    assert expect("NotFoundException", client.revoke_grant, KeyId=key_id, GrantId=grant_id)[1] == (
        f"Grant ID {grant_id} not found")
    assert grant_ids(client, other) == [grant_id]


@pytest.mark.parametrize("call", ["revoke_grant", "retire_grant"])
def test_malformed_grant_id_is_invalid_grant_id(client, key_id, call):
    expect("InvalidGrantIdException", getattr(client, call), KeyId=key_arn(key_id), GrantId="not-a-grant-id")


@pytest.mark.parametrize("params", [{}, {"KeyId": "KEY"}, {"GrantId": UNKNOWN_GRANT_ID}],
                         ids=["nothing", "key-only", "grant-id-only"])
def test_retire_grant_without_token_or_key_and_grant_id_is_validation_error(client, key_id, params):
    params = {k: (key_arn(key_id) if v == "KEY" else v) for k, v in params.items()}
    assert expect("ValidationException", client.retire_grant, **params)[2] == 400


# --------------------------------------------------------------------------- DryRun

def test_dry_run_create_grant_creates_nothing(client, key_id):
    assert expect("DryRunOperationException", grant, client, key_id, DryRun=True)[1] == (
        "The request would have succeeded, but the DryRun option is set.")
    assert grant_ids(client, key_id) == []


def test_dry_run_create_grant_still_reports_real_errors(client, key_id):
    expect("ValidationException", grant, client, key_id, operations=["Sign"], DryRun=True)


def test_dry_run_retire_grant_leaves_the_grant(client, key_id, app, blob):
    created = grant(client, key_id)
    expect("DryRunOperationException", client.retire_grant, GrantToken=created["GrantToken"], DryRun=True)
    assert grant_ids(client, key_id) == [created["GrantId"]]
    assert decrypts(app, blob, GrantTokens=[created["GrantToken"]])


def test_dry_run_revoke_grant_leaves_the_grant(client, key_id, app, blob):
    grant_id = grant(client, key_id)["GrantId"]
    expect("DryRunOperationException", client.revoke_grant, KeyId=key_id, GrantId=grant_id, DryRun=True)
    assert grant_ids(client, key_id) == [grant_id]
    assert decrypts(app, blob)


# --------------------------------------------------------------------------- grants go with their key

def test_grant_token_is_invalid_once_its_key_is_deleted(kms, client, key_id):
    token = grant(client, key_id)["GrantToken"]
    client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    kms.clock.advance(days=31)
    other = client.create_key()["KeyMetadata"]["KeyId"]
    expect("InvalidGrantTokenException", client.encrypt, KeyId=other, Plaintext=b"x", GrantTokens=[token])
    expect("InvalidGrantTokenException", client.retire_grant, GrantToken=token)


def test_grant_token_of_deleted_key_is_invalid_for_another_account_too(kms, client, key_id):
    # The grantee of another account, first to call after the deletion window ended.
    token = grant(client, key_id, grantee=EXTERNAL, operations=["Decrypt", "RetireGrant"])["GrantToken"]
    client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    kms.clock.advance(days=31)
    external = kms.client(principal=EXTERNAL)
    assert expect("InvalidGrantTokenException", external.retire_grant, GrantToken=token) == (
        "InvalidGrantTokenException", "Invalid grant token", 400)


def test_grants_stay_while_the_key_is_pending_deletion(client, key_id):
    created = grant(client, key_id)
    client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    assert grant_ids(client, key_id) == [created["GrantId"]]
    client.retire_grant(GrantToken=created["GrantToken"])
    assert grant_ids(client, key_id) == []


# --------------------------------------------------------------------------- grantee validation

@pytest.mark.parametrize("grantee", ["not-a-principal", f"arn:aws:iam::{ACCOUNT}:group/admins",
                                     f"arn:aws:s3:::{ACCOUNT}-bucket"], ids=["word", "group", "s3-arn"])
def test_grantee_that_is_not_a_principal_is_refused(client, key_id, grantee):
    assert expect("ValidationException", grant, client, key_id, grantee=grantee)[2] == 400
    assert grant_ids(client, key_id) == []


@pytest.mark.parametrize("grantee", [OTHER, EXTERNAL_ROOT, f"arn:aws:iam::{ACCOUNT}:user/alice",
                                     f"arn:aws:sts::{ACCOUNT}:assumed-role/app/alice"],
                         ids=["account-id", "account-root", "user", "assumed-role"])
def test_grantee_principal_kinds_are_accepted(client, key_id, grantee):
    grant(client, key_id, grantee=grantee)
    assert client.list_grants(KeyId=key_id)["Grants"][0]["GranteePrincipal"] == grantee


def test_grant_without_any_grantee_is_refused(raw_client, key_id):
    assert expect("ValidationException", raw_client.create_grant, KeyId=key_id, Operations=["Decrypt"])[2] == 400
    assert raw_client.list_grants(KeyId=key_id)["Grants"] == []


# --------------------------------------------------------------------------- cross-account

@pytest.fixture
def shared_key(client):
    """A key of ACCOUNT whose policy lets OTHER's account use it for Decrypt/Encrypt/DescribeKey."""
    policy = key_policy(allows_account(EXTERNAL_ROOT, CROSS_ACCOUNT_ACTIONS))
    return client.create_key(Policy=policy)["KeyMetadata"]["Arn"]


def test_external_role_with_key_policy_and_identity_policy_uses_key(kms, shared_key):
    kms.allow(EXTERNAL, IDENTITY_ALLOWS_CRYPTO)
    external = kms.client(principal=EXTERNAL)
    blob = external.encrypt(KeyId=shared_key, Plaintext=b"secret")["CiphertextBlob"]
    assert external.decrypt(CiphertextBlob=blob, KeyId=shared_key)["Plaintext"] == b"secret"
    assert external.describe_key(KeyId=shared_key)["KeyMetadata"]["Arn"] == shared_key


def test_external_role_without_key_policy_statement_is_refused(kms, client, key_id):
    kms.allow(EXTERNAL, IDENTITY_ALLOWS_CRYPTO)
    external = kms.client(principal=EXTERNAL)
    assert expect("AccessDeniedException", external.encrypt, KeyId=key_arn(key_id), Plaintext=b"x") == (
        "AccessDeniedException", denied_message(EXTERNAL, "kms:Encrypt", key_arn(key_id), "resource"), 400)


def test_external_role_without_identity_policy_is_refused(kms, shared_key):
    external = kms.client(principal=EXTERNAL)
    assert expect("AccessDeniedException", external.encrypt, KeyId=shared_key, Plaintext=b"x") == (
        "AccessDeniedException", denied_message(EXTERNAL, "kms:Encrypt", shared_key, "identity"), 400)


def test_external_role_is_refused_actions_the_key_policy_does_not_list(kms, shared_key):
    kms.allow(EXTERNAL, IDENTITY_ALLOWS_ALL)
    external = kms.client(principal=EXTERNAL)
    assert expect("AccessDeniedException", external.generate_data_key, KeyId=shared_key,
                  KeySpec="AES_256")[1] == denied_message(EXTERNAL, "kms:GenerateDataKey", shared_key, "resource")


def test_external_account_root_uses_key_with_key_policy_alone(kms, shared_key):
    external_root = kms.client(principal=OTHER)
    blob = external_root.encrypt(KeyId=shared_key, Plaintext=b"secret")["CiphertextBlob"]
    assert external_root.decrypt(CiphertextBlob=blob)["Plaintext"] == b"secret"


def test_bare_key_id_from_another_account_is_looked_up_in_the_callers_account(kms, shared_key):
    key_id = shared_key.rsplit("/", 1)[1]
    external_root = kms.client(principal=OTHER)
    assert expect("NotFoundException", external_root.describe_key, KeyId=key_id) == (
        "NotFoundException", f"Key 'arn:aws:kms:{REGION}:{OTHER}:key/{key_id}' does not exist", 400)


@pytest.mark.parametrize("operation, action, params", [
    ("disable_key", "kms:DisableKey", {}),
    ("schedule_key_deletion", "kms:ScheduleKeyDeletion", {"PendingWindowInDays": 7}),
    ("put_key_policy", "kms:PutKeyPolicy", {"PolicyName": "default", "Policy": key_policy()}),
    ("tag_resource", "kms:TagResource", {"Tags": [{"TagKey": "k", "TagValue": "v"}]}),
])
def test_operations_that_are_not_cross_account_are_refused(kms, client, operation, action, params):
    permissive = key_policy(allows_account(EXTERNAL_ROOT, "kms:*"))
    arn = client.create_key(Policy=permissive)["KeyMetadata"]["Arn"]
    kms.allow(EXTERNAL, IDENTITY_ALLOWS_ALL)
    for principal in (EXTERNAL, OTHER):
        caller = kms.client(principal=principal)
        caller_arn = EXTERNAL if principal == EXTERNAL else EXTERNAL_ROOT
        assert expect("AccessDeniedException", getattr(caller, operation), KeyId=arn, **params)[1] == (
            denied_message(caller_arn, action, arn, "resource"))
    meta = client.describe_key(KeyId=arn)["KeyMetadata"]
    assert meta["KeyState"] == "Enabled"
    assert client.list_resource_tags(KeyId=arn)["Tags"] == []
    assert json.loads(client.get_key_policy(KeyId=arn, PolicyName="default")["Policy"]) == json.loads(permissive)


def test_grant_to_external_role_lets_it_decrypt_by_key_arn(kms, client, key_id, blob):
    external = kms.client(principal=EXTERNAL)
    expect("AccessDeniedException", external.decrypt, CiphertextBlob=blob, KeyId=key_arn(key_id))
    grant(client, key_id, grantee=EXTERNAL)
    assert external.decrypt(CiphertextBlob=blob, KeyId=key_arn(key_id))["Plaintext"] == b"secret"


def test_external_grantee_retires_its_grant_by_token(kms, client, key_id, blob):
    token = grant(client, key_id, grantee=EXTERNAL, operations=["Decrypt", "RetireGrant"])["GrantToken"]
    kms.client(principal=EXTERNAL).retire_grant(GrantToken=token)
    assert grant_ids(client, key_id) == []


def test_external_retiring_principal_lists_its_retirable_grants(kms, client, key_id):
    grant_id = grant(client, key_id, RetiringPrincipal=EXTERNAL)["GrantId"]
    external = kms.client(principal=EXTERNAL_ROOT)
    listing = external.list_retirable_grants(RetiringPrincipal=EXTERNAL)
    assert [(g["KeyId"], g["GrantId"], g["IssuingAccount"]) for g in listing["Grants"]] == [
        (key_arn(key_id), grant_id, ROOT)]
