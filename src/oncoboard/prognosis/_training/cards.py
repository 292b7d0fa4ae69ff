"""Model cards (Markdown) rendered from ``metrics.json``: every number comes from there."""

from __future__ import annotations

import math
from typing import Any

__all__ = ["clinical_card", "comparators_section", "fmt", "interval_text", "metric_table"]

_METRIC_NAMES = {
    "harrell_c": "Harrell's C",
    "uno_c": "Uno's C (tau = 5 y)",
    "auc": "time-dependent AUC at 5 y",
    "calibration_slope": "calibration slope at 5 y",
    "observed_expected": "observed / expected at 5 y",
}

_CLINICAL_COMPARATORS = [
    "desmedt2007_76gene",
    "transbig_auc_table",
    "mclernon2023_gbsg",
    "royston_altman2013_gbsg",
    "laas2015_metabric",
]

DISCLAIMER = (
    "**Intended use:** decision support for qualified clinicians. This is a model of *early* "
    "breast cancer: it estimates risk from the diagnosis of an operable primary tumour. A "
    "patient with metastatic disease is outside its domain, and so is a patient whose node "
    "status, treatment or covariates fall outside what it was trained on. It does not replace "
    "validated clinical tools (e.g. PREDICT) or multigene assays."
)


def fmt(value: float | None, digits: int = 2) -> str:
    """A number with ``digits`` decimals ("n/a" for None or NaN)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:.{digits}f}"


def interval_text(point: float, ci: list[float | None], digits: int = 2) -> str:
    """``point (low-high)``, or the point alone when there is no interval."""
    if ci[0] is None or ci[1] is None:
        return fmt(point, digits)
    return f"{fmt(point, digits)} ({fmt(ci[0], digits)}–{fmt(ci[1], digits)})"


def pct(value: float | None, digits: int = 1) -> str:
    """A proportion as a percentage."""
    return "n/a" if value is None else f"{100 * value:.{digits}f}%"


def metric_table(rows: list[tuple[str, dict[str, Any]]]) -> str:
    """One column per analysis, one row per metric: ``point (95% CI)``."""
    header = "| metric | " + " | ".join(name for name, _ in rows) + " |"
    lines = [header, "|---|" + "---|" * len(rows)]
    for key, label in _METRIC_NAMES.items():
        cells = [interval_text(r["point"][key], r["ci"][key]) for _, r in rows]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def groups_table(rows: list[dict[str, float]], recalibrated: bool = False) -> str:
    """Calibration by risk group."""
    extra = " predicted (baseline recalibrated) |" if recalibrated else ""
    competing = "observed_cif" in rows[0]
    cif = " observed (Aalen-Johansen) |" if competing else ""
    lines = [
        f"| group | n | events by 5 y | mean predicted |{extra} observed (1 - KM, 95% CI) |{cif}",
        "|---|---|---|---|"
        + ("---|" if recalibrated else "")
        + "---|"
        + ("---|" if competing else ""),
    ]
    for r in rows:
        cells = [
            str(int(r["group"])),
            str(int(r["n"])),
            str(int(r["events"])),
            pct(r["predicted"]),
        ]
        if recalibrated:
            cells.append(pct(r["predicted_recalibrated"]))
        cells.append(
            f"{pct(r['observed_km'])} ({pct(r['observed_km_low'])}–{pct(r['observed_km_high'])})"
        )
        if competing:
            cells.append(pct(r["observed_cif"]))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def comparators_section(metrics: dict[str, Any], keys: list[str]) -> str:
    """The published comparators named by ``keys``."""
    lines = []
    for c in metrics["published_comparators"]:
        if c["key"] not in keys:
            continue
        status = "verified" if c["verified"] else "unverified"
        pmid = f", PMID {c['pmid']}" if c["pmid"] else ""
        lines.append(
            f"- **{c['cohort']}** — {c['what']} {c['citation']} ({c['id']}{pmid}; {status}: "
            f"{c['retrieved_from']})."
        )
    return "\n".join(lines)


def _coefficients(metrics: dict[str, Any]) -> str:
    lines = [
        "| term | encoding | coefficient | SE | hazard ratio (95% CI) |",
        "|---|---|---|---|---|",
    ]
    encodings = {
        "age": "years (per year)",
        "size_cm": "cm (per cm)",
        "grade=2": "grade 2 vs 1",
        "grade=3": "grade 3 vs 1",
        "er_positive": "ER positive vs negative",
    }
    for c in metrics["clinical_model"]["coefficients"]:
        lines.append(
            f"| `{c['term']}` | {encodings[c['term']]} | {c['coefficient']:.4f} | "
            f"{c['se']:.4f} | {interval_text(c['hr'], [c['hr_low'], c['hr_high']])} |"
        )
    return "\n".join(lines)


def _domain(metrics: dict[str, Any]) -> str:
    d = metrics["clinical_model"]["domain"]
    grade = ", ".join(f"grade {g}: {n}" for g, n in zip((1, 2, 3), d["grade_counts"], strict=True))
    return (
        f"- `age` {d['age'][0]:g} to {d['age'][1]:g} years; `size_cm` {d['size_cm'][0]:g} to "
        f"{d['size_cm'][1]:g} cm (pathological size).\n"
        f"- `grade` 1, 2 or 3 ({grade}); `er_positive` True ({d['er_counts'][1]}) or False "
        f"({d['er_counts'][0]}).\n"
        "- Outside the inputs, but required: node-negative (pN0), no distant metastasis, no "
        "adjuvant systemic therapy, age < 61 at diagnosis (TRANSBIG inclusion criteria).\n"
        "- Any covariate missing or unknown raises `OutOfDomain` with the reason "
        "`<covariate> not recorded`; nothing is imputed."
    )


def _references(metrics: dict[str, Any]) -> str:
    sources = metrics["data_sources"]
    names = {"desmedt": "Desmedt 2007", "gbsg2": "GBSG2", "metabric": "METABRIC"}
    return "\n".join(
        f"- {names[key]}: {s['citation']} ({s['id']}); licence: {s['licence']}."
        for key, s in sources.items()
        if key in names
    )


def _slope_text(metrics: dict[str, Any]) -> str:
    v = metrics["internal"]["clinical"]
    slope, ci = v["point"]["calibration_slope"], v["ci"]["calibration_slope"]
    if ci[1] is not None and ci[1] < 1:
        meaning = "below 1: out-of-sample predictions are too extreme (overfitting)"
    elif ci[0] is not None and ci[0] > 1:
        meaning = "above 1: out-of-sample predictions are too moderate"
    elif slope < 1:
        meaning = (
            "below 1, suggesting that out-of-sample predictions are too extreme (overfitting), "
            "but its interval includes 1"
        )
    else:
        meaning = "compatible with 1"
    apparent = metrics["clinical_model"]["apparent"]["point"]["harrell_c"]
    return (
        f"The cross-validated calibration slope {interval_text(slope, ci)} is {meaning}. The "
        f"gap between apparent and cross-validated C ({fmt(apparent)} "
        f"vs {fmt(v['point']['harrell_c'])}) is the optimism of fitting five coefficients to "
        f"{metrics['data']['desmedt']['events']} events."
    )


def _versus_published(metrics: dict[str, Any]) -> str:
    """Sentences comparing this model with the published figures, from the numbers."""
    cv = metrics["internal"]["clinical"]["point"]["auc"]
    apparent = metrics["clinical_model"]["apparent"]["point"]["auc"]
    single = (0.63, 0.64)  # tumour size, grade: BMC Syst Biol 2013 Table 3 (see above)
    relation = (
        "below" if cv < min(single) else "similar to" if cv <= max(single) + 0.02 else "above"
    )
    gbsg = metrics["external"]["gbsg2"]["all"]["point"]["auc"]
    events = metrics["data"]["desmedt"]["events"]
    gbsg_relation = "lower than" if gbsg < 0.69 else "similar to or higher than"
    return (
        f"On the training series, this model's cross-validated 5-year AUC ({fmt(cv)}) is "
        f"{relation} the published AUCs of tumour size (0.63) or grade (0.64) alone, which "
        f"need no fitting; its apparent AUC is {fmt(apparent)}. With {events} "
        "events, the fitted combination of four factors adds little beyond single factors in "
        "this series (the 76-gene signature reached 0.65 on the same table). On GBSG2 its "
        f"transported 5-year AUC ({fmt(gbsg)}) is {gbsg_relation} that of a model that uses "
        "nodal status and was developed on node-positive and node-negative patients (0.69), "
        "as expected for a node-negative model applied to node-positive patients."
    )


def _external(metrics: dict[str, Any]) -> str:
    g = metrics["external"]["gbsg2"]
    m = metrics["external"]["metabric"]
    gbsg_rows = [(f"GBSG2 {k} (n={v['n']})", v) for k, v in g.items()]
    meta_rows = [(f"METABRIC {k} (n={v['n']})", v) for k, v in m.items()]
    lines = ["### GBSG2 (recurrence-free survival; all patients node-positive)", ""]
    lines.append(metric_table(gbsg_rows))
    lines.append("")
    for key, v in g.items():
        lines.append(
            f"- `{key}`: {v['label']}; {v['events']} events ({v['events_by_5y']} by 5 years). "
            f"Observed 5-year RFS event risk {pct(v['observed_5y_km'][0])} vs mean predicted "
            f"distant-metastasis risk {pct(v['mean_predicted_5y'])}; re-estimating the baseline "
            f"multiplies the Desmedt baseline cumulative hazard by {fmt(v['baseline_ratio_5y'])}."
        )
    lines += ["", "### METABRIC (disease-specific survival; other-cause death competing)", ""]
    lines.append(metric_table(meta_rows))
    lines.append("")
    for key, v in m.items():
        lines.append(
            f"- `{key}`: {v['label']}; {v['events']} deaths from breast cancer "
            f"({v['events_by_5y']} by 5 years), {v['competing']} deaths from other causes. "
            f"Observed 5-year risk {pct(v['observed_5y_cif'])} (Aalen-Johansen) / "
            f"{pct(v['observed_5y_km'][0])} (1 - KM, other causes censored) vs mean predicted "
            f"{pct(v['mean_predicted_5y'])}; baseline ratio {fmt(v['baseline_ratio_5y'])}."
        )
    primary = m["in_domain"]
    lines += [
        "",
        "Calibration at 5 years, METABRIC `in_domain` (quintiles of predicted risk):",
        "",
        groups_table(primary["calibration_groups"], recalibrated=True),
        "",
        "Calibration at 5 years, GBSG2 `all` (quintiles):",
        "",
        groups_table(g["all"]["calibration_groups"], recalibrated=True),
    ]
    return "\n".join(lines)


def clinical_card(metrics: dict[str, Any]) -> str:
    """The card of the shipped model ``desmedt2007-clinical``."""
    cm = metrics["clinical_model"]
    internal = metrics["internal"]
    data = metrics["data"]["desmedt"]
    settings = metrics["settings"]
    reference = "\n".join(
        f"| {p['label']} | {pct(p['risk_5y'])} ({pct(p['ci_5y'][0])}–{pct(p['ci_5y'][1])}) | "
        f"{pct(p['risk_10y'])} ({pct(p['ci_10y'][0])}–{pct(p['ci_10y'][1])}) |"
        for p in cm["reference_patients"]
    )
    return f"""# Model card: `desmedt2007-clinical` (version {cm["version"]})

