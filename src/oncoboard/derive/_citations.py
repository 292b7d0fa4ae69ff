"""Citations used by the derivations (one place, so reports print the same reference)."""

from __future__ import annotations

from oncoboard.model.evidence import Evidence, EvidenceSource

__all__ = ["ASCO_CAP_ER_2020", "ASCO_CAP_HER2_2018", "ASCO_CAP_HER2_2023", "FDA_TDXD_ULTRALOW"]

ASCO_CAP_HER2_2023 = Evidence(
    source=EvidenceSource.GUIDELINE,
    id="doi:10.1200/JCO.22.02864",
    title="Wolff AC et al. HER2 testing in breast cancer: ASCO-CAP guideline update. "
    "J Clin Oncol 2023;41:3867",
)
ASCO_CAP_HER2_2018 = Evidence(
    source=EvidenceSource.GUIDELINE,
    id="Arch Pathol Lab Med 2018;142:1364",
    title="Wolff AC et al. HER2 testing in breast cancer: ASCO/CAP focused update 2018 "
    "(dual-probe ISH groups 1-5 and concomitant IHC review)",
)
FDA_TDXD_ULTRALOW = Evidence(
    source=EvidenceSource.FDA_LABEL,
    id="FDA 2025-01-27 T-DXd HER2-low/ultralow (DESTINY-Breast06, NCT04494425)",
    title="FDA approval of fam-trastuzumab deruxtecan-nxki for HR+ HER2-low or HER2-ultralow "
    "(IHC 0 with membrane staining) metastatic breast cancer",
)
ASCO_CAP_ER_2020 = Evidence(
    source=EvidenceSource.GUIDELINE,
    id="PMID:31928404",
    title="Allison KH et al. Estrogen and progesterone receptor testing in breast cancer: "
    "ASCO/CAP guideline update. J Clin Oncol 2020;38:1346 (doi:10.1200/JCO.19.02309)",
)
