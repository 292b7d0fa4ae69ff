"""The cohorts: Desmedt 2007 (training), GBSG2 and METABRIC (external validation).

Every cohort gives the clinical model's covariates per patient (``age`` years, ``size_cm``,
``grade`` 1-3, ``er_positive``; ``None`` where not recorded), time in years and an event code
(0 censored, 1 the cohort's endpoint, 2 a competing event).

- Desmedt 2007 (``sksurv.datasets.load_breast_cancer``): time to distant metastasis.
- GBSG2 (``examples/survival/lymph_node.csv``): recurrence-free survival; ER positive when
  ``estrg_recp`` >= 10 fmol/mg; size mm -> cm.
- METABRIC (``examples/cohort/metabric``): disease-specific survival, death from other
  causes competing. The table has no grade or size columns; both are recovered from the
  Nottingham Prognostic Index as given there (see :func:`npi_grade_size`).
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

__all__ = [
    "DAYS_PER_YEAR",
    "Cohort",
    "desmedt",
    "file_sha256",
    "gbsg2",
    "metabric",
    "npi_grade_size",
]

DAYS_PER_YEAR = 365.25
ER_THRESHOLD_FMOL = 10.0
"""GBSG2 ER positive at >= 10 fmol/mg cytosol protein (the usual ligand-binding cut-off)."""

_DESMEDT_GRADE = {"well differentiated": 1, "intermediate": 2, "poorly differentiated": 3}


@dataclass(frozen=True)
class Cohort:
    """Covariates, follow-up and events of one cohort (one entry per patient)."""

    name: str
    endpoint: str
    covariates: list[dict[str, object]]
    time: np.ndarray  # years
    event: np.ndarray  # 0 censored, 1 endpoint, 2 competing event
    extra: dict[str, np.ndarray] = field(default_factory=dict)
    genes: np.ndarray | None = None
    gene_names: tuple[str, ...] = ()
    sha256: str = ""
    excluded: str = ""
    n_source: int = 0  # patients in the source before exclusions (0: none excluded)

    def subset(self, keep: np.ndarray, name: str) -> Cohort:
        """The patients where ``keep`` is True."""
        index = np.flatnonzero(keep)
        return Cohort(
            name=name,
            endpoint=self.endpoint,
            covariates=[self.covariates[i] for i in index],
            time=self.time[index],
            event=self.event[index],
            extra={k: v[index] for k, v in self.extra.items()},
            genes=None if self.genes is None else self.genes[index],
            gene_names=self.gene_names,
            sha256=self.sha256,
            excluded=self.excluded,
            n_source=self.n_source,
        )


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _table_sha256(covariates: list[dict[str, object]], time: np.ndarray, event: np.ndarray) -> str:
    """SHA-256 of the canonical training table (one CSV line per patient, repr floats)."""
    lines = ["age,size_cm,grade,er_positive,time_years,event"]
    for row, t, e in zip(covariates, time, event, strict=True):
        values = [row["age"], row["size_cm"], row["grade"], row["er_positive"]]
        lines.append(",".join([*(repr(v) for v in values), repr(float(t)), str(int(e))]))
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def desmedt() -> Cohort:
    """Desmedt 2007: 198 node-negative, systemically untreated patients; complete cases.

    The two patients with grade recorded as unknown are excluded (a missing covariate is
    never imputed), leaving 196 patients and 51 distant metastases.
    """
    from sksurv.datasets import load_breast_cancer  # type: ignore[import-untyped]

    frame, outcome = load_breast_cancer()
    grades = [str(g) for g in frame["grade"]]
    keep = np.array([g in _DESMEDT_GRADE for g in grades])
    covariates: list[dict[str, object]] = []
    for i in np.flatnonzero(keep):
        covariates.append(
            {
                "age": int(frame["age"].iloc[i]),
                "size_cm": float(frame["size"].iloc[i]),
                "grade": _DESMEDT_GRADE[grades[i]],
                "er_positive": str(frame["er"].iloc[i]) == "positive",
            }
        )
    gene_names = tuple(str(c) for c in frame.columns[:76])
    genes = np.asarray(frame[list(gene_names)].to_numpy(dtype=float))[keep]
    time = np.asarray(outcome["t.tdm"], dtype=float)[keep] / DAYS_PER_YEAR
    event = np.asarray(outcome["e.tdm"], dtype=int)[keep]
    return Cohort(
        name="Desmedt 2007",
        endpoint="distant metastasis",
        covariates=covariates,
        time=time,
        event=event,
        genes=genes,
        gene_names=gene_names,
        sha256=_table_sha256(covariates, time, event),
        excluded=f"{int((~keep).sum())} of {keep.size} patients with grade recorded as unknown",
        n_source=int(keep.size),
    )


def gbsg2(path: Path) -> Cohort:
    """GBSG2 (Schumacher 1994): 686 node-positive patients, recurrence-free survival."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    covariates: list[dict[str, object]] = [
        {
            "age": int(r["age"]),
            "size_cm": int(r["size"]) / 10,
            "grade": int(r["grade"]),
            "er_positive": float(r["estrg_recp"]) >= ER_THRESHOLD_FMOL,
        }
        for r in rows
    ]
    return Cohort(
        name="GBSG2",
        endpoint="recurrence-free survival",
        covariates=covariates,
        time=np.array([float(r["rectime"]) for r in rows]) / DAYS_PER_YEAR,
        event=np.array([int(r["censrec"]) for r in rows]),
        extra={
            "nodes": np.array([int(r["nodes"]) for r in rows]),
            "hormone_therapy": np.array([r["hormone"] == "2" for r in rows]),
        },
        sha256=file_sha256(path),
    )


