"""Key policies, identity (IAM) policies and their enforcement.

Expected values come from the spec: keys-lifecycle.md §3 (default policy text, rules for
caller-supplied policies), §4 (authorization model), §4.1 (condition keys) and errors.md §4
(AccessDeniedException texts); the identity-side conventions of the mock (a principal with no
identity policy attached is IAM-allowed in its own account, account roots always are) are the
ones documented in mockkms/service/authorize.py.
"""
import json

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, REGION, error_of
from mockkms import mock_kms

ROOT = f"arn:aws:iam::{ACCOUNT}:root"
ROLE_A = f"arn:aws:iam::{ACCOUNT}:role/app"
ROLE_B = f"arn:aws:iam::{ACCOUNT}:role/other"
SESSION_A = f"arn:aws:sts::{ACCOUNT}:assumed-role/app/session1"
USER = f"arn:aws:iam::{ACCOUNT}:user/alice"
OTHER_ACCOUNT = "111122223333"
OTHER_ROOT = f"arn:aws:iam::{OTHER_ACCOUNT}:root"
OTHER_ROLE = f"arn:aws:iam::{OTHER_ACCOUNT}:role/partner"
KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/"

# keys-lifecycle.md §3.1, with the test account [O].
DEFAULT_POLICY = (
    '{\n  "Version" : "2012-10-17",\n  "Id" : "key-default-1",\n  "Statement" : [ {\n'
    '    "Sid" : "Enable IAM User Permissions",\n    "Effect" : "Allow",\n    "Principal" : {\n'
    '      "AWS" : "arn:aws:iam::123456789012:root"\n    },\n    "Action" : "kms:*",\n'
    '    "Resource" : "*"\n  } ]\n}'
)

LOCKOUT = "The new key policy will not allow you to update the key policy in the future."
INVALID_PRINCIPALS = "Policy contains a statement with one or more invalid principals."

# What the account root may do on keys whose policies below grant the account only administration:
# enough to pass the lockout check and set keys up, never enough to use them.
ADMIN_ACTIONS = ["kms:PutKeyPolicy", "kms:CreateAlias"]

# --------------------------------------------------------------------------- helpers


def statement(effect, principal, action, *, condition=None, resource="*", not_action=False):
    result = {"Effect": effect,
              "Principal": principal if principal == "*" else {"AWS": principal},
              "NotAction" if not_action else "Action": action,
              "Resource": resource}
    if condition is not None:
        result["Condition"] = condition
    return result


def allow(principal, action, **options):
    return statement("Allow", principal, action, **options)


def deny(principal, action, **options):
    return statement("Deny", principal, action, **options)


ADMIN = allow(ROOT, ADMIN_ACTIONS)
DELEGATE_TO_ACCOUNT = allow(ROOT, "kms:*")