Distant-metastasis risk after early, node-negative breast cancer from age, tumour size, grade
and ER status: a Cox proportional-hazards model fitted to the Desmedt 2007 TRANSBIG series.
Shipped as `src/oncoboard/prognosis/models/desmedt2007-clinical.json` and used through
`oncoboard.prognosis.load_model("desmedt2007-clinical")`.

{DISCLAIMER}

*Generated by `scripts/train_prognosis.py` from `docs/models/metrics.json`; do not edit by hand.*

## Data

- Training: Desmedt 2007, {data["n_total"]} lymph-node-negative patients without adjuvant
  systemic therapy, aged < 61 (TRANSBIG; GEO GSE7390), as bundled in scikit-survival
  (`load_breast_cancer`). {data["excluded"]} are excluded (complete-case analysis; unknown
  is not imputed): **n = {data["n"]}, {data["events"]} distant metastases** ({data["events_by_5y"]}
  within 5 years, {data["events_by_10y"]} within 10), median follow-up (all patients)
  {fmt(data["median_follow_up_years"], 1)} years. Training-table SHA-256 `{data["sha256"]}`.
- External validation: GBSG2 (node-positive trial cohort, recurrence-free survival) and
  METABRIC (disease-specific survival), below.

{_references(metrics)}

## Endpoint

