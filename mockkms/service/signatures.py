"""Sign and Verify with asymmetric SIGN_VERIFY keys (key-specs.md §4).

The signatures are standard ones (:mod:`mockkms.domain.signing`), so they verify
outside the mock with the public key from GetPublicKey.  A signature that does
not verify is KMSInvalidSignatureException with no message: Verify never
answers ``SignatureValid: false``.
"""
from __future__ import annotations

from typing import Any, Dict, Tuple

from ..domain import signing
from ..domain.key import Key
from ..errors import AWSError, validation_error
from . import operation, regions
from .request import Request
from .usage import require_algorithm, require_usage


def _signing_key(req: Request) -> Tuple[Key, str, str, bytes]:
    """Key, algorithm, message type and message, once every check before the crypto passed."""
    regions.refuse_china_only(req, "SigningAlgorithm")
    key = req.key(aliases=True)
    algorithm = req.params["SigningAlgorithm"]
    require_usage(key, "SIGN_VERIFY", req.operation)
    require_algorithm(key, algorithm)
    message_type = req.get("MessageType", signing.RAW)
    message = req.params["Message"]
    try:
        signing.check_message(algorithm, message_type, message)
    except signing.InvalidMessage as refusal:
        raise validation_error(str(refusal)) from None
    signing.require_support(key.key_spec, algorithm, message_type)  # before DryRun, so it says the same
    req.check_grant_tokens()
    return key, algorithm, message_type, message


@operation("Sign")
def sign(req: Request) -> Dict[str, Any]:
    key, algorithm, message_type, message = _signing_key(req)
    req.finish_dry_run()
    assert key.pair is not None
    signature = signing.sign(key.key_spec, key.pair.private, algorithm, message_type, message)
    return {"KeyId": key.arn, "Signature": signature, "SigningAlgorithm": algorithm}


@operation("Verify")
def verify(req: Request) -> Dict[str, Any]:
    key, algorithm, message_type, message = _signing_key(req)
    assert key.pair is not None
    valid = signing.verify(key.key_spec, key.pair.public, algorithm, message_type, message,
                           req.params["Signature"])
    if not valid:
        raise AWSError("KMSInvalidSignatureException")
    req.finish_dry_run()  # after the check: a DryRun with a bad signature fails as the real call would
    return {"KeyId": key.arn, "SignatureValid": True, "SigningAlgorithm": algorithm}
