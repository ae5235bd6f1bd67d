"""Imported key material: GetParametersForImport, ImportKeyMaterial, DeleteImportedKeyMaterial
(keys-lifecycle.md §11).

GetParametersForImport hands out a real RSA wrapping key and an import token,
valid 24 hours on the mock's clock.  ImportKeyMaterial unwraps the material with
the private half, checks that it fits the key, and makes the key usable; material
with a ValidTo expires when the clock passes it (the key goes back to
PendingImport), as DeleteImportedKeyMaterial does at once.  Importing the same
material again restores the key, and old ciphertexts decrypt again.
"""
from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass
from typing import Any, Dict, Optional

from ..domain import key_import
from ..domain.key import Key, KeyMaterial
from ..domain.keypairs import KeyPair
from ..errors import AWSError, validation_error
from . import operation
from .request import Request

PARAMETERS_LIFETIME = _dt.timedelta(hours=24)
MAX_VALID_TO = _dt.timedelta(days=365)
_RSA_WRAPPING = ("RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256", "RSA_AES_KEY_WRAP_SHA_1", "RSA_AES_KEY_WRAP_SHA_256")


@dataclass
class ImportParameters:
    """What an import token stands for: one key, one wrapping key pair and algorithm, until a time."""
    key_arn: str
    wrapping: KeyPair
    algorithm: str
    valid_to: _dt.datetime


def _external_only(key: Key) -> None:
    if key.origin != "EXTERNAL":
        raise AWSError("UnsupportedOperationException",
                       f"{key.arn} origin is {key.origin} which is not valid for this operation.")  # [O]


@operation("GetParametersForImport")
def get_parameters_for_import(req: Request) -> Dict[str, Any]:
    key = req.key()
    _external_only(key)
    algorithm, wrapping_spec = req.params["WrappingAlgorithm"], req.params["WrappingKeySpec"]
    if algorithm == "RSAES_PKCS1_V1_5":
        raise validation_error("The RSAES_PKCS1_V1_5 wrapping algorithm is no longer supported.")  # [G]
    if algorithm == "SM2PKE" or wrapping_spec == "SM2":
        raise AWSError("NotImplementedException", "mockkms does not support SM2 import wrapping yet")
    if algorithm not in _RSA_WRAPPING:
        raise validation_error(f"WrappingAlgorithm {algorithm} is not valid with WrappingKeySpec {wrapping_spec}.")
    wrapping = req.world.new_key_pair(wrapping_spec)  # from the pool: RSA-4096 is made once per process
    token = os.urandom(32) + b"mockkms-import-token" + os.urandom(32)
    valid_to = req.now + PARAMETERS_LIFETIME
    req.world.import_tokens[token] = ImportParameters(key.arn, wrapping, algorithm, valid_to)
    return {"KeyId": key.arn, "ImportToken": token, "PublicKey": wrapping.public_der, "ParametersValidTo": valid_to}


def _expiry(req: Request) -> "tuple[str, Optional[_dt.datetime]]":
    model = req.params.get("ExpirationModel", "KEY_MATERIAL_EXPIRES")
    valid_to = req.params.get("ValidTo")
    if model == "KEY_MATERIAL_EXPIRES":
        if valid_to is None:
            raise validation_error("A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES")  # [O]
        if valid_to <= req.now or valid_to > req.now + MAX_VALID_TO:
            raise validation_error("The validTo date must be in the future and no more than 365 days from now.")  # [G]
    elif valid_to is not None:
        raise validation_error(
            "A validTo date must not be set if the ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE")  # [G]
    return model, valid_to


def _parameters(req: Request, key: Key) -> ImportParameters:
    parameters = req.world.import_tokens.get(bytes(req.params["ImportToken"]))
    if parameters is None or parameters.key_arn != key.arn:
        raise AWSError("InvalidImportTokenException", "The import token is invalid for this KMS key.")  # [G]
    if req.now > parameters.valid_to:
        raise AWSError("ExpiredImportTokenException", "The import token has expired.")  # [G]
    return parameters


def _incorrect_material() -> AWSError:
    # Wording [G]: the exception is modelled, its message is not recorded.
    return AWSError("IncorrectKeyMaterialException", "The key material is not valid for this KMS key.")


