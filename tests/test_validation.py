"""Model-driven validation: Coral's ValidationException wording, for every operation.

Most tests go through ``raw_client`` (botocore's own validation off) so the mock's
server-side checks are what answers; a few call the validator directly.
"""
from __future__ import annotations

import datetime as _dt

import pytest
from botocore import xform_name
from botocore.exceptions import ClientError

from conftest import error_of
from mockkms.errors import AWSError
from mockkms.model import operation_model, operation_names
from mockkms.model.validation import render_value, validate



def clauses(message):
    """(count, set of clauses) of a Coral message; AWS's clause order is not something to rely on."""
    head, _, rest = message.partition(" detected: ")
    count, noun = head.split(" ")[0], head.split(" ", 1)[1]
    assert noun == ("validation error" if count == "1" else "validation errors"), message
    return int(count), set(rest.split("; "))


def null(path):
    return f"Value null at '{path}' failed to satisfy constraint: Member must not be null"


def validation_error(call):
    with pytest.raises(ClientError) as excinfo:
        call()
    code, message, status = error_of(excinfo)
    assert (code, status) == ("ValidationException", 400), message
    assert "message" not in excinfo.value.response  # ValidationException is not modelled for KMS
    return message


# ---------------------------------------------------------------------------------- through the wire

def test_several_violations_are_counted_and_joined(raw_client, key_id):
    message = validation_error(lambda: raw_client.encrypt(KeyId=key_id, Plaintext=b"p" * 4097,
                                                          EncryptionAlgorithm="bad"))
    assert message.startswith("2 validation errors detected: ")
    count, found = clauses(message)
    assert count == 2
    assert "Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096" \
        in found
    assert any(c.startswith("Value 'bad' at 'encryptionAlgorithm' failed to satisfy constraint: "
                            "Member must satisfy enum value set: [") for c in found)


def test_required_member_missing(raw_client):
    message = validation_error(lambda: raw_client.describe_key())
    assert message == "1 validation error detected: " + null("keyId")


def test_every_missing_required_member_is_reported(raw_client):
    message = validation_error(lambda: raw_client.create_alias())
    assert clauses(message) == (2, {null("aliasName"), null("targetKeyId")})


@pytest.mark.parametrize("alias_name", ["alias/has space", "alias/ünïcode", "alias/semi;colon", "alias/newline\n"])
def test_pattern_violation_quotes_the_pattern(raw_client, key_id, alias_name):
    message = validation_error(lambda: raw_client.create_alias(AliasName=alias_name, TargetKeyId=key_id))
    assert message == (f"1 validation error detected: Value '{alias_name}' at 'aliasName' failed to satisfy "
                       "constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$")


@pytest.mark.parametrize("policy_name", ["two words", "défault", "default!"])
def test_unanchored_pattern_must_match_the_whole_value(raw_client, key_id, policy_name):
    """``[\\w]+`` is matched against the whole name, with Java's ASCII-only ``\\w``."""
    message = validation_error(lambda: raw_client.get_key_policy(KeyId=key_id, PolicyName=policy_name))
    assert message == (f"1 validation error detected: Value '{policy_name}' at 'policyName' failed to satisfy "
                       "constraint: Member must satisfy regular expression pattern: [\\w]+")


def test_blob_over_its_maximum_renders_as_a_java_byte_buffer(raw_client):
    message = validation_error(lambda: raw_client.decrypt(CiphertextBlob=b"c" * 6145))
    assert message == ("1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=6145 cap=6145]' "
                       "at 'ciphertextBlob' failed to satisfy constraint: "
                       "Member must have length less than or equal to 6144")


def test_empty_blob_is_under_its_minimum(raw_client):
    message = validation_error(lambda: raw_client.decrypt(CiphertextBlob=b""))
    assert message == ("1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=0 cap=0]' "
                       "at 'ciphertextBlob' failed to satisfy constraint: "
                       "Member must have length greater than or equal to 1")


