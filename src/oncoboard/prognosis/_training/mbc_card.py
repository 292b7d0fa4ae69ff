"""The card of ``msk2018-mbc-os`` (Markdown) rendered from ``metrics.json["mbc"]``."""

from __future__ import annotations

import math
from typing import Any

from oncoboard.prognosis._training.cards import fmt, interval_text, pct

__all__ = ["MBC_DISCLAIMER", "mbc_card"]

MBC_DISCLAIMER = (
    "**Intended use:** decision support for qualified clinicians caring for patients with "
    "metastatic breast cancer: an estimate of the risk of death from any cause within a "
    "window after the metastatic diagnosis (or after a time already survived), from four "
    "routinely known factors. It is not a treatment recommendation, it does not know the "
    "patient's performance status, sites of disease, organ function or treatment, and it was "
    "trained on one centre's sequenced patients (see Limitations). Not for early breast cancer."
)

_METRIC_NAMES = {
    "c_truncated": "Harrell's C, delayed entry (5-y risk as score)",
    "c_ignoring_entry": "Harrell's C ignoring entry (biased; for comparison)",
    "slope_2y": "calibration slope at 2 y",
    "slope_5y": "calibration slope at 5 y",
    "oe_2y": "observed / expected at 2 y",
    "oe_5y": "observed / expected at 5 y",
}
_ENCODING = {
    "subtype=HR+/HER2+": "subtype HR+/HER2+ vs HR+/HER2-",
    "subtype=HR-/HER2+": "subtype HR-/HER2+ vs HR+/HER2-",
    "subtype=TNBC": "subtype TNBC vs HR+/HER2-",
    "age_at_metastasis": "per year of age at metastasis",
    "de_novo": "de novo vs recurrence (at DFI 0)",
    "dfi_years": "per year of disease-free interval",
}


def _months(value: float | None) -> str:
    return "not reached" if value is None or math.isnan(value) else f"{value:.1f}"


def _hr(row: dict[str, Any]) -> str:
    return interval_text(row["hr"], [row["hr_low"], row["hr_high"]])


def _span(values: list[float], digits: int = 2) -> str:
    return f"{values[0]:+.{digits}f} to {values[1]:+.{digits}f}"


def _checks(m: dict[str, Any]) -> str:
    c = m["data"]["checks"]
    return "\n".join(
        [
            f"- Patient-level columns are identical on every sample row of a patient "
            f"({c['patients_with_inconsistent_patient_columns']} patients differ).",
            f"- Deceased patients ({c['deceased']}): age at diagnosis + OS − `Time To Death` "
            f"= {_span(c['deceased_dx_plus_os_minus_death_age'])} months, so `Time To Death` "
            f"is the age at death in months and OS runs from the primary diagnosis; "
            f"{c['living_with_death_age']} living patients have a death age.",
            f"- Metastatic patients ({c['metastatic']}): `Metastatic Recurrence Time` − age at "
            f"diagnosis − `Disease Free (Months)` = "
            f"{_span(c['metastatic_met_age_minus_dx_age_minus_dfs'])} months (whole-month "
            "ages); all are flagged `Metastatic Disease at Last Follow-up` = Yes "
            f"({c['metastatic_not_flagged']} are not). Never-metastatic patients "
            f"({c['never_metastatic']}): DFS − OS = "
            f"{_span(c['never_metastatic_dfs_minus_os'])} months, all flagged No "
            f"({c['never_metastatic_flagged']} are not).",
            f"- `Last Communication Contact` / 30.4375 − (age at diagnosis + OS) = "
            f"{_span(c['last_contact_days_as_months_minus_dx_plus_os'])} months: the last "
            "contact is an age in days, within about a month of the end of OS follow-up.",
            "- `Time to Diagnosis Invasive Carcinoma` / 12 − `Invasive Carcinoma Diagnosis Age` "
            f"= {_span(c['dx_age_months_over_12_minus_age_years'])} years: an age in months.",
            f"- Stage IV at diagnosis and M1 coincide ({c['stage_iv_not_m1']} disagree). "
            f"De novo (stage IV): metastatic age − diagnosis age = "
            f"{_span(c['de_novo_met_age_minus_dx_age'])} months (set to a DFI of 0); "
            f"recurrent: {_span(c['recurrent_met_age_minus_dx_age'], 1)} months.",
        ]
    )


