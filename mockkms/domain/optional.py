"""Primitives ``cryptography`` lacks, from the optional ``pycryptodome`` (``mockkms[all-algorithms]``).

``cryptography`` covers RSA, ECDSA, Ed25519, ML-DSA and ECDH.  Two KMS features
need more: ED25519_PH_SHA_512 (Ed25519ph, RFC 8032) and ML-DSA signing or
verifying a caller-supplied μ (MessageType EXTERNAL_MU, FIPS 204 §6.2).  Both
come from pycryptodome when it is installed; without it those two requests
answer with an error that says what to install, never with a wrong signature.
"""
from __future__ import annotations

from typing import Any, Optional

from cryptography.exceptions import UnsupportedAlgorithm

EXTRA = "all-algorithms"


class MissingDependency(Exception):
    """A feature needs a package that is not installed; the message says which."""

    def __init__(self, feature: str, package: str):
        super().__init__(f"mockkms needs {package} for {feature}: pip install 'mockkms[{EXTRA}]'")
        self.feature = feature


def require_cryptodome(feature: str) -> None:
    _cryptodome(feature)


def _cryptodome(feature: str) -> Any:
    try:
        import Crypto.PublicKey.MLDSA  # noqa: F401
        import Crypto.Signature.eddsa  # noqa: F401
        import Crypto.Signature.mldsa  # noqa: F401
        from Crypto.Hash import SHA512  # noqa: F401
    except ImportError:
        raise MissingDependency(feature, "pycryptodome >= 4.4") from None
    import Crypto
    return Crypto


# -- ML-DSA (FIPS 204) ---------------------------------------------------------------------
_ML_DSA_CLASSES = {"ML_DSA_44": "MLDSA44PrivateKey", "ML_DSA_65": "MLDSA65PrivateKey",
                   "ML_DSA_87": "MLDSA87PrivateKey"}


def mldsa_generate(spec: str) -> Any:
    missing = MissingDependency(f"{spec} keys", "cryptography with ML-DSA support (>= 48)")
    try:
        from cryptography.hazmat.primitives.asymmetric import mldsa
    except ImportError:
        raise missing from None
    name = _ML_DSA_CLASSES[spec]
    private_class = getattr(mldsa, name, None) or getattr(mldsa, name.replace("MLDSA", "MlDsa"), None)
    if private_class is None:
        raise missing
    try:
        return private_class.generate()
    except UnsupportedAlgorithm:  # a cryptography built against a library without ML-DSA
        raise missing from None


def is_mldsa_private_key(spec: str, private: Any) -> bool:
    try:
        from cryptography.hazmat.primitives.asymmetric import mldsa
    except ImportError:
        return False
    name = _ML_DSA_CLASSES[spec]
    expected = getattr(mldsa, name, None) or getattr(mldsa, name.replace("MLDSA", "MlDsa"), None)
    return expected is not None and isinstance(private, expected)


def _mldsa_key(spec: str, private: Any = None, public: Any = None) -> Any:
    crypto = _cryptodome("MessageType EXTERNAL_MU")
    MLDSA = crypto.PublicKey.MLDSA
    param_set = getattr(MLDSA.ParamSet, spec)
    if private is not None:
        return MLDSA.construct(param_set=param_set, seed=private.private_bytes_raw())
    return MLDSA.construct(param_set=param_set, pk=public.public_bytes_raw())


_GIVEN_MU: Optional[type] = None


def _given_mu(key: Any, mu: bytes) -> Any:
    """A μ the caller computed, in the form pycryptodome's ML-DSA accepts instead of a message."""
    global _GIVEN_MU
    if _GIVEN_MU is None:
        from Crypto.Signature.mldsa import MLDSAMuHash

        class GivenMu(MLDSAMuHash):
            def __init__(self, key: Any, mu: bytes):  # no hashing: μ is given
                self._pk = key.pk
                self._mu = mu

            def digest(self) -> bytes:
                return self._mu

        _GIVEN_MU = GivenMu
    return _GIVEN_MU(key, mu)


def mldsa_sign_mu(spec: str, private: Any, mu: bytes) -> bytes:
    key = _mldsa_key(spec, private=private)
    from Crypto.Signature import mldsa
    return mldsa.new(key).sign(_given_mu(key, mu))


def mldsa_verify_mu(spec: str, public: Any, mu: bytes, signature: bytes) -> bool:
    key = _mldsa_key(spec, public=public)
    from Crypto.Signature import mldsa
    try:
        mldsa.new(key).verify(_given_mu(key, mu), signature)
    except ValueError:
        return False
    return True


# -- Ed25519ph (RFC 8032 §5.1, empty context) -----------------------------------------------
def ed25519ph_sign(private: Any, message: bytes) -> bytes:
    crypto = _cryptodome("ED25519_PH_SHA_512")
    eddsa, SHA512 = crypto.Signature.eddsa, crypto.Hash.SHA512
    key = eddsa.import_private_key(private.private_bytes_raw())
    return eddsa.new(key, "rfc8032").sign(SHA512.new(message))


def ed25519ph_verify(public: Any, message: bytes, signature: bytes) -> bool:
    crypto = _cryptodome("ED25519_PH_SHA_512")
    eddsa, SHA512 = crypto.Signature.eddsa, crypto.Hash.SHA512
    key = eddsa.import_public_key(public.public_bytes_raw())
    try:
        eddsa.new(key, "rfc8032").verify(SHA512.new(message), signature)
    except ValueError:
        return False
    return True
