"""DynamoDB client-side encryption libraries, used unchanged: KMS from mockkms, DynamoDB from moto.

- dynamodb-encryption-sdk (the DynamoDB Encryption Client for Python): its
  ``AwsKmsCryptographicMaterialsProvider`` makes one KMS call per item. Writing an item calls
  GenerateDataKey (KeyId, NumberOfBytes=32, EncryptionContext); reading it calls Decrypt
  (CiphertextBlob, EncryptionContext; no KeyId). The context is built from the item
  (material_providers/aws_kms.py): the content and signing algorithms, the partition and
  sort key values, and the table name. KMS errors come back as the SDK's WrappingError /
  UnwrappingError, raised while handling botocore's ClientError.
- credstash: GenerateDataKey of 64 bytes (half AES-CTR key, half HMAC key) under
  ``alias/credstash`` by default, the KMS ciphertext stored base64 in the item's ``key``
  attribute; getSecret calls Decrypt with the caller's context and no KeyId, and turns
  InvalidCiphertextException into ``KmsError``.

Each library is optional: a test of one that is not installed is skipped, not failed.
"""
from __future__ import annotations

import base64
import types
from decimal import Decimal

import boto3
import pytest

from conftest import ACCOUNT, REGION

ROOT = f"arn:aws:iam::{ACCOUNT}:root"


@pytest.fixture
def aws(kms):
    """moto serving everything but KMS, inside an active mockkms (which keeps answering KMS)."""
    moto = pytest.importorskip("moto")
    with moto.mock_aws():
        yield


@pytest.fixture
def ddb(aws):
    return boto3.client("dynamodb", region_name=REGION)


# =========================================================================== dynamodb-encryption-sdk

ORDERS = "orders"
ORDER = {"customer": "c-17", "order_id": 7, "card": "4111 1111 1111 1111",
         "amount": Decimal("12.50"), "note": b"\x00leave at the door\xff", "tags": {"gift", "fragile"}}
ORDER_KEY = {"customer": "c-17", "order_id": 7}
RAW_ORDER_KEY = {"customer": {"S": "c-17"}, "order_id": {"N": "7"}}      # the same, as DynamoDB JSON
PLAIN_CARD = ORDER["card"].encode()
# What AwsKmsCryptographicMaterialsProvider sends to KMS as the encryption context for ORDER.
ORDER_KMS_CONTEXT = {
    "*amzn-ddb-env-alg*": "AES/256",
    "*amzn-ddb-sig-alg*": "HmacSHA256/256",
    "customer": "c-17",
    "order_id": "7",
    "*aws-kms-table*": ORDERS,
}
MATERIAL_DESCRIPTION = "*amzn-ddb-map-desc*"        # attributes the SDK adds to every item
SIGNATURE = "*amzn-ddb-map-sig*"


@pytest.fixture(scope="module")
def ddbec():
    """The parts of the SDK used here (the SDK is optional: without it these tests skip)."""
    pytest.importorskip("dynamodb_encryption_sdk")
    from dynamodb_encryption_sdk import exceptions
    from dynamodb_encryption_sdk.encrypted.client import EncryptedClient
    from dynamodb_encryption_sdk.encrypted.table import EncryptedTable
    from dynamodb_encryption_sdk.material_providers.aws_kms import AwsKmsCryptographicMaterialsProvider
    return types.SimpleNamespace(EncryptedTable=EncryptedTable, EncryptedClient=EncryptedClient,
                                 KmsProvider=AwsKmsCryptographicMaterialsProvider, errors=exceptions)


@pytest.fixture
def orders(ddb):
    """A moto table keyed like an order book: partition key ``customer``, sort key ``order_id``."""
    ddb.create_table(
        TableName=ORDERS, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "customer", "KeyType": "HASH"},
                   {"AttributeName": "order_id", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "customer", "AttributeType": "S"},
                              {"AttributeName": "order_id", "AttributeType": "N"}])
    return boto3.resource("dynamodb", region_name=REGION).Table(ORDERS)


@pytest.fixture
def orders_key(client):
    return client.create_key(Description="orders table")["KeyMetadata"]["Arn"]


