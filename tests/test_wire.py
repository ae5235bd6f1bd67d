"""The JSON 1.1 wire layer, driven directly: target parsing, body decoding, error and result bodies.

These tests call :func:`mockkms.wire.serve` with the real dispatcher and a world of
their own, so they see exactly the bytes a transport would send back.
"""
from __future__ import annotations

import base64
import datetime as _dt
import json
import uuid

import pytest
from botocore.parsers import create_parser
from botocore.validate import ParamValidator

from mockkms import service, wire
from mockkms.model import operation_names
from mockkms.domain.world import World
from mockkms.errors import AWSError
from mockkms.model import operation_model
from mockkms.service import Caller, Request

ACCOUNT = "123456789012"
REGION = "us-east-1"
UTC = _dt.timezone.utc


@pytest.fixture
def context():
    return Request(World(), REGION, Caller.root(ACCOUNT))


def call(context, operation, body):
    """serve() one request; ``body`` is bytes as sent, or a value to JSON-encode."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return wire.serve(operation, raw, service.dispatch, context)


def error_body(response, code, status=400):
    """The decoded error body, after checking the status, the code and the JSON 1.1 headers."""
    document = json.loads(response.body)
    assert (response.status, document["__type"], response.error_code) == (status, code, code), document
    assert response.headers["content-type"] == "application/x-amz-json-1.1"
    return document


def new_key(context):
    return json.loads(call(context, "CreateKey", {}).body)["KeyMetadata"]["KeyId"]


# ---------------------------------------------------------------------------------- targets

@pytest.mark.parametrize("operation", operation_names())
def test_target_names_the_operation(operation):
    assert wire.operation_from_target(f"TrentService.{operation}") == operation


@pytest.mark.parametrize("target", [
    "TrentService.Nope", "Encrypt", "TrentService.", "TrentService.encrypt", "trentservice.Encrypt",
    "KMS.Encrypt", "TrentService.Encrypt ", "", None,
])
def test_other_targets_are_unknown_operations(target):
    with pytest.raises(AWSError) as excinfo:
        wire.operation_from_target(target)
    assert (excinfo.value.code, excinfo.value.status) == ("UnknownOperationException", 400)


def test_unknown_operation_error_body():
    with pytest.raises(AWSError) as excinfo:
        wire.operation_from_target("TrentService.Nope")
    response = wire.encode_error(excinfo.value)
    assert (response.status, json.loads(response.body)["__type"]) == (400, "UnknownOperationException")


# ---------------------------------------------------------------------------------- request bodies

@pytest.mark.parametrize("body", [b"{", b"not json", b"\xff\xfe\x00", b'{"KeyId": "a",}', b"{'KeyId': 'a'}",
                                  b'{"NumberOfBytes": NaN}', b'{"NumberOfBytes": Infinity}', b"[" * 100000],
                         ids=lambda body: repr(body[:30]))
def test_unparseable_body_is_a_serialization_error(context, body):
    document = error_body(call(context, "GenerateRandom", body), "SerializationException")
    assert document["message"]


@pytest.mark.parametrize("operation, body", [
    ("DescribeKey", {"KeyId": 5}),
    ("DescribeKey", {"KeyId": True}),
    ("DescribeKey", {"KeyId": ["a"]}),
    ("DescribeKey", {"KeyId": {"a": "b"}}),
    ("DescribeKey", ["KeyId"]),
    ("DescribeKey", "KeyId"),
    ("ListKeys", {"Limit": "5"}),
    ("ListKeys", {"Limit": 1.5}),
    ("ListKeys", {"Limit": False}),
    ("GenerateRandom", {"NumberOfBytes": 1e400}),
    ("Encrypt", {"KeyId": "k", "Plaintext": 5}),
    ("Encrypt", {"KeyId": "k", "Plaintext": "eA==", "DryRun": "true"}),
    ("Encrypt", {"KeyId": "k", "Plaintext": "eA==", "GrantTokens": "token"}),
    ("Encrypt", {"KeyId": "k", "Plaintext": "eA==", "EncryptionContext": ["a", "b"]}),
    ("Encrypt", {"KeyId": "k", "Plaintext": "eA==", "EncryptionContext": {"a": 1}}),
    ("CreateKey", {"Tags": [{"TagKey": 1, "TagValue": "v"}]}),
    ("ImportKeyMaterial", {"KeyId": "k", "ImportToken": "eA==", "EncryptedKeyMaterial": "eA==",
                           "ValidTo": "2030-01-01"}),
    ("ImportKeyMaterial", {"KeyId": "k", "ImportToken": "eA==", "EncryptedKeyMaterial": "eA==",
                           "ValidTo": 1e300}),
], ids=lambda value: json.dumps(value) if not isinstance(value, str) else value)
def test_wrong_json_type_is_a_serialization_error(context, operation, body):
    document = error_body(call(context, operation, body), "SerializationException")
    assert document["message"]


@pytest.mark.parametrize("blob", ["not base64!", "eA=", "e A==", "eA==\n", "%%%%"])
def test_bad_base64_blob_is_a_serialization_error(context, blob):
    document = error_body(call(context, "Decrypt", {"CiphertextBlob": blob}), "SerializationException")
    assert document["message"]


@pytest.mark.parametrize("body", [b"", b"   ", b"{}", b"null"])
def test_empty_request_reaches_validation(context, body):
    document = error_body(call(context, "DescribeKey", body), "ValidationException")
    assert document["message"] == ("1 validation error detected: Value null at 'keyId' failed to satisfy "
                                   "constraint: Member must not be null")


def test_null_member_is_absent(context):
    document = error_body(call(context, "DescribeKey", {"KeyId": None}), "ValidationException")
    assert "Value null at 'keyId'" in document["message"]


@pytest.mark.parametrize("extra", [{"GrantTokens": [None]}, {"EncryptionContext": {"a": None}},
                                   {"GrantTokens": None, "EncryptionContext": None}])
def test_nulls_inside_lists_and_maps_get_an_aws_answer(context, extra):
    """A null list item or map value is dropped like a null member: the call goes through, no 500."""
    body = {"KeyId": new_key(context), "Plaintext": "eA==", **extra}
    assert call(context, "Encrypt", body).status == 200


def test_unknown_members_are_ignored(context):
    key_id = new_key(context)
    response = call(context, "DescribeKey", {"KeyId": key_id, "NoSuchMember": {"deep": [1, 2]}})
    assert (response.status, json.loads(response.body)["KeyMetadata"]["KeyId"]) == (200, key_id)


def test_decode_request_converts_blobs_and_timestamps():
    params = wire.decode_request("ImportKeyMaterial", json.dumps({
        "KeyId": "k", "ImportToken": base64.b64encode(b"\x00token").decode(), "EncryptedKeyMaterial": "",
        "ValidTo": 1893456000.5, "Unknown": "dropped",
    }).encode())
    assert params == {"KeyId": "k", "ImportToken": b"\x00token", "EncryptedKeyMaterial": b"",
                      "ValidTo": _dt.datetime(2030, 1, 1, 0, 0, 0, 500000, tzinfo=UTC)}


def test_decode_request_keeps_integral_floats_as_integers():
    assert wire.decode_request("GenerateRandom", b'{"NumberOfBytes": 16.0}') == {"NumberOfBytes": 16}


def test_the_response_carries_the_request_even_when_validation_fails(context):
    response = wire.serve("GenerateRandom", b'{"NumberOfBytes": 0}', service.dispatch, context)
    assert (response.error_code, response.params) == ("ValidationException", {"NumberOfBytes": 0})


def test_the_response_carries_no_request_when_the_body_is_not_json(context):
    response = wire.serve("GenerateRandom", b'{"NumberOfBytes": ', service.dispatch, context)
    assert (response.error_code, response.params) == ("SerializationException", None)


# ---------------------------------------------------------------------------------- error bodies

def test_error_body_has_type_and_message(context):
    missing = "11111111-2222-3333-4444-555555555555"
    document = error_body(call(context, "DescribeKey", {"KeyId": missing}), "NotFoundException")
    assert document == {"__type": "NotFoundException",
                        "message": f"Key 'arn:aws:kms:{REGION}:{ACCOUNT}:key/{missing}' does not exist"}


def test_error_without_message_has_no_message_member(context):
    key_id = new_key(context)
    document = error_body(call(context, "Decrypt", {"CiphertextBlob": base64.b64encode(b"junk" * 40).decode(),
                                                    "KeyId": key_id}), "InvalidCiphertextException")
    assert document == {"__type": "InvalidCiphertextException"}


def test_an_empty_message_is_sent_as_no_message(context, monkeypatch):
    def refuse(req):
        raise AWSError("UnsupportedOperationException", "")

    monkeypatch.setitem(service.HANDLERS, "GenerateRandom", refuse)
    document = error_body(call(context, "GenerateRandom", {"NumberOfBytes": 1}), "UnsupportedOperationException")
    assert document == {"__type": "UnsupportedOperationException"}


@pytest.mark.parametrize("parsed", [False, True], ids=["json", "parsed"])
def test_a_success_has_every_response_field(context, parsed):
    response = wire.serve("GenerateRandom", b'{"NumberOfBytes": 4}', service.dispatch, context, parsed)
    assert len(response) == len(wire.Response._fields)
    assert (response.status, response.error_code, response.params) == (200, None, {"NumberOfBytes": 4})
    assert len(response.result["Plaintext"]) == 4


def test_responses_carry_a_request_id(context):
    ids = {call(context, "GenerateRandom", {"NumberOfBytes": 1}).headers["x-amzn-requestid"] for _ in range(3)}
    assert len(ids) == 3 and all(uuid.UUID(value) for value in ids)


def test_operation_without_a_handler_names_itself(context, monkeypatch):
    monkeypatch.delitem(service.HANDLERS, "GetKeyPolicy")
    document = error_body(call(context, "GetKeyPolicy", {"KeyId": new_key(context)}), "NotImplementedException")
    assert "GetKeyPolicy" in document["message"]


def test_exception_inside_a_handler_is_a_500_internal_error(context, monkeypatch):
    def broken(req):
        raise RuntimeError("handler bug")

    monkeypatch.setitem(service.HANDLERS, "GenerateRandom", broken)
    response = call(context, "GenerateRandom", {"NumberOfBytes": 1})
    document = error_body(response, "KMSInternalException", status=500)
    assert "GenerateRandom" in document["message"] and "Traceback" not in document["message"]


def test_a_failed_handler_leaves_the_world_usable(context, monkeypatch):
    monkeypatch.setitem(service.HANDLERS, "ListKeys", lambda req: 1 / 0)
    call(context, "ListKeys", {})
    monkeypatch.undo()
    key_id = new_key(context)
    listed = json.loads(call(context, "ListKeys", {}).body)["Keys"]
    assert [entry["KeyId"] for entry in listed] == [key_id]


def test_result_member_the_installed_model_lacks_is_left_out(context, monkeypatch):
    # An older botocore's model lacks members today's KMS sends; its parser drops them from a
    # real response, so mockkms leaves them out rather than fail the call.
    monkeypatch.setitem(service.HANDLERS, "GenerateRandom", lambda req: {"Plaintext": b"x", "Extra": 1})
    response = call(context, "GenerateRandom", {"NumberOfBytes": 1})
    assert (response.status, json.loads(response.body)) == (200, {"Plaintext": "eA=="})


def test_parsed_result_leaves_out_a_member_the_installed_model_lacks():
    assert wire.parse_result("GenerateRandom", {"Plaintext": b"x", "Extra": 1}) == {"Plaintext": b"x"}


# ---------------------------------------------------------------------------------- success bodies

def parse_success(operation, response):
    """The body as botocore parses it, checked against the operation's output shape."""
    assert (response.status, response.error_code) == (200, None)
    shape = operation_model(operation).output_shape
    parsed = create_parser("json").parse({"status_code": 200, "headers": response.headers, "body": response.body},
                                         shape)
    parsed.pop("ResponseMetadata", None)
    report = ParamValidator().validate(parsed, shape)
    assert not report.has_errors(), report.generate_report()
    return parsed