def document(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def identity(*statements):
    """An identity policy: statements without Principal."""
    return {"Version": "2012-10-17", "Statement": list(statements)}


def grants(effect, action, resource="*", condition=None):
    result = {"Effect": effect, "Action": action, "Resource": resource}
    if condition is not None:
        result["Condition"] = condition
    return result


def new_key(client, *statements, bypass=False, **create_options):
    """A key with a policy made of ``statements``; returns its key id."""
    return client.create_key(Policy=document(*statements), BypassPolicyLockoutSafetyCheck=bypass,
                             **create_options)["KeyMetadata"]["KeyId"]


def denial(caller, action, resource, why):
    reasons = {
        "resource": f"because no resource-based policy allows the kms:{action} action",
        "identity": f"because no identity-based policy allows the kms:{action} action",
        "deny-resource": "with an explicit deny in a resource-based policy",
        "deny-identity": "with an explicit deny in an identity-based policy",
    }
    return ("AccessDeniedException",
            f"User: {caller} is not authorized to perform: kms:{action} on resource: {resource} {reasons[why]}",
            400)


def refused(call, *args, **params):
    """The (code, message, status) of the error ``call(*args, **params)`` raises."""
    with pytest.raises(ClientError) as excinfo:
        call(*args, **params)
    return error_of(excinfo)


def encrypt(client, key, context=None, **options):
    if context is not None:
        options["EncryptionContext"] = context
    return client.encrypt(KeyId=key, Plaintext=b"secret", **options)["CiphertextBlob"]


@pytest.fixture
def as_a(kms):
    return kms.client(principal=ROLE_A)


@pytest.fixture
def as_b(kms):
    return kms.client(principal=ROLE_B)


# --------------------------------------------------------------------------- default policy

def test_default_key_policy_is_the_documented_text(client, key_id):
    assert client.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"] == DEFAULT_POLICY


def test_get_key_policy_answers_with_policy_name_default(client, key_id):
    assert client.get_key_policy(KeyId=key_id)["PolicyName"] == "default"


def test_list_key_policies_lists_only_default(client, key_id):
    answer = client.list_key_policies(KeyId=key_id)
    del answer["ResponseMetadata"]
    assert answer == {"PolicyNames": ["default"], "Truncated": False}


def test_get_key_policy_with_another_name_is_not_found(client, key_id):
    assert refused(client.get_key_policy, KeyId=key_id, PolicyName="other") == \
        ("NotFoundException", "No such policy exists", 400)


def test_default_key_policy_names_the_root_of_the_keys_account(kms):
    other = kms.client(principal=OTHER_ACCOUNT)
    key = other.create_key()["KeyMetadata"]["KeyId"]
    policy = other.get_key_policy(KeyId=key)["Policy"]
    assert policy == DEFAULT_POLICY.replace(ACCOUNT, OTHER_ACCOUNT)


# --------------------------------------------------------------------------- PutKeyPolicy / layout

CUSTOM = {
    "Version": "2012-10-17",
    "Id": "custom-1",
    "Statement": [
        {"Sid": "Key admins", "Effect": "Allow", "Principal": {"AWS": [ROOT, ROLE_A]},
         "Action": ["kms:Describe*", "kms:Get*", "kms:Put*"], "Resource": "*"},
        {"Sid": "Tenant", "Effect": "Allow", "Principal": {"AWS": ROLE_B}, "Action": "kms:Decrypt",
         "Resource": "*", "Condition": {"StringEquals": {"kms:EncryptionContext:tenant": "acme"}}},
    ],
}

CUSTOM_PRETTY = """{
  "Version" : "2012-10-17",
  "Id" : "custom-1",
  "Statement" : [ {
    "Sid" : "Key admins",
    "Effect" : "Allow",
    "Principal" : {
      "AWS" : [ "arn:aws:iam::123456789012:root", "arn:aws:iam::123456789012:role/app" ]
    },
    "Action" : [ "kms:Describe*", "kms:Get*", "kms:Put*" ],
    "Resource" : "*"
  }, {
    "Sid" : "Tenant",
    "Effect" : "Allow",
    "Principal" : {
      "AWS" : "arn:aws:iam::123456789012:role/other"
    },
    "Action" : "kms:Decrypt",
    "Resource" : "*",
    "Condition" : {
      "StringEquals" : {
        "kms:EncryptionContext:tenant" : "acme"
      }
    }
  } ]
}"""


def _pairs(text):
    """The document with every object as its list of (name, value) pairs: equality includes order."""
    return json.loads(text, object_pairs_hook=list)


def test_put_key_policy_then_get_returns_the_same_document_in_the_same_order(client, key_id):
    sent = json.dumps(CUSTOM, separators=(",", ":"))
    client.put_key_policy(KeyId=key_id, PolicyName="default", Policy=sent)
    returned = client.get_key_policy(KeyId=key_id)["Policy"]
    assert json.loads(returned) == CUSTOM
    assert _pairs(returned) == _pairs(sent)


def test_get_key_policy_lays_a_custom_policy_out_like_the_default_one(client, key_id):
    client.put_key_policy(KeyId=key_id, Policy=json.dumps(CUSTOM, separators=(",", ":")))
    assert client.get_key_policy(KeyId=key_id)["Policy"] == CUSTOM_PRETTY


def test_create_key_with_a_policy_returns_it_in_the_pretty_layout(client):
    key = client.create_key(Policy=json.dumps(CUSTOM))["KeyMetadata"]["KeyId"]
    assert client.get_key_policy(KeyId=key)["Policy"] == CUSTOM_PRETTY


def test_get_key_policy_writes_latin1_characters_in_names_as_in_values(client, key_id):
    # Policies may hold U+0020-U+00FF (§3.2); the layout (Jackson's pretty printer) writes them
    # as they are, in member names as in string values.
    policy = {"Version": "2012-10-17", "Statement": [
        DELEGATE_TO_ACCOUNT,
        {"Sid": "Café", "Effect": "Allow", "Principal": {"AWS": ROLE_A}, "Action": "kms:Decrypt",
         "Resource": "*", "Condition": {"StringEquals": {"kms:EncryptionContext:café": "crème"}}},
    ]}
    client.put_key_policy(KeyId=key_id, Policy=json.dumps(policy, ensure_ascii=False))
    returned = client.get_key_policy(KeyId=key_id)["Policy"]
    assert json.loads(returned) == policy
    assert '"Sid" : "Café"' in returned
    assert '"kms:EncryptionContext:café" : "crème"' in returned


# --------------------------------------------------------------------------- policy validation

def _create(client, key_id, policy, **options):
    return client.create_key(Policy=policy, **options)


def _put(client, key_id, policy, **options):
    return client.put_key_policy(KeyId=key_id, Policy=policy, **options)


SETTING_A_POLICY = pytest.mark.parametrize("set_policy", [_create, _put], ids=["CreateKey", "PutKeyPolicy"])


@SETTING_A_POLICY
@pytest.mark.parametrize("text", ["not json", "{\"Statement\": ", "[1, 2]", "\"a string\""],
                         ids=["text", "truncated", "array", "string"])
def test_policy_that_is_not_a_json_object_is_malformed_with_no_message(client, key_id, set_policy, text):
    with pytest.raises(ClientError) as excinfo:
        set_policy(client, key_id, text)
    assert error_of(excinfo) == ("MalformedPolicyDocumentException", "", 400)
    assert "message" not in excinfo.value.response  # errors.md §1: the member is omitted


@SETTING_A_POLICY
@pytest.mark.parametrize("principal", [
    "arn:aws:iam::12345:role/app",          # account id too short
    "not-an-arn",
    "arn:aws:s3:::my-bucket",                # not an IAM principal
], ids=["short-account", "not-an-arn", "s3-arn"])
def test_policy_with_an_invalid_principal_is_malformed(client, key_id, set_policy, principal):
    policy = document(DELEGATE_TO_ACCOUNT, allow(principal, "kms:Decrypt"))
    assert refused(set_policy, client=client, key_id=key_id, policy=policy) == \
        ("MalformedPolicyDocumentException", INVALID_PRINCIPALS, 400)


def _padded(size_in_bytes, filler="x"):
    """A valid policy (delegating to the account) of exactly ``size_in_bytes`` UTF-8 bytes."""
    policy = {"Version": "2012-10-17", "Statement": [dict(DELEGATE_TO_ACCOUNT, Sid="")]}
    base = len(json.dumps(policy, ensure_ascii=False).encode("utf-8"))
    room = size_in_bytes - base
    per_char = len(filler.encode("utf-8"))
    assert room % per_char == 0
    policy["Statement"][0]["Sid"] = filler * (room // per_char)
    text = json.dumps(policy, ensure_ascii=False)
    assert len(text.encode("utf-8")) == size_in_bytes
    return text


@SETTING_A_POLICY
def test_policy_of_exactly_32768_bytes_is_accepted(client, key_id, set_policy):
    set_policy(client, key_id, _padded(32768))


@SETTING_A_POLICY
def test_policy_over_32768_bytes_is_a_limit_error(client, key_id, set_policy):
    assert refused(set_policy, client=client, key_id=key_id, policy=_padded(32770)) == \
        ("LimitExceededException", "The key policy exceeds the maximum size of 32768 bytes.", 400)


def test_policy_size_limit_counts_utf8_bytes_not_characters(client):
    text = _padded(32770, filler="é")     # fewer than 32768 characters, more than 32768 bytes
    assert len(text) < 32768
    assert refused(client.create_key, Policy=text)[0] == "LimitExceededException"


@SETTING_A_POLICY
def test_policy_that_locks_the_caller_out_is_refused(client, key_id, set_policy):
    policy = document(allow(ROLE_A, "kms:Decrypt"))
    assert refused(set_policy, client=client, key_id=key_id, policy=policy) == \
        ("MalformedPolicyDocumentException", LOCKOUT, 400)


@pytest.mark.parametrize("policy", [
    {"Version": "2012-10-17", "Statement": []},
    {"Version": "2012-10-17"},
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]},
    {"Version": "2012-10-17", "Statement": [{"Effect": "Permit", "Principal": {"AWS": ROOT}, "Action": "kms:*",
                                             "Resource": "*"}]},
], ids=["empty-statements", "no-statement", "no-principal", "bad-effect"])
def test_policy_without_usable_statements_is_malformed(client, policy):
    assert refused(client.create_key, Policy=json.dumps(policy))[0] == "MalformedPolicyDocumentException"


def test_policy_with_a_single_statement_object_is_accepted(client, as_a):
    policy = json.dumps({"Version": "2012-10-17", "Statement": DELEGATE_TO_ACCOUNT})
    key = client.create_key(Policy=policy)["KeyMetadata"]["KeyId"]
    encrypt(as_a, key)


def test_statement_without_action_is_accepted_and_inert(client, as_a):
    inert = {"Effect": "Allow", "Principal": {"AWS": ROLE_A}, "Resource": "*"}
    key = new_key(client, ADMIN, inert)
    assert refused(encrypt, as_a, key) == denial(ROLE_A, "Encrypt", KEY_ARN + key, "resource")


def test_refused_create_key_makes_no_key(client):
    with pytest.raises(ClientError):
        client.create_key(Policy=document(allow(ROLE_A, "kms:Decrypt")))
    assert client.list_keys()["Keys"] == []


def test_refused_put_key_policy_keeps_the_old_policy(client, key_id):
    with pytest.raises(ClientError):
        client.put_key_policy(KeyId=key_id, Policy=document(allow(ROLE_A, "kms:Decrypt")))
    assert client.get_key_policy(KeyId=key_id)["Policy"] == DEFAULT_POLICY


def test_policy_denying_the_caller_put_key_policy_locks_it_out(client):
    policy = document(DELEGATE_TO_ACCOUNT, deny("*", "kms:PutKeyPolicy"))
    assert refused(client.create_key, Policy=policy) == ("MalformedPolicyDocumentException", LOCKOUT, 400)


@SETTING_A_POLICY
def test_bypassing_the_lockout_check_sets_the_policy_and_locks_the_caller_out(client, key_id, set_policy):
    answer = set_policy(client, key_id, document(allow(ROLE_A, "kms:Decrypt")),
                        BypassPolicyLockoutSafetyCheck=True)
    key = answer["KeyMetadata"]["KeyId"] if "KeyMetadata" in answer else key_id
    assert refused(client.put_key_policy, KeyId=key, Policy=document(DELEGATE_TO_ACCOUNT)) == \
        denial(ROOT, "PutKeyPolicy", KEY_ARN + key, "resource")


def test_lockout_check_accepts_a_policy_naming_the_caller_directly(kms, as_a):
    key = new_key(as_a, allow(ROLE_A, "kms:PutKeyPolicy"))
    as_a.put_key_policy(KeyId=key, Policy=document(allow(ROLE_A, ["kms:PutKeyPolicy", "kms:Encrypt"])))
    encrypt(as_a, key)


