"""GenerateMac and VerifyMac with HMAC keys (key-specs.md §5): RFC 2104 HMAC, constant-time compare."""
from __future__ import annotations

from typing import Any, Dict, Tuple

from ..domain import mac
from ..domain.key import Key
from ..errors import AWSError
from . import operation
from .request import Request
from .usage import require_algorithm, require_usage


def _mac_key(req: Request) -> Tuple[Key, str]:
    key = req.key(aliases=True)
    algorithm = req.params["MacAlgorithm"]
    require_usage(key, "GENERATE_VERIFY_MAC", req.operation)
    require_algorithm(key, algorithm)
    req.check_grant_tokens()
    return key, algorithm


@operation("GenerateMac")
def generate_mac(req: Request) -> Dict[str, Any]:
    key, algorithm = _mac_key(req)
    req.finish_dry_run()
    tag = mac.mac(key.current_material.secret, algorithm, req.params["Message"])
    return {"Mac": tag, "MacAlgorithm": algorithm, "KeyId": key.arn}


@operation("VerifyMac")
def verify_mac(req: Request) -> Dict[str, Any]:
    key, algorithm = _mac_key(req)
    # The comparison comes first: a DryRun with a wrong MAC fails as the real call would.
    if not mac.matches(key.current_material.secret, algorithm, req.params["Message"], req.params["Mac"]):
        raise AWSError("KMSInvalidMacException")
    req.finish_dry_run()
    return {"KeyId": key.arn, "MacValid": True, "MacAlgorithm": algorithm}
