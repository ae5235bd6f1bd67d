"""Imported key material: unwrapping it, and checking it fits the key (keys-lifecycle.md §11).

Wrapping is real: the caller encrypts the material with the RSA public key from
GetParametersForImport, either directly (RSAES-OAEP) or by wrapping it with a
fresh AES key (RFC 5649 key wrap with padding) and encrypting that AES key
(RSA_AES_KEY_WRAP: ``OAEP(aes key) || KWP(material)``), and the mock unwraps it
with the private half.
"""
from __future__ import annotations

import hashlib
from typing import Any, Optional

from cryptography.hazmat.primitives import hashes, keywrap, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

from . import keypairs, optional

#: Accepted lengths of imported HMAC material, by key spec [G, LocalStack's constants].
HMAC_LENGTHS = {"HMAC_224": (28, 64), "HMAC_256": (32, 64), "HMAC_384": (48, 128), "HMAC_512": (64, 128)}
SYMMETRIC_LENGTH = 32


class UnwrapFailed(Exception):
    """The wrapped material does not decrypt with the import parameters' private key."""


def _oaep(algorithm: str) -> padding.OAEP:
    digest = hashes.SHA256() if algorithm.endswith("SHA_256") else hashes.SHA1()
    return padding.OAEP(mgf=padding.MGF1(digest), algorithm=digest, label=None)


def unwrap(private: rsa.RSAPrivateKey, algorithm: str, wrapped: bytes) -> bytes:
    """The material ``wrapped`` carries, for WrappingAlgorithm ``algorithm``."""
    try:
        if algorithm.startswith("RSAES_OAEP_"):
            return private.decrypt(wrapped, _oaep(algorithm))
        if algorithm.startswith("RSA_AES_KEY_WRAP_"):
            size = private.key_size // 8
            aes_key = private.decrypt(wrapped[:size], _oaep(algorithm))
            return keywrap.aes_key_unwrap_with_padding(aes_key, wrapped[size:])
    except (ValueError, keywrap.InvalidUnwrap):
        raise UnwrapFailed() from None
    raise UnwrapFailed()


def material_id(key_id: str, material: bytes) -> str:
    """Imported material's id: the same material in the same key always gets the same id [M]."""
    return hashlib.sha256(key_id.encode() + b"\0" + material).hexdigest()


def private_key_for(key_spec: str, material: bytes) -> Optional[Any]:
    """The private key ``material`` (DER PKCS#8) holds, if it is one of ``key_spec``; else None."""
    try:
        private = serialization.load_der_private_key(material, password=None)
    except (ValueError, TypeError):
        return None
    if key_spec in keypairs.RSA_BITS:
        fits = isinstance(private, rsa.RSAPrivateKey) and private.key_size == keypairs.RSA_BITS[key_spec]
    elif key_spec in keypairs.CURVES:
        fits = isinstance(private, ec.EllipticCurvePrivateKey) and private.curve.name == keypairs.CURVES[key_spec].name
    elif key_spec == "ECC_NIST_EDWARDS25519":
        fits = isinstance(private, ed25519.Ed25519PrivateKey)
    elif key_spec in keypairs.ML_DSA_SPECS:
        fits = optional.is_mldsa_private_key(key_spec, private)
    else:
        fits = False
    return private if fits else None


def fits(key_spec: str, material: bytes) -> bool:
    """Whether ``material`` can be a ``key_spec`` key's material."""
    if key_spec == "SYMMETRIC_DEFAULT":
        return len(material) == SYMMETRIC_LENGTH
    if key_spec in HMAC_LENGTHS:
        low, high = HMAC_LENGTHS[key_spec]
        return low <= len(material) <= high
    return private_key_for(key_spec, material) is not None