def test_lockout_check_accepts_delegation_when_the_callers_identity_policy_allows(kms):
    kms.allow(ROLE_A, identity(grants("Allow", ["kms:CreateKey", "kms:PutKeyPolicy"])))
    as_a = kms.client(principal=ROLE_A)
    new_key(as_a, DELEGATE_TO_ACCOUNT)


def test_lockout_check_refuses_delegation_when_the_callers_identity_policy_does_not_allow(kms):
    kms.allow(ROLE_A, identity(grants("Allow", "kms:CreateKey")))
    as_a = kms.client(principal=ROLE_A)
    assert refused(as_a.create_key, Policy=document(DELEGATE_TO_ACCOUNT)) == \
        ("MalformedPolicyDocumentException", LOCKOUT, 400)


def test_create_key_without_a_policy_skips_the_lockout_check(kms):
    kms.allow(ROLE_A, identity(grants("Allow", "kms:CreateKey")))
    key = kms.client(principal=ROLE_A).create_key()["KeyMetadata"]["KeyId"]
    assert kms.client().get_key_policy(KeyId=key)["Policy"] == DEFAULT_POLICY


# --------------------------------------------------------------------------- least privilege

@pytest.fixture
def encrypt_only_for_a(client):
    """A key whose policy lets role A Encrypt, and nobody anything else (no account delegation)."""
    return new_key(client, allow(ROLE_A, "kms:Encrypt"), bypass=True)


def test_role_named_in_the_key_policy_can_do_what_it_allows(as_a, encrypt_only_for_a):
    encrypt(as_a, encrypt_only_for_a)


def test_role_named_in_the_key_policy_cannot_do_anything_else(as_a, encrypt_only_for_a):
    blob = encrypt(as_a, encrypt_only_for_a)
    assert refused(as_a.decrypt, CiphertextBlob=blob) == \
        denial(ROLE_A, "Decrypt", KEY_ARN + encrypt_only_for_a, "resource")


def test_role_not_named_in_the_key_policy_is_denied(as_b, encrypt_only_for_a):
    assert refused(as_b.encrypt, KeyId=encrypt_only_for_a, Plaintext=b"x") == \
        denial(ROLE_B, "Encrypt", KEY_ARN + encrypt_only_for_a, "resource")


def test_account_root_is_denied_when_the_key_policy_does_not_delegate_to_the_account(client,
                                                                                     encrypt_only_for_a):
    assert refused(client.describe_key, KeyId=encrypt_only_for_a) == \
        denial(ROOT, "DescribeKey", KEY_ARN + encrypt_only_for_a, "resource")


def test_key_policy_naming_a_role_lets_its_sessions_in(kms, encrypt_only_for_a):
    encrypt(kms.client(principal=SESSION_A), encrypt_only_for_a)


def test_key_policy_naming_a_user_lets_that_user_in(kms, client):
    key = new_key(client, allow(USER, "kms:Encrypt"), bypass=True)
    encrypt(kms.client(principal=USER), key)
    assert refused(kms.client(principal=f"arn:aws:iam::{ACCOUNT}:user/bob").encrypt, KeyId=key,
                   Plaintext=b"x") == denial(f"arn:aws:iam::{ACCOUNT}:user/bob", "Encrypt", KEY_ARN + key,
                                             "resource")


def test_key_policy_naming_the_role_does_not_let_a_user_of_the_same_name_in(kms, encrypt_only_for_a):
    caller = f"arn:aws:iam::{ACCOUNT}:user/app"
    assert refused(kms.client(principal=caller).encrypt, KeyId=encrypt_only_for_a, Plaintext=b"x") == \
        denial(caller, "Encrypt", KEY_ARN + encrypt_only_for_a, "resource")


def test_key_policy_principal_star_lets_every_principal_of_the_account_in(kms, client, as_b):
    key = new_key(client, ADMIN, allow("*", "kms:Encrypt"))
    encrypt(as_b, key)
    encrypt(kms.client(principal=USER), key)


def test_key_policy_naming_the_account_by_id_delegates_like_its_root_arn(client, as_a):
    key = new_key(client, allow(ACCOUNT, "kms:*"))
    encrypt(as_a, key)


# --------------------------------------------------------------------------- explicit deny

@pytest.fixture
def decrypt_denied_to_a(client):
    return new_key(client, DELEGATE_TO_ACCOUNT, deny(ROLE_A, "kms:Decrypt"))


def test_key_policy_deny_beats_delegation_to_the_account(as_a, decrypt_denied_to_a):
    blob = encrypt(as_a, decrypt_denied_to_a)
    assert refused(as_a.decrypt, CiphertextBlob=blob) == \
        denial(ROLE_A, "Decrypt", KEY_ARN + decrypt_denied_to_a, "deny-resource")


def test_key_policy_deny_for_a_role_leaves_the_root_alone(client, as_a, decrypt_denied_to_a):
    blob = encrypt(as_a, decrypt_denied_to_a)
    assert client.decrypt(CiphertextBlob=blob)["Plaintext"] == b"secret"


def test_key_policy_deny_for_a_role_applies_to_its_sessions(kms, decrypt_denied_to_a):
    session = kms.client(principal=SESSION_A)
    blob = encrypt(session, decrypt_denied_to_a)
    assert refused(session.decrypt, CiphertextBlob=blob) == \
        denial(SESSION_A, "Decrypt", KEY_ARN + decrypt_denied_to_a, "deny-resource")


def test_key_policy_deny_beats_an_allow_naming_the_caller(client, as_a):
    key = new_key(client, ADMIN, allow(ROLE_A, "kms:*"), deny(ROLE_A, "kms:Encrypt"))
    assert refused(as_a.encrypt, KeyId=key, Plaintext=b"x") == \
        denial(ROLE_A, "Encrypt", KEY_ARN + key, "deny-resource")


def test_key_policy_deny_naming_the_account_applies_to_its_principals(client, as_a):
    key = new_key(client, DELEGATE_TO_ACCOUNT, deny(ROOT, "kms:Encrypt"))
    assert refused(as_a.encrypt, KeyId=key, Plaintext=b"x") == \
        denial(ROLE_A, "Encrypt", KEY_ARN + key, "deny-resource")


def test_identity_policy_deny_beats_identity_allow(kms, client, key_id):
    kms.allow(ROLE_A, identity(grants("Allow", "kms:*"), grants("Deny", "kms:Decrypt")))
    as_a = kms.client(principal=ROLE_A)
    blob = encrypt(as_a, key_id)
    assert refused(as_a.decrypt, CiphertextBlob=blob) == \
        denial(ROLE_A, "Decrypt", KEY_ARN + key_id, "deny-identity")


def test_identity_policy_deny_beats_a_key_policy_allow_naming_the_caller(kms, client):
    key = new_key(client, ADMIN, allow(ROLE_A, "kms:*"))
    kms.allow(ROLE_A, identity(grants("Deny", "kms:Encrypt")))
    as_a = kms.client(principal=ROLE_A)
    assert refused(as_a.encrypt, KeyId=key, Plaintext=b"x") == \
        denial(ROLE_A, "Encrypt", KEY_ARN + key, "deny-identity")


def test_identity_deny_in_a_second_attached_policy_still_denies(kms, key_id):
    kms.allow(ROLE_A, identity(grants("Allow", "kms:*")))
    kms.allow(ROLE_A, identity(grants("Deny", "kms:DescribeKey")))
    assert refused(kms.client(principal=ROLE_A).describe_key, KeyId=key_id) == \
        denial(ROLE_A, "DescribeKey", KEY_ARN + key_id, "deny-identity")


# --------------------------------------------------------------------------- identity side

def test_identity_policy_allowing_only_encrypt_allows_encrypt(kms, key_id):
    kms.allow(ROLE_A, identity(grants("Allow", "kms:Encrypt")))
    encrypt(kms.client(principal=ROLE_A), key_id)