def test_list_over_its_maximum_length(raw_client, key_id):
    tokens = [f"t{i}" for i in range(1, 12)]
    message = validation_error(lambda: raw_client.encrypt(KeyId=key_id, Plaintext=b"x", GrantTokens=tokens))
    assert message == ("1 validation error detected: Value '[" + ", ".join(tokens) + "]' at 'grantTokens' "
                       "failed to satisfy constraint: Member must have length less than or equal to 10")


def test_list_member_path_is_one_based(raw_client):
    tags = [{"TagKey": "fine", "TagValue": "v"}, {"TagKey": "k" * 129, "TagValue": "v"}]
    message = validation_error(lambda: raw_client.create_key(Tags=tags))
    assert message == ("1 validation error detected: Value '" + "k" * 129 + "' at 'tags.2.member.tagKey' "
                       "failed to satisfy constraint: Member must have length less than or equal to 128")


def test_missing_member_inside_a_list_item(raw_client):
    message = validation_error(lambda: raw_client.create_key(Tags=[{"TagKey": "k"}]))
    assert message == "1 validation error detected: " + null("tags.1.member.tagValue")


def test_nested_structure_member_path(raw_client, key_id):
    recipient = {"KeyEncryptionAlgorithm": "RSA_PLAIN", "AttestationDocument": b""}
    message = validation_error(lambda: raw_client.decrypt(CiphertextBlob=b"c", Recipient=recipient))
    count, found = clauses(message)
    assert count == 2
    assert ("Value 'java.nio.HeapByteBuffer[pos=0 lim=0 cap=0]' at 'recipient.attestationDocument' failed to "
            "satisfy constraint: Member must have length greater than or equal to 1") in found
    assert "Value 'RSA_PLAIN' at 'recipient.keyEncryptionAlgorithm' failed to satisfy constraint: " \
           "Member must satisfy enum value set: [RSAES_OAEP_SHA_256]" in found


def test_integer_range(raw_client):
    message = validation_error(lambda: raw_client.list_keys(Limit=0))
    assert message == ("1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: "
                       "Member must have value greater than or equal to 1")


def test_string_length_counts_utf16_units_as_java_does(raw_client):
    """4097 emoji are 8194 UTF-16 code units: over Description's 8192 though ``len()`` says 4097."""
    description = "\N{GRINNING FACE}" * 4097
    message = validation_error(lambda: raw_client.create_key(Description=description))
    assert message == (f"1 validation error detected: Value '{description}' at 'description' failed to satisfy "
                       "constraint: Member must have length less than or equal to 8192")


def test_model_checks_run_before_key_resolution(raw_client):
    """An unknown key with a bad member is a ValidationException, not a NotFoundException."""
    message = validation_error(lambda: raw_client.encrypt(KeyId="11111111-2222-3333-4444-555555555555",
                                                          Plaintext=b""))
    assert "'plaintext'" in message


# ---------------------------------------------------------------------------------- every operation

#: Operations whose model requires nothing get another obviously bad input.
_BAD_WITHOUT_REQUIRED = {
    "CreateKey": ({"KeySpec": "NOT_A_SPEC"}, "keySpec"),
    "Decrypt": ({}, "ciphertextBlob"),
    "DescribeCustomKeyStores": ({"Limit": 0}, "limit"),
    "GenerateRandom": ({"NumberOfBytes": 0}, "numberOfBytes"),
    "ListAliases": ({"Limit": 0}, "limit"),
    "ListKeys": ({"Limit": 1001}, "limit"),
    # RetiringPrincipal is required up to botocore 1.43.11, optional (beside RetiringServicePrincipal) later.
    "ListRetirableGrants": ({"Limit": 0}, "limit"),
    "RetireGrant": ({"GrantToken": ""}, "grantToken"),
}


def _bad_input(operation):
    """(params, clauses expected in the message, or a member path the message must name)."""
    required = operation_model(operation).input_shape.required_members
    if required:
        return {}, {null(name[:1].lower() + name[1:]) for name in required}
    params, path = _BAD_WITHOUT_REQUIRED[operation]
    return params, path


def test_the_sweep_covers_the_whole_model():
    """Every operation without required members has a bad input of its own (53 operations in
    botocore 1.42, the last for Python 3.9; 54 from 1.43, which added GetKeyLastUsage)."""
    assert len(operation_names()) >= 53
    assert {op for op in operation_names() if not operation_model(op).input_shape.required_members} <= set(
        _BAD_WITHOUT_REQUIRED)


