"""Which key states each operation accepts: the key-state matrix, in one table.

Every operation that touches a key calls :func:`check` once after resolving it,
so the DisabledException / KMSInvalidStateException rules live here and only here.
"""
from __future__ import annotations

from typing import Dict

from ..domain.key import Key, KeyState as S
from ..errors import AWSError

# Columns: Enabled, Disabled, PendingDeletion, PendingReplicaDeletion, PendingImport,
#          Unavailable, Creating, Updating.  "-" = allowed, otherwise the refusal.
_COLUMNS = (S.ENABLED, S.DISABLED, S.PENDING_DELETION, S.PENDING_REPLICA_DELETION, S.PENDING_IMPORT,
            S.UNAVAILABLE, S.CREATING, S.UPDATING)
_CRYPTO = "-     DIS   PD    PD    PI    UNAV  CRE   -"
_ANY = "-     -     -     -     -     -     -     -"
_MANAGE = "-     -     PD    PD    -     -     -     -"
_MATRIX_ROWS = {
    "CancelKeyDeletion": "NOTPD NOTPD -     -     NOTPD NOTPD NOTPD NOTPD",
    "CreateAlias": _MANAGE,
    "CreateGrant": "-     DIS   PD    PD    PI    -     CRE   -",
    "Decrypt": _CRYPTO, "Encrypt": _CRYPTO, "ReEncrypt": _CRYPTO,
    "GenerateDataKey": _CRYPTO, "GenerateDataKeyWithoutPlaintext": _CRYPTO,
    "GenerateDataKeyPair": _CRYPTO, "GenerateDataKeyPairWithoutPlaintext": _CRYPTO,
    "DeleteAlias": _ANY,
    "DeleteImportedKeyMaterial": "-     -     -     -     -     -     CRE   UPD",
    "DeriveSharedSecret": "-     DIS   PD    PD    PI    -     CRE   -",
    "DescribeKey": _ANY,
    "DisableKey": "-     -     PD    PD    PI    -     CRE   UPD",
    "EnableKey": "-     -     PD    PD    PI    -     CRE   UPD",
    "EnableKeyRotation": "-     DIS   PD    PD    -     -     CRE   -",
    "DisableKeyRotation": "-     DIS   PD    PD    -     -     CRE   -",
    "GenerateMac": "-     DIS   PD    PD    PI    -     CRE   -",
    "VerifyMac": "-     DIS   PD    PD    PI    -     CRE   -",
    "GetKeyLastUsage": _ANY,
    "GetKeyPolicy": _ANY, "PutKeyPolicy": _ANY, "ListKeyPolicies": _ANY,
    "GetKeyRotationStatus": _ANY,
    "GetParametersForImport": "-     -     PD    PD    -     -     CRE   UPD",
    "GetPublicKey": "-     DIS   PD    PD    PI    -     CRE   -",
    "ImportKeyMaterial": "-     -     PD    PD    -     -     CRE   -",
    "ListAliases": _ANY, "ListGrants": _ANY, "ListResourceTags": _ANY,
    "ListKeyRotations": "-     -     -     -     -     -     CRE   -",
    "ReplicateKey": "-     DIS   PD    PD    PI    -     CRE   UPD",
    "RetireGrant": _ANY, "RevokeGrant": _ANY,
    "RotateKeyOnDemand": "-     DIS   PD    PD    PI    -     CRE   UPD",
    "ScheduleKeyDeletion": "-     -     PD    PD    -     -     -     UPD",
    "Sign": "-     DIS   PD    PD    PI    -     CRE   -",
    "Verify": "-     DIS   PD    PD    PI    -     CRE   -",
    "TagResource": _MANAGE, "UntagResource": _MANAGE,
    "UpdateAlias": _MANAGE,
    "UpdateKeyDescription": _MANAGE,
    "UpdatePrimaryRegion": "-     DIS   PD    PD    PI    -     CRE   -",
}

MATRIX: Dict[str, Dict[str, str]] = {
    op: {state: cell for state, cell in zip(_COLUMNS, row.split()) if cell != "-"}
    for op, row in _MATRIX_ROWS.items()
}

_MESSAGES = {
    "PD": "is pending deletion.",
    "PI": "is pending import.",
    "UNAV": "is unavailable.",
    "CRE": "is creating.",
    "UPD": "is updating.",
    "NOTPD": "is not pending deletion.",
}


def check(operation: str, key: Key) -> None:
    """Raise the AWS error for ``key``'s state if ``operation`` may not run on it."""
    cell = MATRIX[operation].get(key.state)
    if cell is None:
        return
    if cell == "DIS":
        raise AWSError("DisabledException", f"{key.arn} is disabled.")
    message = _MESSAGES[cell]
    if cell == "PD" and key.state == S.PENDING_REPLICA_DELETION:
        message = "is pending replica deletion."
    raise AWSError("KMSInvalidStateException", f"{key.arn} {message}")