def test_identity_policy_allowing_only_encrypt_denies_decrypt(kms, key_id):
    kms.allow(ROLE_A, identity(grants("Allow", "kms:Encrypt")))
    as_a = kms.client(principal=ROLE_A)
    blob = encrypt(as_a, key_id)
    assert refused(as_a.decrypt, CiphertextBlob=blob) == \
        denial(ROLE_A, "Decrypt", KEY_ARN + key_id, "identity")


def test_role_without_identity_policies_may_use_a_default_policy_key(as_a, key_id):
    blob = encrypt(as_a, key_id)
    assert as_a.decrypt(CiphertextBlob=blob)["Plaintext"] == b"secret"


def test_role_without_identity_policies_may_administer_a_default_policy_key(as_a, key_id):
    as_a.disable_key(KeyId=key_id)
    as_a.put_key_policy(KeyId=key_id, Policy=document(DELEGATE_TO_ACCOUNT))


def test_session_inherits_its_roles_identity_policies(kms, key_id):
    kms.allow(ROLE_A, identity(grants("Allow", "kms:Encrypt")))
    session = kms.client(principal=SESSION_A)
    blob = encrypt(session, key_id)
    assert refused(session.decrypt, CiphertextBlob=blob) == \
        denial(SESSION_A, "Decrypt", KEY_ARN + key_id, "identity")


def test_role_with_a_path_shares_identity_policies_with_its_sessions(kms, key_id):
    kms.allow(f"arn:aws:iam::{ACCOUNT}:role/team/app", identity(grants("Allow", "kms:Encrypt")))
    session = kms.client(principal=SESSION_A)
    assert refused(session.describe_key, KeyId=key_id) == \
        denial(SESSION_A, "DescribeKey", KEY_ARN + key_id, "identity")


def test_user_with_an_identity_policy_is_held_to_it(kms, key_id):
    kms.allow(USER, identity(grants("Allow", ["kms:Encrypt", "kms:DescribeKey"])))
    alice = kms.client(principal=USER)
    encrypt(alice, key_id)
    assert refused(alice.disable_key, KeyId=key_id) == denial(USER, "DisableKey", KEY_ARN + key_id, "identity")


def test_identity_policies_of_one_role_do_not_apply_to_another(kms, as_b, key_id):
    kms.allow(ROLE_A, identity(grants("Deny", "kms:*")))
    encrypt(as_b, key_id)


def test_identity_policies_of_a_role_in_another_account_do_not_apply_here(kms, as_a, key_id):
    kms.allow(f"arn:aws:iam::{OTHER_ACCOUNT}:role/app", identity(grants("Deny", "kms:*")))
    encrypt(as_a, key_id)


def test_identity_policy_given_as_json_text_is_attached(kms, key_id):
    kms.allow(ROLE_A, json.dumps(identity(grants("Allow", "kms:Encrypt"))))
    assert refused(kms.client(principal=ROLE_A).describe_key, KeyId=key_id) == \
        denial(ROLE_A, "DescribeKey", KEY_ARN + key_id, "identity")


def test_account_root_is_always_allowed_by_iam(kms, client):
    key = new_key(client, allow(ROOT, "kms:*"))
    kms.allow(ROOT, identity(grants("Allow", "kms:Encrypt")))
    client.describe_key(KeyId=key)


def test_identity_allow_does_not_help_when_the_key_policy_does_not_delegate(kms, encrypt_only_for_a):
    kms.allow(ROLE_B, identity(grants("Allow", "kms:*")))
    as_b = kms.client(principal=ROLE_B)
    assert refused(as_b.encrypt, KeyId=encrypt_only_for_a, Plaintext=b"x") == \
        denial(ROLE_B, "Encrypt", KEY_ARN + encrypt_only_for_a, "resource")


def test_denied_dry_run_is_access_denied_not_dry_run(kms, key_id):
    kms.allow(ROLE_A, identity(grants("Allow", "kms:Decrypt")))
    as_a = kms.client(principal=ROLE_A)
    assert refused(as_a.encrypt, KeyId=key_id, Plaintext=b"x", DryRun=True) == \
        denial(ROLE_A, "Encrypt", KEY_ARN + key_id, "identity")


# --------------------------------------------------------------------------- other accounts

@pytest.fixture
def shared_with_other_account(client):
    return new_key(client, DELEGATE_TO_ACCOUNT, allow(OTHER_ACCOUNT, ["kms:Encrypt", "kms:DescribeKey"]))


def test_other_account_role_with_key_policy_and_identity_policy_may_use_the_key(kms, shared_with_other_account):
    kms.allow(OTHER_ROLE, identity(grants("Allow", "kms:Encrypt")))
    partner = kms.client(principal=OTHER_ROLE)
    encrypt(partner, KEY_ARN + shared_with_other_account)


def test_other_account_role_without_identity_policy_is_denied(kms, shared_with_other_account):
    partner = kms.client(principal=OTHER_ROLE)
    assert refused(partner.encrypt, KeyId=KEY_ARN + shared_with_other_account, Plaintext=b"x") == \
        denial(OTHER_ROLE, "Encrypt", KEY_ARN + shared_with_other_account, "identity")


def test_other_account_role_not_named_in_the_key_policy_is_denied(kms, key_id):
    kms.allow(OTHER_ROLE, identity(grants("Allow", "kms:*")))
    partner = kms.client(principal=OTHER_ROLE)
    assert refused(partner.encrypt, KeyId=KEY_ARN + key_id, Plaintext=b"x") == \
        denial(OTHER_ROLE, "Encrypt", KEY_ARN + key_id, "resource")


def test_other_account_root_is_allowed_by_its_iam_when_the_key_policy_names_its_account(
        kms, shared_with_other_account):
    other_root = kms.client(principal=OTHER_ACCOUNT)
    encrypt(other_root, KEY_ARN + shared_with_other_account)


def test_other_account_may_not_call_operations_that_never_work_across_accounts(kms, client):
    key = new_key(client, DELEGATE_TO_ACCOUNT, allow(OTHER_ACCOUNT, "kms:*"))
    other_root = kms.client(principal=OTHER_ACCOUNT)
    assert refused(other_root.disable_key, KeyId=KEY_ARN + key) == \
        denial(OTHER_ROOT, "DisableKey", KEY_ARN + key, "resource")


def test_other_account_role_named_in_the_key_policy_still_needs_its_identity_policy(kms, client):
    key = new_key(client, DELEGATE_TO_ACCOUNT, allow(OTHER_ROLE, "kms:Encrypt"))
    partner = kms.client(principal=OTHER_ROLE)
    assert refused(partner.encrypt, KeyId=KEY_ARN + key, Plaintext=b"x") == \
        denial(OTHER_ROLE, "Encrypt", KEY_ARN + key, "identity")


# --------------------------------------------------------------------------- wildcards

