"""The case as it was known on a date: what a tumour board on that day could have seen.

Everything dated after ``as_of`` is left out (tests, labs, imaging, plasma draws, markers,
adverse events, medications and local therapies started later, metastatic sites documented
later); lines of therapy started later are dropped, and a line that ended, progressed or had
an agent stopped after ``as_of`` is shown as ongoing then. A visceral crisis or a metastatic
recurrence dated later is not yet known. Undated facts (comorbidities without an onset date,
lifestyle, preferences) are kept: there is no date to judge them by.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from oncoboard.model import Case

__all__ = ["case_as_of"]

_DATED_SECTIONS = {
    "metastatic_sites": "date",
    "receptors": "date",
    "performance_status": "date",
    "labs": "date",
    "genomic_reports": "date",
    "biomarkers": "date",
    "imaging": "date",
    "liquid_biopsies": "date",
    "tumor_markers": "date",
    "adverse_events": "onset_date",
    "local_therapies": "start_date",
    "medications": "start_date",
    "comorbidities": "onset_date",
}
_LINE_OUTCOME = ("stop_date", "reason_stopped", "progression_date", "best_response")


def _known(item: dict[str, Any], field: str, as_of: dt.date) -> bool:
    value = item.get(field)
    return value is None or value <= as_of


def _line_then(line: dict[str, Any], as_of: dt.date) -> dict[str, Any]:
    line = dict(line)
    ended_later = line.get("stop_date") is not None and line["stop_date"] > as_of
    progressed_later = line.get("progression_date") is not None and line["progression_date"] > as_of
    if ended_later or progressed_later:
        for field in _LINE_OUTCOME:
            line.pop(field, None)
    agents = []
    for agent in line.get("agents", []):
        agent = dict(agent)
        if agent.get("stop_date") is not None and agent["stop_date"] > as_of:
            agent.pop("stop_date", None)
            agent.pop("reason_stopped", None)
        agents.append(agent)
    line["agents"] = agents
    return line


def case_as_of(case: Case, as_of: dt.date) -> Case:
    """``case`` restricted to what was known on ``as_of`` (see the module docstring).

    The result has ``as_of`` set and is validated again, so it is a valid case.
    """
    document = case.model_dump(mode="python", exclude_defaults=True)
    document["schema_version"] = case.schema_version
    document["as_of"] = as_of
    for section, field in _DATED_SECTIONS.items():
        if section in document:
            document[section] = [i for i in document[section] if _known(i, field, as_of)]
    document["treatments"] = [
        _line_then(line, as_of)
        for line in document.get("treatments", [])
        if line["start_date"] <= as_of
    ]
    for event in document.get("adverse_events", []):
        if event.get("resolved_date") is not None and event["resolved_date"] > as_of:
            event.pop("resolved_date")
    for medication in document.get("medications", []):
        if medication.get("stop_date") is not None and medication["stop_date"] > as_of:
            medication.pop("stop_date")
    crisis = document.get("visceral_crisis")
    if crisis is not None and crisis["date"] > as_of:
        document.pop("visceral_crisis")
    diagnosis = document["primary_diagnosis"]
    recurrence = diagnosis.get("metastatic_recurrence_date")
    if recurrence is not None and recurrence > as_of:
        diagnosis.pop("metastatic_recurrence_date")
    return Case.model_validate(document)
