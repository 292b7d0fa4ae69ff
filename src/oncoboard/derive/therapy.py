"""Line of therapy and prior exposures by drug class, from the treatment history."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from oncoboard.knowledge import DrugVocabulary, drug_vocabulary
from oncoboard.model import Case, Setting, StopReason, TreatmentLine

__all__ = ["Exposure", "LineOfTherapy", "current_line", "prior_exposures", "unknown_agents"]


@dataclass(frozen=True, slots=True)
class LineOfTherapy:
    """Where the patient is in metastatic treatment.

    ``number`` is the line currently given (``ongoing`` set) or, when no metastatic line is
    ongoing, the number of the next line to choose (``ongoing`` is None).
    """

    number: int
    ongoing: TreatmentLine | None
    completed: int


def _metastatic_lines(case: Case) -> list[TreatmentLine]:
    lines = [t for t in case.treatments if t.setting is Setting.METASTATIC]
    return sorted(lines, key=lambda t: (t.start_date, t.line or 0))


def current_line(case: Case) -> LineOfTherapy:
    """The current (or next) metastatic line.

    Explicit ``line`` numbers win; otherwise lines count in order of start date. Several
    entries with the same explicit number (e.g. a drug switched for toxicity) are one line.
    """
    lines = _metastatic_lines(case)
    numbers: list[int] = []
    for line in lines:
        numbers.append(line.line if line.line is not None else max(numbers, default=0) + 1)
    distinct = len(set(numbers))
    ongoing = [(number, line) for number, line in zip(numbers, lines, strict=True) if line.ongoing]
    if ongoing:
        number, line = max(ongoing, key=lambda pair: (pair[0], pair[1].start_date))
        return LineOfTherapy(number, line, completed=distinct - 1)
    return LineOfTherapy(max(numbers, default=0) + 1, None, completed=distinct)


@dataclass(frozen=True, slots=True)
class Exposure:
    """One agent given to the patient, as counted for a drug class."""

    agent: str
    setting: Setting
    line: int | None
    start_date: dt.date
    stop_date: dt.date | None
    progressed: bool
    stopped_for_toxicity: bool


def prior_exposures(
    case: Case, vocabulary: DrugVocabulary | None = None
) -> dict[str, list[Exposure]]:
    """Exposures grouped by drug class (all settings, including an ongoing line).

    Agents the vocabulary does not know are not counted here; :func:`unknown_agents` lists them
    so callers can flag them (validation rejects them unless marked investigational).
    """
    vocab = vocabulary or drug_vocabulary()
    by_class: dict[str, list[Exposure]] = defaultdict(list)
    for line in case.treatments:
        for agent in line.agents:
            drug = vocab.lookup(agent.name)
            if drug is None:
                continue
            exposure = Exposure(
                agent=drug.name,
                setting=line.setting,
                line=line.line,
                start_date=line.start_date,
                stop_date=agent.stop_date or line.stop_date,
                progressed=(agent.reason_stopped is StopReason.PROGRESSION)
                if agent.stop_date is not None
                else line.progressed,
                stopped_for_toxicity=StopReason.TOXICITY
                in (agent.reason_stopped, line.reason_stopped),
            )
            for drug_class in sorted(drug.classes):
                by_class[drug_class].append(exposure)
    return dict(by_class)


def unknown_agents(case: Case, vocabulary: DrugVocabulary | None = None) -> list[tuple[int, int]]:
    """(line index, agent index) of agents not in the vocabulary and not investigational."""
    vocab = vocabulary or drug_vocabulary()
    return [
        (i, j)
        for i, line in enumerate(case.treatments)
        for j, agent in enumerate(line.agents)
        if not agent.investigational and vocab.lookup(agent.name) is None
    ]