def test_success_body_matches_the_output_shape_with_epoch_timestamps(context):
    now = context.world.clock.freeze()
    response = call(context, "CreateKey", {"Description": "wire"})
    raw = json.loads(response.body)["KeyMetadata"]
    assert isinstance(raw["CreationDate"], (int, float)) and raw["CreationDate"] == round(now.timestamp(), 3)
    parsed = parse_success("CreateKey", response)["KeyMetadata"]
    assert (parsed["CreationDate"], parsed["Description"]) == (now, "wire")


def test_success_body_carries_blobs_in_base64(context):
    key_id = new_key(context)
    response = call(context, "Encrypt", {"KeyId": key_id, "Plaintext": base64.b64encode(b"wire test").decode()})
    blob_text = json.loads(response.body)["CiphertextBlob"]
    assert parse_success("Encrypt", response)["CiphertextBlob"] == base64.b64decode(blob_text, validate=True)
    decrypted = json.loads(call(context, "Decrypt", {"CiphertextBlob": blob_text}).body)
    assert base64.b64decode(decrypted["Plaintext"]) == b"wire test"


def test_operation_without_output_shape_answers_an_empty_object(context):
    response = call(context, "DisableKey", {"KeyId": new_key(context)})
    assert (response.status, response.body) == (200, b"{}")


