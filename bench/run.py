"""Benchmarks: case files, annotation, planning, monitoring, imaging measurement; MRD accuracy.

Each measurement is compared as a ratio against a baseline measured in the same run on the
same machine (loading the same files with PyYAML's libyaml loader alone; reading the mutation
table; validating the case files), so results are comparable across machines. Results go to
``bench/results/<name>.json``. ``load_api`` loads the web service (``bench/load_api.py``:
50 clients on the plan endpoint, ``/api/v1/me`` as baseline). ``mrd_accuracy`` is not a
timing: it measures the MRD test's sensitivity and specificity on simulated plasma
(``--draws`` patients per tumour fraction). ``cohort`` annotates a 1,000,000-variant GDC MAF
end to end (``bench/cohort.py``: pyarrow read floor, local and Dask engines, peak memory).

Usage: ``make bench`` (or ``python bench/run.py [--copies N] [--repeat N] [--only NAME]``).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import load_api  # bench/load_api.py, next to this script
import yaml

from oncoboard.io import (
    find_case_files,
    load_case,
    parse_case,
    read_document,
)
from oncoboard.store import Store

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "cases"
RESULTS = ROOT / "bench" / "results"


def _cohort(copies: int, folder: Path) -> list[Path]:
    """``copies`` renamed copies of each demo case (distinct patient ids), written as files."""
    paths = []
    for source in find_case_files([EXAMPLES]):
        text = source.read_text(encoding="utf-8")
        case_id = parse_case(read_document(source)).patient.id
        for n in range(copies):
            target = folder / f"{source.stem}-{n:04d}{source.suffix}"
            target.write_text(text.replace(case_id, f"{case_id}-{n:04d}"), encoding="utf-8")
            paths.append(target)
    return paths


def _best_of(repeat: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def bench_metabric(repeat: int) -> dict[str, object]:
    """Annotate METABRIC whole (10,613 mutations, 1,859 patients) vs. just reading it."""
    from oncoboard.genomics import annotate_calls
    from oncoboard.io import read_mutation_table

    path = ROOT / "examples" / "cohort" / "metabric" / "metabric_mutations.tsv"
    calls = read_mutation_table(path)
    read = _best_of(repeat, lambda: read_mutation_table(path))
    annotate = _best_of(repeat, lambda: annotate_calls(calls))
    return {
        "benchmark": "metabric_annotate",
        "mutations": len(calls),
        "seconds": {"baseline_read_table": read, "annotate": annotate},
        "ratio_to_baseline": {"annotate": annotate / read},
        "per_patient_ms": 1000 * annotate / len({c.sample for c in calls}),
    }


def bench_plan(repeat: int) -> dict[str, object]:
    """Plan each demo case (after one warm-up call) vs. validating it from its document.

    Start-up is excluded: the first call loads and caches the knowledge files (pathways,
    biomarker-therapy entries, drug vocabulary, gene tables); its time is reported apart.
    Per-case times are the best of ``repeat`` runs; mean and max are over the cohort.
    """
    from oncoboard.planning import plan_case

    paths = list(find_case_files([EXAMPLES]))
    cases = [parse_case(read_document(p)) for p in paths]
    start = time.perf_counter()
    plan_case(cases[0])
    first_call = time.perf_counter() - start
    # load_case(path) is parse_case(read_document(path)): the cost of reading a case
    validate = [_best_of(repeat, partial(load_case, p)) for p in paths]
    plan = [_best_of(repeat, partial(plan_case, c)) for c in cases]
    slowest = max(range(len(cases)), key=plan.__getitem__)

    def ms(seconds: list[float]) -> dict[str, float]:
        return {"mean": 1000 * statistics.mean(seconds), "max": 1000 * max(seconds)}

    return {
        "benchmark": "plan_cases",
        "cases": len(cases),
        "repeat": repeat,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "first_call_ms": 1000 * first_call,
        "per_case_ms": {"baseline_validate": ms(validate), "plan": ms(plan)},
        "slowest_case": {"patient_id": cases[slowest].patient.id, "plan_ms": 1000 * plan[slowest]},
        "ratio_to_baseline": {"plan": sum(plan) / sum(validate)},
        "target_ms": 100,
        "within_target": max(plan) < 0.1,
    }


def bench_monitor(repeat: int) -> dict[str, object]:
    """Monitor each demo case (after one warm-up call) vs. validating it from its document.

    ``monitor_case`` runs RECIST/iRECIST/PERCIST/RANO-BM, ctDNA calls, emergent alterations,
    marker trends and the timeline; it plans the case once when an emergent-resistance alert
    on the ongoing line needs suggested options (MBC-016), which dominates that case's time.
    """
    from oncoboard.monitoring import monitor_case
    from oncoboard.planning import plan_case

    paths = list(find_case_files([EXAMPLES]))
    cases = [parse_case(read_document(p)) for p in paths]
    start = time.perf_counter()
    monitor_case(cases[0])
    plan_case(cases[0])  # warm the planner's knowledge caches too
    first_call = time.perf_counter() - start
    validate = [_best_of(repeat, partial(load_case, p)) for p in paths]
    monitor = [_best_of(repeat, partial(monitor_case, c)) for c in cases]
    slowest = max(range(len(cases)), key=monitor.__getitem__)
    return {
        "benchmark": "monitor_cases",
        "cases": len(cases),
        "repeat": repeat,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "first_call_ms": 1000 * first_call,
        "per_case_ms": {
            "baseline_validate": {
                "mean": 1000 * statistics.mean(validate),
                "max": 1000 * max(validate),
            },
            "monitor": {"mean": 1000 * statistics.mean(monitor), "max": 1000 * max(monitor)},
        },
        "slowest_case": {
            "patient_id": cases[slowest].patient.id,
            "monitor_ms": 1000 * monitor[slowest],
        },
        "ratio_to_baseline": {"monitor": sum(monitor) / sum(validate)},
        "target_ms": 100,
        "within_target": max(monitor) < 0.1,
    }


def _imaging_study(folder: Path) -> tuple[Path, Path, Path]:
    """Write a 512x512x300 CT-like NIfTI (0.8 x 0.8 x 2 mm), a PET-like one in Bq/mL on the
    same grid, and a label mask with 10 spheres of 6-25 mm radius."""
    import nibabel as nib
    import numpy as np

    rng = np.random.default_rng(7)
    shape = (512, 512, 300)  # nibabel order i, j, k
    spacing = np.array([0.8, 0.8, 2.0])
    affine = np.diag([*spacing, 1.0])
    ct = rng.normal(40, 10, size=shape).astype(np.float32)
    pet = rng.normal(5000, 500, size=shape).astype(np.float32)
    labels = np.zeros(shape, dtype=np.int16)
    i, j, k = np.ogrid[: shape[0], : shape[1], : shape[2]]
    for label in range(1, 11):
        radius = 6 + 2 * label
        centre = np.array([60 + 38 * label, 80 + 33 * label, 30 + 24 * label]) * 1.0
        box = [
            slice(int(c - radius / s) - 1, int(c + radius / s) + 2)
            for c, s in zip(centre, spacing, strict=True)
        ]
        sub = (
            ((i[box[0], :, :] - centre[0]) * spacing[0]) ** 2
            + ((j[:, box[1], :] - centre[1]) * spacing[1]) ** 2
            + ((k[:, :, box[2]] - centre[2]) * spacing[2]) ** 2
        ) <= radius**2
        labels[box[0], box[1], box[2]][sub] = label
        pet[box[0], box[1], box[2]][sub] = 20000.0 + 1000 * label
    paths = (folder / "ct.nii", folder / "pet.nii", folder / "mask.nii")
    for data, path in zip((ct, pet, labels), paths, strict=True):
        nib.save(nib.Nifti1Image(data, affine), path)
    return paths


def bench_imaging(repeat: int) -> dict[str, object]:
    """Measure a 512x512x300 study with 10 lesions vs. loading its volumes with nibabel.

    ``measure`` reads the image and the mask with Oncoboard's readers and measures every
    lesion (longest axial diameter, short axis, volume); ``measure_pet`` adds SUV/SULpeak per
    lesion. The baseline loads the same image and mask with nibabel alone (``get_fdata``).
    """
    import datetime as dt

    import nibabel as nib

    from oncoboard.imaging.geometry import measure_lesions
    from oncoboard.imaging.pet import PetCalibration, lesion_uptake
    from oncoboard.imaging.readers import read_image, read_mask

    calibration = PetCalibration(
        injected_dose_bq=370e6,
        half_life_s=6586.2,
        injection_time=dt.datetime(2026, 1, 1, 9, 0),
        reference_time=dt.datetime(2026, 1, 1, 10, 0),
        weight_kg=70.0,
        height_m=1.68,
        sex="F",
        units="BQML",
        decay_correction="START",
        source="bench",
    )
    with tempfile.TemporaryDirectory() as tmp:
        ct_path, pet_path, mask_path = _imaging_study(Path(tmp))

        def load() -> None:
            nib.load(ct_path).get_fdata()
            nib.load(mask_path).get_fdata()

        def measure() -> int:
            image = read_image(ct_path)
            return len(measure_lesions(read_mask(mask_path, like=image)))

        def measure_pet() -> int:
            image = read_image(pet_path)
            mask = read_mask(mask_path, like=image)
            measure_lesions(mask)
            return len(lesion_uptake(image, mask, calibration))

        lesions = measure()
        baseline = _best_of(repeat, load)
        geometry = _best_of(repeat, measure)
        pet = _best_of(repeat, measure_pet)
    return {
        "benchmark": "imaging_measure",
        "study": {"shape_ijk": [512, 512, 300], "spacing_mm": [0.8, 0.8, 2.0], "lesions": lesions},
        "repeat": repeat,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "seconds": {"baseline_nibabel_load": baseline, "measure": geometry, "measure_pet": pet},
        "ratio_to_baseline": {"measure": geometry / baseline, "measure_pet": pet / baseline},
    }


def bench_case_files(copies: int, repeat: int) -> dict[str, object]:
    """Validate and import ``copies`` copies of the demo cohort vs. loading the YAML alone."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = _cohort(copies, folder)
        texts = [p.read_text(encoding="utf-8") for p in paths]

        fast_loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        baseline = _best_of(repeat, lambda: [yaml.load(t, fast_loader) for t in texts])
        validate = _best_of(repeat, lambda: [parse_case(read_document(p)) for p in paths])

        def import_all() -> None:
            db = folder / f"bench-{time.monotonic_ns()}.sqlite3"
            with Store.open(f"sqlite:///{db}", actor="bench") as store:
                load_api.import_cases(store, paths)

        import_sqlite = _best_of(repeat, import_all)
    return {
        "benchmark": "case_files",
        "files": len(paths),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "seconds": {
            "baseline_yaml_load": baseline,
            "validate": validate,
            "import_sqlite": import_sqlite,
        },
        "ratio_to_baseline": {
            "validate": validate / baseline,
            "import_sqlite": import_sqlite / baseline,
        },
        "per_file_ms": {
            "validate": 1000 * validate / len(paths),
            "import_sqlite": 1000 * import_sqlite / len(paths),
        },
        "median_file_bytes": statistics.median(len(t.encode()) for t in texts),
    }


