"""SM2 keys in the China Regions, checked against an independent SM2: the system's OpenSSL.

Signatures made by the mock verify in ``openssl pkeyutl``, ciphertext OpenSSL makes with the key from GetPublicKey decrypts in the mock, data
key pairs load in OpenSSL.  ECDH (which OpenSSL 3 does not offer for SM2 keys) is
checked against the short affine arithmetic below, written apart from the mock's.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, error_of, make_client


def _openssl_has_sm2() -> bool:
    if shutil.which("openssl") is None:
        return False
    listing = subprocess.run(["openssl", "list", "-public-key-algorithms"], capture_output=True, text=True)
    return "SM2" in listing.stdout


pytestmark = pytest.mark.skipif(not _openssl_has_sm2(), reason="needs an openssl command with SM2")

CHINA = "cn-north-1"
MESSAGE = b"transfer 100 CNY to account 42"
DEFAULT_ID = b"1234567812345678"

# GB/T 32918.5 recommended curve parameters.
P = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF
A = P - 3
B = 0x28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93
N = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123
G = (0x32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7,
     0xBC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0)
SPKI_PREFIX = bytes.fromhex("3059301306072a8648ce3d020106082a811ccf5501822d03420004")


def add(p, q):
    if p is None:
        return q
    if q is None:
        return p
    if p[0] == q[0] and (p[1] + q[1]) % P == 0:
        return None
    if p == q:
        slope = (3 * p[0] * p[0] + A) * pow(2 * p[1], -1, P) % P
    else:
        slope = (q[1] - p[1]) * pow(q[0] - p[0], -1, P) % P
    x = (slope * slope - p[0] - q[0]) % P
    return x, (slope * (p[0] - x) - p[1]) % P


def multiply(k, point):
    result = None
    while k:
        if k & 1:
            result = add(result, point)
        point = add(point, point)
        k >>= 1
    return result


def point_of(spki: bytes):
    assert spki[:len(SPKI_PREFIX)] == SPKI_PREFIX and len(spki) == len(SPKI_PREFIX) + 64
    body = spki[len(SPKI_PREFIX):]
    return int.from_bytes(body[:32], "big"), int.from_bytes(body[32:], "big")


def digest_of(spki: bytes, message: bytes) -> bytes:
    """e = SM3(Z || M), Z over the default distinguishing ID (GB/T 32918.2 §5.5)."""
    x, y = point_of(spki)
    z_input = (len(DEFAULT_ID * 8).to_bytes(2, "big") + DEFAULT_ID
               + b"".join(v.to_bytes(32, "big") for v in (A, B, G[0], G[1], x, y)))
    z = hashlib.new("sm3", z_input).digest()
    return hashlib.new("sm3", z + message).digest()


def openssl(*args: str, input_bytes: bytes = None) -> subprocess.CompletedProcess:
    return subprocess.run(["openssl", *args], capture_output=True, input=input_bytes)


@pytest.fixture
def china(kms):
    return make_client(CHINA)


@pytest.fixture
def files(tmp_path):
    def write(name: str, data: bytes) -> str:
        path = tmp_path / name
        path.write_bytes(data)
        return str(path)
    return write


def sm2_key(client, usage: str) -> str:
    return client.create_key(KeySpec="SM2", KeyUsage=usage)["KeyMetadata"]["KeyId"]


def public_key(client, key_id: str) -> bytes:
    return client.get_public_key(KeyId=key_id)["PublicKey"]


def openssl_verifies(files, spki: bytes, message: bytes, signature: bytes) -> bool:
    result = openssl("pkeyutl", "-verify", "-pubin", "-inkey", files("pub.der", spki), "-keyform", "DER",
                     "-rawin", "-digest", "sm3", "-in", files("msg", message), "-sigfile", files("sig", signature),
                     "-pkeyopt", f"distid:{DEFAULT_ID.decode()}")
    return result.returncode == 0


# ------------------------------------------------------------------------------ keys

def test_get_public_key_is_an_sm2_subject_public_key_info(china, files):
    key_id = sm2_key(china, "SIGN_VERIFY")
    response = china.get_public_key(KeyId=key_id)
    parsed = openssl("asn1parse", "-inform", "DER", "-in", files("pub.der", response["PublicKey"]))
    assert parsed.returncode == 0 and b":sm2" in parsed.stdout and b"id-ecPublicKey" in parsed.stdout
    assert (response["KeySpec"], response["SigningAlgorithms"]) == ("SM2", ["SM2DSA"])
    assert response["KeyId"] == f"arn:aws-cn:kms:{CHINA}:{ACCOUNT}:key/{key_id}"


def test_the_public_point_is_on_the_curve(china):
    x, y = point_of(public_key(china, sm2_key(china, "SIGN_VERIFY")))
    assert (y * y - (x ** 3 + A * x + B)) % P == 0


# ------------------------------------------------------------------------------ SM2DSA

def test_raw_signature_verifies_in_openssl(china, files):
    key_id = sm2_key(china, "SIGN_VERIFY")
    signature = china.sign(KeyId=key_id, Message=MESSAGE, SigningAlgorithm="SM2DSA")["Signature"]
    assert openssl_verifies(files, public_key(china, key_id), MESSAGE, signature)


def test_digest_signature_of_sm3_z_and_message_verifies_in_openssl(china, files):
    key_id = sm2_key(china, "SIGN_VERIFY")
    spki = public_key(china, key_id)
    signature = china.sign(KeyId=key_id, Message=digest_of(spki, MESSAGE), MessageType="DIGEST",
                           SigningAlgorithm="SM2DSA")["Signature"]
    assert openssl_verifies(files, spki, MESSAGE, signature)


def test_signature_of_another_message_fails_in_openssl(china, files):
    key_id = sm2_key(china, "SIGN_VERIFY")
    signature = china.sign(KeyId=key_id, Message=MESSAGE, SigningAlgorithm="SM2DSA")["Signature"]
    assert not openssl_verifies(files, public_key(china, key_id), MESSAGE + b"!", signature)


def test_signature_by_another_sm2_key_is_refused(china, files):
    private = files("key.pem", openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:SM2").stdout)
    signature = openssl("pkeyutl", "-sign", "-inkey", private, "-rawin", "-digest", "sm3",
                        "-in", files("msg", MESSAGE), "-pkeyopt", f"distid:{DEFAULT_ID.decode()}").stdout
    key_id = sm2_key(china, "SIGN_VERIFY")
    with pytest.raises(ClientError) as excinfo:
        china.verify(KeyId=key_id, Message=MESSAGE, SigningAlgorithm="SM2DSA", Signature=signature)
    assert error_of(excinfo) == ("KMSInvalidSignatureException", "", 400)


def test_raw_and_digest_verify_the_same_signature(china):
    key_id = sm2_key(china, "SIGN_VERIFY")
    spki = public_key(china, key_id)
    signature = china.sign(KeyId=key_id, Message=MESSAGE, SigningAlgorithm="SM2DSA")["Signature"]
    response = china.verify(KeyId=key_id, Message=digest_of(spki, MESSAGE), MessageType="DIGEST",
                            SigningAlgorithm="SM2DSA", Signature=signature)
    assert response["SignatureValid"] is True


def test_digest_of_the_wrong_length_is_refused(china):
    key_id = sm2_key(china, "SIGN_VERIFY")
    with pytest.raises(ClientError) as excinfo:
        china.sign(KeyId=key_id, Message=b"x" * 31, MessageType="DIGEST", SigningAlgorithm="SM2DSA")
    assert error_of(excinfo) == ("ValidationException", "Digest is invalid length for algorithm SM2DSA.", 400)


# ------------------------------------------------------------------------------ SM2PKE

def test_openssl_ciphertext_decrypts_in_the_mock(china, files):
    key_id = sm2_key(china, "ENCRYPT_DECRYPT")
    blob = openssl("pkeyutl", "-encrypt", "-pubin", "-keyform", "DER",
                   "-inkey", files("pub.der", public_key(china, key_id)), "-in", files("msg", MESSAGE)).stdout
    response = china.decrypt(KeyId=key_id, CiphertextBlob=blob, EncryptionAlgorithm="SM2PKE")
    assert response["Plaintext"] == MESSAGE and "KeyMaterialId" not in response


def test_mock_ciphertext_is_the_der_form_and_decrypts(china, files):
    key_id = sm2_key(china, "ENCRYPT_DECRYPT")
    blob = china.encrypt(KeyId=key_id, Plaintext=MESSAGE, EncryptionAlgorithm="SM2PKE")["CiphertextBlob"]
    fields = openssl("asn1parse", "-inform", "DER", "-in", files("c.der", blob)).stdout.decode().splitlines()
    kinds = [("INTEGER" in line, "OCTET STRING" in line) for line in fields[1:]]
    assert kinds == [(True, False), (True, False), (False, True), (False, True)]
    assert china.decrypt(KeyId=key_id, CiphertextBlob=blob, EncryptionAlgorithm="SM2PKE")["Plaintext"] == MESSAGE


def test_tampered_sm2_ciphertext_is_invalid(china):
    key_id = sm2_key(china, "ENCRYPT_DECRYPT")
    blob = bytearray(china.encrypt(KeyId=key_id, Plaintext=MESSAGE, EncryptionAlgorithm="SM2PKE")["CiphertextBlob"])
    blob[-1] ^= 1
    with pytest.raises(ClientError) as excinfo:
        china.decrypt(KeyId=key_id, CiphertextBlob=bytes(blob), EncryptionAlgorithm="SM2PKE")
    assert error_of(excinfo) == ("InvalidCiphertextException", "", 400)


def test_sm2pke_takes_at_most_1024_bytes(china):
    key_id = sm2_key(china, "ENCRYPT_DECRYPT")
    china.encrypt(KeyId=key_id, Plaintext=b"p" * 1024, EncryptionAlgorithm="SM2PKE")
    with pytest.raises(ClientError) as excinfo:
        china.encrypt(KeyId=key_id, Plaintext=b"p" * 1025, EncryptionAlgorithm="SM2PKE")
    assert error_of(excinfo) == (
        "ValidationException", "Algorithm SM2PKE and key spec SM2 cannot encrypt data larger than 1024 bytes.", 400)


# ------------------------------------------------------------------------------ data key pairs, ECDH

def test_sm2_data_key_pair_loads_in_openssl_and_matches_its_public_key(china, files):
    wrapping = china.create_key()["KeyMetadata"]["KeyId"]
    pair = china.generate_data_key_pair(KeyId=wrapping, KeyPairSpec="SM2")
    private = files("key.der", pair["PrivateKeyPlaintext"])
    derived = openssl("pkey", "-inform", "DER", "-in", private, "-pubout", "-outform", "DER")
    assert derived.returncode == 0 and derived.stdout == pair["PublicKey"]
    signature = openssl("pkeyutl", "-sign", "-inkey", private, "-keyform", "DER", "-rawin", "-digest", "sm3",
                        "-in", files("msg", MESSAGE), "-pkeyopt", f"distid:{DEFAULT_ID.decode()}").stdout
    assert openssl_verifies(files, pair["PublicKey"], MESSAGE, signature)


def test_derive_shared_secret_matches_the_peer_side(china):
    key_id = sm2_key(china, "KEY_AGREEMENT")
    peer_secret = int.from_bytes(os.urandom(32), "big") % (N - 2) + 1
    peer_point = multiply(peer_secret, G)
    peer_spki = SPKI_PREFIX + b"".join(v.to_bytes(32, "big") for v in peer_point)
    response = china.derive_shared_secret(KeyId=key_id, KeyAgreementAlgorithm="ECDH", PublicKey=peer_spki)
    expected = multiply(peer_secret, point_of(public_key(china, key_id)))[0].to_bytes(32, "big")
    assert response["SharedSecret"] == expected


def test_derive_shared_secret_refuses_a_point_off_the_curve(china):
    key_id = sm2_key(china, "KEY_AGREEMENT")
    bad = SPKI_PREFIX + (1).to_bytes(32, "big") + (1).to_bytes(32, "big")
    with pytest.raises(ClientError) as excinfo:
        china.derive_shared_secret(KeyId=key_id, KeyAgreementAlgorithm="ECDH", PublicKey=bad)
    assert error_of(excinfo) == ("ValidationException", "", 400)
