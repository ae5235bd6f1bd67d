"""ECDH key agreement (DeriveSharedSecret): the raw shared x-coordinate, no KDF."""
from __future__ import annotations

from typing import Any, Optional

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


def peer_key(der: bytes, curve: ec.EllipticCurve) -> Optional[ec.EllipticCurvePublicKey]:
    """The peer's EC public key from DER SubjectPublicKeyInfo, if it is one on ``curve``."""
    try:
        key = serialization.load_der_public_key(der)
    except (ValueError, TypeError):
        return None
    if not isinstance(key, ec.EllipticCurvePublicKey) or key.curve.name != curve.name:
        return None
    return key


def shared_secret(private: Any, peer: ec.EllipticCurvePublicKey) -> bytes:
    return private.exchange(ec.ECDH(), peer)
