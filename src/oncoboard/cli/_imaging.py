"""``oncoboard imaging measure``: lesion sizes and PET uptake from DICOM/NIfTI and a label mask."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from oncoboard import __version__
from oncoboard.cli._console import DISCLAIMER, err, out
from oncoboard.errors import OncoboardError
from oncoboard.model import Modality

if TYPE_CHECKING:  # numpy, pydicom, nibabel and highdicom load when the verb runs
    from oncoboard.imaging import Volume
    from oncoboard.imaging.geometry import LesionGeometry
    from oncoboard.imaging.pet import LesionUptake, LiverReference, PetCalibration
    from oncoboard.model import Case

__all__ = ["IMAGING_FORMAT_VERSION", "register"]

IMAGING_FORMAT_VERSION = "1"

imaging_app = typer.Typer(
    name="imaging", help="Measurements from DICOM and NIfTI images.", no_args_is_help=True
)


def _triple(text: str | None, option: str) -> tuple[float, float, float] | None:
    if text is None:
        return None
    parts = text.split(",")
    try:
        x, y, z = (float(p) for p in parts)
    except ValueError:
        message = f"expected X,Y,Z in mm (LPS), got {text!r}"
        raise typer.BadParameter(message, param_hint=option) from None
    return (x, y, z)


def _study_date(image: Volume, given: dt.date | None) -> dt.date | None:
    if given is not None:
        return given
    header = image.header
    for keyword in ("SeriesDate", "StudyDate", "AcquisitionDate"):
        value = getattr(header, keyword, None) if header is not None else None
        if value:
            return dt.datetime.strptime(str(value), "%Y%m%d").date()
    return None


def _load_case(reference: str, database_url: str | None) -> tuple[Case, bool]:
    """A case from a file path, else from the store by patient id; True if from the store."""
    from oncoboard.io import load_case
    from oncoboard.model import Case

    path = Path(reference)
    if path.suffix.lower() in (".yaml", ".yml", ".json"):
        return load_case(path), False
    from oncoboard.store import Store

    with Store.open(database_url) as store:
        stored = store.get(reference)
    return Case.model_validate(stored.document), True


def _calibration(image: Volume, manual: dict[str, Any]) -> PetCalibration | None:
    if image.modality != "PT" and not manual["dose_mbq"]:
        return None
    from oncoboard.imaging.pet import PetCalibration, calibration_from_dicom

    if manual["dose_mbq"]:
        missing = [k for k in ("injection_time", "scan_time", "weight_kg") if not manual[k]]
        if missing:
            raise typer.BadParameter(f"--dose-mbq also needs {', '.join(missing)}")
        return PetCalibration(
            injected_dose_bq=manual["dose_mbq"] * 1e6,
            half_life_s=6586.2,  # F-18 (DICOM PS3.16 CID 4020 gives the nuclide)
            injection_time=manual["injection_time"],
            reference_time=manual["scan_time"],
            weight_kg=manual["weight_kg"],
            height_m=manual["height_m"],
            sex=manual["sex"],
            units="BQML",
            decay_correction="START",
            source="command-line options",
        )
    return calibration_from_dicom(image.header, image.source)


def _table(
    geometries: list[LesionGeometry], uptakes: dict[int, LesionUptake], names: dict[int, str]
) -> Table:
    table = Table(title="Lesions")
    columns = ["label", "lesion", "longest mm", "short axis mm", "volume mL", "parts"]
    if uptakes:
        columns += ["SUVmax", "SUVpeak", "SULpeak"]
    for column in columns:
        table.add_column(column, overflow="fold")
    for g in geometries:
        row = [
            str(g.label),
            names.get(g.label, g.name or "—"),
            f"{g.longest_diameter_mm:.1f}",
            f"{g.short_axis_mm:.1f}",
            f"{g.volume_ml:.2f}",
            str(g.components),
        ]
        if uptakes:
            u = uptakes.get(g.label)
            row += (
                [f"{u.suv_max:.2f}", f"{u.suv_peak:.2f}", f"{u.sul_peak:.2f}"] if u else ["—"] * 3
            )
        table.add_row(*row)
    return table


@imaging_app.command("measure")
def measure(
    image_path: Annotated[
        Path, typer.Option("--image", help="DICOM series folder/file or NIfTI image.")
    ],
    mask_path: Annotated[
        Path, typer.Option("--mask", help="Label mask: NIfTI or DICOM SEG, on the image grid.")
    ],
    lesion: Annotated[
        list[str] | None,
        typer.Option(
            "--lesion", help="LABEL=ID[,SITE][,ROLE][,node], e.g. 2=LN1,lymph_node,target."
        ),
    ] = None,
    case_ref: Annotated[
        str | None, typer.Option("--case", help="Case file, or a stored patient id.")
    ] = None,
    date: Annotated[
        dt.datetime | None,
        typer.Option("--date", formats=["%Y-%m-%d"], help="Study date (default: DICOM)."),
    ] = None,
    modality: Annotated[Modality | None, typer.Option(help="Default: DICOM Modality.")] = None,
    baseline: Annotated[bool, typer.Option(help="Baseline of the current line.")] = False,
    liver_centre: Annotated[
        str | None, typer.Option("--liver-centre", help="PET: X,Y,Z (LPS mm) of the liver ROI.")
    ] = None,
    liver_label: Annotated[
        int | None, typer.Option(help="PET: mask label of the liver (ROI placed inside).")
    ] = None,
    dose_mbq: Annotated[float | None, typer.Option(help="PET without DICOM: dose.")] = None,
    injection_time: Annotated[dt.datetime | None, typer.Option()] = None,
    scan_time: Annotated[dt.datetime | None, typer.Option()] = None,
    weight_kg: Annotated[float | None, typer.Option()] = None,
    height_m: Annotated[float | None, typer.Option()] = None,
    sex: Annotated[str | None, typer.Option(help="F or M (lean body mass).")] = None,
    store: Annotated[
        bool, typer.Option("--store", help="Add the assessment to the stored case (new version).")
    ] = False,
    database_url: Annotated[
        str | None, typer.Option("--database-url", envvar="ONCOBOARD_DATABASE_URL")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print stable JSON.")] = False,
) -> None:
    """Measure lesions (RECIST diameters, volume) and PET uptake; build the imaging assessment."""
    from oncoboard.imaging.assess import parse_lesion_spec

    try:
        specs = [parse_lesion_spec(text) for text in lesion or []]
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--lesion") from exc
    if store and case_ref is None:
        raise typer.BadParameter("--store needs --case PATIENT_ID", param_hint="--store")
    manual = {
        "dose_mbq": dose_mbq,
        "injection_time": injection_time,
        "scan_time": scan_time,
        "weight_kg": weight_kg,
        "height_m": height_m,
        "sex": sex,
    }
    try:
        result = _measure(
            image_path,
            mask_path,
            specs,
            case_ref,
            date.date() if date else None,
            modality,
            baseline,
            _triple(liver_centre, "--liver-centre"),
            liver_label,
            manual,
            database_url,
        )
        if store and result["case"] is not None:
            _store_assessment(result, database_url)
    except OncoboardError as exc:
        err.print(f"error: {exc}", markup=False)
        raise typer.Exit(1) from exc
    if as_json:
        document = {
            "format_version": IMAGING_FORMAT_VERSION,
            "oncoboard_version": __version__,
            "disclaimer": DISCLAIMER,
            "input": {"image": str(image_path), "mask": str(mask_path)},
            "measurements": result["measurements"],
            "liver_reference": result["liver"],
            "assessment": result["assessment"],
            "unmapped_labels": result["unmapped"],
            "stored_version": result.get("stored_version"),
        }
        out.file.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        return
    out.print(result["table"])
    if result["liver"]:
        liver = result["liver"]
        out.print(
            f"liver reference: SUL {liver['mean_sul']:.2f} ± {liver['sd_sul']:.2f} (3 cm sphere);"
            f" PERCIST measurability threshold {liver['threshold_sul']:.2f}",
            markup=False,
        )
    if result["unmapped"]:
        out.print(
            f"labels not mapped to a lesion (not in the assessment): {result['unmapped']}",
            markup=False,
        )
    if result["assessment"] is not None:
        out.print("imaging assessment (for the case file / oncoboard monitor):", markup=False)
        out.print(json.dumps(result["assessment"], indent=2), markup=False)
    if result.get("stored_version"):
        out.print(f"stored as version {result['stored_version']} of {case_ref}", markup=False)
    out.print(f"[dim]{DISCLAIMER}[/dim]")


def _measure(
    image_path: Path,
    mask_path: Path,
    specs: list[Any],
    case_ref: str | None,
    date: dt.date | None,
    modality: Modality | None,
    baseline: bool,
    liver_centre: tuple[float, float, float] | None,
    liver_label: int | None,
    manual: dict[str, Any],
    database_url: str | None,
) -> dict[str, Any]:
    from dataclasses import asdict

    from oncoboard.imaging.assess import build_assessment, modality_of
    from oncoboard.imaging.geometry import measure_lesions
    from oncoboard.imaging.readers import read_image, read_mask

    image = read_image(image_path)
    mask = read_mask(mask_path, like=image)
    lesion_labels = [int(v) for v in sorted(set(mask.array.flat) - {0}) if v != liver_label]
    geometries = measure_lesions(mask, labels=lesion_labels)
    calibration = _calibration(image, manual)
    uptakes: list[LesionUptake] = []
    liver: LiverReference | None = None
    if calibration is not None:
        from oncoboard.imaging.pet import lesion_uptake, liver_reference

        lesions_only = mask.array if liver_label is None else (
            (mask.array != liver_label) * mask.array
        )  # fmt: skip
        from oncoboard.imaging import Volume as _Volume

        lesion_mask = _Volume(
            array=lesions_only,
            spacing=mask.spacing,
            origin=mask.origin,
            direction=mask.direction,
            source=mask.source,
        )
        uptakes = lesion_uptake(image, lesion_mask, calibration)
        if liver_centre is not None or liver_label is not None:
            liver_mask = None if liver_label is None else mask.array == liver_label
            liver = liver_reference(
                image, calibration, centre_mm=liver_centre, liver_mask=liver_mask
            )
    case = None
    from_store = False
    if case_ref is not None:
        case, from_store = _load_case(case_ref, database_url)
    names = {s.label: s.lesion_id for s in specs}
    assessment = None
    unmapped = [g.label for g in geometries]
    if specs:
        study_date = _study_date(image, date)
        if study_date is None:
            raise typer.BadParameter("no study date in the image; give --date", param_hint="--date")
        built, unmapped = build_assessment(
            date=study_date,
            modality=modality_of(image.modality, modality, image.source),
            geometries=geometries,
            specs=specs,
            source=f"{image_path} + {mask_path}",
            case=case,
            uptakes=uptakes,
            liver=liver,
            baseline=baseline,
        )
        assessment = built.model_dump(mode="json", exclude_defaults=True)
    uptake_by_label = {u.label: u for u in uptakes}
    measurements = []
    for g in geometries:
        row = asdict(g) | {"lesion_id": names.get(g.label)}
        if g.label in uptake_by_label:
            row["uptake"] = asdict(uptake_by_label[g.label])
        measurements.append(row)
    return {
        "table": _table(geometries, uptake_by_label, names),
        "measurements": json.loads(json.dumps(measurements, default=str)),
        "liver": None if liver is None else asdict(liver),
        "assessment": assessment,
        "unmapped": unmapped,
        "case": case if from_store else None,
        "built": built if specs else None,
    }


def _store_assessment(result: dict[str, Any], database_url: str | None) -> None:
    from oncoboard.imaging.assess import add_assessment
    from oncoboard.io import canonical_document
    from oncoboard.store import Store

    case = result["case"]
    updated = add_assessment(case, result["built"])
    document = canonical_document(updated)
    with Store.open(database_url) as store:
        outcome = store.import_document(
            updated.patient.id,
            document,
            source_name="oncoboard imaging measure",
            source_format="json",
            source_text=json.dumps(document, indent=2, ensure_ascii=False),
        )
    result["stored_version"] = outcome.version


def register(app: typer.Typer) -> None:
    """Add the ``imaging`` verb group to ``app``."""
    app.add_typer(imaging_app)