def npi_grade_size(npi: float, nodes: int | None) -> tuple[int | None, float | None]:
    """Grade and size (cm) recovered from METABRIC's Nottingham Prognostic Index.

    In the cBioPortal METABRIC table NPI = grade + nodal stage + 0.002 * size in mm, with
    nodal stage 1 (0 positive nodes), 2 (1-3) or 3 (>= 4): the integer part is grade +
    stage and the fraction is size / 500 mm. (The classical NPI weights size as 0.2 * cm; the
    table's fractions are ten times smaller, and recovered sizes heap at 10, 15, 20, 25 and
    30 mm as recorded sizes do.) A grade outside 1-3 or a size of 0 is returned as ``None``.
    """
    if nodes is None:
        return None, None
    stage = 1 if nodes == 0 else 2 if nodes <= 3 else 3
    whole = int(np.floor(npi + 1e-9))
    grade = whole - stage
    size_mm = round((npi - whole) * 500, 1)
    return (grade if 1 <= grade <= 3 else None), (size_mm / 10 if size_mm > 0 else None)


def _read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def _number(text: str) -> float | None:
    return None if text in ("", "NA") else float(text)


def metabric(folder: Path) -> Cohort:
    """METABRIC: 1,980 patients, disease-specific survival (other-cause death competing)."""
    survival = {r["patientId"]: r for r in _read_tsv(folder / "metabric_survival.tsv")}
    covariates: list[dict[str, object]] = []
    time, event, nodes_col, chemo, hormone = [], [], [], [], []
    for row in _read_tsv(folder / "metabric_clinical.tsv"):
        nodes_value = _number(row["LYMPH_NODES_EXAMINED_POSITIVE"])
        nodes = None if nodes_value is None else int(nodes_value)
        npi = _number(row["NPI"])
        grade, size = (None, None) if npi is None else npi_grade_size(npi, nodes)
        er = {"positve": True, "positive": True, "negative": False}.get(row["ER_IHC"].lower())
        age = _number(row["AGE_AT_DIAGNOSIS"])
        covariates.append({"age": age, "size_cm": size, "grade": grade, "er_positive": er})
        outcome = survival[row["patientId"]]
        time.append(float(outcome["time"]) / DAYS_PER_YEAR)
        event.append(int(outcome["event"]))
        nodes_col.append(-1 if nodes is None else nodes)
        chemo.append(row["CHEMOTHERAPY"] == "YES")
        hormone.append(row["HORMONE_THERAPY"] == "YES")
    digest = hashlib.sha256(
        (folder / "metabric_clinical.tsv").read_bytes()
        + (folder / "metabric_survival.tsv").read_bytes()
    ).hexdigest()
    return Cohort(
        name="METABRIC",
        endpoint="disease-specific survival (death from other causes competing)",
        covariates=covariates,
        time=np.array(time),
        event=np.array(event),
        extra={
            "nodes": np.array(nodes_col),
            "chemotherapy": np.array(chemo),
            "hormone_therapy": np.array(hormone),
        },
        sha256=digest,
    )
