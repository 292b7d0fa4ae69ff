"""The biomarker -> therapy knowledge base (``data/biomarker_therapy.yaml``): schema and loader.

Loading validates every entry (criteria parse, agents are in the drug vocabulary, levels and
tiers are known, every entry has a source); a malformed entry is a :class:`KnowledgeError`
naming the file and entry.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from oncoboard._resources import read_yaml
from oncoboard.errors import KnowledgeError
from oncoboard.knowledge.drugs import drug_vocabulary

__all__ = [
    "Criterion",
    "EntryKind",
    "KnowledgeBase",
    "KnowledgeEntry",
    "knowledge_base",
]

_FILE = "knowledge/data/biomarker_therapy.yaml"
LEVELS = ("1", "2", "3A", "3B", "4", "R1", "R2")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class MutationCriterion(_Frozen):
    """A sequence variant in ``gene``: any, oncogenic, truncating, or listed
    variants/codons/exons."""

    type: Literal["mutation"]
    gene: str
    match: Literal["any", "oncogenic", "truncating", "variants", "codons", "exons"] = "oncogenic"
    variants: tuple[str, ...] = ()
    codons: tuple[int, ...] = ()
    exons: tuple[int, ...] = ()
    origin: Literal["somatic", "germline", "any"] = "any"

    @model_validator(mode="after")
    def _lists_match(self) -> MutationCriterion:
        needs = {"variants": self.variants, "codons": self.codons, "exons": self.exons}
        if self.match in needs and not needs[self.match]:
            raise ValueError(f"match {self.match!r} needs a non-empty {self.match} list")
        return self


class GeneCriterion(_Frozen):
    """Gene-level event: germline pathogenic variant, amplification, deep deletion, loss of
    function (truncating mutation or deep deletion), fusion with ``gene`` as the 3' partner
    (kinase domain retained), tested wild-type, or a possible reversion (a second, somatic
    variant near a germline truncating variant)."""

    type: Literal[
        "germline",
        "amplification",
        "deletion",
        "loss_of_function",
        "fusion",
        "wild_type",
        "reversion",
    ]
    gene: str


class HER2Criterion(_Frozen):
    """HER2 category from IHC/ISH (ASCO/CAP), see :mod:`oncoboard.derive.receptor_status`."""

    type: Literal["her2"]
    categories: tuple[str, ...] = Field(min_length=1)


class PDL1Criterion(_Frozen):
    """PD-L1 by a named assay and scoring at or above a threshold."""

    type: Literal["pdl1"]
    assay: str
    scoring: Literal["CPS", "IC", "TPS"]
    min: float = Field(ge=0)


class TMBCriterion(_Frozen):
    """Tumour mutational burden at or above ``min`` mutations per megabase."""

    type: Literal["tmb"]
    min: float = Field(gt=0)


class MSICriterion(_Frozen):
    """Microsatellite status."""

    type: Literal["msi"]
    status: Literal["MSI-H"]


Criterion = Annotated[
    MutationCriterion | GeneCriterion | HER2Criterion | PDL1Criterion | TMBCriterion | MSICriterion,
    Field(discriminator="type"),
]


class Biomarker(_Frozen):
    """Criteria of an entry; the entry matches when any criterion matches."""

    any: tuple[Criterion, ...] = Field(min_length=1)


class Context(_Frozen):
    """Clinical context the entry's evidence applies to (checked, reported, never guessed)."""

    subtypes: tuple[str, ...] = ()
    her2: tuple[str, ...] = ()
    prior_classes_any: tuple[str, ...] = ()
    no_prior_classes: tuple[str, ...] = ()
    no_prior_metastatic_classes: tuple[str, ...] = ()
    current_classes_all: tuple[str, ...] = ()
    min_line: int | None = Field(default=None, ge=1)
    max_line: int | None = Field(default=None, ge=1)
    specimens: tuple[Literal["tissue", "plasma", "blood", "saliva"], ...] = ()
    note: str | None = None


class Therapy(_Frozen):
    """Agents (drug-vocabulary names) and how they are combined."""

    agents: tuple[str, ...] = Field(min_length=1)
    regimen: str


