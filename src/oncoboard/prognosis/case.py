"""Risk estimates for one patient: each shipped model, applied where the case is in its domain.

For every model (:func:`~oncoboard.prognosis.available_models`) the covariates are read from
the case, never imputed: a value the case does not record makes the patient out of domain,
with the reason. Models of *early* breast cancer (``setting`` ``early``) do not apply to a
patient with metastatic disease; models of metastatic disease (``metastatic``) give the risk
over the next years *given* the time already survived since the metastatic diagnosis
(conditional on being alive at the case's date).

Decision support for qualified clinicians: each estimate names its model card and the data
it was trained on; population risks are not predictions of one patient's course.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from pydantic import Field

from oncoboard.derive import Subtype, clinical_subtype
from oncoboard.model import Case, Evidence
from oncoboard.model._base import CaseModel
from oncoboard.model.patient import Grade
from oncoboard.model.receptors import HormoneReceptorTest
from oncoboard.prognosis._cox import CoxModel, RiskEstimate
from oncoboard.prognosis._errors import OutOfDomain
from oncoboard.prognosis._registry import available_models, load_model

__all__ = ["PrognosisResult", "case_prognosis", "metastatic_date"]

_YEAR = 365.25
_GRADES = {Grade.G1: 1, Grade.G2: 2, Grade.G3: 3}
Covariates = dict[str, object]


class PrognosisResult(CaseModel):
    """One model applied to one patient: the estimates, or why the model does not apply."""

    model_id: str
    version: str
    setting: str = Field(description="early or metastatic: the patients the model is for.")
    endpoint: str
    applicable: bool
    covariates: dict[str, str | bool | int | float] = Field(
        description="The values read from the case (those the case records)."
    )
    given_years: float = Field(
        default=0.0, description="Years already survived since the model's time origin."
    )
    estimates: list[RiskEstimate] = Field(default_factory=list)
    reasons: list[str] = Field(
        default_factory=list, description="Why the model does not apply (empty if it does)."
    )
    domain: str
    card: str
    rule: str
    evidence: list[Evidence]


def metastatic_date(case: Case) -> dt.date | None:
    """When metastatic disease was diagnosed: the primary diagnosis if de novo, else the
    recorded recurrence date, else the first documented metastatic site; None if none."""
    dx = case.primary_diagnosis
    if dx.de_novo_metastatic:
        return dx.date
    if dx.metastatic_recurrence_date is not None:
        return dx.metastatic_recurrence_date
    return min((s.date for s in case.metastatic_sites), default=None)


def _years(start: dt.date, end: dt.date) -> float:
    return (end - start).days / _YEAR


def _age_at(case: Case, day: dt.date, as_of: dt.date) -> float | None:
    if case.patient.birth_date is not None:
        return round(_years(case.patient.birth_date, day), 2)
    if case.patient.age_years is not None:  # whole years at as_of: the age at `day` is approximate
        return round(case.patient.age_years + 0.5 - _years(day, as_of), 1)
    return None


def _early(case: Case, as_of: dt.date) -> tuple[Covariates, list[str], float]:
    """Covariates of an early-breast-cancer model (age, size, grade, ER at diagnosis)."""
    dx, reasons = case.primary_diagnosis, []
    if metastatic_date(case) is not None:
        reasons.append(
            "the patient has metastatic breast cancer; the model is for early (non-metastatic, "
            "node-negative) breast cancer at diagnosis"
        )
    nodes = dx.stage.n if dx.stage else None
    if nodes is None or nodes == "NX":
        reasons.append("nodal status not recorded (the model is for node-negative disease)")
    elif not nodes.startswith("N0"):
        reasons.append(f"nodal status {nodes}: the model is for node-negative disease")
    covariates: Covariates = {}
    age = _age_at(case, dx.date, as_of)
    if age is not None:
        covariates["age"] = age
    # size_cm: the case model records the T category, not the tumour's size; left missing
    if dx.grade in _GRADES:
        covariates["grade"] = _GRADES[dx.grade]
    first_er = min(
        (
            t
            for t in case.receptors
            if isinstance(t, HormoneReceptorTest)
            and t.receptor == "ER"
            and t.date <= dx.date + dt.timedelta(days=90)
        ),
        key=lambda t: t.date,
        default=None,
    )
    if first_er is not None and first_er.percent is not None:
        covariates["er_positive"] = first_er.percent >= 1  # ASCO/CAP: >= 1% is positive
    return covariates, reasons, 0.0


def _metastatic(case: Case, as_of: dt.date) -> tuple[Covariates, list[str], float]:
    """Covariates of a model of metastatic disease, and the years since its diagnosis."""
    diagnosed = metastatic_date(case)
    if diagnosed is None:
        return {}, ["no metastatic disease recorded; the model is for metastatic breast cancer"], 0
    dx = case.primary_diagnosis
    covariates: Covariates = {"de_novo": dx.de_novo_metastatic}
    covariates["dfi_years"] = 0.0 if dx.de_novo_metastatic else round(_years(dx.date, diagnosed), 2)
    age = _age_at(case, diagnosed, as_of)
    if age is not None:
        covariates["age_at_metastasis"] = age
    reasons = []
    subtype = clinical_subtype(case)
    if subtype.subtype is Subtype.UNDETERMINED:
        reasons.append(f"subtype undetermined ({', '.join(subtype.missing) or 'HR/HER2'})")
    else:
        covariates["subtype"] = subtype.subtype.value
    return covariates, reasons, max(0.0, round(_years(diagnosed, as_of), 2))


_EXTRACT: dict[str, Callable[[Case, dt.date], tuple[Covariates, list[str], float]]] = {
    "early": _early,
    "metastatic": _metastatic,
}
_HORIZONS = {"early": (5.0, 10.0), "metastatic": (1.0, 2.0)}


def _apply(model: CoxModel, case: Case, as_of: dt.date) -> PrognosisResult:
    setting = model.setting
    covariates, reasons, given = _EXTRACT[setting](case, as_of)
    shown = {k: v for k, v in covariates.items() if isinstance(v, str | bool | int | float)}
    estimates: list[RiskEstimate] = []
    if not reasons:  # in the model's population: the covariates decide
        try:
            estimates = [
                model.predict(covariates, horizon_years=horizon, given_years=given)
                for horizon in _HORIZONS[setting]
            ]
        except OutOfDomain as exc:
            reasons, estimates = list(exc.reasons), []
    names = ", ".join(f"{k}={v}" for k, v in shown.items()) or "none recorded"
    return PrognosisResult(
        model_id=model.model_id,
        version=model.version,
        setting=setting,
        endpoint=model.endpoint,
        applicable=not reasons,
        covariates=shown,
        given_years=given,
        estimates=estimates,
        reasons=list(dict.fromkeys(reasons)),
        domain=model.domain,
        card=model.card,
        rule=f"prognosis model {model.model_id} v{model.version} (Cox); from the case: {names}",
        evidence=list(model.artefact.evidence),
    )


def case_prognosis(case: Case, *, as_of: dt.date | None = None) -> tuple[PrognosisResult, ...]:
    """Every shipped model applied to ``case`` on ``as_of`` (default: the case's date, else
    today): estimates where the case is in the model's domain, otherwise the reasons."""
    day = as_of or case.as_of or dt.date.today()
    return tuple(_apply(load_model(model_id), case, day) for model_id in available_models())
