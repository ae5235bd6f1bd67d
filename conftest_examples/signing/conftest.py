"""Fixtures for code that signs with KMS and is verified elsewhere with the public key.

Copy this into your own ``conftest.py``.  ``kms`` (from the mockkms package) starts
a fresh mock for each test; ``signing_key`` makes an asymmetric signing key in it,
and ``public_key`` is that key's public half as ``cryptography`` loads it — what a
verifier outside AWS (a JWT library, a partner's service) would hold.  Creating the
key costs microseconds: the private key is made when first used, and recycled from
earlier tests.
"""
import boto3
import pytest
from cryptography.hazmat.primitives.serialization import load_der_public_key


@pytest.fixture
def kms_client(kms):
    return boto3.client("kms", region_name=kms.region)


@pytest.fixture
def signing_key(kms_client):
    """An ECC_NIST_P256 SIGN_VERIFY key behind an alias, as the code under test names it."""
    key_id = kms_client.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    kms_client.create_alias(AliasName="alias/token-signer", TargetKeyId=key_id)
    return key_id


@pytest.fixture
def public_key(kms_client, signing_key):
    return load_der_public_key(kms_client.get_public_key(KeyId=signing_key)["PublicKey"])
