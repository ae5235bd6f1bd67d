"""Encryption: Encrypt, Decrypt, ReEncrypt (symmetric, RSA, SM2), GenerateDataKey*, GenerateRandom.

Symmetric keys use real AES-256-GCM (see :mod:`mockkms.domain.ciphertext`); the encryption context
is bound as authenticated data, so a wrong context fails exactly like a
tampered blob: InvalidCiphertextException with no message.  RSA keys use plain
RSAES-OAEP and SM2 keys SM2PKE (:mod:`mockkms.domain.public_key_encryption`),
interoperable with any implementation of those.
"""
from __future__ import annotations

import os
from typing import Any, Callable, Dict, Optional, Tuple

from ..domain import ciphertext, keypairs, public_key_encryption, specs
from ..domain.key import Key, KeyMaterial
from ..errors import AWSError, coral_clause, coral_validation_error, validation_error
from . import custom_key_stores, operation, regions, states
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


def refuse_recipient(req: Request) -> None:
    if req.get("Recipient") is not None:
        raise AWSError("NotImplementedException",
                       "mockkms does not support Recipient (Nitro Enclaves attestation) yet")


def _can_encrypt(req: Request, key: Key, algorithm: str) -> None:
    """Usage, then algorithm: the order AWS reports them in."""
    require_usage(key, "ENCRYPT_DECRYPT", req.operation)
    require_algorithm(key, algorithm)


def _is_asymmetric_encryption(key: Key) -> bool:
    return key.pair is not None and key.key_usage == "ENCRYPT_DECRYPT"


def _no_context(req: Request, context_param: str) -> None:
    """Asymmetric encryption has no authenticated data, so KMS refuses an encryption context."""
    if req.get(context_param):
        # Wording [G]: the rule is documented ("not supported"), the message is not recorded.
        raise validation_error(f"{context_param} is not supported for asymmetric encryption.")


def _encryption_key(req: Request, param: str, algorithm_param: str) -> Tuple[Key, str]:
    """Resolve an encrypting key and check its state, usage and algorithm."""
    key = req.key(param, aliases=True)
    algorithm = req.get(algorithm_param) or SYMMETRIC_DEFAULT
    _can_encrypt(req, key, algorithm)
    return key, algorithm


def _check_destination(req: Request, key: Key, algorithm: str, context_param: str,
                       plaintext: Optional[bytes]) -> None:
    """What an asymmetric key refuses to encrypt: with a context, or more than it can take at once.

    ``plaintext`` is None when it is not known (a DryRun that ignores the ciphertext).
    """
    if key.pair is None:
        return
    _no_context(req, context_param)
    limit = public_key_encryption.max_plaintext(key.key_spec, algorithm)
    if plaintext is not None and len(plaintext) > limit:
        raise validation_error(f"Algorithm {algorithm} and key spec {key.key_spec} "
                               f"cannot encrypt data larger than {limit} bytes.")


