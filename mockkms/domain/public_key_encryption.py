"""Encryption with the public half of a KMS key: RSAES-OAEP, and SM2PKE in the China Regions.

RSAES-OAEP as KMS uses it: the same hash for OAEP and MGF1, an empty label, raw
output.  SM2PKE: GB/T 32918.4 in the DER form (:mod:`mockkms.domain.sm2`).
Nothing is wrapped around either ciphertext, so data encrypted outside KMS with
the public key from GetPublicKey decrypts in the mock, and the other way round.
"""
from __future__ import annotations

from typing import Any, Optional

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from . import sm2
from .keypairs import RSA_BITS

_HASHES = {"RSAES_OAEP_SHA_1": hashes.SHA1, "RSAES_OAEP_SHA_256": hashes.SHA256}


def _padding(algorithm: str) -> padding.OAEP:
    digest = _HASHES[algorithm]()
    return padding.OAEP(mgf=padding.MGF1(digest), algorithm=digest, label=None)


def max_plaintext(key_spec: str, algorithm: str) -> int:
    """The most bytes one call encrypts; for OAEP: modulus bytes - 2 * hash bytes - 2."""
    if algorithm == "SM2PKE":
        return sm2.MAX_PLAINTEXT
    return RSA_BITS[key_spec] // 8 - 2 * _HASHES[algorithm].digest_size - 2


def encrypt(public: Any, algorithm: str, plaintext: bytes) -> bytes:
    if algorithm == "SM2PKE":
        return sm2.encrypt(public, plaintext)
    return public.encrypt(plaintext, _padding(algorithm))


def decrypt(private: Any, algorithm: str, blob: bytes) -> Optional[bytes]:
    """The plaintext, or None when ``blob`` is not this key's ciphertext for ``algorithm``."""
    if algorithm == "SM2PKE":
        return sm2.decrypt(private, blob)
    try:
        return private.decrypt(blob, _padding(algorithm))
    except ValueError:
        return None
