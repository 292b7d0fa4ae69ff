"""``oncoboard monitor``: RECIST/iRECIST, PERCIST, RANO-BM, ctDNA, emergent alterations with the
planner's options, tumour-marker trends, alerts and timeline of a case."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from oncoboard import __version__
from oncoboard.cli._console import DISCLAIMER, err, out
from oncoboard.errors import OncoboardError

if TYPE_CHECKING:  # the monitoring engines load when the verb runs, not at start-up
    from oncoboard.monitoring.report import MonitoringReport

__all__ = ["register"]

MONITOR_FORMAT_VERSION = "2"  # 2: markers, percist, rano_bm, alert criterion and options


def _num(value: float | None, fmt: str = "g", suffix: str = "") -> str:
    return "—" if value is None else f"{value:{fmt}}{suffix}"


def _print_alerts(report: MonitoringReport) -> None:
    if not report.alerts:
        out.print("Alerts: none")
        return
    out.print("[bold]Alerts[/bold]")
    for alert in report.alerts:
        criterion = f" ({escape(alert.criterion)})" if alert.criterion else ""
        out.print(
            f"  • {alert.date.isoformat()} [bold]{alert.kind.value}[/bold]{criterion}: "
            f"{escape(alert.detail)} → {escape(alert.action)}"
        )
        if alert.suggested_options:
            out.print(
                "      options in the current plan: "
                + "; ".join(
                    f"{o.rank if o.rank is not None else '-'}. {o.name} [grade {o.grade}]"
                    for o in alert.suggested_options
                ),
                markup=False,
            )
    if report.plan_note:
        out.print(f"  (no planner options: {report.plan_note})", markup=False)


def _print_pet_and_brain(report: MonitoringReport) -> None:
    pet = report.percist
    if pet is not None:
        provisional = (
            f" (would be {pet.provisional_response.value} if the baseline lesion is measurable)"
            if pet.provisional_response is not None
            else ""
        )
        out.print(
            f"PERCIST 1.0 {pet.baseline_date.isoformat()} → {pet.follow_up_date.isoformat()}: "
            f"{pet.response.value}{provisional}; hottest SULpeak {pet.baseline_sul_peak:g} → "
            f"{_num(pet.follow_up_sul_peak)} ({_num(pet.change_pct, '+.1f', '%')}); threshold "
            f"{_num(pet.threshold_sul, '.2f')}"
            + (f" ({pet.threshold_reference})" if pet.threshold_reference else " (no reference)"),
            markup=False,
        )
    elif report.percist_note:
        out.print(f"PERCIST: {report.percist_note}", markup=False)
    brain = report.rano_bm
    if brain is not None:
        points = ", ".join(
            f"{t.date.isoformat()} {t.response.value}"
            + (f" (sum {t.sum_mm:g} mm)" if t.sum_mm is not None else "")
            for t in brain.timepoints
        )
        out.print(
            f"RANO-BM (CNS; baseline {brain.baseline_date.isoformat()}, sum "
            f"{_num(brain.baseline_sum_mm)} mm): {points or 'no follow-up'}; best "
            f"{brain.best_response.value}",
            markup=False,
        )
    elif report.rano_bm_note:
        out.print(f"RANO-BM: {report.rano_bm_note}", markup=False)


def _print_markers(report: MonitoringReport) -> None:
    if not report.markers:
        return
    out.print("[bold]Tumour markers[/bold] (trend only; never used alone to call progression)")
    for trend in report.markers:
        unit = trend.latest.unit
        series = " → ".join(f"{p.value:g}" for p in trend.values)
        base = trend.line_baseline
        nadir = trend.nadir
        uln = trend.latest.uln_multiple
        out.print(
            f"  {trend.marker.value} ({unit}): {series}; line baseline "
            + (f"{base.value:g} ({base.date.isoformat()})" if base else "unknown")
            + (f", nadir {nadir.value:g} ({nadir.date.isoformat()})" if nadir else "")
            + f", latest {trend.latest.value:g} ({trend.latest.date.isoformat()}"
            + (f", {uln:.2f} x ULN" if uln is not None else "")
            + f"): {_num(trend.change_from_baseline_pct, '+.1f', '%')} vs baseline, "
            f"{_num(trend.change_from_nadir_pct, '+.1f', '%')} vs nadir",
            markup=False,
        )
        if trend.early_values:
            out.print(
                "    values in the first 6 weeks of the line: a rise then may be spurious",
                markup=False,
            )


def _print(report: MonitoringReport) -> None:
    agents = " + ".join(report.line_agents) or "no metastatic line"
    since = f" since {report.line_start.isoformat()}" if report.line_start else ""
    out.print(f"[bold]Monitoring: {escape(report.patient_id)}[/bold] — {escape(agents)}{since}")
    _print_alerts(report)
    if report.recist is not None:
        series = report.recist
        table = Table(
            title=f"RECIST 1.1 (baseline {series.baseline_date.isoformat()}, "
            f"sum {series.baseline_sum_mm} mm)"
        )
        for column in ("date", "modality", "sum mm", "vs baseline", "vs nadir", "overall"):
            table.add_column(column)
        for t in series.timepoints:
            table.add_row(
                t.date.isoformat(),
                t.modality.value,
                "—" if t.sum_mm is None else f"{t.sum_mm:g}",
                "—"
                if t.change_from_baseline_pct is None
                else f"{t.change_from_baseline_pct:+.0f}%",
                "—" if t.change_from_nadir_mm is None else f"{t.change_from_nadir_mm:+g} mm",
                t.overall_response.value,
            )
        out.print(table)
        best = series.best_overall_response
        out.print(f"best overall response: {best.response.value}", markup=False)
        for skipped in series.skipped:
            out.print(f"  not in the RECIST series: {skipped}", markup=False)
    else:
        out.print(f"RECIST: {report.recist_note}", markup=False)
    if report.irecist is not None:
        out.print(
            "iRECIST (checkpoint inhibitor on this line): "
            + ", ".join(
                f"{t.date.isoformat()} {t.irecist_response.value}"
                for t in report.irecist.timepoints
            ),
            markup=False,
        )
    _print_pet_and_brain(report)
    for result in report.molecular:
        out.print(
            f"ctDNA {result.date.isoformat()}: {result.call.value} — {result.detail}", markup=False
        )
    for item in report.emergent:
        out.print(f"new in plasma: {item.detail} ({item.status.value})", markup=False)
    _print_markers(report)
    out.print("[bold]Timeline[/bold]")
    for event in report.timeline:
        out.print(f"  {event.date.isoformat()}  {event.kind:<16} {escape(event.summary)}")
    out.print(f"[dim]{DISCLAIMER}[/dim]")


def monitor(
    case_path: Annotated[Path, typer.Argument(help="Case file (YAML or JSON).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print stable JSON.")] = False,
    as_of: Annotated[
        dt.datetime | None,
        typer.Option(
            "--as-of",
            formats=["%Y-%m-%d"],
            help="Monitor as on this date: later results, lines and events are not seen.",
        ),
    ] = None,
) -> None:
    """Response on the current line: RECIST/PERCIST/RANO-BM, ctDNA, markers, alerts, timeline."""
    from oncoboard.derive import case_as_of
    from oncoboard.io import load_case
    from oncoboard.monitoring.report import monitor_case

    try:
        case = load_case(case_path)
        if as_of is not None:
            case = case_as_of(case, as_of.date())
        report = monitor_case(case)
    except OncoboardError as exc:
        err.print(f"error: {exc}", markup=False)
        raise typer.Exit(1) from exc
    if as_json:
        document = {
            "format_version": MONITOR_FORMAT_VERSION,
            "oncoboard_version": __version__,
            "disclaimer": DISCLAIMER,
            "input": {
                "path": str(case_path),
                "as_of": as_of.date().isoformat() if as_of else None,
            },
            "report": report.model_dump(mode="json"),
        }
        out.file.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        return
    _print(report)


def register(app: typer.Typer) -> None:
    """Add this module's verb to ``app``."""
    app.command()(monitor)
