"""Who uses the service: roles, the authenticated principal, and password hashing."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from argon2 import PasswordHasher

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "Principal",
    "Role",
    "check_password_policy",
    "hash_password",
    "verify_password",
]

MIN_PASSWORD_LENGTH = 12


class Role(enum.StrEnum):
    """What a user may do.

    ``clinician`` reads and writes patients' cases; ``analyst`` sees only the de-identified
    cohort; ``admin`` administers users, tokens and reads the audit trail (but reads no
    patient: admins administer, clinicians treat).
    """

    CLINICIAN = "clinician"
    ANALYST = "analyst"
    ADMIN = "admin"


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated user of a request."""

    username: str
    role: Role


@cache
def _hasher() -> PasswordHasher:
    from argon2 import PasswordHasher

    return PasswordHasher()  # argon2id, RFC 9106 low-memory profile


def check_password_policy(password: str) -> None:
    """Refuse a password shorter than :data:`MIN_PASSWORD_LENGTH` (``ValueError``)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(
            f"password must be at least {MIN_PASSWORD_LENGTH} characters, but has {len(password)}"
        )


def hash_password(password: str) -> str:
    """The argon2id hash of a password (checked by :func:`check_password_policy`)."""
    check_password_policy(password)
    return _hasher().hash(password)


_DUMMY: list[str] = []


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches ``password_hash``.

    With no hash (unknown user) a dummy hash is verified anyway, so the answer takes the same
    time and does not reveal which usernames exist.
    """
    from argon2.exceptions import InvalidHashError, VerificationError

    if password_hash is None:
        if not _DUMMY:
            _DUMMY.append(_hasher().hash("not a password of anyone"))
        password_hash, password = _DUMMY[0], password + "\x00"
        ok = False
    else:
        ok = True
    try:
        _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    return ok
