"""Imaging: measurements from DICOM and NIfTI for the response engines.

Read a DICOM series, DICOM SEG or NIfTI image/mask into a :class:`Volume`
(:func:`read_image`, :func:`read_mask`), quantify PET uptake (:func:`calibration_from_dicom`,
:func:`lesion_uptake`, :func:`liver_reference`: SUV, SUL, SULpeak, liver reference, PERCIST
threshold), measure lesions from a label mask (:func:`measure_lesions`: longest axial diameter,
perpendicular short axis, volume), then build the imaging assessment that
``oncoboard monitor`` reads (:func:`build_assessment`).
"""

from __future__ import annotations

from oncoboard.imaging.assess import (
    LesionSpec,
    add_assessment,
    build_assessment,
    modality_of,
    parse_lesion_spec,
)
from oncoboard.imaging.geometry import LesionGeometry, measure_lesions
from oncoboard.imaging.pet import (
    LesionUptake,
    LiverReference,
    PetCalibration,
    calibration_from_dicom,
    lean_body_mass_kg,
    lesion_uptake,
    liver_reference,
    sphere_mean_max,
    sul_factor,
    suv_factor,
    suv_volume,
)
from oncoboard.imaging.readers import (
    read_dicom_seg,
    read_dicom_series,
    read_image,
    read_mask,
    read_nifti,
)
from oncoboard.imaging.volume import Volume

__all__ = [
    "LesionGeometry",
    "LesionSpec",
    "LesionUptake",
    "LiverReference",
    "PetCalibration",
    "Volume",
    "add_assessment",
    "build_assessment",
    "calibration_from_dicom",
    "lean_body_mass_kg",
    "lesion_uptake",
    "liver_reference",
    "measure_lesions",
    "modality_of",
    "parse_lesion_spec",
    "read_dicom_seg",
    "read_dicom_series",
    "read_image",
    "read_mask",
    "read_nifti",
    "sphere_mean_max",
    "sul_factor",
    "suv_factor",
    "suv_volume",
]
