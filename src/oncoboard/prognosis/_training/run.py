"""Retrain and re-evaluate everything: artefact, metrics.json, figures and cards."""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import time
from collections.abc import Sequence
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

import numpy as np

from oncoboard.prognosis._artefact import CoxArtefact
from oncoboard.prognosis._cox import CoxModel
from oncoboard.prognosis._training import cards, cards_other, external, internal, mbc, plots
from oncoboard.prognosis._training.clinical import CLINICAL_ID, artefact_json, build_clinical
from oncoboard.prognosis._training.data import Cohort, desmedt, file_sha256, gbsg2, metabric
from oncoboard.prognosis._training.mbc_card import mbc_card
from oncoboard.prognosis._training.metrics import Outcome, metric_values
from oncoboard.prognosis._training.published import COMPARATORS, DATA_SOURCES
from oncoboard.prognosis.sites import kennecke_2010, site_patterns

__all__ = ["REFERENCE_PATIENTS", "main"]

REFERENCE_PATIENTS: tuple[tuple[str, dict[str, object]], ...] = (
    ("52 y, 2.1 cm, grade 2, ER+", {"age": 52, "size_cm": 2.1, "grade": 2, "er_positive": True}),
    ("45 y, 1.2 cm, grade 1, ER+", {"age": 45, "size_cm": 1.2, "grade": 1, "er_positive": True}),
    ("38 y, 3.5 cm, grade 3, ER-", {"age": 38, "size_cm": 3.5, "grade": 3, "er_positive": False}),
    ("60 y, 5.0 cm, grade 2, ER-", {"age": 60, "size_cm": 5.0, "grade": 2, "er_positive": False}),
)
"""Patients whose predictions are reported in the card and pinned in the tests."""

_MSK = Path("examples/cohort/msk-mbc-2018/breast_msk_2018_clinical_data.tsv")
_GBSG2 = Path("examples/survival/lymph_node.csv")
_METABRIC = Path("examples/cohort/metabric")


def _rounded(value: Any) -> Any:
    """Floats to 6 significant digits (stable diffs), recursively; NaN as None."""
    if isinstance(value, float | np.floating):
        number = float(value)
        return None if math.isnan(number) else float(f"{number:.6g}")
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    if isinstance(value, np.integer):
        return int(value)
    return value


def _clinical_metrics(model: CoxModel, cohort: Cohort) -> dict[str, Any]:
    artefact = model.artefact
    se = np.sqrt(np.diag(np.array(artefact.covariance)))
    coefficients = [
        {
            "term": t.name,
            "coefficient": t.coefficient,
            "se": float(s),
            "hr": math.exp(t.coefficient),
            "hr_low": math.exp(t.coefficient - 1.959964 * s),
            "hr_high": math.exp(t.coefficient + 1.959964 * s),
        }
        for t, s in zip(artefact.terms, se, strict=True)
    ]
    risk = external.transported_risk(model, cohort)
    apparent = metric_values(Outcome(cohort.time, cohort.event), risk, 5.0, 5.0)
    patients = []
    for label, covariates in REFERENCE_PATIENTS:
        five, ten = model.predict(covariates, 5), model.predict(covariates, 10)
        patients.append(
            {
                "label": label,
                "covariates": covariates,
                "risk_5y": five.risk,
                "ci_5y": [five.ci_low, five.ci_high],
                "risk_10y": ten.risk,
                "ci_10y": [ten.ci_low, ten.ci_high],
            }
        )
    specs = {c.name: c for c in artefact.covariates}
    return {
        "model_id": model.model_id,
        "version": model.version,
        "coefficients": coefficients,
        "apparent": {"point": apparent, "ci": {k: [math.nan, math.nan] for k in apparent}},
        "reference_patients": patients,
        "domain": {
            "age": [specs["age"].minimum, specs["age"].maximum],  # type: ignore[union-attr]
            "size_cm": [specs["size_cm"].minimum, specs["size_cm"].maximum],  # type: ignore[union-attr]
            "grade_counts": specs["grade"].counts,  # type: ignore[union-attr]
            "er_counts": specs["er_positive"].counts,  # type: ignore[union-attr]
        },
        "risk_group_cutpoints_5y": [float(q) for q in np.quantile(risk, [1 / 3, 2 / 3])],
    }


