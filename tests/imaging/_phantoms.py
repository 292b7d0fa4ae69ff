"""Writers of real DICOM / NIfTI / DICOM SEG files with known geometry, for the imaging tests.

All geometry is given in the conventions of :class:`oncoboard.imaging.volume.Volume`:
arrays are ``[k, j, i]`` (slice, row, column), ``spacing`` is ``(column, row, slice)`` mm,
``origin`` is the LPS centre of voxel ``[0, 0, 0]`` and ``direction`` has as columns the LPS
unit vectors of the column, row and slice axes.

* :func:`write_dicom_series` - one single-frame CT or PET file per slice (shuffled file
  names), optionally with per-slice rescale slopes and the PET attributes SUV needs;
* :func:`write_nifti` - a NIfTI-1 file whose RAS affine encodes the same LPS grid;
* :func:`write_dicom_seg` - a BINARY DICOM SEG (highdicom) over datasets of a written series;
* :func:`ellipsoid_mask` / :func:`sphere_mask` - boolean shapes on a voxel grid.

References
----------
DICOM PS3.3 C.7.6.2 Image Plane Module; C.11.1 Modality LUT Module (RescaleSlope/Intercept);
C.8.20 Segmentation IOD Modules; C.8.9.1 PET Series Module; C.8.9.2 PET Isotope Module.
NIfTI-1 header, qform/sform (https://nifti.nimh.nih.gov/nifti-1/documentation/nifti1fields).
"""

from __future__ import annotations

import datetime as dt
import os
import random
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import highdicom as hd
import nibabel as nib
import numpy as np
import numpy.typing as npt
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence as DicomSequence
from pydicom.sr.codedict import codes
from pydicom.uid import UID, ExplicitVRLittleEndian, generate_uid
from pydicom.valuerep import format_number_as_ds

__all__ = [
    "CT_IMAGE_STORAGE",
    "F18_HALF_LIFE_S",
    "PET_IMAGE_STORAGE",
    "ellipsoid_mask",
    "pet_attributes",
    "sphere_mask",
    "write_dicom_seg",
    "write_dicom_series",
    "write_nifti",
]

CT_IMAGE_STORAGE = UID("1.2.840.10008.5.1.4.1.1.2")
PET_IMAGE_STORAGE = UID("1.2.840.10008.5.1.4.1.1.128")
F18_HALF_LIFE_S = 6586.2

IDENTITY = np.eye(3)


def _ds(value: float) -> str:
    """A DS string (at most 16 characters) for ``value``."""
    return format_number_as_ds(float(value))