def _metric_table(m: dict[str, Any]) -> str:
    internal, apparent = m["internal"], m["apparent"]
    lines = ["| metric | cross-validated (95% CI) | apparent |", "|---|---|---|"]
    for key, label in _METRIC_NAMES.items():
        lines.append(
            f"| {label} | {interval_text(internal['point'][key], internal['ci'][key])} | "
            f"{fmt(apparent[key])} |"
        )
    return "\n".join(lines)


def _groups(rows: list[dict[str, float]], horizon: str) -> str:
    lines = [
        f"| quintile | n | deaths by {horizon} | mean predicted | observed (1 − KM, 95% CI) |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        observed = (
            f"{pct(r['observed_km'])} ({pct(r['observed_km_low'])}–{pct(r['observed_km_high'])})"
        )
        lines.append(
            f"| {int(r['group'])} | {int(r['n'])} | {int(r['events'])} | "
            f"{pct(r['predicted'])} | {observed} |"
        )
    return "\n".join(lines)


def _coefficients(m: dict[str, Any]) -> str:
    lines = [
        "| term | encoding | coefficient | SE | hazard ratio (95% CI) |",
        "|---|---|---|---|---|",
    ]
    for c in m["coefficients"]:
        lines.append(
            f"| `{c['term']}` | {_ENCODING[c['term']]} | {c['coefficient']:.4f} | "
            f"{c['se']:.4f} | {_hr(c)} |"
        )
    return "\n".join(lines)


def _domain(m: dict[str, Any]) -> str:
    d = m["domain"]
    subtype = d["subtype"]
    counts = ", ".join(
        f"`{level}` ({n})" for level, n in zip(subtype["levels"], subtype["counts"], strict=True)
    )
    age, dfi, de_novo = d["age_at_metastasis"], d["dfi_years"], d["de_novo"]
    return "\n".join(
        [
            "| covariate | type | values (training) |",
            "|---|---|---|",
            f"| `subtype` | text category, reference `{subtype['reference']}` | {counts} |",
            f"| `age_at_metastasis` | number, years | {age['minimum']:g} to {age['maximum']:g} |",
            f"| `de_novo` | boolean | True ({de_novo['counts'][1]}), False "
            f"({de_novo['counts'][0]}) |",
            f"| `dfi_years` | number, years; must be 0 when `de_novo` is True | "
            f"{dfi['minimum']:g} to {dfi['maximum']:g} |",
        ]
    )


def _reference(m: dict[str, Any]) -> str:
    lines = ["| patient | window | risk of death (95% CI) |", "|---|---|---|"]
    for p in m["reference_patients"]:
        for e in p["estimates"]:
            start, h = e["given_years"], e["horizon_years"]
            window = (
                f"within {h:g} y of metastatic diagnosis"
                if start == 0
                else f"within {h:g} y after surviving {start:g} y"
            )
            risk = f"{pct(e['risk'])} ({pct(e['ci'][0])}–{pct(e['ci'][1])})"
            lines.append(f"| {p['label']} | {window} | {risk} |")
    return "\n".join(lines)


