"""Timeline tracks of a cBioPortal study: treatments, imaging, laboratory and ctDNA results,
specimens and disease status, each a ``data_timeline_<track>.txt`` file.

``START_DATE``/``STOP_DATE`` are days from the primary diagnosis; ``STOP_DATE`` is blank for
events at a time point and for ongoing treatment [1]_. Imaging rows carry the sum of the
target lesions' diameters and, for studies of the current line that Oncoboard's RECIST 1.1
engine assessed, its overall timepoint response (``RECIST``; ``RECIST_SOURCE`` names the engine
and the guideline).

References
----------
.. [1] cBioPortal File Formats, "Timeline Data", https://docs.cbioportal.org/file-formats/
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from oncoboard.io.cbioportal_study._build import _days, _text, cbioportal_id, drug_class
from oncoboard.io.cbioportal_study._tables import Table
from oncoboard.model import Case
from oncoboard.model.imaging import LesionRole
from oncoboard.monitoring import RECIST_EVIDENCE, monitor_case

__all__ = ["TIMELINE_COLUMNS", "timelines"]

_BASE = ("PATIENT_ID", "START_DATE", "STOP_DATE", "EVENT_TYPE")
TIMELINE_COLUMNS: dict[str, tuple[str, ...]] = {
    "treatment": (
        *_BASE,
        "TREATMENT_TYPE",
        "SUBTYPE",
        "AGENT",
        "AGENT_CLASS",
        "LINE",
        "REGIMEN_ID",
        "BEST_RESPONSE",
        "REASON_STOPPED",
    ),
    "imaging": (
        *_BASE,
        "DIAGNOSTIC_TYPE",
        "DIAGNOSTIC_TYPE_DETAILED",
        "TARGET_LESIONS_SUM_MM",
        "NEW_LESIONS",
        "RECIST",
        "RECIST_SOURCE",
    ),
    "lab_test": (*_BASE, "TEST", "RESULT", "UNIT", "ASSAY"),
    "specimen": (*_BASE, "SAMPLE_ID", "SPECIMEN_SITE", "SPECIMEN_TYPE"),
    "status": (*_BASE, "STATUS", "SOURCE"),
}
"""Columns of each track (the first four are required by cBioPortal [1]_)."""

_RADIATION = {"stereotactic_radiosurgery", "stereotactic_body_radiotherapy"}


def _local_type(kind: str) -> str:
    if kind == "surgery":
        return "Surgery"
    if "radio" in kind or kind in _RADIATION:
        return "Radiation Therapy"
    return "Local Therapy"


def _treatments(case: Case, patient: str, zero: dt.date) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for line in case.treatments:
        for agent in line.agents:
            reason = agent.reason_stopped or line.reason_stopped
            rows.append(
                (
                    patient,
                    _days(zero, line.start_date),
                    _days(zero, agent.stop_date or line.stop_date),
                    "Treatment",
                    "Medical Therapy",
                    line.setting.value,
                    agent.name,
                    drug_class(agent.name),
                    _text(line.line),
                    _text(line.id),
                    line.best_response.value if line.best_response else "",
                    reason.value if reason else "",
                )
            )
    for therapy in case.local_therapies:
        kind = therapy.kind.value
        rows.append(
            (
                patient,
                _days(zero, therapy.start_date),
                _days(zero, therapy.stop_date),
                "Treatment",
                _local_type(kind),
                therapy.setting.value,
                kind,
                "",
                "",
                "",
                "",
                "",
            )
        )
    return rows


def _imaging(case: Case, patient: str, zero: dt.date) -> list[tuple[str, ...]]:
    recist = monitor_case(case).recist
    assessed = {t.date: t for t in recist.timepoints} if recist else {}
    rows: list[tuple[str, ...]] = []
    for study in sorted(case.imaging, key=lambda s: s.date):
        targets = [
            lesion.size_mm
            for lesion in study.lesions
            if lesion.role is LesionRole.TARGET and lesion.size_mm is not None
        ]
        new = [lesion.id for lesion in study.lesions if lesion.role is LesionRole.NEW]
        point = assessed.get(study.date)
        rows.append(
            (
                patient,
                _days(zero, study.date),
                "",
                "Imaging",
                study.modality.value,
                _text(study.body_region),
                _text(sum(targets)) if targets else "",
                ",".join(new),
                point.overall_response.value if point else "",
                f"Oncoboard RECIST 1.1 engine ({RECIST_EVIDENCE.id})" if point else "",
            )
        )
    return rows


def _labs(case: Case, patient: str, zero: dt.date) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for draw in sorted(case.liquid_biopsies, key=lambda d: d.date):
        day, assay = _days(zero, draw.date), _text(draw.assay)
        if draw.tumor_fraction is not None:
            rows.append((patient, day, "", "Lab_test", "ctDNA tumour fraction",
                         _text(draw.tumor_fraction), "fraction", assay))  # fmt: skip
        if draw.ctc_count is not None:
            rows.append((patient, day, "", "Lab_test", "CTC count", _text(draw.ctc_count),
                         "cells/7.5 mL", assay))  # fmt: skip
        if draw.mean_tumor_molecules_per_ml is not None:
            rows.append((patient, day, "", "Lab_test", "ctDNA MTM/mL",
                         _text(draw.mean_tumor_molecules_per_ml), "MTM/mL", assay))  # fmt: skip
        for variant in draw.variants:
            change = variant.hgvs_p or variant.hgvs_c or ""
            vaf = variant.vaf if variant.vaf is not None else variant.alt_reads / variant.depth
            rows.append((patient, day, "", "Lab_test", f"ctDNA {variant.gene} {change} VAF",
                         f"{vaf:.4g}", "fraction", assay))  # fmt: skip
    for marker in sorted(case.tumor_markers, key=lambda m: m.date):
        rows.append((patient, _days(zero, marker.date), "", "Lab_test", marker.marker.value,
                     _text(marker.value), marker.unit, ""))  # fmt: skip
    return rows


def _specimens(case: Case, patient: str, zero: dt.date) -> list[tuple[str, ...]]:
    return [
        (
            patient,
            _days(zero, report.date),
            "",
            "Specimen",
            cbioportal_id(report.id, what=f"patient {patient}, report {report.id}"),
            _text(report.specimen_site),
            "blood"
            if report.specimen_type.value in ("plasma", "blood")
            else report.specimen_type.value,
        )
        for report in sorted(case.genomic_reports, key=lambda r: r.date)
    ]


def _status(case: Case, patient: str, zero: dt.date) -> list[tuple[str, ...]]:
    dx = case.primary_diagnosis
    rows: list[tuple[str, ...]] = [
        (patient, "0", "", "Status", "Primary diagnosis", "primary_diagnosis")
    ]
    if dx.de_novo_metastatic:
        rows.append((patient, "0", "", "Status", "De novo metastatic", "primary_diagnosis"))
    elif dx.metastatic_recurrence_date is not None:
        rows.append((patient, _days(zero, dx.metastatic_recurrence_date), "", "Status",
                     "Metastatic recurrence", "primary_diagnosis"))  # fmt: skip
    for line in case.treatments:
        if line.progression_date is not None:
            label = f"line {line.line}" if line.line else line.setting.value
            rows.append((patient, _days(zero, line.progression_date), "", "Status",
                         f"Progression on {label}", _text(line.id)))  # fmt: skip
    return rows


def timelines(cases: Sequence[Case]) -> dict[str, Table]:
    """The timeline tracks of ``cases`` (a track no case has an event for is left out)."""
    makers = {
        "treatment": _treatments,
        "imaging": _imaging,
        "lab_test": _labs,
        "specimen": _specimens,
        "status": _status,
    }
    rows: dict[str, list[tuple[str, ...]]] = {name: [] for name in makers}
    for case in cases:
        patient = cbioportal_id(case.patient.id, what=f"patient {case.patient.id}")
        zero = case.primary_diagnosis.date
        for name, make in makers.items():
            rows[name] += make(case, patient, zero)
    return {
        name: Table(TIMELINE_COLUMNS[name], tuple(found)) for name, found in rows.items() if found
    }
