"""Libraries written by others, used unchanged under mockkms.

The AWS Encryption SDK (master key providers, and the Material Providers Library's keyrings)
and boto3's own paginators call KMS exactly as they do in production; every test here passes
against real KMS for the same reasons it passes here. What each library sends is taken from
its source (aws_encryption_sdk/key_providers/kms.py: GenerateDataKey with KeyId, NumberOfBytes
and EncryptionContext; Decrypt with CiphertextBlob, KeyId and EncryptionContext; the Decrypt
answer's KeyId must equal the configured key ARN) and from the message format (the default,
committing and signing, suite adds ``aws-crypto-public-key`` to the encryption context).
"""
from __future__ import annotations

import io
import json

import boto3
import pytest

from conftest import ACCOUNT, REGION

aws_encryption_sdk = pytest.importorskip("aws_encryption_sdk")

from aws_encryption_sdk import (  # noqa: E402
    Algorithm, CommitmentPolicy, EncryptionSDKClient, StrictAwsKmsMasterKeyProvider)
from aws_encryption_sdk.exceptions import AWSEncryptionSDKClientError, DecryptKeyError  # noqa: E402
from aws_encryption_sdk.key_providers.kms import (  # noqa: E402
    DiscoveryAwsKmsMasterKeyProvider, DiscoveryFilter, MRKAwareDiscoveryAwsKmsMasterKeyProvider,
    MRKAwareStrictAwsKmsMasterKeyProvider)
from aws_encryption_sdk.structures import MasterKeyInfo  # noqa: E402

EU = "eu-west-1"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"
PUBLIC_KEY_ENTRY = "aws-crypto-public-key"       # added by the SDK for signing suites
CONTEXT = {"purpose": "invoice", "tenant": "Zürich ✓"}


@pytest.fixture(scope="module")
def sdk():
    return EncryptionSDKClient(commitment_policy=CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)


@pytest.fixture(scope="module")
def mpl():
    """The Material Providers Library (the SDK's keyring path)."""
    providers = pytest.importorskip("aws_cryptographic_material_providers.mpl")
    config = pytest.importorskip("aws_cryptographic_material_providers.mpl.config")
    return providers.AwsCryptographicMaterialProviders(config=config.MaterialProvidersConfig())


@pytest.fixture(scope="module")
def models():
    return pytest.importorskip("aws_cryptographic_material_providers.mpl.models")


@pytest.fixture(scope="module")
def mpl_errors():
    return pytest.importorskip(
        "aws_cryptographic_material_providers.smithygenerated.aws_cryptography_materialproviders.errors")


@pytest.fixture
def key_arn(client):
    return client.create_key(Description="esdk")["KeyMetadata"]["Arn"]


@pytest.fixture
def other_key_arn(client):
    return client.create_key(Description="another")["KeyMetadata"]["Arn"]


def strict(*arns):
    return StrictAwsKmsMasterKeyProvider(key_ids=list(arns))


def kms_keyring(mpl, models, arn, region=REGION):
    return mpl.create_aws_kms_keyring(models.CreateAwsKmsKeyringInput(
        kms_key_id=arn, kms_client=boto3.client("kms", region_name=region)))


def only_edk(header):
    (edk,) = header.encrypted_data_keys
    return edk


def key_arn_of_replica(arn, region):
    return arn.replace(f":kms:{REGION}:", f":kms:{region}:")


@pytest.fixture
def mrk(kms, client):
    """A multi-Region primary in us-east-1 and its (Enabled) replica in eu-west-1: (primary, replica) ARNs."""
    primary = client.create_key(MultiRegion=True)["KeyMetadata"]["Arn"]
    replica = client.replicate_key(KeyId=primary, ReplicaRegion=EU)["ReplicaKeyMetadata"]["Arn"]
    kms.clock.advance(seconds=10)
    return primary, replica


# =========================================================================== master key providers

