"""Testing gaps: tests the case is missing (or should repeat), each with its guideline source.

Unknown is not negative: a biomarker that was never tested produces a suggestion here, never a
negative finding.
"""

from __future__ import annotations

import datetime as dt

from oncoboard.derive import HER2Category, Subtype, clinical_subtype, current_line, prior_exposures
from oncoboard.genomics.findings import TestingSuggestion
from oncoboard.model import (
    Case,
    Evidence,
    EvidenceSource,
    PDL1Result,
    SampleOrigin,
    SpecimenType,
)

__all__ = ["testing_gaps"]

_ASCO_ESR1_2023 = Evidence(
    source=EvidenceSource.GUIDELINE,
    id="J Clin Oncol 2023;41:3423",
    title="Burstein HJ et al. Testing for ESR1 mutations to guide therapy for HR+/HER2- "
    "metastatic breast cancer: ASCO guideline rapid recommendation update. J Clin Oncol "
    "2023;41:3423",
)
_ASCO_2024 = Evidence(
    source=EvidenceSource.GUIDELINE,
    id="ASCO HR+/HER2- MBC rapid update 2024-02-06",
    title="ASCO endocrine treatment and targeted therapy for HR+/HER2- metastatic breast cancer: "
    "capivasertib rapid update; routine ESR1, PIK3CA, AKT1 and PTEN testing",
)
_ALPELISIB_LABEL = Evidence(
    source=EvidenceSource.FDA_LABEL,
    id="Piqray (alpelisib) label, therascreen PIK3CA",
    title="PIK3CA testing on tissue or plasma; if plasma is negative, test tissue",
)
_GERMLINE = (
    Evidence(
        source=EvidenceSource.FDA_LABEL,
        id="NCT02000622",
        title="OlympiAD / olaparib label: germline BRCA1/2 (BRACAnalysis CDx)",
    ),
    Evidence(
        source=EvidenceSource.FDA_LABEL,
        id="NCT01945775",
        title="EMBRACA / talazoparib label: germline BRCA1/2 (BRACAnalysis CDx)",
    ),
    Evidence(
        source=EvidenceSource.GUIDELINE,
        id="ASCO germline testing guideline 2024",
        title="Germline testing in patients with breast cancer (ASCO 2024)",
        verified=False,
    ),
)
_PDL1 = Evidence(
    source=EvidenceSource.FDA_LABEL,
    id="FDA 2020-11-13 pembrolizumab TNBC",
    title="Pembrolizumab + chemotherapy for TNBC with PD-L1 CPS >= 10 by 22C3 "
    "pharmDx (KEYNOTE-355, NCT02819518)",
)
_HER2_RESCORE = Evidence(
    source=EvidenceSource.GUIDELINE,
    id="doi:10.1200/JCO.22.02864",
    title="Wolff AC et al. ASCO-CAP HER2 testing update 2023: distinguish "
    "IHC 0 from 1+ with best practice; score the most recent sample",
)
_HER2_ULTRALOW = Evidence(
    source=EvidenceSource.FDA_LABEL,
    id="FDA 2025-01-27 T-DXd HER2-low/ultralow (NCT04494425)",
    title="HER2-ultralow (IHC 0 with membrane staining) eligibility, PATHWAY HER2 (4B5)",
)


def _genes_tested(
    case: Case, *, origin: SampleOrigin | None = None, specimen: SpecimenType | None = None
) -> set[str]:
    genes: set[str] = set()
    for report in case.genomic_reports:
        if origin is not None and report.origin is not origin:
            continue
        if specimen is not None and report.specimen_type is not specimen:
            continue
        genes |= set(report.genes_tested or ())
        genes |= {v.gene for v in report.variants}
    return genes


def _plasma_esr1_after(case: Case, since: dt.date) -> bool:
    reports = [
        r
        for r in case.genomic_reports
        if r.specimen_type is SpecimenType.PLASMA
        and r.date >= since
        and "ESR1" in set(r.genes_tested or ()) | {v.gene for v in r.variants}
    ]
    draws = [
        lb
        for lb in case.liquid_biopsies
        if lb.date >= since and "ESR1" in set(lb.genes_tested or ()) | {v.gene for v in lb.variants}
    ]
    return bool(reports or draws)