def _medians(m: dict[str, Any]) -> str:
    published = {c["key"]: c["median_os_months"] for c in m["published"]}

    def cite(key: str, group: str) -> str:
        value = published[key].get(group)
        return f"{value[0]:g} ({value[1]:g}–{value[2]:g})" if value else "—"

    lines = [
        "| subtype | n | deaths | MSK median OS, months (95% CI), delayed entry | MSK, "
        "entry ignored (biased) | ESME 2008–2016 (Deluche 2020) | ESME 2008–2014 "
        "(Gobbini 2018) |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in m["km_medians"]:
        ci = r["ci_months"]
        lines.append(
            f"| {r['group']} | {r['n']} | {r['deaths']} | {_months(r['median_months'])} "
            f"({_months(ci[0])}–{_months(ci[1])}) | {_months(r['median_months_ignoring_entry'])} "
            f"| {cite('deluche2020_esme', r['group'])} | {cite('gobbini2018_esme', r['group'])} |"
        )
    return "\n".join(lines)


def _published(m: dict[str, Any]) -> str:
    lines = []
    for c in m["published"]:
        status = "verified" if c["verified"] else "unverified"
        pmid = f", PMID {c['pmid']}" if c["pmid"] else ""
        lines.append(
            f"- **{c['cohort']}** — {c['what']} {c['citation']} ({c['id']}{pmid}; {status}: "
            f"{c['retrieved_from']})."
        )
    return "\n".join(lines)


def _sensitivity(m: dict[str, Any]) -> str:
    analyses = m["sensitivity"]
    header = "| term | " + " | ".join(
        f"{a['label']} (n={a['n']}, deaths={a['events']})" for a in analyses.values()
    )
    lines = [header + " |", "|---|" + "---|" * len(analyses)]
    terms = [r["term"] for r in analyses["main"]["hazard_ratios"]]
    for k, term in enumerate(terms):
        cells = [_hr(a["hazard_ratios"][k]) for a in analyses.values()]
        lines.append(f"| `{term}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _dfi(m: dict[str, Any]) -> str:
    forms = m["dfi_forms"]
    col = m["collinearity"]
    groups = ", ".join(
        f"{r['term'].removeprefix('dfi=')} {_hr(r)}" for r in forms["groups"]["hazard_ratios"]
    )
    three = ", ".join(
        f"{r['term'].removeprefix('dfi=')} {_hr(r)}" for r in forms["three_levels"]["hazard_ratios"]
    )
    vif = max(col["vif"].values())
    return (
        f"`de_novo` implies `dfi_years` = 0 (set exactly to 0 for de novo patients; "
        f"correlation of the two columns {fmt(col['corr_de_novo_dfi'])}, largest variance "
        f"inflation factor {fmt(vif)}): the two are not collinear because the DFI of "
        f"recurrent patients varies (quartiles {fmt(col['dfi_years_recurrent_quartiles'][0], 1)}, "
        f"{fmt(col['dfi_years_recurrent_quartiles'][1], 1)}, "
        f"{fmt(col['dfi_years_recurrent_quartiles'][2], 1)} years). The `de_novo` coefficient "
        "is the contrast of de novo disease with a recurrence at a DFI of 0, and a de novo "
        "patient with a non-zero `dfi_years` is rejected as out of domain.\n\n"
        "Form of the DFI (partial AIC, lower is better): linear "
        f"{fmt(forms['linear']['aic_partial'], 1)} (shipped); three levels de novo / < 2 y / "
        f">= 2 y {fmt(forms['three_levels']['aic_partial'], 1)} (hazard ratios vs recurrence "
        f">= 2 y: {three}); log(1 + DFI) {fmt(forms['log1p']['aic_partial'], 1)}; five groups "
        f"{fmt(forms['groups']['aic_partial'], 1)} (vs recurrence < 2 y: {groups}). "
        f"{_dfi_decision(forms)}"
    )


def _dfi_decision(forms: dict[str, Any]) -> str:
    hrs = [r["hr"] for r in forms["groups"]["hazard_ratios"] if r["term"] != "dfi=de novo"]
    falling = all(b < a for a, b in zip([1.0, *hrs], hrs, strict=False))
    best = min(forms, key=lambda k: forms[k]["aic_partial"])
    shape = (
        "The hazard falls steadily with longer DFI, well beyond 2 years, which a < 2 / >= 2 "
        "year category cannot express"
        if falling
        else "The grouped hazard ratios are not monotone in the DFI"
    )
    choice = (
        "the linear DFI has the lowest AIC and was kept"
        if best == "linear"
        else f"the {best} form has the lowest AIC, but the linear DFI was kept as specified"
    )
    return f"{shape}; {choice}."


def _slopes(m: dict[str, Any]) -> str:
    """What the calibration slopes and O/E say, from their intervals."""
    internal = m["internal"]
    parts = []
    for h in ("2y", "5y"):
        slope, ci = internal["point"][f"slope_{h}"], internal["ci"][f"slope_{h}"]
        if ci[1] < 1:
            meaning = "below 1: predictions too extreme"
        elif ci[0] > 1:
            meaning = "above 1: predictions too moderate (the spread of risks is too narrow)"
        else:
            meaning = "compatible with 1"
        oe, oe_ci = internal["point"][f"oe_{h}"], internal["ci"][f"oe_{h}"]
        level = "compatible with 1" if oe_ci[0] <= 1 <= oe_ci[1] else "not 1"
        parts.append(
            f"at {h.removesuffix('y')} years the slope {interval_text(slope, ci)} is {meaning}, "
            f"and observed/expected {interval_text(oe, oe_ci)} is {level}"
        )
    apparent, cv = m["apparent"]["c_truncated"], internal["point"]["c_truncated"]
    return (
        f"Cross-validated, {'; '.join(parts)}. The apparent delayed-entry C ({fmt(apparent)}) "
        f"is close to the cross-validated one ({fmt(cv)}): little optimism with six "
        f"coefficients and {m['data']['counts']['events']} deaths."
    )


def _versus_esme(m: dict[str, Any]) -> str:
    """Direction of the differences from the ESME 2008-2016 medians, from the numbers."""
    esme = next(c for c in m["published"] if c["key"] == "deluche2020_esme")
    longer, shorter, overlap = [], [], []
    for r in m["km_medians"]:
        value = esme["median_os_months"].get(r["group"])
        if not value or r["median_months"] is None:
            continue
        low, high = r["ci_months"]
        if low is not None and low > value[2]:
            longer.append(r["group"])
        elif high is not None and high < value[1]:
            shorter.append(r["group"])
        else:
            overlap.append(r["group"])

    def names(groups: list[str]) -> str:
        return ", ".join(groups) if groups else "none"

    return (
        f"Compared with ESME 2008–2016, the MSK medians are longer (intervals not overlapping) "
        f"for {names(longer)}; shorter for {names(shorter)}; overlapping for {names(overlap)}."
    )


def mbc_card(metrics: dict[str, Any]) -> str:
    """The card of ``msk2018-mbc-os``."""
    m = metrics["mbc"]
    settings = metrics["settings"]
    counts, describe = m["data"]["counts"], m["data"]["describe"]
    checks = m["data"]["checks"]
    grid = m["grid"]
    internal = m["internal"]
    at_risk = ", ".join(f"{y} y: {n}" for y, n in enumerate(grid["at_risk_yearly"]))
    return f"""# Model card: `msk2018-mbc-os` (version {m["version"]})

Overall survival from the diagnosis of **metastatic** breast cancer by subtype, age at
metastasis, de novo presentation and disease-free interval: a Cox proportional-hazards model
fitted with delayed entry to the MSK 2018 cohort (Razavi et al.). Shipped as
`src/oncoboard/prognosis/models/msk2018-mbc-os.json` (artefact schema version 2, `setting`
`"metastatic"`) and used through `oncoboard.prognosis.load_model("msk2018-mbc-os")`; it
predicts the risk of death within a window from the metastatic diagnosis, or after a time
already survived (`given_years`, conditional risk).

{MBC_DISCLAIMER}

*Generated by `scripts/train_prognosis.py` from `docs/models/metrics.json`; do not edit by hand.*

## Data

- Source: cBioPortal `breast_msk_2018` clinical data (`{m["data"]["path"]}`, SHA-256
  `{m["data"]["sha256"]}`): {checks["samples"]} sequenced samples of {checks["patients"]}
  patients treated at Memorial Sloan Kettering, sequenced with MSK-IMPACT (Razavi P et al.
  Cancer Cell 2018;34:427-438, PMID 30205045).
- Cohort: one row per patient with metastatic disease (`Metastatic Recurrence Time` given):
  {counts["metastatic"]} patients. Dropped: {counts["dropped_not_after_entry"]} whose
  follow-up ends at or before their entry (entry − end of follow-up
  {_span(checks["dropped_entry_minus_time_months"])} months: the last contact falls just
  before the whole-month age of sample collection) and {counts["dropped_negative_time"]}
  with follow-up ending before the metastatic diagnosis. No subtype was missing
  ({counts["unknown_subtype"]} excluded). **n = {counts["patients"]}, {counts["events"]}
  deaths** ({describe["deaths_by_2y"]} within 2 years, {describe["deaths_by_5y"]} within 5);
  {describe["de_novo"]} de novo; {counts["male"]} men (kept; sex is not a covariate);
  median follow-up of the living patients {fmt(describe["median_follow_up_censored_years"], 1)}
  years from metastatic diagnosis. Training-table SHA-256 `{m["data"]["table_sha256"]}`.
- Reading of the time columns (checked on the data): all are **ages in months** except
  `Overall Survival (Months)` (months from the primary diagnosis to death or last contact):

{_checks(m)}

## Endpoint and time origin

Death from any cause. Time 0 is the metastatic diagnosis: t = age at primary diagnosis + OS
− age at metastatic diagnosis (months, then years). The model returns the probability of
death within `horizon_years` of the metastatic diagnosis, or within `horizon_years` after
surviving `given_years` from it.

## Left truncation (delayed entry)

Patients enter this cohort when their tumour is sequenced, often years after the metastatic
diagnosis; those who died before they could be sequenced are missing. Each patient is
therefore counted only from entry = max(0, age at collection of the first sequenced sample −
age at metastatic diagnosis): {describe["entry_positive"]} patients enter after time 0
(median {fmt(describe["entry_median_positive_years"], 1)} years). Everything is computed with
delayed-entry risk sets (entry < t ≤ exit): the Cox fit (lifelines `CoxPHFitter` with
`entry_col`, Efron ties; a numpy Breslow fit agrees to
{m["fit"]["numpy_breslow_max_coefficient_gap"]:.1g} in every coefficient), the Breslow
baseline and its variance sums (computed here: lifelines' own baseline ignores `entry_col`,
lifelines issue #1416), the Kaplan–Meier estimates, the C-index and the calibration slope.

The entry is a lower bound: `NGS Sample Collection Time Period` is the age when the sample
was **collected**. For {describe["first_sample_primary_entry_0"]} patients the first
sequenced sample is a primary tumour collected at or before the metastatic diagnosis
(archival tissue), so their entry is 0 although they were most likely sequenced later (the
date of sequencing is not in the public table). Some survivor bias therefore remains, and
survival is likely overestimated (see the comparison with ESME and the sensitivity analysis below).

## Covariates, encodings and coefficients

{_domain(m)}

`subtype` is `Overall Patient Receptor Status` (MSK's patient-level HR and HER2 status;
`Triple Negative` → `TNBC`); the levels are those of `oncoboard.derive.subtype.Subtype`.
`age_at_metastasis` = `Metastatic Recurrence Time` / 12. `de_novo` = `Stage At Diagnosis`
IV. `dfi_years` = (age at metastatic diagnosis − age at primary diagnosis) / 12 for
recurrent disease ({counts["dfi_clipped_to_0"]} negative value from month rounding set to
0), exactly 0 for de novo disease. The design is centred at the training means (stored in
the artefact).

{_coefficients(m)}

{_dfi(m)}

## Baseline and conditional risk

Breslow baseline (delayed-entry risk sets) with the Tsiatis variance sums, stored every
month from 0 to {grid["months"]} months ({fmt(grid["max_years"], 2)} years), the last month
with at least {grid["min_at_risk"]} patients at risk ({grid["at_risk_at_end"]} then; at whole years:
{at_risk}). Risk within a window (g, g + h]: 1 − exp(−exp(β·z)·[H0(g + h) − H0(g)]); the
95% interval is a delta-method interval on the log cumulative hazard that includes the
uncertainty of the baseline and of the coefficients, using the increments of the variance
sums over the window (they are sums over event times, hence additive; derivation in
`oncoboard/prognosis/_cox.py`). Times are looked up on the monthly grid as a step function
(the last grid time at or before the requested time); `given_years + horizon_years` beyond
{fmt(grid["max_years"], 2)} years is out of domain. Few patients remain at risk after 5
years, so late windows have wide intervals.

Reference patients (from the shipped artefact; pinned in `tests/prognosis/`):

{_reference(m)}

## Performance: internal validation (MSK 2018)

{settings["repeats"]}×{settings["folds"]} repeated cross-validation stratified on death; the
model (coefficients and delayed-entry baseline) is refitted in each training fold; point =
mean over repeats; 95% CI from {settings["bootstrap"]} bootstrap resamples of patients
(replicate b uses repeat b mod {settings["repeats"]}). **No external MBC cohort is available
offline: this is internal validation only.**

{_metric_table(m)}

The delayed-entry C counts a pair only when the patient who died at t_i was compared with a
patient who was under observation at t_i (entered before t_i, still followed) — the pairs
of the partial likelihood. Ignoring entry adds pairs with patients who were not yet in the
cohort, and its C is biased. No time-dependent AUC or Uno's C is reported: the IPCW
estimators available here ignore delayed entry. {_slopes(m)}

Calibration at 2 years (quintiles of the cross-validated risk):

{_groups(internal["calibration_groups"]["2y"], "2 y")}

Calibration at 5 years:

{_groups(internal["calibration_groups"]["5y"], "5 y")}

![Death by risk group and by subtype](img/mbc_risk_groups.png)

![Calibration at 2 and 5 years](img/mbc_calibration.png)

## Median overall survival by subtype, next to published figures

{_medians(m)}

{_published(m)}

{_versus_esme(m)} ESME is a national multicentre cohort of newly diagnosed, treated MBC
(18 French comprehensive cancer centres); MSK 2018 is
one centre's patients selected for sequencing (who had to live long enough to be sequenced),
so longer survival here is expected from that selection and from the residual survivor bias
of the entry times (above); ignoring entry altogether lengthens the medians further.
HR+/HER2+ and HR−/HER2+ are separate here, combined as HER2+ in ESME.

## Sensitivity to the definition of entry (hazard ratios, 95% CI)

{_sensitivity(m)}

## Limitations

- Single centre (MSK), a tertiary referral population; patients selected by having their
  tumour sequenced, with residual survivor bias because the time of sequencing is unknown
  (entry from sample collection, a lower bound).
- Treatment era: calendar dates are not in the public table; the samples were sequenced
  before the 2018 publication, and metastatic diagnoses precede sequencing by up to
  {fmt(describe["entry_max_years"], 0)} years. Treatments that became standard since (e.g.
  CDK4/6 inhibitors, antibody–drug conjugates) are largely absent, so absolute risks may
  be too high for patients treated today.
- No treatment covariates, performance status, sites or burden of metastases, or
  biomarkers beyond HR/HER2: two patients with the same inputs can have very different
  prognoses.
- Ages and the times of metastasis and sequencing are whole months in the source; times
  and the DFI carry up to about a month of rounding error.
- Proportional hazards and linear effects of age and DFI were assumed; the Schoenfeld
  residual tests in lifelines ignore delayed entry, so proportional hazards were not
  formally tested. Only {m["collinearity"]["dfi_over_15y"]} patients had a DFI over 15
  years: predictions at long DFIs rest on few patients.
- Internal validation only; subtype is the patient-level status, not necessarily the
  receptor status of the current metastasis.

## Domain (what `predict` accepts)

- All four covariates, as in the table above; anything missing, unknown, of the wrong type,
  outside the training range or an unseen category raises `OutOfDomain` with one reason
  each; `dfi_years` must be 0 when `de_novo` is True. Nothing is imputed.
- `given_years` ≥ 0 and `given_years + horizon_years` ≤ {fmt(grid["max_years"], 2)} years;
  `horizon_years` at least one month. `setting` is `"metastatic"`: for patients who
  **have** metastatic breast cancer.

## Reproduce

`.venv/bin/python scripts/train_prognosis.py` (seed {settings["seed"]}) retrains this model
with the others and rewrites the artefact, `docs/models/metrics.json`, the figures and the
cards.
"""
