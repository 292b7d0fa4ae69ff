"""``oncoboard imaging measure``: DICOM CT + SEG and PET phantoms to an imaging assessment."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from oncoboard.cli import app
from oncoboard.io import load_case
from oncoboard.monitoring import monitor_case
from tests.conftest import EXAMPLES
from tests.imaging._phantoms import (
    ellipsoid_mask,
    pet_attributes,
    write_dicom_seg,
    write_dicom_series,
    write_nifti,
)

runner = CliRunner()
SHAPE = (40, 96, 96)  # k, j, i
SPACING = (0.8, 0.8, 2.5)  # column, row, slice mm
MBC_004 = EXAMPLES / "mbc-004-pten-loss-liver.yaml"


@pytest.fixture(scope="module")
def ct_study(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A CT series with a liver lesion (ellipsoid 20/12/8 mm) and a node (9/6/6 mm) as a SEG."""
    folder = tmp_path_factory.mktemp("ct")
    liver = ellipsoid_mask(SHAPE, SPACING, (30, 30, 50), (20, 12, 8))
    node = ellipsoid_mask(SHAPE, SPACING, (55, 55, 50), (9, 6, 6))
    labels = np.where(liver, 1, 0) + np.where(node, 2, 0)
    image = np.full(SHAPE, 40.0) + 60.0 * (labels > 0)
    datasets = write_dicom_series(folder / "series", image, spacing=SPACING, modality="CT")
    seg = write_dicom_seg(folder / "lesions.seg.dcm", datasets, labels, {1: "H1", 2: "LN1"})
    nifti = write_nifti(folder / "mask.nii.gz", labels.astype(np.int16), spacing=SPACING)
    return {"series": folder / "series", "seg": seg, "nifti": nifti}


def _json(*args: str) -> dict:
    result = runner.invoke(app, ["imaging", "measure", *args, "--json"])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_ct_with_seg_gives_recist_sizes_and_an_assessment(ct_study: dict[str, Path]) -> None:
    document = _json(
        "--image", str(ct_study["series"]), "--mask", str(ct_study["seg"]),
        "--lesion", "1=H1,liver,target", "--lesion", "2=LN1,lymph_node,target",
    )  # fmt: skip
    assert "qualified clinicians" in document["disclaimer"]
    by_label = {m["label"]: m for m in document["measurements"]}
    assert abs(by_label[1]["longest_diameter_mm"] - 40) <= 0.8
    assert abs(by_label[1]["short_axis_mm"] - 24) <= 0.8
    assert by_label[1]["volume_ml"] == pytest.approx(4 / 3 * np.pi * 20 * 12 * 8 / 1000, rel=0.03)
    assessment = document["assessment"]
    assert assessment["date"] == "2024-03-01"  # from the DICOM StudyDate/SeriesDate
    assert assessment["modality"] == "CT"
    lesions = {lesion["id"]: lesion for lesion in assessment["lesions"]}
    assert lesions["H1"]["size_mm"] == round(by_label[1]["longest_diameter_mm"], 1)
    assert lesions["LN1"]["lymph_node"] is True
    assert lesions["LN1"]["size_mm"] == round(by_label[2]["short_axis_mm"], 1)  # node: short axis
    assert abs(lesions["LN1"]["size_mm"] - 12) <= 0.8
    assert document["unmapped_labels"] == []


def test_nifti_mask_on_the_dicom_grid_measures_the_same(ct_study: dict[str, Path]) -> None:
    seg = _json("--image", str(ct_study["series"]), "--mask", str(ct_study["seg"]))
    nifti = _json("--image", str(ct_study["series"]), "--mask", str(ct_study["nifti"]))
    assert [m["longest_diameter_mm"] for m in seg["measurements"]] == pytest.approx(
        [m["longest_diameter_mm"] for m in nifti["measurements"]]
    )
    assert nifti["assessment"] is None
    assert nifti["unmapped_labels"] == [1, 2]


