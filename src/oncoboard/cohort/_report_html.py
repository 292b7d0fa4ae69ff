"""The cohort report page: the tables and figures in one self-contained HTML document.

Jinja2 (autoescaped, strict undefined) with the template ``templates/cohort.html.j2`` loaded
through :class:`jinja2.PackageLoader`, the tumor-board report's stylesheet and inline SVG
figures; nothing is fetched. Jinja2 and matplotlib load when a page is rendered.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

import polars as pl
from markupsafe import Markup

from oncoboard._resources import html_templates
from oncoboard._version import __version__
from oncoboard.cli._console import DISCLAIMER
from oncoboard.cohort._report_plots import (
    genes_plot,
    km_plot,
    levels_plot,
    oncoprint_plot,
    subtype_plot,
)
from oncoboard.cohort._report_survival import Group

if TYPE_CHECKING:
    from jinja2 import Environment

    from oncoboard.report._plots import Plot

__all__ = ["render_page"]

_EXTRA_CSS = """
.ob-report td.ob-n, .ob-report th.ob-n { text-align: right; font-variant-numeric: tabular-nums; }
.ob-report .ob-small { font-size: 8pt; color: #333; }
"""


@cache
def _environment() -> Environment:
    env = html_templates("oncoboard.cohort")
    env.filters["pct"] = _pct
    env.filters["months"] = _months
    env.filters["pvalue"] = _pvalue
    return env


def _pct(share: float | None) -> str:
    return "—" if share is None or not math.isfinite(share) else f"{100 * share:.1f}%"


def _months(value: float | None) -> str:
    return "NR" if value is None else f"{value:.1f}"


def _pvalue(value: float | None) -> str:
    if value is None:
        return "—"
    return "< 0.001" if value < 0.001 else f"{value:.3f}"


def _eligibility_rows(eligibility: pl.DataFrame) -> tuple[list[str], list[dict[str, Any]]]:
    """Rows of the ``all`` group, each with its samples per subtype group."""
    groups = [g for g in eligibility["subtype"].unique(maintain_order=True) if g != "all"]
    rows = []
    for row in eligibility.filter(pl.col("subtype") == "all").iter_rows(named=True):
        part = eligibility.filter(
            pl.col("therapy") == row["therapy"], pl.col("level") == row["level"]
        )
        counts = dict(part.select("subtype", "samples").iter_rows())
        rows.append(row | {"by_subtype": [counts.get(g, 0) for g in groups]})
    return groups, rows


def _clinical_summary(clinical: pl.DataFrame | None) -> dict[str, list[tuple[str, int]]]:
    if clinical is None:
        return {"bases": [], "sample_types": []}
    bases = clinical["subtype_basis"].fill_null("not given").value_counts(sort=True)
    types: list[tuple[str, int]] = []
    if "sample_type" in clinical.columns:
        counted = clinical["sample_type"].fill_null("not given").value_counts(sort=True)
        types = [(str(k), int(v)) for k, v in counted.iter_rows()]
    return {
        "bases": [(str(k), int(v)) for k, v in bases.head(12).iter_rows()],
        "sample_types": types,
    }


def render_page(
    tables: Mapping[str, pl.DataFrame],
    survival: Mapping[str, Sequence[Group]],
    samples: int,
    *,
    clinical: pl.DataFrame | None,
    title: str,
    kb_version: str | None,
    notes: Sequence[str],
) -> str:
    """The complete HTML document of a cohort's report tables and survival groups."""
    from oncoboard.report import REPORT_CSS

    km: list[Plot | None] = [
        km_plot(
            groups,
            "Overall survival by subtype"
            if analysis == "subtype"
            else f"Overall survival by {analysis} status",
            f"ob-cohort-km-{analysis.lower()}",
        )
        for analysis, groups in survival.items()
    ]
    plots = {
        "levels": levels_plot(tables["landscape_level"]),
        "genes": genes_plot(tables["landscape_gene"]),
        "subtypes": subtype_plot(tables["landscape_subtype"]),
        "oncoprint": oncoprint_plot(tables["oncoprint"], samples),
        "km": [p for p in km if p is not None],
    }
    subtype_groups, eligibility = _eligibility_rows(tables["eligibility"])
    delayed = any(bool((g.entry > 0).any()) for groups in survival.values() for g in groups)
    context = {
        "title": title,
        "disclaimer": DISCLAIMER,
        "created": dt.date.today().isoformat(),
        "version": __version__,
        "kb_version": kb_version,
        "css": Markup(REPORT_CSS + _EXTRA_CSS),  # constant stylesheet
        "plots": plots,
        "denominators": tables["denominators"].to_dicts(),
        "levels": tables["landscape_level"].filter(pl.col("subtype") == "all").to_dicts(),
        "genes": tables["landscape_gene"].head(15).to_dicts(),
        "subtypes": tables["landscape_subtype"].to_dicts(),
        "subtype_groups": subtype_groups,
        "eligibility": eligibility,
        "survival": tables["survival"].to_dicts(),
        "delayed_entry": delayed,
        "clinical": _clinical_summary(clinical),
        "notes": list(notes),
    }
    return _environment().get_template("cohort.html.j2").render(**context)