def test_round_trip_returns_the_messages_encryption_context(sdk, key_arn):
    provider = strict(key_arn)
    ciphertext, enc_header = sdk.encrypt(source=b"invoice 42", key_provider=provider, encryption_context=CONTEXT)
    plaintext, dec_header = sdk.decrypt(source=ciphertext, key_provider=provider)

    assert plaintext == b"invoice 42"
    assert dec_header.encryption_context == enc_header.encryption_context
    assert {k: v for k, v in dec_header.encryption_context.items() if k != PUBLIC_KEY_ENTRY} == CONTEXT
    assert enc_header.algorithm == Algorithm.AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384   # the default
    # The data key's provider info is GenerateDataKey's KeyId (the SDK checks it is a key ARN).
    assert only_edk(enc_header).key_provider == MasterKeyInfo("aws-kms", key_arn.encode())


def test_call_log_shows_generate_data_key_then_decrypt_with_the_sdks_parameters(kms, sdk, key_arn):
    provider = strict(key_arn)
    ciphertext, header = sdk.encrypt(source=b"payload", key_provider=provider, encryption_context=CONTEXT)
    sdk.decrypt(source=ciphertext, key_provider=provider)

    # The whole context the SDK sends is the message's: the caller's entries plus its signing key.
    assert header.encryption_context.keys() == CONTEXT.keys() | {PUBLIC_KEY_ENTRY}
    generate, decrypt = kms.calls.filter(key=key_arn)
    assert (generate.operation, decrypt.operation) == ("GenerateDataKey", "Decrypt")
    assert generate.params == {"KeyId": key_arn, "NumberOfBytes": header.algorithm.kdf_input_len,
                               "EncryptionContext": header.encryption_context}
    assert header.algorithm.kdf_input_len == 32
    assert decrypt.params == {"CiphertextBlob": only_edk(header).encrypted_data_key, "KeyId": key_arn,
                              "EncryptionContext": header.encryption_context}
    assert all((c.region, c.principal, c.error_code) == (REGION, ROOT, None) for c in (generate, decrypt))


def test_the_encrypted_data_key_is_a_kms_ciphertext_bound_to_the_messages_context(client, sdk, key_arn):
    _, header = sdk.encrypt(source=b"payload", key_provider=strict(key_arn), encryption_context=CONTEXT)
    blob = only_edk(header).encrypted_data_key

    answer = client.decrypt(CiphertextBlob=blob, EncryptionContext=header.encryption_context)
    assert (answer["KeyId"], len(answer["Plaintext"])) == (key_arn, 32)
    with pytest.raises(client.exceptions.InvalidCiphertextException):
        client.decrypt(CiphertextBlob=blob, EncryptionContext=CONTEXT)        # without the SDK's entry


def test_streaming_a_megabyte_round_trips_with_one_data_key(kms, sdk, key_arn):
    data = bytes(range(256)) * 4096                                              # 1 MiB
    provider = strict(key_arn)
    with sdk.stream(mode="e", source=io.BytesIO(data), key_provider=provider,
                    encryption_context={"object": "backup.tar"}) as encryptor:
        chunks = list(encryptor)
    assert len(chunks) > 100                                                     # framed, not one block
    with sdk.stream(mode="d", source=io.BytesIO(b"".join(chunks)), key_provider=provider) as decryptor:
        assert b"".join(decryptor) == data
        assert decryptor.header.encryption_context["object"] == "backup.tar"
    assert [c.operation for c in kms.calls.filter(key=key_arn)] == ["GenerateDataKey", "Decrypt"]


def test_provider_for_a_different_key_fails_without_asking_kms(kms, sdk, key_arn, other_key_arn):
    ciphertext, _ = sdk.encrypt(source=b"x", key_provider=strict(key_arn))
    with pytest.raises(DecryptKeyError, match="Unable to decrypt any data key"):
        sdk.decrypt(source=ciphertext, key_provider=strict(other_key_arn))
    # A strict provider only offers KMS the data keys of its own keys: KMS never hears of this.
    kms.calls.assert_not_called("Decrypt")