Time from diagnosis to distant metastasis (TDM in Desmedt 2007); patients without distant
metastasis are censored at last follow-up. The model returns the probability of distant
metastasis by 1 to 10 years (`horizon_years` 1, 2, …, 10).

## Covariates and coefficients

{_coefficients(metrics)}

Encodings: `grade` is an integer 1–3 (reference 1; grades as recorded by the TRANSBIG
centres), `er_positive` a boolean (ER status as recorded in the series), `age` and `size_cm`
numbers. The design is centred at the training means, which are stored in the artefact.
Grade 3 has a lower coefficient than grade 2 here: with {data["events"]} events the grade
estimates are imprecise (overlapping intervals); no monotonicity constraint was imposed.

## Preprocessing and fitting

Complete cases; no transformation of age or size (linear terms; with ~10 events per
coefficient no splines were fitted). Maximum partial likelihood (Breslow ties; there are no
tied event times) by Newton–Raphson, checked against scikit-survival's
`CoxPHSurvivalAnalysis`. Baseline: Breslow estimator at the covariate means.

Prediction: risk = 1 − exp(−H0(t)·exp(β·z)), z the centred design. The 95% interval is a
delta-method interval on log H(t|z) that **includes the uncertainty of the baseline hazard**
as well as of the coefficients (Tsiatis 1981; as R `survfit.coxph`): Var H = exp(2β·z)·[A(t)
+ dᵀVd], d = z·H0(t) − B(t), with A(t), B(t) stored per horizon. It does not include model
misspecification or transport to another population.

