"""Published results on the same data, for the cards (copied into ``metrics.json``).

``verified`` is True only where the figure itself was read in a retrieved copy of the source
(abstract, table or the authors' published output); ``retrieved_from`` says where.
"""

from __future__ import annotations

from typing import Any

__all__ = ["COMPARATORS", "DATA_SOURCES"]

COMPARATORS: list[dict[str, Any]] = [
    {
        "key": "desmedt2007_76gene",
        "cohort": "Desmedt 2007 (same 198 patients)",
        "what": "76-gene signature (Veridex risk groups): 5-year time to distant metastasis "
        "98% (88-100%) good vs 76% (68-82%) poor profile; 10-year 94% (83-98%) vs 73% "
        "(65-79%); hazard ratio adjusted for Adjuvant! Online clinical risk 13.58 "
        "(1.85-99.63) at 5 years and 5.11 (1.57-16.67) at 10 years; 51 distant metastases, "
        "median follow-up 14 years. No C-index or AUC in the abstract.",
        "citation": "Desmedt C et al. Clin Cancer Res 2007;13(11):3207-3214",
        "id": "doi:10.1158/1078-0432.CCR-06-2765",
        "pmid": "17545524",
        "verified": True,
        "retrieved_from": "abstract (Elsevier Pure record of the paper; TRANSBIG abstract)",
    },
    {
        "key": "transbig_auc_table",
        "cohort": "TRANSBIG = Desmedt 2007 series (node-negative, all patients)",
        "what": "Area under the ROC curve for distant metastasis at 5 years: tumour size "
        "0.63, tumour grade 0.64, age 0.53, Nottingham Prognostic Index 0.67, Adjuvant! "
        "Online 0.66, 76-gene signature 0.65, 70-gene signature 0.68 (10 years: size 0.63, "
        "grade 0.62, NPI 0.66, 76-gene 0.62).",
        "citation": "Good practice guidelines for biomarker discovery from array data: a "
        "case study for breast cancer prognosis. BMC Syst Biol 2013;7(Suppl 4):S2, Table 3",
        "id": "doi:10.1186/1752-0509-7-S4-S2",
        "pmid": None,
        "verified": True,
        "retrieved_from": "Table 3 of the article (BioMed Central web page)",
    },
    {
        "key": "mclernon2023_gbsg",
        "cohort": "GBSG2 (same 686 patients), recurrence or death",
        "what": "Cox model with size, nodes and grade developed on 2,982 Rotterdam patients, "
        "externally validated on GBSG: Uno time-dependent AUC at 5 years 0.69 (0.63-0.74); "
        "0.72 (0.67-0.78) with progesterone receptor added. A different model (it uses "
        "nodal status) on the same validation cohort.",
        "citation": "McLernon DJ et al. Assessing performance and clinical usefulness in "
        "prediction models with survival outcomes: practical guidance for Cox proportional "
        "hazards models. Ann Intern Med 2023",
        "id": "doi:10.7326/M22-0844",
        "pmid": "36571841",
        "verified": True,
        "retrieved_from": "the authors' code and output (GitHub "
        "danielegiardiello/Prediction_performance_survival, 01_predsurv_simplified.md)",
    },
    {
        "key": "royston_altman2013_gbsg",
        "cohort": "GBSG2 (validation of a Rotterdam Cox model)",
        "what": "External validation of a Rotterdam-derived Cox model on the GBSG data "
        "(discrimination and calibration); the C-index values were not retrieved.",
        "citation": "Royston P, Altman DG. External validation of a Cox prognostic model: "
        "principles and methods. BMC Med Res Methodol 2013;13:33",
        "id": "doi:10.1186/1471-2288-13-33",
        "pmid": "23496923",
        "verified": False,
        "retrieved_from": "abstract only (no figures)",
    },
    {
        "key": "laas2015_metabric",
        "cohort": "METABRIC, 965 HR-positive/HER2-negative patients",
        "what": "Web calculators for 10-year survival (endpoint as defined by the "
        "calculators): discrimination 0.74 (0.71-0.77) CancerMath.net, 0.72 (0.69-0.75) "
        "PREDICT. Different population, endpoint and models (they use nodes and treatment).",
        "citation": "Laas E et al. Are we able to predict survival in ER-positive "
        "HER2-negative breast cancer? A comparison of web-based models. Br J Cancer 2015",
        "id": "doi:10.1038/bjc.2014.641",
        "pmid": None,
        "verified": True,
        "retrieved_from": "abstract",
    },
]
"""Published comparators for the cards."""

DATA_SOURCES: dict[str, dict[str, Any]] = {
    "desmedt": {
        "citation": "Desmedt C et al. Clin Cancer Res 2007;13(11):3207-3214 (GEO GSE7390)",
        "id": "doi:10.1158/1078-0432.CCR-06-2765",
        "pmid": "17545524",
        "licence": "bundled in scikit-survival (GPL-3.0); data public (GEO)",
    },
    "gbsg2": {
        "citation": "Schumacher M et al. Randomized 2x2 trial evaluating hormonal treatment "
        "and the duration of chemotherapy in node-positive breast cancer patients. J Clin "
        "Oncol 1994;12:2086-2093",
        "id": "doi:10.1200/JCO.1994.12.10.2086",
        "pmid": None,
        "licence": "copy from the lifelines package (MIT), examples/survival/",
    },
    "metabric": {
        "citation": "Curtis C et al. Nature 2012;486:346-352 (PMID 22522925); Pereira B et "
        "al. Nat Commun 2016;7:11479 (PMID 27161491); cBioPortal brca_metabric",
        "id": "PMID:22522925",
        "pmid": "22522925",
        "licence": "ODbL 1.0 (examples/cohort/metabric/LICENSE)",
    },
    "msk2018": {
        "citation": "Razavi P et al. Cancer Cell 2018;34:427-438 (PMID 30205045); "
        "cBioPortal breast_msk_2018",
        "id": "PMID:30205045",
        "pmid": "30205045",
        "licence": "cBioPortal public data; cite the paper",
    },
}
"""Citations of the cohorts."""