def test_absent_optional_fields_are_omitted_not_null(context):
    body = json.loads(call(context, "ListKeys", {}).body)
    assert body == {"Keys": [], "Truncated": False}


# ------------------------------------------------------------- parameters from the client's arguments

#: the real reader (conftest wraps it in every test, decoding the body as well to compare)
REQUEST_PARAMS = wire.request_params


def params(operation, arguments, body=None):
    """What the wire takes as ``operation``'s parameters, given the client's ``arguments``."""
    return read(operation, arguments, body)[0]


def read(operation, arguments, body=None):
    """(parameters, whether they are known valid), given the client's ``arguments``."""
    raw = json.dumps(body).encode() if body is not None else b"this body is never read"
    return REQUEST_PARAMS(wire._plan(operation), raw, arguments)


def test_plain_arguments_are_read_as_they_are_without_decoding_the_body():
    assert params("DescribeKey", {"KeyId": "alias/app"}) == {"KeyId": "alias/app"}


def test_a_blob_argument_given_as_text_is_read_as_its_utf8_bytes():
    assert params("Encrypt", {"KeyId": "k", "Plaintext": "é"})["Plaintext"] == "é".encode()


def test_a_bytearray_blob_argument_is_read_as_bytes():
    read = params("Encrypt", {"KeyId": "k", "Plaintext": bytearray(b"ab")})["Plaintext"]
    assert (type(read), read) == (bytes, b"ab")