def testing_gaps(case: Case) -> list[TestingSuggestion]:
    """Suggestions for tests the case is missing, in guideline order."""
    subtype = clinical_subtype(case)
    exposures = prior_exposures(case)
    suggestions: list[TestingSuggestion] = []
    hr_pos_her2_neg = subtype.subtype is Subtype.HR_POS_HER2_NEG

    germline = _genes_tested(case, origin=SampleOrigin.GERMLINE)
    missing_germline = [g for g in ("BRCA1", "BRCA2", "PALB2") if g not in germline]
    if missing_germline and subtype.her2.category is not HER2Category.POSITIVE:
        suggestions.append(
            TestingSuggestion(
                test=f"germline {', '.join(missing_germline)}",
                reason="no germline result for these genes; PARP inhibitors need germline BRCA1/2 "
                "(PALB2: lower-level evidence)",
                rule="germline BRCA1/2 and PALB2 testing for every HER2-negative MBC patient",
                evidence=_GERMLINE,
            )
        )

    ai_progressions = [e for e in exposures.get("aromatase_inhibitor", []) if e.progressed]
    if hr_pos_her2_neg and ai_progressions:
        last = max(ai_progressions, key=lambda e: e.stop_date or e.start_date)
        since = last.stop_date or last.start_date
        if not _plasma_esr1_after(case, since):
            suggestions.append(
                TestingSuggestion(
                    test="ESR1 mutation in plasma ctDNA",
                    reason=f"progression on an aromatase inhibitor ({last.agent}) with no ESR1 "
                    f"test in plasma since {since.isoformat()}; archival tissue is not "
                    "appropriate",
                    rule="ESR1 at each progression on endocrine therapy, ctDNA preferred",
                    evidence=(_ASCO_ESR1_2023,),
                )
            )

    somatic = _genes_tested(case, origin=SampleOrigin.SOMATIC)
    tissue = _genes_tested(case, origin=SampleOrigin.SOMATIC, specimen=SpecimenType.TISSUE)
    pathway = [g for g in ("PIK3CA", "AKT1", "PTEN") if g not in somatic]
    if hr_pos_her2_neg and pathway:
        suggestions.append(
            TestingSuggestion(
                test=f"somatic {', '.join(pathway)} (tissue or plasma NGS)",
                reason="not tested; needed before second line (capivasertib, alpelisib, "
                "inavolisib)",
                rule="PIK3CA/AKT1/PTEN testing in HR+/HER2- MBC",
                evidence=(_ASCO_2024,),
            )
        )
    elif (
        hr_pos_her2_neg
        and "PIK3CA" not in tissue
        and not any(v.gene == "PIK3CA" for r in case.genomic_reports for v in r.variants)
    ):
        suggestions.append(
            TestingSuggestion(
                test="PIK3CA on tissue",
                reason="PIK3CA tested only in plasma and not detected; a "
                "negative plasma result should be confirmed on tissue",
                rule="alpelisib label: if plasma is negative, test tissue",
                evidence=(_ALPELISIB_LABEL,),
            )
        )

    if (
        subtype.subtype is Subtype.TRIPLE_NEGATIVE
        and current_line(case).number <= 1
        and not any(
            isinstance(b, PDL1Result) and b.assay.value == "22C3" and b.scoring.value == "CPS"
            for b in case.biomarkers
        )
    ):
        suggestions.append(
            TestingSuggestion(
                test="PD-L1 22C3 CPS",
                reason="TNBC before first-line therapy without a 22C3 CPS result",
                rule="PD-L1 22C3 CPS >= 10 selects pembrolizumab + chemotherapy",
                evidence=(_PDL1,),
            )
        )

    if subtype.her2.category in (HER2Category.NULL, HER2Category.NEGATIVE_IHC_UNKNOWN):
        suggestions.append(
            TestingSuggestion(
                test="HER2 IHC re-scoring (4B5) on the most recent sample",
                reason=f"HER2 is {subtype.her2.category.value}: HER2-low or -ultralow would open "
                "trastuzumab deruxtecan",
                rule="HER2 IHC 0 vs ultralow vs 1+ re-scoring",
                evidence=(_HER2_RESCORE, _HER2_ULTRALOW),
            )
        )
    return suggestions
