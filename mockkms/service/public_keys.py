"""GetPublicKey: the public half of an asymmetric key, as DER SubjectPublicKeyInfo."""
from __future__ import annotations

from typing import Any, Dict

from ..errors import AWSError
from . import operation
from .request import Request
from .views import spec_fields


@operation("GetPublicKey")
def get_public_key(req: Request) -> Dict[str, Any]:
    key = req.key(aliases=True)
    if key.pair is None:
        # Symmetric and HMAC keys have no public key.  Wording [G]: modelled after the
        # "<arn> key usage is ... which is not valid for ..." family AWS uses.
        raise AWSError("UnsupportedOperationException",
                       f"{key.arn} key spec is {key.key_spec} which is not valid for GetPublicKey.")
    req.check_grant_tokens()
    return {"KeyId": key.arn, "PublicKey": key.pair.public_der, **spec_fields(key)}