def _sites(root: Path) -> dict[str, Any]:
    table = site_patterns(root / _MSK)
    all_rows = [r for r in table.iter_rows(named=True) if r["subtype"] == "All"]
    headline = []
    for r in table.iter_rows(named=True):
        if r["site"] not in ("Bone", "Liver", "Lung", "Brain"):
            continue
        published = [
            f"{f.source_subtype} {f.percent:g}"
            for f in kennecke_2010()
            if f.subtype == r["subtype"] and f.site == r["site"]
        ]
        headline.append({**r, "published": "; ".join(published)})
    import polars as pl

    from oncoboard.cohort.clinical import msk_clinical

    metastases = msk_clinical(root / _MSK).filter(
        (pl.col("sample_type") == "Metastasis") & pl.col("sample_site").is_not_null()
    )
    subtype_sets = metastases.group_by("patient").agg(pl.col("subtype").n_unique())
    return {
        "table": table.to_dicts(),
        "headline": headline,
        "patients": all_rows[0]["patients"],
        "samples": metastases.height,
        "discordant": int((subtype_sets["subtype"] > 1).sum()),
        "published": [dataclasses.asdict(f) for f in kennecke_2010()],
    }


def _data_summary(cohort: Cohort, root: Path) -> dict[str, Any]:
    event = cohort.event == 1
    return {
        "desmedt": {
            "n_total": cohort.n_source,
            "n": len(cohort.covariates),
            "events": int(event.sum()),
            "events_by_5y": int(np.sum(event & (cohort.time <= 5))),
            "events_by_10y": int(np.sum(event & (cohort.time <= 10))),
            "median_follow_up_years": float(np.median(cohort.time)),
            "excluded": cohort.excluded[0].upper() + cohort.excluded[1:],
            "sha256": cohort.sha256,
        },
        "gbsg2": {"path": str(_GBSG2), "sha256": file_sha256(root / _GBSG2)},
        "metabric": {
            "path": str(_METABRIC),
            "sha256": {
                name: file_sha256(root / _METABRIC / name)
                for name in ("metabric_clinical.tsv", "metabric_survival.tsv")
            },
        },
        "msk2018": {"path": str(_MSK), "sha256": file_sha256(root / _MSK)},
    }


def _figures(
    metrics: dict[str, Any],
    cv: internal.CvResult,
    cohorts: dict[str, Cohort],
    model: CoxModel,
    root: Path,
) -> None:
    img = root / "docs/models/img"
    img.mkdir(parents=True, exist_ok=True)
    cut = tuple(metrics["clinical_model"]["risk_group_cutpoints_5y"])
    desmedt_cohort = cohorts["desmedt"]
    names = {"clinical": "clinical Cox", "clinical_genes": "clinical + genes", "rsf": "RSF"}
    plots.risk_group_figure(
        [
            {
                "title": f"Desmedt 2007, {names[key]} (cross-validated; own tertiles)",
                "time": desmedt_cohort.time,
                "event": desmedt_cohort.event,
                "risk": cv.risk[key].mean(axis=0),
                "cutpoints": tuple(np.quantile(cv.risk[key].mean(axis=0), [1 / 3, 2 / 3])),
                "ylabel": "cumulative incidence of distant metastasis",
            }
            for key in internal.MODELS
        ],
        img / "desmedt_risk_groups.png",
    )
    plots.calibration_figure(
        [
            {
                "title": f"Desmedt 2007, {names[key]}",
                "groups": metrics["internal"][key]["calibration_groups"],
            }
            for key in internal.MODELS
        ],
        img / "desmedt_calibration.png",
    )
    panels = []
    for key, title, ylabel in (
        ("gbsg2", "GBSG2 all, recurrence (Desmedt tertiles)", "cumulative incidence"),
        (
            "metabric",
            "METABRIC in_domain, breast-cancer death (Desmedt tertiles)",
            "cumulative incidence (AJ)",
        ),
    ):
        cohort = cohorts[key]
        panels.append(
            {
                "title": title,
                "time": cohort.time,
                "event": cohort.event,
                "risk": external.transported_risk(model, cohort),
                "cutpoints": cut,
                "ylabel": ylabel,
            }
        )
    plots.risk_group_figure(panels, img / "external_risk_groups.png")
    ext = metrics["external"]
    plots.calibration_figure(
        [
            {"title": "GBSG2 all", "groups": ext["gbsg2"]["all"]["calibration_groups"]},
            {
                "title": "METABRIC in_domain",
                "groups": ext["metabric"]["in_domain"]["calibration_groups"],
            },
            {
                "title": "METABRIC complete",
                "groups": ext["metabric"]["complete"]["calibration_groups"],
            },
        ],
        img / "external_calibration.png",
    )
    import polars as pl

    plots.site_figure(pl.DataFrame(metrics["sites"]["table"]), img / "msk_site_patterns.png")


