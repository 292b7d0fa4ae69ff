"""Clinical subtype from HR status and HER2 category."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from oncoboard.derive.receptor_status import (
    HER2Category,
    HER2Status,
    HormoneReceptorStatus,
    ReceptorCall,
    her2_status,
    hormone_receptor_status,
)
from oncoboard.model import Case, Evidence

__all__ = ["ClinicalSubtype", "Subtype", "clinical_subtype"]


class Subtype(StrEnum):
    """Treatment-defining clinical subtype of breast cancer."""

    HR_POS_HER2_NEG = "HR+/HER2-"
    HR_POS_HER2_POS = "HR+/HER2+"
    HR_NEG_HER2_POS = "HR-/HER2+"
    TRIPLE_NEGATIVE = "TNBC"
    UNDETERMINED = "undetermined"


@dataclass(frozen=True, slots=True)
class ClinicalSubtype:
    """The subtype plus the HER2-low/ultralow and ER-low qualifiers that change treatment."""

    subtype: Subtype
    her2_low: bool
    her2_ultralow: bool
    er_low: bool
    missing: tuple[str, ...]
    hr: HormoneReceptorStatus
    her2: HER2Status
    evidence: tuple[Evidence, ...]

    @property
    def label(self) -> str:
        """Human label, e.g. ``HR+/HER2- (HER2-low)`` or ``undetermined (HER2 not tested)``."""
        if self.subtype is Subtype.UNDETERMINED:
            return f"undetermined ({', '.join(self.missing)})"
        flags = (
            ("HER2-low", self.her2_low),
            ("HER2-ultralow", self.her2_ultralow),
            ("ER-low", self.er_low),
        )
        qualifiers = ", ".join(name for name, on in flags if on)
        return f"{self.subtype.value} ({qualifiers})" if qualifiers else self.subtype.value


def clinical_subtype(case: Case) -> ClinicalSubtype:
    """Combine :func:`hormone_receptor_status` and :func:`her2_status` into a subtype.

    The subtype is ``undetermined`` (never guessed) while HR or HER2 status is unknown or HER2
    is equivocal; ``missing`` says what is needed.
    """
    hr = hormone_receptor_status(case)
    her2 = her2_status(case)
    missing = []
    if hr.hr_positive is None:
        untested = [
            name for name, call in (("ER", hr.er), ("PR", hr.pr)) if call is ReceptorCall.NOT_TESTED
        ]
        missing.append(f"{'/'.join(untested)} not tested")
    if her2.category is HER2Category.NOT_TESTED:
        missing.append("HER2 not tested")
    elif her2.category is HER2Category.EQUIVOCAL:
        missing.append("HER2 equivocal: ISH (or concurrent IHC) needed")
    if missing:
        subtype = Subtype.UNDETERMINED
    elif her2.category is HER2Category.POSITIVE:
        subtype = Subtype.HR_POS_HER2_POS if hr.hr_positive else Subtype.HR_NEG_HER2_POS
    else:
        subtype = Subtype.HR_POS_HER2_NEG if hr.hr_positive else Subtype.TRIPLE_NEGATIVE
    return ClinicalSubtype(
        subtype=subtype,
        her2_low=her2.category is HER2Category.LOW,
        her2_ultralow=her2.category is HER2Category.ULTRALOW,
        er_low=hr.er_low,
        missing=tuple(missing),
        hr=hr,
        her2=her2,
        evidence=hr.evidence + her2.evidence,
    )
