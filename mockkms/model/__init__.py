"""botocore's KMS service model: the single source of shapes and constraints.

Nothing here is hand-copied: validation, input decoding and output encoding all
walk the shapes botocore ships, so a new botocore release brings new members and
enum values with it.
"""
from __future__ import annotations

import functools

import botocore.session
from botocore.model import OperationModel, ServiceModel


@functools.lru_cache(maxsize=None)
def service_model() -> ServiceModel:
    """The KMS model, loaded once per process (loading costs ~20 ms)."""
    return botocore.session.get_session().get_service_model("kms")


@functools.lru_cache(maxsize=None)
def operation_model(name: str) -> OperationModel:
    return service_model().operation_model(name)


def operation_names() -> list:
    return list(service_model().operation_names)
