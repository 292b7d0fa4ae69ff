"""The MSK 2018 metastatic cohort: overall survival from metastatic diagnosis, delayed entry.

cBioPortal ``breast_msk_2018`` (Razavi et al., Cancer Cell 2018) has one row per sequenced
sample. Its time columns are **ages in months** except ``Overall Survival (Months)``:

- ``Time to Diagnosis Invasive Carcinoma``: age at diagnosis of the primary (2 decimals);
- ``Metastatic Recurrence Time``: age at metastatic diagnosis (whole months; NA if the
  patient never had metastatic disease);
- ``NGS Sample Collection Time Period``: age when the sequenced sample was collected
  (whole months);
- ``Time To Death (Months)``: age at death (NA if alive);
- ``Overall Survival (Months)``: months from primary diagnosis to death or last contact.

:func:`msk_mbc` checks these readings on the data (:func:`reading_checks`) and builds one
row per patient with metastatic disease: time origin the metastatic diagnosis,
``time = dx_age + OS - met_age`` (months -> years), event death from any cause, and delayed
entry ``max(0, seq_age - met_age)`` from the patient's first sequenced sample (patients enter
the cohort when sequenced). Patients whose follow-up ends at or before their entry (or
before the metastatic diagnosis) are dropped and counted.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["MONTHS_PER_YEAR", "SUBTYPE_LEVELS", "MbcCohort", "msk_mbc", "reading_checks"]

MONTHS_PER_YEAR = 12.0
DAYS_PER_MONTH = 30.4375  # 365.25 / 12
SUBTYPE_LEVELS: tuple[str, ...] = ("HR+/HER2-", "HR+/HER2+", "HR-/HER2+", "TNBC")
"""Levels of ``subtype`` (reference first), from ``Overall Patient Receptor Status``."""

_SUBTYPE = {
    "HR+/HER2-": "HR+/HER2-",
    "HR+/HER2+": "HR+/HER2+",
    "HR-/HER2+": "HR-/HER2+",
    "Triple Negative": "TNBC",
}
_PATIENT_COLUMNS = (
    "Time to Diagnosis Invasive Carcinoma",
    "Metastatic Recurrence Time",
    "Time To Death (Months)",
    "Overall Survival (Months)",
    "Overall Survival Status",
    "Stage At Diagnosis",
    "M Stage",
    "Overall Patient Receptor Status",
    "Metastatic Disease at Last Follow-up",
    "Disease Free (Months)",
    "Last Communication Contact",
    "Invasive Carcinoma Diagnosis Age",
    "Sex",
)
"""Patient-level columns: the same on every sample row of a patient (checked)."""


@dataclass(frozen=True)
class MbcCohort:
    """One entry per patient with metastatic disease (times in years from metastasis)."""

    covariates: list[dict[str, object]]
    time: np.ndarray
    entry: np.ndarray
    event: np.ndarray
    patients: tuple[str, ...]
    first_sample_type: np.ndarray
    entry_last: np.ndarray  # entry from the last sequenced sample (sensitivity analysis)
    sha256: str = ""
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def subtype(self) -> np.ndarray:
        """The subtype of each patient."""
        return np.array([row["subtype"] for row in self.covariates])

    def subset(self, keep: np.ndarray) -> MbcCohort:
        """The patients where ``keep`` is True."""
        index = np.flatnonzero(keep)
        return MbcCohort(
            covariates=[self.covariates[i] for i in index],
            time=self.time[index],
            entry=self.entry[index],
            event=self.event[index],
            patients=tuple(self.patients[i] for i in index),
            first_sample_type=self.first_sample_type[index],
            entry_last=self.entry_last[index],
            sha256=self.sha256,
            counts=self.counts,
        )


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def _number(text: str) -> float | None:
    return None if text in ("", "NA") else float(text)


def _by_patient(rows: list[dict[str, str]]) -> dict[str, list[dict[str, str]]]:
    """Sample rows of each patient, ordered by collection age (then sample id)."""
    grouped: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        grouped.setdefault(row["Patient ID"], []).append(row)
    for samples in grouped.values():
        samples.sort(key=lambda r: (float(r["NGS Sample Collection Time Period"]), r["Sample ID"]))
    return grouped


def _span(values: list[float]) -> list[float]:
    return [float(min(values)), float(max(values))] if values else [0.0, 0.0]


def reading_checks(rows: list[dict[str, str]]) -> dict[str, Any]:
    """Checks of the column readings (months; differences in months unless stated)."""
    patients = _by_patient(rows)
    inconsistent = sum(
        any(len({r[c] for r in samples}) > 1 for c in _PATIENT_COLUMNS)
        for samples in patients.values()
    )
    first = [samples[0] for samples in patients.values()]
    dead = [r for r in first if r["Overall Survival Status"] == "1:DECEASED"]
    alive = [r for r in first if r["Overall Survival Status"] != "1:DECEASED"]
    metastatic = [r for r in first if _number(r["Metastatic Recurrence Time"]) is not None]
    never = [r for r in first if _number(r["Metastatic Recurrence Time"]) is None]

    def age_dx(r: dict[str, str]) -> float:
        return float(r["Time to Diagnosis Invasive Carcinoma"])

    def os(r: dict[str, str]) -> float:
        return float(r["Overall Survival (Months)"])

    def dfs(r: dict[str, str]) -> float:
        return float(r["Disease Free (Months)"])

    def met(r: dict[str, str]) -> float:
        return float(r["Metastatic Recurrence Time"])

    return {
        "samples": len(rows),
        "patients": len(patients),
        "patients_with_inconsistent_patient_columns": inconsistent,
        "deceased": len(dead),
        "deceased_dx_plus_os_minus_death_age": _span(
            [age_dx(r) + os(r) - float(r["Time To Death (Months)"]) for r in dead]
        ),
        "living_with_death_age": sum(r["Time To Death (Months)"] not in ("", "NA") for r in alive),
        "metastatic": len(metastatic),
        "metastatic_met_age_minus_dx_age_minus_dfs": _span(
            [met(r) - age_dx(r) - dfs(r) for r in metastatic]
        ),
        "metastatic_not_flagged": sum(
            r["Metastatic Disease at Last Follow-up"] != "Yes" for r in metastatic
        ),
        "never_metastatic": len(never),
        "never_metastatic_dfs_minus_os": _span([dfs(r) - os(r) for r in never]),
        "never_metastatic_flagged": sum(
            r["Metastatic Disease at Last Follow-up"] != "No" for r in never
        ),
        "last_contact_days_as_months_minus_dx_plus_os": _span(
            [
                float(r["Last Communication Contact"]) / DAYS_PER_MONTH - age_dx(r) - os(r)
                for r in first
            ]
        ),
        "dx_age_months_over_12_minus_age_years": _span(
            [
                age_dx(r) / MONTHS_PER_YEAR - float(r["Invasive Carcinoma Diagnosis Age"])
                for r in first
            ]
        ),
        "stage_iv_not_m1": sum(
            (r["Stage At Diagnosis"] == "IV") != (r["M Stage"] == "M1") for r in first
        ),
        "de_novo_met_age_minus_dx_age": _span(
            [met(r) - age_dx(r) for r in metastatic if r["Stage At Diagnosis"] == "IV"]
        ),
        "recurrent_met_age_minus_dx_age": _span(
            [met(r) - age_dx(r) for r in metastatic if r["Stage At Diagnosis"] != "IV"]
        ),
    }


def _table_sha256(cohort_rows: list[tuple[object, ...]]) -> str:
    """SHA-256 of the canonical training table (one CSV line per patient, repr values)."""
    lines = ["patient,subtype,age_at_metastasis,de_novo,dfi_years,entry_years,time_years,event"]
    lines += [",".join(repr(v) for v in row) for row in cohort_rows]
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def msk_mbc(path: Path) -> tuple[MbcCohort, dict[str, Any]]:
    """The metastatic cohort of MSK 2018 and the :func:`reading_checks` of the file."""
    rows = _read(path)
    checks = reading_checks(rows)
    patients = _by_patient(rows)
    counts = {"metastatic": 0, "dropped_not_after_entry": 0, "dropped_negative_time": 0}
    counts |= {"dfi_clipped_to_0": 0, "unknown_subtype": 0, "male": 0}
    table: list[tuple[object, ...]] = []
    sample_types, entry_last = [], []
    gaps: list[float] = []
    for patient, samples in patients.items():
        first, last = samples[0], samples[-1]
        met = _number(first["Metastatic Recurrence Time"])
        if met is None:
            continue
        counts["metastatic"] += 1
        dx = float(first["Time to Diagnosis Invasive Carcinoma"])
        time = dx + float(first["Overall Survival (Months)"]) - met
        entry = max(0.0, float(first["NGS Sample Collection Time Period"]) - met)
        subtype = _SUBTYPE.get(first["Overall Patient Receptor Status"])
        if time < 0:
            counts["dropped_negative_time"] += 1
            continue
        if time <= entry:
            counts["dropped_not_after_entry"] += 1
            gaps.append(entry - time)
            continue
        if subtype is None:
            counts["unknown_subtype"] += 1
            continue
        de_novo = first["Stage At Diagnosis"] == "IV"
        dfi = 0.0 if de_novo else max(0.0, met - dx) / MONTHS_PER_YEAR
        counts["dfi_clipped_to_0"] += int(not de_novo and met < dx)
        counts["male"] += int(first["Sex"] == "Male")
        table.append(
            (
                patient,
                subtype,
                met / MONTHS_PER_YEAR,
                de_novo,
                dfi,
                entry / MONTHS_PER_YEAR,
                time / MONTHS_PER_YEAR,
                int(first["Overall Survival Status"] == "1:DECEASED"),
            )
        )
        sample_types.append(first["Sample Type"])
        last_entry = max(0.0, float(last["NGS Sample Collection Time Period"]) - met)
        entry_last.append(min(last_entry, time) / MONTHS_PER_YEAR)
    covariates: list[dict[str, object]] = [
        {"subtype": r[1], "age_at_metastasis": r[2], "de_novo": r[3], "dfi_years": r[4]}
        for r in table
    ]
    checks["dropped_entry_minus_time_months"] = _span(gaps)
    counts["patients"] = len(table)
    counts["events"] = sum(int(r[7]) for r in table)  # type: ignore[call-overload]
    cohort = MbcCohort(
        covariates=covariates,
        time=np.array([r[6] for r in table], dtype=float),
        entry=np.array([r[5] for r in table], dtype=float),
        event=np.array([r[7] for r in table], dtype=int),
        patients=tuple(str(r[0]) for r in table),
        first_sample_type=np.array(sample_types),
        entry_last=np.array(entry_last, dtype=float),
        sha256=_table_sha256(table),
        counts=counts,
    )
    return cohort, checks
