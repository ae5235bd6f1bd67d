"""RSAES-OAEP as KMS uses it: same hash for OAEP and MGF1, empty label, raw output.

Nothing is wrapped around the ciphertext, so data encrypted outside KMS with
the public key from GetPublicKey decrypts in the mock, and the other way round.
"""
from __future__ import annotations

from typing import Any, Optional

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

_HASHES = {"RSAES_OAEP_SHA_1": hashes.SHA1, "RSAES_OAEP_SHA_256": hashes.SHA256}


def _padding(algorithm: str) -> padding.OAEP:
    digest = _HASHES[algorithm]()
    return padding.OAEP(mgf=padding.MGF1(digest), algorithm=digest, label=None)


def max_plaintext(key_bits: int, algorithm: str) -> int:
    """The most bytes one OAEP block carries: modulus bytes - 2 * hash bytes - 2."""
    return key_bits // 8 - 2 * _HASHES[algorithm].digest_size - 2


def encrypt(public: Any, algorithm: str, plaintext: bytes) -> bytes:
    return public.encrypt(plaintext, _padding(algorithm))


def decrypt(private: Any, algorithm: str, blob: bytes) -> Optional[bytes]:
    """The plaintext, or None when ``blob`` is not this key's OAEP ciphertext."""
    try:
        return private.decrypt(blob, _padding(algorithm))
    except ValueError:
        return None