def test_disabled_key_fails_decryption_and_the_log_keeps_kms_answer(kms, client, sdk, key_arn):
    ciphertext, _ = sdk.encrypt(source=b"x", key_provider=strict(key_arn))
    client.disable_key(KeyId=key_arn)
    with pytest.raises(DecryptKeyError):
        sdk.decrypt(source=ciphertext, key_provider=strict(key_arn))
    (refused,) = kms.calls.filter(error="*")
    assert (refused.operation, refused.error_code, refused.error_message) == (
        "Decrypt", "DisabledException", f"{key_arn} is disabled.")


def test_sdk_client_retries_a_throttled_decrypt(kms, sdk, key_arn):
    ciphertext, _ = sdk.encrypt(source=b"x", key_provider=strict(key_arn))
    kms.fail("Decrypt", "ThrottlingException", times=1)          # the SDK's own client retries it
    assert sdk.decrypt(source=ciphertext, key_provider=strict(key_arn))[0] == b"x"
    assert [c.error_code for c in kms.calls.of("Decrypt")] == ["ThrottlingException", None]


def test_alias_arn_encrypts_and_the_message_names_the_key_arn(client, sdk, key_arn):
    client.create_alias(AliasName="alias/invoices", TargetKeyId=key_arn)
    alias_arn = f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/invoices"
    ciphertext, header = sdk.encrypt(source=b"x", key_provider=strict(alias_arn))
    assert only_edk(header).key_provider.key_info == key_arn.encode()
    assert sdk.decrypt(source=ciphertext, key_provider=strict(key_arn))[0] == b"x"


def test_second_key_in_another_region_gets_the_data_key_by_encrypt(kms, sdk, key_arn):
    eu_arn = boto3.client("kms", region_name=EU).create_key()["KeyMetadata"]["Arn"]
    ciphertext, header = sdk.encrypt(source=b"x", key_provider=strict(key_arn, eu_arn))
    assert {edk.key_provider.key_info for edk in header.encrypted_data_keys} == {key_arn.encode(), eu_arn.encode()}

    assert sdk.decrypt(source=ciphertext, key_provider=strict(eu_arn))[0] == b"x"
    assert [(c.operation, c.region) for c in kms.calls][-3:] == [
        ("GenerateDataKey", REGION), ("Encrypt", EU), ("Decrypt", EU)]
    assert len(kms.calls.of("Encrypt")[0].params["Plaintext"]) == 32


def test_discovery_provider_decrypts_a_key_of_another_account(kms, sdk):
    owner = kms.client(principal="arn:aws:iam::111122223333:root")
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*",
         "Resource": "*"},
        {"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
         "Resource": "*"}]}
    shared = owner.create_key(Policy=json.dumps(policy))["KeyMetadata"]["Arn"]

    ciphertext, _ = sdk.encrypt(source=b"shared", key_provider=strict(shared))
    discovery = DiscoveryAwsKmsMasterKeyProvider(
        discovery_filter=DiscoveryFilter(account_ids=["111122223333"], partition="aws"))
    assert sdk.decrypt(source=ciphertext, key_provider=discovery)[0] == b"shared"
    last = kms.calls.last
    assert (last.operation, last.account_id, last.principal, last.params["KeyId"]) == (
        "Decrypt", ACCOUNT, ROOT, shared)


# =========================================================================== multi-Region keys

