"""PET quantification against analytic phantoms built in memory (no files)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from pydicom import Dataset
from scipy import integrate

from oncoboard.errors import GeometryError, ImagingError
from oncoboard.imaging.pet import (
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
from oncoboard.imaging.volume import Volume
from oncoboard.monitoring.percist import percist_threshold

F18_HALF_LIFE_S = 6586.2
DOSE_BQ = 370e6
WEIGHT_KG = 70.0
HEIGHT_M = 1.65
PEAK_RADIUS_MM = float((3 * 1000.0 / (4 * math.pi)) ** (1 / 3))  # 6.2035 mm
# Hand computation: 70 kg * 1000 / (370e6 * 2^(-3600/6586.2)).
DECAYED_DOSE_60MIN = DOSE_BQ * 2 ** (-3600 / F18_HALF_LIFE_S)
FACTOR_60MIN = WEIGHT_KG * 1000 / DECAYED_DOSE_60MIN


def header(
    *,
    decay: str = "START",
    units: str = "BQML",
    injection: str = "100000",
    series: str = "110000",
    acquisition: str | None = "110000",
    dose: float | None = DOSE_BQ,
    start_datetime: str | None = None,
) -> Dataset:
    """A PET first-slice header with the PET Series / Isotope / Patient attributes."""
    ds = Dataset()
    ds.Modality = "PT"
    ds.Units = units
    ds.DecayCorrection = decay
    ds.CorrectedImage = ["ATTN", "DECY"] if decay != "NONE" else ["ATTN"]
    ds.SeriesDate = "20260115"
    ds.SeriesTime = series
    if acquisition is not None:
        ds.AcquisitionDate = "20260115"
        ds.AcquisitionTime = acquisition
    ds.PatientWeight = WEIGHT_KG
    ds.PatientSize = HEIGHT_M
    ds.PatientSex = "F"
    item = Dataset()
    if dose is not None:
        item.RadionuclideTotalDose = dose
    item.RadionuclideHalfLife = F18_HALF_LIFE_S
    item.RadiopharmaceuticalStartTime = injection
    if start_datetime is not None:
        item.RadiopharmaceuticalStartDateTime = start_datetime
    ds.RadiopharmaceuticalInformationSequence = [item]
    return ds


def volume(
    array: npt.NDArray[Any],
    spacing: tuple[float, float, float] = (2.0, 2.0, 2.0),
    origin: tuple[float, float, float] = (0.0, 0.0, 0.0),
    source: str = "pet",
) -> Volume:
    return Volume(array=array, spacing=spacing, origin=origin, direction=np.eye(3), source=source)


def distance_mm(
    shape: tuple[int, int, int], spacing: tuple[float, float, float], centre_kji: tuple[int, ...]
) -> npt.NDArray[np.float64]:
    """Distance (mm) of every voxel centre from the centre of voxel ``centre_kji``."""
    k, j, i = np.indices(shape, dtype=np.float64)
    ck, cj, ci = centre_kji
    sx, sy, sz = spacing
    return np.asarray(np.sqrt(((i - ci) * sx) ** 2 + ((j - cj) * sy) ** 2 + ((k - ck) * sz) ** 2))


@pytest.fixture
def cal() -> PetCalibration:
    return calibration_from_dicom(header(), "pet")


# --- SUV factor ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("decay", "series", "acquisition", "expected"),
    [
        ("START", "110000", "110500", FACTOR_60MIN),  # series start 60 min after injection
        ("ADMIN", "110000", "110500", WEIGHT_KG * 1000 / DOSE_BQ),  # already at injection
        ("NONE", "104500", "110000", FACTOR_60MIN),  # header acquisition time, not series
    ],
)
def test_suv_factor_by_decay_correction(
    decay: str, series: str, acquisition: str, expected: float
) -> None:
    cal = calibration_from_dicom(header(decay=decay, series=series, acquisition=acquisition), "pet")
    assert suv_factor(cal) == pytest.approx(expected, rel=1e-12)
    background = volume(np.full((4, 5, 6), 10_000.0))  # 10 kBq/mL
    suv = suv_volume(background, cal)
    assert suv.array.dtype == np.float64
    np.testing.assert_allclose(suv.array, 10_000.0 * expected, rtol=1e-9)
    assert suv.same_grid(background)


def test_calibration_fields(cal: PetCalibration) -> None:
    assert cal.injected_dose_bq == DOSE_BQ
    assert cal.half_life_s == F18_HALF_LIFE_S
    assert cal.injection_time == dt.datetime(2026, 1, 15, 10, 0, 0)
    assert cal.reference_time == dt.datetime(2026, 1, 15, 11, 0, 0)
    assert (cal.weight_kg, cal.height_m, cal.sex) == (WEIGHT_KG, HEIGHT_M, "F")
    assert (cal.units, cal.decay_correction) == ("BQML", "START")
    assert cal.source.startswith("pet")


def test_start_datetime_preferred_and_time_zone() -> None:
    # Injection 09:00 UTC = 10:00 at +0100, i.e. 60 min before the 11:00 local series time.
    ds = header(injection="080000", start_datetime="20260115090000+0000")
    ds.TimezoneOffsetFromUTC = "+0100"
    cal = calibration_from_dicom(ds, "pet")
    assert cal.injection_time == dt.datetime(2026, 1, 15, 10, 0, 0)
    assert suv_factor(cal) == pytest.approx(FACTOR_60MIN, rel=1e-12)


def test_suv_volume_float32_stays_float32(cal: PetCalibration) -> None:
    pet = volume(np.full((2, 2, 2), 10_000.0, dtype=np.float32))
    assert suv_volume(pet, cal).array.dtype == np.float32
    np.testing.assert_allclose(suv_volume(pet, cal).array, 10_000.0 * FACTOR_60MIN, rtol=1e-6)


# --- LBM and SUL ---------------------------------------------------------------------------


def test_lean_body_mass_janmahasatian() -> None:
    # Male 80 kg, 1.80 m: BMI 24.6914; 9270*80/(6680 + 216*24.6914) = 61.7314 kg.
    assert lean_body_mass_kg(80.0, 1.80, "M") == pytest.approx(61.73140954495, rel=1e-10)
    # Female 60 kg, 1.65 m: BMI 22.0386; 9270*60/(8780 + 244*22.0386) = 39.2868 kg.
    assert lean_body_mass_kg(60.0, 1.65, "f") == pytest.approx(39.28684565900, rel=1e-10)
    with pytest.raises(ValueError, match="sex"):
        lean_body_mass_kg(60.0, 1.65, "O")
    with pytest.raises(ValueError, match="> 0"):
        lean_body_mass_kg(60.0, 0.0, "F")


def test_sul_is_suv_times_lbm_over_weight(cal: PetCalibration) -> None:
    lbm = lean_body_mass_kg(WEIGHT_KG, HEIGHT_M, "F")
    assert sul_factor(cal) == pytest.approx(suv_factor(cal) * lbm / WEIGHT_KG, rel=1e-12)
    pet = volume(np.full((3, 3, 3), 5_000.0))
    np.testing.assert_allclose(
        suv_volume(pet, cal, lean=True).array,
        suv_volume(pet, cal).array * lbm / WEIGHT_KG,
        rtol=1e-12,
    )


def test_sul_needs_height_and_sex(cal: PetCalibration) -> None:
    with pytest.raises(ImagingError, match="PatientSize"):
        sul_factor(dataclasses.replace(cal, height_m=None))
    with pytest.raises(ImagingError, match="PatientSex") as info:
        sul_factor(dataclasses.replace(cal, sex=None))
    assert info.value.attribute == "PatientSex"


# --- SUVmax / SULpeak on sphere phantoms ---------------------------------------------------

HOT = 20_000.0  # Bq/mL
WARM = 2_000.0


def sphere_phantom(
    radius_mm: float, spacing: tuple[float, float, float], shape: tuple[int, int, int]
) -> tuple[Volume, Volume]:
    centre = tuple(n // 2 for n in shape)
    inside = distance_mm(shape, spacing, centre) <= radius_mm
    pet = volume(np.where(inside, HOT, WARM), spacing)
    labels = volume(inside.astype(np.uint8) * 3, spacing, source="labels")
    return pet, labels


def test_large_hot_sphere(cal: PetCalibration) -> None:
    pet, labels = sphere_phantom(15.0, (2.0, 2.0, 2.0), (30, 32, 34))
    (uptake,) = lesion_uptake(pet, labels, cal)
    assert uptake.label == 3
    assert uptake.suv_max == HOT * suv_factor(cal)  # exact
    assert uptake.sul_max == pytest.approx(HOT * sul_factor(cal), rel=1e-12)
    # The 1 cm^3 sphere fits inside: the peak is the sphere's activity (required: within 1%).
    assert uptake.sul_peak == pytest.approx(HOT * sul_factor(cal), rel=1e-12)
    assert uptake.suv_peak == pytest.approx(HOT * suv_factor(cal), rel=1e-12)
    assert uptake.voxels == int((labels.array == 3).sum())
    # Every centre within 15 - 6.2 mm of the sphere's centre ties; the middle one is reported:
    # voxel (k, j, i) = (15, 16, 17) at LPS (34, 32, 30) mm.
    assert uptake.peak_centre_mm == pytest.approx((34.0, 32.0, 30.0))


def small_sphere_expected(factor: float) -> float:
    """Analytic mean over the 1 cm^3 sphere concentric with a 4 mm hot sphere."""
    fraction = float((4.0 / PEAK_RADIUS_MM) ** 3)
    return float(HOT * fraction + WARM * (1 - fraction)) * factor


def partial_volume_sphere(
    radius_mm: float, spacing: tuple[float, float, float], shape: tuple[int, int, int], n: int = 5
) -> npt.NDArray[np.float64]:
    """Fraction of each voxel inside a sphere centred on voxel ``shape // 2`` (n^3 subsamples)."""
    centre = tuple(s // 2 for s in shape)
    k, j, i = np.indices(shape, dtype=np.float64)
    sx, sy, sz = spacing
    fraction = np.zeros(shape)
    offsets = (np.arange(n) + 0.5) / n - 0.5
    for a in offsets:
        for b in offsets:
            for c in offsets:
                d2 = (
                    ((i + a - centre[2]) * sx) ** 2
                    + ((j + b - centre[1]) * sy) ** 2
                    + ((k + c - centre[0]) * sz) ** 2
                )
                fraction += d2 <= radius_mm**2
    return fraction / n**3


def test_small_hot_sphere_partial_volume(cal: PetCalibration) -> None:
    shape = (31, 33, 35)
    fraction = partial_volume_sphere(4.0, (1.0, 1.0, 1.0), shape)
    pet = volume(WARM + (HOT - WARM) * fraction, (1.0, 1.0, 1.0))
    labels = volume((fraction > 0).astype(np.uint8), (1.0, 1.0, 1.0), source="labels")
    (uptake,) = lesion_uptake(pet, labels, cal)
    assert uptake.sul_max == pytest.approx(HOT * sul_factor(cal), rel=1e-12)
    assert uptake.sul_peak < uptake.sul_max
    expected = small_sphere_expected(sul_factor(cal))
    assert uptake.sul_peak == pytest.approx(expected, rel=0.03)  # -1.7% (whole-voxel kernel)
    # The 4 mm sphere lies wholly in the 6.2 mm sphere from a plateau of centres: the middle
    # one, voxel (15, 16, 17), is reported.
    assert uptake.peak_centre_mm == pytest.approx((17.0, 16.0, 15.0))


def gaussian_ball_mean(sigma_mm: float, radius_mm: float) -> float:
    """Mean of exp(-r^2 / 2 sigma^2) over a ball of ``radius_mm`` centred at its peak."""
    integral, _ = integrate.quad(
        lambda r: r * r * math.exp(-r * r / (2 * sigma_mm**2)), 0.0, radius_mm
    )
    return 3.0 * integral / radius_mm**3


def gaussian_peak(spacing: tuple[float, float, float], sigma_mm: float) -> float:
    shape = (int(80 / spacing[2]), int(80 / spacing[1]), int(80 / spacing[0]))
    centre = tuple(n // 2 for n in shape)
    r = distance_mm(shape, spacing, centre)
    image = volume(np.exp(-(r**2) / (2 * sigma_mm**2)), spacing)
    peak, index = sphere_mean_max(image, r <= 10.0)
    assert index == centre
    return float(peak)


@pytest.mark.parametrize("spacing", [(2.0, 2.0, 3.0), (2.5, 1.5, 4.0), (3.0, 3.0, 2.0)])
def test_peak_anisotropic_voxels(spacing: tuple[float, float, float]) -> None:
    # A smooth blob (Gaussian, sigma 10 mm): isotropic 1 mm and anisotropic grids agree with
    # the analytic ball mean, and with each other, within 2%.
    analytic = gaussian_ball_mean(10.0, PEAK_RADIUS_MM)
    isotropic = gaussian_peak((1.0, 1.0, 1.0), 10.0)
    anisotropic = gaussian_peak(spacing, 10.0)
    assert isotropic == pytest.approx(analytic, rel=0.005)
    assert anisotropic == pytest.approx(analytic, rel=0.02)
    assert anisotropic == pytest.approx(isotropic, rel=0.02)


def test_uniform_sphere_anisotropic_same_peak(cal: PetCalibration) -> None:
    # 8 mm sphere: the 6.2 mm peak sphere fits inside on either grid.
    iso = lesion_uptake(*sphere_phantom(8.0, (1.0, 1.0, 1.0), (31, 33, 35)), cal)[0]
    aniso = lesion_uptake(*sphere_phantom(8.0, (2.0, 2.0, 3.0), (16, 17, 18)), cal)[0]
    assert aniso.sul_peak == pytest.approx(iso.sul_peak, rel=1e-9)
    assert aniso.sul_peak == pytest.approx(HOT * sul_factor(cal), rel=1e-9)


def test_sphere_mean_max_whole_image_and_border() -> None:
    array = np.zeros((10, 10, 10))
    array[0, 0, 0] = 1.0
    peak, index = sphere_mean_max(volume(array, (2.0, 2.0, 2.0)), None)
    # At the corner only the voxels inside the image are averaged: the octant of the kernel.
    assert index == (0, 0, 0)
    octant = sum(
        1
        for k in range(4)
        for j in range(4)
        for i in range(4)
        if math.dist((0, 0, 0), (2 * i, 2 * j, 2 * k)) <= PEAK_RADIUS_MM
    )
    assert peak == pytest.approx(1.0 / octant, rel=1e-9)
    with pytest.raises(ValueError, match="empty"):
        sphere_mean_max(volume(array), np.zeros(array.shape, dtype=bool))
    with pytest.raises(GeometryError):
        sphere_mean_max(volume(array), np.ones((2, 2, 2), dtype=bool))


def test_several_labels(cal: PetCalibration) -> None:
    shape = (40, 40, 40)
    spacing = (2.0, 2.0, 2.0)
    near = distance_mm(shape, spacing, (10, 10, 10)) <= 8.0
    far = distance_mm(shape, spacing, (28, 28, 28)) <= 8.0
    array = np.full(shape, WARM)
    array[near] = HOT
    array[far] = 2 * HOT
    labels = np.zeros(shape, dtype=np.int16)
    labels[near] = 1
    labels[far] = 5
    uptakes = lesion_uptake(volume(array), volume(labels, source="labels"), cal)
    assert [u.label for u in uptakes] == [1, 5]
    assert uptakes[1].suv_max == 2 * HOT * suv_factor(cal)
    assert uptakes[1].sul_peak == pytest.approx(2 * uptakes[0].sul_peak, rel=1e-9)


# --- Liver reference -----------------------------------------------------------------------


def liver_phantom(cal: PetCalibration) -> tuple[Volume, npt.NDArray[np.bool_]]:
    rng = np.random.default_rng(20260115)
    shape = (40, 50, 60)
    sul = rng.normal(2.0, 0.3, size=shape)
    mask = np.zeros(shape, dtype=bool)
    mask[5:35, 8:42, 10:50] = True  # 60 x 68 x 80 mm box of "liver"
    sul[~mask] = 0.5
    return volume(sul / sul_factor(cal), (2.0, 2.0, 2.0), origin=(-50.0, -20.0, 100.0)), mask


def test_liver_reference_at_centre(cal: PetCalibration) -> None:
    pet, _mask = liver_phantom(cal)
    centre = (-50.0 + 30 * 2.0, -20.0 + 25 * 2.0, 100.0 + 20 * 2.0)
    liver = liver_reference(pet, cal, centre_mm=centre)
    assert isinstance(liver, LiverReference)
    assert liver.mean_sul == pytest.approx(2.0, rel=0.02)
    assert liver.sd_sul == pytest.approx(0.3, rel=0.10)
    threshold, reference = percist_threshold(
        liver_mean_sul=liver.mean_sul, liver_sd_sul=liver.sd_sul
    )
    assert reference == "liver"
    assert liver.threshold_sul == threshold == 1.5 * liver.mean_sul + 2 * liver.sd_sul
    assert liver.diameter_mm == 30.0
    assert liver.centre_mm == centre


def test_liver_reference_from_mask(cal: PetCalibration) -> None:
    pet, mask = liver_phantom(cal)
    liver = liver_reference(pet, cal, liver_mask=mask)
    # The box's centroid (voxel 19.5, 24.5, 29.5) is not a voxel centre: the nearest fitting
    # centre is within half a voxel diagonal of it.
    centroid = np.array([-50.0 + 29.5 * 2, -20.0 + 24.5 * 2, 100.0 + 19.5 * 2])
    assert np.linalg.norm(np.array(liver.centre_mm) - centroid) <= math.sqrt(3) + 1e-9
    assert liver.mean_sul == pytest.approx(2.0, rel=0.02)
    assert liver.sd_sul == pytest.approx(0.3, rel=0.10)
    # A mask too thin for a 3 cm sphere.
    thin = np.zeros(mask.shape, dtype=bool)
    thin[10:30, 20:26, 10:50] = True
    with pytest.raises(ImagingError, match="no 30 mm sphere fits"):
        liver_reference(pet, cal, liver_mask=thin)


def test_liver_reference_errors(cal: PetCalibration) -> None:
    pet, mask = liver_phantom(cal)
    with pytest.raises(ImagingError, match="centre or a liver mask"):
        liver_reference(pet, cal)
    with pytest.raises(ImagingError, match="not inside the image"):
        liver_reference(pet, cal, centre_mm=(-50.0, -20.0, 100.0))
    with pytest.raises(GeometryError):
        liver_reference(pet, cal, liver_mask=mask[:-1])


# --- Errors --------------------------------------------------------------------------------


def test_units_cnts_rejected() -> None:
    with pytest.raises(ImagingError, match="CNTS") as info:
        calibration_from_dicom(header(units="CNTS"), "pet")
    assert info.value.attribute == "Units"


def test_missing_total_dose() -> None:
    with pytest.raises(ImagingError) as info:
        calibration_from_dicom(header(dose=None), "pet")
    assert info.value.attribute == "RadionuclideTotalDose"
    with pytest.raises(ImagingError) as info:
        calibration_from_dicom(header(dose=0.0), "pet")
    assert info.value.attribute == "RadionuclideTotalDose"


def test_missing_weight_and_header() -> None:
    ds = header()
    del ds.PatientWeight
    with pytest.raises(ImagingError) as info:
        calibration_from_dicom(ds, "pet")
    assert info.value.attribute == "PatientWeight"
    with pytest.raises(ImagingError, match="no DICOM header"):
        calibration_from_dicom(None, "pet")  # type: ignore[arg-type]


def test_injection_after_series_time() -> None:
    with pytest.raises(ImagingError, match="after the decay reference") as info:
        calibration_from_dicom(header(injection="120000", series="110000"), "pet")
    assert info.value.attribute == "RadiopharmaceuticalStartTime"


def test_series_time_after_acquisition_without_vendor_time() -> None:
    with pytest.raises(ImagingError) as info:
        calibration_from_dicom(header(series="130000", acquisition="110000"), "pet")
    assert info.value.attribute == "SeriesTime"


def test_decay_correction_and_corrected_image() -> None:
    with pytest.raises(ImagingError) as info:
        calibration_from_dicom(header(decay="WHATEVER"), "pet")
    assert info.value.attribute == "DecayCorrection"
    ds = header()
    ds.CorrectedImage = ["DECY"]
    with pytest.raises(ImagingError, match="ATTN"):
        calibration_from_dicom(ds, "pet")


def test_labels_on_another_grid(cal: PetCalibration) -> None:
    pet, labels = sphere_phantom(8.0, (2.0, 2.0, 2.0), (16, 16, 16))
    moved = volume(labels.array, (2.0, 2.0, 2.0), origin=(0.0, 0.0, 5.0), source="labels")
    with pytest.raises(GeometryError, match="labels"):
        lesion_uptake(pet, moved, cal)
    with pytest.raises(GeometryError):
        lesion_uptake(pet, volume(labels.array[:-1], source="labels"), cal)