def test_action_prefix_wildcard_allows_matching_actions(client, as_a):
    key = new_key(client, ADMIN, allow(ROLE_A, "kms:Get*"), KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")
    assert as_a.get_key_policy(KeyId=key)["PolicyName"] == "default"
    assert as_a.get_public_key(KeyId=key)["KeySpec"] == "ECC_NIST_P256"


def test_action_prefix_wildcard_denies_other_actions(client, as_a):
    key = new_key(client, ADMIN, allow(ROLE_A, "kms:Get*"))
    assert refused(as_a.describe_key, KeyId=key) == denial(ROLE_A, "DescribeKey", KEY_ARN + key, "resource")


def test_kms_star_allows_every_kms_action(client, as_a):
    key = new_key(client, ADMIN, allow(ROLE_A, "kms:*"))
    as_a.disable_key(KeyId=key)
    as_a.enable_key(KeyId=key)
    as_a.update_key_description(KeyId=key, Description="mine")
    assert as_a.describe_key(KeyId=key)["KeyMetadata"]["Description"] == "mine"


def test_action_names_match_case_insensitively(client, as_a):
    key = new_key(client, ADMIN, allow(ROLE_A, "KMS:encrypt"))
    encrypt(as_a, key)


def test_generate_data_key_wildcard_covers_the_data_key_operations(client, as_a):
    key = new_key(client, ADMIN, allow(ROLE_A, "kms:GenerateDataKey*"))
    as_a.generate_data_key(KeyId=key, KeySpec="AES_256")
    as_a.generate_data_key_without_plaintext(KeyId=key, KeySpec="AES_256")
    assert refused(as_a.encrypt, KeyId=key, Plaintext=b"x") == denial(ROLE_A, "Encrypt", KEY_ARN + key, "resource")


def test_re_encrypt_needs_re_encrypt_from_on_the_source_and_re_encrypt_to_on_the_destination(client, as_a):
    source = new_key(client, ADMIN, allow(ROLE_A, ["kms:Encrypt", "kms:ReEncryptFrom"]))
    destination = new_key(client, ADMIN, allow(ROLE_A, "kms:ReEncryptTo"))
    blob = encrypt(as_a, source)
    answer = as_a.re_encrypt(CiphertextBlob=blob, DestinationKeyId=destination)
    assert answer["KeyId"] == KEY_ARN + destination


def test_re_encrypt_without_re_encrypt_to_on_the_destination_is_denied(client, as_a):
    source = new_key(client, ADMIN, allow(ROLE_A, ["kms:Encrypt", "kms:ReEncrypt*"]))
    destination = new_key(client, ADMIN, allow(ROLE_A, "kms:ReEncryptFrom"))
    blob = encrypt(as_a, source)
    assert refused(as_a.re_encrypt, CiphertextBlob=blob, DestinationKeyId=destination) == \
        denial(ROLE_A, "ReEncryptTo", KEY_ARN + destination, "resource")


def test_re_encrypt_without_re_encrypt_from_on_the_source_is_denied(client, as_a):
    source = new_key(client, ADMIN, allow(ROLE_A, ["kms:Encrypt", "kms:ReEncryptTo"]))
    blob = encrypt(as_a, source)
    assert refused(as_a.re_encrypt, CiphertextBlob=blob, DestinationKeyId=source) == \
        denial(ROLE_A, "ReEncryptFrom", KEY_ARN + source, "resource")


def test_not_action_allows_the_actions_it_does_not_list(client, as_a):
    key = new_key(client, ADMIN, allow(ROLE_A, "kms:Decrypt", not_action=True))
    encrypt(as_a, key)


def test_not_action_does_not_allow_the_actions_it_lists(client, as_a):
    key = new_key(client, ADMIN, allow(ROLE_A, "kms:Decrypt", not_action=True))
    blob = encrypt(as_a, key)
    assert refused(as_a.decrypt, CiphertextBlob=blob) == denial(ROLE_A, "Decrypt", KEY_ARN + key, "resource")


def test_identity_policy_resource_naming_the_key_arn_allows_that_key(kms, key_id):
    kms.allow(ROLE_A, identity(grants("Allow", "kms:DescribeKey", resource=KEY_ARN + key_id)))
    kms.client(principal=ROLE_A).describe_key(KeyId=key_id)


def test_identity_policy_resource_naming_another_key_does_not_allow_this_one(kms, client, key_id):
    other = client.create_key()["KeyMetadata"]["KeyId"]
    kms.allow(ROLE_A, identity(grants("Allow", "kms:DescribeKey", resource=KEY_ARN + other)))
    assert refused(kms.client(principal=ROLE_A).describe_key, KeyId=key_id) == \
        denial(ROLE_A, "DescribeKey", KEY_ARN + key_id, "identity")


def test_identity_policy_resource_wildcard_allows_the_accounts_keys(kms, key_id):
    kms.allow(ROLE_A, identity(grants("Allow", "kms:DescribeKey", resource=f"arn:aws:kms:*:{ACCOUNT}:key/*")))
    kms.client(principal=ROLE_A).describe_key(KeyId=key_id)


def test_key_policy_resource_naming_the_key_itself_applies(client, as_a):
    key = new_key(client, ADMIN)
    policy = document(ADMIN, allow(ROLE_A, "kms:Encrypt", resource=KEY_ARN + key))
    client.put_key_policy(KeyId=key, Policy=policy)
    encrypt(as_a, key)


def test_key_policy_resource_naming_another_key_does_not_apply(client, as_a):
    key = new_key(client, ADMIN)
    other = client.create_key()["KeyMetadata"]["KeyId"]
    client.put_key_policy(KeyId=key, Policy=document(ADMIN, allow(ROLE_A, "kms:Encrypt", resource=KEY_ARN + other)))
    assert refused(as_a.encrypt, KeyId=key, Plaintext=b"x") == denial(ROLE_A, "Encrypt", KEY_ARN + key, "resource")


# --------------------------------------------------------------------------- conditions

def conditional_key(client, action, condition, principal=ROLE_A):
    """A key on which ``principal`` may do ``action`` only under ``condition`` (the root only administers)."""
    return new_key(client, ADMIN, allow(principal, action, condition=condition))


def test_encryption_context_string_equals(client, as_a):
    key = conditional_key(client, "kms:Encrypt", {"StringEquals": {"kms:EncryptionContext:tenant": "acme"}})
    encrypt(as_a, key, {"tenant": "acme"})
    assert refused(encrypt, as_a, key, {"tenant": "globex"}) == denial(ROLE_A, "Encrypt", KEY_ARN + key, "resource")


def test_encryption_context_string_equals_fails_without_the_context(client, as_a):
    key = conditional_key(client, "kms:Encrypt", {"StringEquals": {"kms:EncryptionContext:tenant": "acme"}})
    assert refused(encrypt, as_a, key) == denial(ROLE_A, "Encrypt", KEY_ARN + key, "resource")


def test_encryption_context_condition_applies_to_decrypt(client, as_a):
    key = conditional_key(client, ["kms:Encrypt", "kms:Decrypt"],
                          {"StringEquals": {"kms:EncryptionContext:tenant": "acme"}})
    blob = encrypt(as_a, key, {"tenant": "acme"})
    assert as_a.decrypt(CiphertextBlob=blob, EncryptionContext={"tenant": "acme"})["Plaintext"] == b"secret"
    # The policy refuses before the ciphertext is even opened (no InvalidCiphertextException).
    assert refused(as_a.decrypt, CiphertextBlob=blob, EncryptionContext={"tenant": "globex"}) == \
        denial(ROLE_A, "Decrypt", KEY_ARN + key, "resource")


def test_encryption_context_values_in_a_list_are_alternatives(client, as_a):
    key = conditional_key(client, "kms:Encrypt",
                          {"StringEquals": {"kms:EncryptionContext:tenant": ["acme", "globex"]}})
    encrypt(as_a, key, {"tenant": "acme"})
    encrypt(as_a, key, {"tenant": "globex"})
    assert refused(encrypt, as_a, key, {"tenant": "initech"})[0] == "AccessDeniedException"


def test_encryption_context_values_are_case_sensitive(client, as_a):
    key = conditional_key(client, "kms:Encrypt", {"StringEquals": {"kms:EncryptionContext:tenant": "acme"}})
    assert refused(encrypt, as_a, key, {"tenant": "ACME"}) == denial(ROLE_A, "Encrypt", KEY_ARN + key, "resource")


def test_for_all_values_encryption_context_keys(client, as_a):
    key = conditional_key(client, "kms:Encrypt",
                          {"ForAllValues:StringEquals": {"kms:EncryptionContextKeys": ["tenant", "purpose"]}})
    encrypt(as_a, key, {"tenant": "acme"})
    encrypt(as_a, key, {"tenant": "acme", "purpose": "backup"})
    assert refused(encrypt, as_a, key, {"tenant": "acme", "owner": "bob"}) == \
        denial(ROLE_A, "Encrypt", KEY_ARN + key, "resource")


def test_for_all_values_holds_when_there_is_no_encryption_context(client, as_a):
    # The documented IAM pitfall: ForAllValues over an absent multi-valued key is true.
    key = conditional_key(client, "kms:Encrypt",
                          {"ForAllValues:StringEquals": {"kms:EncryptionContextKeys": ["tenant"]}})
    encrypt(as_a, key)


def test_for_any_value_encryption_context_keys(client, as_a):
    key = conditional_key(client, "kms:Encrypt",
                          {"ForAnyValue:StringEquals": {"kms:EncryptionContextKeys": "tenant"}})
    encrypt(as_a, key, {"tenant": "acme", "owner": "bob"})
    assert refused(encrypt, as_a, key) == denial(ROLE_A, "Encrypt", KEY_ARN + key, "resource")


def test_string_like_encryption_context(client, as_a):
    key = conditional_key(client, "kms:Encrypt", {"StringLike": {"kms:EncryptionContext:project": "alpha-*"}})
    encrypt(as_a, key, {"project": "alpha-7"})
    assert refused(encrypt, as_a, key, {"project": "beta-7"}) == denial(ROLE_A, "Encrypt", KEY_ARN + key, "resource")


def test_null_condition_requires_an_encryption_context(client, as_a):
    key = conditional_key(client, "kms:Encrypt", {"Null": {"kms:EncryptionContextKeys": "false"}})
    encrypt(as_a, key, {"any": "thing"})
    assert refused(encrypt, as_a, key) == denial(ROLE_A, "Encrypt", KEY_ARN + key, "resource")


def test_null_true_condition_requires_no_encryption_context(client, as_a):
    key = conditional_key(client, "kms:Encrypt", {"Null": {"kms:EncryptionContextKeys": "true"}})
    encrypt(as_a, key)
    assert refused(encrypt, as_a, key, {"any": "thing"}) == denial(ROLE_A, "Encrypt", KEY_ARN + key, "resource")


def test_if_exists_holds_when_the_context_key_is_absent_or_matches(client, as_a):
    key = conditional_key(client, "kms:Encrypt",
                          {"StringEqualsIfExists": {"kms:EncryptionContext:tenant": "acme"}})
    encrypt(as_a, key)
    encrypt(as_a, key, {"tenant": "acme"})
    assert refused(encrypt, as_a, key, {"tenant": "globex"}) == denial(ROLE_A, "Encrypt", KEY_ARN + key, "resource")


def test_all_operators_of_a_condition_must_hold(client, as_a):
    key = conditional_key(client, "kms:Encrypt", {
        "StringEquals": {"kms:EncryptionContext:tenant": "acme"},
        "StringLike": {"kms:EncryptionContext:project": "alpha-*"},
    })
    encrypt(as_a, key, {"tenant": "acme", "project": "alpha-1"})
    assert refused(encrypt, as_a, key, {"tenant": "acme", "project": "beta-1"})[0] == "AccessDeniedException"


def test_bool_multi_region_condition(kms, client):
    multi = client.create_key(MultiRegion=True)["KeyMetadata"]["KeyId"]
    single = client.create_key()["KeyMetadata"]["KeyId"]
    kms.allow(ROLE_A, identity(grants("Allow", "kms:DescribeKey", condition={"Bool": {"kms:MultiRegion": "true"}})))
    as_a = kms.client(principal=ROLE_A)
    assert as_a.describe_key(KeyId=multi)["KeyMetadata"]["MultiRegion"] is True
    assert refused(as_a.describe_key, KeyId=single) == denial(ROLE_A, "DescribeKey", KEY_ARN + single, "identity")


def test_string_condition_compares_a_json_boolean_as_true_or_false(kms, client):
    multi = client.create_key(MultiRegion=True)["KeyMetadata"]["KeyId"]
    single = client.create_key()["KeyMetadata"]["KeyId"]
    kms.allow(ROLE_A, identity(grants("Allow", "kms:DescribeKey",
                                      condition={"StringEquals": {"kms:MultiRegion": True}})))
    as_a = kms.client(principal=ROLE_A)
    assert as_a.describe_key(KeyId=multi)["KeyMetadata"]["MultiRegion"] is True
    assert refused(as_a.describe_key, KeyId=single) == denial(ROLE_A, "DescribeKey", KEY_ARN + single, "identity")


def test_caller_account_condition(kms, client):
    key = new_key(client, ADMIN, allow("*", "kms:Encrypt",
                                       condition={"StringEquals": {"kms:CallerAccount": OTHER_ACCOUNT}}))
    kms.allow(OTHER_ROLE, identity(grants("Allow", "kms:Encrypt")))
    encrypt(kms.client(principal=OTHER_ROLE), KEY_ARN + key)
    as_a = kms.client(principal=ROLE_A)
    assert refused(encrypt, as_a, key) == denial(ROLE_A, "Encrypt", KEY_ARN + key, "resource")


def test_via_service_condition(kms, client):
    key = conditional_key(client, "kms:Encrypt", {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}})
    encrypt(kms.client(principal=ROLE_A, via_service="s3.us-east-1.amazonaws.com"), key)
    assert refused(encrypt, kms.client(principal=ROLE_A), key) == denial(ROLE_A, "Encrypt", KEY_ARN + key, "resource")


