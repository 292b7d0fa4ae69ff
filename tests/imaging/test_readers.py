"""Round trips of real DICOM / NIfTI / SEG files through the imaging readers, and their errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pydicom
import pytest

from oncoboard.errors import GeometryError, ImagingError
from oncoboard.imaging.readers import (
    read_dicom_seg,
    read_dicom_series,
    read_image,
    read_mask,
    read_nifti,
)
from tests.imaging._phantoms import (
    ellipsoid_mask,
    pet_attributes,
    sphere_mask,
    write_dicom_seg,
    write_dicom_series,
    write_nifti,
)

SHAPE = (6, 9, 11)  # k, j, i - all different so axis mix-ups show
SPACING = (0.7, 0.7, 2.5)
ORIGIN = (-120.5, 80.25, -33.0)


def _rotation_z(degrees: float) -> npt.NDArray[np.float64]:
    t = np.deg2rad(degrees)
    return np.array([[np.cos(t), -np.sin(t), 0.0], [np.sin(t), np.cos(t), 0.0], [0.0, 0.0, 1.0]])


def _ct(seed: int = 1) -> npt.NDArray[np.float64]:
    return np.random.default_rng(seed).integers(-1000, 2000, SHAPE).astype(np.float64)


def _files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.dcm"))


# --------------------------------------------------------------------------- DICOM series


@pytest.mark.parametrize("direction", [np.eye(3), _rotation_z(30.0)], ids=["axial", "rot30"])
def test_ct_series_round_trip(tmp_path: Path, direction: npt.NDArray[np.float64]) -> None:
    values = _ct()
    write_dicom_series(
        tmp_path, values, spacing=SPACING, origin=ORIGIN, direction=direction, intercept=-1024.0
    )
    volume = read_dicom_series(tmp_path)
    assert volume.array.dtype == np.float64
    np.testing.assert_array_equal(volume.array, values)
    assert volume.spacing == pytest.approx(SPACING)
    assert volume.origin == pytest.approx(ORIGIN)
    np.testing.assert_allclose(volume.direction, direction, atol=1e-6)
    assert volume.modality == "CT"
    assert volume.source == str(tmp_path)
    assert "PixelData" not in volume.header
    assert volume.header.Modality == "CT"
    # The header is the first slice in position order.
    assert [float(v) for v in volume.header.ImagePositionPatient] == pytest.approx(ORIGIN)


def test_file_names_and_instance_numbers_are_shuffled(tmp_path: Path) -> None:
    write_dicom_series(tmp_path, _ct(), spacing=SPACING, origin=ORIGIN)
    by_name = [pydicom.dcmread(p, stop_before_pixels=True) for p in _files(tmp_path)]
    z_by_name = [float(d.ImagePositionPatient[2]) for d in by_name]
    numbers = [
        int(d.InstanceNumber) for d in sorted(by_name, key=lambda d: d.ImagePositionPatient[2])
    ]
    assert z_by_name != sorted(z_by_name)
    assert numbers != sorted(numbers)


def test_flipped_slice_axis_is_read_along_the_normal(tmp_path: Path) -> None:
    """Slices stored head-to-feet (direction[:, 2] = -normal) come back sorted along +normal."""
    values = _ct()
    flipped = np.diag([1.0, 1.0, -1.0])
    write_dicom_series(tmp_path, values, spacing=SPACING, origin=ORIGIN, direction=flipped)
    volume = read_dicom_series(tmp_path)
    np.testing.assert_array_equal(volume.array, values[::-1])
    np.testing.assert_allclose(volume.direction, np.eye(3), atol=1e-9)
    last_z = ORIGIN[2] - (SHAPE[0] - 1) * SPACING[2]
    assert volume.origin == pytest.approx((ORIGIN[0], ORIGIN[1], last_z))
    # Every voxel keeps its patient position.
    written = ORIGIN + flipped @ np.array([3 * 0.7, 2 * 0.7, 1 * 2.5])
    k = SHAPE[0] - 1 - 1
    assert volume.to_patient([[k, 2, 3]])[0] == pytest.approx(written)
    assert volume.array[k, 2, 3] == values[1, 2, 3]


def test_pet_per_slice_rescale_and_header(tmp_path: Path) -> None:
    rng = np.random.default_rng(2)
    values = rng.uniform(0, 1, SHAPE) * np.array([1e3, 5e3, 2e4, 1e5, 3e4, 7e3])[:, None, None]
    write_dicom_series(tmp_path, values, modality="PT", extra=pet_attributes(), slope=None)
    slopes = {
        float(pydicom.dcmread(p, stop_before_pixels=True).RescaleSlope) for p in _files(tmp_path)
    }
    assert len(slopes) == SHAPE[0]
    volume = read_dicom_series(tmp_path)
    assert volume.modality == "PT"
    np.testing.assert_allclose(volume.array, values, rtol=0, atol=max(slopes))
    header = volume.header
    assert header.Units == "BQML"
    assert float(header.PatientWeight) == 70.0
    dose = header.RadiopharmaceuticalInformationSequence[0]
    assert float(dose.RadionuclideTotalDose) == 370e6
    assert float(dose.RadionuclideHalfLife) == pytest.approx(6586.2)


def test_single_slice_uses_slice_thickness(tmp_path: Path) -> None:
    write_dicom_series(tmp_path, _ct()[:1], spacing=SPACING, origin=ORIGIN)
    volume = read_dicom_series(tmp_path)
    assert volume.shape == (1, 9, 11)
    assert volume.spacing == pytest.approx(SPACING)


def test_read_image_on_a_single_file_reads_its_series(tmp_path: Path) -> None:
    values = _ct()
    write_dicom_series(tmp_path, values, spacing=SPACING)
    write_dicom_series(tmp_path, _ct(5), spacing=SPACING, seed=7)  # another series alongside
    one = _files(tmp_path)[0]
    volume = read_image(one)
    uid = pydicom.dcmread(one, stop_before_pixels=True).SeriesInstanceUID
    assert volume.header.SeriesInstanceUID == uid
    assert volume.shape == SHAPE


def test_junk_and_dicomdir_are_ignored(tmp_path: Path) -> None:
    values = _ct()
    write_dicom_series(tmp_path, values, spacing=SPACING)
    (tmp_path / "notes.txt").write_text("not DICOM")
    (tmp_path / "junk.dcm").write_bytes(b"\x00" * 300)
    (tmp_path / "DICOMDIR").write_bytes(b"\x00" * 200)
    np.testing.assert_array_equal(read_image(tmp_path).array, values)


# --------------------------------------------------------------------------- DICOM errors


def test_mixed_series_lists_both(tmp_path: Path) -> None:
    first = write_dicom_series(tmp_path, _ct(), spacing=SPACING, series_uid="1.2.3.1")
    write_dicom_series(tmp_path, _ct(), spacing=SPACING, series_uid="1.2.3.2", seed=3)
    with pytest.raises(ImagingError, match="mixed series") as info:
        read_dicom_series(tmp_path)
    assert "1.2.3.1" in str(info.value) and "1.2.3.2" in str(info.value)
    assert info.value.attribute == "SeriesInstanceUID"
    volume = read_dicom_series(tmp_path, series_uid=first[0].SeriesInstanceUID)
    assert volume.header.SeriesInstanceUID == "1.2.3.1"
    with pytest.raises(ImagingError, match=r"1\.2\.3\.9.*not found"):
        read_dicom_series(tmp_path, series_uid="1.2.3.9")


def test_inconsistent_orientation(tmp_path: Path) -> None:
    write_dicom_series(tmp_path, _ct(), spacing=SPACING)
    victim = _files(tmp_path)[2]
    ds = pydicom.dcmread(victim)
    ds.ImageOrientationPatient = [1, 0, 0, 0, 0.8, -0.6]
    ds.save_as(victim)
    with pytest.raises(GeometryError, match="inconsistent orientation") as info:
        read_dicom_series(tmp_path)
    assert info.value.attribute == "ImageOrientationPatient"
    assert victim.name in str(info.value) or _files(tmp_path)[0].name in str(info.value)


def test_inconsistent_pixel_spacing_names_file(tmp_path: Path) -> None:
    write_dicom_series(tmp_path, _ct(), spacing=SPACING)
    victim = _files(tmp_path)[-1]
    ds = pydicom.dcmread(victim)
    ds.PixelSpacing = [0.8, 0.8]
    ds.save_as(victim)
    with pytest.raises(GeometryError, match=victim.name) as info:
        read_dicom_series(tmp_path)
    assert info.value.attribute == "PixelSpacing"


def test_non_uniform_slice_gap(tmp_path: Path) -> None:
    datasets = write_dicom_series(tmp_path, _ct(), spacing=SPACING, origin=ORIGIN)
    missing = datasets[3].SOPInstanceUID
    for path in _files(tmp_path):
        if pydicom.dcmread(path, stop_before_pixels=True).SOPInstanceUID == missing:
            path.unlink()
    with pytest.raises(GeometryError, match="non-uniform slice spacing") as info:
        read_dicom_series(tmp_path)
    message = str(info.value)
    assert "gap of 5 mm" in message and "2.5 mm elsewhere" in message
    assert info.value.attribute == "ImagePositionPatient"


def test_missing_pixel_spacing_names_keyword(tmp_path: Path) -> None:
    write_dicom_series(tmp_path, _ct(), spacing=SPACING, extra={"PixelSpacing": None})
    with pytest.raises(ImagingError, match="PixelSpacing") as info:
        read_dicom_series(tmp_path)
    assert info.value.attribute == "PixelSpacing"
    assert str(tmp_path) in str(info.value)


def test_missing_position_names_keyword(tmp_path: Path) -> None:
    write_dicom_series(tmp_path, _ct(), extra={"ImagePositionPatient": None})
    with pytest.raises(ImagingError) as info:
        read_image(tmp_path)
    assert info.value.attribute == "ImagePositionPatient"


def test_empty_folder_and_missing_path(tmp_path: Path) -> None:
    with pytest.raises(ImagingError, match="no DICOM image files") as info:
        read_image(tmp_path)
    assert info.value.file == str(tmp_path)
    (tmp_path / "readme.txt").write_text("only junk")
    with pytest.raises(ImagingError, match="no DICOM image files"):
        read_dicom_series(tmp_path)
    with pytest.raises(ImagingError, match="no such"):
        read_image(tmp_path / "absent")
    with pytest.raises(ImagingError, match="neither"):
        read_image(tmp_path / "readme.txt")


# --------------------------------------------------------------------------- NIfTI


@pytest.mark.parametrize("suffix", [".nii", ".nii.gz"])
def test_nifti_image_matches_dicom_grid(tmp_path: Path, suffix: str) -> None:
    values = _ct()
    direction = _rotation_z(30.0)
    write_dicom_series(tmp_path / "ct", values, spacing=SPACING, origin=ORIGIN, direction=direction)
    path = write_nifti(
        tmp_path / f"ct{suffix}", values, spacing=SPACING, origin=ORIGIN, direction=direction
    )
    nifti = read_image(path)
    dicom = read_image(tmp_path / "ct")
    assert nifti.same_grid(dicom)
    np.testing.assert_allclose(nifti.array, values)
    assert nifti.spacing == pytest.approx(SPACING)
    assert nifti.origin == pytest.approx(ORIGIN)
    np.testing.assert_allclose(nifti.direction, direction, atol=1e-6)
    assert nifti.modality is None and nifti.header is None
    assert nifti.source == str(path)
    assert read_nifti(path).shape == SHAPE


def test_nifti_scaling_is_applied(tmp_path: Path) -> None:
    values = _ct()
    path = write_nifti(tmp_path / "scaled.nii", values, dtype=np.int16)
    raw = bytearray(path.read_bytes())
    raw[112:120] = np.array([2.0, 10.0], dtype="<f4").tobytes()  # scl_slope, scl_inter
    path.write_bytes(bytes(raw))
    np.testing.assert_allclose(read_nifti(path).array, values * 2.0 + 10.0)


def test_nifti_mask_round_trip_and_like(tmp_path: Path) -> None:
    labels = np.zeros(SHAPE, dtype=np.int16)
    labels[sphere_mask(SHAPE, SPACING, (3.5, 3.0, 7.5), 2.5)] = 1
    labels[ellipsoid_mask(SHAPE, SPACING, (5.6, 4.2, 2.5), (1.5, 1.0, 2.6))] = 2
    assert set(np.unique(labels)) == {0, 1, 2}
    write_dicom_series(tmp_path / "ct", _ct(), spacing=SPACING, origin=ORIGIN)
    image = read_image(tmp_path / "ct")
    path = write_nifti(tmp_path / "mask.nii.gz", labels, spacing=SPACING, origin=ORIGIN)
    mask = read_mask(path, like=image)
    assert mask.array.dtype == np.int32
    np.testing.assert_array_equal(mask.array, labels)
    assert mask.same_grid(image)


def test_nifti_4d_with_one_volume_is_squeezed_else_error(tmp_path: Path) -> None:
    import nibabel as nib

    nifti1_image: Any = nib.Nifti1Image  # untyped constructor
    data = _ct().transpose(2, 1, 0)  # [i, j, k]
    nib.save(nifti1_image(data[..., None], np.eye(4)), tmp_path / "one.nii")
    assert read_nifti(tmp_path / "one.nii").shape == SHAPE
    nib.save(nifti1_image(np.stack([data, data], axis=-1), np.eye(4)), tmp_path / "two.nii")
    with pytest.raises(ImagingError, match="3-D") as info:
        read_nifti(tmp_path / "two.nii")
    assert info.value.file == str(tmp_path / "two.nii")


def test_non_integer_nifti_mask(tmp_path: Path) -> None:
    probabilities = np.full(SHAPE, 0.25)
    path = write_nifti(tmp_path / "prob.nii", probabilities)
    with pytest.raises(ImagingError, match="integer labels") as info:
        read_mask(path)
    assert "0.25" in str(info.value)


def test_mask_grid_mismatch_names_both_files(tmp_path: Path) -> None:
    write_dicom_series(tmp_path / "ct", _ct(), spacing=SPACING, origin=ORIGIN)
    image = read_image(tmp_path / "ct")
    shifted = (ORIGIN[0] + 1.0, ORIGIN[1], ORIGIN[2])
    path = write_nifti(
        tmp_path / "m.nii", np.zeros(SHAPE, np.uint8), spacing=SPACING, origin=shifted
    )
    with pytest.raises(GeometryError) as info:
        read_mask(path, like=image)
    assert str(path) in str(info.value) and str(tmp_path / "ct") in str(info.value)


def test_unreadable_nifti(tmp_path: Path) -> None:
    path = tmp_path / "broken.nii.gz"
    path.write_bytes(b"\x1f\x8b garbage")
    with pytest.raises(ImagingError, match="cannot read NIfTI"):
        read_image(path)


# --------------------------------------------------------------------------- DICOM SEG


def _seg_labels() -> npt.NDArray[np.int32]:
    labels = np.zeros(SHAPE, dtype=np.int32)
    labels[sphere_mask(SHAPE, SPACING, (3.5, 3.0, 7.5), 2.5)] = 1
    labels[1:3, 6:8, 7:10] = 2
    return labels


@pytest.mark.parametrize("direction", [np.eye(3), _rotation_z(30.0)], ids=["axial", "rot30"])
def test_seg_onto_image_grid(tmp_path: Path, direction: npt.NDArray[np.float64]) -> None:
    labels = _seg_labels()
    datasets = write_dicom_series(
        tmp_path / "ct", _ct(), spacing=SPACING, origin=ORIGIN, direction=direction
    )
    seg_path = write_dicom_seg(tmp_path / "seg.dcm", datasets, labels, {1: "liver met", 2: "node"})
    image = read_image(tmp_path / "ct")
    mask = read_mask(seg_path, like=image)
    assert mask.array.dtype == np.int32
    np.testing.assert_array_equal(mask.array, labels)
    assert dict(mask.labels) == {1: "liver met", 2: "node"}
    assert mask.modality == "SEG"
    assert mask.same_grid(image)
    np.testing.assert_array_equal(read_dicom_seg(seg_path, image).array, labels)


def test_seg_in_image_folder_is_skipped(tmp_path: Path) -> None:
    values = _ct()
    datasets = write_dicom_series(tmp_path, values, spacing=SPACING)
    write_dicom_seg(tmp_path / "seg.dcm", datasets, _seg_labels(), {1: "a", 2: "b"})
    np.testing.assert_array_equal(read_image(tmp_path).array, values)
    with pytest.raises(ImagingError, match="read_mask"):
        read_image(tmp_path / "seg.dcm")


def test_seg_on_other_grid_is_geometry_error(tmp_path: Path) -> None:
    datasets = write_dicom_series(tmp_path / "ct", _ct(), spacing=SPACING, origin=ORIGIN)
    seg_path = write_dicom_seg(tmp_path / "seg.dcm", datasets, _seg_labels(), {1: "a", 2: "b"})
    frame_uid = datasets[0].FrameOfReferenceUID
    shifted = (ORIGIN[0], ORIGIN[1], ORIGIN[2] + 1.0)
    write_dicom_series(
        tmp_path / "other", _ct(), spacing=SPACING, origin=shifted, frame_of_reference_uid=frame_uid
    )
    with pytest.raises(GeometryError, match="lies on no slice") as info:
        read_mask(seg_path, like=read_image(tmp_path / "other"))
    assert info.value.attribute == "ImagePositionPatient"
    write_dicom_series(tmp_path / "third", _ct(), spacing=SPACING, origin=ORIGIN)
    with pytest.raises(GeometryError, match="frame of reference"):
        read_mask(seg_path, like=read_image(tmp_path / "third"))


def test_seg_needs_like_and_non_seg_dicom_rejected(tmp_path: Path) -> None:
    datasets = write_dicom_series(tmp_path / "ct", _ct(), spacing=SPACING)
    seg_path = write_dicom_seg(tmp_path / "seg.dcm", datasets, _seg_labels(), {1: "a", 2: "b"})
    with pytest.raises(ImagingError, match="like="):
        read_mask(seg_path)
    with pytest.raises(ImagingError, match="not a DICOM Segmentation") as info:
        read_mask(_files(tmp_path / "ct")[0])
    assert info.value.attribute == "SOPClassUID"


def test_fractional_seg_is_thresholded_at_half(tmp_path: Path) -> None:
    datasets = write_dicom_series(tmp_path / "ct", _ct(), spacing=SPACING, origin=ORIGIN)
    probability = np.zeros((*SHAPE, 1), dtype=np.float32)
    probability[2, 3, 4:8, 0] = [0.2, 0.49, 0.51, 1.0]
    seg_path = write_dicom_seg(tmp_path / "f.dcm", datasets, probability, {1: "p"}, fractional=True)
    mask = read_mask(seg_path, like=read_image(tmp_path / "ct"))
    expected = np.zeros(SHAPE, dtype=np.int32)
    expected[2, 3, 6:8] = 1
    np.testing.assert_array_equal(mask.array, expected)


def test_overlapping_segments_are_an_error(tmp_path: Path) -> None:
    datasets = write_dicom_series(tmp_path / "ct", _ct(), spacing=SPACING)
    masks = np.zeros((*SHAPE, 2), dtype=bool)
    masks[1:4, 2:5, 2:5, 0] = True
    masks[3, 4, 4:6, 1] = True
    seg_path = write_dicom_seg(tmp_path / "o.dcm", datasets, masks, {1: "a", 2: "b"})
    with pytest.raises(
        ImagingError, match=r"segments 1 and 2 overlap at voxel \(k, j, i\) \(3, 4, 4\)"
    ):
        read_mask(seg_path, like=read_image(tmp_path / "ct"))
