"""Interaction perpetrators (``data/interactions.yaml``): CYP3A/CYP2D6 inhibitors and inducers
and QT-prolonging drugs, matched case-insensitively against medications and supplements."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from oncoboard._resources import read_yaml
from oncoboard.errors import KnowledgeError

__all__ = ["Interactions", "interactions"]

_GROUPS = (
    "strong_cyp3a_inhibitors",
    "moderate_cyp3a_inhibitors",
    "strong_cyp3a_inducers",
    "moderate_cyp3a_inducers",
    "strong_cyp2d6_inhibitors",
    "qt_prolonging",
)


@dataclass(frozen=True, slots=True)
class Interactions:
    """Perpetrator names by group (lower case), with the table's source and version."""

    version: str
    source: str
    verified: bool
    groups: dict[str, frozenset[str]]

    def groups_of(self, text: str) -> list[str]:
        """The groups of the perpetrators named in ``text`` (a medication or supplement entry
        as written, e.g. "St John's wort (Hypericum perforatum) 300 mg tid")."""
        key = " ".join(text.casefold().replace("\u2019", "'").split())
        return [
            group
            for group, names in self.groups.items()
            if any(re.search(rf"(?<![\w-]){re.escape(n)}(?![\w-])", key) for n in names)
        ]


@cache
def interactions() -> Interactions:
    """The packaged interaction table (parsed once)."""
    data = read_yaml("oncoboard.knowledge.data", "interactions.yaml")
    try:
        groups = {
            g: frozenset(" ".join(str(n).casefold().split()) for n in data[g]) for g in _GROUPS
        }
        return Interactions(
            str(data["version"]), str(data["source"]), bool(data.get("verified", False)), groups
        )
    except (KeyError, TypeError) as exc:
        raise KnowledgeError(f"knowledge/data/interactions.yaml: missing group {exc}") from exc
