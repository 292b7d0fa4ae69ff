"""FHIR → case: genomics reports (mCODE GenomicsReport) with their variants, copy-number events
and fusions (GenomicVariant), genes covered (GenomicRegionStudied), TMB and MSI (Genomics
Reporting TMB and MSI profiles)."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from oncoboard.io.fhir import _codes as fc
from oncoboard.io.fhir._context import Context, has_code, profiles, validated
from oncoboard.io.fhir._json import Json, code_of, codes_of, codings, effective_date, text_of
from oncoboard.knowledge import gene_table
from oncoboard.model import CopyNumberEvent, Fusion, GenomicReport, MSIResult, Variant

__all__ = ["read_genomics"]

_IDENTIFIER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
_SYMBOL = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,19}$")
_SPECIMEN_TYPES = {
    "TISS": "tissue",
    "TUMOR": "tissue",
    "PLAS": "plasma",
    "BLD": "blood",
    "BLDV": "blood",
    "BLDA": "blood",
    "SAL": "saliva",
}
_GENOMIC_CODES = {fc.VARIANT, fc.REGION_STUDIED, fc.TMB, fc.MSI}
_CNV_LEVELS = {level.value for level in fc.CNV_LEVELS}
_CNV_FROM_SO = {fc.CNV_GAIN: "gain", fc.CNV_LOSS: "loss"}
_FUSION_CODES = {fc.COMPLEX_REARRANGEMENT, fc.GENE_FUSION}
_MSI_FROM_ANSWER = {code: status.value for status, (code, _) in fc.MSI_ANSWERS.items()}
_MSI_TEXT = {status.value.lower(): status.value for status in fc.MSI_ANSWERS}
_MSI_TEXT |= {"stable": "MSS", "msi-high": "MSI-H", "msi-low": "MSI-L"}


@cache
def _symbols_by_hgnc() -> dict[str, str]:
    return {g.hgnc_id: g.symbol for g in gene_table() if g.hgnc_id}


def _gene(value: Json | None) -> str | None:
    for system, code, display in codings(value):
        if system == fc.HGNC:
            key = code if code.startswith("HGNC:") else f"HGNC:{code}"
            if key in _symbols_by_hgnc():
                return _symbols_by_hgnc()[key]
            if _SYMBOL.match(display):
                return display
    text = text_of(value)
    return text if text and _SYMBOL.match(text) else None


def _is_report(report: Json) -> bool:
    if any("genomics-report" in p or "genomic" in p for p in profiles(report)):
        return True
    if has_code(report, "code", {fc.GENOMICS_REPORT}):
        return True
    return any(code_of(c) == "GE" for c in report.get("category") or [])


def read_genomics(ctx: Context) -> list[dict[str, Any]]:
    """Genomic reports; variants outside a report are skipped (the model groups by report)."""
    out = []
    seen_ids: set[str] = set()
    for report in list(ctx.of_type("DiagnosticReport")):
        if not _is_report(report):
            continue
        item = _report(ctx, report)
        if item is None:
            continue
        if item["id"] in seen_ids:
            ctx.skip(report, f"genomic report id {item['id']!r} is used twice")
            continue
        if validated(ctx, report, GenomicReport, item):
            seen_ids.add(item["id"])
            out.append(item)
    for observation in list(ctx.of_type("Observation")):
        if not (codes_of(observation.get("code")) & _GENOMIC_CODES):
            continue
        reason = "not part of a genomics report (DiagnosticReport); the case model records "
        reason += "variants per report (assay, specimen, date)"
        if has_code(observation, "code", {fc.VARIANT}) and _structural(observation) is None:
            found = _variant(observation)
            if found is None or found[0] is None:
                gene = _gene_of(observation)
                prefix = f"variant{f' in {gene}' if gene else ''} without HGVS or genomic "
                reason = prefix + "coordinates (the case model requires one), and " + reason
        ctx.skip(observation, reason)
    return out


def _gene_of(observation: Json) -> str | None:
    for component in observation.get("component") or []:
        if has_code(component, "code", {fc.GENE_STUDIED}):
            return _gene(component.get("valueCodeableConcept"))
    return None


def _report(ctx: Context, report: Json) -> dict[str, Any] | None:
    own = [i for i in report.get("identifier") or [] if i.get("system") == fc.REPORT_ID_SYSTEM]
    rid = own[0].get("value") if own else report.get("id")
    if not isinstance(rid, str) or not _IDENTIFIER.match(rid):
        ctx.skip(report, f"report id {rid!r} is not a case identifier")
        return None
    specimen = next(
        (s for ref in report.get("specimen") or [] if (s := ctx.resolve(ref)) is not None), None
    )
    date_ = effective_date(report, "effectiveDateTime", "effectivePeriod")
    if date_ is None and specimen is not None:
        date_ = effective_date(specimen.get("collection") or {}, "collectedDateTime")
    if date_ is None:
        date_ = ctx.date(report, "effectiveDateTime", "issued")
    if date_ is None:
        ctx.skip(report, "no date (effective or specimen collection; pass assume_date)")
        return None
    item: dict[str, Any] = {"id": rid, "date": date_, "assay": text_of(report.get("code"))}
    item["specimen_type"] = _specimen_type(ctx, report, specimen)
    if specimen is not None:
        ctx.use(specimen)
        site = ((specimen.get("collection") or {}).get("bodySite") or {}).get("text")
        if site:
            item["specimen_site"] = site
    origins: set[str] = set()
    variants: list[dict[str, Any]] = []
    found: dict[str, list[dict[str, Any]]] = {"copy_number": [], "fusions": []}
    for ref in report.get("result") or []:
        result = ctx.resolve(ref)
        if result is None or ctx.done(result):
            continue
        codes = codes_of(result.get("code"))
        structural = _structural(result) if fc.VARIANT in codes else None
        if structural is not None and not has_code(result, "valueCodeableConcept", {"LA9634-2"}):
            kind, event, origin = structural
            if validated(ctx, result, CopyNumberEvent if kind == "copy_number" else Fusion, event):
                found[kind].append(event)
                if origin is not None:
                    origins.add(origin)
        elif fc.VARIANT in codes:
            _add_variant(ctx, result, variants, origins)
        elif fc.REGION_STUDIED in codes or any("region-studied" in p for p in profiles(result)):
            genes = [
                _gene(c.get("valueCodeableConcept"))
                for c in result.get("component") or []
                if has_code(c, "code", {fc.GENE_STUDIED})
            ]
            item["genes_tested"] = [g for g in genes if g is not None]
            ctx.use(result)
        elif fc.TMB in codes:
            item["tmb"] = {"value": (result.get("valueQuantity") or {}).get("value")}
            ctx.use(result)
        elif fc.MSI in codes:
            msi = _msi(result)
            if msi is None:
                ctx.skip(result, "MSI result without a known status (MSI-H, MSI-L, MSS)")
            elif validated(ctx, result, MSIResult, msi):
                item["msi"] = msi
    item["variants"] = variants
    item.update(found)
    item["origin"] = _origin(ctx, report, origins, item["specimen_type"])
    return item


def _specimen_type(ctx: Context, report: Json, specimen: Json | None) -> str:
    for code in codes_of((specimen or {}).get("type")):
        if code in _SPECIMEN_TYPES:
            return _SPECIMEN_TYPES[code]
    ctx.note(report, "specimen type not given or not known: recorded as tissue")
    return "tissue"


def _origin(ctx: Context, report: Json, origins: set[str], specimen_type: str) -> str:
    if len(origins) == 1:
        return origins.pop()
    inferred = "germline" if specimen_type in ("blood", "saliva") else "somatic"
    if origins:
        ctx.note(report, f"variants of mixed origin; report recorded as {inferred}")
    elif not report.get("result"):
        ctx.note(report, f"no genomic source class; {inferred} inferred from the specimen")
    return inferred


def _add_variant(
    ctx: Context, result: Json, variants: list[dict[str, Any]], origins: set[str]
) -> None:
    if has_code(result, "valueCodeableConcept", {"LA9634-2"}):
        ctx.skip(
            result,
            "variant reported absent; the case model lists detected variants "
            "(coverage is genes_tested)",
        )
        return
    found = _variant(result)
    if found is None or found[0] is None:
        ctx.skip(result, "variant without gene, HGVS or genomic coordinates")
        return
    variant, origin = found
    if variant is not None and validated(ctx, result, Variant, variant):
        variants.append(variant)
        if origin is not None:
            origins.add(origin)


def _split(value: str | None, transcript: str | None) -> tuple[str | None, str | None]:
    """``NM_000.1:c.1A>G`` → (``c.1A>G``, ``NM_000.1``)."""
    if value and ":" in value:
        prefix, change = value.split(":", 1)
        return change, transcript or prefix
    return value, transcript


def _variant(observation: Json) -> tuple[dict[str, Any] | None, str | None] | None:
    item: dict[str, Any] = {}
    origin = None
    for component in observation.get("component") or []:
        value = component.get("valueCodeableConcept")
        text = text_of(value) if code_of(value) is None else code_of(value)
        codes = codes_of(component.get("code"))
        if fc.GENE_STUDIED in codes:
            item["gene"] = _gene(value)
        elif fc.C_HGVS in codes:
            item["hgvs_c"] = text
        elif fc.P_HGVS in codes:
            item["hgvs_p"] = text
        elif fc.TRANSCRIPT in codes:
            item["transcript"] = text_of(value) or code_of(value)
        elif fc.ASSEMBLY in codes:
            builds = {code: build for build, code in fc.ASSEMBLY_CODES.items()}
            item["genome_build"] = builds.get(code_of(value) or "", text_of(value))
        elif fc.CYTOGENETIC_LOCATION in codes:
            item["chromosome"] = text_of(value)
        elif fc.ALLELE_START_END in codes:
            item["position"] = ((component.get("valueRange") or {}).get("low") or {}).get("value")
        elif fc.REF_ALLELE in codes:
            item["ref"] = text
        elif fc.ALT_ALLELE in codes:
            item["alt"] = text
        elif fc.VAF in codes:
            quantity = component.get("valueQuantity") or {}
            vaf = quantity.get("value")
            item["vaf"] = vaf / 100 if quantity.get("unit") == "%" and vaf is not None else vaf
        elif fc.SOURCE_CLASS in codes:
            origin = {fc.SOMATIC: "somatic", fc.GERMLINE: "germline"}.get(code_of(value) or "")
    item["hgvs_c"], item["transcript"] = _split(item.get("hgvs_c"), item.get("transcript"))
    item["hgvs_p"], _ = _split(item.get("hgvs_p"), None)
    item = {k: v for k, v in item.items() if v is not None}
    if not item.get("gene") or not ({"hgvs_c", "hgvs_p", "position"} & set(item)):
        return None, origin
    return item, origin


def _structural(observation: Json) -> tuple[str, dict[str, Any], str | None] | None:
    """A copy-number event or fusion, as the IG's GenomeX examples write them, else None.

    Copy number: a molecular consequence SO copy_number_gain / _loss (or Oncoboard's level
    component); the level defaults to *gain* / *loss* and the 82155-3 quantity is the copy
    number. Fusion: coding-change-type (or consequence) complex rearrangement / gene_fusion with
    two genes studied, 5' partner first.
    """
    genes: list[str | None] = []
    so: set[str] = set()
    level = copies = origin = None
    for component in observation.get("component") or []:
        value = component.get("valueCodeableConcept")
        codes = codes_of(component.get("code"))
        if fc.GENE_STUDIED in codes:
            genes.append(_gene(value))
        elif codes & {fc.MOLECULAR_CONSEQUENCE, fc.CODING_CHANGE_TYPE}:
            so |= codes_of(value)
        elif fc.COPY_NUMBER in codes:
            copies = (component.get("valueQuantity") or {}).get("value")
        elif "copy-number-level" in codes:
            level = code_of(value, fc.CNV_LEVEL_SYSTEM)
        elif fc.SOURCE_CLASS in codes:
            origin = {fc.SOMATIC: "somatic", fc.GERMLINE: "germline"}.get(code_of(value) or "")
    if so & _FUSION_CODES and len(genes) >= 2:
        return "fusions", {"gene_5p": genes[0], "gene_3p": genes[1]}, origin
    gain_loss = next((_CNV_FROM_SO[c] for c in sorted(so) if c in _CNV_FROM_SO), None)
    if level not in _CNV_LEVELS:
        level = gain_loss
    if level is None or len(genes) != 1:
        return None
    event: dict[str, Any] = {"gene": genes[0], "type": level}
    if copies is not None:
        event["copy_number"] = copies
    return "copy_number", event, origin


def _msi(observation: Json) -> dict[str, Any] | None:
    value = observation.get("valueCodeableConcept")
    status = next((_MSI_FROM_ANSWER[c] for c in codes_of(value) if c in _MSI_FROM_ANSWER), None)
    if status is None:
        status = _MSI_TEXT.get((text_of(value) or "").strip().lower())
    if status is None:
        return None
    item: dict[str, Any] = {"status": status}
    method = text_of(observation.get("method"))
    if method:
        item["method"] = method
    return item
