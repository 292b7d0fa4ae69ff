"""Read a DICOM Segmentation (SEG) onto the grid of the image it segments.

References
----------
DICOM PS3.3 C.8.20 Segmentation IOD Modules (C.8.20.2 Segmentation Image Module:
SegmentationType, MaximumFractionalValue, SegmentSequence), C.7.6.16.2 Multi-frame Functional
Groups (PlanePositionSequence, PlaneOrientationSequence, PixelMeasuresSequence,
SegmentIdentificationSequence) and C.7.6.2 Image Plane Module.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import highdicom as hd
import numpy as np
import numpy.typing as npt

from oncoboard.errors import GeometryError, ImagingError
from oncoboard.imaging.volume import Volume

__all__ = ["read_dicom_seg"]

_POSITION_TOLERANCE_MM = 0.01
_ORIENTATION_TOLERANCE = 1e-3
_FRACTION_THRESHOLD = 0.5


def _functional(seg: Any, frame: int, keyword: str) -> Any:
    """The first item of functional group ``keyword`` for ``frame`` (per-frame, else shared)."""
    for groups, index in (
        (seg.get("PerFrameFunctionalGroupsSequence"), frame),
        (seg.get("SharedFunctionalGroupsSequence"), 0),
    ):
        if groups is not None and index < len(groups):
            sequence = groups[index].get(keyword)
            if sequence:
                return sequence[0]
    return None


def _floats(source: str, item: Any, keyword: str, count: int) -> npt.NDArray[np.float64]:
    value = None if item is None else item.get(keyword)
    if value is None:
        raise ImagingError(source, "required attribute is missing", attribute=keyword)
    try:
        values = np.asarray([float(v) for v in value], dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ImagingError(source, f"not numeric: {value!r}", attribute=keyword) from exc
    if values.shape != (count,):
        raise ImagingError(source, f"expected {count} numbers, got {value!r}", attribute=keyword)
    return values


def _check_geometry(source: str, seg: Any, like: Volume) -> None:
    """Frame of reference, matrix size, orientation and pixel spacing must match ``like``."""
    like_frame = None if like.header is None else like.header.get("FrameOfReferenceUID")
    seg_frame = seg.get("FrameOfReferenceUID")
    if like_frame and seg_frame and str(like_frame) != str(seg_frame):
        raise GeometryError(
            source,
            f"frame of reference {seg_frame} differs from image {like.source} ({like_frame})",
            attribute="FrameOfReferenceUID",
        )
    _, rows, columns = like.shape
    matrix = (seg.get("Rows"), seg.get("Columns"))
    if matrix != (rows, columns):
        raise GeometryError(
            source,
            f"{matrix[0]}x{matrix[1]} frames do not match image {like.source} ({rows}x{columns})",
            attribute="Rows",
        )
    orientation = _floats(
        source, _functional(seg, 0, "PlaneOrientationSequence"), "ImageOrientationPatient", 6
    )
    expected = np.concatenate([like.direction[:, 0], like.direction[:, 1]])
    if not np.allclose(orientation, expected, atol=_ORIENTATION_TOLERANCE):
        raise GeometryError(
            source,
            f"orientation {orientation.tolist()!r} differs from image {like.source} "
            f"({np.round(expected, 6).tolist()!r}); resampling is not supported",
            attribute="ImageOrientationPatient",
        )
    spacing = _floats(source, _functional(seg, 0, "PixelMeasuresSequence"), "PixelSpacing", 2)
    if not np.allclose(spacing, (like.spacing[1], like.spacing[0]), atol=1e-3):
        raise GeometryError(
            source,
            f"pixel spacing {spacing.tolist()!r} differs from image {like.source} "
            f"({[like.spacing[1], like.spacing[0]]!r})",
            attribute="PixelSpacing",
        )


def _read(source: Path) -> Any:
    if not source.is_file():
        raise ImagingError(str(source), "no such file" if not source.exists() else "not a file")
    try:
        seg = hd.seg.segread(source)
        frames = np.asarray(seg.pixel_array)
    except Exception as exc:  # InvalidDicomError, not a SEG, undecodable pixels ...
        raise ImagingError(str(source), f"cannot read DICOM SEG: {exc}") from exc
    return seg, frames.reshape((-1, *frames.shape[-2:]))


def read_dicom_seg(path: str | os.PathLike[str], like: Volume) -> Volume:
    """Read a DICOM SEG into an int32 label :class:`Volume` on the grid of ``like``.

    Every frame is placed on the slice of ``like`` whose position equals the frame's
    PlanePositionSequence ImagePositionPatient (within 0.01 mm); nothing is resampled, so the
    SEG must have been drawn on that image (same orientation, pixel spacing and matrix).
    BINARY frames are used as is, FRACTIONAL ones thresholded at 0.5 of MaximumFractionalValue,
    LABELMAP pixel values are the segment numbers. Segment number ``n`` becomes label ``n``
    and ``labels[n]`` its SegmentLabel.

    Raises
    ------
    ImagingError
        Unreadable or not a SEG, a missing functional group attribute, overlapping segments.
    GeometryError
        Frame of reference, orientation, spacing or matrix differ from ``like``, or a frame
        lies on none of its slices.

    References
    ----------
    DICOM PS3.3 C.8.20 Segmentation IOD Modules; C.7.6.2 Image Plane Module.
    """
    source = Path(path)
    name = str(source)
    seg, frames = _read(source)
    _check_geometry(name, seg, like)
    kind = str(seg.get("SegmentationType", ""))
    if kind == "FRACTIONAL":
        maximum = float(seg.get("MaximumFractionalValue", 255) or 255)
        frames = frames >= _FRACTION_THRESHOLD * maximum
    elif kind not in ("BINARY", "LABELMAP"):
        raise ImagingError(
            name, f"unsupported segmentation type {kind!r}", attribute="SegmentationType"
        )
    names = {
        int(item.SegmentNumber): str(item.get("SegmentLabel", f"segment {item.SegmentNumber}"))
        for item in seg.get("SegmentSequence", [])
    }
    slice_positions = like.to_patient([[k, 0, 0] for k in range(like.shape[0])])
    labels = np.zeros(like.shape, dtype=np.int32)
    for frame, pixels in enumerate(frames):
        position = _floats(
            name, _functional(seg, frame, "PlanePositionSequence"), "ImagePositionPatient", 3
        )
        distances = np.linalg.norm(slice_positions - position, axis=1)
        k = int(np.argmin(distances))
        if distances[k] > _POSITION_TOLERANCE_MM:
            raise GeometryError(
                name,
                f"frame {frame + 1} at {np.round(position, 3).tolist()!r} mm lies on no slice of "
                f"image {like.source} (nearest is slice {k}, {distances[k]:.3g} mm away)",
                attribute="ImagePositionPatient",
            )
        if kind == "LABELMAP":
            values = np.asarray(pixels, dtype=np.int32)
        else:
            item = _functional(seg, frame, "SegmentIdentificationSequence")
            if item is None or "ReferencedSegmentNumber" not in item:
                raise ImagingError(
                    name, f"frame {frame + 1}: missing", attribute="ReferencedSegmentNumber"
                )
            values = np.where(np.asarray(pixels) > 0, int(item.ReferencedSegmentNumber), 0)
        current = labels[k]
        clash = (values > 0) & (current > 0) & (current != values)
        if np.any(clash):
            j, i = (int(v) for v in np.argwhere(clash)[0])
            raise ImagingError(
                name,
                f"segments {int(current[j, i])} and {int(values[j, i])} overlap at voxel "
                f"(k, j, i) ({k}, {j}, {i}); overlapping segments cannot form one label mask",
                attribute="SegmentSequence",
            )
        labels[k] = np.where(values > 0, values, current)
    return Volume(
        array=labels,
        spacing=like.spacing,
        origin=like.origin,
        direction=like.direction,
        source=name,
        modality="SEG",
        labels=names,
    )
