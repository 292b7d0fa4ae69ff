"""Turn measured lesions into the case's imaging assessment, the input of ``oncoboard monitor``.

Each mask label is mapped to a case lesion id (``--lesion 1=L1`` or ``1=L1,lung,target``);
site, role and node status come from the mapping, else from the same lesion id earlier in the
case. The recorded size follows RECIST 1.1: the longest axial diameter, or the short axis for
lymph nodes (Eisenhauer EJC 2009;45:228, sections 3.1 and 4.3); non-target and new lesions are
recorded as present without a size. PET studies add SUVmax/SUVpeak/SULpeak per lesion and the
liver reference of PERCIST 1.0 (Wahl J Nucl Med 2009;50:122S).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from oncoboard.errors import ImagingError
from oncoboard.model import (
    Case,
    ImagingAssessment,
    Lesion,
    LesionRole,
    Modality,
    NonTargetStatus,
    SiteName,
)

__all__ = [
    "LesionSpec",
    "add_assessment",
    "build_assessment",
    "modality_of",
    "parse_lesion_spec",
]

_SPEC = re.compile(r"^\s*(\d+)\s*=\s*([^,\s]+)\s*((?:,\s*[^,]+\s*)*)$")
_DICOM_MODALITY = {"CT": Modality.CT, "MR": Modality.MRI, "PT": Modality.PET_CT}


class _Geometry(Protocol):
    @property
    def label(self) -> int: ...
    @property
    def longest_diameter_mm(self) -> float: ...
    @property
    def short_axis_mm(self) -> float: ...


class _Uptake(Protocol):
    @property
    def label(self) -> int: ...
    @property
    def suv_max(self) -> float: ...
    @property
    def suv_peak(self) -> float: ...
    @property
    def sul_peak(self) -> float: ...


class _Liver(Protocol):
    @property
    def mean_sul(self) -> float: ...
    @property
    def sd_sul(self) -> float: ...


@dataclass(frozen=True, slots=True)
class LesionSpec:
    """How a mask label maps to a case lesion; ``None`` fields come from the case."""

    label: int
    lesion_id: str
    site: SiteName | None = None
    role: LesionRole | None = None
    lymph_node: bool | None = None


def parse_lesion_spec(text: str) -> LesionSpec:
    """Parse ``LABEL=ID[,SITE][,ROLE][,node]``, e.g. ``2=LN1,lymph_node,target``.

    Raises
    ------
    ValueError
        The text does not have that form, or the site/role is not a known value.
    """
    match = _SPEC.match(text)
    if match is None:
        raise ValueError(f"expected LABEL=ID[,SITE][,ROLE][,node], got {text!r}")
    label, lesion_id, rest = int(match[1]), match[2], match[3]
    site: SiteName | None = None
    role: LesionRole | None = None
    node: bool | None = None
    for part in (p.strip() for p in rest.split(",") if p.strip()):
        if part in SiteName.__members__.values():
            site = SiteName(part)
        elif part in LesionRole.__members__.values():
            role = LesionRole(part)
        elif part == "node":
            node = True
        else:
            sites = ", ".join(s.value for s in SiteName)
            roles = ", ".join(r.value for r in LesionRole)
            raise ValueError(
                f"{text!r}: {part!r} is not a site ({sites}), a role ({roles}) or 'node'"
            )
    if site is SiteName.LYMPH_NODE and node is None:
        node = True
    return LesionSpec(label, lesion_id, site, role, node)


def modality_of(dicom_modality: str | None, given: Modality | None, source: str) -> Modality:
    """The case modality of a study: as given, else from the DICOM Modality attribute."""
    if given is not None:
        return given
    if dicom_modality in _DICOM_MODALITY:
        return _DICOM_MODALITY[dicom_modality]
    raise ImagingError(
        source,
        f"cannot tell the modality (DICOM Modality {dicom_modality!r}); give --modality",
        attribute="Modality",
    )


def _known_lesions(case: Case | None) -> dict[str, Lesion]:
    known: dict[str, Lesion] = {}
    if case is not None:
        for study in sorted(case.imaging, key=lambda s: s.date):
            for lesion in study.lesions:
                known.setdefault(lesion.id, lesion)
    return known


def build_assessment(
    *,
    date: dt.date,
    modality: Modality,
    geometries: Sequence[_Geometry],
    specs: Sequence[LesionSpec],
    source: str,
    case: Case | None = None,
    uptakes: Sequence[_Uptake] = (),
    liver: _Liver | None = None,
    baseline: bool = False,
) -> tuple[ImagingAssessment, list[int]]:
    """The imaging assessment of the mapped lesions, and the labels left unmapped.

    Raises
    ------
    ImagingError
        A mapping names a label the mask does not have, or a lesion's site or role is given
        neither in the mapping nor earlier in the case.
    """
    measured = {g.label: g for g in geometries}
    uptake = {u.label: u for u in uptakes}
    known = _known_lesions(case)
    lesions = []
    for spec in specs:
        geometry = measured.get(spec.label)
        if geometry is None:
            raise ImagingError(source, f"label {spec.label} ({spec.lesion_id}) is not in the mask")
        lesions.append(_lesion(spec, geometry, uptake.get(spec.label), known, source))
    unmapped = sorted(set(measured) - {s.label for s in specs})
    assessment = ImagingAssessment(
        date=date,
        modality=modality,
        baseline=baseline,
        lesions=lesions,
        liver_mean_sul=round(liver.mean_sul, 3) if liver is not None else None,
        liver_sd_sul=round(liver.sd_sul, 3) if liver is not None else None,
        report=f"Measured by Oncoboard from {source} (decision support for qualified "
        "clinicians; review the segmentation).",
    )
    return assessment, unmapped


def _lesion(
    spec: LesionSpec,
    geometry: _Geometry,
    uptake: _Uptake | None,
    known: Mapping[str, Lesion],
    source: str,
) -> Lesion:
    before = known.get(spec.lesion_id)
    site = spec.site or (before.site if before else None)
    role = spec.role or (before.role if before else None)
    if site is None or role is None:
        missing = "site" if site is None else "role"
        raise ImagingError(
            source,
            f"lesion {spec.lesion_id} (label {spec.label}): {missing} is not given and the "
            f"case has no earlier {spec.lesion_id}; write e.g. {spec.label}={spec.lesion_id},"
            "liver,target",
        )
    node = spec.lymph_node if spec.lymph_node is not None else bool(before and before.lymph_node)
    node = node or site is SiteName.LYMPH_NODE
    size = geometry.short_axis_mm if node else geometry.longest_diameter_mm
    measured = role is LesionRole.TARGET
    return Lesion(
        id=spec.lesion_id,
        site=site,
        role=role,
        lymph_node=node,
        size_mm=round(size, 1) if measured else None,
        status=None if measured else NonTargetStatus.PRESENT,
        suv_max=round(uptake.suv_max, 2) if uptake else None,
        suv_peak=round(uptake.suv_peak, 2) if uptake else None,
        sul_peak=round(uptake.sul_peak, 2) if uptake else None,
        description=f"mask label {spec.label}; longest {geometry.longest_diameter_mm:.1f} mm, "
        f"short axis {geometry.short_axis_mm:.1f} mm",
    )


def add_assessment(case: Case, assessment: ImagingAssessment) -> Case:
    """``case`` with ``assessment`` appended (validated again as a whole).

    Raises
    ------
    ImagingError
        The case already has a study of that modality on that date.
    """
    clash = [
        s for s in case.imaging if s.date == assessment.date and s.modality is assessment.modality
    ]
    if clash:
        raise ImagingError(
            case.patient.id,
            f"already has a {assessment.modality.value} study on {assessment.date.isoformat()}",
        )
    document = case.model_dump(mode="python")
    document["imaging"] = [*document["imaging"], assessment.model_dump(mode="python")]
    return Case.model_validate(document)
