"""Sites of sequenced metastases by subtype (MSK 2018), next to published organotropism.

:func:`site_patterns` counts, per subtype, the patients of the MSK 2018 cohort [1]_ whose
sequenced metastatic biopsies included each site, with 95% Wilson intervals [2]_. The unit is
the patient: a patient with two liver biopsies counts once for the liver, a patient with a
liver and a bone biopsy counts once for each (so percentages across sites add to more than
100% where patients had several biopsies). The subtype is that of the patient's metastatic
samples (:func:`oncoboard.cohort.clinical.msk_clinical`: receptors of the sequenced sample,
else the patient's overall status); patients whose metastatic samples differ in subtype are
counted only in the ``All`` rows.

MSK gives the site of the *sequenced biopsy*, not every site of disease: biopsies favour
accessible sites (liver, lymph node, chest wall) over bone and brain, so these are not
organotropism frequencies. :func:`kennecke_2010` gives the published frequencies of sites of
distant relapse by subtype [3]_ for comparison; they were not re-checked against the paper
(``verified`` is False).

References
----------
.. [1] Razavi P et al. The genomic landscape of endocrine-resistant advanced breast cancers.
   Cancer Cell 2018;34:427-438 (PMID 30205045); cBioPortal study ``breast_msk_2018``.
.. [2] Wilson EB. Probable inference, the law of succession, and statistical inference.
   J Am Stat Assoc 1927;22:209-212.
.. [3] Kennecke H et al. Metastatic behavior of breast cancer subtypes. J Clin Oncol
   2010;28(20):3271-3277 (doi:10.1200/JCO.2009.25.9820; PMID 20498394).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import polars as pl

from oncoboard._resources import read_text
from oncoboard.cohort.clinical import SUBTYPES, msk_clinical
from oncoboard.errors import KnowledgeError
from oncoboard.model import Evidence, EvidenceSource

__all__ = [
    "ALL_SUBTYPES",
    "HEADLINE_SITES",
    "KENNECKE_2010_EVIDENCE",
    "RAZAVI_2018_EVIDENCE",
    "PublishedSiteFrequency",
    "kennecke_2010",
    "published_site_frequencies",
    "site_patterns",
    "wilson_interval",
]

HEADLINE_SITES: tuple[str, ...] = ("Bone", "Liver", "Lung", "Brain")
"""The four distant sites compared with the published organotropism figures."""

ALL_SUBTYPES = "All"
"""The subtype label of the rows over every patient (any or discordant subtype)."""

_Z95 = 1.959963984540054
_PACKAGE = "oncoboard.prognosis"
_KENNECKE_FILE = "data/kennecke2010_sites.tsv"
_METASTASIS = "Metastasis"
_SITE_FIXES = {"lymph node": "Lymph Node", "esophegus": "Esophagus"}  # source spellings

RAZAVI_2018_EVIDENCE = Evidence(
    source=EvidenceSource.PUBLICATION,
    id="PMID:30205045",
    title="Razavi P et al. The genomic landscape of endocrine-resistant advanced breast "
    "cancers. Cancer Cell 2018;34:427-438 (cBioPortal breast_msk_2018)",
    verified=True,
)

KENNECKE_2010_EVIDENCE = Evidence(
    source=EvidenceSource.PUBLICATION,
    id="doi:10.1200/JCO.2009.25.9820",
    title="Kennecke H et al. Metastatic behavior of breast cancer subtypes. J Clin Oncol "
    "2010;28(20):3271-3277 (PMID 20498394): sites of distant relapse by IHC subtype",
    verified=False,
)


@dataclass(frozen=True, slots=True)
class PublishedSiteFrequency:
    """A published percentage of relapsed patients with metastasis at a site, by subtype.

    ``source_subtype`` is the paper's subtype; ``subtype`` the nearest one of
    :data:`~oncoboard.cohort.clinical.SUBTYPES`. ``verified`` is False until the figure is
    re-checked against the publication.
    """

    source_subtype: str
    subtype: str
    site: str
    percent: float
    verified: bool


@cache
def kennecke_2010() -> tuple[PublishedSiteFrequency, ...]:
    """Kennecke 2010 site frequencies (bone, liver, lung, brain) by subtype; unverified.

    Read once from ``data/kennecke2010_sites.tsv`` (package data, with its source).
    """
    lines = read_text(_PACKAGE, _KENNECKE_FILE).splitlines()
    rows = [line.split("\t") for line in lines if line and not line.startswith("#")]
    header, body = rows[0], rows[1:]
    expected = ["source_subtype", "subtype", "site", "percent", "verified"]
    if header != expected:
        raise KnowledgeError(f"{_KENNECKE_FILE}: expected columns {expected!r}, got {header!r}")
    frequencies = []
    for number, row in enumerate(body, start=2):
        if len(row) != 5 or row[1] not in SUBTYPES or row[2] not in HEADLINE_SITES:
            raise KnowledgeError(f"{_KENNECKE_FILE}: row {number} is malformed: {row!r}")
        source, subtype, site, percent, verified = row
        frequencies.append(
            PublishedSiteFrequency(source, subtype, site, float(percent), verified == "true")
        )
    return tuple(frequencies)


def wilson_interval(k: int, n: int, z: float = _Z95) -> tuple[float, float]:
    """The Wilson score interval of the proportion ``k / n`` (95% by default).

    Raises ``ValueError`` unless ``0 <= k <= n`` and ``n > 0``.
    """
    if n <= 0 or not 0 <= k <= n:
        raise ValueError(f"expected 0 <= k <= n and n > 0, got k={k!r}, n={n!r}")
    p = k / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def _site(name: str) -> str:
    cleaned = name.strip()
    return _SITE_FIXES.get(cleaned.lower(), cleaned)


def _patients(path: Path | str) -> pl.DataFrame:
    """One row per patient with a metastatic sample: subtype (or null) and the set of sites."""
    samples = msk_clinical(path).filter(pl.col("sample_type") == _METASTASIS)
    samples = samples.filter(pl.col("sample_site").is_not_null())
    samples = samples.with_columns(pl.col("sample_site").map_elements(_site, pl.String))
    return samples.group_by("patient").agg(
        pl.col("subtype").unique().alias("subtypes"),
        pl.col("sample_site").unique().alias("sites"),
    )


def site_patterns(path: Path | str) -> pl.DataFrame:
    """Patients whose sequenced metastatic biopsies included each site, by subtype.

    Parameters
    ----------
    path
        cBioPortal's ``breast_msk_2018`` clinical data table (one row per sample).

    Returns
    -------
    polars.DataFrame
        Columns ``subtype`` (a :data:`~oncoboard.cohort.clinical.SUBTYPES` value, or
        :data:`ALL_SUBTYPES`), ``site``, ``patients_with_site``, ``patients`` (the subtype's
        patients with a metastatic sample), ``percent`` and its 95% Wilson interval
        ``ci_low``/``ci_high`` (percent). Subtypes in report order, then sites by count.
    """
    patients = _patients(path)
    concordant = patients.filter(
        (pl.col("subtypes").list.len() == 1) & pl.col("subtypes").list.first().is_not_null()
    ).with_columns(pl.col("subtypes").list.first().alias("subtype"))
    groups = [(ALL_SUBTYPES, patients)] + [
        (subtype, concordant.filter(pl.col("subtype") == subtype)) for subtype in SUBTYPES
    ]
    rows: list[dict[str, object]] = []
    for subtype, group in groups:
        n = group.height
        if n == 0:
            continue
        counts = group.explode("sites").group_by("sites").len()
        for site, k in counts.iter_rows():
            low, high = wilson_interval(k, n)
            rows.append(
                {
                    "subtype": subtype,
                    "site": site,
                    "patients_with_site": k,
                    "patients": n,
                    "percent": 100 * k / n,
                    "ci_low": 100 * low,
                    "ci_high": 100 * high,
                }
            )
    order = {name: i for i, name in enumerate((ALL_SUBTYPES, *SUBTYPES))}
    frame = pl.DataFrame(
        rows,
        schema={
            "subtype": pl.String(),
            "site": pl.String(),
            "patients_with_site": pl.Int64(),
            "patients": pl.Int64(),
            "percent": pl.Float64(),
            "ci_low": pl.Float64(),
            "ci_high": pl.Float64(),
        },
    )
    rank = pl.col("subtype").replace_strict(order, return_dtype=pl.Int64)
    return frame.sort(
        [rank, pl.col("patients_with_site"), pl.col("site")], descending=[False, True, False]
    )


def published_site_frequencies() -> pl.DataFrame:
    """:func:`kennecke_2010` as a table (``source_subtype``, ``subtype``, ``site``,
    ``percent``, ``verified``)."""
    return pl.DataFrame(
        [
            {
                "source_subtype": f.source_subtype,
                "subtype": f.subtype,
                "site": f.site,
                "percent": f.percent,
                "verified": f.verified,
            }
            for f in kennecke_2010()
        ]
    )