def encrypted_orders(ddbec, orders, key_id):
    return ddbec.EncryptedTable(table=orders, materials_provider=ddbec.KmsProvider(key_id=key_id))


def test_encrypted_table_round_trips_an_item(ddbec, orders, orders_key):
    table = encrypted_orders(ddbec, orders, orders_key)
    table.put_item(Item=ORDER)
    assert table.get_item(Key=ORDER_KEY)["Item"] == ORDER


def test_stored_item_holds_ciphertext_not_the_plaintext(ddb, ddbec, orders, orders_key):
    encrypted_orders(ddbec, orders, orders_key).put_item(Item=ORDER)
    raw = ddb.get_item(TableName=ORDERS, Key=RAW_ORDER_KEY)["Item"]

    # Key attributes are signed, not encrypted; every other attribute became an opaque binary.
    assert raw["customer"] == {"S": "c-17"} and raw["order_id"] == {"N": "7"}
    assert set(raw) == set(ORDER) | {MATERIAL_DESCRIPTION, SIGNATURE}
    for name in ("card", "amount", "note", "tags"):
        assert set(raw[name]) == {"B"}, name
    assert PLAIN_CARD not in raw["card"]["B"] and b"4111" not in raw["card"]["B"]
    assert b"leave at the door" not in raw["note"]["B"]
    assert PLAIN_CARD not in b"".join(v["B"] for v in raw.values() if "B" in v)


def test_kms_calls_carry_the_encryption_context_the_sdk_built(kms, ddb, ddbec, orders, orders_key):
    table = encrypted_orders(ddbec, orders, orders_key)
    table.put_item(Item=ORDER)
    table.get_item(Key=ORDER_KEY)

    generate, decrypt = kms.calls.filter(succeeded=True)[1:]          # after CreateKey
    assert (generate.operation, decrypt.operation) == ("GenerateDataKey", "Decrypt")
    assert generate.params == {"KeyId": orders_key, "NumberOfBytes": 32, "EncryptionContext": ORDER_KMS_CONTEXT}
    assert set(decrypt.params) == {"CiphertextBlob", "EncryptionContext"}      # no KeyId
    assert decrypt.params["EncryptionContext"] == ORDER_KMS_CONTEXT
    assert all((c.region, c.principal, c.error_code) == (REGION, ROOT, None) for c in (generate, decrypt))
    # The blob Decrypt was given is the wrapped data key stored (base64) in the item's material description.
    raw = ddb.get_item(TableName=ORDERS, Key=RAW_ORDER_KEY)["Item"]
    assert base64.b64encode(decrypt.params["CiphertextBlob"]) in raw[MATERIAL_DESCRIPTION]["B"]


def test_data_key_is_a_kms_ciphertext_bound_to_the_items_context(kms, client, ddbec, orders, orders_key):
    table = encrypted_orders(ddbec, orders, orders_key)
    table.put_item(Item=ORDER)
    table.get_item(Key=ORDER_KEY)
    blob = kms.calls.of("Decrypt")[0].params["CiphertextBlob"]           # the wrapped data key

    answer = client.decrypt(CiphertextBlob=blob, EncryptionContext=ORDER_KMS_CONTEXT)
    assert (answer["KeyId"], len(answer["Plaintext"])) == (orders_key, 32)
    with pytest.raises(client.exceptions.InvalidCiphertextException):
        client.decrypt(CiphertextBlob=blob, EncryptionContext=dict(ORDER_KMS_CONTEXT, customer="c-18"))


def test_alias_name_key_id_uses_the_sessions_region(kms, client, ddbec, orders, orders_key):
    client.create_alias(AliasName="alias/orders", TargetKeyId=orders_key)
    table = encrypted_orders(ddbec, orders, "alias/orders")
    table.put_item(Item=ORDER)
    assert table.get_item(Key=ORDER_KEY)["Item"] == ORDER

    generate, decrypt = kms.calls.of("GenerateDataKey") + kms.calls.of("Decrypt")
    assert (generate.params["KeyId"], generate.region, decrypt.region) == ("alias/orders", REGION, REGION)


