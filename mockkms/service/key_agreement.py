"""DeriveSharedSecret: ECDH between a KEY_AGREEMENT key and the caller's public key (key-specs.md §6)."""
from __future__ import annotations

from typing import Any, Dict

from ..domain import agreement
from ..errors import validation_error
from . import operation
from .crypto import refuse_recipient
from .request import Request
from .usage import require_algorithm, require_usage


@operation("DeriveSharedSecret")
def derive_shared_secret(req: Request) -> Dict[str, Any]:
    refuse_recipient(req)
    key = req.key(aliases=True)
    algorithm = req.params["KeyAgreementAlgorithm"]
    require_usage(key, "KEY_AGREEMENT", req.operation)
    require_algorithm(key, algorithm)
    peer = agreement.peer_key(req.params["PublicKey"], key.key_spec)
    if peer is None:
        raise validation_error(None)  # [O]: a malformed or wrong-curve key gets no message at all
    req.check_grant_tokens()
    req.finish_dry_run()
    assert key.pair is not None
    return {"KeyId": key.arn, "SharedSecret": agreement.shared_secret(key.pair.private, peer),
            "KeyAgreementAlgorithm": algorithm, "KeyOrigin": key.origin}