def test_mrk_aware_provider_decrypts_with_the_replica_in_its_region(kms, client, sdk):
    primary = client.create_key(MultiRegion=True)["KeyMetadata"]["Arn"]
    assert primary.startswith(f"arn:aws:kms:{REGION}:{ACCOUNT}:key/mrk-")
    replica = client.replicate_key(KeyId=primary, ReplicaRegion=EU)["ReplicaKeyMetadata"]["Arn"]
    assert replica == key_arn_of_replica(primary, EU)
    ciphertext, header = sdk.encrypt(source=b"order 7", key_provider=MRKAwareStrictAwsKmsMasterKeyProvider(
        key_ids=[primary]), encryption_context=CONTEXT)
    eu_provider = MRKAwareStrictAwsKmsMasterKeyProvider(key_ids=[replica])

    with pytest.raises(DecryptKeyError):                    # the replica is still Creating
        sdk.decrypt(source=ciphertext, key_provider=eu_provider)
    refused = kms.calls.last
    assert (refused.operation, refused.region, refused.error_code, refused.error_message) == (
        "Decrypt", EU, "KMSInvalidStateException", f"{replica} is creating.")

    kms.clock.advance(seconds=10)
    plaintext, dec_header = sdk.decrypt(source=ciphertext, key_provider=eu_provider)
    assert (plaintext, dec_header.encryption_context) == (b"order 7", header.encryption_context)
    assert only_edk(header).key_provider.key_info == primary.encode()
    last = kms.calls.last
    assert (last.operation, last.region, last.error_code) == ("Decrypt", EU, None)
    assert last.params["KeyId"] == replica


def test_mrk_aware_discovery_provider_uses_the_replica_of_its_region(kms, sdk, mrk):
    primary, replica = mrk
    ciphertext, _ = sdk.encrypt(source=b"x", key_provider=strict(primary))
    discovery = MRKAwareDiscoveryAwsKmsMasterKeyProvider(discovery_region=EU)
    assert sdk.decrypt(source=ciphertext, key_provider=discovery)[0] == b"x"
    assert (kms.calls.last.operation, kms.calls.last.region, kms.calls.last.params["KeyId"]) == (
        "Decrypt", EU, replica)


# =========================================================================== keyrings (MPL)

def test_kms_keyring_round_trip(kms, sdk, mpl, models, key_arn):
    keyring = kms_keyring(mpl, models, key_arn)
    ciphertext, header = sdk.encrypt(source=b"keyring", keyring=keyring, encryption_context=CONTEXT)
    plaintext, dec_header = sdk.decrypt(source=ciphertext, keyring=keyring)

    assert plaintext == b"keyring"
    assert dec_header.encryption_context == header.encryption_context
    assert {k: v for k, v in header.encryption_context.items() if k != PUBLIC_KEY_ENTRY} == CONTEXT
    generate, decrypt = kms.calls.filter(key=key_arn)
    assert (generate.operation, decrypt.operation) == ("GenerateDataKey", "Decrypt")
    assert generate.params["EncryptionContext"] == decrypt.params["EncryptionContext"] == header.encryption_context
    assert decrypt.params["CiphertextBlob"] == only_edk(header).encrypted_data_key
    assert (generate.params["NumberOfBytes"], decrypt.params["KeyId"]) == (32, key_arn)


def test_kms_keyring_for_a_different_key_fails_without_asking_kms(kms, sdk, mpl, models, key_arn, other_key_arn):
    ciphertext, _ = sdk.encrypt(source=b"x", keyring=kms_keyring(mpl, models, key_arn))
    with pytest.raises(AWSEncryptionSDKClientError, match="No Encrypted Data Keys found to match"):
        sdk.decrypt(source=ciphertext, keyring=kms_keyring(mpl, models, other_key_arn))
    kms.calls.assert_not_called("Decrypt")


