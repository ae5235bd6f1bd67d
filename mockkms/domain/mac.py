"""HMAC keys: RFC 2104 MACs, and the key lengths KMS generates."""
from __future__ import annotations

import hashlib
import hmac

_DIGESTS = {"HMAC_SHA_224": "sha224", "HMAC_SHA_256": "sha256",
            "HMAC_SHA_384": "sha384", "HMAC_SHA_512": "sha512"}

#: KeySpec -> bytes of key material KMS generates (the hash's output length [G]).
KEY_BYTES = {"HMAC_224": 28, "HMAC_256": 32, "HMAC_384": 48, "HMAC_512": 64}


def mac(secret: bytes, algorithm: str, message: bytes) -> bytes:
    return hmac.new(secret, message, getattr(hashlib, _DIGESTS[algorithm])).digest()


def matches(secret: bytes, algorithm: str, message: bytes, tag: bytes) -> bool:
    return hmac.compare_digest(mac(secret, algorithm, message), tag)