Reference patients (from the shipped artefact; pinned in `tests/prognosis/`):

| patient | 5-year risk (95% CI) | 10-year risk (95% CI) |
|---|---|---|
{reference}

## Performance: internal validation (Desmedt 2007)

{settings["repeats"]}×{settings["folds"]} repeated stratified cross-validation (stratified on
the event); out-of-fold 5-year risks pooled within each repeat; point = mean over repeats;
95% CI from {settings["bootstrap"]} bootstrap resamples of patients, replicate b using repeat
b mod {settings["repeats"]}. Apparent (in-sample) values for comparison.

{metric_table([("cross-validated", internal["clinical"]), ("apparent", cm["apparent"])])}

{_slope_text(metrics)}

Calibration of the cross-validated 5-year risk (tertiles of the mean out-of-fold risk):

{groups_table(internal["clinical"]["calibration_groups"])}

![Distant metastasis by risk group](img/desmedt_risk_groups.png)

![Calibration at 5 years](img/desmedt_calibration.png)

## Performance: external validation

The model is transported unchanged (coefficients and baseline). The cohorts' endpoints differ
from distant metastasis: GBSG2 records recurrence-free survival (local or distant recurrence;
Schumacher 1994), METABRIC death from breast cancer. Discrimination is comparable across
endpoints; absolute risks are not, so calibration is shown both for the transported model and
after re-estimating only the baseline hazard in the cohort ("recalibrated"; in-sample, so
optimistic). Other-cause deaths in METABRIC are censored for the C-indices, AUC and slope
(cause-specific view) and competing in the Aalen–Johansen cumulative incidence.

Covariate mapping: GBSG2 size mm/10, grade 1–3, ER positive when `estrg_recp` ≥ 10 fmol/mg
cytosol protein (the conventional ligand-binding-assay cut-off; the trial publication's own
cut-off was not retrieved). METABRIC: age at diagnosis, ER by IHC (`ER_IHC`); the cBioPortal
table has no grade or size column, so both are recovered from its Nottingham Prognostic Index
(NPI = grade + nodal stage + 0.002 × size in mm in this table; recovered sizes heap at round
millimetres and the grade distribution is plausible, but this is a reconstruction, and
patients whose reconstruction fails are excluded). `in_domain` is the primary METABRIC
analysis: node-negative with every covariate within the training ranges; METABRIC patients
were mostly treated (endocrine and/or chemotherapy), unlike the training series.

{_external(metrics)}

![External cohorts by risk group](img/external_risk_groups.png)

![External calibration at 5 years](img/external_calibration.png)

## Published results on the same data

{comparators_section(metrics, _CLINICAL_COMPARATORS)}

{_versus_published(metrics)}

## Limitations

- Small: {data["n"]} patients, {data["events"]} events ({data["events_by_5y"]} by 5 years);
  wide intervals, especially for the 5-year AUC and the calibration slope.
- A historical series, systemically untreated by design: the risks are those without
  adjuvant systemic therapy, higher than for patients treated today.
- Proportional hazards and linear age/size were assumed, not established; Desmedt 2007
  reported strong time dependence of the gene signature.
- External cohorts differ in endpoint (recurrence, disease-specific death), node status
  (GBSG2 all node-positive), treatment and era; METABRIC grade and size are reconstructed.
- ER is as recorded in each cohort (IHC or ligand binding); HER2 is not in the model.

## Domain (what `predict` accepts)

{_domain(metrics)}

## Reproduce

`.venv/bin/python scripts/train_prognosis.py` (seed {settings["seed"]}) retrains this model,
rewrites the artefact, `docs/models/metrics.json`, the figures and these cards.
"""
