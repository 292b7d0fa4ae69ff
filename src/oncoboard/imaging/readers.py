"""Read DICOM series, DICOM SEG and NIfTI images and label masks into :class:`Volume`.

* :func:`read_image` - a DICOM folder (or one file of a series) or a ``.nii``/``.nii.gz``;
* :func:`read_mask` - a NIfTI label mask or a DICOM SEG, optionally checked against (and, for
  SEG, placed on) the grid of its image;
* :func:`read_dicom_series`, :func:`read_nifti`, :func:`read_dicom_seg` - the format readers.

Every failure is an :class:`~oncoboard.errors.ImagingError` (or its subclass
:class:`~oncoboard.errors.GeometryError`) naming the file or folder and, where there is one,
the DICOM keyword at fault.

References
----------
DICOM PS3.3 C.7.6.2 Image Plane Module; C.11.1 Modality LUT Module (RescaleSlope and
RescaleIntercept); C.8.20 Segmentation IOD Modules. NIfTI-1 qform/sform convention
(https://nifti.nimh.nih.gov/nifti-1/documentation/nifti1fields), world space RAS+.
"""

from __future__ import annotations

import os
from pathlib import Path

from oncoboard.errors import ImagingError
from oncoboard.imaging._dicom import SEGMENTATION_STORAGE, read_dicom_file, read_dicom_series
from oncoboard.imaging._nifti import is_nifti, read_nifti, read_nifti_mask
from oncoboard.imaging._seg import read_dicom_seg
from oncoboard.imaging.volume import Volume

__all__ = ["read_dicom_seg", "read_dicom_series", "read_image", "read_mask", "read_nifti"]


def read_image(path: str | os.PathLike[str]) -> Volume:
    """Read an image: a folder of DICOM slices, one DICOM file of a series, or NIfTI.

    A single DICOM file stands for its whole series: the files of the same
    SeriesInstanceUID in its folder are read (:func:`read_dicom_series`). ``.nii`` and
    ``.nii.gz`` files are read by :func:`read_nifti`.

    Raises
    ------
    ImagingError
        The path does not exist, is neither DICOM nor NIfTI, is a DICOM SEG, or any error of
        the format reader.
    """
    source = Path(path)
    if source.is_dir():
        return read_dicom_series(source)
    if not source.exists():
        raise ImagingError(str(source), "no such file or folder")
    if is_nifti(source):
        return read_nifti(source)
    header = read_dicom_file(source, stop_before_pixels=True)
    if header is None:
        raise ImagingError(str(source), "neither a DICOM file nor NIfTI (.nii, .nii.gz)")
    if str(header.get("SOPClassUID", "")) == SEGMENTATION_STORAGE:
        raise ImagingError(str(source), "is a DICOM SEG; read it with read_mask")
    uid = header.get("SeriesInstanceUID")
    if not uid:
        raise ImagingError(
            str(source), "required attribute is missing", attribute="SeriesInstanceUID"
        )
    return read_dicom_series(source.parent, series_uid=str(uid))


def read_mask(path: str | os.PathLike[str], *, like: Volume | None = None) -> Volume:
    """Read an integer label mask: NIfTI (integer-valued) or DICOM SEG.

    Parameters
    ----------
    path
        ``.nii``/``.nii.gz`` label mask, or a DICOM SEG file.
    like
        The image the mask belongs to. A NIfTI mask must lie on its grid
        (:meth:`Volume.require_same_grid`); a DICOM SEG is placed on it frame by frame
        (:func:`read_dicom_seg`; required for SEG). Nothing is resampled.

    Returns
    -------
    Volume
        int32 labels (0 = background) with ``labels`` = segment names where known.

    Raises
    ------
    ImagingError
        Unreadable, non-integer NIfTI, a DICOM file that is not a SEG, a SEG without ``like``.
    GeometryError
        The mask's grid differs from ``like``'s (the message names both sources).
    """
    source = Path(path)
    if is_nifti(source):
        mask = read_nifti_mask(source)
        if like is not None:
            like.require_same_grid(mask)
        return mask
    if not source.is_file():
        raise ImagingError(str(source), "no such file" if not source.exists() else "not a file")
    header = read_dicom_file(source, stop_before_pixels=True)
    if header is None:
        raise ImagingError(str(source), "neither NIfTI (.nii, .nii.gz) nor a DICOM file")
    if str(header.get("SOPClassUID", "")) != SEGMENTATION_STORAGE:
        raise ImagingError(
            str(source),
            f"not a DICOM Segmentation (SOPClassUID {header.get('SOPClassUID')!s})",
            attribute="SOPClassUID",
        )
    if like is None:
        raise ImagingError(str(source), "a DICOM SEG needs its image: pass like=")
    return read_dicom_seg(source, like)
