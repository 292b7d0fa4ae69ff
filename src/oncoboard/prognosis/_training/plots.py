"""Figures of the model cards (matplotlib, Agg backend): survival by risk group, calibration
at 5 years, and metastatic-site patterns."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import polars as pl

from oncoboard.prognosis.sites import HEADLINE_SITES, kennecke_2010

__all__ = ["calibration_figure", "risk_group_figure", "site_figure"]

_GROUP_COLOURS = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e")
_GROUP_NAMES = ("low", "intermediate", "high")


def _step_curve(time: np.ndarray, event: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cumulative incidence of event 1 (Aalen-Johansen; equals 1 - KM without code 2)."""
    times, inverse = np.unique(time, return_inverse=True)
    at_risk = np.cumsum(np.bincount(inverse, minlength=times.size)[::-1])[::-1].astype(float)
    d1 = np.bincount(inverse, weights=(event == 1).astype(float), minlength=times.size)
    d_all = np.bincount(inverse, weights=(event > 0).astype(float), minlength=times.size)
    surv_before = np.cumprod(np.concatenate(([1.0], 1 - d_all / at_risk)))[:-1]
    cif = np.cumsum(surv_before * d1 / at_risk)
    return np.concatenate(([0.0], times)), np.concatenate(([0.0], cif))


def risk_group_figure(panels: list[dict[str, Any]], path: Path, years: float = 10) -> None:
    """Cumulative incidence by risk group (5-year risk below, between, above the panel's
    ``cutpoints``).

    Each panel: ``title``, ``time``, ``event`` (codes 0/1/2), ``risk``, ``cutpoints`` (two
    5-year risks) and ``ylabel``.
    """
    figure, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 3.8), squeeze=False)
    for axis, panel in zip(axes[0], panels, strict=True):
        cutpoints = panel["cutpoints"]
        group = np.searchsorted(np.array(cutpoints), panel["risk"], side="right")
        for g, name in enumerate(_GROUP_NAMES):
            members = group == g
            if not members.any():
                continue
            x, y = _step_curve(panel["time"][members], panel["event"][members])
            events = int(np.sum(panel["event"][members] == 1))
            axis.step(
                x,
                y,
                where="post",
                color=_GROUP_COLOURS[g],
                label=f"{name} (n={int(members.sum())}, events={events})",
            )
        axis.set_xlim(0, years)
        axis.set_ylim(0, 1)
        axis.set_xlabel("years")
        axis.set_ylabel(panel["ylabel"])
        low, high = cutpoints
        axis.set_title(
            f"{panel['title']}\n5-y risk groups: < {low:.1%}, {low:.1%}–{high:.1%}, > {high:.1%}",
            fontsize=8,
        )
        axis.legend(fontsize=7, loc="upper left")
        axis.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def calibration_figure(panels: list[dict[str, Any]], path: Path) -> None:
    """Predicted vs observed 5-year risk by risk group; one panel per analysis.

    Each panel: ``title`` and ``groups`` (rows of ``calibration_groups``); observed is
    1 - KM with its 95% interval, plus the Aalen-Johansen incidence where present.
    """
    figure, axes = plt.subplots(1, len(panels), figsize=(3.8 * len(panels), 3.8), squeeze=False)
    for axis, panel in zip(axes[0], panels, strict=True):
        rows = panel["groups"]
        predicted = np.array([r["predicted"] for r in rows])
        observed = np.array([r["observed_km"] for r in rows])
        low = np.array([r["observed_km_low"] for r in rows])
        high = np.array([r["observed_km_high"] for r in rows])
        recal = [r.get("predicted_recalibrated", 0.0) for r in rows]
        top = float(max(high.max(), predicted.max(), max(recal), 0.1)) * 1.1
        axis.plot([0, top], [0, top], color="grey", linestyle="--", linewidth=1)
        axis.errorbar(
            predicted,
            observed,
            yerr=[observed - low, high - observed],
            fmt="o",
            color="#1b9e77",
            label="1 - Kaplan-Meier (95% CI)",
        )
        if "predicted_recalibrated" in rows[0]:
            recalibrated = np.array([r["predicted_recalibrated"] for r in rows])
            axis.plot(recalibrated, observed, "^", color="#7570b3", label="baseline recalibrated")
        if "observed_cif" in rows[0]:
            cif = np.array([r["observed_cif"] for r in rows])
            axis.plot(predicted, cif, "s", color="#d95f02", label="Aalen-Johansen (competing)")
        axis.set_xlim(0, top)
        axis.set_ylim(0, top)
        axis.set_xlabel("predicted 5-year risk")
        axis.set_ylabel("observed 5-year risk")
        axis.set_title(panel["title"], fontsize=9)
        axis.legend(fontsize=7, loc="lower right")
        axis.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def site_figure(table: pl.DataFrame, path: Path) -> None:
    """Percent of patients with a sequenced biopsy at bone/liver/lung/brain, by subtype,
    with Wilson intervals; Kennecke 2010 figures (unverified) as markers."""
    subtypes = list(table["subtype"].unique(maintain_order=True).to_list())
    figure, axis = plt.subplots(figsize=(9, 4.2))
    width = 0.8 / len(HEADLINE_SITES)
    for i, site in enumerate(HEADLINE_SITES):
        rows = {r["subtype"]: r for r in table.filter(pl.col("site") == site).iter_rows(named=True)}
        x = np.arange(len(subtypes)) + (i - 1.5) * width
        values = np.array([rows[s]["percent"] if s in rows else 0.0 for s in subtypes])
        low = np.array([rows[s]["ci_low"] if s in rows else 0.0 for s in subtypes])
        high = np.array([rows[s]["ci_high"] if s in rows else 0.0 for s in subtypes])
        axis.bar(x, values, width, color=_GROUP_COLOURS[i], label=f"{site} (MSK biopsy site)")
        axis.errorbar(x, values, yerr=[values - low, high - values], fmt="none", color="black")
        for j, subtype in enumerate(subtypes):
            published = [
                f.percent for f in kennecke_2010() if f.site == site and f.subtype == subtype
            ]
            if published:
                axis.plot([x[j]] * len(published), published, "_", color="black", markersize=10)
    axis.plot([], [], "_", color="black", label="Kennecke 2010, any site of relapse (unverified)")
    axis.set_xticks(np.arange(len(subtypes)), subtypes)
    axis.set_ylabel("% of patients")
    axis.set_title(
        "MSK 2018: site of the sequenced metastatic biopsy (not all sites of disease)", fontsize=10
    )
    axis.set_ylim(0, 95)
    axis.legend(fontsize=7, ncol=3, loc="upper center")
    axis.grid(axis="y", alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