@pytest.mark.parametrize("operation", operation_names())
def test_every_operation_answers_bad_input_with_a_validation_error(raw_client, operation):
    params, expected = _bad_input(operation)
    message = validation_error(lambda: getattr(raw_client, xform_name(operation))(**params))
    count, found = clauses(message)
    if isinstance(expected, set):
        assert (count, found) == (len(expected), expected)
    else:
        assert count == 1 and f"at '{expected}' failed to satisfy constraint" in message


# ---------------------------------------------------------------------------------- the validator itself

def _violations(operation, params):
    with pytest.raises(AWSError) as excinfo:
        validate(operation_model(operation), params)
    assert (excinfo.value.code, excinfo.value.status) == ("ValidationException", 400)
    return clauses(excinfo.value.message)


@pytest.mark.parametrize("operation, params", [
    ("Encrypt", {"KeyId": "k", "Plaintext": b"x" * 4096, "EncryptionContext": {"a": "b"}}),
    ("CreateKey", {}),
    ("CreateKey", {"Tags": [{"TagKey": "k" * 128, "TagValue": ""}], "Description": ""}),
    ("GenerateRandom", {"NumberOfBytes": 1024}),
    ("PutKeyPolicy", {"KeyId": "k", "Policy": "{\"Version\": \"2012-10-17\"}\n\t", "PolicyName": "default"}),
    ("ImportKeyMaterial", {"KeyId": "k", "ImportToken": b"t", "EncryptedKeyMaterial": b"m",
                           "ValidTo": _dt.datetime(2030, 1, 1, tzinfo=_dt.timezone.utc)}),
])
def test_valid_params_pass(operation, params):
    assert validate(operation_model(operation), params) is None


def test_explicit_none_is_an_absent_member():
    assert _violations("Encrypt", {"KeyId": None, "Plaintext": b"x", "GrantTokens": None}) == (1, {null("keyId")})


def test_sensitive_nested_members_never_echo_their_value():
    credential = {"AccessKeyId": "short-secret", "RawSecretAccessKey": "s" * 43}
    count, found = _violations("CreateCustomKeyStore", {"CustomKeyStoreName": "store",
                                                        "XksProxyAuthenticationCredential": credential})
    path = "xksProxyAuthenticationCredential.accessKeyId"
    assert (count, found) == (2, {
        f"Value at '{path}' failed to satisfy constraint: Member must have length greater than or equal to 20",
        f"Value at '{path}' failed to satisfy constraint: Member must satisfy regular expression pattern: "
        "^[A-Z2-7]+$",
    })
    assert all("short-secret" not in clause for clause in found)


def test_policy_with_one_character_outside_latin1_breaks_its_pattern():
    policy = '{"Statement": [{"Action": "docdb\N{NON-BREAKING HYPHEN}elastic:*"}]}'
    assert _violations("PutKeyPolicy", {"KeyId": "k", "Policy": policy}) == (1, {
        f"Value '{policy}' at 'policy' failed to satisfy constraint: Member must satisfy regular expression "
        "pattern: [\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"})


def test_enum_and_length_are_both_checked_per_member():
    count, found = _violations("CreateKey", {"KeyUsage": "RANDOM", "Description": "d" * 8193})
    assert count == 2
    assert {clause.split(" failed")[0] for clause in found} == {"Value 'RANDOM' at 'keyUsage'",
                                                                "Value '" + "d" * 8193 + "' at 'description'"}


@pytest.mark.parametrize("value, shown", [
    (True, "true"),
    (False, "false"),
    (b"abc", "java.nio.HeapByteBuffer[pos=0 lim=3 cap=3]"),
    (["a", "b"], "[a, b]"),
    ({"k": "v"}, "{k=v}"),
    (7, "7"),
    (_dt.datetime(2024, 3, 5, 7, 8, 9, tzinfo=_dt.timezone.utc), "Tue Mar 05 07:08:09 UTC 2024"),
])
def test_values_render_as_java_to_string(value, shown):
    assert render_value(value) == shown