def test_roles_and_sites_come_from_the_case(ct_study: dict[str, Path]) -> None:
    case = load_case(MBC_004)
    known = {lesion.id: lesion for study in case.imaging for lesion in study.lesions}
    target = next(i for i, lesion in known.items() if lesion.role.value == "target")
    document = _json(
        "--image", str(ct_study["series"]), "--mask", str(ct_study["seg"]),
        "--lesion", f"1={target}", "--case", str(MBC_004), "--date", "2025-09-01",
    )  # fmt: skip
    (lesion,) = document["assessment"]["lesions"]
    assert (lesion["id"], lesion["site"], lesion["role"]) == (
        target,
        known[target].site.value,
        "target",
    )
    assert document["unmapped_labels"] == [2]
    # the assessment is what the case model and `oncoboard monitor` read
    from oncoboard.imaging.assess import add_assessment
    from oncoboard.model import ImagingAssessment

    updated = add_assessment(case, ImagingAssessment.model_validate(document["assessment"]))
    report = monitor_case(updated)
    assert any(e.kind == "imaging" and e.date.isoformat() == "2025-09-01" for e in report.timeline)


def test_unknown_lesion_without_site_is_a_clear_error(ct_study: dict[str, Path]) -> None:
    result = runner.invoke(
        app,
        ["imaging", "measure", "--image", str(ct_study["series"]), "--mask",
         str(ct_study["seg"]), "--lesion", "1=X9"],
    )  # fmt: skip
    assert result.exit_code == 1
    assert "lesion X9 (label 1): site is not given" in " ".join(result.stderr.split())


def test_mask_on_another_grid_is_refused(ct_study: dict[str, Path], tmp_path: Path) -> None:
    other = write_nifti(
        tmp_path / "other.nii.gz", np.zeros((40, 96, 95), np.int16), spacing=SPACING
    )
    result = runner.invoke(
        app, ["imaging", "measure", "--image", str(ct_study["series"]), "--mask", str(other)]
    )
    assert result.exit_code == 1
    assert "does not match image" in " ".join(result.stderr.split())


def test_store_adds_the_assessment_as_a_new_version(
    ct_study: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    monkeypatch.setenv("ONCOBOARD_DATABASE_URL", url)
    imported = runner.invoke(app, ["import", str(MBC_004)])
    assert imported.exit_code == 0, imported.stderr
    case = load_case(MBC_004)
    target = next(
        lesion.id for s in case.imaging for lesion in s.lesions if lesion.role.value == "target"
    )
    document = _json(
        "--image", str(ct_study["series"]), "--mask", str(ct_study["seg"]),
        "--lesion", f"1={target}", "--case", case.patient.id, "--date", "2025-09-01", "--store",
    )  # fmt: skip
    assert document["stored_version"] == 2
    shown = runner.invoke(app, ["show", case.patient.id, "--json"])
    stored = json.loads(shown.stdout)["case"]
    dates = [s["date"] for s in stored["imaging"]]
    assert "2025-09-01" in dates
    audit = runner.invoke(app, ["audit", "--json"])
    assert '"import"' in audit.stdout


def test_pet_series_gives_suv_sul_and_liver_reference(tmp_path: Path) -> None:
    """Uniform 20 kBq/mL sphere (r 12 mm) in a 5 kBq/mL background; liver ROI in background."""
    shape, spacing = (30, 80, 80), (2.0, 2.0, 2.0)
    lesion = ellipsoid_mask(shape, spacing, (50, 50, 30), (12, 12, 12))
    activity = np.where(lesion, 20000.0, 5000.0)
    attributes = pet_attributes()
    write_dicom_series(
        tmp_path / "pet", activity, spacing=spacing, modality="PT", slope=None, extra=attributes
    )
    mask = write_nifti(tmp_path / "mask.nii.gz", lesion.astype(np.int16), spacing=spacing)
    document = _json(
        "--image", str(tmp_path / "pet"), "--mask", str(mask), "--lesion", "1=L1,lung,target",
        "--liver-centre", "110,110,30",
    )  # fmt: skip
    # SUVbw = C * weight / decayed dose; 370 MBq, 60 min F-18 uptake, 70 kg
    decayed = 370e6 * 2 ** (-3600 / 6586.2)
    suv = 20000.0 * 70000 / decayed
    (measured,) = document["measurements"]
    assert measured["uptake"]["suv_max"] == pytest.approx(suv, rel=0.01)
    assert measured["uptake"]["suv_peak"] == pytest.approx(suv, rel=0.01)
    liver = document["liver_reference"]
    assert liver["mean_sul"] < liver["threshold_sul"]
    (lesion_out,) = document["assessment"]["lesions"]
    assert lesion_out["suv_max"] == pytest.approx(suv, abs=0.01)
    assert document["assessment"]["modality"] == "PET-CT"
    assert document["assessment"]["liver_mean_sul"] == pytest.approx(liver["mean_sul"], abs=1e-3)
