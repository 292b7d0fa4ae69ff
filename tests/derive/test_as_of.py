"""The case as known on a date: later results, lines and events are not seen."""

from __future__ import annotations

import datetime as dt

from typer.testing import CliRunner

from oncoboard.cli import app
from oncoboard.derive import case_as_of
from oncoboard.io import load_case
from oncoboard.monitoring import AlertKind, monitor_case
from oncoboard.planning import plan_case
from tests.conftest import EXAMPLES

MBC_005 = next(EXAMPLES.glob("mbc-005*"))
ON_FIRST_LINE = dt.date(2024, 1, 20)  # on letrozole + palbociclib, ESR1 D538G seen 2023-06-19


def test_later_lines_results_and_outcomes_are_left_out() -> None:
    case = case_as_of(load_case(MBC_005), ON_FIRST_LINE)
    assert case.as_of == ON_FIRST_LINE
    assert [t.id for t in case.treatments] == ["ADJ-ET", "L1"]
    first = case.treatments[1]
    assert first.ongoing and not first.progressed  # stopped for progression only in 2025
    assert first.stop_date is None and first.progression_date is None
    assert [d.date.isoformat() for d in case.liquid_biopsies] == [
        "2022-06-28",
        "2023-06-19",
        "2024-01-15",
    ]
    assert [r.id for r in case.genomic_reports] == ["MBC-005-G360-2022"]
    assert max(i.date for i in case.imaging) <= ON_FIRST_LINE
    assert all(e.onset_date <= ON_FIRST_LINE for e in case.adverse_events)
    assert max(m.date for m in case.tumor_markers) <= ON_FIRST_LINE


def test_plan_as_of_sees_the_first_line_ongoing() -> None:
    later = plan_case(load_case(MBC_005))
    then = plan_case(load_case(MBC_005), as_of=ON_FIRST_LINE)
    assert then.as_of == ON_FIRST_LINE
    assert then.current_regimen == "letrozole + palbociclib"
    assert (then.line, later.line) == (2, 3)
    # today elacestrant is set aside as currently given; in January 2024 it was not yet given
    assert any(e.name == "Elacestrant" for e in later.excluded)
    assert not any(e.name == "Elacestrant" for e in then.excluded)


def test_monitor_as_of_makes_the_2023_esr1_alert_current() -> None:
    report = monitor_case(case_as_of(load_case(MBC_005), ON_FIRST_LINE))
    assert report.line_agents == ("letrozole", "palbociclib")
    (alert,) = [a for a in report.alerts if a.kind is AlertKind.EMERGENT_RESISTANCE]
    assert alert.date.isoformat() == "2023-06-19"
    # on the ongoing line now, but the variant is only in monitoring draws, not in a
    # genomic report the planner reads: no options, and the action says why
    assert alert.suggested_options == ()
    assert "planner reads variants from genomic reports" in alert.action


def test_monitor_cli_as_of() -> None:
    result = CliRunner().invoke(app, ["monitor", str(MBC_005), "--as-of", "2024-01-20", "--json"])
    assert result.exit_code == 0, result.stderr
    assert '"as_of": "2024-01-20"' in result.stdout
    assert '"line_start": "2022-07-01"' in result.stdout
