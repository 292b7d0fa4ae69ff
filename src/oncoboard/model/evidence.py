"""Evidence: where a derived status, finding, option or alert comes from."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from oncoboard.model._base import CaseModel

__all__ = ["Evidence", "EvidenceSource"]


class EvidenceSource(StrEnum):
    """Kind of source."""

    GUIDELINE = "guideline"
    FDA_LABEL = "fda_label"
    TRIAL = "trial"
    PUBLICATION = "publication"
    CONSENSUS = "consensus"


class Evidence(CaseModel):
    """One citation: the source kind, a resolvable identifier, and a level where one applies.

    ``id`` is a DOI (``doi:...``), PubMed id (``PMID:...``), trial id (``NCT...``) or label
    reference; ``verified`` is False for facts not yet re-checked against a retrieved source.
    """

    source: EvidenceSource
    id: str = Field(min_length=3)
    title: str
    level: str | None = None
    verified: bool = True
