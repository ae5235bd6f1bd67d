"""What each KeySpec can do: usages and algorithms (key-specs.md)."""
from __future__ import annotations

from typing import Dict, Tuple

SYMMETRIC = "SYMMETRIC_DEFAULT"

_RSA_ENCRYPT = ("RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256")
# Order as in the botocore model's and the AWS CLI's DescribeKey examples.
_RSA_SIGN = ("RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512",
             "RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512")

#: KeySpec -> KeyUsage -> (metadata field listing the algorithms, algorithms)
ALGORITHMS: Dict[str, Dict[str, Tuple[str, Tuple[str, ...]]]] = {
    SYMMETRIC: {"ENCRYPT_DECRYPT": ("EncryptionAlgorithms", ("SYMMETRIC_DEFAULT",))},
    "RSA_2048": {"ENCRYPT_DECRYPT": ("EncryptionAlgorithms", _RSA_ENCRYPT),
                 "SIGN_VERIFY": ("SigningAlgorithms", _RSA_SIGN)},
    "RSA_3072": {"ENCRYPT_DECRYPT": ("EncryptionAlgorithms", _RSA_ENCRYPT),
                 "SIGN_VERIFY": ("SigningAlgorithms", _RSA_SIGN)},
    "RSA_4096": {"ENCRYPT_DECRYPT": ("EncryptionAlgorithms", _RSA_ENCRYPT),
                 "SIGN_VERIFY": ("SigningAlgorithms", _RSA_SIGN)},
    "ECC_NIST_P256": {"SIGN_VERIFY": ("SigningAlgorithms", ("ECDSA_SHA_256",)),
                      "KEY_AGREEMENT": ("KeyAgreementAlgorithms", ("ECDH",))},
    "ECC_NIST_P384": {"SIGN_VERIFY": ("SigningAlgorithms", ("ECDSA_SHA_384",)),
                      "KEY_AGREEMENT": ("KeyAgreementAlgorithms", ("ECDH",))},
    "ECC_NIST_P521": {"SIGN_VERIFY": ("SigningAlgorithms", ("ECDSA_SHA_512",)),
                      "KEY_AGREEMENT": ("KeyAgreementAlgorithms", ("ECDH",))},
    "ECC_SECG_P256K1": {"SIGN_VERIFY": ("SigningAlgorithms", ("ECDSA_SHA_256",))},
    "ECC_NIST_EDWARDS25519": {"SIGN_VERIFY": ("SigningAlgorithms", ("ED25519_SHA_512", "ED25519_PH_SHA_512"))},
    "ML_DSA_44": {"SIGN_VERIFY": ("SigningAlgorithms", ("ML_DSA_SHAKE_256",))},
    "ML_DSA_65": {"SIGN_VERIFY": ("SigningAlgorithms", ("ML_DSA_SHAKE_256",))},
    "ML_DSA_87": {"SIGN_VERIFY": ("SigningAlgorithms", ("ML_DSA_SHAKE_256",))},
    "SM2": {"ENCRYPT_DECRYPT": ("EncryptionAlgorithms", ("SM2PKE",)),
            "SIGN_VERIFY": ("SigningAlgorithms", ("SM2DSA",)),
            "KEY_AGREEMENT": ("KeyAgreementAlgorithms", ("ECDH",))},
    "HMAC_224": {"GENERATE_VERIFY_MAC": ("MacAlgorithms", ("HMAC_SHA_224",))},
    "HMAC_256": {"GENERATE_VERIFY_MAC": ("MacAlgorithms", ("HMAC_SHA_256",))},
    "HMAC_384": {"GENERATE_VERIFY_MAC": ("MacAlgorithms", ("HMAC_SHA_384",))},
    "HMAC_512": {"GENERATE_VERIFY_MAC": ("MacAlgorithms", ("HMAC_SHA_512",))},
}


def is_symmetric(key_spec: str) -> bool:
    return key_spec == SYMMETRIC


def key_type(key_spec: str) -> str:
    """The family UpdateAlias compares: symmetric, HMAC or asymmetric."""
    if key_spec == SYMMETRIC:
        return "symmetric"
    if key_spec.startswith("HMAC_"):
        return "hmac"
    return "asymmetric"
