"""Read a folder of single-frame DICOM images (one series) into a :class:`Volume`.

References
----------
DICOM PS3.3 C.7.6.2 Image Plane Module (ImagePositionPatient, ImageOrientationPatient,
PixelSpacing, SliceThickness; C.7.6.2.1.1 for the patient coordinate system) and C.11.1
Modality LUT Module (RescaleSlope, RescaleIntercept).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pydicom
from pydicom.dataset import Dataset
from pydicom.errors import InvalidDicomError

from oncoboard.errors import GeometryError, ImagingError
from oncoboard.imaging.volume import Volume

__all__ = ["SEGMENTATION_STORAGE", "read_dicom_file", "read_dicom_series", "series_uid_of"]

SEGMENTATION_STORAGE = "1.2.840.10008.5.1.4.1.1.66.4"
_MEDIA_DIRECTORY_STORAGE = "1.2.840.10008.1.3.10"
# Instances that are not images on a grid (SEG, structure sets, reports, presentation states ...)
_NON_IMAGE_MODALITIES = frozenset({"SEG", "RTSTRUCT", "RTPLAN", "RTDOSE", "SR", "PR", "KO", "REG"})
_ORIENTATION_TOLERANCE = 1e-4
_SPACING_TOLERANCE_MM = 1e-3
_GAP_TOLERANCE = 0.01  # slice gaps must agree within 1 %


@dataclass(frozen=True, slots=True)
class _Slice:
    path: Path
    dataset: Dataset


def read_dicom_file(path: Path, *, stop_before_pixels: bool = False) -> Dataset | None:
    """``dcmread`` one file; ``None`` if it is not DICOM (no preamble/``DICM``) or a DICOMDIR.

    Raises
    ------
    ImagingError
        If the file cannot be opened or its DICOM content is corrupt.
    """
    if path.name.upper() == "DICOMDIR":
        return None
    try:
        dataset = pydicom.dcmread(path, force=False, stop_before_pixels=stop_before_pixels)
    except InvalidDicomError:
        return None
    except OSError as exc:
        raise ImagingError(str(path), f"cannot read file: {exc}") from exc
    except Exception as exc:  # pydicom raises assorted errors on corrupt content
        raise ImagingError(str(path), f"corrupt DICOM file: {exc}") from exc
    meta_class = getattr(getattr(dataset, "file_meta", None), "MediaStorageSOPClassUID", None)
    if meta_class == _MEDIA_DIRECTORY_STORAGE:
        return None
    return dataset


def series_uid_of(path: Path) -> str | None:
    """SeriesInstanceUID of a DICOM file, ``None`` if it is not DICOM or has none."""
    dataset = read_dicom_file(path, stop_before_pixels=True)
    if dataset is None:
        return None
    uid = dataset.get("SeriesInstanceUID")
    return None if uid is None else str(uid)


def _floats(slice_: _Slice, keyword: str, count: int) -> npt.NDArray[np.float64]:
    value = slice_.dataset.get(keyword)
    if value is None or value == "":
        raise ImagingError(str(slice_.path), "required attribute is missing", attribute=keyword)
    try:
        values = np.asarray([float(v) for v in (value if count > 1 else [value])], dtype=float)
    except (TypeError, ValueError) as exc:
        raise ImagingError(str(slice_.path), f"not numeric: {value!r}", attribute=keyword) from exc
    if values.shape != (count,) or not np.all(np.isfinite(values)):
        raise ImagingError(
            str(slice_.path), f"expected {count} finite numbers, got {value!r}", attribute=keyword
        )
    return values


def _collect(folder: Path) -> dict[str, list[_Slice]]:
    """Image instances in ``folder`` grouped by SeriesInstanceUID."""
    by_series: dict[str, list[_Slice]] = {}
    try:
        entries = sorted(p for p in folder.iterdir() if p.is_file())
    except OSError as exc:
        raise ImagingError(str(folder), f"cannot list folder: {exc}") from exc
    for path in entries:
        dataset = read_dicom_file(path)
        if dataset is None:
            continue
        if str(dataset.get("Modality", "")).upper() in _NON_IMAGE_MODALITIES:
            continue
        if str(dataset.get("SOPClassUID", "")) == SEGMENTATION_STORAGE:
            continue
        uid = str(dataset.get("SeriesInstanceUID", ""))
        if not uid:
            raise ImagingError(
                str(path), "required attribute is missing", attribute="SeriesInstanceUID"
            )
        by_series.setdefault(uid, []).append(_Slice(path, dataset))
    return by_series


def _pick_series(folder: Path, by_series: dict[str, list[_Slice]], uid: str | None) -> list[_Slice]:
    if not by_series:
        raise ImagingError(str(folder), "no DICOM image files found")
    if uid is not None:
        if uid not in by_series:
            raise ImagingError(
                str(folder),
                f"series {uid!r} not found; the folder holds {sorted(by_series)!r}",
                attribute="SeriesInstanceUID",
            )
        return by_series[uid]
    if len(by_series) > 1:
        listing = ", ".join(
            f"{u} ({len(s)} file(s), {s[0].dataset.get('Modality', '?')})"
            for u, s in sorted(by_series.items())
        )
        raise ImagingError(
            str(folder),
            f"mixed series: {len(by_series)} series in one folder ({listing}); "
            "pass series_uid to choose one",
            attribute="SeriesInstanceUID",
        )
    return next(iter(by_series.values()))


def _check_consistent(slices: list[_Slice]) -> tuple[npt.NDArray[np.float64], npt.NDArray[Any]]:
    """Common orientation (6 cosines) and pixel spacing ([row, column]) of all slices."""
    first = slices[0]
    orientation = _floats(first, "ImageOrientationPatient", 6)
    pixel_spacing = _floats(first, "PixelSpacing", 2)
    shape = (first.dataset.get("Rows"), first.dataset.get("Columns"))
    for keyword, value in zip(("Rows", "Columns"), shape, strict=True):
        if value is None:
            raise ImagingError(str(first.path), "required attribute is missing", attribute=keyword)
    for slice_ in slices:
        frames = int(slice_.dataset.get("NumberOfFrames", 1) or 1)
        if frames != 1:
            raise ImagingError(
                str(slice_.path),
                f"multi-frame images are not supported ({frames} frames)",
                attribute="NumberOfFrames",
            )
        other = _floats(slice_, "ImageOrientationPatient", 6)
        if not np.allclose(other, orientation, atol=_ORIENTATION_TOLERANCE):
            raise GeometryError(
                str(slice_.path),
                f"inconsistent orientation {other.tolist()!r} vs {orientation.tolist()!r} in "
                f"{first.path.name}",
                attribute="ImageOrientationPatient",
            )
        other = _floats(slice_, "PixelSpacing", 2)
        if not np.allclose(other, pixel_spacing, atol=_SPACING_TOLERANCE_MM):
            raise GeometryError(
                str(slice_.path),
                f"inconsistent pixel spacing {other.tolist()!r} vs {pixel_spacing.tolist()!r} "
                f"in {first.path.name}",
                attribute="PixelSpacing",
            )
        for keyword, expected in zip(("Rows", "Columns"), shape, strict=True):
            value = slice_.dataset.get(keyword)
            if value != expected:
                raise GeometryError(
                    str(slice_.path),
                    f"{value!r} differs from {expected!r} in {first.path.name}",
                    attribute=keyword,
                )
    if np.any(pixel_spacing <= 0):
        raise GeometryError(
            str(first.path),
            f"must be positive, got {pixel_spacing.tolist()!r}",
            attribute="PixelSpacing",
        )
    return orientation, pixel_spacing


def _direction(slice_: _Slice, orientation: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    row, column = orientation[:3], orientation[3:]
    norms = (np.linalg.norm(row), np.linalg.norm(column))
    if min(norms) < 0.99 or max(norms) > 1.01 or abs(float(row @ column)) > 1e-3:
        raise GeometryError(
            str(slice_.path),
            f"row/column cosines are not orthogonal unit vectors: {orientation.tolist()!r}",
            attribute="ImageOrientationPatient",
        )
    row, column = row / norms[0], column / norms[1]
    normal = np.cross(row, column)
    return np.column_stack([row, column, normal / np.linalg.norm(normal)])


def _slice_spacing(
    folder: Path, ordered: list[_Slice], positions: npt.NDArray[np.float64], normal: Any
) -> float:
    if len(ordered) == 1:
        only = ordered[0]
        keyword = (
            "SpacingBetweenSlices" if "SpacingBetweenSlices" in only.dataset else "SliceThickness"
        )
        thickness = float(_floats(only, keyword, 1)[0])
        if thickness <= 0:
            raise GeometryError(
                str(only.path), f"must be positive, got {thickness!r}", attribute=keyword
            )
        return thickness
    along = positions @ normal
    gaps = np.diff(along)
    for n, gap in enumerate(gaps):
        if gap < _SPACING_TOLERANCE_MM:
            raise GeometryError(
                str(folder),
                f"two slices at the same position {along[n]:.3f} mm: {ordered[n].path.name} and "
                f"{ordered[n + 1].path.name}",
                attribute="ImagePositionPatient",
            )
    reference = float(np.median(gaps))
    for n, gap in enumerate(gaps):
        if abs(gap - reference) > _GAP_TOLERANCE * reference:
            raise GeometryError(
                str(folder),
                f"non-uniform slice spacing: gap of {gap:.4g} mm between {ordered[n].path.name} "
                f"and {ordered[n + 1].path.name} (at {along[n]:.3f} and {along[n + 1]:.3f} mm) "
                f"vs {reference:.4g} mm elsewhere (missing or extra slice?)",
                attribute="ImagePositionPatient",
            )
    # Positions must step along the normal (no gantry tilt / sheared stack).
    offsets = positions - positions[0] - np.outer(along - along[0], normal)
    drift = float(np.abs(offsets).max())
    if drift > max(0.01, _GAP_TOLERANCE * reference):
        raise GeometryError(
            str(folder),
            f"slice positions drift {drift:.3g} mm off the slice normal (tilted or sheared stack)",
            attribute="ImagePositionPatient",
        )
    return float((along[-1] - along[0]) / (len(ordered) - 1))


def _pixels(slice_: _Slice) -> npt.NDArray[np.float64]:
    dataset = slice_.dataset
    if "PixelData" not in dataset:
        raise ImagingError(str(slice_.path), "required attribute is missing", attribute="PixelData")
    try:
        stored = np.asarray(dataset.pixel_array, dtype=np.float64)
    except Exception as exc:  # missing decoder, truncated or malformed pixel data
        raise ImagingError(
            str(slice_.path), f"cannot decode pixels: {exc}", attribute="PixelData"
        ) from exc
    if stored.ndim != 2:
        raise ImagingError(
            str(slice_.path),
            f"expected a single-channel 2-D frame, got shape {stored.shape}",
            attribute="PixelData",
        )
    slope = float(_floats(slice_, "RescaleSlope", 1)[0]) if "RescaleSlope" in dataset else 1.0
    intercept = (
        float(_floats(slice_, "RescaleIntercept", 1)[0]) if "RescaleIntercept" in dataset else 0.0
    )
    return stored * slope + intercept


def read_dicom_series(folder: str | os.PathLike[str], *, series_uid: str | None = None) -> Volume:
    """Read one series of single-frame DICOM images from ``folder`` into a :class:`Volume`.

    Non-DICOM files (no ``DICM`` preamble), a DICOMDIR and non-image instances (SEG, RTSTRUCT,
    SR, ...) are ignored. Slices are ordered by the projection of ImagePositionPatient on the
    slice normal (row cosines x column cosines), never by InstanceNumber or file name, so the
    slice axis of the result always points along that normal.

    Parameters
    ----------
    folder
        Folder holding the files (not recursive).
    series_uid
        SeriesInstanceUID to read when the folder holds several series.

    Returns
    -------
    Volume
        ``array`` = stored values x RescaleSlope + RescaleIntercept (per slice; float64),
        ``spacing`` = ``(PixelSpacing[1], PixelSpacing[0], slice gap)``, ``origin`` = position
        of the first slice, ``header`` = that slice's dataset without PixelData.

    Raises
    ------
    ImagingError
        Empty folder, mixed series without ``series_uid``, a missing required attribute
        (ImagePositionPatient, ImageOrientationPatient, PixelSpacing, Rows, Columns,
        PixelData), undecodable pixels.
    GeometryError
        Inconsistent ImageOrientationPatient, PixelSpacing, Rows or Columns between slices,
        duplicate positions, slice gaps differing by more than 1 %.

    References
    ----------
    DICOM PS3.3 C.7.6.2 Image Plane Module (C.7.6.2.1.1: PixelSpacing is
    ``[row spacing, column spacing]``); C.11.1 Modality LUT Module (RescaleSlope/Intercept).
    """
    root = Path(folder)
    if not root.is_dir():
        raise ImagingError(str(root), "not a folder" if root.exists() else "no such folder")
    slices = _pick_series(root, _collect(root), series_uid)
    orientation, pixel_spacing = _check_consistent(slices)
    direction = _direction(slices[0], orientation)
    normal = direction[:, 2]
    positions = np.stack([_floats(s, "ImagePositionPatient", 3) for s in slices])
    order = np.argsort(positions @ normal, kind="stable")
    ordered = [slices[n] for n in order]
    positions = positions[order]
    slice_gap = _slice_spacing(root, ordered, positions, normal)
    array = np.stack([_pixels(s) for s in ordered])
    header = ordered[0].dataset
    del header.PixelData
    modality = header.get("Modality")
    return Volume(
        array=array,
        spacing=(float(pixel_spacing[1]), float(pixel_spacing[0]), slice_gap),
        origin=(float(positions[0][0]), float(positions[0][1]), float(positions[0][2])),
        direction=direction,
        source=str(root),
        modality=None if modality is None else str(modality),
        header=header,
    )
