"""Published results on the same data, for the cards (copied into ``metrics.json``).

``verified`` is True only where the figure itself was read in a retrieved copy of the source
(abstract, table or the authors' published output); ``retrieved_from`` says where.
"""

from __future__ import annotations

from typing import Any

__all__ = ["COMPARATORS", "DATA_SOURCES", "MBC_COMPARATORS"]

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

MBC_COMPARATORS: list[dict[str, Any]] = [
    {
        "key": "deluche2020_esme",
        "cohort": "ESME-MBC 2008-2016 (France, 18 comprehensive cancer centres), 22,109 women "
        "with newly diagnosed MBC (de novo or recurrent) who started treatment",
        "what": "Median OS from metastatic diagnosis 39.5 months (95% CI 38.7-40.3); 5-year "
        "OS 33.8%. By subtype: HR+/HER2- 43.3 (42.5-44.5), HER2+ 50.1 (47.6-53.1), "
        "triple-negative 14.8 (14.1-15.5) months. Older age at metastasis and a "
        "metastasis-free interval of 6-24 months were adverse prognostic factors.",
        "median_os_months": {
            "All": [39.5, 38.7, 40.3],
            "HR+/HER2-": [43.3, 42.5, 44.5],
            "HER2+ (HR+ or HR-)": [50.1, 47.6, 53.1],
            "TNBC": [14.8, 14.1, 15.5],
        },
        "citation": "Deluche E et al. Contemporary outcomes of metastatic breast cancer "
        "among 22,000 women from the multicentre ESME cohort 2008-2016. Eur J Cancer "
        "2020;129:60-70",
        "id": "doi:10.1016/j.ejca.2020.01.016",
        "pmid": "32135312",
        "verified": True,
        "retrieved_from": "abstract (PubMed record 32135312)",
    },
    {
        "key": "gobbini2018_esme",
        "cohort": "ESME-MBC 2008-2014, 16,702 newly diagnosed MBC patients (15,085 with "
        "full immunohistochemistry)",
        "what": "Median OS 37.22 months (36.3-38.04); HR+/HER2- 42.12 (40.90-43.10), HER2+ "
        "44.91 (42.51-47.90), HR-/HER2- 14.52 (13.70-15.24) months; disease-free interval "
        "and age were independent predictors of OS.",
        "median_os_months": {
            "All": [37.22, 36.3, 38.04],
            "HR+/HER2-": [42.12, 40.90, 43.10],
            "HER2+ (HR+ or HR-)": [44.91, 42.51, 47.90],
            "TNBC": [14.52, 13.70, 15.24],
        },
        "citation": "Gobbini E et al. Time trends of overall survival among metastatic "
        "breast cancer patients in the real-life ESME cohort. Eur J Cancer 2018;96:17-24",
        "id": "doi:10.1016/j.ejca.2018.03.015",
        "pmid": None,
        "verified": True,
        "retrieved_from": "abstract (Elsevier and Unicancer pages of the article)",
    },
    {
        "key": "grinda2021_esme",
        "cohort": "ESME-MBC 2008-2017, 20,446 patients, by subtype (HR+/HER2+ and HR-/HER2+ "
        "separately)",
        "what": "Overall survival by subtype and year of metastatic diagnosis; the figures "
        "were not retrieved here (only the citation, from the HAL record).",
        "median_os_months": {},
        "citation": "Grinda T et al. Evolution of overall survival and receipt of new "
        "therapies by subtype among 20 446 metastatic breast cancer patients in the "
        "2008-2017 ESME cohort. ESMO Open 2021;6(3):100114",
        "id": "doi:10.1016/j.esmoop.2021.100114",
        "pmid": None,
        "verified": False,
        "retrieved_from": "citation only (HAL record hal-03273275); figures not retrieved",
    },
]
"""Published median OS from metastatic diagnosis, for the ``msk2018-mbc-os`` card."""

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
