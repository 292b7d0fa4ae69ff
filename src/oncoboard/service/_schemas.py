"""Input and output schemas of the JSON API (inputs and outputs are separate models)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from oncoboard.service._users import Role

__all__ = [
    "ApiTokenOut",
    "AuditEventOut",
    "CaseOut",
    "ImportOut",
    "IssuedTokenOut",
    "MeOut",
    "PatientOut",
    "PatientsOut",
    "ProblemOut",
    "ProblemsOut",
    "SessionTokenOut",
    "TokenIn",
    "UserIn",
    "UserOut",
    "ValidateOut",
    "VersionOut",
    "VersionsOut",
]


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SessionTokenOut(_Out):
    """A session token (OAuth2 password flow)."""

    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds until the token expires.")


class MeOut(_Out):
    """Who is calling."""

    username: str
    role: Role


class ProblemOut(_Out):
    """One problem of an uploaded case file."""

    loc: list[str | int] = Field(description="Field path inside the document.")
    msg: str
    line: int | None = Field(description="1-based line in the uploaded text, if known.")


class ProblemsOut(_Out):
    """Why an uploaded case file was refused (422)."""

    detail: list[ProblemOut]


class ImportOut(_Out):
    """What an upload did."""

    patient_id: str
    version: int
    outcome: Literal["created", "new_version", "unchanged"]
    sha256: str


class ValidateOut(_Out):
    """A valid case file (nothing stored)."""

    valid: Literal[True] = True
    patient_id: str
    format: Literal["yaml", "json"]


class PatientOut(_Out):
    """One patient of the list."""

    patient_id: str
    version: int
    n_versions: int
    updated_at: datetime
    subtype: str
    subtype_label: str
    line: int
    current_regimen: str | None
    n_alerts: int


class PatientsOut(_Out):
    """Every stored patient."""

    disclaimer: str
    patients: list[PatientOut]


class CaseOut(_Out):
    """One stored version of a case, with its derived summary."""

    disclaimer: str
    patient_id: str
    version: int
    imported_at: datetime
    sha256: str
    source_name: str
    source_format: Literal["yaml", "json"]
    derived: dict[str, Any]
    case: dict[str, Any]


class VersionOut(_Out):
    """Metadata of one stored version."""

    version: int
    sha256: str
    source_name: str
    source_format: Literal["yaml", "json"]
    imported_at: datetime


class VersionsOut(_Out):
    """Every version of a patient's case, oldest first."""

    patient_id: str
    versions: list[VersionOut]


class AuditEventOut(_Out):
    """One audit event."""

    id: int
    at: datetime
    actor: str
    action: str
    patient_id: str | None
    version: int | None
    outcome: str
    subject: str | None


class UserIn(_In):
    """A user to add."""

    username: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._@-]+$")
    role: Role
    password: str = Field(min_length=12, max_length=1024)


class UserOut(_Out):
    """A user (never the password hash)."""

    username: str
    role: Role
    disabled: bool
    created_at: datetime


class TokenIn(_In):
    """An API token to issue."""

    label: str = Field(default="", max_length=100)
    days: int | None = Field(default=90, ge=1, le=3650, description="None: never expires.")


class ApiTokenOut(_Out):
    """An API token's metadata."""

    id: int
    username: str
    label: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


class IssuedTokenOut(ApiTokenOut):
    """A newly issued API token: ``token`` is shown this once and never stored."""

    token: str
