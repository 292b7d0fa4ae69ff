"""PET quantification for PERCIST 1.0: SUVbw, SUL, SULpeak and the liver reference.

Pipeline
--------
1. :func:`calibration_from_dicom` reads the injected activity, half-life, injection time, decay
   reference time and patient weight/height/sex from the first-slice header of a PET series
   (PS3.3 C.8.9.1 PET Series Module, C.8.9.2 PET Isotope Module, C.7.1.1 Patient Module) into a
   :class:`PetCalibration`; a calibration can also be built by hand.
2. :func:`suv_factor` / :func:`sul_factor` give the number that turns Bq/mL into SUVbw or SUL.
3. :func:`lesion_uptake` measures SUVmax, SUVpeak, SULmax and SULpeak of every lesion of a label
   mask; :func:`liver_reference` measures the mean and SD of SUL in a 3 cm sphere of liver and
   the PERCIST measurability threshold (via
   :func:`oncoboard.monitoring.percist.percist_threshold`).

SUV (body weight)
-----------------
``decayed_dose = RadionuclideTotalDose * 2 ** (-(reference - injection) / RadionuclideHalfLife)``
and ``SUVbw = C[Bq/mL] * PatientWeight[kg] * 1000 / decayed_dose[Bq]`` (g/mL, tissue density
taken as 1 g/mL), where *reference* is the time the Bq/mL values are decay-corrected to. This is
the QIBA vendor-neutral SUV pseudo-code (Kinahan, Perlman et al., QIBA FDG-PET/CT Technical
Committee, "Vendor-neutral pseudo-code for SUV calculation"), as summarised in the fact sheet
(``/work/shared/reference/mbc-facts.md``, PERCIST section, tag [V]).

SUL (lean body mass)
--------------------
``SUL = SUVbw * LBM / weight``, with the lean body mass of Janmahasatian et al. 2005 (see
:func:`lean_body_mass_kg`). PERCIST 1.0 itself used the James formula; the fact sheet notes that
"some software now uses the Janmahasatian formula" [U]. The two differ by a few percent, so SUL
values from different software are comparable only if the same LBM formula was used.

SULpeak
-------
The highest mean SUL in a sphere of 1 cm³ (radius 6.2 mm, about 1.2 cm diameter) whose centre is
a voxel of the lesion (see :func:`sphere_mean_max`). PERCIST defines SULpeak as a ~1 cm³ sphere
placed in the hottest part of the tumour (fact sheet [V]); restricting the centre to the lesion
mask is this module's reading of "in the tumour".

References
----------
.. [1] Wahl RL, Jacene H, Kasamon Y, Lodge MA. From RECIST to PERCIST: evolving considerations
   for PET response criteria in solid tumors. J Nucl Med. 2009;50 Suppl 1:122S-150S.
.. [2] O JH, Lodge MA, Wahl RL. Practical PERCIST: a simplified guide to PET response criteria
   in solid tumors 1.0. Radiology. 2016;280(2):576-584 (PMC4976461).
.. [3] Kinahan PE, Perlman ES, et al. QIBA FDG-PET/CT Technical Committee: vendor-neutral
   pseudo-code for SUV calculation (QIBA wiki). Details as in the fact sheet; the document was
   not re-read for this module.
.. [4] Janmahasatian S, Duffull SB, Ash S, et al. Quantification of lean bodyweight. Clin
   Pharmacokinet. 2005;44(10):1051-1065 (formula recalled from the paper, not re-checked: [U]).
.. [5] DICOM PS3.3 C.8.9.1 PET Series Module, C.8.9.2 PET Isotope Module.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import ndimage, signal

from oncoboard.errors import GeometryError, ImagingError
from oncoboard.imaging._pet_calibration import (
    PetCalibration,
    calibration_from_dicom,
    lean_body_mass_kg,
    sul_factor,
    suv_factor,
    suv_volume,
)
from oncoboard.imaging.volume import Volume
from oncoboard.monitoring.percist import percist_threshold

__all__ = [
    "LesionUptake",
    "LiverReference",
    "PetCalibration",
    "calibration_from_dicom",
    "lean_body_mass_kg",
    "lesion_uptake",
    "liver_reference",
    "sphere_mean_max",
    "sul_factor",
    "suv_factor",
    "suv_volume",
]

#: Volume of the PERCIST SULpeak sphere, mL (cm³).
PEAK_VOLUME_ML = 1.0
#: Diameter of the PERCIST liver reference sphere, mm (3 cm, right lobe).
LIVER_DIAMETER_MM = 30.0

_EPS_MM = 1e-6
_TIE_RELATIVE = 1e-9


@dataclass(frozen=True, slots=True)
class LesionUptake:
    """FDG uptake of one labelled lesion.

    Attributes
    ----------
    label
        Mask label value.
    suv_max, suv_peak
        Highest voxel SUVbw and SUVbw peak (1 cm³ sphere), g/mL.
    sul_max, sul_peak
        The same normalised to lean body mass (PERCIST uses ``sul_peak``).
    peak_centre_mm
        LPS position (mm) of the centre of the peak sphere (a voxel centre of the lesion).
    voxels
        Number of voxels with this label.
    """

    label: int
    suv_max: float
    suv_peak: float
    sul_max: float
    sul_peak: float
    peak_centre_mm: tuple[float, float, float]
    voxels: int


@dataclass(frozen=True, slots=True)
class LiverReference:
    """PERCIST liver reference: SUL in a 3 cm diameter sphere in the right liver lobe.

    Attributes
    ----------
    mean_sul, sd_sul
        Mean and standard deviation (``ddof=1``) of the voxel SUL values in the sphere.
    centre_mm
        LPS centre of the sphere, mm.
    threshold_sul
        PERCIST measurability threshold ``1.5 * mean_sul + 2 * sd_sul`` (a target lesion needs
        SULpeak at or above it).
    diameter_mm
        Sphere diameter, mm.
    """

    mean_sul: float
    sd_sul: float
    centre_mm: tuple[float, float, float]
    threshold_sul: float
    diameter_mm: float = LIVER_DIAMETER_MM


# --------------------------------------------------------------------------------------------
# Spheres


def _sphere_kernel(
    spacing: tuple[float, float, float],
    direction: npt.NDArray[np.float64],
    radius_mm: float,
) -> npt.NDArray[np.bool_]:
    """Boolean ``[k, j, i]`` kernel of the voxel offsets whose centre is within ``radius_mm``.

    Offsets are measured in patient millimetres (``direction @ (di*sx, dj*sy, dk*sz)``), so
    anisotropic and even non-orthogonal grids are handled; the kernel is centred.
    """
    matrix = direction * np.asarray(spacing)  # (i, j, k) index -> mm
    inverse = np.linalg.inv(matrix)
    half = [math.floor(radius_mm * float(np.linalg.norm(inverse[a])) + _EPS_MM) for a in range(3)]
    ni, nj, nk = half
    k, j, i = np.meshgrid(
        np.arange(-nk, nk + 1), np.arange(-nj, nj + 1), np.arange(-ni, ni + 1), indexing="ij"
    )
    offsets = np.stack([i, j, k], axis=-1).astype(np.float64) @ matrix.T
    return np.asarray(np.linalg.norm(offsets, axis=-1) <= radius_mm + _EPS_MM)


def _radius_mm(volume_ml: float) -> float:
    if not volume_ml > 0:
        raise ValueError(f"volume_ml must be > 0, got {volume_ml!r}")
    return float((3.0 * volume_ml * 1000.0 / (4.0 * math.pi)) ** (1.0 / 3.0))


def _crop(
    shape: tuple[int, ...], box: tuple[slice, ...], margin: tuple[int, ...]
) -> tuple[slice, ...]:
    return tuple(
        slice(max(0, int(b.start) - m), min(n, int(b.stop) + m))
        for b, m, n in zip(box, margin, shape, strict=True)
    )


def _peak_in_crop(
    values: npt.NDArray[np.float64],
    region: npt.NDArray[np.bool_],
    kernel: npt.NDArray[np.bool_],
) -> tuple[float, tuple[int, int, int]]:
    """Highest sphere mean with the centre in ``region``; index within the crop.

    Outside the crop (only where the crop meets the image border, since crops carry a margin of
    the kernel's half-size) there are no voxels: the mean is over the voxels present.
    """
    weights = kernel.astype(np.float64)
    sums = signal.fftconvolve(values, weights, mode="same")
    counts = signal.fftconvolve(np.ones_like(values), weights, mode="same")
    means = np.where(region, sums / np.maximum(counts, 0.5), -np.inf)
    best = float(means.max())
    # A plateau of equal means (a small lesion wholly inside the sphere from several centres,
    # up to FFT round-off): take the tied centre nearest the plateau's middle, not the first.
    tied = np.argwhere(means >= best - _TIE_RELATIVE * abs(best))
    middle = tied.mean(axis=0)
    k, j, i = tied[int(np.argmin(((tied - middle) ** 2).sum(axis=1)))]
    return float(means[k, j, i]), (int(k), int(j), int(i))


def sphere_mean_max(
    image: Volume, region: npt.NDArray[np.bool_] | None, *, volume_ml: float = PEAK_VOLUME_ML
) -> tuple[float, tuple[int, int, int]]:
    """Peak: the highest mean over a sphere of ``volume_ml`` whose centre lies in ``region``.

    Parameters
    ----------
    image
        Values to average (e.g. SUV or SUL; any units).
    region
        Boolean ``[k, j, i]`` mask on the image grid (e.g. a lesion); candidate centres are its
        voxels. ``None`` = the whole image.
    volume_ml
        Sphere volume in mL; 1 mL (radius 6.20 mm) is the PERCIST SULpeak sphere.

    Returns
    -------
    tuple of (float, tuple of int)
        The peak value and the ``(k, j, i)`` index of the sphere's centre voxel.

    Raises
    ------
    GeometryError
        ``region`` does not have the image's shape.
    ValueError
        ``region`` is empty or ``volume_ml`` is not positive.

    Notes
    -----
    The sphere is the set of voxels whose *centre* lies within the radius of the centre voxel,
    measured in mm from the grid's spacing and direction (so anisotropic voxels are handled);
    voxels are not weighted by partial overlap, and the mean is normalised by the number of
    voxels in the kernel (fewer at the image border, where only voxels inside the image count).
    Centres are restricted to voxel centres (no sub-voxel search); among centres with equal
    means (within 1e-9 relative) the one nearest the middle of the tied set is returned. Because
    whole voxels are included, the kernel's volume (voxels x voxel volume) only approximates
    ``volume_ml`` on coarse grids (e.g. 19 voxels = 1.22 mL on a 4 mm isotropic grid). The
    means are computed by FFT convolution (:func:`scipy.signal.fftconvolve`) over the region's
    bounding box plus a margin of the kernel half-size, so the cost depends on the lesion, not
    on the image size.
    """
    kernel = _sphere_kernel(image.spacing, image.direction, _radius_mm(volume_ml))
    if region is None:
        mask = np.ones(image.shape, dtype=bool)
    else:
        mask = np.asarray(region, dtype=bool)
        if mask.shape != image.shape:
            raise GeometryError(
                image.source, f"region shape {mask.shape} differs from image shape {image.shape}"
            )
    boxes = ndimage.find_objects(mask.astype(np.uint8))
    if not boxes or boxes[0] is None:
        raise ValueError("region is empty")
    margin = tuple(s // 2 for s in kernel.shape)
    box = _crop(image.shape, boxes[0], margin)
    value, (k, j, i) = _peak_in_crop(
        np.asarray(image.array[box], dtype=np.float64), mask[box], kernel
    )
    return value, (k + int(box[0].start), j + int(box[1].start), i + int(box[2].start))


# --------------------------------------------------------------------------------------------
# Lesions and liver


def _triple(point: npt.NDArray[np.float64]) -> tuple[float, float, float]:
    return (float(point[0]), float(point[1]), float(point[2]))


def lesion_uptake(pet: Volume, labels: Volume, cal: PetCalibration) -> list[LesionUptake]:
    """SUVmax, SUVpeak, SULmax and SULpeak of every non-zero label.

    Parameters
    ----------
    pet
        PET image in Bq/mL.
    labels
        Integer label mask (0 = background) on the same grid.
    cal
        Calibration of ``pet``.

    Returns
    -------
    list of LesionUptake
        One per label present, in increasing label order.

    Raises
    ------
    GeometryError
        The mask is not on the PET grid, or has negative or non-integer labels.
    ImagingError
        From :func:`sul_factor` (e.g. unknown height or sex).

    Notes
    -----
    Each label is cropped to its bounding box (:func:`scipy.ndimage.find_objects`, one pass) plus
    the 1 cm³ sphere's half-size, converted to SUV in float64, and measured there; SUVpeak uses
    :func:`sphere_mean_max`'s method with centres restricted to the label's voxels. SUL values
    are the SUV values times ``LBM / weight``, so ``sul_peak`` is at the same place as
    ``suv_peak``.
    """
    pet.require_same_grid(labels)
    suv = suv_factor(cal)
    lean = sul_factor(cal) / suv
    label_array: npt.NDArray[Any] = labels.array
    if not np.issubdtype(label_array.dtype, np.integer):
        if np.issubdtype(label_array.dtype, np.bool_):
            label_array = label_array.astype(np.uint8)
        else:
            as_int = label_array.astype(np.int64)
            if not np.array_equal(as_int, label_array):
                raise GeometryError(labels.source, "label values must be integers")
            label_array = as_int
    if label_array.size and int(label_array.min()) < 0:
        raise GeometryError(labels.source, "label values must be >= 0")
    kernel = _sphere_kernel(pet.spacing, pet.direction, _radius_mm(PEAK_VOLUME_ML))
    margin = tuple(s // 2 for s in kernel.shape)
    results: list[LesionUptake] = []
    boxes: list[tuple[slice, ...] | None] = list(ndimage.find_objects(label_array))
    for index, box in enumerate(boxes):
        if box is None:
            continue
        label = index + 1
        crop = _crop(pet.shape, box, margin)
        region = np.asarray(label_array[crop] == label)
        values = np.asarray(pet.array[crop], dtype=np.float64) * suv
        suv_max = float(values[region].max())
        suv_peak, (k, j, i) = _peak_in_crop(values, region, kernel)
        centre = (k + int(crop[0].start), j + int(crop[1].start), i + int(crop[2].start))
        results.append(
            LesionUptake(
                label=label,
                suv_max=suv_max,
                suv_peak=suv_peak,
                sul_max=suv_max * lean,
                sul_peak=suv_peak * lean,
                peak_centre_mm=_triple(pet.to_patient([centre])[0]),
                voxels=int(region.sum()),
            )
        )
    return results


def _index_of(pet: Volume, point_mm: tuple[float, float, float]) -> npt.NDArray[np.float64]:
    """Continuous ``(k, j, i)`` index of an LPS point."""
    affine = pet.affine
    ijk = np.linalg.solve(affine[:3, :3], np.asarray(point_mm, dtype=np.float64) - affine[:3, 3])
    return np.asarray(ijk[::-1])


def _sphere_at(
    pet: Volume, centre_mm: tuple[float, float, float], radius_mm: float
) -> tuple[tuple[slice, ...], npt.NDArray[np.bool_]]:
    """Crop and mask of the voxels whose centre is within ``radius_mm`` of an LPS point."""
    kji = _index_of(pet, centre_mm)
    matrix = pet.direction * np.asarray(pet.spacing)
    inverse = np.linalg.inv(matrix)
    reach = np.array([radius_mm * float(np.linalg.norm(inverse[a])) for a in (2, 1, 0)])
    low = np.ceil(kji - reach - _EPS_MM).astype(int)
    high = np.floor(kji + reach + _EPS_MM).astype(int)
    if np.any(low < 0) or np.any(high >= np.asarray(pet.shape)):
        raise ImagingError(
            pet.source,
            f"the {2 * radius_mm:g} mm liver sphere at {centre_mm} (LPS mm) is not inside "
            "the image",
        )
    box = tuple(slice(int(lo), int(hi) + 1) for lo, hi in zip(low, high, strict=True))
    k, j, i = np.meshgrid(*(np.arange(b.start, b.stop) for b in box), indexing="ij")
    points = pet.to_patient(np.stack([k.ravel(), j.ravel(), i.ravel()], axis=1))
    inside = np.linalg.norm(points - np.asarray(centre_mm), axis=1) <= radius_mm + _EPS_MM
    return box, inside.reshape(k.shape)


def _auto_centre(
    pet: Volume, liver_mask: npt.NDArray[Any], radius_mm: float
) -> tuple[float, float, float]:
    mask = np.asarray(liver_mask, dtype=bool)
    if mask.shape != pet.shape:
        raise GeometryError(
            pet.source, f"liver mask shape {mask.shape} differs from image shape {pet.shape}"
        )
    boxes = ndimage.find_objects(mask.astype(np.uint8))
    if not boxes or boxes[0] is None:
        raise ImagingError(pet.source, "the liver mask is empty")
    kernel = _sphere_kernel(pet.spacing, pet.direction, radius_mm)
    margin = tuple(s // 2 + 1 for s in kernel.shape)
    box = _crop(pet.shape, boxes[0], margin)
    crop = mask[box]
    # Erosion by the sphere via FFT (a direct erosion by a ~30 mm kernel is slow on a liver).
    covered = signal.fftconvolve(crop.astype(np.float64), kernel.astype(np.float64), mode="same")
    fits = covered > float(kernel.sum()) - 0.5
    candidates = np.argwhere(fits)
    if candidates.size == 0:
        raise ImagingError(
            pet.source,
            f"no {2 * radius_mm:g} mm sphere fits inside the liver mask; give the centre instead",
        )
    offset = np.array([int(b.start) for b in box])
    centroid = pet.to_patient(np.argwhere(crop).mean(axis=0) + offset)[0]
    positions = pet.to_patient(candidates + offset)
    best = int(np.argmin(np.linalg.norm(positions - centroid, axis=1)))
    return _triple(positions[best])


def liver_reference(
    pet: Volume,
    cal: PetCalibration,
    *,
    centre_mm: tuple[float, float, float] | None = None,
    liver_mask: npt.NDArray[Any] | None = None,
) -> LiverReference:
    """Mean and SD of SUL in a 3 cm sphere of normal liver, and the PERCIST threshold.

    Parameters
    ----------
    pet
        PET image in Bq/mL.
    cal
        Calibration of ``pet``.
    centre_mm
        LPS centre of the sphere (mm). PERCIST places it in the right lobe, in normal liver;
        this takes precedence over ``liver_mask``.
    liver_mask
        Boolean ``[k, j, i]`` liver mask on the PET grid, used when ``centre_mm`` is not given.

    Returns
    -------
    LiverReference
        ``threshold_sul`` is :func:`oncoboard.monitoring.percist.percist_threshold` of the mean
        and SD (``1.5 * mean + 2 * SD``).

    Raises
    ------
    ImagingError
        Neither ``centre_mm`` nor ``liver_mask`` given; the sphere does not lie inside the
        image; no sphere fits inside the mask; or as :func:`sul_factor`.
    GeometryError
        ``liver_mask`` does not have the image's shape.

    Notes
    -----
    The sphere holds the voxels whose centre is within 15 mm of the centre. SD is the sample
    standard deviation (``ddof=1``) of the voxel SUL values.

    *Automatic placement* (``liver_mask`` only): candidate centres are the voxel centres where
    the whole sphere lies inside the mask (binary erosion of the mask by the sphere); the one
    closest (in mm) to the mask's centroid is chosen. The right lobe is *not* identified: the
    centroid of a whole-liver mask usually lies in the right lobe, which holds most of the liver
    volume, but lesions inside the mask are not excluded either, so pass a mask of normal liver
    (or ``centre_mm``) and review the returned ``centre_mm``.

    References
    ----------
    .. [1] Wahl RL et al. J Nucl Med 2009;50 Suppl 1:122S; threshold and 3 cm right-lobe sphere
       are fact sheet tag [U] (unverified).
    """
    radius = LIVER_DIAMETER_MM / 2.0
    factor = sul_factor(cal)
    if centre_mm is None:
        if liver_mask is None:
            raise ImagingError(pet.source, "liver reference needs a centre or a liver mask")
        centre_mm = _auto_centre(pet, liver_mask, radius)
    box, inside = _sphere_at(pet, centre_mm, radius)
    values = np.asarray(pet.array[box], dtype=np.float64)[inside] * factor
    mean = float(values.mean())
    sd = float(values.std(ddof=1)) if values.size > 1 else 0.0
    threshold, _reference = percist_threshold(liver_mean_sul=mean, liver_sd_sul=sd)
    assert threshold is not None  # both given
    return LiverReference(
        mean_sul=mean,
        sd_sul=sd,
        centre_mm=(float(centre_mm[0]), float(centre_mm[1]), float(centre_mm[2])),
        threshold_sul=threshold,
    )
