"""Read a NIfTI-1/2 image or label mask into a :class:`Volume` (RAS affine -> DICOM LPS).

References
----------
NIfTI-1 header, fields ``qform_code``/``sform_code`` and the quaternion (method 2) and
affine (method 3) voxel-to-world transforms:
https://nifti.nimh.nih.gov/nifti-1/documentation/nifti1fields (world space is RAS+).
DICOM PS3.3 C.7.6.2.1.1 for the LPS patient coordinate system.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import nibabel as nib
import numpy as np
import numpy.typing as npt

from oncoboard.errors import GeometryError, ImagingError
from oncoboard.imaging.volume import Volume

__all__ = ["is_nifti", "read_nifti", "read_nifti_mask"]

_RAS_TO_LPS = np.diag([-1.0, -1.0, 1.0, 1.0])


def is_nifti(path: Path) -> bool:
    """Whether the file name ends in ``.nii`` or ``.nii.gz``."""
    name = path.name.lower()
    return name.endswith((".nii", ".nii.gz"))


def _load(path: Path) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Scaled voxel data ``[i, j, k]`` (3-D) and the LPS affine."""
    if not path.is_file():
        raise ImagingError(str(path), "no such file" if not path.exists() else "not a file")
    try:
        image: Any = nib.load(path)
        affine = np.asarray(image.affine, dtype=np.float64)
        data = np.asarray(image.get_fdata(dtype=np.float64))  # applies scl_slope / scl_inter
    except Exception as exc:  # nibabel's ImageFileError, truncated gzip (EOFError), OSError ...
        raise ImagingError(str(path), f"cannot read NIfTI: {exc}") from exc
    while data.ndim > 3 and data.shape[-1] == 1:
        data = data[..., 0]
    if data.ndim != 3:
        raise ImagingError(
            str(path),
            f"expected a 3-D image (a 4th dimension of size 1 allowed), got shape {data.shape}",
        )
    if affine.shape != (4, 4) or not np.all(np.isfinite(affine)):
        raise GeometryError(str(path), "affine is missing or not finite")
    return data, _RAS_TO_LPS @ affine


def _volume(path: Path, data: npt.NDArray[Any], lps: npt.NDArray[np.float64]) -> Volume:
    linear = lps[:3, :3]
    spacing = np.linalg.norm(linear, axis=0)
    if np.any(spacing <= 0) or abs(float(np.linalg.det(linear))) < 1e-12:
        raise GeometryError(str(path), f"degenerate affine (voxel sizes {spacing.tolist()!r})")
    return Volume(
        array=np.ascontiguousarray(data.transpose(2, 1, 0)),
        spacing=(float(spacing[0]), float(spacing[1]), float(spacing[2])),
        origin=(float(lps[0, 3]), float(lps[1, 3]), float(lps[2, 3])),
        direction=linear / spacing,
        source=str(path),
    )


def read_nifti(path: str | os.PathLike[str]) -> Volume:
    """Read a 3-D NIfTI image into a float64 :class:`Volume` in LPS.

    nibabel's affine (sform if ``sform_code > 0``, else qform) maps ``(i, j, k)`` to RAS mm;
    the first two rows are negated for LPS. ``spacing`` = column norms of its 3x3 part,
    ``direction`` = those columns normalised, ``origin`` = its translation; the array is
    reordered from ``[i, j, k]`` to ``[k, j, i]``. ``scl_slope``/``scl_inter`` are applied.

    Raises
    ------
    ImagingError
        Unreadable file, or not 3-D (a trailing 4th dimension of size 1 is squeezed).
    GeometryError
        Degenerate (singular) affine.

    References
    ----------
    NIfTI-1 qform/sform convention (``nifti1.h``); DICOM PS3.3 C.7.6.2.1.1 (LPS).
    """
    source = Path(path)
    data, lps = _load(source)
    return _volume(source, data, lps)


def read_nifti_mask(path: str | os.PathLike[str]) -> Volume:
    """Read a 3-D NIfTI label mask (integer labels >= 0, 0 = background) as int32.

    Geometry as :func:`read_nifti`.

    Raises
    ------
    ImagingError
        As :func:`read_nifti`, or if a voxel is not a non-negative integer (e.g. a
        probability map or a resampled mask).
    """
    source = Path(path)
    data, lps = _load(source)
    finite = np.isfinite(data)
    bad = ~finite | (data != np.round(np.where(finite, data, 0)))
    if np.any(bad):
        where = tuple(int(v) for v in np.argwhere(bad)[0])
        raise ImagingError(
            str(source),
            f"mask must hold integer labels, found {data[where]!r} at voxel (i, j, k) {where} "
            f"and {int(bad.sum()) - 1} other non-integer voxel(s)",
        )
    if data.size and (data.min() < 0 or data.max() > np.iinfo(np.int32).max):
        raise ImagingError(
            str(source), f"mask labels must be in 0..2^31-1, found range {data.min()}..{data.max()}"
        )
    return _volume(source, data.astype(np.int32), lps)