def _geometry(
    spacing: Sequence[float], origin: Sequence[float], direction: npt.ArrayLike | None
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    s = np.asarray(spacing, dtype=np.float64)
    o = np.asarray(origin, dtype=np.float64)
    d = IDENTITY if direction is None else np.asarray(direction, dtype=np.float64)
    if s.shape != (3,) or o.shape != (3,) or d.shape != (3, 3):
        raise ValueError("spacing and origin need 3 values, direction a 3x3 matrix")
    return s, o, d


def pet_attributes(
    *,
    weight_kg: float = 70.0,
    height_m: float | None = 1.70,
    sex: str = "F",
    dose_bq: float = 370e6,
    half_life_s: float = F18_HALF_LIFE_S,
    injection: dt.datetime = dt.datetime(2024, 3, 1, 9, 0, 0),
    scan_start: dt.datetime = dt.datetime(2024, 3, 1, 10, 0, 0),
    units: str = "BQML",
    decay_correction: str = "START",
    full_datetime: bool = True,
) -> dict[str, Any]:
    """PET attributes for :func:`write_dicom_series` (``extra=``): patient, series and isotope.

    ``full_datetime`` writes ``RadiopharmaceuticalStartDateTime``; otherwise only
    ``RadiopharmaceuticalStartTime`` (older scanners). Series/acquisition date and time are
    the scan start.
    """
    item = Dataset()
    item.Radiopharmaceutical = "Fluorodeoxyglucose"
    item.RadionuclideTotalDose = _ds(dose_bq)
    item.RadionuclideHalfLife = _ds(half_life_s)
    item.RadionuclidePositronFraction = "0.9673"
    if full_datetime:
        item.RadiopharmaceuticalStartDateTime = injection.strftime("%Y%m%d%H%M%S.%f")
    item.RadiopharmaceuticalStartTime = injection.strftime("%H%M%S.%f")
    attributes: dict[str, Any] = {
        "Units": units,
        "DecayCorrection": decay_correction,
        "CorrectedImage": ["ATTN", "DECY"],
        "SeriesDate": scan_start.strftime("%Y%m%d"),
        "SeriesTime": scan_start.strftime("%H%M%S"),
        "AcquisitionDate": scan_start.strftime("%Y%m%d"),
        "AcquisitionTime": scan_start.strftime("%H%M%S"),
        "PatientWeight": _ds(weight_kg),
        "PatientSex": sex,
        "RadiopharmaceuticalInformationSequence": DicomSequence([item]),
    }
    if height_m is not None:
        attributes["PatientSize"] = _ds(height_m)
    return attributes


def write_dicom_series(
    folder: str | os.PathLike[str],
    array: npt.ArrayLike,
    *,
    spacing: Sequence[float] = (1.0, 1.0, 1.0),
    origin: Sequence[float] = (0.0, 0.0, 0.0),
    direction: npt.ArrayLike | None = None,
    modality: str = "CT",
    slope: float | Sequence[float] | None = 1.0,
    intercept: float = 0.0,
    extra: Mapping[str, Any] | None = None,
    series_uid: str | None = None,
    study_uid: str | None = None,
    frame_of_reference_uid: str | None = None,
    shuffle: bool = True,
    seed: int = 0,
) -> list[Dataset]:
    """Write ``array[k, j, i]`` (real-world values) as single-frame DICOM files, one per slice.

    Parameters
    ----------
    folder
        Created if missing; files are named ``IM<random>.dcm`` in shuffled order so a reader
        must sort by ``ImagePositionPatient``, not by name or ``InstanceNumber`` (which is
        also shuffled when ``shuffle``).
    array
        Values after the Modality LUT (HU for CT, Bq/mL for PET).
    spacing, origin, direction
        Grid in :class:`~oncoboard.imaging.volume.Volume` conventions. Slice ``k`` is at
        ``origin + direction[:, 2] * k * spacing[2]``; if ``direction[:, 2]`` is opposite to
        ``row x column`` the slices are stored against the normal (like a feet-first stack).
    modality
        ``"CT"`` (CT Image Storage) or ``"PT"`` (PET Image Storage).
    slope, intercept
        Stored value ``= round((value - intercept) / slope)`` as int16 (default slope 1).
        ``slope=None`` picks one per slice (``max|value - intercept| / 30000``, or 1), like a
        PET scanner; a sequence gives one per slice; a number is used for every slice.
    extra
        More attributes set on every slice by keyword, e.g. :func:`pet_attributes` or
        ``{"SliceThickness": "2.5"}``; a value of ``None`` deletes the attribute (to make
        broken files).
    series_uid, study_uid, frame_of_reference_uid
        Generated when ``None``.

    Returns
    -------
    list of pydicom.dataset.Dataset
        The written datasets in slice order ``k`` (with pixel data), e.g. as SEG sources.
    """
    values = np.asarray(array, dtype=np.float64)
    if values.ndim != 3:
        raise ValueError(f"array must be 3-D [k, j, i], got shape {values.shape}")
    s, o, d = _geometry(spacing, origin, direction)
    if modality not in ("CT", "PT"):
        raise ValueError("modality must be 'CT' or 'PT'")
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    n_slices, rows, columns = values.shape
    series_uid = series_uid or generate_uid()
    study_uid = study_uid or generate_uid()
    frame_uid = frame_of_reference_uid or generate_uid()
    sop_class = CT_IMAGE_STORAGE if modality == "CT" else PET_IMAGE_STORAGE
    rng = random.Random(seed)
    names = [f"IM{n:06d}.dcm" for n in rng.sample(range(10**6), n_slices)]
    instance_numbers = list(range(1, n_slices + 1))
    if shuffle:
        rng.shuffle(instance_numbers)

    datasets: list[Dataset] = []
    for k in range(n_slices):
        shifted = values[k] - intercept
        if slope is None:
            peak = float(np.abs(shifted).max())
            slice_slope = float(_ds(peak / 30000.0)) if peak > 0 else 1.0
        elif isinstance(slope, int | float):
            slice_slope = float(slope)
        else:
            slice_slope = float(slope[k])
        stored = np.rint(shifted / slice_slope)
        if stored.min() < -32768 or stored.max() > 32767:
            raise ValueError(f"slice {k}: values do not fit int16 with slope {slice_slope}")

        sop_uid = generate_uid()
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = sop_class
        meta.MediaStorageSOPInstanceUID = sop_uid
        meta.TransferSyntaxUID = ExplicitVRLittleEndian

        ds = Dataset()
        ds.file_meta = meta
        ds.SOPClassUID = sop_class
        ds.SOPInstanceUID = sop_uid
        ds.StudyInstanceUID = study_uid
        ds.SeriesInstanceUID = series_uid
        ds.FrameOfReferenceUID = frame_uid
        ds.Modality = modality
        ds.PatientName = "Phantom^Test"
        ds.PatientID = "PHANTOM-1"
        ds.PatientBirthDate = "19600101"
        ds.PatientSex = "F"
        ds.StudyDate = "20240301"
        ds.StudyTime = "090000"
        ds.StudyID = "1"
        ds.AccessionNumber = "A1"
        ds.ReferringPhysicianName = ""
        ds.Manufacturer = "Oncoboard"
        ds.SeriesNumber = 1
        ds.InstanceNumber = instance_numbers[k]
        ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
        ds.PositionReferenceIndicator = ""
        position = o + d[:, 2] * k * s[2]
        ds.ImagePositionPatient = [_ds(v) for v in position]
        ds.ImageOrientationPatient = [_ds(v) for v in (*d[:, 0], *d[:, 1])]
        ds.PixelSpacing = [_ds(s[1]), _ds(s[0])]  # [row spacing, column spacing]
        ds.SliceThickness = _ds(s[2])
        ds.Rows = rows
        ds.Columns = columns
        ds.SamplesPerPixel = 1
        ds.PhotometricInterpretation = "MONOCHROME2"
        ds.BitsAllocated = 16
        ds.BitsStored = 16
        ds.HighBit = 15
        ds.PixelRepresentation = 1
        ds.RescaleSlope = _ds(slice_slope)
        ds.RescaleIntercept = _ds(intercept)
        ds.RescaleType = "HU" if modality == "CT" else "BQML"
        ds.PixelData = stored.astype("<i2").tobytes()
        for keyword, value in (extra or {}).items():
            if value is None:
                if keyword in ds:
                    delattr(ds, keyword)
            else:
                setattr(ds, keyword, value)
        ds.save_as(out / names[k], enforce_file_format=True)
        datasets.append(ds)
    return datasets


def write_nifti(
    path: str | os.PathLike[str],
    array: npt.ArrayLike,
    *,
    spacing: Sequence[float] = (1.0, 1.0, 1.0),
    origin: Sequence[float] = (0.0, 0.0, 0.0),
    direction: npt.ArrayLike | None = None,
    dtype: npt.DTypeLike | None = None,
) -> Path:
    """Write ``array[k, j, i]`` as NIfTI-1 (``.nii`` or ``.nii.gz``) on the given LPS grid.

    The LPS affine is converted to NIfTI's RAS (negate the first two rows) and stored as both
    sform and qform (code 1, scanner); the data is stored ``[i, j, k]`` as nibabel expects.
    """
    s, o, d = _geometry(spacing, origin, direction)
    lps = np.eye(4)
    lps[:3, :3] = d * s
    lps[:3, 3] = o
    ras = np.diag([-1.0, -1.0, 1.0, 1.0]) @ lps
    data = np.asarray(array)
    if dtype is not None:
        data = data.astype(dtype)
    nifti1_image: Any = nib.Nifti1Image  # nibabel's constructors are untyped
    image = nifti1_image(np.ascontiguousarray(data.transpose(2, 1, 0)), ras)
    image.set_sform(ras, code=1)
    image.set_qform(ras, code=1)
    target = Path(path)
    nib.save(image, target)
    return target


def write_dicom_seg(
    path: str | os.PathLike[str],
    source_datasets: Sequence[Dataset],
    labels: npt.ArrayLike,
    names: Mapping[int, str],
    *,
    fractional: bool = False,
) -> Path:
    """Write a DICOM SEG of ``labels`` over ``source_datasets`` (slice order k), with highdicom.

    Parameters
    ----------
    path
        File to write.
    source_datasets
        The datasets :func:`write_dicom_series` returned, in the label array's slice order.
    labels
        Either integer labels ``[k, j, i]`` (value ``n`` = segment number ``n``) or one mask
        per segment ``[k, j, i, segment]`` (segment numbers 1, 2, ... in that order) - the
        4-D form can overlap and, with ``fractional``, hold values in [0, 1].
    names
        Segment number -> SegmentLabel; numbers must be ``1..n``.
    fractional
        Write a FRACTIONAL (PROBABILITY, MaximumFractionalValue 255) instead of a BINARY SEG.

    Empty frames are omitted (highdicom's default).
    """
    label_array = np.asarray(labels)
    numbers = sorted(names)
    if numbers != list(range(1, len(numbers) + 1)):
        raise ValueError("segment numbers must be 1..n")
    descriptions = [
        hd.seg.SegmentDescription(
            segment_number=number,
            segment_label=names[number],
            segmented_property_category=codes.SCT.Tissue,
            segmented_property_type=codes.SCT.Neoplasm,
            algorithm_type=hd.seg.SegmentAlgorithmTypeValues.MANUAL,
        )
        for number in numbers
    ]
    if label_array.ndim == 3:
        stack = np.stack([label_array == number for number in numbers], axis=-1)
    else:
        stack = label_array
    if fractional:
        pixels = stack.astype(np.float32)
        kind = hd.seg.SegmentationTypeValues.FRACTIONAL
    else:
        pixels = stack.astype(np.uint8)
        kind = hd.seg.SegmentationTypeValues.BINARY
    seg = hd.seg.Segmentation(
        source_images=list(source_datasets),
        pixel_array=pixels,
        segmentation_type=kind,
        segment_descriptions=descriptions,
        series_instance_uid=generate_uid(),
        series_number=100,
        sop_instance_uid=generate_uid(),
        instance_number=1,
        manufacturer="Oncoboard",
        manufacturer_model_name="phantoms",
        software_versions="0",
        device_serial_number="0",
    )
    target = Path(path)
    seg.save_as(target)
    return target


def ellipsoid_mask(
    shape: Sequence[int],
    spacing: Sequence[float],
    centre_mm: Sequence[float],
    semi_axes_mm: Sequence[float],
    rotation: npt.ArrayLike | None = None,
) -> npt.NDArray[np.bool_]:
    """Voxels ``[k, j, i]`` whose centres lie inside an ellipsoid.

    Coordinates are index-space millimetres ``(x, y, z) = (i * sx, j * sy, k * sz)`` (no
    origin or direction); ``centre_mm`` and ``semi_axes_mm`` are ``(x, y, z)``. ``rotation``
    (3x3) has as columns the ellipsoid's axes in that space (default: aligned with x, y, z).
    """
    nk, nj, ni = (int(n) for n in shape)
    sx, sy, sz = (float(v) for v in spacing)
    k, j, i = np.meshgrid(np.arange(nk), np.arange(nj), np.arange(ni), indexing="ij")
    points = np.stack([i * sx, j * sy, k * sz], axis=-1) - np.asarray(centre_mm, dtype=float)
    if rotation is not None:
        points = points @ np.asarray(rotation, dtype=float)  # coordinates along the axes
    scaled = points / np.asarray(semi_axes_mm, dtype=float)
    inside: npt.NDArray[np.bool_] = np.sum(scaled**2, axis=-1) <= 1.0
    return inside


def sphere_mask(
    shape: Sequence[int],
    spacing: Sequence[float],
    centre_mm: Sequence[float],
    radius_mm: float,
) -> npt.NDArray[np.bool_]:
    """Voxels whose centres lie within ``radius_mm`` of ``centre_mm`` (index-space mm)."""
    return ellipsoid_mask(shape, spacing, centre_mm, (radius_mm, radius_mm, radius_mm))
