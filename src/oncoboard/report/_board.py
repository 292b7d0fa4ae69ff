"""The tumor-board view model: everything the report shows, gathered from the library.

Presentation never re-derives clinical logic: statuses come from
:func:`oncoboard.derive.summary.summarize`, findings from
:func:`oncoboard.genomics.pipeline.annotate_case`, options from
:func:`oncoboard.planning.plan_case` and response from
:func:`oncoboard.monitoring.report.monitor_case`. This module only arranges their results into
rows (biomarkers with "not tested" gaps, alterations by specimen) for the templates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from oncoboard.cli._console import DISCLAIMER
from oncoboard.derive.as_of import case_as_of
from oncoboard.derive.summary import CaseSummary, summarize
from oncoboard.errors import OncoboardError
from oncoboard.genomics.findings import Finding, FindingKind
from oncoboard.genomics.pipeline import annotate_case
from oncoboard.genomics.report import SampleAnnotation
from oncoboard.model import (
    Case,
    Evidence,
    GenomicReport,
    Ki67Result,
    PDL1Result,
    SampleOrigin,
    Setting,
    TROP2Result,
)
from oncoboard.monitoring.ctdna import VariantSeries, ctdna_series
from oncoboard.monitoring.report import MonitoringReport, monitor_case
from oncoboard.planning import plan_case
from oncoboard.planning.options import TreatmentPlan

__all__ = ["AlterationRow", "BiomarkerRow", "TherapySpan", "TumorBoard", "build_board"]

NOT_TESTED = "not tested"


@dataclass(frozen=True, slots=True)
class BiomarkerRow:
    """One biomarker: its latest result and date, or ``not tested`` (never negative)."""

    name: str
    value: str
    date: dt.date | None
    source: str
    tested: bool
    rule: str | None = None
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True, slots=True)
class AlterationRow:
    """One reported alteration with where it was found and what the knowledge base says."""

    specimen: str  # "tissue", "plasma" or "germline"
    report_id: str
    assay: str
    date: dt.date
    gene: str
    alteration: str
    vaf: float | None
    kinds: tuple[str, ...]
    levels: tuple[str, ...]
    therapies: tuple[str, ...]
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True, slots=True)
class TherapySpan:
    """One line of therapy for the plots: label, dates and setting."""

    label: str
    start: dt.date
    stop: dt.date | None
    setting: str
    line: int | None


@dataclass(frozen=True, slots=True)
class TumorBoard:
    """Frozen view model of one tumor-board report (built by :func:`build_board`)."""

    case: Case
    as_of: dt.date
    summary: CaseSummary
    annotation: SampleAnnotation
    plan: TreatmentPlan | None
    plan_error: str | None
    monitoring: MonitoringReport
    biomarkers: tuple[BiomarkerRow, ...]
    alterations: tuple[AlterationRow, ...]
    ctdna: tuple[VariantSeries, ...]
    therapies: tuple[TherapySpan, ...]
    knowledge_versions: dict[str, str]
    disclaimer: str = DISCLAIMER

    @property
    def patient_id(self) -> str:
        """The patient identifier (shown in the report; never logged)."""
        return self.case.patient.id

    @property
    def tissue_alterations(self) -> tuple[AlterationRow, ...]:
        """Alterations found in tumour tissue."""
        return tuple(a for a in self.alterations if a.specimen == "tissue")

    @property
    def plasma_alterations(self) -> tuple[AlterationRow, ...]:
        """Alterations found in plasma (ctDNA genomic reports)."""
        return tuple(a for a in self.alterations if a.specimen == "plasma")

    @property
    def germline_alterations(self) -> tuple[AlterationRow, ...]:
        """Germline (inherited) variants from blood or saliva."""
        return tuple(a for a in self.alterations if a.specimen == "germline")


def _fmt(value: float) -> str:
    return f"{value:g}"


def _receptor_rows(case: Case, summary: CaseSummary) -> list[BiomarkerRow]:
    hr, her2 = summary.subtype.hr, summary.subtype.her2
    rows: list[BiomarkerRow] = []
    for name, call, percent, date in (
        ("ER", hr.er, hr.er_percent, hr.er_date),
        ("PR", hr.pr, hr.pr_percent, hr.pr_date),
    ):
        tested = date is not None
        value = call.value + (f" ({_fmt(percent)}%)" if percent is not None else "")
        rows.append(
            BiomarkerRow(
                name=name,
                value=value if tested else NOT_TESTED,
                date=date,
                source="receptors (IHC)" if tested else "no result in the case",
                tested=tested,
                rule=hr.rule,
                evidence=hr.evidence,
            )
        )
    her2_tested = her2.date is not None
    parts = [her2.category.value]
    if her2.ihc_score is not None:
        parts.append(f"IHC {her2.ihc_score.value}")
    if her2.ish_result is not None:
        parts.append(f"ISH {her2.ish_result.value}")
    rows.append(
        BiomarkerRow(
            name="HER2",
            value=", ".join(parts) if her2_tested else NOT_TESTED,
            date=her2.date,
            source="receptors (IHC/ISH)" if her2_tested else "no result in the case",
            tested=her2_tested,
            rule=her2.rule,
            evidence=her2.evidence,
        )
    )
    return rows


def _latest_report(case: Case, attr: str) -> GenomicReport | None:
    with_value = [r for r in case.genomic_reports if getattr(r, attr) is not None]
    return max(with_value, key=lambda r: r.date, default=None)


def _missing(name: str) -> BiomarkerRow:
    return BiomarkerRow(
        name=name, value=NOT_TESTED, date=None, source="no result in the case", tested=False
    )


def _other_rows(case: Case) -> list[BiomarkerRow]:
    rows: list[BiomarkerRow] = []
    pdl1 = [b for b in case.biomarkers if isinstance(b, PDL1Result)]
    for result in sorted(pdl1, key=lambda b: b.date):
        rows.append(
            BiomarkerRow(
                name="PD-L1",
                value=f"{result.scoring.value} {_fmt(result.value)} ({result.assay.value})",
                date=result.date,
                source=f"biomarkers ({result.specimen_site or 'site not recorded'})",
                tested=True,
            )
        )
    if not pdl1:
        rows.append(_missing("PD-L1"))
    ki67 = max(
        (b for b in case.biomarkers if isinstance(b, Ki67Result)),
        key=lambda b: b.date,
        default=None,
    )
    rows.append(
        BiomarkerRow(
            name="Ki-67",
            value=f"{_fmt(ki67.percent)}%",
            date=ki67.date,
            source="biomarkers",
            tested=True,
        )
        if ki67
        else _missing("Ki-67")
    )
    trop2 = max(
        (b for b in case.biomarkers if isinstance(b, TROP2Result)),
        key=lambda b: b.date,
        default=None,
    )
    if trop2 is not None:
        value = ", ".join(
            filter(
                None,
                (
                    f"H-score {_fmt(trop2.h_score)}" if trop2.h_score is not None else None,
                    f"IHC {trop2.ihc_score}" if trop2.ihc_score else None,
                ),
            )
        )
        rows.append(
            BiomarkerRow(
                name="TROP2", value=value, date=trop2.date, source="biomarkers", tested=True
            )
        )
    for name, attr in (("TMB", "tmb"), ("MSI", "msi"), ("HRD", "hrd")):
        report = _latest_report(case, attr)
        if report is None:
            rows.append(_missing(name))
            continue
        if report.tmb is not None and attr == "tmb":
            value = f"{_fmt(report.tmb.value)} mut/Mb"
        elif report.msi is not None and attr == "msi":
            value = report.msi.status.value
        elif report.hrd is not None:
            score = f", score {_fmt(report.hrd.score)}" if report.hrd.score is not None else ""
            value = f"{report.hrd.status}{score}"
        rows.append(
            BiomarkerRow(
                name=name,
                value=value,
                date=report.date,
                source=f"genomic report {report.id} ({report.assay})",
                tested=True,
            )
        )
    germline = [r for r in case.genomic_reports if r.origin is SampleOrigin.GERMLINE]
    latest = max(germline, key=lambda r: r.date, default=None)
    if latest is None:
        rows.append(_missing("Germline BRCA1/2"))
    else:
        found = [
            f"{v.gene} {v.hgvs_p or v.hgvs_c or ''}".strip()
            + (f" ({v.classification.value})" if v.classification else "")
            for r in germline
            for v in r.variants
        ]
        covered = set(latest.genes_tested or ())
        if found:
            value = "; ".join(found)
        elif {"BRCA1", "BRCA2"} <= covered:
            value = "no pathogenic variant reported"
        else:
            value = "report without BRCA1/2 coverage listed"
        rows.append(
            BiomarkerRow(
                name="Germline BRCA1/2",
                value=value,
                date=latest.date,
                source=f"genomic report {latest.id} ({latest.assay})",
                tested=True,
            )
        )
    return rows


def _specimen(report: GenomicReport) -> str:
    if report.origin is SampleOrigin.GERMLINE:
        return "germline"
    return "plasma" if report.specimen_type.value == "plasma" else "tissue"


def _matching(
    findings: tuple[Finding, ...], index: int, report: GenomicReport, label: str
) -> list[Finding]:
    where = f"genomic_reports.{index} ({report.id})"
    return [
        f
        for f in findings
        if f.source is not None
        and where in f.source
        and (label in f.biomarker or label in f.matched)
    ]


def _unique_evidence(findings: list[Finding]) -> tuple[Evidence, ...]:
    seen: dict[tuple[str, str], Evidence] = {}
    for finding in findings:
        for item in finding.evidence:
            seen.setdefault((item.source.value, item.id), item)
    return tuple(seen.values())


def _alteration_rows(case: Case, annotation: SampleAnnotation) -> list[AlterationRow]:
    rows: list[AlterationRow] = []
    for index, report in sorted(enumerate(case.genomic_reports), key=lambda p: p[1].date):
        items: list[tuple[str, str, float | None]] = []
        for variant in report.variants:
            change = variant.hgvs_p or variant.hgvs_c or f"{variant.chromosome}:{variant.position}"
            items.append((variant.gene, change, variant.vaf))
        items += [(c.gene, c.type.value.replace("_", " "), None) for c in report.copy_number]
        items += [(f.gene_5p, f"{f.gene_5p}::{f.gene_3p} fusion", None) for f in report.fusions]
        for gene, change, vaf in items:
            short = change.removeprefix("p.")
            label = change if change.endswith("fusion") else f"{gene} {short}"
            found = _matching(annotation.findings, index, report, label)
            levels = tuple(
                dict.fromkeys(
                    f"{f.level}" + (f" / ESCAT {f.escat}" if f.escat else "")
                    for f in found
                    if f.level
                )
            )
            rows.append(
                AlterationRow(
                    specimen=_specimen(report),
                    report_id=report.id,
                    assay=report.assay,
                    date=report.date,
                    gene=gene,
                    alteration=change,
                    vaf=vaf,
                    kinds=tuple(dict.fromkeys(f.kind.value for f in found)),
                    levels=levels,
                    therapies=tuple(
                        dict.fromkeys(
                            f.regimen or " + ".join(f.therapy)
                            for f in found
                            if f.kind is FindingKind.ACTIONABLE and (f.regimen or f.therapy)
                        )
                    ),
                    evidence=_unique_evidence(found),
                )
            )
    return rows


def _therapies(case: Case) -> list[TherapySpan]:
    return [
        TherapySpan(
            label=" + ".join(a.name for a in line.agents),
            start=line.start_date,
            stop=line.stop_date,
            setting=line.setting.value,
            line=line.line,
        )
        for line in sorted(case.treatments, key=lambda t: t.start_date)
        if line.setting is not Setting.SUPPORTIVE
    ]


def build_board(case: Case, *, as_of: dt.date | None = None) -> TumorBoard:
    """Gather everything the tumor-board report shows for ``case``.

    Parameters
    ----------
    case
        A validated case.
    as_of
        Restrict the case to what was known on this date
        (:func:`oncoboard.derive.as_of.case_as_of`); default: the case's own ``as_of`` or
        today.

    Returns
    -------
    TumorBoard
        The frozen view model; pure (no I/O).
    """
    seen = case_as_of(case, as_of) if as_of is not None else case
    summary = summarize(seen)
    annotation = annotate_case(seen)
    plan: TreatmentPlan | None
    plan_error: str | None = None
    try:
        plan = (
            plan_case(case, as_of=as_of)
            if as_of is not None
            else plan_case(seen, annotation=annotation)
        )
    except OncoboardError as exc:
        plan, plan_error = None, str(exc)
    monitoring = monitor_case(seen)
    date = as_of or seen.as_of or (plan.as_of if plan else dt.date.today())
    versions = dict(plan.knowledge_versions) if plan else {}
    return TumorBoard(
        case=seen,
        as_of=date,
        summary=summary,
        annotation=annotation,
        plan=plan,
        plan_error=plan_error,
        monitoring=monitoring,
        biomarkers=tuple(_receptor_rows(seen, summary) + _other_rows(seen)),
        alterations=tuple(_alteration_rows(seen, annotation)),
        ctdna=tuple(ctdna_series(seen)),
        therapies=tuple(_therapies(seen)),
        knowledge_versions=versions,
    )
