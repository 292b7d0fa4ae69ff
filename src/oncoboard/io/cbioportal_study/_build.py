"""Cases -> a cBioPortal study (:class:`~oncoboard.io.cbioportal_study.Study`).

Times are days (timelines) from the primary diagnosis, as cBioPortal's timeline format
requires [1]_: no calendar date leaves the case. What a case does not record stays missing
(``NA``): a gene with no copy-number call in a sample is ``NA`` in ``data_cna.txt``, never
``0`` (unknown is not negative), and only samples with copy-number or fusion results are in
the ``_cna`` and ``_sv`` case lists.

References
----------
.. [1] cBioPortal File Formats (clinical, mutation, discrete copy number, structural variant,
   timeline data, case lists), https://docs.cbioportal.org/file-formats/
.. [2] OncoTree codes and names as used in cBioPortal's own breast studies (e.g. the
   ``breast_msk_2018`` clinical table bundled in ``examples/cohort/msk-mbc-2018``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from oncoboard.derive import summarize
from oncoboard.io.cbioportal_study._tables import (
    ID_PATTERN,
    Attribute,
    CaseList,
    Study,
    StudyError,
    Table,
)
from oncoboard.knowledge.drugs import drug_vocabulary
from oncoboard.model import Case
from oncoboard.model.genomics import CopyNumberType, Fusion, GenomeBuild, GenomicReport, Variant
from oncoboard.model.patient import Histology

__all__ = ["CNA_LEVELS", "MAF_COLUMNS", "build_study", "cbioportal_id"]

_ONCOTREE: dict[Histology, tuple[str, str]] = {  # [2]
    Histology.DUCTAL: ("IDC", "Breast Invasive Ductal Carcinoma"),
    Histology.LOBULAR: ("ILC", "Breast Invasive Lobular Carcinoma"),
    Histology.MIXED: ("MDLC", "Breast Mixed Ductal and Lobular Carcinoma"),
    Histology.METAPLASTIC: ("MBC", "Metaplastic Breast Cancer"),
    Histology.MUCINOUS: ("IMMC", "Breast Invasive Mixed Mucinous Carcinoma"),
}
_OTHER_ONCOTREE = ("BRCA", "Invasive Breast Carcinoma")

CNA_LEVELS: dict[CopyNumberType, str] = {  # [1] discrete copy number
    CopyNumberType.AMPLIFICATION: "2",
    CopyNumberType.GAIN: "1",
    CopyNumberType.LOSS: "-1",
    CopyNumberType.DELETION: "-2",
}

MAF_COLUMNS = (
    "Hugo_Symbol",
    "NCBI_Build",
    "Chromosome",
    "Start_Position",
    "End_Position",
    "Strand",
    "Variant_Classification",
    "Variant_Type",
    "Reference_Allele",
    "Tumor_Seq_Allele1",
    "Tumor_Seq_Allele2",
    "Tumor_Sample_Barcode",
    "Mutation_Status",
    "HGVSc",
    "HGVSp_Short",
    "Transcript_ID",
    "Consequence",
    "t_depth",
    "t_ref_count",
    "t_alt_count",
    "ONCOBOARD.vaf",
    "ONCOBOARD.zygosity",
    "ONCOBOARD.germline_classification",
)
"""The mutation file's columns: the required four (``Hugo_Symbol``,
``Tumor_Sample_Barcode``, ``Variant_Classification``, ``HGVSp_Short``), the standard MAF
columns the case carries, VEP's ``Consequence`` and an ``ONCOBOARD`` namespace for what a MAF
has no column for (imported by cBioPortal with ``namespaces: ONCOBOARD``) [1]_."""

_SO_TO_CLASSIFICATION = {  # the inverse of oncoboard.io.maf's table, first term wins
    "missense_variant": "Missense_Mutation",
    "stop_gained": "Nonsense_Mutation",
    "inframe_deletion": "In_Frame_Del",
    "inframe_insertion": "In_Frame_Ins",
    "splice_acceptor_variant": "Splice_Site",
    "splice_donor_variant": "Splice_Site",
    "splice_region_variant": "Splice_Region",
    "start_lost": "Translation_Start_Site",
    "stop_lost": "Nonstop_Mutation",
    "synonymous_variant": "Silent",
    "intron_variant": "Intron",
    "3_prime_UTR_variant": "3'UTR",
    "5_prime_UTR_variant": "5'UTR",
    "downstream_gene_variant": "3'Flank",
    "upstream_gene_variant": "5'Flank",
    "intergenic_variant": "IGR",
}
_MISSENSE = re.compile(r"^p\.(?:[A-Z]|[A-Z][a-z]{2})\d+(?:[A-Z]|[A-Z][a-z]{2})$")

PATIENT_ATTRIBUTES = (
    Attribute("PATIENT_ID", "Patient Identifier", "Patient identifier", "STRING"),
    Attribute("SEX", "Sex", "Sex", "STRING", 9),
    Attribute("AGE", "Age at Diagnosis", "Age at primary diagnosis in years", "NUMBER", 8),
    Attribute("MENOPAUSAL_STATUS", "Menopausal Status", "Current menopausal status", "STRING"),
    Attribute("SUBTYPE", "Clinical Subtype", "HR/HER2 subtype (Oncoboard rules)", "STRING", 10),
    Attribute("ER_STATUS", "ER Status", "Latest ER status (Oncoboard rules)", "STRING"),
    Attribute("PR_STATUS", "PR Status", "Latest PR status (Oncoboard rules)", "STRING"),
    Attribute("HER2_STATUS", "HER2 Status", "HER2 category (Oncoboard rules)", "STRING"),
    Attribute("HISTOLOGY", "Histology", "Histology of the primary tumour", "STRING"),
    Attribute("TUMOR_GRADE", "Tumor Grade", "Nottingham grade of the primary", "STRING"),
    Attribute("STAGE_AT_DIAGNOSIS", "Stage at Diagnosis", "AJCC stage group", "STRING"),
    Attribute("DE_NOVO_METASTATIC", "De Novo Metastatic", "Stage IV at diagnosis", "BOOLEAN"),
    Attribute(
        "METASTATIC_RECURRENCE_DAYS",
        "Metastatic Recurrence (Days)",
        "Days from primary diagnosis to metastatic recurrence",
        "NUMBER",
    ),
    Attribute(
        "METASTATIC_SITES", "Metastatic Sites", "Organs involved, first seen first", "STRING"
    ),
    Attribute("CURRENT_LINE", "Current Line", "Metastatic line given or next", "NUMBER"),
    Attribute("CURRENT_REGIMEN", "Current Regimen", "Agents of the ongoing line", "STRING"),
    Attribute("ECOG", "ECOG", "Latest ECOG performance status", "NUMBER"),
    Attribute("SYNTHETIC", "Synthetic", "True for made-up demo patients", "BOOLEAN"),
)
SAMPLE_ATTRIBUTES = (
    Attribute("PATIENT_ID", "Patient Identifier", "Patient identifier", "STRING"),
    Attribute("SAMPLE_ID", "Sample Identifier", "Genomic report identifier", "STRING"),
    Attribute("CANCER_TYPE", "Cancer Type", "Cancer type", "STRING", 3000),
    Attribute("CANCER_TYPE_DETAILED", "Cancer Type Detailed", "OncoTree name", "STRING", 2000),
    Attribute("ONCOTREE_CODE", "Oncotree Code", "OncoTree code", "STRING"),
    Attribute("SAMPLE_TYPE", "Sample Type", "Primary, Metastasis, cfDNA or Germline", "STRING"),
    Attribute("SPECIMEN_TYPE", "Specimen Type", "tissue, plasma, blood or saliva", "STRING"),
    Attribute("SPECIMEN_SITE", "Specimen Site", "Where the specimen was taken", "STRING"),
    Attribute("SAMPLE_ORIGIN", "Sample Origin", "somatic or germline findings", "STRING"),
    Attribute("ASSAY", "Assay", "Sequencing assay", "STRING"),
    Attribute("COLLECTION_DAYS", "Collection (Days)", "Days from diagnosis", "NUMBER"),
    Attribute("TMB_NONSYNONYMOUS", "TMB (nonsynonymous)", "Mutations per megabase", "NUMBER"),
    Attribute("MSI_STATUS", "MSI Status", "Microsatellite instability", "STRING"),
    Attribute("HRD_STATUS", "HRD Status", "Homologous recombination deficiency", "STRING"),
    Attribute("TUMOR_FRACTION", "Tumor Fraction", "Tumour (ctDNA) fraction", "NUMBER"),
)


def cbioportal_id(value: str, *, what: str) -> str:
    """``value`` as a cBioPortal id (``:`` becomes ``_``); raises if other characters remain."""
    converted = value.replace(":", "_")
    if not ID_PATTERN.match(converted):
        raise StudyError(what, f"{value!r} cannot be a cBioPortal id (letters, digits, . _ -)")
    return converted


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _days(start: dt.date, day: dt.date | None) -> str:
    return "" if day is None else str((day - start).days)


def _age_at(case: Case) -> str:
    birth, diagnosed = case.patient.birth_date, case.primary_diagnosis.date
    if birth is None:
        return ""  # an age at as_of does not give the age at diagnosis exactly
    years = (
        diagnosed.year - birth.year - ((diagnosed.month, diagnosed.day) < (birth.month, birth.day))
    )
    return str(years)


def _patient_row(case: Case, patient: str) -> tuple[str, ...]:
    summary = summarize(case)
    hr, her2 = summary.subtype.hr, summary.subtype.her2
    dx = case.primary_diagnosis
    values: dict[str, object] = {
        "PATIENT_ID": patient,
        "SEX": case.patient.sex.value,
        "AGE": _age_at(case),
        "MENOPAUSAL_STATUS": case.patient.menopausal_status.value,
        "SUBTYPE": summary.subtype.label,
        "ER_STATUS": hr.er.value,
        "PR_STATUS": hr.pr.value,
        "HER2_STATUS": her2.category.value,
        "HISTOLOGY": dx.histology.value,
        "TUMOR_GRADE": dx.grade.value if dx.grade else None,
        "STAGE_AT_DIAGNOSIS": dx.stage.group if dx.stage else None,
        "DE_NOVO_METASTATIC": dx.de_novo_metastatic,
        "METASTATIC_RECURRENCE_DAYS": _days(dx.date, dx.metastatic_recurrence_date),
        "METASTATIC_SITES": ",".join(summary.sites),
        "CURRENT_LINE": summary.line.number,
        "CURRENT_REGIMEN": summary.current_regimen,
        "ECOG": summary.ecog,
        "SYNTHETIC": case.synthetic,
    }
    return tuple(_text(values[a.name]) for a in PATIENT_ATTRIBUTES)


def _sample_type(report: GenomicReport) -> str:
    if report.origin.value == "germline":
        return "Germline"
    if report.specimen_type.value == "plasma":
        return "cfDNA"
    site = (report.specimen_site or "").lower()
    if not site:
        return ""  # not recorded: neither primary nor metastasis is claimed
    return "Primary" if "breast" in site else "Metastasis"


def _sample_row(case: Case, patient: str, sample: str, report: GenomicReport) -> tuple[str, ...]:
    code, name = _ONCOTREE.get(case.primary_diagnosis.histology, _OTHER_ONCOTREE)
    values: dict[str, object] = {
        "PATIENT_ID": patient,
        "SAMPLE_ID": sample,
        "CANCER_TYPE": "Breast Cancer",
        "CANCER_TYPE_DETAILED": name,
        "ONCOTREE_CODE": code,
        "SAMPLE_TYPE": _sample_type(report),
        "SPECIMEN_TYPE": report.specimen_type.value,
        "SPECIMEN_SITE": report.specimen_site,
        "SAMPLE_ORIGIN": report.origin.value,
        "ASSAY": report.assay,
        "COLLECTION_DAYS": _days(case.primary_diagnosis.date, report.date),
        "TMB_NONSYNONYMOUS": report.tmb.value if report.tmb else None,
        "MSI_STATUS": report.msi.status.value if report.msi else None,
        "HRD_STATUS": report.hrd.status if report.hrd else None,
        "TUMOR_FRACTION": report.tumor_fraction,
    }
    return tuple(_text(values[a.name]) for a in SAMPLE_ATTRIBUTES)


def variant_classification(variant: Variant) -> str:
    """The MAF ``Variant_Classification`` of a variant: from its SO consequence, else from
    its protein change; ``Unknown`` (allowed by cBioPortal [1]_) when neither tells."""
    for term in (variant.consequence or "").split("&"):
        if term == "frameshift_variant":
            return "Frame_Shift_Ins" if _inserts(variant) else "Frame_Shift_Del"
        if term in _SO_TO_CLASSIFICATION:
            return _SO_TO_CLASSIFICATION[term]
    change = variant.hgvs_p or ""
    if change.endswith(("*", "Ter")) or (change.endswith("X") and "fs" not in change):
        return "Nonsense_Mutation"
    if "fs" in change:
        return "Frame_Shift_Ins" if _inserts(variant) else "Frame_Shift_Del"
    if "delins" in change or change.endswith("del"):
        return "In_Frame_Del"
    if change.endswith(("ins", "dup")) or "ins" in change:
        return "In_Frame_Ins"
    if change.endswith("="):
        return "Silent"
    if _MISSENSE.match(change):
        return "Missense_Mutation"
    return "Unknown"


def _inserts(variant: Variant) -> bool:
    if variant.ref is not None and variant.alt is not None:
        return len(variant.alt.strip("-")) > len(variant.ref.strip("-"))
    return any(word in (variant.hgvs_c or "") for word in ("ins", "dup"))


def _variant_type(variant: Variant) -> str:
    ref, alt = (variant.ref or "").strip("-"), (variant.alt or "").strip("-")
    if variant.ref is None or variant.alt is None:
        return ""
    if len(ref) == len(alt):
        return {1: "SNP", 2: "DNP", 3: "TNP"}.get(len(ref), "ONP")
    return "INS" if len(alt) > len(ref) else "DEL"


def _maf_row(variant: Variant, sample: str, report: GenomicReport, build: str) -> tuple[str, ...]:
    end = None
    if variant.position is not None:
        end = variant.position + max(len((variant.ref or "").strip("-")), 1) - 1
    ref_count = None
    if variant.depth is not None and variant.alt_reads is not None:
        ref_count = variant.depth - variant.alt_reads
    values: dict[str, object] = {
        "Hugo_Symbol": variant.gene,
        "NCBI_Build": variant.genome_build.value if variant.genome_build else build,
        "Chromosome": variant.chromosome.removeprefix("chr") if variant.chromosome else None,
        "Start_Position": variant.position,
        "End_Position": end,
        "Strand": "+" if variant.position is not None else None,
        "Variant_Classification": variant_classification(variant),
        "Variant_Type": _variant_type(variant),
        "Reference_Allele": variant.ref,
        "Tumor_Seq_Allele1": None,  # left empty, as cBioPortal recommends [1]_
        "Tumor_Seq_Allele2": variant.alt,
        "Tumor_Sample_Barcode": sample,
        "Mutation_Status": "Germline" if report.origin.value == "germline" else "Somatic",
        "HGVSc": variant.hgvs_c,
        "HGVSp_Short": variant.hgvs_p,
        "Transcript_ID": variant.transcript,
        "Consequence": variant.consequence,
        "t_depth": variant.depth,
        "t_ref_count": ref_count,
        "t_alt_count": variant.alt_reads,
        "ONCOBOARD.vaf": variant.vaf,
        "ONCOBOARD.zygosity": variant.zygosity,
        "ONCOBOARD.germline_classification": (
            variant.classification.value if variant.classification else None
        ),
    }
    return tuple(_text(values[name]) for name in MAF_COLUMNS)


def _reference_genome(cases: Sequence[Case]) -> str:
    builds = {
        v.genome_build
        for case in cases
        for report in case.genomic_reports
        for v in report.variants
        if v.genome_build
    }
    if len(builds) > 1:
        raise StudyError(
            "mutations", "variants on GRCh37 and on GRCh38: a study has one reference genome"
        )
    return "hg38" if builds == {GenomeBuild.GRCH38} else "hg19"


def build_study(
    cases: Sequence[Case],
    *,
    study_id: str = "oncoboard_mbc",
    name: str = "Metastatic breast cancer (Oncoboard export)",
    description: str = "Cases exported by Oncoboard (decision support for qualified clinicians).",
) -> Study:
    """The study of ``cases``: one patient each, one sample per genomic report.

    Raises
    ------
    StudyError
        If an id cannot be a cBioPortal id, two patients or samples share an id, or the
        variants mix genome builds.
    """
    from oncoboard.io.cbioportal_study._timeline import timelines

    study_id = cbioportal_id(study_id, what="study id")
    reference = _reference_genome(cases)
    build = "GRCh38" if reference == "hg38" else "GRCh37"
    patients, samples, mutations = [], [], []
    cna: dict[str, dict[str, str]] = {}
    sv_rows: list[tuple[str, ...]] = []
    seen: set[str] = set()
    lists: dict[str, list[str]] = {"sequenced": [], "cna": [], "sv": []}
    for case in cases:
        patient = cbioportal_id(case.patient.id, what=f"patient {case.patient.id}")
        if patient in seen:
            raise StudyError("patients", f"patient id {patient!r} appears twice")
        seen.add(patient)
        patients.append(_patient_row(case, patient))
        for report in case.genomic_reports:
            sample = cbioportal_id(report.id, what=f"patient {patient}, report {report.id}")
            if sample in seen:
                raise StudyError(
                    "samples", f"sample id {sample!r} appears twice (or is a patient id)"
                )
            seen.add(sample)
            samples.append(_sample_row(case, patient, sample, report))
            lists["sequenced"].append(sample)
            mutations += [_maf_row(v, sample, report, build) for v in report.variants]
            if report.copy_number:
                lists["cna"].append(sample)
                for event in report.copy_number:
                    cna.setdefault(event.gene, {})[sample] = CNA_LEVELS[event.type]
            if report.fusions:
                lists["sv"].append(sample)
                sv_rows += [_sv_row(sample, f) for f in report.fusions]
    cna_samples = lists["cna"]
    cna_table = None
    if cna_samples:
        cna_table = Table(
            ("Hugo_Symbol", *cna_samples),
            tuple((gene, *(cna[gene].get(s, "") for s in cna_samples)) for gene in sorted(cna)),
        )
    return Study(
        study_id=study_id,
        name=name,
        description=description,
        reference_genome=reference,
        patient_attributes=PATIENT_ATTRIBUTES,
        patients=Table(tuple(a.name for a in PATIENT_ATTRIBUTES), tuple(patients)),
        sample_attributes=SAMPLE_ATTRIBUTES,
        samples=Table(tuple(a.name for a in SAMPLE_ATTRIBUTES), tuple(samples)),
        mutations=Table(MAF_COLUMNS, tuple(mutations)),
        cna=cna_table,
        structural_variants=Table(SV_COLUMNS, tuple(sv_rows)) if sv_rows else None,
        timelines=timelines(cases),
        case_lists=_case_lists(lists),
    )


SV_COLUMNS = (
    "Sample_Id",
    "SV_Status",
    "Site1_Hugo_Symbol",
    "Site2_Hugo_Symbol",
    "Site2_Effect_On_Frame",
    "Tumor_Split_Read_Count",
    "Event_Info",
)


def _sv_row(sample: str, fusion: Fusion) -> tuple[str, ...]:
    frame = {True: "In_frame", False: "Frameshift", None: None}[fusion.in_frame]
    return tuple(
        _text(v)
        for v in (
            sample,
            "SOMATIC",
            fusion.gene_5p,
            fusion.gene_3p,
            frame,
            fusion.supporting_reads,
            f"{fusion.gene_5p}-{fusion.gene_3p} fusion",
        )
    )


_LISTS = {
    "sequenced": (
        "Sequenced samples",
        "Samples with mutation data",
        "all_cases_with_mutation_data",
    ),
    "cna": ("Samples with CNA data", "Samples with copy-number calls", "all_cases_with_cna_data"),
    "sv": ("Samples with SV data", "Samples with fusion calls", "all_cases_with_sv_data"),
}


def _case_lists(lists: dict[str, list[str]]) -> tuple[CaseList, ...]:
    result = []
    for suffix, samples in lists.items():
        if not samples:
            continue
        name, description, category = _LISTS[suffix]
        result.append(
            CaseList(
                suffix, name, f"{description} ({len(samples)} samples)", category, tuple(samples)
            )
        )
    return tuple(result)


def drug_class(agent: str) -> str:
    """The agent's classes in the drug vocabulary (``;``-joined), or ``""``."""
    drug = drug_vocabulary().lookup(agent)
    return ";".join(sorted(drug.classes)) if drug else ""
