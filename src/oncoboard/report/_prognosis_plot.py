"""The prognosis figure of the tumour-board report: the patient's estimate against the model's
training cohort (Kaplan-Meier by risk group) and the model's calibration.

Left: the patient's cumulative risk of the endpoint from the model's time origin with its 95%
band, the training cohort's delayed-entry Kaplan-Meier curves by tertile of cross-validated
risk, "now" (the years already survived) and the window the estimates are for. Right: mean
predicted against observed risk by quintile (cross-validated), at 2 and 5 years. The data of
both come with the model (:func:`oncoboard.prognosis._registry.validation_summary`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from oncoboard.prognosis import OutOfDomain, load_model
from oncoboard.prognosis._registry import validation_summary
from oncoboard.report._plots import _FONT, Plot, _to_svg

if TYPE_CHECKING:
    from oncoboard.prognosis import PrognosisResult

__all__ = ["prognosis_plots"]

_PATIENT = "#222222"
_GROUPS = ("#1b9e77", "#d95f02", "#7570b3")
_CALIBRATION = {"2y": "#1f77b4", "5y": "#9467bd"}


def _patient_curve(
    result: PrognosisResult,
) -> tuple[list[float], list[float], list[float], list[float]]:
    """(years, risk, low, high) of the patient from the time origin, on the model's grid."""
    model = load_model(result.model_id)
    covariates = dict(result.covariates)
    times = [g.time_years for g in model.artefact.grid[1:]] or list(model.horizons)
    years, risk, low, high = [0.0], [0.0], [0.0], [0.0]
    for t in times:
        try:
            estimate = model.predict(covariates, horizon_years=t)
        except OutOfDomain:
            break
        years.append(t)
        risk.append(estimate.risk)
        low.append(estimate.ci_low)
        high.append(estimate.ci_high)
    return years, risk, low, high


def _survival_panel(ax: Any, result: PrognosisResult, summary: dict[str, Any] | None) -> None:
    if summary is not None:
        grid = summary["grid_years"]
        for colour, group in zip(_GROUPS, summary["risk_groups"], strict=False):
            ax.step(grid, group["cumulative_incidence"], where="post", color=colour,
                    linewidth=1.0, alpha=0.75,
                    label=f"cohort, {group['name']} risk (n={group['n']})")  # fmt: skip
    years, risk, low, high = _patient_curve(result)
    ax.fill_between(years, low, high, step="post", color=_PATIENT, alpha=0.12, linewidth=0)
    ax.step(years, risk, where="post", color=_PATIENT, linewidth=1.8, label="this patient")
    if result.given_years:
        ax.axvline(result.given_years, color=_PATIENT, linestyle=":", linewidth=1)
        ax.text(result.given_years, 0.02, " now", fontsize=_FONT - 1, va="bottom")
    last = max((e.horizon_years for e in result.estimates), default=0.0)
    if last:
        ax.axvspan(result.given_years, result.given_years + last, color="#f2c14e", alpha=0.15)
    ax.set_xlim(0, max(years[-1], result.given_years + last))
    ax.set_ylim(0, 1)
    ax.set_xlabel("years from " + load_model(result.model_id).time_origin, fontsize=_FONT)
    ax.set_ylabel("cumulative risk", fontsize=_FONT)
    ax.legend(fontsize=_FONT - 2, loc="lower right", frameon=False)


def _calibration_panel(ax: Any, summary: dict[str, Any]) -> None:
    top = 0.0
    for key, rows in summary["calibration"].items():
        predicted = [r["predicted"] for r in rows]
        observed = [r["observed_km"] for r in rows]
        errors = [
            [o - r["observed_km_low"] for o, r in zip(observed, rows, strict=True)],
            [r["observed_km_high"] - o for o, r in zip(observed, rows, strict=True)],
        ]
        ax.errorbar(predicted, observed, yerr=errors, fmt="o", markersize=3.5, capsize=2,
                    color=_CALIBRATION.get(key, "#555555"),
                    label=f"{key.removesuffix('y')} years")  # fmt: skip
        top = max(top, *predicted, *(r["observed_km_high"] for r in rows))
    top = min(1.0, top * 1.08)
    ax.plot([0, top], [0, top], color="#999999", linestyle="--", linewidth=0.8)
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    ax.set_xlabel("predicted (cross-validated)", fontsize=_FONT)
    ax.set_ylabel("observed (Kaplan-Meier)", fontsize=_FONT)
    ax.set_title("calibration by quintile", fontsize=_FONT)
    ax.legend(fontsize=_FONT - 2, loc="upper left", frameon=False)


def _plot(result: PrognosisResult) -> Plot:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    summary = validation_summary(result.model_id)
    fig = Figure(figsize=(6.6, 2.9), dpi=100)
    axes = fig.subplots(1, 2 if summary else 1, squeeze=False)[0]
    for ax in axes:
        ax.tick_params(labelsize=_FONT)
        ax.grid(True, color="#dddddd", linewidth=0.6)
        for spine in ("top", "right"):
            ax.spines[spine].set_visible(False)
    _survival_panel(axes[0], result, summary)
    if summary:
        _calibration_panel(axes[1], summary)
    caption = (
        f"{result.endpoint}: this patient's cumulative risk from the model (95% band), "
        "the window of the estimates shaded"
        + (
            "; the training cohort's delayed-entry Kaplan-Meier curves by tertile of "
            "cross-validated risk, and the model's calibration by quintile "
            f"({summary['source']})"
            if summary
            else ""
        )
        + f". Model card: {result.card}."
    )
    return _to_svg(fig, f"ob-prognosis-{result.model_id}", f"Prognosis: {result.model_id}", caption)


def prognosis_plots(results: tuple[PrognosisResult, ...] | None) -> dict[str, Plot]:
    """A figure per model that applies to the patient, keyed by model id."""
    return {r.model_id: _plot(r) for r in results or () if r.applicable}
