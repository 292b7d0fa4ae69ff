"""Hotspot table: both builds of every row resolve to the same variant; TCGA PIK3CA H1047R."""

from __future__ import annotations

from pathlib import Path

import pytest

from oncoboard.genomics.normalize import normalize_calls
from oncoboard.io.vcf import read_vcf
from oncoboard.knowledge.genes import Hotspot, gene_table, hotspots
from oncoboard.model.genomics import GenomeBuild

DATA = Path(__file__).resolve().parents[1] / "data" / "tcga-a2-a04w"
ROWS = list(hotspots())


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"{r.gene}-{r.protein_change}-{r.hgvs_c}")
def test_both_builds_resolve_to_the_same_variant(row: Hotspot) -> None:
    table = hotspots()
    for build in GenomeBuild:
        locus = row.locus(build)
        assert table.lookup(build, f"chr{locus.chrom}", locus.pos, row.ref, row.alt) is row
        interval = gene_table().interval(row.gene, build)
        assert interval is not None and interval.overlap(locus.chrom, locus.pos, locus.pos) == 1
    assert row in table.by_protein(row.gene, row.protein_change)
    assert "GRCh38" in row.source and len(row.source) > 40


def test_offsets_constant_within_each_gene() -> None:
    offsets: dict[str, set[int]] = {}
    for row in ROWS:
        offsets.setdefault(row.gene, set()).add(row.grch38.pos - row.grch37.pos)
    assert all(len(values) == 1 for values in offsets.values()), offsets


def test_required_hotspots_present() -> None:
    table = hotspots()
    for gene, change in [("PIK3CA", "H1047R"), ("PIK3CA", "E545K"), ("ESR1", "D538G"),
                         ("ESR1", "Y537S"), ("AKT1", "E17K"), ("ERBB2", "L755S"),
                         ("KRAS", "G12D"), ("BRAF", "V600E")]:  # fmt: skip
        assert table.by_protein(gene, change), (gene, change)


def test_wrong_build_or_allele_does_not_match() -> None:
    table = hotspots()
    assert table.lookup(GenomeBuild.GRCH37, "3", 179234297, "A", "G") is None
    assert table.lookup(GenomeBuild.GRCH38, "3", 179234297, "A", "C") is None


@pytest.mark.parametrize(
    ("name", "position"),
    [("T001-BRCA.grch37.vcf.gz", 178952085), ("T001-BRCA.grch38.vcf.gz", 179234297)],
)
def test_tcga_pik3ca_record_is_recognised_in_both_builds(name: str, position: int) -> None:
    result = read_vcf(DATA / name)
    normalized = normalize_calls(result.calls)
    pik3ca = [a for a in normalized.alterations if a.gene == "PIK3CA"]
    assert [(a.protein_change, a.codon) for a in pik3ca] == [("H1047R", 1047)]
    assert pik3ca[0].source.endswith(str(next(
        c for c in result.calls if c.position == position).source.split(":")[-1]))  # fmt: skip
    assert len(normalized.alterations) + len(normalized.needs_annotation) == len(result.calls)
