"""Lint of the packaged gene table (genes.tsv) and the loader's lookups."""

from __future__ import annotations

import pytest

from oncoboard.errors import KnowledgeError
from oncoboard.knowledge.genes import (
    Gene,
    GeneRole,
    GeneTable,
    Interval,
    _key,
    gene_table,
    normalize_chromosome,
)
from oncoboard.model.genomics import GenomeBuild

REQUIRED = [
    "ERBB2",
    "ESR1",
    "PIK3CA",
    "AKT1",
    "AKT2",
    "AKT3",
    "PTEN",
    "BRCA1",
    "BRCA2",
    "PALB2",
    "ATM",
    "CHEK2",
    "CDH1",
    "TP53",
    "RB1",
    "NF1",
    "MAP3K1",
    "ARID1A",
    "GATA3",
    "KMT2C",
    "CCND1",
    "CDK4",
    "CDK6",
    "MYC",
    "FGFR1",
    "FGFR2",
    "FGFR3",
    "MDM2",
    "KRAS",
    "HRAS",
    "NRAS",
    "BRAF",
    "NTRK1",
    "NTRK2",
    "NTRK3",
    "RET",
    "ALK",
    "ROS1",
    "ERBB3",
    "EGFR",
    "CCNE1",
    "AURKA",
    "TOP1",
    "TACSTD2",
    "MLH1",
    "MSH2",
    "MSH6",
    "PMS2",
    "STK11",
    "TSC1",
    "TSC2",
    "MTOR",
    "PIK3R1",
    "SF3B1",
    "CBFB",
    "RUNX1",
    "TBX3",
    "NCOR1",
    "FOXA1",
    "SPOP",
]


def test_every_required_gene_is_present() -> None:
    table = gene_table()
    assert [g for g in REQUIRED if g not in table] == []


def test_symbols_unique_and_aliases_unambiguous() -> None:
    genes = list(gene_table())
    assert len({g.symbol for g in genes}) == len(genes)
    owners: dict[str, str] = {}
    for gene in genes:
        for label in (gene.symbol, *gene.aliases):
            assert owners.setdefault(_key(label), gene.symbol) == gene.symbol, label


def test_every_row_has_a_source_and_both_builds() -> None:
    for gene in gene_table():
        assert "GRCh37:" in gene.source and "GRCh38:" in gene.source, gene.symbol
        for interval in (gene.grch37, gene.grch38):
            assert interval.start < interval.end, gene.symbol
            assert interval.chrom in {*map(str, range(1, 23)), "X", "Y"}
        assert gene.grch37.chrom == gene.grch38.chrom, gene.symbol


def test_roles_follow_oncokb() -> None:
    table = gene_table()
    assert table.role("ERBB2") is GeneRole.ONCOGENE
    assert table.role("BRCA2") is GeneRole.TUMOUR_SUPPRESSOR
    assert table.role("GATA3") is GeneRole.BOTH
    assert table.role("TACSTD2") is GeneRole.OTHER
    assert table.role("NOT_A_GENE") is None


@pytest.mark.parametrize(
    ("alias", "symbol"),
    [("HER2", "ERBB2"), ("her-2/neu", "ERBB2"), ("Neu", "ERBB2"), ("ER", "ESR1"),
     ("esr", "ESR1"), ("p53", "TP53"), ("TROP2", "TACSTD2"), ("pik3ca", "PIK3CA")],
)  # fmt: skip
def test_resolve_aliases_case_insensitively(alias: str, symbol: str) -> None:
    assert gene_table().resolve(alias) == symbol


@pytest.mark.parametrize("value", ["", "UNKNOWN1", None, "   "])
def test_resolve_never_raises(value: str | None) -> None:
    assert gene_table().resolve(value) is None


def test_interval_per_build() -> None:
    table = gene_table()
    assert table.interval("HER2", GenomeBuild.GRCH37) == Interval("17", 37844167, 37886679)
    assert table.interval("ERBB2", GenomeBuild.GRCH38) == Interval("17", 39687914, 39730426)
    assert table.interval("nope", GenomeBuild.GRCH38) is None


def test_chromosome_names_normalised() -> None:
    assert [normalize_chromosome(c) for c in ("chr7", "7", "CHRX", "chrMT")] == [
        "7", "7", "X", "M"
    ]  # fmt: skip


def _gene(symbol: str, aliases: tuple[str, ...] = ()) -> Gene:
    span = Interval("1", 1, 10)
    return Gene(symbol, None, None, GeneRole.OTHER, aliases, None, span, span, "test source")


def test_table_rejects_duplicate_symbols_and_ambiguous_aliases() -> None:
    with pytest.raises(KnowledgeError, match="listed twice"):
        GeneTable([_gene("A1"), _gene("A1")])
    with pytest.raises(KnowledgeError, match="already names"):
        GeneTable([_gene("A1", ("X",)), _gene("B1", ("x",))])
    with pytest.raises(KnowledgeError, match="already names"):
        GeneTable([_gene("A1", ("B1",)), _gene("B1")])
