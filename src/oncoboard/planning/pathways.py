"""Treatment pathways as data: regimens, pathway steps, incompatible classes, monitoring.

The data live in ``knowledge/data/regimens.yaml``; this module parses and validates them once.
Validation is strict because a wrong pathway is a wrong recommendation: every agent must be in
the drug vocabulary, every reference and knowledge-base entry must exist, every rule must be a
rule of :mod:`oncoboard.planning.rules`, and no regimen may combine two classes declared
incompatible, for any choice among its alternative agents.

References
----------
Oncoboard MBC fact sheet, section 3 (ESMO MBC guideline 2021 and Living Guideline, ASCO
HR+/HER2- guideline and rapid updates 2023/2024, NCCN Breast 2026, ESO-ESMO ABC5).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from oncoboard._resources import read_yaml
from oncoboard.errors import KnowledgeError
from oncoboard.knowledge import drug_vocabulary, knowledge_base
from oncoboard.model import Evidence, EvidenceSource
from oncoboard.planning.options import Grade, Intent, Monitoring
from oncoboard.planning.rules import RULES, rule_name

__all__ = [
    "Benefit",
    "Component",
    "Incompatibility",
    "Pathways",
    "Regimen",
    "Step",
    "pathways",
]

_FILE = "knowledge/data/regimens.yaml"


@dataclass(frozen=True, slots=True)
class Component:
    """One role in a regimen, filled by the first acceptable alternative.

    Each alternative is a tuple of agents given together (usually one agent; a chemotherapy
    doublet is two).
    """

    role: str
    alternatives: tuple[tuple[str, ...], ...]
    when: str | None = None
    note: str | None = None
    reuse_after_progression: bool = False
    prefer_current: bool = False


@dataclass(frozen=True, slots=True)
class Benefit:
    """Expected benefit quoted from the pivotal trial, optionally tied to an agent or step."""

    text: str
    verified: bool
    agent: str | None = None
    step: str | None = None


@dataclass(frozen=True, slots=True)
class Regimen:
    """A regimen: its components, how they are combined, and its evidence."""

    id: str
    name: str
    intent: Intent
    components: tuple[Component, ...]
    procedure: str | None
    combination: str
    schedule: str
    grade: Grade
    evidence: tuple[Evidence, ...]
    benefit: tuple[Benefit, ...]


@dataclass(frozen=True, slots=True)
class Step:
    """A pathway step: the situation in which a regimen is offered, and its rank there."""

    id: str
    order: int
    subtypes: frozenset[str] | None
    min_line: int | None
    max_line: int | None
    applies: tuple[str, ...]
    requires: tuple[str, ...]
    kb_entry: str | None
    kb_context: bool
    regimen: str
    rank: int
    crisis_rank: int | None
    brain_rank: int | None
    evidence: tuple[Evidence, ...]
    why: str

    def covers_line(self, line: int) -> bool:
        """True if the step is for metastatic line ``line``."""
        return (self.min_line is None or line >= self.min_line) and (
            self.max_line is None or line <= self.max_line
        )


@dataclass(frozen=True, slots=True)
class Incompatibility:
    """Two drug classes that are never given together (the same class twice: two agents)."""

    first: str
    second: str
    reason: str
    evidence: Evidence


class Pathways:
    """The loaded and validated pathway data."""

    def __init__(self, data: Any, origin: str = _FILE) -> None:
        if not isinstance(data, dict) or not {"version", "regimens", "steps"} <= data.keys():
            raise KnowledgeError(f"{origin}: expected keys version, references, regimens, steps")
        self.origin = origin
        self.version = str(data["version"])
        self.date = str(data.get("date", ""))
        self.references = {
            key: _evidence(value, f"{origin}: references.{key}")
            for key, value in dict(data.get("references", {})).items()
        }
        self.incompatible = tuple(
            self._incompatibility(raw, f"{origin}: incompatible[{index}]")
            for index, raw in enumerate(data.get("incompatible", []))
        )
        self.monitoring: dict[str, tuple[Monitoring, ...]] = {
            str(key): tuple(Monitoring.model_validate(item) for item in items)
            for key, items in dict(data.get("monitoring", {})).items()
        }
        self.regimens: dict[str, Regimen] = {
            str(key): self._regimen(str(key), raw, f"{origin}: regimens.{key}")
            for key, raw in dict(data["regimens"]).items()
        }
        self.steps = tuple(
            self._step(raw, index, f"{origin}: steps[{index}]")
            for index, raw in enumerate(data["steps"])
        )
        ids = [s.id for s in self.steps]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise KnowledgeError(f"{origin}: duplicate step ids {duplicates!r}")
        self._check_monitoring_keys()

    @property
    def label(self) -> str:
        """``Oncoboard MBC pathways VERSION (DATE)``, printed in every plan."""
        return f"Oncoboard MBC pathways {self.version} ({self.date})"

    def conflicts(self, agents: Iterable[str]) -> list[str]:
        """Reasons why ``agents`` cannot be given together (empty if they can)."""
        vocabulary = drug_vocabulary()
        classes = []
        for name in agents:
            drug = vocabulary.lookup(name)
            classes.append((name, drug.classes if drug else frozenset()))
        reasons = []
        for (a, a_classes), (b, b_classes) in itertools.combinations(classes, 2):
            for rule in self.incompatible:
                if (rule.first in a_classes and rule.second in b_classes) or (
                    rule.second in a_classes and rule.first in b_classes
                ):
                    reasons.append(f"{a} + {b}: {rule.reason}")
        return reasons

    def _ref(self, key: str, where: str) -> Evidence:
        try:
            return self.references[key]
        except KeyError:
            raise KnowledgeError(f"{where}: unknown reference {key!r}") from None

    def _incompatibility(self, raw: Mapping[str, Any], where: str) -> Incompatibility:
        try:
            first, second = raw["classes"]
            rule = Incompatibility(
                str(first), str(second), str(raw["reason"]), self._ref(raw["source"], where)
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise KnowledgeError(f"{where}: expected classes [a, b], reason, source") from exc
        unknown = {rule.first, rule.second} - drug_vocabulary().classes.keys()
        if unknown:
            raise KnowledgeError(f"{where}: unknown drug classes {sorted(unknown)!r}")
        return rule

    def _regimen(self, key: str, raw: Mapping[str, Any], where: str) -> Regimen:
        try:
            components = tuple(
                self._component(c, f"{where}.components[{i}]")
                for i, c in enumerate(raw.get("components", []))
            )
            regimen = Regimen(
                id=key,
                name=str(raw["name"]),
                intent=Intent(raw.get("intent", "systemic")),
                components=components,
                procedure=raw.get("procedure"),
                combination=str(raw["combination"]),
                schedule=str(raw["schedule"]),
                grade=Grade(raw["grade"]),
                evidence=tuple(self._ref(k, where) for k in raw.get("evidence", [])),
                benefit=tuple(
                    Benefit(
                        text=str(b["text"]),
                        verified=bool(b["verified"]),
                        agent=b.get("agent"),
                        step=b.get("when_step"),
                    )
                    for b in raw.get("benefit", [])
                ),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise KnowledgeError(f"{where}: missing or malformed field {exc}") from exc
        if not components and regimen.procedure is None:
            raise KnowledgeError(f"{where}: a regimen needs components or a procedure")
        for choice in itertools.product(*(c.alternatives for c in components)):
            agents = [agent for group in choice for agent in group]
            conflicts = self.conflicts(agents)
            if conflicts:
                raise KnowledgeError(f"{where}: incompatible combination: {conflicts[0]}")
        return regimen

    def _component(self, raw: Mapping[str, Any], where: str) -> Component:
        alternatives = tuple(
            (str(a),) if isinstance(a, str) else tuple(str(x) for x in a) for a in raw["agents"]
        )
        vocabulary = drug_vocabulary()
        for group in alternatives:
            for agent in group:
                drug = vocabulary.lookup(agent)
                if drug is None or drug.name != agent:
                    raise KnowledgeError(
                        f"{where}: agent {agent!r} is not a generic name of the drug vocabulary"
                    )
        when = raw.get("when")
        if when is not None and rule_name(when) not in RULES:
            raise KnowledgeError(f"{where}: unknown rule {when!r}")
        return Component(
            role=str(raw["role"]),
            alternatives=alternatives,
            when=when,
            note=raw.get("note"),
            reuse_after_progression=bool(raw.get("reuse_after_progression", False)),
            prefer_current=bool(raw.get("prefer_current", False)),
        )

    def _step(self, raw: Mapping[str, Any], order: int, where: str) -> Step:
        try:
            lines = raw.get("lines", {})
            step = Step(
                id=str(raw["id"]),
                order=order,
                subtypes=frozenset(raw["subtypes"]) if "subtypes" in raw else None,
                min_line=lines.get("min"),
                max_line=lines.get("max"),
                applies=tuple(raw.get("applies", [])),
                requires=tuple(raw.get("requires", [])),
                kb_entry=raw.get("kb_entry"),
                kb_context=raw.get("kb_context", "apply") != "ignore",
                regimen=str(raw["regimen"]),
                rank=int(raw["rank"]),
                crisis_rank=raw.get("crisis_rank"),
                brain_rank=raw.get("brain_rank"),
                evidence=tuple(self._ref(k, where) for k in raw.get("evidence", [])),
                why=str(raw["why"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise KnowledgeError(f"{where}: missing or malformed field {exc}") from exc
        where = f"{where} ({step.id})"
        if step.regimen not in self.regimens:
            raise KnowledgeError(f"{where}: unknown regimen {step.regimen!r}")
        for rule in (*step.applies, *step.requires):
            if rule_name(rule) not in RULES:
                raise KnowledgeError(f"{where}: unknown rule {rule!r}")
        if step.kb_entry is not None and step.kb_entry not in {
            e.id for e in knowledge_base().entries
        }:
            raise KnowledgeError(f"{where}: unknown knowledge-base entry {step.kb_entry!r}")
        regimen = self.regimens[step.regimen]
        if not step.evidence and not regimen.evidence and step.kb_entry is None:
            raise KnowledgeError(f"{where}: no evidence (step, regimen or knowledge-base entry)")
        return step

    def _check_monitoring_keys(self) -> None:
        vocabulary = drug_vocabulary()
        for key in self.monitoring:
            drug = vocabulary.lookup(key)
            if key not in vocabulary.classes and (drug is None or drug.name != key):
                raise KnowledgeError(
                    f"{self.origin}: monitoring.{key}: not a drug class or generic drug name"
                )


def _evidence(raw: Mapping[str, Any], where: str) -> Evidence:
    try:
        return Evidence(
            source=EvidenceSource(raw["source"]),
            id=str(raw["id"]),
            title=str(raw["title"]),
            verified=bool(raw.get("verified", False)),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise KnowledgeError(f"{where}: expected source, id, title, verified") from exc


@cache
def pathways() -> Pathways:
    """The packaged pathways (parsed and validated once)."""
    return Pathways(read_yaml("oncoboard.knowledge.data", "regimens.yaml"))