def bench_mrd(draws: int) -> dict[str, object]:
    """Sensitivity and specificity of the tumour-informed MRD test on simulated plasma.

    Not a timing: the detection rate at tumour fractions 0 (false positives), 1e-5, 1e-4 and
    1e-3 over ``draws`` simulated patients each, for a plain UMI assay at the panel-default
    error rates, a 10x lower (error-suppressed) assay, and the UMI assay with one artefactual
    locus (0.5% allele fraction, absent from the normals) with and without the outlier guard.
    """
    from dataclasses import asdict

    from oncoboard.mrd.simulate import AssaySettings, simulate_detection

    scenarios = {
        "umi": AssaySettings(),
        "error_suppressed": AssaySettings(error_scale=0.1),
        "umi_artefact_locus": AssaySettings(artefact_fraction=0.005),
        "umi_artefact_locus_no_guard": AssaySettings(artefact_fraction=0.005, max_outliers=0),
    }
    results: dict[str, object] = {}
    for name, settings in scenarios.items():
        start = time.perf_counter()
        rates = simulate_detection((0.0, 1e-5, 1e-4, 1e-3), draws=draws, settings=settings)
        elapsed = time.perf_counter() - start
        results[name] = {
            "settings": {k: v for k, v in asdict(settings).items() if k != "rates"},
            "rates": [asdict(r) for r in rates],
            "ms_per_draw": 1000 * elapsed / (draws * len(rates)),
        }
    return {"benchmark": "mrd_accuracy", "draws_per_fraction": draws, **results}