def test_via_service_condition_refuses_another_service(kms, client):
    key = conditional_key(client, "kms:Encrypt", {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}})
    via_ebs = kms.client(principal=ROLE_A, via_service="ec2.us-east-1.amazonaws.com")
    assert refused(encrypt, via_ebs, key) == denial(ROLE_A, "Encrypt", KEY_ARN + key, "resource")


def test_credentials_with_via_service_work_with_a_plain_boto3_client(kms, client):
    import boto3
    key = conditional_key(client, "kms:Encrypt", {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}})
    credentials = kms.credentials(ROLE_A, via_service="s3.us-east-1.amazonaws.com")
    encrypt(boto3.client("kms", region_name=REGION, **credentials), key)


@pytest.fixture
def alias_only_key(client):
    key = conditional_key(client, ["kms:Encrypt", "kms:Decrypt"],
                          {"StringEquals": {"kms:RequestAlias": "alias/app"}})
    client.create_alias(AliasName="alias/app", TargetKeyId=key)
    return key


def test_request_alias_condition_on_encrypt(as_a, alias_only_key):
    encrypt(as_a, "alias/app")
    encrypt(as_a, f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/app")
    assert refused(encrypt, as_a, alias_only_key) == denial(ROLE_A, "Encrypt", KEY_ARN + alias_only_key, "resource")


def test_request_alias_condition_on_decrypt(as_a, alias_only_key):
    blob = encrypt(as_a, "alias/app")
    assert as_a.decrypt(CiphertextBlob=blob, KeyId="alias/app")["Plaintext"] == b"secret"
    assert refused(as_a.decrypt, CiphertextBlob=blob) == \
        denial(ROLE_A, "Decrypt", KEY_ARN + alias_only_key, "resource")


def test_principal_arn_like_condition(kms, client):
    key = new_key(client, ADMIN, allow("*", "kms:Encrypt", condition={
        "ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/app*"}}))
    encrypt(kms.client(principal=ROLE_A), key)
    assert refused(encrypt, kms.client(principal=ROLE_B), key) == denial(ROLE_B, "Encrypt", KEY_ARN + key, "resource")


def test_principal_arn_of_a_session_is_its_roles_arn(kms, client):
    key = new_key(client, ADMIN, allow("*", "kms:Encrypt", condition={"ArnEquals": {"aws:PrincipalArn": ROLE_A}}))
    encrypt(kms.client(principal=SESSION_A), key)


