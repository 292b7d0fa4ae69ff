"""The drug vocabulary: generic names, aliases and mechanism classes (``data/drugs.yaml``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import get_close_matches
from functools import cache
from typing import Any

from oncoboard._resources import read_yaml
from oncoboard.errors import KnowledgeError

__all__ = ["Drug", "DrugVocabulary", "drug_vocabulary"]

_DATA_PACKAGE = "oncoboard.knowledge.data"
_ROUTES = frozenset({"oral", "intravenous", "intramuscular", "subcutaneous"})


def _key(name: str) -> str:
    """Lookup key: case-, space- and hyphen-insensitive (``T-DXd`` == ``tdxd``)."""
    return re.sub(r"[\s\-]+", "", name.casefold())


@dataclass(frozen=True, slots=True)
class Drug:
    """One drug of the vocabulary."""

    name: str
    aliases: tuple[str, ...]
    classes: frozenset[str]
    route: str
    source_kind: str
    source_id: str
    verified: bool


class DrugVocabulary:
    """Resolves agent names (generic, brand, abbreviation, code name) to :class:`Drug`."""

    def __init__(self, data: dict[str, Any], origin: str) -> None:
        try:
            self.version: str = str(data["version"])
            self.classes: dict[str, str] = dict(data["classes"])
            default_verified = bool(data.get("verified", False))
            entries = list(data["drugs"])
        except (KeyError, TypeError) as exc:
            raise KnowledgeError(f"{origin}: expected keys version, classes, drugs") from exc
        self._by_key: dict[str, Drug] = {}
        for index, entry in enumerate(entries):
            drug = self._parse(entry, default_verified, f"{origin}: drugs[{index}]")
            for label in (drug.name, *drug.aliases):
                other = self._by_key.setdefault(_key(label), drug)
                if other is not drug:
                    raise KnowledgeError(
                        f"{origin}: name {label!r} of {drug.name!r} already names {other.name!r}"
                    )

    def _parse(self, entry: dict[str, Any], verified: bool, where: str) -> Drug:
        try:
            drug = Drug(
                name=str(entry["name"]),
                aliases=tuple(str(a) for a in entry.get("aliases", [])),
                classes=frozenset(entry["classes"]),
                route=str(entry["route"]),
                source_kind=str(entry["source"]["kind"]),
                source_id=str(entry["source"]["id"]),
                verified=bool(entry.get("verified", verified)),
            )
        except (KeyError, TypeError) as exc:
            raise KnowledgeError(f"{where}: missing or malformed field {exc}") from exc
        unknown = sorted(drug.classes - self.classes.keys())
        if unknown:
            raise KnowledgeError(f"{where} ({drug.name!r}): unknown classes {unknown!r}")
        if drug.route not in _ROUTES:
            raise KnowledgeError(f"{where} ({drug.name!r}): route {drug.route!r} not in {_ROUTES}")
        return drug

    def __len__(self) -> int:
        return len({drug.name for drug in self._by_key.values()})

    def lookup(self, name: str) -> Drug | None:
        """The drug named ``name`` (any alias, any case), or ``None``."""
        return self._by_key.get(_key(name))

    def suggest(self, name: str) -> list[str]:
        """Up to three vocabulary names close to an unknown ``name`` (for error messages)."""
        keys = get_close_matches(_key(name), list(self._by_key), n=3, cutoff=0.75)
        return sorted({self._by_key[key].name for key in keys})


@cache
def drug_vocabulary() -> DrugVocabulary:
    """The packaged drug vocabulary (parsed once)."""
    return DrugVocabulary(read_yaml(_DATA_PACKAGE, "drugs.yaml"), "knowledge/data/drugs.yaml")