def test_mrk_keyrings_encrypt_with_the_primary_and_decrypt_with_the_replica(kms, sdk, mpl, models, mrk):
    primary, replica = mrk
    encrypting = mpl.create_aws_kms_mrk_multi_keyring(models.CreateAwsKmsMrkMultiKeyringInput(generator=primary))
    ciphertext, header = sdk.encrypt(source=b"mrk", keyring=encrypting, encryption_context=CONTEXT)
    assert (kms.calls.last.operation, kms.calls.last.region) == ("GenerateDataKey", REGION)

    replica_keyring = mpl.create_aws_kms_mrk_keyring(models.CreateAwsKmsMrkKeyringInput(
        kms_key_id=replica, kms_client=boto3.client("kms", region_name=EU)))
    multi = mpl.create_aws_kms_mrk_multi_keyring(models.CreateAwsKmsMrkMultiKeyringInput(kms_key_ids=[replica]))
    for keyring in (replica_keyring, multi):
        plaintext, dec_header = sdk.decrypt(source=ciphertext, keyring=keyring)
        assert (plaintext, dec_header.encryption_context) == (b"mrk", header.encryption_context)
        last = kms.calls.last
        assert (last.operation, last.region, last.params["KeyId"], last.error_code) == ("Decrypt", EU, replica, None)


# =========================================================================== denied callers

DENY_ROOT_DECRYPT = {"Version": "2012-10-17", "Statement": [
    {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "kms:*",
     "Resource": "*"},
    {"Sid": "No decryption here", "Effect": "Deny", "Principal": {"AWS": ROOT}, "Action": "kms:Decrypt",
     "Resource": "*"}]}


@pytest.mark.parametrize("path", ["master-key-provider", "keyring"])
def test_key_policy_denying_decrypt_fails_the_sdk_and_the_log_keeps_the_denial(kms, client, sdk, path, request):
    arn = client.create_key(Policy=json.dumps(DENY_ROOT_DECRYPT))["KeyMetadata"]["Arn"]
    if path == "keyring":
        mpl, models = request.getfixturevalue("mpl"), request.getfixturevalue("models")
        material = {"keyring": kms_keyring(mpl, models, arn)}
    else:
        material = {"key_provider": strict(arn)}
    ciphertext, _ = sdk.encrypt(source=b"x", encryption_context=CONTEXT, **material)      # may still encrypt

    with pytest.raises(AWSEncryptionSDKClientError):          # DecryptKeyError on the provider path
        sdk.decrypt(source=ciphertext, **material)
    (denied,) = kms.calls.filter(error="AccessDeniedException")
    assert (denied.operation, denied.principal, denied.params["KeyId"]) == ("Decrypt", ROOT, arn)
    assert denied.error_message == (f"User: {ROOT} is not authorized to perform: kms:Decrypt on resource: {arn} "
                                    "with an explicit deny in a resource-based policy")


@pytest.mark.parametrize("constraint, allowed", [("EncryptionContextSubset", True),
                                                 ("EncryptionContextEquals", False)])
def test_grant_constraint_meets_the_context_the_sdk_really_sends(kms, client, sdk, mpl, models, mpl_errors,
                                                                   key_arn, constraint, allowed):
    role = f"arn:aws:iam::{ACCOUNT}:role/app"
    kms.allow(role, {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "kms:DescribeKey", "Resource": "*"}]})          # the grant must do it
    client.create_grant(KeyId=key_arn, GranteePrincipal=role, Operations=["GenerateDataKey", "Decrypt"],
                        Constraints={constraint: {"tenant": "t1"}})
    keyring = mpl.create_aws_kms_keyring(models.CreateAwsKmsKeyringInput(
        kms_key_id=key_arn, kms_client=kms.client(principal=role)))

    if allowed:
        ciphertext, _ = sdk.encrypt(source=b"t1 data", keyring=keyring, encryption_context={"tenant": "t1"})
        assert sdk.decrypt(source=ciphertext, keyring=keyring)[0] == b"t1 data"
    else:
        # The SDK's context also holds aws-crypto-public-key, so it never *equals* {"tenant": "t1"}.
        with pytest.raises(mpl_errors.ComAmazonawsKms, match="AccessDeniedException"):
            sdk.encrypt(source=b"t1 data", keyring=keyring, encryption_context={"tenant": "t1"})
        (denied,) = kms.calls.filter(error="AccessDeniedException")
        assert (denied.operation, denied.principal) == ("GenerateDataKey", role)
    assert [c.principal for c in kms.calls.filter(key=key_arn)][1:] == [role] * (2 if allowed else 1)


