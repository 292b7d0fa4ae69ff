"""A 3-D image on a patient-space grid: the one type the imaging readers, PET quantification
and lesion geometry share.

Conventions (as DICOM, PS3.3 C.7.6.2.1.1 Image Position and Image Orientation (Patient)):

* ``array`` is indexed ``[slice, row, column]`` (``k, j, i``);
* patient coordinates are DICOM LPS millimetres (x to the patient's left, y posterior,
  z head-wards); NIfTI's RAS is converted by the reader;
* ``origin`` is the centre of voxel ``[0, 0, 0]``; ``direction`` has as columns the unit vectors
  along increasing column (``i``), row (``j``) and slice (``k``) index; ``spacing`` is
  ``(column, row, slice)`` spacing in mm, the same order.

So a voxel ``[k, j, i]`` is at ``origin + direction @ (i * sx, j * sy, k * sz)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from oncoboard.errors import GeometryError

__all__ = ["Volume"]

_TOLERANCE_MM = 1e-3


@dataclass(frozen=True, slots=True, eq=False)
class Volume:
    """Voxels on a grid in patient (LPS) space.

    Attributes
    ----------
    array
        Voxel values ``[slice, row, column]``: rescaled (real-world) values for images
        (HU for CT, Bq/mL for PET), integer labels for masks (0 = background).
    spacing
        ``(column, row, slice)`` voxel size in mm, each > 0.
    origin
        LPS position of the centre of voxel ``[0, 0, 0]`` in mm.
    direction
        3x3 matrix whose columns are the LPS unit vectors of the column, row and slice axes.
    source
        Where it was read from (file or folder), for messages.
    modality
        DICOM Modality (``CT``, ``PT``, ``MR``, ``SEG``) or ``None`` (NIfTI).
    header
        The DICOM header of the series' first slice (pixel data removed), or ``None``; PET
        quantification reads the radiopharmaceutical and patient attributes from it.
    labels
        For masks: label value -> name (DICOM SEG segment label), where known.
    """

    array: npt.NDArray[Any]
    spacing: tuple[float, float, float]
    origin: tuple[float, float, float]
    direction: npt.NDArray[np.float64]
    source: str
    modality: str | None = None
    header: Any = None
    labels: Mapping[int, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.array.ndim != 3:
            raise GeometryError(self.source, f"expected a 3-D volume, got shape {self.array.shape}")
        if len(self.spacing) != 3 or min(self.spacing) <= 0:
            raise GeometryError(self.source, f"expected 3 positive spacings, got {self.spacing!r}")
        direction = np.asarray(self.direction, dtype=np.float64)
        if direction.shape != (3, 3) or not np.allclose(
            np.linalg.norm(direction, axis=0), 1.0, atol=1e-4
        ):
            raise GeometryError(self.source, "direction must be 3 unit column vectors")
        object.__setattr__(self, "direction", direction)

    @property
    def shape(self) -> tuple[int, int, int]:
        """``(slices, rows, columns)``."""
        k, j, i = self.array.shape
        return (int(k), int(j), int(i))

    @property
    def voxel_volume_ml(self) -> float:
        """Volume of one voxel in mL (cm³)."""
        sx, sy, sz = self.spacing
        return abs(float(np.linalg.det(self.direction))) * sx * sy * sz / 1000.0

    @property
    def affine(self) -> npt.NDArray[np.float64]:
        """4x4 matrix from ``(i, j, k, 1)`` (column, row, slice) to LPS mm."""
        matrix = np.eye(4)
        matrix[:3, :3] = self.direction * np.asarray(self.spacing)
        matrix[:3, 3] = self.origin
        return matrix

    def to_patient(self, kji: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """LPS mm of voxel indices given as rows of ``(k, j, i)``."""
        indices = np.atleast_2d(np.asarray(kji, dtype=np.float64))[:, ::-1]
        return np.asarray(indices @ self.affine[:3, :3].T + self.affine[:3, 3])

    def is_axial(self, tolerance: float = 1e-3) -> bool:
        """Whether slices are axial: the slice axis is along patient z (up to sign)."""
        return bool(abs(abs(self.direction[2, 2]) - 1.0) < tolerance)

    def same_grid(self, other: Volume, tolerance_mm: float = _TOLERANCE_MM) -> bool:
        """Whether ``other`` has the same shape and voxel positions (within ``tolerance_mm``)."""
        if self.shape != other.shape:
            return False
        corners = np.array([[0, 0, 0], [s - 1 for s in self.shape]], dtype=np.float64)
        return bool(
            np.allclose(self.to_patient(corners), other.to_patient(corners), atol=tolerance_mm)
            and np.allclose(self.direction, other.direction, atol=1e-4)
        )

    def require_same_grid(self, other: Volume) -> None:
        """Raise :class:`GeometryError` naming both sources unless the grids match."""
        if not self.same_grid(other):
            raise GeometryError(
                other.source,
                f"mask does not match image {self.source}: shape "
                f"{other.shape} vs {self.shape}, origin {tuple(round(v, 3) for v in other.origin)}"
                f" vs {tuple(round(v, 3) for v in self.origin)}, spacing "
                f"{tuple(round(v, 4) for v in other.spacing)} vs "
                f"{tuple(round(v, 4) for v in self.spacing)}",
            )
