"""The bundled demo cohort (examples/cases/) is valid, synthetic, and covers the model."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import BaseModel

from oncoboard.derive import HER2Category, Subtype, summarize
from oncoboard.io import find_case_files, load_case
from oncoboard.model import (
    Case,
    CopyNumberType,
    GermlineClassification,
    PDL1Result,
    PDL1Scoring,
    SampleOrigin,
    SiteName,
    SpecimenType,
)
from tests.conftest import EXAMPLES

PATHS = list(find_case_files([EXAMPLES]))
CASES = {path.name: load_case(path) for path in PATHS}


def _models(value: Any) -> Iterator[BaseModel]:
    if isinstance(value, BaseModel):
        yield value
        for name in type(value).model_fields:
            yield from _models(getattr(value, name))
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _models(item)


def _all_fields(cls: type[BaseModel], seen: set[type[BaseModel]]) -> set[tuple[str, str]]:
    """Every (class, field) reachable from ``cls`` through annotations."""
    if cls in seen:
        return set()
    seen.add(cls)
    fields = {(cls.__name__, name) for name in cls.model_fields}
    for info in cls.model_fields.values():
        for sub in _model_types(info.annotation):
            fields |= _all_fields(sub, seen)
    return fields


def _model_types(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        yield from _model_types(arg)
    origin = getattr(annotation, "__origin__", None)
    if origin is not None and hasattr(annotation, "__metadata__"):
        yield from _model_types(origin)


def test_cohort_size_and_synthetic_label():
    assert len(CASES) >= 12
    for path in PATHS:
        assert CASES[path.name].synthetic, path.name
        if path.suffix in (".yaml", ".yml"):
            assert "SYNTHETIC" in path.read_text().splitlines()[0], path.name
        else:
            assert "synthetic" in (CASES[path.name].notes or "").lower(), path.name


def test_patient_ids_are_unique():
    ids = [case.patient.id for case in CASES.values()]
    assert len(ids) == len(set(ids))


def test_every_model_field_is_exercised():
    used = {
        (type(m).__name__, name)
        for case in CASES.values()
        for m in _models(case)
        for name in m.model_fields_set
    }
    missing = sorted(_all_fields(Case, set()) - used)
    assert not missing, f"fields no demo case sets: {missing}"


def _somatic_genes(case: Case) -> set[str]:
    genes = {
        v.gene for r in case.genomic_reports if r.origin is SampleOrigin.SOMATIC for v in r.variants
    }
    genes |= {
        c.gene
        for r in case.genomic_reports
        for c in r.copy_number
        if c.type in (CopyNumberType.DELETION, CopyNumberType.AMPLIFICATION)
    }
    return genes


def _plasma_genes(case: Case) -> set[str]:
    genes = {
        v.gene
        for r in case.genomic_reports
        if r.specimen_type is SpecimenType.PLASMA
        for v in r.variants
    }
    return genes | {v.gene for lb in case.liquid_biopsies for v in lb.variants}


def _cps(case: Case) -> list[float]:
    return [
        b.value
        for b in case.biomarkers
        if isinstance(b, PDL1Result) and b.scoring is PDL1Scoring.CPS
    ]


def _after_cdk46(case: Case) -> bool:
    return "cdk46_inhibitor" in summarize(case).exposures


SCENARIOS = {
    "HR+/HER2- first line": lambda c, s: (
        s.subtype.subtype is Subtype.HR_POS_HER2_NEG and s.line.number == 1
    ),
    "HR+/HER2- after CDK4/6i with PIK3CA": lambda c, s: (
        _after_cdk46(c) and "PIK3CA" in _somatic_genes(c)
    ),
    "HR+/HER2- after CDK4/6i with AKT1 or PTEN": lambda c, s: (
        _after_cdk46(c) and bool({"AKT1", "PTEN"} & _somatic_genes(c))
    ),
    "ESR1 found in plasma": lambda c, s: "ESR1" in _plasma_genes(c),
    "germline BRCA2": lambda c, s: any(
        v.gene == "BRCA2" and v.classification is GermlineClassification.PATHOGENIC
        for r in c.genomic_reports
        if r.origin is SampleOrigin.GERMLINE
        for v in r.variants
    ),
    "HER2+ first line": lambda c, s: (
        s.subtype.her2.category is HER2Category.POSITIVE and s.line.number == 1
    ),
    "HER2+ with brain metastases": lambda c, s: (
        s.subtype.her2.category is HER2Category.POSITIVE and SiteName.BRAIN.value in s.sites
    ),
    "HER2-low": lambda c, s: s.subtype.her2_low,
    "TNBC with PD-L1 CPS >= 10": lambda c, s: (
        s.subtype.subtype is Subtype.TRIPLE_NEGATIVE and any(v >= 10 for v in _cps(c))
    ),
    "TNBC with PD-L1 CPS < 10": lambda c, s: (
        s.subtype.subtype is Subtype.TRIPLE_NEGATIVE and any(v < 10 for v in _cps(c))
    ),
    "MSI-H": lambda c, s: any(r.msi and r.msi.status.value == "MSI-H" for r in c.genomic_reports),
    "NTRK fusion": lambda c, s: any(
        f.gene_3p.startswith("NTRK") or f.gene_5p.startswith("NTRK")
        for r in c.genomic_reports
        for f in r.fusions
    ),
}


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_required_scenarios_are_present(scenario):
    check = SCENARIOS[scenario]
    assert any(check(case, summarize(case)) for case in CASES.values()), scenario


def test_at_least_four_cases_have_serial_imaging_and_ctdna():
    serial = [
        name
        for name, case in CASES.items()
        if len({i.date for i in case.imaging}) >= 3
        and len({lb.date for lb in case.liquid_biopsies}) >= 3
    ]
    assert len(serial) >= 4, serial


def test_no_case_has_an_undetermined_subtype():
    undetermined = {
        n: summarize(c).subtype.missing
        for n, c in CASES.items()
        if summarize(c).subtype.subtype is Subtype.UNDETERMINED
    }
    assert not undetermined
