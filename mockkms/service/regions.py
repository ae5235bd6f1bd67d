"""What a Region offers: the SM2 family exists only in the China Regions (key-specs.md §10).

Outside them AWS does not know the values at all, so a request naming one fails
the model's enum check, with an enum list that leaves them out.
"""
from __future__ import annotations

from ..errors import coral_clause, coral_validation_error
from ..model import operation_model
from ..model.validation import lower_camel
from .request import Request

CHINA_REGIONS = frozenset({"cn-north-1", "cn-northwest-1"})
CHINA_ONLY = frozenset({"SM2", "SM2PKE", "SM2DSA"})


def withheld(region: str) -> "frozenset[str]":
    """The model's enum values ``region`` does not offer."""
    return frozenset() if region in CHINA_REGIONS else CHINA_ONLY


def refuse_china_only(req: Request, *params: str) -> None:
    """Outside China, the enum error AWS gives for an SM2-family value in any of ``params``."""
    given = req.params
    for param in params:
        value = given.get(param)
        if value in CHINA_ONLY and req.region not in CHINA_REGIONS:
            shape = operation_model(req.operation).input_shape.members[param]
            allowed = ", ".join(v for v in shape.enum if v not in CHINA_ONLY)
            raise coral_validation_error([coral_clause(
                lower_camel(param), f"Member must satisfy enum value set: [{allowed}]", value)])
