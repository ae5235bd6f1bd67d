"""Tests of a small token signer that uses KMS, verified the way its consumers would."""
import base64
import hashlib
import json

import pytest
from botocore.exceptions import ClientError
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, utils


# --- the code under test (normally imported from your package) ---------------------------
def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sign_token(kms_client, claims: dict) -> str:
    """An ES256-style token: header.payload.signature, the signature made by KMS."""
    signing_input = b64url(b'{"alg":"ES256"}') + "." + b64url(json.dumps(claims).encode())
    digest = hashlib.sha256(signing_input.encode()).digest()
    signature = kms_client.sign(KeyId="alias/token-signer", Message=digest, MessageType="DIGEST",
                                SigningAlgorithm="ECDSA_SHA_256")["Signature"]
    return signing_input + "." + b64url(signature)


# --- the tests --------------------------------------------------------------------------------
def split(token: str):
    signing_input, _, signature = token.rpartition(".")
    return signing_input.encode(), base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))


def test_token_verifies_with_the_public_key(kms_client, signing_key, public_key):
    signing_input, signature = split(sign_token(kms_client, {"sub": "alice"}))
    public_key.verify(signature, signing_input, ec.ECDSA(hashes.SHA256()))  # raises if invalid


def test_tampered_token_does_not_verify(kms_client, signing_key, public_key):
    signing_input, signature = split(sign_token(kms_client, {"sub": "alice"}))
    with pytest.raises(InvalidSignature):
        public_key.verify(signature, signing_input.replace(b"e", b"f", 1), ec.ECDSA(hashes.SHA256()))


def test_kms_verify_accepts_the_digest(kms_client, signing_key, public_key):
    signing_input, signature = split(sign_token(kms_client, {"sub": "bob"}))
    digest = hashlib.sha256(signing_input).digest()
    public_key.verify(signature, digest, ec.ECDSA(utils.Prehashed(hashes.SHA256())))
    response = kms_client.verify(KeyId=signing_key, Message=digest, MessageType="DIGEST",
                                 Signature=signature, SigningAlgorithm="ECDSA_SHA_256")
    assert response["SignatureValid"] is True


def test_disabled_key_cannot_sign(kms_client, signing_key):
    kms_client.disable_key(KeyId=signing_key)
    with pytest.raises(ClientError) as excinfo:
        sign_token(kms_client, {"sub": "carol"})
    assert excinfo.value.response["Error"]["Code"] == "DisabledException"
