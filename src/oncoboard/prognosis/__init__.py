"""Prognosis: risk models for early breast cancer and metastatic-site patterns.

Shipped models are small versioned JSON artefacts (``models/<id>.json``, no pickle), each with
a model card under ``docs/models/``::

    from oncoboard.prognosis import load_model
    m = load_model("desmedt2007-clinical")
    r = m.predict({"age": 52, "size_cm": 2.1, "grade": 2, "er_positive": True}, horizon_years=5)

:meth:`CoxModel.predict` returns a :class:`RiskEstimate` (risk by the horizon with a 95%
interval, the endpoint, the card and the data source as :class:`~oncoboard.model.Evidence`)
or raises :class:`OutOfDomain` naming every covariate that is missing, unknown, out of the
training range or a category not seen in training. Unknown is never imputed.

These are models of *early* breast cancer (risk from diagnosis of the primary); a patient
with metastatic disease is outside their domain. Decision support for qualified clinicians.

:func:`site_patterns` tabulates the sites of sequenced metastases by subtype in the MSK 2018
cohort, next to published organotropism figures (:func:`kennecke_2010`, unverified).

Retrain with ``python scripts/train_prognosis.py`` (see ``docs/models/README.md``).
"""

from __future__ import annotations

from oncoboard.prognosis._cox import CoxModel, RiskEstimate
from oncoboard.prognosis._errors import OutOfDomain, UnknownModelError
from oncoboard.prognosis._registry import available_models, load_model
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
    "PublishedSiteFrequency",
    "RiskEstimate",
    "UnknownModelError",
    "available_models",
    "kennecke_2010",
    "load_model",
    "published_site_frequencies",
    "site_patterns",
    "wilson_interval",
]
