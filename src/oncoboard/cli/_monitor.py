"""``oncoboard monitor``: RECIST, ctDNA, emergent alterations, alerts and timeline of a case."""

from __future__ import annotations

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

MONITOR_FORMAT_VERSION = "1"


def _print(report: MonitoringReport) -> None:
    agents = " + ".join(report.line_agents) or "no metastatic line"
    since = f" since {report.line_start.isoformat()}" if report.line_start else ""
    out.print(f"[bold]Monitoring: {escape(report.patient_id)}[/bold] — {escape(agents)}{since}")
    if report.alerts:
        out.print("[bold]Alerts[/bold]")
        for alert in report.alerts:
            out.print(
                f"  • {alert.date.isoformat()} [bold]{alert.kind.value}[/bold]: "
                f"{escape(alert.detail)} → {escape(alert.action)}"
            )
    else:
        out.print("Alerts: none")
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
    for result in report.molecular:
        out.print(
            f"ctDNA {result.date.isoformat()}: {result.call.value} — {result.detail}", markup=False
        )
    for item in report.emergent:
        out.print(f"new in plasma: {item.detail} ({item.status.value})", markup=False)
    out.print("[bold]Timeline[/bold]")
    for event in report.timeline:
        out.print(f"  {event.date.isoformat()}  {event.kind:<16} {escape(event.summary)}")
    out.print(f"[dim]{DISCLAIMER}[/dim]")


def monitor(
    case_path: Annotated[Path, typer.Argument(help="Case file (YAML or JSON).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print stable JSON.")] = False,
) -> None:
    """Response on the current line: RECIST 1.1, ctDNA, emergent alterations, alerts, timeline."""
    from oncoboard.io import load_case
    from oncoboard.monitoring.report import monitor_case

    try:
        report = monitor_case(load_case(case_path))
    except OncoboardError as exc:
        err.print(f"error: {exc}", markup=False)
        raise typer.Exit(1) from exc
    if as_json:
        document = {
            "format_version": MONITOR_FORMAT_VERSION,
            "oncoboard_version": __version__,
            "disclaimer": DISCLAIMER,
            "input": {"path": str(case_path)},
            "report": report.model_dump(mode="json"),
        }
        out.file.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        return
    _print(report)


def register(app: typer.Typer) -> None:
    """Add this module's verb to ``app``."""
    app.command()(monitor)
