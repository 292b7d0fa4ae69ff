"""Metastatic-site patterns of MSK 2018 against counts taken straight from the table."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import polars as pl
import pytest

from oncoboard.prognosis import (
    HEADLINE_SITES,
    kennecke_2010,
    published_site_frequencies,
    site_patterns,
    wilson_interval,
)
from oncoboard.prognosis.sites import KENNECKE_2010_EVIDENCE

MSK = (
    Path(__file__).resolve().parents[2]
    / "examples/cohort/msk-mbc-2018/breast_msk_2018_clinical_data.tsv"
)


@pytest.fixture(scope="module")
def table() -> pl.DataFrame:
    return site_patterns(MSK)


def _count(frame: pl.DataFrame, subtype: str, site: str) -> tuple[int, int]:
    row = frame.filter((pl.col("subtype") == subtype) & (pl.col("site") == site)).row(0, named=True)
    return row["patients_with_site"], row["patients"]


def test_columns(table):
    assert table.columns == [
        "subtype",
        "site",
        "patients_with_site",
        "patients",
        "percent",
        "ci_low",
        "ci_high",
    ]
    assert table["subtype"].unique(maintain_order=True).to_list() == [
        "All",
        "HR+/HER2-",
        "HR+/HER2+",
        "HR-/HER2+",
        "TNBC",
    ]


def test_all_patients_match_a_plain_count_of_the_table(table):
    """Patients with a metastatic sample at each site, counted with the csv module."""
    sites: dict[str, set[str]] = defaultdict(set)
    patients: set[str] = set()
    with MSK.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if row["Sample Type"] != "Metastasis":
                continue
            site = "Lymph Node" if row["Site of Sample"] == "Lymph node" else row["Site of Sample"]
            site = "Esophagus" if site == "Esophegus" else site
            sites[site].add(row["Patient ID"])
            patients.add(row["Patient ID"])
    everyone = table.filter(pl.col("subtype") == "All")
    assert set(everyone["patients"].to_list()) == {len(patients)} == {905}
    counted = dict(everyone.select("site", "patients_with_site").iter_rows())
    assert counted == {site: len(ids) for site, ids in sites.items()}


@pytest.mark.parametrize(
    ("subtype", "site", "k", "n"),
    [
        # grep of the MSK table: metastatic samples by site (patients, after merging repeats)
        ("All", "Liver", 246, 905),
        ("All", "Bone", 145, 905),
        ("All", "Lung", 70, 905),
        ("All", "Brain", 33, 905),
        ("HR+/HER2-", "Bone", 118, 616),
        ("HR-/HER2+", "Brain", 7, 48),
        ("TNBC", "Lung", 20, 152),
    ],
)
def test_headline_counts(table, subtype, site, k, n):
    assert _count(table, subtype, site) == (k, n)


def test_subtype_denominators_leave_out_discordant_patients(table):
    denominators = table.group_by("subtype").agg(pl.col("patients").first())
    by_subtype = dict(denominators.iter_rows())
    assert by_subtype == {
        "All": 905,
        "HR+/HER2-": 616,
        "HR+/HER2+": 71,
        "HR-/HER2+": 48,
        "TNBC": 152,
    }
    assert 905 - (616 + 71 + 48 + 152) == 18  # patients whose metastases differ in subtype


def test_percent_and_wilson_interval(table):
    row = table.filter((pl.col("subtype") == "All") & (pl.col("site") == "Brain")).row(
        0, named=True
    )
    assert row["percent"] == pytest.approx(100 * 33 / 905)
    low, high = wilson_interval(33, 905)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((100 * low, 100 * high))
    assert row["ci_low"] < row["percent"] < row["ci_high"]


@pytest.mark.parametrize(
    ("k", "n", "expected"),
    [
        (0, 10, (0.0, 0.2775)),  # by hand from Wilson's formula, z = 1.96
        (5, 10, (0.2366, 0.7634)),
        (10, 10, (0.7225, 1.0)),
    ],
)
def test_wilson_interval_known_values(k, n, expected):
    assert wilson_interval(k, n) == pytest.approx(expected, abs=1e-4)


@pytest.mark.parametrize(("k", "n"), [(1, 0), (-1, 5), (6, 5)])
def test_wilson_interval_rejects_impossible_counts(k, n):
    with pytest.raises(ValueError, match="expected 0 <= k <= n"):
        wilson_interval(k, n)


def test_published_figures_are_marked_unverified():
    assert {f.site for f in kennecke_2010()} == set(HEADLINE_SITES)
    assert not any(f.verified for f in kennecke_2010())
    assert KENNECKE_2010_EVIDENCE.verified is False
    frame = published_site_frequencies()
    assert frame.height == 24
    assert frame["verified"].to_list() == [False] * 24
