"""Symmetric cryptography: Encrypt, Decrypt, ReEncrypt, GenerateDataKey*, GenerateRandom.

Real AES-256-GCM (see :mod:`mockkms.domain.ciphertext`); the encryption context
is bound as authenticated data, so a wrong context fails exactly like a
tampered blob: InvalidCiphertextException with no message.
"""
from __future__ import annotations

import os
from typing import Any, Dict, Optional, Tuple

from ..domain import ciphertext, specs
from ..domain.key import Key, KeyMaterial
from ..errors import AWSError, coral_clause, coral_validation_error, validation_error
from . import operation, states
from .request import Request
from .usage import require_algorithm, require_usage

SYMMETRIC_DEFAULT = "SYMMETRIC_DEFAULT"
_DATA_KEY_BYTES = {"AES_128": 16, "AES_256": 32}
_NOT_YOUR_CIPHERTEXT = ("The ciphertext refers to a customer master key that does not exist, "
                        "does not exist in this region, or you are not allowed to access.")


def _invalid_ciphertext() -> AWSError:
    return AWSError("InvalidCiphertextException")


def _null(member: str) -> AWSError:
    """A member the model leaves optional but this request needs (Coral's missing-member wording)."""
    return coral_validation_error([coral_clause(member[:1].lower() + member[1:], "Member must not be null")])


def _refuse_recipient(req: Request) -> None:
    if req.get("Recipient") is not None:
        raise AWSError("NotImplementedException",
                       "mockkms does not support Recipient (Nitro Enclaves attestation) yet")


def _can_encrypt(req: Request, key: Key, algorithm: str) -> None:
    """Usage, then algorithm: the order AWS reports them in."""
    require_usage(key, "ENCRYPT_DECRYPT", req.operation)
    require_algorithm(key, algorithm)


def _encryption_key(req: Request, param: str, algorithm_param: str) -> Tuple[Key, str]:
    """Resolve an encrypting key and check its state, usage and algorithm."""
    key = req.key(param, aliases=True)
    algorithm = req.get(algorithm_param) or SYMMETRIC_DEFAULT
    _can_encrypt(req, key, algorithm)
    if not specs.is_symmetric(key.key_spec):
        raise AWSError("NotImplementedException", "mockkms does not support asymmetric encryption yet")
    return key, algorithm


def _symmetric_only(req: Request, key: Key) -> None:
    """Data keys need a symmetric encryption key (asymmetric and HMAC keys are refused)."""
    require_usage(key, "ENCRYPT_DECRYPT", req.operation)
    if not specs.is_symmetric(key.key_spec):
        raise AWSError("InvalidKeyUsageException",
                       f"{key.arn} key spec is {key.key_spec} which is not valid for {req.operation}.")


def _seal(key: Key, plaintext: bytes, context: Optional[Dict[str, str]]) -> Tuple[bytes, KeyMaterial]:
    material = key.current_material
    return ciphertext.seal(key.account, key.key_id, material, plaintext, context), material


def _open(req: Request, key_param: str, context_param: str,
          algorithm_param: str) -> Tuple[Key, Optional[KeyMaterial], Optional[bytes], str]:
    """Decrypt's source side, shared by Decrypt and ReEncrypt.

    Returns (key, material, plaintext, algorithm); material and plaintext are
    None for a DryRun with the IGNORE_CIPHERTEXT modifier.
    """
    ignore_ciphertext = bool(req.get("DryRun")) and "IGNORE_CIPHERTEXT" in (req.get("DryRunModifiers") or ())
    blob = req.get("CiphertextBlob")
    algorithm = req.get(algorithm_param) or SYMMETRIC_DEFAULT
    if ignore_ciphertext:
        if req.get(key_param) is None:
            raise _null(key_param)
        key = req.key(key_param, aliases=True)
        _can_encrypt(req, key, algorithm)
        return key, None, None, algorithm
    if blob is None:
        raise _null("CiphertextBlob")
    named = req.optional_key(key_param, aliases=True)
    if named is not None and not specs.is_symmetric(named.key_spec) and named.key_usage == "ENCRYPT_DECRYPT":
        raise AWSError("NotImplementedException", "mockkms does not support asymmetric decryption yet")
    try:
        header = ciphertext.read_header(blob)
    except ciphertext.InvalidCiphertext:
        raise _invalid_ciphertext() from None
    if named is not None and named.key_id != header.key_id:
        raise AWSError("IncorrectKeyException",
                       "The key ID in the request does not identify a CMK that can perform this operation.")
    key = req.store_of(header.account).keys.get(header.key_id)
    if key is None:
        raise AWSError("AccessDeniedException", _NOT_YOUR_CIPHERTEXT)
    states.check(req.operation, key)
    _can_encrypt(req, key, algorithm)
    material = key.materials.get(header.material_id)
    if material is None:
        raise _invalid_ciphertext()
    try:
        plaintext = ciphertext.open_body(blob, material, req.get(context_param))
    except ciphertext.InvalidCiphertext:
        raise _invalid_ciphertext() from None
    return key, material, plaintext, algorithm


