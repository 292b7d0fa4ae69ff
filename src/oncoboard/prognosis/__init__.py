"""Prognosis: risk models for early and metastatic breast cancer, and metastatic-site patterns.

Shipped models are small versioned JSON artefacts (``models/<id>.json``, no pickle), each with
a model card under ``docs/models/``::

    from oncoboard.prognosis import load_model
    m = load_model("desmedt2007-clinical")
    r = m.predict({"age": 52, "size_cm": 2.1, "grade": 2, "er_positive": True}, horizon_years=5)

    mbc = load_model("msk2018-mbc-os")
    patient = {"subtype": "TNBC", "age_at_metastasis": 48, "de_novo": False, "dfi_years": 1.5}
    r = mbc.predict(patient, horizon_years=1, given_years=1)  # alive 1 year after metastasis

:meth:`CoxModel.predict` returns a :class:`RiskEstimate` (risk within the horizon with a 95%
interval, the endpoint, the card and the data source as :class:`~oncoboard.model.Evidence`)
or raises :class:`OutOfDomain` naming every covariate that is missing, unknown, out of the
training range or a category not seen in training, and any time the model has no baseline
for. Unknown is never imputed. With ``given_years`` > 0 the risk is conditional on having
survived that long from the time origin (models with a baseline grid only).

Each model's :attr:`CoxModel.setting` says which patients it is for:

- ``"early"``: ``desmedt2007-clinical``, distant metastasis from the diagnosis of early,
  node-negative breast cancer; a patient with metastatic disease is outside its domain;
- ``"metastatic"``: ``msk2018-mbc-os``, death from any cause from the diagnosis of
  metastatic breast cancer (MSK 2018, fitted with delayed entry).

Decision support for qualified clinicians.

:func:`site_patterns` tabulates the sites of sequenced metastases by subtype in the MSK 2018
cohort, next to published organotropism figures (:func:`kennecke_2010`, unverified).

Retrain with ``python scripts/train_prognosis.py`` (see ``docs/models/README.md``).
"""

from __future__ import annotations

from oncoboard.prognosis._cox import CoxModel, RiskEstimate
from oncoboard.prognosis._errors import OutOfDomain, UnknownModelError
from oncoboard.prognosis._registry import available_models, load_model
from oncoboard.prognosis.case import PrognosisResult, case_prognosis, metastatic_date
from oncoboard.prognosis.sites import (
    HEADLINE_SITES,
    PublishedSiteFrequency,
    kennecke_2010,
    published_site_frequencies,
    site_patterns,
    wilson_interval,
)

__all__ = [
    "HEADLINE_SITES",
    "CoxModel",
    "OutOfDomain",
    "PrognosisResult",
    "PublishedSiteFrequency",
    "RiskEstimate",
    "UnknownModelError",
    "available_models",
    "case_prognosis",
    "kennecke_2010",
    "load_model",
    "metastatic_date",
    "published_site_frequencies",
    "site_patterns",
    "wilson_interval",
]
