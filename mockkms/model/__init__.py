"""botocore's KMS service model: the single source of shapes and constraints.

Nothing here is hand-copied: validation, input decoding and output encoding all
walk the shapes botocore ships, so a new botocore release brings new members and
enum values with it.
"""
from __future__ import annotations

import functools
import threading
from typing import Any, Callable, Dict

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


_BUILD_LOCK = threading.RLock()
_BUILDING: Dict[int, Dict[Any, Any]] = {}


def built_once(cache: Dict[Any, Any], shape: Any, build: Callable[[Any], Any]) -> Any:
    """``cache[shape]``, built by ``build(shape)`` the first time, by one thread at a time.

    Other threads never see a half-built entry: while a shape is being built (and only for
    the building thread, which may meet it again in a recursive shape) a forwarder stands
    in for it; the finished entry goes into ``cache`` only once it is complete.
    """
    found = cache.get(shape)
    if found is not None:
        return found
    with _BUILD_LOCK:
        found = cache.get(shape)
        if found is not None:
            return found
        building = _BUILDING.setdefault(id(cache), {})
        if shape in building:
            return building[shape]
        building[shape] = lambda *args: cache[shape](*args)
        try:
            found = build(shape)
        finally:
            del building[shape]
        cache[shape] = found
        return found