def _bench_cohort() -> dict[str, object]:
    """1,000,000 GDC MAF rows end to end: ``bench/cohort.py`` (imported here, when run)."""
    import cohort  # bench/cohort.py, next to this script

    return cohort.bench_cohort()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=40, help="copies of each demo case")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--draws", type=int, default=1000, help="MRD simulation draws")
    parser.add_argument(
        "--load-seconds", type=float, default=30.0, help="length of the API load test"
    )
    parser.add_argument(
        "--only",
        choices=(
            "case_files",
            "metabric_annotate",
            "plan",
            "monitor",
            "imaging",
            "mrd_accuracy",
            "load_api",
            "cohort",
        ),
        action="append",
        help="run only this benchmark (repeatable); default: all",
    )
    args = parser.parse_args()
    benchmarks: dict[str, Callable[[], dict[str, object]]] = {
        "case_files": lambda: bench_case_files(args.copies, args.repeat),
        "metabric_annotate": lambda: bench_metabric(args.repeat),
        "plan": lambda: bench_plan(args.repeat),
        "monitor": lambda: bench_monitor(args.repeat),
        "imaging": lambda: bench_imaging(args.repeat),
        "mrd_accuracy": lambda: bench_mrd(args.draws),
        "load_api": lambda: load_api.run(seconds=args.load_seconds),
        "cohort": _bench_cohort,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    for name, run in benchmarks.items():
        if args.only and name not in args.only:
            continue
        data = run()
        (RESULTS / f"{name}.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        print(json.dumps(data, indent=2))


if __name__ == "__main__":
    main()
