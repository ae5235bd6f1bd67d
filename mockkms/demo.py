"""The demo behind ``python -m mockkms demo``: what a test would do, printed step by step."""
from __future__ import annotations

import boto3
from botocore.exceptions import ClientError

from .mock import mock_kms


def run() -> None:
    with mock_kms() as kms:
        client = boto3.client("kms", region_name="us-east-1")
        key = client.create_key(Description="demo key")["KeyMetadata"]
        print(f"CreateKey      -> {key['Arn']} ({key['KeySpec']}, {key['KeyState']})")
        client.create_alias(AliasName="alias/demo", TargetKeyId=key["KeyId"])
        print("CreateAlias    -> alias/demo")
        context = {"purpose": "demo"}
        blob = client.encrypt(KeyId="alias/demo", Plaintext=b"hello, KMS", EncryptionContext=context)
        print(f"Encrypt        -> {len(blob['CiphertextBlob'])}-byte ciphertext under {blob['KeyId']}")
        plain = client.decrypt(CiphertextBlob=blob["CiphertextBlob"], EncryptionContext=context)
        print(f"Decrypt        -> {plain['Plaintext']!r}")
        data_key = client.generate_data_key(KeyId="alias/demo", KeySpec="AES_256")
        print(f"GenerateDataKey-> {len(data_key['Plaintext'])}-byte data key and its ciphertext")
        try:
            client.decrypt(CiphertextBlob=blob["CiphertextBlob"])
        except ClientError as error:
            print(f"Decrypt without the context -> {error.response['Error']['Code']} "
                  f"(HTTP {error.response['ResponseMetadata']['HTTPStatusCode']})")
        client.disable_key(KeyId=key["KeyId"])
        try:
            client.encrypt(KeyId=key["KeyId"], Plaintext=b"x")
        except client.exceptions.DisabledException as error:
            print(f"Encrypt with a disabled key -> DisabledException: {error.response['Error']['Message']}")
        deletion = client.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
        print(f"ScheduleKeyDeletion -> {deletion['KeyState']} until {deletion['DeletionDate']:%Y-%m-%d}")
        kms.clock.advance(days=8)
        try:
            client.describe_key(KeyId=key["KeyId"])
        except client.exceptions.NotFoundException as error:
            print(f"8 days later, DescribeKey -> NotFoundException: {error.response['Error']['Message']}")
        print(f"{len(kms.calls)} calls answered in-process; none left this machine.")