def _import_type(req: Request, key: Key, material_id: str) -> str:
    """NEW_KEY_MATERIAL or EXISTING_KEY_MATERIAL, defaulting as AWS does, and checked against the key."""
    first_import = not key.materials
    import_type = req.params.get("ImportType") or ("NEW_KEY_MATERIAL" if first_import else "EXISTING_KEY_MATERIAL")
    given_id = req.params.get("KeyMaterialId")
    if import_type == "NEW_KEY_MATERIAL":
        if given_id is not None:
            raise validation_error("KeyMaterialId cannot be specified with ImportType NEW_KEY_MATERIAL.")  # [G]
        if not first_import and key.key_spec != "SYMMETRIC_DEFAULT":
            raise _incorrect_material()  # asymmetric and HMAC material cannot change after the first import
        if material_id in key.materials:
            raise _incorrect_material()
        pending = next((m for m in key.materials.values() if m.pending_rotation), None)
        if pending is not None:
            raise AWSError("KMSInvalidStateException",
                           f"New key material (id: {material_id}) cannot be imported into KMS key {key.arn}, "
                           f"because another key material (id: {pending.material_id}) is pending rotation.")  # [O]
    else:
        if first_import or material_id not in key.materials:
            raise _incorrect_material()  # not the material this key had
        if given_id is not None and given_id != material_id:
            raise _incorrect_material()
    return import_type


@operation("ImportKeyMaterial")
def import_key_material(req: Request) -> Dict[str, Any]:
    expiration_model, valid_to = _expiry(req)
    key = req.key()
    _external_only(key)
    parameters = _parameters(req, key)
    try:
        material_bytes = key_import.unwrap(parameters.wrapping.private, parameters.algorithm,
                                           bytes(req.params["EncryptedKeyMaterial"]))
    except key_import.UnwrapFailed:
        raise AWSError("InvalidCiphertextException") from None
    if key.key_spec == "SM2":
        raise AWSError("NotImplementedException", "mockkms does not support importing SM2 key material yet")
    if not key_import.fits(key.key_spec, material_bytes):
        raise _incorrect_material()
    material_id = key_import.material_id(key.key_id, material_bytes)
    import_type = _import_type(req, key, material_id)
    if import_type == "NEW_KEY_MATERIAL":
        material = KeyMaterial(req.now, secret=material_bytes, material_id=material_id)
        material.imported = True
        material.pending_rotation = bool(key.materials)  # the first becomes current; later ones wait
        key.add_material(material, current=not material.pending_rotation)
    else:
        material = key.materials[material_id]
        material.secret = material_bytes
    material.expiration_model, material.valid_to = expiration_model, valid_to
    description = req.params.get("KeyMaterialDescription")
    if description is not None:
        material.description = description
    if key.pair is None and key.key_spec not in key_import.HMAC_LENGTHS and key.key_spec != "SYMMETRIC_DEFAULT":
        private = key_import.private_key_for(key.key_spec, material_bytes)
        key.pair = KeyPair(key.key_spec, [], private)  # the caller's own key: never recycled
    if valid_to is not None:
        req.store_of(key.account).schedule(valid_to, "expire", key.key_id)
    key.settle_import_state()
    result: Dict[str, Any] = {"KeyId": key.arn}
    if key.key_spec == "SYMMETRIC_DEFAULT":
        result["KeyMaterialId"] = material_id
    return result


@operation("DeleteImportedKeyMaterial")
def delete_imported_key_material(req: Request) -> Dict[str, Any]:
    key = req.key()
    _external_only(key)
    wanted = req.params.get("KeyMaterialId") or key.current_material_id
    material = key.materials.get(wanted) if wanted is not None else None
    if material is None:
        if wanted is not None and req.params.get("KeyMaterialId") is not None:
            raise AWSError("NotFoundException", f"Key material {wanted} does not exist for {key.arn}")  # [G]
        return {"KeyId": key.arn}
    material.forget()
    key.settle_import_state()
    result: Dict[str, Any] = {"KeyId": key.arn}
    if key.key_spec == "SYMMETRIC_DEFAULT":
        result["KeyMaterialId"] = material.material_id
    return result
