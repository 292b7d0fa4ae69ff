"""Match a biomarker profile against the knowledge base: cited findings with specificity,
level, tier and context checks.

Unknown is never negative: a criterion on an untested biomarker does not match, and a context
requirement that cannot be checked is reported as ``unknown``, not as met.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

from oncoboard.genomics.alteration import Alteration, AlterationKind
from oncoboard.genomics.findings import (
    ContextCheck,
    ContextStatus,
    Finding,
    FindingKind,
    Specificity,
)
from oncoboard.genomics.profile import BiomarkerProfile, CaseContext
from oncoboard.knowledge.therapies import (
    Context,
    Criterion,
    EntryKind,
    GeneCriterion,
    HER2Criterion,
    KnowledgeBase,
    KnowledgeEntry,
    MSICriterion,
    MutationCriterion,
    PDL1Criterion,
    TMBCriterion,
)
from oncoboard.model import Evidence, EvidenceSource, GermlineClassification, SampleOrigin

__all__ = [
    "AlterationHit",
    "OncogenicityCallLike",
    "OncogenicityFn",
    "alteration_hits",
    "entry_context",
    "entry_evidence",
    "match_entry",
    "match_profile",
    "profile_level",
]

_LEVEL_ORDER = {"1": 0, "2": 1, "3A": 2, "3B": 3, "4": 4, "R1": 5, "R2": 6, None: 7}
_ONCOGENIC = frozenset({"oncogenic", "likely_oncogenic"})
_PATHOGENIC = frozenset(
    {GermlineClassification.PATHOGENIC, GermlineClassification.LIKELY_PATHOGENIC}
)


class OncogenicityCallLike(Protocol):
    """What matching needs from an oncogenicity call."""

    @property
    def label(self) -> str: ...

    @property
    def reason(self) -> str: ...

    @property
    def evidence(self) -> tuple[Evidence, ...]: ...


OncogenicityFn = Callable[[Alteration], OncogenicityCallLike]


@dataclass(frozen=True, slots=True)
class _Hit:
    biomarker: str
    specificity: Specificity
    alteration: Alteration | None = None
    source: str | None = None  # for biomarkers that are not alterations (TMB, MSI)


def _is_oncogenic(alteration: Alteration, oncogenicity: OncogenicityFn) -> bool:
    return oncogenicity(alteration).label in _ONCOGENIC


def _mutation_hits(
    criterion: MutationCriterion, profile: BiomarkerProfile, oncogenicity: OncogenicityFn
) -> Iterator[_Hit]:
    for alt in profile.alterations:
        if alt.gene != criterion.gene or alt.kind is not AlterationKind.MUTATION:
            continue
        if criterion.origin != "any" and (
            alt.origin is None or alt.origin.value != criterion.origin
        ):
            continue
        specificity = {
            "variants": Specificity.EXACT_VARIANT
            if alt.protein_change in criterion.variants
            else None,
            "codons": Specificity.CODON if alt.codon in criterion.codons else None,
            "exons": Specificity.EXON if alt.exon in criterion.exons else None,
            "oncogenic": Specificity.GENE_ONCOGENIC if _is_oncogenic(alt, oncogenicity) else None,
            "truncating": Specificity.GENE_TRUNCATING if alt.consequence.truncating else None,
            "any": Specificity.GENE_ANY,
        }[criterion.match]
        if specificity is not None:
            yield _Hit(alt.label, specificity, alt)


def _gene_hits(
    criterion: GeneCriterion, profile: BiomarkerProfile, oncogenicity: OncogenicityFn
) -> Iterator[_Hit]:
    gene = criterion.gene
    in_gene = [a for a in profile.alterations if a.gene == gene or a.partner == gene]
    if criterion.type == "reversion":
        yield from _reversion_hits(in_gene)
        return
    if criterion.type == "wild_type":
        oncogenic = [a for a in in_gene if _is_oncogenic(a, oncogenicity)]
        if profile.gene_tested(gene) and not oncogenic:
            yield _Hit(f"{gene} wild-type (tested)", Specificity.TESTED_WILD_TYPE)
        return
    for alt in in_gene:
        if _gene_event(criterion.type, gene, alt, oncogenicity):
            yield _Hit(alt.label, Specificity.GENE_LEVEL, alt)


REVERSION_WINDOW_CODONS = 50


def _reversion_hits(in_gene: list[Alteration]) -> Iterator[_Hit]:
    """Possible reversions: a somatic indel or substitution within
    :data:`REVERSION_WINDOW_CODONS` codons of a germline truncating variant of the same gene
    (reversions restore the reading frame close to the original mutation; Weigelt et al.
    Clin Cancer Res 2017). A possibility to confirm, never a certainty."""
    germline = [
        a
        for a in in_gene
        if a.origin is SampleOrigin.GERMLINE
        and a.kind is AlterationKind.MUTATION
        and a.consequence.truncating
        and a.codon is not None
    ]
    for first in germline:
        for second in in_gene:
            if (
                second.origin is not SampleOrigin.GERMLINE
                and second.kind is AlterationKind.MUTATION
                and second.codon is not None
                and second.protein_change != first.protein_change
                and abs(second.codon - (first.codon or 0)) <= REVERSION_WINDOW_CODONS
            ):
                label = (
                    f"{second.gene} {second.protein_change or second.hgvs_c} (possible "
                    f"reversion of germline {first.protein_change or first.hgvs_c})"
                )
                yield _Hit(label, Specificity.GENE_LEVEL, second)


def _gene_event(kind: str, gene: str, alt: Alteration, oncogenicity: OncogenicityFn) -> bool:
    if kind == "amplification":
        return alt.kind is AlterationKind.AMPLIFICATION
    if kind == "deletion":
        return alt.kind is AlterationKind.DEEP_DELETION
    if kind == "fusion":  # the gene must be the 3' partner: the kinase domain is retained
        return alt.kind is AlterationKind.FUSION and alt.partner == gene
    if kind == "germline":
        return (
            alt.origin is SampleOrigin.GERMLINE
            and alt.kind is AlterationKind.MUTATION
            and (
                alt.germline_classification in _PATHOGENIC
                or (alt.germline_classification is None and _is_oncogenic(alt, oncogenicity))
            )
        )
    # loss_of_function: deep deletion, or a somatic/germline mutation called (likely) oncogenic
    return alt.kind is AlterationKind.DEEP_DELETION or (
        alt.kind is AlterationKind.MUTATION and _is_oncogenic(alt, oncogenicity)
    )


@dataclass(frozen=True, slots=True)
class AlterationHit:
    """One criterion of an entry matched by one alteration on its own (see
    :func:`alteration_hits`)."""

    criterion: int  # index in entry.biomarker.any
    specificity: Specificity
    biomarker: str


def profile_level(criterion: Criterion) -> bool:
    """True for criteria that need more than one alteration to decide: IHC/PD-L1/TMB/MSI,
    wild type (gene coverage) and reversion (a germline and a somatic variant)."""
    if isinstance(criterion, MutationCriterion):
        return False
    if isinstance(criterion, GeneCriterion):
        return criterion.type in ("wild_type", "reversion")
    return True


def alteration_hits(
    entry: KnowledgeEntry, alteration: Alteration, oncogenicity: OncogenicityFn
) -> list[AlterationHit]:
    """The hits of ``alteration`` alone on the entry's per-alteration criteria.

    Exactly the hits :func:`match_entry` collects for this alteration, for every criterion
    where :func:`profile_level` is False; lets cohort engines evaluate each distinct
    alteration once and join the result to every patient who carries it.
    """
    profile = BiomarkerProfile(alterations=(alteration,))
    hits = []
    for index, criterion in enumerate(entry.biomarker.any):
        if profile_level(criterion):
            continue
        for hit in _hits(criterion, profile, oncogenicity):
            hits.append(AlterationHit(index, hit.specificity, hit.biomarker))
    return hits


def _biomarker_hits(
    criterion: HER2Criterion | PDL1Criterion | TMBCriterion | MSICriterion,
    profile: BiomarkerProfile,
) -> Iterator[_Hit]:
    if isinstance(criterion, HER2Criterion):
        if profile.her2 is not None and profile.her2.value in criterion.categories:
            yield _Hit(
                f"HER2 {profile.her2.value}", Specificity.BIOMARKER, source=profile.her2_source
            )
    elif isinstance(criterion, PDL1Criterion):
        for result in profile.pdl1:
            if (
                result.assay.value == criterion.assay
                and result.scoring.value == criterion.scoring
                and result.value >= criterion.min
            ):
                label = f"PD-L1 {result.assay.value} {result.scoring.value} {result.value:g}"
                yield _Hit(
                    label,
                    Specificity.BIOMARKER,
                    source=f"biomarkers: PD-L1 of {result.date.isoformat()}",
                )
    elif isinstance(criterion, TMBCriterion):
        if profile.tmb is not None and profile.tmb >= criterion.min:
            yield _Hit(
                f"TMB {profile.tmb:g} mut/Mb", Specificity.BIOMARKER, source=profile.tmb_source
            )
    elif profile.msi is not None and profile.msi.value == criterion.status:
        yield _Hit(f"MSI {profile.msi.value}", Specificity.BIOMARKER, source=profile.msi_source)


def _hits(
    criterion: Criterion, profile: BiomarkerProfile, oncogenicity: OncogenicityFn
) -> Iterator[_Hit]:
    if isinstance(criterion, MutationCriterion):
        return _mutation_hits(criterion, profile, oncogenicity)
    if isinstance(criterion, GeneCriterion):
        return _gene_hits(criterion, profile, oncogenicity)
    return _biomarker_hits(criterion, profile)


def _context_checks(
    context: Context, profile: BiomarkerProfile, alteration: Alteration | None
) -> tuple[ContextCheck, ...]:
    checks: list[ContextCheck] = []
    case = profile.context

    def add(requirement: str, status: ContextStatus, detail: str) -> None:
        checks.append(ContextCheck(requirement=requirement, status=status, detail=detail))

    if context.subtypes:
        need = f"subtype {' or '.join(context.subtypes)}"
        if case is None or case.subtype is None:
            add(need, ContextStatus.UNKNOWN, "subtype undetermined")
        else:
            status = (
                ContextStatus.MET if case.subtype in context.subtypes else ContextStatus.NOT_MET
            )
            add(need, status, f"subtype is {case.subtype}")
    if context.her2:
        need = f"HER2 {' or '.join(context.her2)}"
        her2 = profile.her2
        if her2 is None or her2.value in ("not_tested", "equivocal"):
            detail = "HER2 equivocal (ISH pending)" if her2 else "HER2 not tested"
            add(need, ContextStatus.UNKNOWN, detail)
        else:
            status = ContextStatus.MET if her2.value in context.her2 else ContextStatus.NOT_MET
            add(need, status, f"HER2 is {her2.value}")
    _therapy_checks(context, case, add)
    if context.specimens and alteration is not None:
        need = f"specimen {' or '.join(context.specimens)}"
        if alteration.specimen is None:
            add(need, ContextStatus.UNKNOWN, "specimen type not given")
        else:
            found = alteration.specimen.value
            if found in context.specimens:
                add(need, ContextStatus.MET, f"found in {found}")
            else:  # a positive result on another specimen is not a negative one: confirm it
                add(
                    need,
                    ContextStatus.UNKNOWN,
                    f"found in {found}; the evidence (companion diagnostic) used "
                    f"{' or '.join(context.specimens)}: confirm with an approved assay",
                )
    return tuple(checks)


def _therapy_checks(
    context: Context, case: CaseContext | None, add: Callable[[str, ContextStatus, str], None]
) -> None:
    unknown = "treatment history not available"
    if case is not None and not case.history_known:
        case = None
    if context.prior_classes_any:
        need = f"prior {' or '.join(context.prior_classes_any)}"
        if case is None:
            add(need, ContextStatus.UNKNOWN, unknown)
        else:
            seen = [c for c in context.prior_classes_any if c in case.prior_classes]
            agents = sorted({a for c in seen for a in case.prior_agents_by_class.get(c, ())})
            add(
                need,
                ContextStatus.MET if seen else ContextStatus.NOT_MET,
                f"received {', '.join(agents)}" if agents else "none recorded",
            )
    if context.no_prior_classes:
        need = f"no prior {' or '.join(context.no_prior_classes)}"
        if case is None:
            add(need, ContextStatus.UNKNOWN, unknown)
        else:
            seen = [c for c in context.no_prior_classes if c in case.prior_classes]
            add(
                need,
                ContextStatus.NOT_MET if seen else ContextStatus.MET,
                f"received {', '.join(seen)}" if seen else "none recorded",
            )
    if context.no_prior_metastatic_classes:
        need = f"no prior {' or '.join(context.no_prior_metastatic_classes)} for metastatic disease"
        if case is None:
            add(need, ContextStatus.UNKNOWN, unknown)
        else:
            seen = [c for c in context.no_prior_metastatic_classes if c in case.metastatic_classes]
            add(
                need,
                ContextStatus.NOT_MET if seen else ContextStatus.MET,
                f"received {', '.join(seen)} for metastatic disease" if seen else "none recorded",
            )
    if context.current_classes_all:
        need = f"currently on {' + '.join(context.current_classes_all)}"
        if case is None:
            add(need, ContextStatus.UNKNOWN, unknown)
        else:
            ok = set(context.current_classes_all) <= case.current_classes
            add(
                need,
                ContextStatus.MET if ok else ContextStatus.NOT_MET,
                "on it" if ok else "not on this combination",
            )
    if context.min_line is not None or context.max_line is not None:
        low, high = context.min_line or 1, context.max_line
        need = (
            f"metastatic line >= {low}"
            if high is None
            else f"metastatic line {low}"
            if high == low
            else f"metastatic line {low}-{high}"
        )
        if case is None or case.line is None:
            add(need, ContextStatus.UNKNOWN, "line of therapy not available")
        else:
            ok = low <= case.line and (high is None or case.line <= high)
            add(
                need,
                ContextStatus.MET if ok else ContextStatus.NOT_MET,
                f"current or next line is {case.line}",
            )


def _context_met(checks: tuple[ContextCheck, ...]) -> bool | None:
    statuses = {c.status for c in checks}
    if ContextStatus.NOT_MET in statuses:
        return False
    if ContextStatus.UNKNOWN in statuses:
        return None
    return True


def entry_context(
    entry: KnowledgeEntry, profile: BiomarkerProfile, alteration: Alteration | None
) -> tuple[tuple[ContextCheck, ...], bool | None]:
    """The context checks of ``entry`` for this profile (the specimen is that of
    ``alteration``, the finding's most specific hit) and whether they are met (``None``:
    some cannot be decided)."""
    checks = _context_checks(entry.context, profile, alteration)
    return checks, _context_met(checks)


def entry_evidence(entry: KnowledgeEntry, kb: KnowledgeBase) -> tuple[Evidence, ...]:
    """The evidence list of an entry: FDA status, pivotal trial, references, knowledge base."""
    evidence = []
    agents = " + ".join(entry.therapy.agents) if entry.therapy else ""
    if entry.fda is not None:
        status = entry.fda.status.replace("_", " ")
        label = f"FDA {entry.fda.date or ''} {agents} ({status})".replace("  ", " ")
        evidence.append(
            Evidence(
                source=EvidenceSource.FDA_LABEL,
                id=label.strip(),
                title=entry.fda.note or f"FDA status in breast cancer: {status}",
                level=entry.level,
                verified=entry.fda.verified,
            )
        )
    if entry.trial is not None:
        evidence.append(
            Evidence(
                source=EvidenceSource.TRIAL,
                id=entry.trial.nct or entry.trial.name,
                title=entry.trial.name,
                level=entry.level,
                verified=entry.trial.verified,
            )
        )
    evidence += [
        Evidence(
            source=EvidenceSource.PUBLICATION,
            id=ref.id,
            title=ref.title,
            level=entry.escat and f"ESCAT {entry.escat}",
            verified=ref.verified,
        )
        for ref in entry.references
    ]
    evidence.append(
        Evidence(
            source=EvidenceSource.CONSENSUS,
            id=f"{kb.label}#{entry.id}",
            title="Oncoboard knowledge-base entry",
            level=entry.level,
        )
    )
    return tuple(evidence)


_KIND = {
    EntryKind.PREDICTIVE: FindingKind.ACTIONABLE,
    EntryKind.RESISTANCE: FindingKind.RESISTANCE,
    EntryKind.PROGNOSTIC: FindingKind.PROGNOSTIC,
}


def _hit_sources(hits: list[_Hit]) -> Iterator[str]:
    for hit in hits:
        source = hit.alteration.source if hit.alteration else hit.source
        if source:
            yield source


def match_entry(
    entry: KnowledgeEntry,
    profile: BiomarkerProfile,
    kb: KnowledgeBase,
    oncogenicity: OncogenicityFn,
) -> list[Finding]:
    """The finding of one entry for this profile (empty if nothing matches).

    All matching biomarkers (e.g. two ESR1 mutations, or HER2 IHC 3+ and ERBB2 amplification)
    form one finding, most specific first; context is checked against the most specific one.
    """
    order = list(Specificity)
    best: dict[str, _Hit] = {}
    for criterion in entry.biomarker.any:
        for hit in _hits(criterion, profile, oncogenicity):
            known = best.get(hit.biomarker)
            if known is None or order.index(hit.specificity) < order.index(known.specificity):
                best[hit.biomarker] = hit
    if not best:
        return []
    hits = sorted(best.values(), key=lambda h: (order.index(h.specificity), h.biomarker))
    top = hits[0]
    checks = _context_checks(entry.context, profile, top.alteration)
    call = oncogenicity(top.alteration) if top.alteration is not None else None
    return [
        Finding(
            kind=_KIND[entry.kind],
            biomarker=", ".join(h.biomarker for h in hits),
            matched=tuple(h.biomarker for h in hits),
            gene=top.alteration.gene if top.alteration else None,
            entry_id=entry.id,
            rule=f"knowledge base entry {entry.id} ({kb.version})",
            specificity=top.specificity,
            therapy=entry.therapy.agents if entry.therapy else (),
            regimen=entry.therapy.regimen if entry.therapy else None,
            level=entry.level,
            escat=entry.escat,
            oncogenicity=call.label if call else None,
            oncogenicity_reason=call.reason if call else None,
            benefit=entry.benefit.text if entry.benefit else None,
            context=checks,
            context_met=_context_met(checks),
            note=entry.context.note,
            source="; ".join(dict.fromkeys(_hit_sources(hits))) or None,
            evidence=entry_evidence(entry, kb),
        )
    ]


def match_profile(
    profile: BiomarkerProfile, kb: KnowledgeBase, oncogenicity: OncogenicityFn
) -> list[Finding]:
    """All knowledge-base findings, then oncogenic alterations without an entry
    (``not_actionable``) and VUS, each with its oncogenicity reason."""
    findings = [f for entry in kb.entries for f in match_entry(entry, profile, kb, oncogenicity)]
    explained = {label for f in findings for label in f.matched}
    for alt in profile.alterations:
        if alt.label in explained:
            continue
        explained.add(alt.label)
        call = oncogenicity(alt)
        kind = FindingKind.NOT_ACTIONABLE if call.label in _ONCOGENIC else FindingKind.VUS
        if call.label == "likely_neutral":
            continue
        findings.append(
            Finding(
                kind=kind,
                biomarker=alt.label,
                gene=alt.gene,
                rule=f"oncogenicity: {call.reason}",
                oncogenicity=call.label,
                oncogenicity_reason=call.reason,
                source=alt.source,
                evidence=call.evidence,
            )
        )
    kind_order = list(FindingKind)
    return sorted(
        findings,
        key=lambda f: (
            kind_order.index(f.kind),
            _LEVEL_ORDER.get(f.level, 7),
            f.biomarker,
            f.entry_id or "",
        ),
    )