@operation("Encrypt")
def encrypt(req: Request) -> Dict[str, Any]:
    key, algorithm = _encryption_key(req, "KeyId", "EncryptionAlgorithm")
    req.check_grant_tokens()
    req.finish_dry_run()
    blob, _ = _seal(key, req.params["Plaintext"], req.get("EncryptionContext"))
    return {"CiphertextBlob": blob, "KeyId": key.arn, "EncryptionAlgorithm": algorithm}


@operation("Decrypt")
def decrypt(req: Request) -> Dict[str, Any]:
    _refuse_recipient(req)
    key, material, plaintext, algorithm = _open(req, "KeyId", "EncryptionContext", "EncryptionAlgorithm")
    req.check_grant_tokens()
    req.finish_dry_run()
    assert material is not None
    return {"KeyId": key.arn, "Plaintext": plaintext, "EncryptionAlgorithm": algorithm,
            "KeyMaterialId": material.material_id}


@operation("ReEncrypt")
def re_encrypt(req: Request) -> Dict[str, Any]:
    source, source_material, plaintext, source_algorithm = _open(
        req, "SourceKeyId", "SourceEncryptionContext", "SourceEncryptionAlgorithm")
    destination, algorithm = _encryption_key(req, "DestinationKeyId", "DestinationEncryptionAlgorithm")
    req.check_grant_tokens()
    req.finish_dry_run()
    assert plaintext is not None and source_material is not None
    blob, material = _seal(destination, plaintext, req.get("DestinationEncryptionContext"))
    return {"CiphertextBlob": blob, "SourceKeyId": source.arn, "KeyId": destination.arn,
            "SourceEncryptionAlgorithm": source_algorithm, "DestinationEncryptionAlgorithm": algorithm,
            "SourceKeyMaterialId": source_material.material_id,
            "DestinationKeyMaterialId": material.material_id}


def _data_key_size(req: Request) -> int:
    spec = req.get("KeySpec")
    count = req.get("NumberOfBytes")
    if (spec is None) == (count is None):
        raise validation_error("Please specify either number of bytes or key spec.")
    return _DATA_KEY_BYTES[spec] if spec is not None else count


def _data_key(req: Request) -> Tuple[Key, bytes, bytes, KeyMaterial]:
    size = _data_key_size(req)
    key = req.key(aliases=True)
    _symmetric_only(req, key)
    req.check_grant_tokens()
    req.finish_dry_run()
    plaintext = os.urandom(size)
    blob, material = _seal(key, plaintext, req.get("EncryptionContext"))
    return key, plaintext, blob, material


@operation("GenerateDataKey")
def generate_data_key(req: Request) -> Dict[str, Any]:
    _refuse_recipient(req)
    key, plaintext, blob, material = _data_key(req)
    return {"CiphertextBlob": blob, "Plaintext": plaintext, "KeyId": key.arn,
            "KeyMaterialId": material.material_id}


@operation("GenerateDataKeyWithoutPlaintext")
def generate_data_key_without_plaintext(req: Request) -> Dict[str, Any]:
    key, _, blob, material = _data_key(req)
    return {"CiphertextBlob": blob, "KeyId": key.arn, "KeyMaterialId": material.material_id}


@operation("GenerateRandom")
def generate_random(req: Request) -> Dict[str, Any]:
    _refuse_recipient(req)
    count = req.get("NumberOfBytes")
    if count is None:
        raise validation_error("NumberOfBytes is required.")
    store_id = req.get("CustomKeyStoreId")
    if store_id is not None:
        raise AWSError("CustomKeyStoreNotFoundException", f"Custom key store {store_id} does not exist")
    return {"Plaintext": os.urandom(count)}
