"""Cohort report figures, drawn from the report tables with the tumor-board report's helpers.

Matplotlib (Agg) to inline SVG with a ``<title>``/``<desc>`` text alternative
(:func:`oncoboard.report._plots._to_svg`), Okabe-Ito colours, fonts >= 8 pt. Each function
returns ``None`` when there is nothing to draw; the template then says so in words.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from oncoboard.cohort._report_survival import Group, at_risk, fit
from oncoboard.report._plots import _FONT, PALETTE, Plot, _figure, _to_svg

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from numpy.typing import NDArray

__all__ = ["genes_plot", "km_plot", "levels_plot", "oncoprint_plot", "subtype_plot"]

LEVEL_COLOURS = {
    "1": PALETTE[2],
    "2": PALETTE[5],
    "3A": PALETTE[0],
    "3B": PALETTE[4],
    "4": PALETTE[6],
    "R1": PALETTE[3],
    "R2": PALETTE[1],
    "none": "#dddddd",
}
CLASS_COLOURS = {
    "missense": PALETTE[2],
    "truncating": PALETTE[7],
    "inframe": PALETTE[1],
    "amplification": PALETTE[3],
    "deletion": PALETTE[0],
    "fusion": PALETTE[4],
    "other": "#999999",
    "multiple": PALETTE[5],
}
_EMPTY_CELL = "#f0f0f0"


def _pct(share: float | None) -> str:
    return "—" if share is None else f"{100 * share:.1f}%"


def levels_plot(landscape_level: pl.DataFrame) -> Plot | None:
    """100% stacked bars: each subtype group's samples by best evidence level."""
    if landscape_level.is_empty() or not landscape_level["denominator"].max():
        return None
    groups = landscape_level["subtype"].unique(maintain_order=True).to_list()
    levels = landscape_level["level"].unique(maintain_order=True).to_list()
    fig, ax = _figure(0.9 + 0.38 * len(groups))
    ax.grid(False)
    left = np.zeros(len(groups))
    described = []
    for level in levels:
        part = landscape_level.filter(pl.col("level") == level)
        shares = np.array([s or 0.0 for s in part["share"].to_list()]) * 100
        ax.barh(
            range(len(groups)),
            shares,
            left=left,
            color=LEVEL_COLOURS.get(level, "#999"),
            edgecolor="white",
            linewidth=0.5,
            label=f"level {level}" if level != "none" else "no leveled finding",
        )
        for y, (x0, width) in enumerate(zip(left, shares, strict=True)):
            if width >= 6:
                ax.text(
                    x0 + width / 2,
                    y,
                    f"{width:.0f}%",
                    ha="center",
                    va="center",
                    fontsize=_FONT - 1.5,
                )
        left += shares
        if level != "none":
            described.append(
                f"level {level} "
                + ", ".join(
                    f"{g} {_pct(s)}" for g, s in zip(groups, part["share"].to_list(), strict=True)
                )
            )
    counts = landscape_level.unique("subtype", maintain_order=True)["denominator"].to_list()
    ax.set_yticks(range(len(groups)), [f"{g} (n={n})" for g, n in zip(groups, counts, strict=True)])
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("Samples (%) by best evidence level", fontsize=_FONT)
    ax.set_title("Best evidence level per sample", fontsize=_FONT + 1)
    ax.legend(fontsize=_FONT - 1, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    caption = "Share of samples whose best finding is at each level: " + "; ".join(described)
    return _to_svg(fig, "ob-cohort-levels", "Evidence levels across the cohort", caption + ".")


def genes_plot(landscape_gene: pl.DataFrame, top: int = 15) -> Plot | None:
    """Horizontal bars of the most often altered genes: any, oncogenic, level 1-2."""
    rows = landscape_gene.filter(pl.col("samples_oncogenic") > 0).head(top)
    if rows.is_empty():
        return None
    fig, ax = _figure(0.8 + 0.22 * rows.height)
    y = np.arange(rows.height)
    series = (
        ("share_any", "any alteration (incl. VUS)", "#cccccc"),
        ("share_oncogenic", "oncogenic / likely oncogenic", PALETTE[0]),
        ("share_level_1_2", "level 1-2 actionable", PALETTE[2]),
    )
    for column, label, colour in series:
        ax.barh(
            y,
            rows[column].to_numpy() * 100,
            height=0.7 if column == "share_any" else 0.45,
            color=colour,
            label=label,
        )
    ax.set_yticks(y, rows["gene"].to_list(), fontsize=_FONT - 0.5)
    ax.invert_yaxis()
    ax.set_xlabel(f"Samples (%) of {rows['denominator'][0]}", fontsize=_FONT)
    ax.set_title("Most often altered genes", fontsize=_FONT + 1)
    ax.legend(fontsize=_FONT - 1, frameon=False, loc="lower right")
    caption = "Samples with an oncogenic alteration (any alteration; level 1-2 actionable): " + (
        "; ".join(
            f"{g} {_pct(o)} ({_pct(a)}; {_pct(t)})"
            for g, a, o, t in rows.select(
                "gene", "share_any", "share_oncogenic", "share_level_1_2"
            ).iter_rows()
        )
    )
    return _to_svg(fig, "ob-cohort-genes", "Altered genes", caption + ".")


def subtype_plot(landscape_subtype: pl.DataFrame) -> Plot | None:
    """Per subtype: share with a level 1-2 finding (context met or unknown; context met)."""
    if landscape_subtype.is_empty():
        return None
    fig, ax = _figure(2.6)
    x = np.arange(landscape_subtype.height)
    open_ = landscape_subtype["share_level_1_2"].to_numpy() * 100
    met = landscape_subtype["share_level_1_2_context_met"].to_numpy() * 100
    ax.bar(x - 0.2, open_, width=0.4, color=PALETTE[2], label="context met or unknown")
    ax.bar(x + 0.2, met, width=0.4, color=PALETTE[0], label="context met")
    labels = [
        f"{s}\n(n={n})" for s, n in landscape_subtype.select("subtype", "samples").iter_rows()
    ]
    ax.set_xticks(x, labels, fontsize=_FONT - 1)
    ax.set_ylabel("Samples (%)", fontsize=_FONT)
    ax.set_ylim(0, max(10.0, float(open_.max()) * 1.2))
    ax.set_title("Level 1-2 actionable finding by subtype", fontsize=_FONT + 1)
    ax.legend(fontsize=_FONT - 1, frameon=False)
    caption = "Share with a level 1-2 actionable finding whose context is met or unknown "
    caption += "(met): " + "; ".join(
        f"{s} {o:.1f}% ({m:.1f}%)"
        for s, o, m in zip(landscape_subtype["subtype"], open_, met, strict=True)
    )
    return _to_svg(fig, "ob-cohort-subtypes", "Actionability by subtype", caption + ".")


def oncoprint_plot(oncoprint: pl.DataFrame, denominator: int) -> Plot | None:
    """Genes x samples heatmap of alteration classes; unaltered samples are blank columns."""
    genes = [c for c in oncoprint.columns if c != "sample"]
    if not genes or oncoprint.is_empty() or denominator <= 0:
        return None
    classes = list(CLASS_COLOURS)
    codes = {c: i + 1 for i, c in enumerate(classes)}
    matrix = np.zeros((len(genes), max(denominator, oncoprint.height)), dtype=np.int8)
    for g, gene in enumerate(genes):
        column = oncoprint[gene].to_list()
        matrix[g, : len(column)] = [codes.get(v, 0) if v else 0 for v in column]
    from matplotlib.colors import ListedColormap

    fig, ax = _figure(1.0 + 0.2 * len(genes))
    ax.grid(False)
    colours = ListedColormap([_EMPTY_CELL, *(CLASS_COLOURS[c] for c in classes)])
    ax.imshow(
        matrix, aspect="auto", interpolation="nearest", cmap=colours, vmin=0, vmax=len(classes)
    )
    altered = [int((matrix[g] > 0).sum()) for g in range(len(genes))]
    ax.set_yticks(
        range(len(genes)),
        [f"{g} {100 * n / denominator:.0f}%" for g, n in zip(genes, altered, strict=True)],
        fontsize=_FONT - 1,
    )
    ax.set_xticks([])
    ax.set_xlabel(
        f"Samples (one per column): {oncoprint.height} of {denominator} with an oncogenic "
        "alteration of these genes",
        fontsize=_FONT - 0.5,
    )
    ax.set_title("Oncoprint: oncogenic alterations of the most altered genes", fontsize=_FONT + 1)
    _class_legend(ax, classes)
    caption = "Samples with an oncogenic alteration per gene: " + "; ".join(
        f"{g} {n}" for g, n in zip(genes, altered, strict=True)
    )
    return _to_svg(fig, "ob-cohort-oncoprint", "Oncoprint", caption + ".")


def _class_legend(ax: Axes, classes: Sequence[str]) -> None:
    from matplotlib.patches import Patch

    handles = [Patch(color=CLASS_COLOURS[c], label=c) for c in classes]
    ax.legend(
        handles=handles,
        fontsize=_FONT - 1,
        ncol=4,
        frameon=False,
        loc="upper left",
        bbox_to_anchor=(0, -0.12),
    )


def km_plot(groups: Sequence[Group], title: str, slug: str) -> Plot | None:
    """Kaplan-Meier overall survival per group with 95% bands and numbers at risk."""
    fitted = [(g, fit(g)) for g in groups if g.months.size]
    fitted = [(g, f) for g, f in fitted if f is not None]
    if not fitted:
        return None
    fig, ax = _figure(2.9 + 0.16 * len(fitted))
    described = []
    for n, (group, fitter) in enumerate(fitted):
        colour = PALETTE[n % len(PALETTE)]
        times = fitter.survival_function_.index.to_numpy()
        surv = fitter.survival_function_.iloc[:, 0].to_numpy()
        band = fitter.confidence_interval_
        ax.step(
            times,
            surv,
            where="post",
            color=colour,
            linewidth=1.4,
            label=f"{group.name} (n={group.months.size})",
        )
        ax.fill_between(
            times,
            band.iloc[:, 0].to_numpy(),
            band.iloc[:, 1].to_numpy(),
            step="post",
            color=colour,
            alpha=0.12,
            linewidth=0,
        )
        median = float(fitter.median_survival_time_)
        described.append(
            f"{group.name}: {group.months.size} patients, {int(group.events.sum())} deaths, "
            + (f"median {median:.1f} months" if np.isfinite(median) else "median not reached")
        )
    horizon = max(float(g.months.max()) for g, _ in fitted)
    ax.set_xlim(0, horizon)
    ax.set_ylim(0, 1.02)
    ticks = np.array([t for t in ax.get_xticks() if 0 <= t <= horizon], dtype=np.float64)
    ax.set_xticks(ticks)
    ax.set_xlim(-0.04 * horizon, horizon * 1.02)  # room for the first at-risk numbers
    ax.set_ylabel("Overall survival", fontsize=_FONT)
    ax.set_title(title, fontsize=_FONT + 1)
    ax.legend(fontsize=_FONT - 1, frameon=False, loc="best")
    _numbers_at_risk(ax, [g for g, _ in fitted], ticks)
    caption = "; ".join(described) + ". Numbers at risk below the axis."
    return _to_svg(fig, slug, title, caption)


def _numbers_at_risk(ax: Axes, groups: Sequence[Group], ticks: NDArray[np.float64]) -> None:
    """A table of patients at risk at each tick, in its own axes under the curves."""
    fig = ax.get_figure()
    assert fig is not None
    grid = fig.add_gridspec(2, 1, height_ratios=[3.0, 0.35 + 0.22 * len(groups)])
    ax.set_subplotspec(grid[0])
    table = fig.add_subplot(grid[1], sharex=ax)
    for spine in table.spines.values():
        spine.set_visible(False)
    table.tick_params(left=False, bottom=False, labelsize=_FONT - 1, pad=8)
    table.set_ylim(len(groups) - 0.5, -0.5)
    table.set_yticks(range(len(groups)), [g.name for g in groups])
    for row, (group, label) in enumerate(zip(groups, table.get_yticklabels(), strict=True)):
        colour = PALETTE[row % len(PALETTE)]
        label.set_color(colour)
        for tick, count in zip(ticks, at_risk(group, ticks), strict=True):
            table.text(
                tick, row, str(count), ha="center", va="center", fontsize=_FONT - 1.5, color=colour
            )
    ax.tick_params(labelbottom=False)
    table.set_xlabel("Months (numbers at risk below)", fontsize=_FONT)
