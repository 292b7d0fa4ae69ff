"""The de-identified cohort: all an analyst may see.

Each patient becomes a row with a pseudonym (HMAC-SHA-256 of the patient id keyed with the
service secret, so it is stable but cannot be reversed or recomputed without the key), the
clinical subtype, the line of therapy, a 10-year age band (ages of 90 and more pooled) and
the number of monitoring alerts. No id, name, date, free text or site is shown. Rows are
ordered by pseudonym, never by patient id.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections import Counter
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from oncoboard.service.findings import case_findings
from oncoboard.store import document_sha256

if TYPE_CHECKING:
    from oncoboard.store import Store

__all__ = ["CohortRow", "CohortView", "age_band", "cohort_view", "pseudonym"]


@dataclass(frozen=True, slots=True)
class CohortRow:
    """One de-identified patient."""

    pseudonym: str
    subtype: str
    line: int
    age_band: str
    n_alerts: int


@dataclass(frozen=True, slots=True)
class CohortView:
    """The de-identified rows and their counts per subtype and per line of therapy."""

    rows: tuple[CohortRow, ...]
    by_subtype: dict[str, int]
    by_line: dict[int, int]

    def to_json(self) -> dict[str, Any]:
        """Stable JSON form (the ``GET /api/v1/cohort`` body)."""
        return {
            "n_patients": len(self.rows),
            "rows": [
                {
                    "pseudonym": r.pseudonym,
                    "subtype": r.subtype,
                    "line": r.line,
                    "age_band": r.age_band,
                    "n_alerts": r.n_alerts,
                }
                for r in self.rows
            ],
            "by_subtype": self.by_subtype,
            "by_line": {str(k): v for k, v in self.by_line.items()},
        }


@cache
def _process_key() -> bytes:
    return secrets.token_bytes(32)


def pseudonym(patient_id: str, key: bytes) -> str:
    """``P-`` and the first 12 hex digits of HMAC-SHA-256(key, patient id)."""
    digest = hmac.new(key, patient_id.encode("utf-8"), hashlib.sha256).hexdigest()
    return f"P-{digest[:12]}"


def age_band(age: int | None) -> str:
    """A 10-year band (``"50-59"``), ``"90+"``, or ``"unknown"``."""
    if age is None:
        return "unknown"
    if age >= 90:
        return "90+"
    low = age // 10 * 10
    return f"{low}-{low + 9}"


def cohort_view(store: Store, secret: str | bytes | None = None) -> CohortView:
    """The de-identified cohort of every stored patient (latest versions; audited ``list``).

    Parameters
    ----------
    store
        The store, with the requesting user as audit actor.
    secret
        Key of the pseudonyms (pass ``settings.secret_key.get_secret_value()``); default a
        random key of this process (pseudonyms then change when the process restarts).
    """
    key = _process_key() if secret is None else secret
    key = key.encode("utf-8") if isinstance(key, str) else key
    rows: list[CohortRow] = []
    for patient in store.list_patients():
        findings = case_findings(patient.document, document_sha256(patient.document))
        summary = findings.summary
        rows.append(
            CohortRow(
                pseudonym=pseudonym(patient.patient_id, key),
                subtype=summary.subtype.subtype.value,
                line=summary.line.number,
                age_band=age_band(summary.age_years),
                n_alerts=findings.n_alerts,
            )
        )
    rows.sort(key=lambda r: r.pseudonym)
    by_subtype = dict(sorted(Counter(r.subtype for r in rows).items()))
    by_line = dict(sorted(Counter(r.line for r in rows).items()))
    return CohortView(tuple(rows), by_subtype, by_line)
