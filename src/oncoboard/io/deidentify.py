"""De-identification of a case for research export (HIPAA Safe Harbor style).

:func:`deidentify_case` returns a valid :class:`~oncoboard.model.Case` with the identifiers of
the HIPAA Safe Harbor method removed or transformed, plus a report of what was done (field
paths and actions only, never values).

What is done, against the 18 identifier categories of 45 CFR 164.514(b)(2)(i):

- (A) names, (C)... telephone and fax numbers, e-mail and web addresses, IP addresses, social
  security, health-plan, account, certificate and licence numbers, vehicle and device
  identifiers, biometric identifiers and full-face photographs: the case model has **no
  field** for any of them (no name, address, contact, insurance, device or image field). They
  could only hide in free text, and every free-text field is removed or rebuilt from a
  controlled vocabulary (below), never scrubbed.
- (B) geographic subdivisions smaller than a state: the model has no address, ZIP code or
  place field; places in free text go with the free text.
- (C) dates directly related to the individual: **every** date of the case (birth, diagnosis,
  tests, treatments, imaging, labs, events, ``as_of``) is shifted by one per-patient offset of
  1 to ``max_shift_days`` days back, so intervals (RECIST timelines, ctDNA kinetics, lines of
  therapy) are unchanged. The model holds no year-only fields; years written inside free text
  go with the free text, and dose text containing a year is removed. Safe Harbor strictly asks
  for all date elements except the year to be removed; shifting is the usual research
  practice instead, and is a departure from the letter of Safe Harbor (see
  ``docs/interop-research.md``).
- (C) ages over 89: the birth date is removed and ``age_years`` is set to **90, meaning
  "90 or older"** (the report says so).
- (R) any other unique identifying number or code: the patient id becomes a pseudonym, a keyed
  HMAC-SHA256 of the id with the caller's secret (``P-`` + 16 hex digits); report ids, treatment
  line ids and lesion labels become keyed pseudonyms too, consistent within the case so the
  links between records still hold (an adverse event's ``treatment_line``, a lesion across
  studies). Laboratory names are removed. The model has no specimen, accession, DICOM UID,
  file path or device field; should one be added, the classification test fails until it is
  classified.

Every string field of the model is classified in
:data:`~oncoboard.io._deid_fields.FIELD_RULES` (re-exported here as :data:`FIELD_RULES`):
kept (coded or controlled), pseudonymised, removed, generalised (rebuilt from a vocabulary),
or allowlisted (kept only when every word is from a closed grammar). Clinical content (codes,
values, genes, HGVS, drug names, enums) and the ``synthetic`` flag are unchanged.

The secret comes from the caller (e.g. the environment variable ``ONCOBOARD_DEID_SECRET``, read
by :func:`secret_from_env`); it is never stored in the output. The date shift is derived from
the secret and the patient id; keep :attr:`DeidentifiedCase.shift_days` out of logs and
outputs (it is left out of the object's ``repr``), since it re-identifies every date.

This is a Safe Harbor-style transformation, not an expert determination
(45 CFR 164.514(b)(1)); see ``docs/interop-research.md`` for its limits.

References
----------
45 CFR 164.514(b)(2), "Implementation specifications: requirements for de-identification of
protected health information" (Safe Harbor method).
HHS Office for Civil Rights, "Guidance Regarding Methods for De-identification of Protected
Health Information in Accordance with the HIPAA Privacy Rule" (2012).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final

from pydantic import BaseModel, ValidationError

from oncoboard.errors import OncoboardError
from oncoboard.io import _deid_text as text
from oncoboard.io._deid_fields import FIELD_RULES, FieldRule, Rule
from oncoboard.model import Agent, Case, Comorbidity, Patient

__all__ = [
    "FIELD_RULES",
    "SECRET_ENV_VAR",
    "Action",
    "DeidentificationError",
    "DeidentificationStep",
    "DeidentifiedCase",
    "DeidentifyPolicy",
    "FieldRule",
    "Rule",
    "deidentify_case",
    "secret_from_env",
]

SECRET_ENV_VAR: Final = "ONCOBOARD_DEID_SECRET"
MIN_SECRET_BYTES: Final = 16
AGE_CAP: Final = 90
"""Ages over 89 are reported as 90, meaning "90 or older" (45 CFR 164.514(b)(2)(i)(C))."""

_PREFIXES: Final = {"patient": "P", "report": "R", "treatment-line": "L", "lesion": "LES"}
_INVESTIGATIONAL: Final = "investigational agent"


class DeidentificationError(OncoboardError, ValueError):
    """De-identification refused its input (a weak secret, a bad policy) or could not build a
    valid case. Messages name fields, never values."""


class Action(StrEnum):
    """What was done to one field."""

    SHIFTED = "shifted"
    PSEUDONYMISED = "pseudonymised"
    REMOVED = "removed"
    GENERALISED = "generalised"


@dataclass(frozen=True, slots=True)
class DeidentificationStep:
    """One report line: the field path (e.g. ``labs.3.date``), the action and a fixed note."""

    path: str
    action: Action
    note: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class DeidentifyPolicy:
    """Options of :func:`deidentify_case`.

    Parameters
    ----------
    max_shift_days
        Dates move back by 1 to this many days (per patient, from the secret); 1 to 3650.
    keep_structured_doses
        Keep dose texts made only of dose grammar (``125 mg d1-21 q28d``); False removes all.
    """

    max_shift_days: int = 365
    keep_structured_doses: bool = True

    def __post_init__(self) -> None:
        if not 1 <= self.max_shift_days <= 3650:
            raise DeidentificationError(
                f"max_shift_days must be 1 to 3650, but was {self.max_shift_days!r}"
            )


@dataclass(frozen=True, slots=True)
class DeidentifiedCase:
    """The result of :func:`deidentify_case`.

    ``shift_days`` (negative) re-identifies every date: keep it out of logs and outputs; it is
    left out of ``repr``.
    """

    case: Case
    pseudonym: str
    shift_days: int = field(repr=False)
    report: tuple[DeidentificationStep, ...] = field(repr=False)


def secret_from_env(name: str = SECRET_ENV_VAR) -> bytes:
    """The site secret from the environment variable ``name`` (UTF-8), at least 16 bytes."""
    value = os.environ.get(name)
    if not value:
        raise DeidentificationError(f"set the environment variable {name} to the site secret")
    return _checked_secret(value.encode("utf-8"))


def _checked_secret(secret: bytes) -> bytes:
    if not isinstance(secret, bytes | bytearray):
        raise DeidentificationError(f"secret must be bytes, but was {type(secret).__name__}")
    if len(secret) < MIN_SECRET_BYTES:
        raise DeidentificationError(
            f"secret must be at least {MIN_SECRET_BYTES} bytes, but was {len(secret)} bytes"
        )
    return bytes(secret)


def _digest(secret: bytes, *parts: str) -> bytes:
    message = "\x1f".join(parts).encode("utf-8")
    return hmac.new(secret, message, hashlib.sha256).digest()


def _pseudonym(secret: bytes, patient_id: str) -> str:
    return "P-" + _digest(secret, "patient", patient_id).hex()[:16]


def _shift_days(secret: bytes, patient_id: str, max_days: int) -> int:
    draw = int.from_bytes(_digest(secret, "date-shift", patient_id)[:8], "big")
    return -(draw % max_days + 1)


def _dates(value: object) -> Iterator[dt.date]:
    """Every date inside a model, list or value."""
    if isinstance(value, dt.date):
        yield value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _dates(getattr(value, name))
    elif isinstance(value, list):
        for item in value:
            yield from _dates(item)


def _age(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


@dataclass
class _Walk:
    secret: bytes
    patient_id: str
    shift: dt.timedelta
    policy: DeidentifyPolicy
    reference: dt.date | None
    investigational: frozenset[str]
    report: list[DeidentificationStep] = field(default_factory=list)

    def note(self, path: str, action: Action, note: str = "") -> None:
        self.report.append(DeidentificationStep(path, action, note))

    def model(self, model: BaseModel, path: str) -> dict[str, Any]:
        out = {
            name: self.value(model, name, getattr(model, name), _join(path, name))
            for name in type(model).model_fields
        }
        if isinstance(model, Patient):
            self.cap_age(model, out, path)
        return out

    def value(self, owner: BaseModel, name: str, value: object, path: str) -> object:
        if value is None:
            return None
        if isinstance(value, BaseModel):
            return self.model(value, path)
        if isinstance(value, list):
            items = [self.value(owner, name, item, f"{path}.{i}") for i, item in enumerate(value)]
            return [item for item in items if item is not None]
        if isinstance(value, dt.date):
            self.note(path, Action.SHIFTED)
            return value + self.shift
        if isinstance(value, str):
            key = (type(owner).__name__, name)
            if key not in FIELD_RULES:
                raise DeidentificationError(
                    f"field {key[0]}.{key[1]} has no de-identification rule"
                )
            return self.string(owner, name, value, path)
        return value

    def string(self, owner: BaseModel, name: str, value: str, path: str) -> str | None:
        rule = FIELD_RULES[(type(owner).__name__, name)]
        result = self.apply(owner, name, rule, value)
        if rule.rule is Rule.PSEUDONYMISE:
            self.note(path, Action.PSEUDONYMISED)
        elif result is None:
            self.note(path, Action.REMOVED)
        elif result != value:
            self.note(path, Action.GENERALISED)
        return result

    def apply(self, owner: BaseModel, name: str, rule: FieldRule, value: str) -> str | None:
        match rule.rule:
            case Rule.KEEP:
                return value
            case Rule.PSEUDONYMISE:
                return self.pseudonymise(rule.namespace, value)
            case Rule.REMOVE:
                return None
            case Rule.GENERALISE_SITE:
                site = text.generalise_site(value)
                required = type(owner).model_fields[name].is_required()
                return site if site is not None or not required else text.UNSPECIFIED_SITE
            case Rule.GENERALISE_CONDITION:
                assert isinstance(owner, Comorbidity)
                return text.generalise_condition(owner.category)
            case Rule.GENERALISE_SUPPLEMENT:
                return text.generalise_supplement(value)
            case Rule.GENERALISE_AGENT:
                assert isinstance(owner, Agent)
                return _INVESTIGATIONAL if owner.investigational else value
            case Rule.ALLOWLIST_DOSE:
                keep = self.policy.keep_structured_doses and text.allowed_dose(value)
                return value if keep else None
            case Rule.ALLOWLIST_REGION:
                return value if text.allowed_body_region(value) else None
            case Rule.ALLOWLIST_DRUG:
                if value.casefold() in self.investigational:
                    return _INVESTIGATIONAL
                return value if text.allowed_drug(value) else None

    def pseudonymise(self, namespace: str, value: str) -> str:
        if namespace == "patient":
            return _pseudonym(self.secret, value)
        token = _digest(self.secret, namespace, self.patient_id, value).hex()[:12]
        return f"{_PREFIXES[namespace]}-{token}"

    def cap_age(self, patient: Patient, out: dict[str, Any], path: str) -> None:
        """Safe Harbor: ages over 89 become 90 ("90 or older"); the birth date goes."""
        if patient.birth_date is not None and self.reference is not None:
            age: int | None = _age(patient.birth_date, self.reference)
        else:
            age = patient.age_years
        if age is None or age < AGE_CAP:
            return
        over = f"age over 89: {AGE_CAP} means {AGE_CAP} or older"
        if patient.birth_date is not None:
            self.report[:] = [s for s in self.report if s.path != _join(path, "birth_date")]
            self.note(_join(path, "birth_date"), Action.REMOVED, over)
        out["birth_date"] = None
        out["age_years"] = AGE_CAP
        self.note(_join(path, "age_years"), Action.GENERALISED, over)


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def deidentify_case(
    case: Case, *, secret: bytes, policy: DeidentifyPolicy | None = None
) -> DeidentifiedCase:
    """Remove or transform the identifiers of ``case`` (HIPAA Safe Harbor style).

    Parameters
    ----------
    case
        The case to de-identify (unchanged; models are immutable).
    secret
        The site secret, at least 16 bytes, e.g. from :func:`secret_from_env`. The same id and
        secret always give the same pseudonym and date shift; another secret gives others.
    policy
        Options; the defaults shift dates by 1 to 365 days back.

    Returns
    -------
    DeidentifiedCase
        The de-identified case (validated), the pseudonym, the date shift in days (negative)
        and the report of field paths and actions.

    Raises
    ------
    DeidentificationError
        The secret is too short, or the transformed case did not validate (the message lists
        field paths only).

    References
    ----------
    45 CFR 164.514(b)(2) (Safe Harbor); see the module docstring for the 18 categories.
    """
    secret = _checked_secret(secret)
    policy = policy or DeidentifyPolicy()
    patient_id = case.patient.id
    shift_days = _shift_days(secret, patient_id, policy.max_shift_days)
    dates = list(_dates(case))
    walk = _Walk(
        secret=secret,
        patient_id=patient_id,
        shift=dt.timedelta(days=shift_days),
        policy=policy,
        reference=case.as_of or (max(dates) if dates else None),
        investigational=frozenset(
            agent.name.casefold()
            for line in case.treatments
            for agent in line.agents
            if agent.investigational
        ),
    )
    document = walk.model(case, "")
    try:
        result = Case.model_validate(document)
    except ValidationError as exc:
        where = sorted({".".join(map(str, error["loc"])) for error in exc.errors()})
        raise DeidentificationError(
            f"the de-identified case does not validate at {', '.join(where)}"
        ) from None
    return DeidentifiedCase(
        case=result,
        pseudonym=_pseudonym(secret, patient_id),
        shift_days=shift_days,
        report=tuple(walk.report),
    )
