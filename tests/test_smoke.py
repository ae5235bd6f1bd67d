import pytest

from conftest import error_of


def test_encrypt_then_decrypt_returns_the_plaintext(client, key_id):
    blob = client.encrypt(KeyId=key_id, Plaintext=b"secret")["CiphertextBlob"]
    assert client.decrypt(CiphertextBlob=blob)["Plaintext"] == b"secret"


def test_unknown_key_id_is_not_found_with_the_arn(client):
    with pytest.raises(client.exceptions.NotFoundException) as excinfo:
        client.describe_key(KeyId="11111111-2222-3333-4444-555555555555")
    assert error_of(excinfo) == (
        "NotFoundException",
        "Key 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555' does not exist",
        400,
    )