def _encrypt(key: Key, algorithm: str, plaintext: bytes,
             context: Optional[Dict[str, str]]) -> Tuple[bytes, Optional[KeyMaterial]]:
    """The ciphertext, and the key material that made it (None for asymmetric keys)."""
    if key.pair is not None:
        return public_key_encryption.encrypt(key.pair.public, algorithm, plaintext), None
    return _seal(key, plaintext, context)


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

    Returns (key, material, plaintext, algorithm).  Material is None for an
    asymmetric key; material and plaintext are None for a DryRun with the
    IGNORE_CIPHERTEXT modifier.  Symmetric ciphertext names its key; asymmetric
    ciphertext is bare OAEP output, so only the request's key id can name it.
    """
    ignore_ciphertext = bool(req.get("DryRun")) and "IGNORE_CIPHERTEXT" in (req.get("DryRunModifiers") or ())
    blob = req.get("CiphertextBlob")
    algorithm = req.get(algorithm_param) or SYMMETRIC_DEFAULT
    if ignore_ciphertext and req.get(key_param) is None:
        raise _null(key_param)
    named = req.optional_key(key_param, aliases=True)
    if named is not None and (ignore_ciphertext or _is_asymmetric_encryption(named)):
        req.authorize(named, param=key_param)
        states.check(req.operation, named)
        _can_encrypt(req, named, algorithm)
        if named.pair is not None:
            _no_context(req, context_param)
        if ignore_ciphertext:
            return named, None, None, algorithm
        if blob is None:
            raise _null("CiphertextBlob")
        assert named.pair is not None
        plaintext = public_key_encryption.decrypt(named.pair.private, algorithm, blob)
        if plaintext is None:
            raise _invalid_ciphertext()
        return named, None, plaintext, algorithm
    if blob is None:
        raise _null("CiphertextBlob")
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
    req.authorize(key, param=key_param)
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


def _material_id(name: str, material: Optional[KeyMaterial]) -> Dict[str, str]:
    """``{name: id}`` for symmetric key material; asymmetric keys report none."""
    return {name: material.material_id} if material is not None else {}


@operation("Encrypt")
def encrypt(req: Request) -> Dict[str, Any]:
    regions.refuse_china_only(req, "EncryptionAlgorithm")
    key, algorithm = _encryption_key(req, "KeyId", "EncryptionAlgorithm")
    plaintext = req.params["Plaintext"]
    _check_destination(req, key, algorithm, "EncryptionContext", plaintext)
    req.check_grant_tokens()
    req.finish_dry_run()
    blob, _ = _encrypt(key, algorithm, plaintext, req.get("EncryptionContext"))
    return {"CiphertextBlob": blob, "KeyId": key.arn, "EncryptionAlgorithm": algorithm}


@operation("Decrypt")
def decrypt(req: Request) -> Dict[str, Any]:
    refuse_recipient(req)
    regions.refuse_china_only(req, "EncryptionAlgorithm")
    key, material, plaintext, algorithm = _open(req, "KeyId", "EncryptionContext", "EncryptionAlgorithm")
    req.check_grant_tokens()
    req.finish_dry_run()
    return {"KeyId": key.arn, "Plaintext": plaintext, "EncryptionAlgorithm": algorithm,
            **_material_id("KeyMaterialId", material)}


@operation("ReEncrypt")
def re_encrypt(req: Request) -> Dict[str, Any]:
    regions.refuse_china_only(req, "SourceEncryptionAlgorithm", "DestinationEncryptionAlgorithm")
    source, source_material, plaintext, source_algorithm = _open(
        req, "SourceKeyId", "SourceEncryptionContext", "SourceEncryptionAlgorithm")
    destination, algorithm = _encryption_key(req, "DestinationKeyId", "DestinationEncryptionAlgorithm")
    _check_destination(req, destination, algorithm, "DestinationEncryptionContext", plaintext)
    req.check_grant_tokens()
    req.finish_dry_run()
    assert plaintext is not None
    blob, material = _encrypt(destination, algorithm, plaintext, req.get("DestinationEncryptionContext"))
    return {"CiphertextBlob": blob, "SourceKeyId": source.arn, "KeyId": destination.arn,
            "SourceEncryptionAlgorithm": source_algorithm, "DestinationEncryptionAlgorithm": algorithm,
            **_material_id("SourceKeyMaterialId", source_material),
            **_material_id("DestinationKeyMaterialId", material)}


def _data_key_size(req: Request) -> int:
    spec = req.get("KeySpec")
    count = req.get("NumberOfBytes")
    if (spec is None) == (count is None):
        raise validation_error("Please specify either number of bytes or key spec.")
    return _DATA_KEY_BYTES[spec] if spec is not None else count


def _data_key(req: Request, make: Callable[[], bytes],
              pairs: bool = False) -> Tuple[Key, bytes, bytes, KeyMaterial]:
    """The steps data keys and data key pairs share; ``make`` produces the secret to seal."""
    key = req.key(aliases=True)
    _symmetric_only(req, key)
    if pairs and key.custom_key_store_id is not None:
        raise AWSError("UnsupportedOperationException",  # [M]; wording [G]
                       f"{key.arn} is in a custom key store, which does not support {req.operation}.")
    req.check_grant_tokens()
    req.finish_dry_run()
    plaintext = make()
    blob, material = _seal(key, plaintext, req.get("EncryptionContext"))
    return key, plaintext, blob, material


@operation("GenerateDataKey")
def generate_data_key(req: Request) -> Dict[str, Any]:
    refuse_recipient(req)
    size = _data_key_size(req)
    key, plaintext, blob, material = _data_key(req, lambda: os.urandom(size))
    return {"CiphertextBlob": blob, "Plaintext": plaintext, "KeyId": key.arn,
            "KeyMaterialId": material.material_id}


@operation("GenerateDataKeyWithoutPlaintext")
def generate_data_key_without_plaintext(req: Request) -> Dict[str, Any]:
    size = _data_key_size(req)
    key, _, blob, material = _data_key(req, lambda: os.urandom(size))
    return {"CiphertextBlob": blob, "KeyId": key.arn, "KeyMaterialId": material.material_id}


def _data_key_pair(req: Request, with_plaintext: bool) -> Dict[str, Any]:
    """A fresh key pair, its private half (PKCS#8 DER) sealed under the KMS key.

    The pair comes from the process-wide pool (key pairs of mocks that are gone) and is
    never given back: once handed to the caller it belongs to nobody else.
    """
    regions.refuse_china_only(req, "KeyPairSpec")
    spec = req.params["KeyPairSpec"]
    public = []

    def make() -> bytes:
        private = keypairs.POOL.take(spec)
        public.append(keypairs.public_der(private))
        return keypairs.private_der(private)

    key, private_der, blob, material = _data_key(req, make, pairs=True)
    plaintext = {"PrivateKeyPlaintext": private_der} if with_plaintext else {}
    return {"PrivateKeyCiphertextBlob": blob, **plaintext, "PublicKey": public[0], "KeyId": key.arn,
            "KeyPairSpec": spec, "KeyMaterialId": material.material_id}


@operation("GenerateDataKeyPair")
def generate_data_key_pair(req: Request) -> Dict[str, Any]:
    refuse_recipient(req)
    return _data_key_pair(req, with_plaintext=True)


@operation("GenerateDataKeyPairWithoutPlaintext")
def generate_data_key_pair_without_plaintext(req: Request) -> Dict[str, Any]:
    return _data_key_pair(req, with_plaintext=False)


@operation("GenerateRandom")
def generate_random(req: Request) -> Dict[str, Any]:
    refuse_recipient(req)
    count = req.get("NumberOfBytes")
    if count is None:
        raise validation_error("NumberOfBytes is required.")
    req.authorize_iam()
    store_id = req.get("CustomKeyStoreId")
    if store_id is not None:
        store = custom_key_stores.store_of(req, store_id)
        if store.store_type != "AWS_CLOUDHSM":
            # Wording [G]: random numbers come from CloudHSM clusters only.
            raise AWSError("UnsupportedOperationException",
                           f"GenerateRandom is not supported for custom key store {store_id} of type "
                           f"{store.store_type}.")
        if store.state != "CONNECTED":
            raise custom_key_stores.invalid_state(store, "used to generate random bytes")
    return {"Plaintext": os.urandom(count)}