def test_a_tuple_argument_is_read_as_a_list():
    assert params("Encrypt", {"KeyId": "k", "Plaintext": b"x", "GrantTokens": ("t1", "t2")})["GrantTokens"] == [
        "t1", "t2"]


def test_the_read_parameters_are_a_copy_of_the_arguments():
    arguments = {"KeyId": "k", "Plaintext": b"x", "EncryptionContext": {"a": "b"}}
    read = params("Encrypt", arguments)
    arguments["EncryptionContext"]["a"] = "changed"
    assert read["EncryptionContext"] == {"a": "b"}


@pytest.mark.parametrize("arguments", [
    {"KeyId": None},                                        # None: botocore drops or refuses it
    {"KeyId": 7},                                           # a wrong type (no client-side validation)
    {"KeyId": "k", "NotAMember": "x"},                      # a member the shape lacks
    {"KeyId": "k", "Plaintext": b"x", "EncryptionContext": {"a": None}},
], ids=["none", "wrong-type", "unknown-member", "none-in-a-map"])
def test_arguments_that_are_not_plain_leave_the_body_to_be_decoded(arguments):
    assert params("Encrypt", arguments, body={"KeyId": "from-body"}) == {"KeyId": "from-body"}


def test_arguments_read_as_they_are_are_known_valid():
    assert read("DescribeKey", {"KeyId": "alias/app"}) == ({"KeyId": "alias/app"}, True)


