"""METABRIC (1,980 primary breast cancers; 10,613 mutations in a 173-gene panel) annotated
whole; prevalences compared with published primary-breast-cancer figures.

References
----------
Pereira B et al. Nat Commun 2016;7:11479 (PMID 27161491): METABRIC targeted sequencing.
Cancer Genome Atlas Network. Nature 2012;490:61 (PMID 23000897): only TP53, PIK3CA and GATA3
are mutated in more than 10% of primary breast cancers.
PIK3CA is mutated in about 40% of breast cancers (Sci Rep 2018;8:4713 introduction).
ESR1 mutations are about 0.5% in primary tumours (TCGA), enriched only after endocrine therapy.
"""

from __future__ import annotations

import csv
from collections import Counter

import pytest

from oncoboard.genomics import FindingKind, annotate_calls
from oncoboard.io import read_mutation_table
from tests.conftest import COHORTS

METABRIC = COHORTS / "metabric"


@pytest.fixture(scope="module")
def cohort():
    annotations = annotate_calls(read_mutation_table(METABRIC / "metabric_mutations.tsv"))
    with (METABRIC / "metabric_clinical.tsv").open() as handle:
        patients = {row["patientId"] for row in csv.DictReader(handle, delimiter="\t")}
    return annotations, patients


def _mutated(annotations, gene: str) -> int:
    return sum(any(f.gene == gene for f in a.findings) for a in annotations)


def test_every_patient_with_a_mutation_is_annotated(cohort):
    annotations, patients = cohort
    assert len(annotations) == 1859
    assert {a.sample for a in annotations} <= patients
    assert len(patients) == 1980


def test_prevalence_matches_published_primary_breast_cancer(cohort):
    annotations, patients = cohort
    prevalence = {
        g: _mutated(annotations, g) / len(patients)
        for g in ("PIK3CA", "TP53", "GATA3", "AKT1", "PTEN", "ERBB2", "ESR1")
    }
    assert 0.35 <= prevalence["PIK3CA"] <= 0.45  # about 40%
    assert 0.25 <= prevalence["TP53"] <= 0.40
    assert prevalence["GATA3"] > 0.10  # TCGA: one of three genes above 10%
    assert all(prevalence[g] < 0.10 for g in ("AKT1", "PTEN", "ERBB2"))
    assert prevalence["ESR1"] < 0.01  # primary tumours, before endocrine therapy


def test_level_1_fraction_is_driven_by_pik3ca(cohort):
    annotations, patients = cohort
    level1 = [
        a
        for a in annotations
        if any(f.kind is FindingKind.ACTIONABLE and f.level == "1" for f in a.findings)
    ]
    genes = Counter(f.gene for a in level1 for f in a.findings if f.level == "1")
    assert 0.38 <= len(level1) / len(patients) <= 0.48
    assert genes.most_common(1)[0][0] == "PIK3CA"
    assert {"AKT1", "PTEN"} <= set(genes)


def test_unparsable_changes_are_reported_not_dropped(cohort):
    annotations, _ = cohort
    notes = [n for a in annotations for n in a.notes]
    assert all("metabric_mutations.tsv:" in n for n in notes)
