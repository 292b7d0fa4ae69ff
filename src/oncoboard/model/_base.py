"""Shared building blocks of the case model: the frozen base class and common field types."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo

__all__ = [
    "CaseModel",
    "FieldError",
    "Fraction",
    "Identifier",
    "NonNegative",
    "Percent",
    "fhir",
    "mcode",
    "not_before",
]

Identifier = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$"),
    Field(description="Identifier: letters, digits and . _ : - (at most 64 characters)."),
]
Percent = Annotated[float, Field(ge=0, le=100, description="Percent, 0–100.")]
Fraction = Annotated[float, Field(ge=0, le=1, description="Fraction, 0–1.")]
NonNegative = Annotated[float, Field(ge=0)]


class CaseModel(BaseModel):
    """Base of every case-model class: immutable, strict about unknown fields."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        str_strip_whitespace=True,
        use_enum_values=False,
        validate_default=True,
    )


def mcode(*profiles: str) -> dict[str, Any]:
    """JSON-Schema extra naming the mCODE STU4 profile(s) a class corresponds to.

    Names are the profile ids without the ``mcode-`` prefix, in CamelCase (``CancerPatient`` is
    ``http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-cancer-patient``).
    """
    return {"mcode": " + ".join(profiles)}


def fhir(resource: str) -> dict[str, Any]:
    """JSON-Schema extra for a class with no mCODE STU4 profile: the base FHIR R4 resource."""
    return {"fhir": resource}


class FieldError(ValueError):
    """A cross-field check failed; ``field`` names the field the message is about.

    Raised from ``model_validator`` functions so that the reported location points at the
    offending field (e.g. ``labs.2.unit``) rather than at the enclosing object.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def not_before(value: dt.date | None, info: ValidationInfo, earlier: str) -> dt.date | None:
    """Field-validator body: ``value`` must not precede the sibling date field ``earlier``.

    Used from ``field_validator`` so the error is located at the later field (e.g.
    ``treatments.2.stop_date``), not at the enclosing object.
    """
    start = info.data.get(earlier)
    if value is not None and isinstance(start, dt.date) and value < start:
        raise ValueError(
            f"{info.field_name} {value.isoformat()} is before {earlier} {start.isoformat()}"
        )
    return value