def test_numeric_less_than_pending_window_condition(client):
    key = new_key(client, DELEGATE_TO_ACCOUNT, deny("*", "kms:ScheduleKeyDeletion", condition={
        "NumericLessThan": {"kms:ScheduleKeyDeletionPendingWindowInDays": "14"}}))
    assert refused(client.schedule_key_deletion, KeyId=key, PendingWindowInDays=7) == \
        denial(ROOT, "ScheduleKeyDeletion", KEY_ARN + key, "deny-resource")
    assert client.schedule_key_deletion(KeyId=key, PendingWindowInDays=14)["PendingWindowInDays"] == 14


def test_encryption_algorithm_condition(kms, client):
    key = new_key(client, ADMIN, allow(ROLE_A, "kms:Encrypt", condition={
        "StringEquals": {"kms:EncryptionAlgorithm": "RSAES_OAEP_SHA_256"}}),
        KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")
    as_a = kms.client(principal=ROLE_A)
    encrypt(as_a, key, EncryptionAlgorithm="RSAES_OAEP_SHA_256")
    assert refused(encrypt, as_a, key, EncryptionAlgorithm="RSAES_OAEP_SHA_1") == \
        denial(ROLE_A, "Encrypt", KEY_ARN + key, "resource")


def test_encryption_algorithm_of_a_symmetric_call_is_symmetric_default(client, as_a):
    key = conditional_key(client, "kms:Encrypt",
                          {"StringEquals": {"kms:EncryptionAlgorithm": "SYMMETRIC_DEFAULT"}})
    encrypt(as_a, key)
    key2 = conditional_key(client, "kms:Encrypt",
                           {"StringEquals": {"kms:EncryptionAlgorithm": "RSAES_OAEP_SHA_256"}})
    assert refused(encrypt, as_a, key2) == denial(ROLE_A, "Encrypt", KEY_ARN + key2, "resource")


def test_encryption_context_key_in_the_condition_key_name_is_case_insensitive(client, as_a):
    # AWS: the condition key name, context key included, is not case sensitive; the value is.
    key = conditional_key(client, "kms:Encrypt", {"StringEquals": {"kms:EncryptionContext:Tenant": "acme"}})
    encrypt(as_a, key, {"tenant": "acme"})
    assert refused(encrypt, as_a, key, {"tenant": "Acme"})[0] == "AccessDeniedException"


def test_encryption_context_keys_values_are_case_sensitive(client, as_a):
    key = conditional_key(client, "kms:Encrypt",
                          {"ForAnyValue:StringEquals": {"kms:EncryptionContextKeys": "tenant"}})
    encrypt(as_a, key, {"tenant": "acme"})
    assert refused(encrypt, as_a, key, {"Tenant": "acme"}) == denial(ROLE_A, "Encrypt", KEY_ARN + key, "resource")


def test_re_encrypt_on_same_key_condition(client, as_a):
    # keys-lifecycle.md §4.1: kms:ReEncryptOnSameKey is true when source and destination are the same key.
    same_only = {"Bool": {"kms:ReEncryptOnSameKey": "true"}}
    key = new_key(client, ADMIN, allow(ROLE_A, "kms:Encrypt"), allow(ROLE_A, "kms:ReEncrypt*", condition=same_only))
    other = new_key(client, ADMIN, allow(ROLE_A, "kms:ReEncrypt*", condition=same_only))
    blob = encrypt(as_a, key)
    assert as_a.re_encrypt(CiphertextBlob=blob, DestinationKeyId=key)["KeyId"] == KEY_ARN + key
    assert refused(as_a.re_encrypt, CiphertextBlob=blob, DestinationKeyId=other) == \
        denial(ROLE_A, "ReEncryptFrom", KEY_ARN + key, "resource")


def test_resource_aliases_condition(client, as_a):
    key = conditional_key(client, "kms:Encrypt",
                          {"ForAnyValue:StringEquals": {"kms:ResourceAliases": "alias/finance"}})
    assert refused(encrypt, as_a, key) == denial(ROLE_A, "Encrypt", KEY_ARN + key, "resource")
    client.create_alias(AliasName="alias/finance", TargetKeyId=key)
    encrypt(as_a, key)


def test_resource_tag_condition(client, as_a):
    key = new_key(client, allow(ROOT, ADMIN_ACTIONS + ["kms:TagResource"]),
                  allow(ROLE_A, "kms:Encrypt", condition={"StringEquals": {"aws:ResourceTag/team": "blue"}}))
    assert refused(encrypt, as_a, key) == denial(ROLE_A, "Encrypt", KEY_ARN + key, "resource")
    client.tag_resource(KeyId=key, Tags=[{"TagKey": "team", "TagValue": "blue"}])
    encrypt(as_a, key)


def test_key_spec_condition_on_create_key(kms):
    kms.allow(ROLE_A, identity(grants("Allow", "kms:CreateKey",
                                      condition={"StringEquals": {"kms:KeySpec": "SYMMETRIC_DEFAULT"}})))
    as_a = kms.client(principal=ROLE_A)
    as_a.create_key()
    assert refused(as_a.create_key, KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY") == \
        denial(ROLE_A, "CreateKey", "*", "identity")


def test_bypass_policy_lockout_safety_check_condition(kms, key_id):
    kms.allow(ROLE_A, identity(grants("Allow", "kms:*"), grants(
        "Deny", ["kms:CreateKey", "kms:PutKeyPolicy"],
        condition={"Bool": {"kms:BypassPolicyLockoutSafetyCheck": "true"}})))
    as_a = kms.client(principal=ROLE_A)
    as_a.put_key_policy(KeyId=key_id, Policy=document(DELEGATE_TO_ACCOUNT), BypassPolicyLockoutSafetyCheck=False)
    assert refused(as_a.put_key_policy, KeyId=key_id, Policy=document(DELEGATE_TO_ACCOUNT),
                   BypassPolicyLockoutSafetyCheck=True) == \
        denial(ROLE_A, "PutKeyPolicy", KEY_ARN + key_id, "deny-identity")


def test_condition_in_an_identity_policy(kms, key_id):
    kms.allow(ROLE_A, identity(grants("Allow", "kms:Encrypt", condition={
        "StringEquals": {"kms:EncryptionContext:tenant": "acme"}})))
    as_a = kms.client(principal=ROLE_A)
    encrypt(as_a, key_id, {"tenant": "acme"})
    assert refused(encrypt, as_a, key_id, {"tenant": "globex"}) == \
        denial(ROLE_A, "Encrypt", KEY_ARN + key_id, "identity")


def test_unknown_condition_operator_is_malformed(client):
    policy = document(DELEGATE_TO_ACCOUNT, allow(ROLE_A, "kms:Decrypt", condition={"StringSortOf": {"a": "b"}}))
    assert refused(client.create_key, Policy=policy)[0] == "MalformedPolicyDocumentException"


# --------------------------------------------------------------------------- IAM-only operations

@pytest.fixture
def encrypt_only_role(kms):
    kms.allow(ROLE_A, identity(grants("Allow", "kms:Encrypt")))
    return kms.client(principal=ROLE_A)


def test_create_key_needs_an_identity_policy_allowing_it(encrypt_only_role):
    assert refused(encrypt_only_role.create_key) == denial(ROLE_A, "CreateKey", "*", "identity")


def test_list_keys_needs_an_identity_policy_allowing_it(encrypt_only_role):
    assert refused(encrypt_only_role.list_keys) == denial(ROLE_A, "ListKeys", "*", "identity")


def test_list_aliases_needs_an_identity_policy_allowing_it(encrypt_only_role):
    assert refused(encrypt_only_role.list_aliases) == denial(ROLE_A, "ListAliases", "*", "identity")


def test_generate_random_needs_an_identity_policy_allowing_it(encrypt_only_role):
    assert refused(encrypt_only_role.generate_random, NumberOfBytes=8) == \
        denial(ROLE_A, "GenerateRandom", "*", "identity")


def test_create_key_allowed_by_an_identity_policy(kms):
    kms.allow(ROLE_A, identity(grants("Allow", ["kms:CreateKey", "kms:ListKeys"])))
    as_a = kms.client(principal=ROLE_A)
    key = as_a.create_key()["KeyMetadata"]["KeyId"]
    assert [k["KeyId"] for k in as_a.list_keys()["Keys"]] == [key]


def test_role_without_identity_policies_may_create_and_list_keys(as_a):
    key = as_a.create_key()["KeyMetadata"]["KeyId"]
    assert [k["KeyId"] for k in as_a.list_keys()["Keys"]] == [key]


def test_identity_deny_on_create_key(kms):
    kms.allow(ROLE_A, identity(grants("Allow", "kms:*"), grants("Deny", "kms:CreateKey")))
    assert refused(kms.client(principal=ROLE_A).create_key) == denial(ROLE_A, "CreateKey", "*", "deny-identity")


def test_create_key_with_tags_also_needs_tag_resource(kms):
    kms.allow(ROLE_A, identity(grants("Allow", "kms:CreateKey")))
    as_a = kms.client(principal=ROLE_A)
    assert refused(as_a.create_key, Tags=[{"TagKey": "team", "TagValue": "x"}]) == \
        denial(ROLE_A, "TagResource", "*", "identity")


def test_create_alias_needs_the_permission_on_the_key_too(kms, key_id):
    alias_arn = f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/app"
    kms.allow(ROLE_A, identity(grants("Allow", "kms:CreateAlias", resource=alias_arn)))
    as_a = kms.client(principal=ROLE_A)
    assert refused(as_a.create_alias, AliasName="alias/app", TargetKeyId=key_id) == \
        denial(ROLE_A, "CreateAlias", KEY_ARN + key_id, "identity")


def test_create_alias_needs_the_permission_on_the_alias(kms, key_id):
    kms.allow(ROLE_A, identity(grants("Allow", "kms:CreateAlias", resource=KEY_ARN + key_id)))
    as_a = kms.client(principal=ROLE_A)
    alias_arn = f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/app"
    assert refused(as_a.create_alias, AliasName="alias/app", TargetKeyId=key_id) == \
        denial(ROLE_A, "CreateAlias", alias_arn, "identity")


# --------------------------------------------------------------------------- enforcement off

def test_without_enforcement_a_lockout_policy_is_accepted_and_everyone_uses_the_key():
    with mock_kms(enforce_policies=False) as m:
        root = m.client()
        key = root.create_key(Policy=document(allow(ROLE_A, "kms:Decrypt")))["KeyMetadata"]["KeyId"]
        encrypt(m.client(principal=ROLE_B), key)
        root.describe_key(KeyId=key)
        root.put_key_policy(KeyId=key, Policy=document(allow(ROLE_B, "kms:Decrypt")))
        assert json.loads(root.get_key_policy(KeyId=key)["Policy"]) == json.loads(
            document(allow(ROLE_B, "kms:Decrypt")))


def test_without_enforcement_identity_denies_are_ignored():
    with mock_kms(enforce_policies=False) as m:
        m.allow(ROLE_A, identity(grants("Deny", "kms:*")))
        as_a = m.client(principal=ROLE_A)
        key = as_a.create_key()["KeyMetadata"]["KeyId"]
        blob = encrypt(as_a, key)
        assert as_a.decrypt(CiphertextBlob=blob)["Plaintext"] == b"secret"


def test_without_enforcement_policies_are_still_validated():
    with mock_kms(enforce_policies=False) as m:
        with pytest.raises(ClientError) as excinfo:
            m.client().create_key(Policy="not json")
        assert error_of(excinfo) == ("MalformedPolicyDocumentException", "", 400)


# --------------------------------------------------------------------------- kms.allow arguments

@pytest.mark.parametrize("principal", [
    "app", "arn:aws:iam::12345:role/app", "arn:aws:s3:::bucket", "*", "arn:aws:iam::123456789012:group/devs",
])
def test_allow_refuses_a_string_that_names_no_principal(kms, principal):
    with pytest.raises(ValueError):
        kms.allow(principal, identity(grants("Allow", "kms:*")))


@pytest.mark.parametrize("policy", ["not json", "[]", json.dumps({"Version": "2012-10-17"})],
                         ids=["text", "array", "no-statement"])
def test_allow_refuses_a_policy_that_is_not_usable(kms, policy):
    with pytest.raises(ValueError):
        kms.allow(ROLE_A, policy)


def test_allow_refuses_an_identity_policy_that_names_a_principal(kms):
    statement = dict(grants("Allow", "kms:*"), Principal={"AWS": ROLE_B})
    with pytest.raises(ValueError, match="cannot name a Principal"):
        kms.allow(ROLE_A, identity(statement))


def test_allow_refuses_a_role_session_and_names_its_role(kms):
    with pytest.raises(ValueError, match=f"arn:aws:iam::{ACCOUNT}:role/app"):
        kms.allow(f"arn:aws:sts::{ACCOUNT}:assumed-role/app/session1", identity(grants("Allow", "kms:*")))


def test_refused_allow_attaches_nothing(kms, key_id):
    with pytest.raises(ValueError):
        kms.allow(ROLE_A, "not json")
    encrypt(kms.client(principal=ROLE_A), key_id)


def test_credentials_refuse_a_string_that_names_no_principal(kms):
    with pytest.raises(ValueError):
        kms.credentials("app")


# --------------------------------------------------------------------------- call log

def test_denied_call_is_logged_as_access_denied(kms, as_b, encrypt_only_for_a):
    with pytest.raises(ClientError):
        as_b.encrypt(KeyId=encrypt_only_for_a, Plaintext=b"x")
    assert kms.calls.last.operation == "Encrypt"
    assert kms.calls.last.error_code == "AccessDeniedException"


def test_call_log_records_the_callers_account(kms, shared_with_other_account):
    with pytest.raises(ClientError):
        kms.client(principal=OTHER_ROLE).encrypt(KeyId=KEY_ARN + shared_with_other_account, Plaintext=b"x")
    assert kms.calls.last.account_id == OTHER_ACCOUNT
    assert kms.calls.last.error_code == "AccessDeniedException"


# -- China: the aws-cn partition ----------------------------------------------------------------
CHINA = "cn-north-1"
CHINA_ROOT = f"arn:aws-cn:iam::{ACCOUNT}:root"


@pytest.fixture
def china(kms):
    from conftest import make_client
    return make_client(CHINA)


def test_default_key_policy_in_china_names_the_aws_cn_root(china):
    key = china.create_key()["KeyMetadata"]["KeyId"]
    policy = json.loads(china.get_key_policy(KeyId=key)["Policy"])
    assert policy["Statement"][0]["Principal"] == {"AWS": CHINA_ROOT}


def test_calls_in_china_are_made_by_the_aws_cn_root(kms, china):
    china.list_keys()
    assert kms.calls.last.principal == CHINA_ROOT


def test_access_denied_in_china_names_the_aws_cn_caller(china):
    role = f"arn:aws-cn:iam::{ACCOUNT}:role/app"
    key = new_key(china, allow(role, "kms:*"), bypass=True)
    arn = f"arn:aws-cn:kms:{CHINA}:{ACCOUNT}:key/{key}"
    assert refused(china.encrypt, KeyId=key, Plaintext=b"x") == denial(CHINA_ROOT, "Encrypt", arn, "resource")


def test_default_key_policy_in_china_lets_the_account_use_the_key(china):
    key = china.create_key()["KeyMetadata"]["KeyId"]
    blob = china.encrypt(KeyId=key, Plaintext=b"secret")["CiphertextBlob"]
    assert china.decrypt(CiphertextBlob=blob)["Plaintext"] == b"secret"