# =========================================================================== asymmetric keyrings

def test_rsa_keyring_decrypts_in_kms_what_the_library_encrypted_locally(kms, client, sdk, mpl, models):
    serialization = pytest.importorskip("cryptography.hazmat.primitives.serialization")
    arn = client.create_key(KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]["Arn"]
    pem = serialization.load_der_public_key(client.get_public_key(KeyId=arn)["PublicKey"]).public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    encrypting = mpl.create_aws_kms_rsa_keyring(models.CreateAwsKmsRsaKeyringInput(
        kms_key_id=arn, encryption_algorithm="RSAES_OAEP_SHA_256", public_key=pem))
    # The RSA keyring refuses signing suites; the SDK encrypts the data key itself (no KMS call).
    ciphertext, header = sdk.encrypt(source=b"rsa", keyring=encrypting, encryption_context=CONTEXT,
                                     algorithm=Algorithm.AES_256_GCM_HKDF_SHA512_COMMIT_KEY)
    assert [c.operation for c in kms.calls] == ["CreateKey", "GetPublicKey"]

    decrypting = mpl.create_aws_kms_rsa_keyring(models.CreateAwsKmsRsaKeyringInput(
        kms_key_id=arn, encryption_algorithm="RSAES_OAEP_SHA_256", kms_client=client))
    assert sdk.decrypt(source=ciphertext, keyring=decrypting)[0] == b"rsa"
    decrypt = kms.calls.last
    assert (decrypt.operation, decrypt.params["KeyId"], decrypt.params["EncryptionAlgorithm"]) == (
        "Decrypt", arn, "RSAES_OAEP_SHA_256")
    assert decrypt.params["CiphertextBlob"] == only_edk(header).encrypted_data_key


def test_ecdh_keyrings_of_sender_and_recipient_agree(kms, client, sdk, mpl, models):
    sender, recipient = (client.create_key(KeySpec="ECC_NIST_P256", KeyUsage="KEY_AGREEMENT")["KeyMetadata"]["Arn"]
                         for _ in range(2))
    recipient_public = client.get_public_key(KeyId=recipient)["PublicKey"]
    encrypting = mpl.create_aws_kms_ecdh_keyring(models.CreateAwsKmsEcdhKeyringInput(
        key_agreement_scheme=models.KmsEcdhStaticConfigurationsKmsPrivateKeyToStaticPublicKey(
            models.KmsPrivateKeyToStaticPublicKeyInput(sender_kms_identifier=sender,
                                                       recipient_public_key=recipient_public)),
        curve_spec="ECC_NIST_P256", kms_client=client))
    ciphertext, _ = sdk.encrypt(source=b"ecdh", keyring=encrypting)

    decrypting = mpl.create_aws_kms_ecdh_keyring(models.CreateAwsKmsEcdhKeyringInput(
        key_agreement_scheme=models.KmsEcdhStaticConfigurationsKmsPublicKeyDiscovery(
            models.KmsPublicKeyDiscoveryInput(recipient_kms_identifier=recipient)),
        curve_spec="ECC_NIST_P256", kms_client=client))
    assert sdk.decrypt(source=ciphertext, keyring=decrypting)[0] == b"ecdh"
    # sender-private x recipient-public (encrypt) == recipient-private x sender-public (decrypt)
    assert [c.params["KeyId"] for c in kms.calls.of("DeriveSharedSecret")] == [sender, recipient]


# =========================================================================== hierarchical keyring

