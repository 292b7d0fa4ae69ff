"""Benchmarks: validation and import throughput of case files.

Each measurement is compared as a ratio against a baseline measured in the same run on the
same machine (loading the same files with PyYAML's libyaml loader alone), so results are
comparable across machines. Results go to ``bench/results/<name>.json``.

Usage: ``make bench`` (or ``python bench/run.py [--copies N]``).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from oncoboard.io import canonical_document, find_case_files, parse_case, read_document
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

    path = ROOT / "tests" / "data" / "metabric" / "metabric_mutations.tsv"
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=40, help="copies of each demo case")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = _cohort(args.copies, folder)
        texts = [p.read_text(encoding="utf-8") for p in paths]

        fast_loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        baseline = _best_of(args.repeat, lambda: [yaml.load(t, fast_loader) for t in texts])
        validate = _best_of(args.repeat, lambda: [parse_case(read_document(p)) for p in paths])

        def import_all() -> None:
            db = folder / f"bench-{time.monotonic_ns()}.sqlite3"
            with Store.open(f"sqlite:///{db}", actor="bench") as store:
                for path in paths:
                    document = read_document(path)
                    case = parse_case(document)
                    store.import_document(
                        case.patient.id,
                        canonical_document(case),
                        source_name=path.name,
                        source_format=document.format,
                        source_text=document.text,
                    )

        import_sqlite = _best_of(args.repeat, import_all)
    result = {
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
    RESULTS.mkdir(parents=True, exist_ok=True)
    for name, data in (("case_files", result), ("metabric_annotate", bench_metabric(args.repeat))):
        (RESULTS / f"{name}.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        print(json.dumps(data, indent=2))


if __name__ == "__main__":
    main()
