"""Metastatic sites (mCODE ``SecondaryCancerCondition``)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import Field

from oncoboard.model._base import CaseModel, mcode

__all__ = ["MetastaticSite", "SiteName", "VisceralCrisis"]


class SiteName(StrEnum):
    """Anatomical site of a metastasis."""

    BONE = "bone"
    LIVER = "liver"
    LUNG = "lung"
    BRAIN = "brain"
    LEPTOMENINGEAL = "leptomeningeal"
    LYMPH_NODE = "lymph_node"
    PLEURA = "pleura"
    SKIN_SOFT_TISSUE = "skin_soft_tissue"
    PERITONEUM = "peritoneum"
    ADRENAL = "adrenal"
    OTHER = "other"

    @property
    def visceral(self) -> bool:
        """Visceral site (liver, lung, brain, leptomeninges, pleura, peritoneum, adrenal)."""
        return self not in {
            SiteName.BONE,
            SiteName.LYMPH_NODE,
            SiteName.SKIN_SOFT_TISSUE,
            SiteName.OTHER,
        }


class MetastaticSite(CaseModel):
    """One organ involved by metastatic disease."""

    model_config = CaseModel.model_config | {"json_schema_extra": mcode("SecondaryCancerCondition")}

    site: SiteName
    date: dt.date = Field(description="Date the site was first documented.")
    detail: str | None = Field(default=None, description="e.g. 'T8 vertebra', 'segment VI'.")
    biopsy_confirmed: bool = False
    symptomatic: bool | None = None
    active: bool = Field(
        default=True, description="False once treated and stable (e.g. brain after SRS)."
    )


class VisceralCrisis(CaseModel):
    """A clinician's assessment of visceral crisis (ESO-ESMO ABC5, Cardoso Ann Oncol 2020):
    severe organ dysfunction judged from signs and symptoms, laboratory studies and rapid
    progression, not the mere presence of visceral metastases. It calls for the most rapidly
    effective therapy."""

    date: dt.date
    organs: list[SiteName] = Field(min_length=1, description="Organs in crisis, e.g. liver.")
    detail: str | None = Field(default=None, description="e.g. 'bilirubin 3x ULN, rising'.")