def test_a_decoded_body_is_still_to_be_validated():
    assert read("DescribeKey", None, body={"KeyId": "alias/app"}) == ({"KeyId": "alias/app"}, False)


@pytest.mark.parametrize("operation, arguments", [
    ("DescribeKey", {}),                                                  # a required member missing
    ("DescribeKey", {"KeyId": ""}),                                       # shorter than min length
    ("DescribeKey", {"KeyId": "k" * 2049}),                               # longer than max length
    ("Encrypt", {"KeyId": "k", "Plaintext": b""}),                        # a blob below min length
    ("Encrypt", {"KeyId": "k", "Plaintext": b"x" * 4097}),                # a blob above max length
    ("Encrypt", {"KeyId": "k", "Plaintext": b"x", "EncryptionAlgorithm": "AES"}),   # not in the enum
    ("Encrypt", {"KeyId": "k", "Plaintext": b"x", "GrantTokens": ["t"] * 11}),      # a list too long
    ("CreateAlias", {"AliasName": "alias/no spaces", "TargetKeyId": "k"}),          # the pattern
    ("GenerateRandom", {"NumberOfBytes": 0}),                             # below the range
    ("GenerateRandom", {"NumberOfBytes": 1025}),                          # above the range
    ("ListKeys", {"Limit": 0}),                                           # below the range
], ids=["required", "min-length", "max-length", "blob-min", "blob-max", "enum", "list-length", "pattern",
        "range-low", "range-high", "limit"])
def test_arguments_breaking_a_constraint_leave_the_body_to_be_decoded_and_validated(operation, arguments):
    body = BODIES.get(operation, {"KeyId": "from-body"})
    assert read(operation, arguments, body) == (body, False)


#: a body each operation decodes, told apart from its arguments
BODIES = {"ListKeys": {"Marker": "from-body"}, "CreateAlias": {"AliasName": "alias/from-body"},
          "GenerateRandom": {"NumberOfBytes": 5}}


def test_a_timestamp_argument_leaves_the_body_to_be_decoded():
    arguments = {"KeyId": "k", "ImportToken": b"t", "EncryptedKeyMaterial": b"m",
                 "ValidTo": _dt.datetime(2030, 1, 1, tzinfo=_dt.timezone.utc)}
    body = {"KeyId": "k", "ImportToken": "dA==", "EncryptedKeyMaterial": "bQ==", "ValidTo": 1893456000}
    assert params("ImportKeyMaterial", arguments, body)["ValidTo"] == arguments["ValidTo"]


def test_in_process_calls_read_the_clients_arguments(kms, client, monkeypatch):
    def no_json(body):
        raise AssertionError("the body was decoded")
    key = client.create_key()["KeyMetadata"]["KeyId"]
    monkeypatch.setattr(wire, "request_params", REQUEST_PARAMS)
    monkeypatch.setattr(wire, "_read_json", no_json)
    blob = client.encrypt(KeyId=key, Plaintext=b"secret", EncryptionContext={"app": "x"})["CiphertextBlob"]
    assert client.decrypt(CiphertextBlob=blob, EncryptionContext={"app": "x"})["Plaintext"] == b"secret"


def test_a_string_argument_with_surrogates_leaves_the_body_to_be_decoded():
    # JSON carries "\ud800\udc00" as an escaped pair, which the service reads as one character.
    assert params("DescribeKey", {"KeyId": "\ud800\udc00"}, body={"KeyId": "\U00010000"}) == {"KeyId": "\U00010000"}
