"""GetKeyLastUsage: the last successful cryptographic use of a key (keys-lifecycle.md §13).

Every operation in :data:`TRACKED` that succeeds records, on each key it used,
the operation, the mock's time, the response's request id and a CloudTrail
event id.  Failed calls and DryRun calls (which always fail) record nothing.
"""
from __future__ import annotations

from typing import Any, Dict

from ..domain.ids import uuid4
from . import operation
from .request import Request

TRACKED = frozenset({
    "Decrypt", "DeriveSharedSecret", "Encrypt", "GenerateDataKey", "GenerateDataKeyPair",
    "GenerateDataKeyPairWithoutPlaintext", "GenerateDataKeyWithoutPlaintext", "GenerateMac", "ReEncrypt",
    "Sign", "Verify", "VerifyMac",
})


def record(req: Request, request_id: str) -> None:
    """After a tracked operation succeeded: note it on every key it used.

    The time is a cheap stamp and the CloudTrail event id is made when first read
    (GetKeyLastUsage), not on every call.
    """
    when = req.now_if_read() or req.world.clock.stamp()
    for key in req.used:
        key.last_usage = [req.operation, when, request_id, None]


@operation("GetKeyLastUsage")
def get_key_last_usage(req: Request) -> Dict[str, Any]:
    key = req.key()
    result: Dict[str, Any] = {"KeyId": key.key_id}
    if key.last_usage is not None:
        if key.last_usage[3] is None:
            key.last_usage[3] = uuid4()
        operation_name, when, request_id, event_id = key.last_usage
        result["KeyLastUsage"] = {"Operation": operation_name, "Timestamp": req.world.clock.at(when),
                                  "CloudTrailEventId": event_id, "KmsRequestId": request_id}
    result["TrackingStartDate"] = key.created
    result["KeyCreationDate"] = key.created
    return result