def test_hierarchical_keyring_with_a_moto_key_store(kms, sdk, mpl, models):
    moto = pytest.importorskip("moto")
    keystore = pytest.importorskip("aws_cryptographic_material_providers.keystore.client")
    ks_config = pytest.importorskip("aws_cryptographic_material_providers.keystore.config")
    ks_models = pytest.importorskip("aws_cryptographic_material_providers.keystore.models")
    with moto.mock_aws():                                       # DynamoDB from moto, KMS from mockkms
        kms_client = boto3.client("kms", region_name=REGION)
        arn = kms_client.create_key()["KeyMetadata"]["Arn"]
        store = keystore.KeyStore(config=ks_config.KeyStoreConfig(
            ddb_table_name="branch-keys", logical_key_store_name="branch-keys",
            kms_configuration=ks_models.KMSConfigurationKmsKeyArn(arn), kms_client=kms_client,
            ddb_client=boto3.client("dynamodb", region_name=REGION)))
        store.create_key_store(ks_models.CreateKeyStoreInput())
        branch_key = store.create_key(ks_models.CreateKeyInput()).branch_key_identifier

        def keyring():
            return mpl.create_aws_kms_hierarchical_keyring(models.CreateAwsKmsHierarchicalKeyringInput(
                key_store=store, branch_key_id=branch_key, ttl_seconds=600))

        ciphertext, _ = sdk.encrypt(source=b"branch", keyring=keyring(), encryption_context=CONTEXT)
        store.version_key(ks_models.VersionKeyInput(branch_key_identifier=branch_key))    # rotate the branch key
        assert sdk.decrypt(source=ciphertext, keyring=keyring())[0] == b"branch"

    operations = [c.operation for c in kms.calls]
    assert operations[:3] == ["CreateKey", "GenerateDataKeyWithoutPlaintext", "ReEncrypt"]
    assert {"GenerateDataKeyWithoutPlaintext", "ReEncrypt", "Decrypt"} <= set(operations)
    assert kms.calls.filter(error="*") == []
    for call in kms.calls.of("ReEncrypt"):                      # branch keys stay under the one KMS key
        assert call.params["SourceKeyId"] == call.params["DestinationKeyId"] == arn
        assert call.params["DestinationEncryptionContext"]["branch-key-id"] == branch_key


# =========================================================================== boto3 paginators

def test_list_keys_paginator_walks_250_keys_in_limit_sized_pages(kms, client):
    created = {client.create_key()["KeyMetadata"]["KeyId"] for _ in range(250)}
    before = len(kms.calls)

    pages = list(client.get_paginator("list_keys").paginate(PaginationConfig={"PageSize": 100}))
    assert [len(p["Keys"]) for p in pages] == [100, 100, 50]
    assert [p["Truncated"] for p in pages] == [True, True, False]
    listed = [k["KeyId"] for p in pages for k in p["Keys"]]
    assert len(listed) == len(set(listed)) == 250 and set(listed) == created
    assert all(k["KeyArn"] == f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{k['KeyId']}" for p in pages for k in p["Keys"])

    calls = list(kms.calls)[before:]
    assert [c.params for c in calls] == [
        {"Limit": 100}, {"Limit": 100, "Marker": pages[0]["NextMarker"]},
        {"Limit": 100, "Marker": pages[1]["NextMarker"]}]


def test_list_keys_paginator_resumes_from_a_token_cut_inside_a_page(client):
    created = {client.create_key()["KeyMetadata"]["KeyId"] for _ in range(250)}
    paginator = client.get_paginator("list_keys")

    first = paginator.paginate(PaginationConfig={"PageSize": 50, "MaxItems": 120}).build_full_result()
    assert len(first["Keys"]) == 120 and "NextToken" in first
    rest = paginator.paginate(PaginationConfig={"PageSize": 50, "StartingToken": first["NextToken"]}
                              ).build_full_result()
    ids = [k["KeyId"] for k in first["Keys"] + rest["Keys"]]
    assert len(ids) == len(set(ids)) == 250 and set(ids) == created
    assert "NextToken" not in rest

