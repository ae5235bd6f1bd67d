"""Asymmetric key pairs: made lazily, recycled between mocks, never shared by live keys.

An RSA-4096 private key costs about half a second to generate, so CreateKey
never generates one.  A key holds a :class:`KeyPair` that takes its private key
from the process-wide :data:`POOL` the first time it is used (GetPublicKey,
Sign, ...).  The pool hands out key pairs from mocks that are gone: when a
world is retired (the decorator or fixture that owned it finished) or garbage
collected, the pairs its keys used go back to the pool, so a suite creating an
RSA-4096 key in every test pays for generation once, not once per test.
Two keys that can still be called never hold the same pair: a pair is in the
pool or in exactly one live world, never both.

Private keys handed to users (GenerateDataKeyPair) are taken from the pool too,
but never put back.
"""
from __future__ import annotations

import threading
from typing import Any, Callable, Dict, List, Optional

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from . import optional, sm2

_DER = serialization.Encoding.DER
_SPKI = serialization.PublicFormat.SubjectPublicKeyInfo
_PKCS8 = serialization.PrivateFormat.PKCS8
_NO_PASSWORD = serialization.NoEncryption()

#: KeySpec / KeyPairSpec -> the curve of its EC keys.
CURVES: Dict[str, ec.EllipticCurve] = {
    "ECC_NIST_P256": ec.SECP256R1(),
    "ECC_NIST_P384": ec.SECP384R1(),
    "ECC_NIST_P521": ec.SECP521R1(),
    "ECC_SECG_P256K1": ec.SECP256K1(),
}
RSA_BITS = {"RSA_2048": 2048, "RSA_3072": 3072, "RSA_4096": 4096}
ML_DSA_SPECS = ("ML_DSA_44", "ML_DSA_65", "ML_DSA_87")


def generate(spec: str) -> Any:
    """A new private key of ``spec`` (a KeySpec or KeyPairSpec of an asymmetric key)."""
    if spec in RSA_BITS:
        return rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS[spec])
    if spec in CURVES:
        return ec.generate_private_key(CURVES[spec])
    if spec == "ECC_NIST_EDWARDS25519":
        return ed25519.Ed25519PrivateKey.generate()
    if spec in ML_DSA_SPECS:
        return optional.mldsa_generate(spec)
    if spec == "SM2":
        return sm2.generate()
    raise ValueError(f"no key pair generator for {spec}")


def public_der(private: Any) -> bytes:
    """DER SubjectPublicKeyInfo (RFC 5280), as GetPublicKey and GenerateDataKeyPair return it."""
    return private.public_key().public_bytes(_DER, _SPKI)


def private_der(private: Any) -> bytes:
    """DER PKCS#8 PrivateKeyInfo (RFC 5958), as GenerateDataKeyPair returns it."""
    return private.private_bytes(_DER, _PKCS8, _NO_PASSWORD)


class KeyPairPool:
    """Spare private keys by spec: from retired worlds, or made on demand."""

    def __init__(self, keep: int = 32, generator: Callable[[str], Any] = generate):
        self._spare: Dict[str, List[Any]] = {}
        self._keep = keep
        self._generate = generator
        self._lock = threading.Lock()

    def take(self, spec: str) -> Any:
        with self._lock:
            spare = self._spare.get(spec)
            if spare:
                return spare.pop()
        return self._generate(spec)

    def give_back(self, spec: str, private: Any) -> None:
        with self._lock:
            spare = self._spare.setdefault(spec, [])
            if len(spare) < self._keep:
                spare.append(private)

    def spare(self, spec: str) -> int:
        return len(self._spare.get(spec, ()))

    def clear(self) -> None:
        with self._lock:
            self._spare.clear()


POOL = KeyPairPool()


class KeyPair:
    """The private key of one asymmetric KMS key, made on first use.

    ``lent`` is the owning world's list of pairs taken from the pool: the world
    hands them back when it is retired (see :func:`retire`).
    """

    __slots__ = ("spec", "_private", "_public", "_public_der", "_lent")

    def __init__(self, spec: str, lent: List["KeyPair"], private: Any = None):
        self.spec = spec
        self._private = private
        self._public: Any = None
        self._public_der: Optional[bytes] = None
        self._lent = lent

    @property
    def private(self) -> Any:
        if self._private is None:
            if self._lent is None:
                raise RuntimeError("this key belongs to a mock that has been retired")
            self._private = POOL.take(self.spec)
            self._lent.append(self)
        return self._private

    @property
    def public(self) -> Any:
        """The public key (made once: Verify and Encrypt use it on every call)."""
        if self._public is None:
            self._public = self.private.public_key()
        return self._public

    @property
    def public_der(self) -> bytes:
        if self._public_der is None:
            self._public_der = public_der(self.private)
        return self._public_der


def retire(lent: List[KeyPair]) -> None:
    """Give every pair a retired world took from the pool back to it (runs once per world)."""
    while lent:
        pair = lent.pop()
        private, pair._private, pair._public, pair._lent = pair._private, None, None, None
        if private is not None:
            POOL.give_back(pair.spec, private)
