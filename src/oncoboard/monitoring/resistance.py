"""Emergent resistance: an alteration absent at the start of the current line that appears in
plasma later, read against the drug classes of that line.

"Absent at the start" needs a baseline that assessed the gene: a variant first seen on
treatment when no baseline draw covered its gene is reported as *newly detected, baseline
unknown*, never as emergent (unknown is not negative).

References
----------
Oncoboard MBC fact sheet section 2 (resistance markers) and section 5 (PADA-1, NCT03079011;
SERENA-6, NCT04964934): ESR1 ligand-binding-domain mutations under aromatase inhibitors;
MAPK-pathway alterations under endocrine therapy (Razavi Cancer Cell 2018); RB1 loss under
CDK4/6 inhibitors (O'Leary Cancer Discov 2018); PTEN loss under alpelisib (Juric Nature 2015);
SLX4 under T-DXd (DAISY); TACSTD2/TOP1 under TROP2 ADCs (Coates Cancer Discov 2021); BRCA1/2
reversions under PARP inhibitors and platinum.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

from oncoboard.knowledge import drug_vocabulary
from oncoboard.model import Case, Evidence, EvidenceSource, LiquidBiopsy, Setting, TreatmentLine
from oncoboard.model._base import CaseModel

__all__ = ["EmergenceStatus", "EmergentAlteration", "emergent_alterations"]


class EmergenceStatus(StrEnum):
    """How sure the planner can be that the alteration is new on this line."""

    EMERGENT = "emergent"  # assessed and absent at baseline, detected on treatment
    NEW_BASELINE_UNKNOWN = "newly_detected_baseline_unknown"


class EmergentAlteration(CaseModel):
    """A plasma alteration that appeared on the current line."""

    gene: str
    change: str
    first_detected: dt.date
    vaf: float
    status: EmergenceStatus
    line_start: dt.date
    line_agents: tuple[str, ...]
    resistance_to: str | None
    detail: str
    rule: str
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True, slots=True)
class _Rule:
    genes: frozenset[str]
    classes: frozenset[str]  # the line must contain one of these classes
    resistance_to: str
    source: Evidence
    codons: tuple[int, int] | None = None


def _pub(ident: str, title: str, verified: bool = False) -> Evidence:
    return Evidence(source=EvidenceSource.PUBLICATION, id=ident, title=title, verified=verified)


_PADA1 = Evidence(
    source=EvidenceSource.TRIAL,
    id="NCT03079011",
    title="PADA-1: rising ESR1 mutation in ctDNA on AI + palbociclib; switch to fulvestrant + "
    "palbociclib doubled PFS (11.9 vs 5.7 months)",
    verified=True,
)
_RULES = (
    _Rule(
        frozenset({"ESR1"}),
        frozenset({"aromatase_inhibitor"}),
        "aromatase inhibitor (oestrogen deprivation); SERD/PROTAC sensitivity kept",
        _PADA1,
        codons=(300, 555),  # ligand-binding domain (E380Q ... Y537, D538)
    ),
    _Rule(
        frozenset({"KRAS", "NRAS", "HRAS", "NF1", "ERBB2", "EGFR", "BRAF", "MAP2K1"}),
        frozenset({"endocrine_therapy"}),
        "endocrine therapy (MAPK pathway)",
        _pub("PMID:30205045", "Razavi P et al. Cancer Cell 2018"),
    ),
    _Rule(
        frozenset({"RB1"}),
        frozenset({"cdk46_inhibitor"}),
        "CDK4/6 inhibitor",
        _pub("O'Leary B et al. Cancer Discov 2018", "Acquired RB1 mutations on palbociclib", True),
    ),
    _Rule(
        frozenset({"PTEN"}),
        frozenset({"pi3k_inhibitor"}),
        "PI3Kα inhibitor",
        _pub("Juric D et al. Nature 2015", "PTEN loss and resistance to PI3Kα inhibition", True),
    ),
    _Rule(
        frozenset({"SLX4"}),
        frozenset({"anti_her2_adc"}),
        "trastuzumab deruxtecan",
        _pub("Mosele F et al. Nat Med 2023 (DAISY)", "SLX4 mutations at T-DXd resistance", True),
    ),
    _Rule(
        frozenset({"TACSTD2", "TOP1"}),
        frozenset({"trop2_adc"}),
        "TROP2 antibody-drug conjugate",
        _pub("Coates JT et al. Cancer Discov 2021", "TACSTD2/TOP1 mutations on SG", True),
    ),
    _Rule(
        frozenset({"BRCA1", "BRCA2"}),
        frozenset({"parp_inhibitor", "platinum"}),
        "PARP inhibitor / platinum (possible reversion; confirm it restores the reading frame)",
        _pub("Weigelt B et al. Clin Cancer Res 2017", "BRCA reversion mutations in ctDNA"),
    ),
    _Rule(
        frozenset({"PIK3CA", "AKT1"}),
        frozenset({"endocrine_therapy"}),
        "endocrine therapy (PI3K/AKT pathway; targetable: capivasertib, alpelisib)",
        _pub("ASCO HR+/HER2- rapid update 2024", "Re-test PIK3CA/AKT1/PTEN at progression", True),
    ),
)
_CODON = re.compile(r"p\.[A-Z][a-z]{0,2}(\d+)")


def _change(gene_change: tuple[str | None, str | None]) -> str:
    protein, coding = gene_change
    return protein or coding or "?"


def _classes(line: TreatmentLine) -> set[str]:
    vocabulary = drug_vocabulary()
    return {c for a in line.agents if (d := vocabulary.lookup(a.name)) for c in d.classes}


def _assessed_at_baseline(baseline: list[LiquidBiopsy], gene: str) -> bool:
    return any(d.genes_tested is not None and gene in d.genes_tested for d in baseline)


def emergent_alterations(case: Case) -> list[EmergentAlteration]:
    """Plasma alterations first detected on a metastatic line (between its start and the start
    of the next line), for every line, oldest first."""
    lines = sorted(
        (t for t in case.treatments if t.setting is Setting.METASTATIC), key=lambda t: t.start_date
    )
    draws = sorted(case.liquid_biopsies, key=lambda d: d.date)
    found: dict[tuple[str, str], EmergentAlteration] = {}
    for index, line in enumerate(lines):
        until = lines[index + 1].start_date if index + 1 < len(lines) else None
        baseline = [d for d in draws if d.date <= line.start_date]
        seen = {
            (v.gene, _change((v.hgvs_p, v.hgvs_c)))
            for d in baseline
            for v in d.variants
            if v.alt_reads > 0
        }
        seen |= {
            (v.gene, _change((v.hgvs_p, v.hgvs_c)))
            for r in case.genomic_reports
            if r.date <= line.start_date
            for v in r.variants
        }
        classes = _classes(line)
        agents = tuple(a.name for a in line.agents)
        on_line = [
            d for d in draws if d.date > line.start_date and (until is None or d.date <= until)
        ]
        for draw in on_line:
            for variant in draw.variants:
                key = (variant.gene, _change((variant.hgvs_p, variant.hgvs_c)))
                if variant.alt_reads == 0 or key in seen or key in found:
                    continue
                found[key] = _describe(
                    variant.gene,
                    key[1],
                    draw,
                    variant.alt_reads / variant.depth,
                    line,
                    agents,
                    classes,
                    baseline,
                )
    return list(found.values())


def _describe(
    gene: str,
    change: str,
    draw: LiquidBiopsy,
    vaf: float,
    line: TreatmentLine,
    agents: tuple[str, ...],
    classes: set[str],
    baseline: list[LiquidBiopsy],
) -> EmergentAlteration:
    assessed = _assessed_at_baseline(baseline, gene)
    status = EmergenceStatus.EMERGENT if assessed else EmergenceStatus.NEW_BASELINE_UNKNOWN
    rule = next((r for r in _RULES if gene in r.genes and r.classes & classes), None)
    if rule is not None and rule.codons is not None:
        match = _CODON.match(change)
        if match is None or not rule.codons[0] <= int(match.group(1)) <= rule.codons[1]:
            rule = None
    on = " + ".join(agents)
    if assessed:
        detail = f"{gene} {change} absent at baseline, detected {draw.date.isoformat()} on {on}"
    elif baseline:
        detail = (
            f"{gene} {change} first detected {draw.date.isoformat()} on {on}; the baseline "
            "draw did not report whether it assessed this gene"
        )
    else:
        detail = f"{gene} {change} detected {draw.date.isoformat()} on {on}; no baseline draw"
    return EmergentAlteration(
        gene=gene,
        change=change,
        first_detected=draw.date,
        vaf=vaf,
        status=status,
        line_start=line.start_date,
        line_agents=agents,
        resistance_to=rule.resistance_to if rule else None,
        detail=detail + (f"; known resistance to {rule.resistance_to}" if rule else ""),
        rule="absent (assessed) at the start of the line, detected later"
        + (f"; {gene} under {', '.join(sorted(rule.classes & classes))}" if rule else ""),
        evidence=(rule.source,)
        if rule
        else (_pub("Oncoboard MBC fact sheet §2", "Resistance markers"),),
    )
