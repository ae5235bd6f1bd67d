"""ECDH key agreement (DeriveSharedSecret): the raw shared x-coordinate, no KDF."""
from __future__ import annotations

from typing import Any, Optional

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from . import sm2
from .keypairs import CURVES


def peer_key(der: bytes, key_spec: str) -> Optional[Any]:
    """The peer's public key from DER SubjectPublicKeyInfo, if it is one on ``key_spec``'s curve."""
    if key_spec == "SM2":
        return sm2.load_public_der(der)
    try:
        key = serialization.load_der_public_key(der)
    except (ValueError, TypeError):
        return None
    if not isinstance(key, ec.EllipticCurvePublicKey) or key.curve.name != CURVES[key_spec].name:
        return None
    return key


def shared_secret(private: Any, peer: Any) -> bytes:
    if isinstance(private, sm2.SM2PrivateKey):
        return sm2.shared_secret(private, peer)
    return private.exchange(ec.ECDH(), peer)