def test_encrypted_client_round_trips_a_dynamodb_json_item(ddb, ddbec, orders, orders_key):
    encrypted = ddbec.EncryptedClient(client=ddb, materials_provider=ddbec.KmsProvider(key_id=orders_key))
    item = {"customer": {"S": "c-17"}, "order_id": {"N": "7"}, "card": {"S": "4111 1111 1111 1111"}}
    encrypted.put_item(TableName=ORDERS, Item=item)

    assert encrypted.get_item(TableName=ORDERS, Key={"customer": item["customer"],
                                                     "order_id": item["order_id"]})["Item"] == item
    raw = ddb.scan(TableName=ORDERS)["Items"]
    assert len(raw) == 1 and PLAIN_CARD not in raw[0]["card"]["B"]


def test_disabled_key_fails_the_read_with_the_sdks_error_wrapping_kms_answer(kms, client, ddbec, orders,
                                                                              orders_key):
    table = encrypted_orders(ddbec, orders, orders_key)
    table.put_item(Item=ORDER)
    client.disable_key(KeyId=orders_key)

    with pytest.raises(ddbec.errors.UnwrappingError, match="Failed to unwrap AWS KMS protected materials") as failed:
        table.get_item(Key=ORDER_KEY)
    cause = failed.value.__context__                          # raised while handling botocore's error
    assert cause.response["Error"]["Code"] == "DisabledException"
    (refused,) = kms.calls.filter(error="*")
    assert (refused.operation, refused.error_code, refused.error_message) == (
        "Decrypt", "DisabledException", f"{orders_key} is disabled.")


def test_disabled_key_fails_the_write_before_anything_is_stored(kms, client, ddb, ddbec, orders, orders_key):
    client.disable_key(KeyId=orders_key)
    with pytest.raises(ddbec.errors.WrappingError):
        encrypted_orders(ddbec, orders, orders_key).put_item(Item=ORDER)
    assert ddb.scan(TableName=ORDERS)["Count"] == 0
    assert [(c.operation, c.error_code) for c in kms.calls.filter(error="*")] == [
        ("GenerateDataKey", "DisabledException")]


def test_item_copied_under_another_partition_key_is_refused_by_kms(kms, ddb, ddbec, orders, orders_key):
    table = encrypted_orders(ddbec, orders, orders_key)
    table.put_item(Item=ORDER)
    raw = ddb.get_item(TableName=ORDERS, Key=RAW_ORDER_KEY)["Item"]
    ddb.put_item(TableName=ORDERS, Item=dict(raw, customer={"S": "c-18"}))     # an attacker's copy

    with pytest.raises(ddbec.errors.UnwrappingError):
        table.get_item(Key={"customer": "c-18", "order_id": 7})
    refused = kms.calls.last
    assert (refused.operation, refused.error_code) == ("Decrypt", "InvalidCiphertextException")
    assert refused.params["EncryptionContext"] == dict(ORDER_KMS_CONTEXT, customer="c-18")


# =========================================================================== credstash

@pytest.fixture
def credstash(aws):
    module = pytest.importorskip("credstash")
    module.reset_sessions()              # credstash caches one boto3 session per process
    yield module
    module.reset_sessions()


@pytest.fixture
def credstash_key(client):
    """The KMS key credstash uses by default, under its default alias."""
    arn = client.create_key(Description="credstash")["KeyMetadata"]["Arn"]
    client.create_alias(AliasName="alias/credstash", TargetKeyId=arn)
    return arn


@pytest.fixture
def store(credstash, credstash_key):
    credstash.createDdbTable(region=REGION)
    return credstash


def test_create_ddb_table_makes_the_credential_store_in_moto(ddb, credstash):
    credstash.createDdbTable(region=REGION)
    table = ddb.describe_table(TableName="credential-store")["Table"]
    assert [(k["AttributeName"], k["KeyType"]) for k in table["KeySchema"]] == [
        ("name", "HASH"), ("version", "RANGE")]
    assert ddb.list_tags_of_resource(ResourceArn=table["TableArn"])["Tags"] == [
        {"Key": "Name", "Value": "credstash"}]


