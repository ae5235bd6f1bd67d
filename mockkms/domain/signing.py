"""Signatures as KMS makes them (key-specs.md §4): one table of schemes, one sign, one verify.

Every signature is a standard one, so it verifies outside the mock with the key
from GetPublicKey: RSASSA-PSS (MGF1 with the same hash, salt length = hash
length), RSASSA-PKCS1-v1_5, ECDSA (DER ``SEQUENCE {r, s}``, not low-S
normalised), Ed25519 and Ed25519ph (RFC 8032), ML-DSA (FIPS 204, empty context),
SM2DSA (GB/T 32918.2, China Regions).

MessageType RAW means the scheme hashes the message; DIGEST means the message
already is the hash; EXTERNAL_MU (ML-DSA only) means it is the 64-byte μ.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Optional

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, utils

from . import optional, sm2

RAW, DIGEST, EXTERNAL_MU = "RAW", "DIGEST", "EXTERNAL_MU"
_MU_BYTES = 64


class InvalidMessage(Exception):
    """The message does not fit the algorithm and message type; ``str()`` is AWS's wording."""


@dataclass(frozen=True, eq=False)  # one instance per algorithm: identity is equality, and hashes fast
class Scheme:
    family: str                     # rsa-pss, rsa-pkcs1, ecdsa, ed25519, ed25519ph, ml-dsa
    hash: Optional[hashes.HashAlgorithm]
    message_types: tuple            # the MessageTypes the algorithm accepts
    digest_bytes: int = 0           # required Message length for DIGEST (and EXTERNAL_MU)


_ANY = (RAW, DIGEST)
SCHEMES = {
    "RSASSA_PSS_SHA_256": Scheme("rsa-pss", hashes.SHA256(), _ANY, 32),
    "RSASSA_PSS_SHA_384": Scheme("rsa-pss", hashes.SHA384(), _ANY, 48),
    "RSASSA_PSS_SHA_512": Scheme("rsa-pss", hashes.SHA512(), _ANY, 64),
    "RSASSA_PKCS1_V1_5_SHA_256": Scheme("rsa-pkcs1", hashes.SHA256(), _ANY, 32),
    "RSASSA_PKCS1_V1_5_SHA_384": Scheme("rsa-pkcs1", hashes.SHA384(), _ANY, 48),
    "RSASSA_PKCS1_V1_5_SHA_512": Scheme("rsa-pkcs1", hashes.SHA512(), _ANY, 64),
    "ECDSA_SHA_256": Scheme("ecdsa", hashes.SHA256(), _ANY, 32),
    "ECDSA_SHA_384": Scheme("ecdsa", hashes.SHA384(), _ANY, 48),
    "ECDSA_SHA_512": Scheme("ecdsa", hashes.SHA512(), _ANY, 64),
    # Pure Ed25519 signs the message itself; Ed25519ph takes a SHA-512 digest and,
    # as the Sign API documents, prehashes it once more (FIPS 186-5 §7.8.1 step 1).
    "ED25519_SHA_512": Scheme("ed25519", None, (RAW,)),
    "ED25519_PH_SHA_512": Scheme("ed25519ph", None, (DIGEST,), 64),
    "ML_DSA_SHAKE_256": Scheme("ml-dsa", None, (RAW, EXTERNAL_MU), _MU_BYTES),
    # SM2DSA's DIGEST is e = SM3(Z || M), Z from the default distinguishing ID (see sm2.py).
    "SM2DSA": Scheme("sm2", None, _ANY, 32),
}


def check_message(algorithm: str, message_type: str, message: bytes) -> Scheme:
    """The scheme for ``algorithm``, once ``message`` fits it; else :class:`InvalidMessage`."""
    scheme = SCHEMES[algorithm]
    if message_type not in scheme.message_types:
        # Wording [G]: AWS documents the rule (Ed25519 pairings, EXTERNAL_MU for ML-DSA only),
        # not its message.
        raise InvalidMessage(f"MessageType {message_type} is not supported for signing algorithm {algorithm}.")
    if message_type != RAW and len(message) != scheme.digest_bytes:
        # [O] for DIGEST ("Digest is invalid length for algorithm ECDSA_SHA_256."); [G] for EXTERNAL_MU.
        raise InvalidMessage(f"Digest is invalid length for algorithm {algorithm}.")
    return scheme


def require_support(spec: str, algorithm: str, message_type: str) -> None:
    """Raise :class:`~.optional.MissingDependency` if signing this way needs a package that is missing."""
    family = SCHEMES[algorithm].family
    if family == "ed25519ph" or message_type == EXTERNAL_MU:
        optional.require_cryptodome(algorithm if family == "ed25519ph" else "MessageType EXTERNAL_MU")


# The padding, hash and ECDSA objects are immutable descriptions: made once per scheme, not per call.
@functools.lru_cache(maxsize=None)
def _rsa_padding(scheme: Scheme) -> Any:
    if scheme.family == "rsa-pss":
        assert scheme.hash is not None
        return padding.PSS(mgf=padding.MGF1(scheme.hash), salt_length=scheme.hash.digest_size)
    return padding.PKCS1v15()


@functools.lru_cache(maxsize=None)
def _hash_for(scheme: Scheme, message_type: str) -> Any:
    assert scheme.hash is not None
    return utils.Prehashed(scheme.hash) if message_type == DIGEST else scheme.hash


@functools.lru_cache(maxsize=None)
def _ecdsa(scheme: Scheme, message_type: str) -> Any:
    return ec.ECDSA(_hash_for(scheme, message_type))


def _sm2_digest(public: Any, message_type: str, message: bytes) -> bytes:
    return message if message_type == DIGEST else sm2.message_digest(public, message)


def sign(spec: str, private: Any, algorithm: str, message_type: str, message: bytes) -> bytes:
    """Sign ``message`` (already checked by :func:`check_message`) with ``private``."""
    scheme = SCHEMES[algorithm]
    family = scheme.family
    if family in ("rsa-pss", "rsa-pkcs1"):
        return private.sign(message, _rsa_padding(scheme), _hash_for(scheme, message_type))
    if family == "ecdsa":
        return private.sign(message, _ecdsa(scheme, message_type))
    if family == "ed25519":
        return private.sign(message)
    if family == "ed25519ph":
        return optional.ed25519ph_sign(private, message)
    if family == "sm2":
        return sm2.sign(private, _sm2_digest(private.public_key(), message_type, message))
    if message_type == EXTERNAL_MU:
        return optional.mldsa_sign_mu(spec, private, message)
    return private.sign(message)


def verify(spec: str, public: Any, algorithm: str, message_type: str, message: bytes, signature: bytes) -> bool:
    """True when ``signature`` is ``algorithm``'s signature of ``message`` under ``public``."""
    scheme = SCHEMES[algorithm]
    family = scheme.family
    if family == "ed25519ph":
        return optional.ed25519ph_verify(public, message, signature)
    if family == "sm2":
        return sm2.verify(public, _sm2_digest(public, message_type, message), signature)
    if family == "ml-dsa" and message_type == EXTERNAL_MU:
        return optional.mldsa_verify_mu(spec, public, message, signature)
    try:
        if family in ("rsa-pss", "rsa-pkcs1"):
            public.verify(signature, message, _rsa_padding(scheme), _hash_for(scheme, message_type))
        elif family == "ecdsa":
            public.verify(signature, message, _ecdsa(scheme, message_type))
        else:
            public.verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True