class Approval(_Frozen):
    """FDA status in breast cancer (or tissue-agnostic)."""

    status: Literal["approved", "not_approved", "pending", "withdrawn"] = "approved"
    date: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$")
    verified: bool
    note: str | None = None


class Trial(_Frozen):
    """Pivotal trial."""

    name: str
    nct: str | None = Field(default=None, pattern=r"^NCT\d{8}$")
    verified: bool


class Reference(_Frozen):
    """A publication or other citation."""

    id: str = Field(min_length=3)
    title: str
    verified: bool


class Benefit(_Frozen):
    """Expected benefit as reported by the pivotal trial."""

    text: str
    verified: bool


class EntryKind(StrEnum):
    """What an entry says about its biomarker."""

    PREDICTIVE = "predictive"
    RESISTANCE = "resistance"
    PROGNOSTIC = "prognostic"


class KnowledgeEntry(_Frozen):
    """One cited knowledge-base entry."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    kind: EntryKind
    biomarker: Biomarker
    context: Context = Context()
    therapy: Therapy | None
    level: Literal["1", "2", "3A", "3B", "4", "R1", "R2"] | None
    escat: str | None
    fda: Approval | None
    trial: Trial | None
    references: tuple[Reference, ...] = Field(min_length=1)
    benefit: Benefit | None

    @model_validator(mode="after")
    def _coherent(self) -> KnowledgeEntry:
        if self.kind is not EntryKind.PROGNOSTIC and (self.therapy is None or self.level is None):
            raise ValueError(f"{self.kind.value} entries need therapy and level")
        if self.kind is EntryKind.RESISTANCE and self.level not in ("R1", "R2"):
            raise ValueError("resistance entries take level R1 or R2")
        if self.kind is EntryKind.PREDICTIVE and self.level in ("R1", "R2"):
            raise ValueError("predictive entries cannot take a resistance level")
        return self


class KnowledgeBase:
    """The loaded, validated knowledge base."""

    def __init__(self, data: Any, origin: str = _FILE) -> None:
        if not isinstance(data, dict) or not {"version", "date", "entries"} <= data.keys():
            raise KnowledgeError(f"{origin}: expected keys version, date, entries")
        self.version = str(data["version"])
        self.date = str(data["date"])
        entries = []
        for index, raw in enumerate(data["entries"]):
            entry_id = raw.get("id", "?") if isinstance(raw, dict) else "?"
            where = f"{origin}: entries[{index}] ({entry_id})"
            try:
                entry = KnowledgeEntry.model_validate(raw)
            except ValidationError as exc:
                first = exc.errors()[0]
                path = ".".join(str(p) for p in first["loc"])
                raise KnowledgeError(f"{where}: {path}: {first['msg']}") from exc
            self._check_agents(entry, where)
            entries.append(entry)
        ids = [e.id for e in entries]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise KnowledgeError(f"{origin}: duplicate entry ids {duplicates!r}")
        self.entries: tuple[KnowledgeEntry, ...] = tuple(entries)

    @staticmethod
    def _check_agents(entry: KnowledgeEntry, where: str) -> None:
        vocabulary = drug_vocabulary()
        agents = entry.therapy.agents if entry.therapy else ()
        unknown = [a for a in agents if vocabulary.lookup(a) is None]
        if unknown:
            raise KnowledgeError(f"{where}: agents {unknown!r} are not in the drug vocabulary")
        classes = (
            *entry.context.prior_classes_any,
            *entry.context.no_prior_classes,
            *entry.context.no_prior_metastatic_classes,
            *entry.context.current_classes_all,
        )
        bad = [c for c in classes if c not in vocabulary.classes]
        if bad:
            raise KnowledgeError(f"{where}: drug classes {bad!r} are not in the vocabulary")

    @property
    def label(self) -> str:
        """``Oncoboard MBC knowledge base VERSION (DATE)``, printed in every output."""
        return f"Oncoboard MBC knowledge base {self.version} ({self.date})"

    def __len__(self) -> int:
        return len(self.entries)


@cache
def knowledge_base() -> KnowledgeBase:
    """The packaged knowledge base (parsed and validated once)."""
    return KnowledgeBase(read_yaml("oncoboard.knowledge.data", "biomarker_therapy.yaml"))
