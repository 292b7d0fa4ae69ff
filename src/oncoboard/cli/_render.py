"""Rich renderings of derived results (presentation only: no clinical logic here)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.console import Group
from rich.panel import Panel
from rich.table import Table

from oncoboard.derive import CaseSummary
from oncoboard.model import Case

if TYPE_CHECKING:
    from oncoboard.store import AuditEvent, PatientSummary

__all__ = ["audit_table", "case_panel", "cohort_table"]


def _her2(summary: CaseSummary) -> str:
    her2 = summary.subtype.her2
    score = f" (IHC {her2.ihc_score.value})" if her2.ihc_score else ""
    return f"{her2.category.value}{score}"


def cohort_table(rows: Sequence[tuple[PatientSummary, CaseSummary]]) -> Table:
    """One row per stored patient."""
    table = Table(title=f"Oncoboard cohort: {len(rows)} patient(s)", title_justify="left")
    for column in (
        "patient",
        "v",
        "age",
        "subtype",
        "HER2",
        "line",
        "current regimen",
        "metastatic sites",
        "ECOG",
    ):
        table.add_column(column, overflow="fold")
    for stored, summary in rows:
        line = f"{summary.line.number}" + ("" if summary.line.ongoing else " (next)")
        table.add_row(
            stored.patient_id + ("*" if summary.synthetic else ""),
            str(stored.latest_version),
            "" if summary.age_years is None else str(summary.age_years),
            summary.subtype.label,
            _her2(summary),
            line,
            summary.current_regimen or "—",
            ", ".join(summary.sites) or "—",
            "" if summary.ecog is None else str(summary.ecog),
        )
    if any(summary.synthetic for _, summary in rows):
        table.caption = "* synthetic patient"
    return table


def case_panel(case: Case, summary: CaseSummary, version: int, n_versions: int) -> Panel:
    """The tumor-board header of one case."""
    hr = summary.subtype.hr
    er = f"{hr.er.value}" + (f" ({hr.er_percent:g}%)" if hr.er_percent is not None else "")
    pr = f"{hr.pr.value}" + (f" ({hr.pr_percent:g}%)" if hr.pr_percent is not None else "")
    diagnosis = case.primary_diagnosis
    rows = [
        (
            "patient",
            f"{case.patient.id}, {case.patient.sex.value}, age {summary.age_years}, "
            f"{case.patient.menopausal_status.value}" + ("  [synthetic]" if case.synthetic else ""),
        ),
        (
            "diagnosis",
            f"{diagnosis.date.isoformat()} {diagnosis.histology.value}"
            + (f" {diagnosis.grade.value}" if diagnosis.grade else "")
            + (" (de novo stage IV)" if diagnosis.de_novo_metastatic else ""),
        ),
        ("subtype", summary.subtype.label),
        ("ER / PR", f"{er} / {pr}"),
        (
            "HER2",
            _her2(summary)
            + (
                "  (differs from earlier specimens)"
                if summary.subtype.her2.discordant_history
                else ""
            ),
        ),
        ("metastatic sites", ", ".join(summary.sites) or "none recorded"),
        ("ECOG", "not recorded" if summary.ecog is None else str(summary.ecog)),
        (
            "line",
            f"{summary.line.number} "
            + (
                f"(ongoing: {summary.current_regimen})"
                if summary.line.ongoing
                else "(next line to choose)"
            ),
        ),
        (
            "prior exposure",
            "; ".join(f"{k}: {', '.join(v)}" for k, v in sorted(summary.exposures.items()))
            or "none",
        ),
        (
            "genomic reports",
            ", ".join(
                f"{r.date.isoformat()} {r.specimen_type.value} {r.origin.value} ({r.assay})"
                for r in case.genomic_reports
            )
            or "none (not tested)",
        ),
        (
            "record",
            f"version {version} of {n_versions}"
            + (f", as of {case.as_of.isoformat()}" if case.as_of else ""),
        ),
    ]
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column(overflow="fold")
    for key, value in rows:
        grid.add_row(key, value)
    return Panel(Group(grid), title=f"Case {case.patient.id}", title_align="left")


def audit_table(events: Sequence[AuditEvent]) -> Table:
    """The audit trail, most recent first."""
    table = Table(title="Audit trail", title_justify="left")
    for column in ("#", "at (UTC)", "actor", "action", "patient", "version", "outcome"):
        table.add_column(column)
    for event in events:
        table.add_row(
            str(event.id),
            event.at.strftime("%Y-%m-%d %H:%M:%S"),
            event.actor,
            event.action,
            event.patient_id or "",
            "" if event.version is None else str(event.version),
            event.outcome,
        )
    return table
