"""Annotation pipelines: a case, or calls read from lab files, to a :class:`SampleAnnotation`.

Presentation (CLI, reports) calls these and never re-derives clinical logic.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from oncoboard.derive import (
    HER2Category,
    clinical_subtype,
    current_line,
    her2_status,
    prior_exposures,
)
from oncoboard.genomics.alteration import Alteration
from oncoboard.genomics.matching import match_profile
from oncoboard.genomics.normalize import (
    from_case_copy_number,
    from_case_fusion,
    from_case_variant,
    from_copy_number_call,
    from_fusion_call,
    normalize_calls,
)
from oncoboard.genomics.oncogenicity import call_oncogenicity
from oncoboard.genomics.profile import BiomarkerProfile, CaseContext
from oncoboard.genomics.report import SampleAnnotation
from oncoboard.genomics.testing_gaps import testing_gaps
from oncoboard.genomics.tmb import tumor_mutational_burden
from oncoboard.io.genomic_records import CopyNumberCall, FusionCall, VariantCall
from oncoboard.knowledge.drugs import drug_vocabulary
from oncoboard.knowledge.therapies import KnowledgeBase, knowledge_base
from oncoboard.model import Case, PDL1Result, SampleOrigin, Setting, SpecimenType

__all__ = ["annotate_calls", "annotate_case", "case_context", "case_profile"]


def case_context(case: Case) -> CaseContext:
    """Subtype, HER2, line and drug-class exposure of ``case`` for context checks."""
    subtype = clinical_subtype(case)
    exposures = prior_exposures(case)
    line = current_line(case)
    vocabulary = drug_vocabulary()
    current: set[str] = set()
    if line.ongoing is not None:
        for agent in line.ongoing.agents:
            drug = vocabulary.lookup(agent.name)
            current |= set(drug.classes) if drug else set()
    return CaseContext(
        subtype=None if subtype.subtype.value == "undetermined" else subtype.subtype.value,
        her2=subtype.her2.category,
        line=line.number,
        prior_classes=frozenset(exposures),
        current_classes=frozenset(current),
        prior_agents_by_class={
            k: tuple(dict.fromkeys(e.agent for e in v)) for k, v in exposures.items()
        },
        metastatic_classes=frozenset(
            k for k, v in exposures.items() if any(e.setting is Setting.METASTATIC for e in v)
        ),
    )


def case_profile(case: Case, *, name: str = "case") -> BiomarkerProfile:
    """The biomarker profile of a case: all genomic reports, HER2, PD-L1, TMB and MSI.

    TMB and MSI come from the most recent report that gives them; sources name the report by
    its position in the case file (``genomic_reports.N``).
    """
    alterations: list[Alteration] = []
    tested: set[str] = set()
    tmb = msi = None
    tmb_source = msi_source = None
    in_date_order = sorted(enumerate(case.genomic_reports), key=lambda pair: pair[1].date)
    for index, report in in_date_order:
        where = f"{name}: genomic_reports.{index} ({report.id})"
        alterations += [from_case_variant(v, report, source=where) for v in report.variants]
        alterations += [from_case_copy_number(c, report, source=where) for c in report.copy_number]
        alterations += [from_case_fusion(f, report, source=where) for f in report.fusions]
        tested |= set(report.genes_tested or ())
        if report.tmb is not None:
            tmb, tmb_source = report.tmb.value, where
        if report.msi is not None:
            msi, msi_source = report.msi.status, where
    her2_result = her2_status(case)
    her2 = her2_result.category
    her2_source = None
    if her2_result.date is not None:
        tests = " + ".join(
            filter(
                None,
                (
                    f"IHC {her2_result.ihc_score.value}" if her2_result.ihc_score else None,
                    f"ISH {her2_result.ish_result.value}" if her2_result.ish_result else None,
                ),
            )
        )
        her2_source = f"{name}: receptors (HER2 {tests}, {her2_result.date.isoformat()})"
    return BiomarkerProfile(
        alterations=_germline_echoes_marked(alterations),
        tested_genes=frozenset(tested) if tested else None,
        her2=None if her2 is HER2Category.NOT_TESTED else her2,
        her2_source=her2_source,
        pdl1=tuple(b for b in case.biomarkers if isinstance(b, PDL1Result)),
        tmb=tmb,
        tmb_source=tmb_source,
        msi=msi,
        msi_source=msi_source,
        context=case_context(case),
    )


def _germline_echoes_marked(alterations: list[Alteration]) -> tuple[Alteration, ...]:
    """A tumour panel also reports the patient's germline variants: when a tumour report
    repeats a known germline variant (same gene and change), it is the germline variant, not
    a somatic one (so somatic-only entries do not fire twice)."""
    germline = {
        (a.gene, a.protein_change or a.hgvs_c): a
        for a in alterations
        if a.origin is SampleOrigin.GERMLINE
    }
    marked = []
    for alt in alterations:
        twin = germline.get((alt.gene, alt.protein_change or alt.hgvs_c))
        if alt.origin is SampleOrigin.SOMATIC and twin is not None:
            alt = alt.model_copy(
                update={
                    "origin": SampleOrigin.GERMLINE,
                    "germline_classification": twin.germline_classification,
                    "source": f"{alt.source} (germline variant, see {twin.source})",
                }
            )
        marked.append(alt)
    return tuple(marked)


def annotate_case(
    case: Case, *, name: str = "case", kb: KnowledgeBase | None = None
) -> SampleAnnotation:
    """Findings, testing gaps and notes for one case.

    TMB and MSI are taken from the lab reports and matched; HRD is reported as a note (no
    knowledge-base entry is selected by HRD alone).
    """
    knowledge = kb or knowledge_base()
    profile = case_profile(case, name=name)
    findings = match_profile(profile, knowledge, call_oncogenicity)
    notes = tuple(
        f"{name}: genomic_reports.{index} ({report.id}): HRD {report.hrd.status}"
        + (f", score {report.hrd.score:g}" if report.hrd.score is not None else "")
        + (f" ({report.hrd.method})" if report.hrd.method else "")
        for index, report in enumerate(case.genomic_reports)
        if report.hrd is not None
    )
    return SampleAnnotation(
        sample=case.patient.id,
        findings=tuple(findings),
        testing_suggestions=tuple(testing_gaps(case)),
        notes=notes,
    )


def annotate_calls(
    variants: Iterable[VariantCall] = (),
    copy_numbers: Iterable[CopyNumberCall] = (),
    fusions: Iterable[FusionCall] = (),
    *,
    specimen: SpecimenType | None = None,
    panel_size_mb: float | None = None,
    case: Case | None = None,
    context: CaseContext | None = None,
    kb: KnowledgeBase | None = None,
) -> list[SampleAnnotation]:
    """Annotate lab-file calls, one :class:`SampleAnnotation` per sample.

    With ``case``, the case's context (subtype, line, prior therapy) and IHC biomarkers are
    used for every sample; else ``context`` (e.g. only the subtype, from a cohort table) is
    used if given; without either, context checks are reported as unknown.
    """
    knowledge = kb or knowledge_base()
    by_sample: dict[str | None, list[VariantCall]] = defaultdict(list)
    for call in variants:
        by_sample[call.sample].append(call)
    cn_by_sample: dict[str | None, list[CopyNumberCall]] = defaultdict(list)
    for cn in copy_numbers:
        cn_by_sample[cn.sample].append(cn)
    fusion_by_sample: dict[str | None, list[FusionCall]] = defaultdict(list)
    for fusion in fusions:
        fusion_by_sample[fusion.sample].append(fusion)
    samples: Sequence[str | None] = sorted(
        set(by_sample) | set(cn_by_sample) | set(fusion_by_sample), key=lambda s: s or ""
    )
    base = case_profile(case) if case is not None else None
    results = []
    for sample in samples:
        normalized = normalize_calls(by_sample.get(sample, []), specimen=specimen)
        alterations = [
            *normalized.alterations,
            *(from_copy_number_call(c) for c in cn_by_sample.get(sample, [])),
            *(from_fusion_call(f) for f in fusion_by_sample.get(sample, [])),
        ]
        tmb = None
        if panel_size_mb is not None:
            tmb = tumor_mutational_burden(
                alterations, panel_size_mb, unannotated=len(normalized.needs_annotation)
            )
        profile = BiomarkerProfile(
            alterations=tuple(alterations),
            her2=base.her2 if base else None,
            her2_source=base.her2_source if base else None,
            pdl1=base.pdl1 if base else (),
            tmb=tmb.value if tmb else (base.tmb if base else None),
            tmb_source="computed from the calls (--panel-size)"
            if tmb
            else (base.tmb_source if base else None),
            msi=base.msi if base else None,
            msi_source=base.msi_source if base else None,
            context=base.context if base else context,
        )
        findings = match_profile(profile, knowledge, call_oncogenicity)
        needs = tuple(
            f"{c.source}: {c.chromosome}:{c.position} {c.ref}>{c.alt}"
            for c in normalized.needs_annotation
        )
        notes = (
            *(f"{c.source}: {reason}; not interpreted" for c, reason in normalized.unparsable),
            *(
                f"{where}: gene {gene!r} is not in the Oncoboard gene table (not an HGNC symbol "
                "or alias it knows); reported as VUS"
                for where, gene in normalized.unknown_genes
            ),
            *(f"{c.source}: FILTER {c.filter}; not interpreted" for c in normalized.filtered),
        )
        results.append(
            SampleAnnotation(
                sample=sample,
                findings=tuple(findings),
                needs_annotation=needs,
                testing_suggestions=tuple(testing_gaps(case)) if case is not None else (),
                tmb=tmb,
                notes=notes,
            )
        )
    return results