def test_put_and_get_secret_round_trip(store):
    store.putSecret("db.password", "s3cr3t ✓", version=1, region=REGION)
    assert store.getSecret("db.password", region=REGION) == "s3cr3t ✓"


def test_put_secret_asks_kms_for_64_bytes_under_the_default_alias(kms, ddb, store):
    store.putSecret("api.token", "tok", version=1, region=REGION, context={"app": "billing"})
    store.getSecret("api.token", region=REGION, context={"app": "billing"})

    generate, decrypt = kms.calls.of("GenerateDataKey") + kms.calls.of("Decrypt")
    assert generate.params == {"KeyId": "alias/credstash", "EncryptionContext": {"app": "billing"},
                               "NumberOfBytes": 64}
    assert set(decrypt.params) == {"CiphertextBlob", "EncryptionContext"}
    assert decrypt.params["EncryptionContext"] == {"app": "billing"}
    raw = ddb.get_item(TableName="credential-store",
                       Key={"name": {"S": "api.token"}, "version": {"S": "0000000000000000001"}})["Item"]
    assert base64.b64decode(raw["key"]["S"]) == decrypt.params["CiphertextBlob"]
    assert kms.calls.filter(error="*") == []


def test_stored_secret_is_ciphertext(ddb, store):
    secret = "correct horse battery staple"
    store.putSecret("wifi", secret, version=1, region=REGION)
    raw = ddb.scan(TableName="credential-store")["Items"]
    assert len(raw) == 1
    contents = base64.b64decode(raw[0]["contents"]["S"])
    assert len(contents) == len(secret) and contents != secret.encode()       # AES-CTR: same length
    assert secret not in repr(raw)
    assert (raw[0]["digest"]["S"], len(raw[0]["hmac"]["B"])) == ("SHA256", 64)   # hex of a SHA-256 HMAC


def test_get_secret_returns_the_highest_version_unless_one_is_named(store):
    store.putSecret("db.password", "old", version=1, region=REGION)
    store.putSecret("db.password", "new", version=2, region=REGION)
    assert store.getSecret("db.password", region=REGION) == "new"
    assert store.getSecret("db.password", version="1", region=REGION) == "old"


def test_wrong_encryption_context_fails_with_credstash_error(kms, store):
    store.putSecret("db.password", "s3cr3t", version=1, region=REGION, context={"env": "prod"})
    with pytest.raises(store.KmsError, match="encryption context provided may not match"):
        store.getSecret("db.password", region=REGION, context={"env": "dev"})
    (refused,) = kms.calls.filter(error="*")
    assert (refused.operation, refused.error_code, refused.params["EncryptionContext"]) == (
        "Decrypt", "InvalidCiphertextException", {"env": "dev"})


def test_omitted_context_fails_like_a_wrong_one(kms, store):
    store.putSecret("db.password", "s3cr3t", version=1, region=REGION, context={"env": "prod"})
    with pytest.raises(store.KmsError, match="encryption context provided may not match"):
        store.getSecret("db.password", region=REGION)                     # credstash then sends {}
    assert kms.calls.last.error_code == "InvalidCiphertextException"
    assert kms.calls.last.params["EncryptionContext"] == {}


def test_put_secret_without_the_alias_reports_kms_not_found(kms, credstash):
    credstash.createDdbTable(region=REGION)
    with pytest.raises(credstash.KmsError, match="NotFoundException"):
        credstash.putSecret("db.password", "s3cr3t", version=1, region=REGION)
    refused = kms.calls.last
    assert (refused.operation, refused.error_code, refused.error_message) == (
        "GenerateDataKey", "NotFoundException",
        f"Alias arn:aws:kms:{REGION}:{ACCOUNT}:alias/credstash is not found.")


def test_get_all_secrets_decrypts_in_credstash_thread_pool(kms, store):
    secrets = {f"svc{i}.password": f"pw-{i}" for i in range(5)}
    for name, value in secrets.items():
        store.putSecret(name, value, version=1, region=REGION)
    assert store.getAllSecrets(region=REGION) == secrets
    assert len(kms.calls.filter("Decrypt", succeeded=True)) == 5