def _write_cards(metrics: dict[str, Any], root: Path) -> None:
    docs = root / "docs/models"
    for name, text in (
        (f"{CLINICAL_ID}.md", cards.clinical_card(metrics)),
        ("desmedt2007-clinical-genes.md", cards_other.genes_card(metrics)),
        ("desmedt2007-rsf.md", cards_other.rsf_card(metrics)),
        ("msk2018-site-patterns.md", cards_other.sites_card(metrics)),
        ("msk2018-mbc-os.md", mbc_card(metrics)),
        ("README.md", cards_other.index_card(metrics)),
    ):
        (docs / name).write_text(text, encoding="utf-8")


def _line(v: dict[str, Any]) -> str:
    def show(key: str) -> str:
        return cards.interval_text(v["point"][key], v["ci"][key])

    return (
        f"Harrell {show('harrell_c')}  Uno {show('uno_c')}  AUC5 {show('auc')}  "
        f"slope {show('calibration_slope')}  O/E {show('observed_expected')}"
    )


def _summary(metrics: dict[str, Any]) -> str:
    lines = [f"internal {key:30s} {_line(metrics['internal'][key])}" for key in internal.MODELS]
    for cohort, subsets in metrics["external"].items():
        for key, v in subsets.items():
            name = f"{cohort}/{key} (n={v['n']})"
            lines.append(f"external {name:30s} {_line(v)}")
    v = metrics["mbc"]["internal"]
    shown = "  ".join(
        f"{key} {cards.interval_text(v['point'][key], v['ci'][key])}" for key in v["point"]
    )
    lines.append(f"internal {'msk2018-mbc-os':30s} {shown}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None, *, root: Path) -> int:
    """Retrain, evaluate and write every output under ``root`` (the repository)."""
    parser = argparse.ArgumentParser(description=__doc__)
    defaults = internal.CvSettings()
    parser.add_argument("--repeats", type=int, default=defaults.repeats)
    parser.add_argument("--folds", type=int, default=defaults.folds)
    parser.add_argument("--bootstrap", type=int, default=defaults.bootstrap)
    parser.add_argument("--external-bootstrap", type=int, default=300)
    parser.add_argument("--trees", type=int, default=defaults.trees)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    args = parser.parse_args(argv)
    settings = dataclasses.replace(
        defaults,
        repeats=args.repeats,
        folds=args.folds,
        bootstrap=args.bootstrap,
        trees=args.trees,
        seed=args.seed,
    )
    started = time.perf_counter()
    cohort = desmedt()
    artefact = build_clinical(cohort)
    target = root / "src/oncoboard/prognosis/models" / f"{CLINICAL_ID}.json"
    target.write_text(artefact_json(artefact), encoding="utf-8")
    model = CoxModel(CoxArtefact.model_validate(artefact))
    print(f"wrote {target.relative_to(root)}")

    cv = internal.cross_validate(cohort, settings)
    print(f"cross-validation done ({time.perf_counter() - started:.0f} s)")
    gbsg = gbsg2(root / _GBSG2)
    meta = metabric(root / _METABRIC)
    metabric_sets = external.metabric_subsets(model, meta)
    metrics: dict[str, Any] = {
        "generated_by": "scripts/train_prognosis.py",
        "settings": {
            **dataclasses.asdict(settings),
            "external_bootstrap": args.external_bootstrap,
            "horizon_years": 5.0,
        },
        "software": {
            name: package_version(name)
            for name in ("numpy", "scikit-survival", "scikit-learn", "polars", "matplotlib")
        },
        "data": _data_summary(cohort, root),
        "data_sources": DATA_SOURCES,
        "clinical_model": _clinical_metrics(model, cohort),
        "internal": internal.summarise(cohort, cv, settings),
        "gene_model_final": internal.final_gene_model(cohort, settings),
        "rsf_final": internal.final_forest_size(cohort, settings),
        "external": {
            "gbsg2": external.validate(
                model, external.gbsg2_subsets(model, gbsg), args.external_bootstrap, settings.seed
            ),
            "metabric": external.validate(
                model, metabric_sets, args.external_bootstrap, settings.seed + 100
            ),
        },
        "sites": _sites(root),
        "mbc": mbc.train_and_evaluate(root, settings),
        "published_comparators": COMPARATORS,
    }
    metrics = _rounded(metrics)
    docs = root / "docs/models"
    docs.mkdir(parents=True, exist_ok=True)
    (docs / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    in_domain = next(s.cohort for s in metabric_sets if s.key == "in_domain")
    _figures(metrics, cv, {"desmedt": cohort, "gbsg2": gbsg, "metabric": in_domain}, model, root)
    _write_cards(metrics, root)
    print(_summary(metrics))
    print(f"done in {time.perf_counter() - started:.0f} s")
    return 0
