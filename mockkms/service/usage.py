"""Key usage and algorithm checks, worded as AWS words them (recorded)."""
from __future__ import annotations

from ..domain.key import Key
from ..errors import AWSError


def require_usage(key: Key, usage: str, operation: str) -> None:
    if key.key_usage != usage:
        raise AWSError("InvalidKeyUsageException",
                       f"{key.arn} key usage is {key.key_usage} which is not valid for {operation}.")


def require_algorithm(key: Key, algorithm: str) -> None:
    if algorithm not in key.algorithms[1]:
        raise AWSError("InvalidKeyUsageException",
                       f"Algorithm {algorithm} is incompatible with key spec {key.key_spec}.")
