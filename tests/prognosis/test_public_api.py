"""The prognosis package's curated ``__all__`` is pinned, and importing it trains nothing."""

from __future__ import annotations

import subprocess
import sys

import oncoboard.prognosis as prognosis
from oncoboard.errors import OncoboardError

PUBLIC = {
    "HEADLINE_SITES",
    "kennecke_2010",
    "CoxModel",
    "OutOfDomain",
    "PrognosisResult",
    "PublishedSiteFrequency",
    "RiskEstimate",
    "UnknownModelError",
    "available_models",
    "case_prognosis",
    "load_model",
    "metastatic_date",
    "published_site_frequencies",
    "site_patterns",
    "wilson_interval",
}


def test_all_is_pinned():
    assert set(prognosis.__all__) == PUBLIC
    for name in prognosis.__all__:
        assert hasattr(prognosis, name)


def test_errors_inherit_matching_builtins():
    assert issubclass(prognosis.OutOfDomain, OncoboardError)
    assert issubclass(prognosis.OutOfDomain, ValueError)
    assert issubclass(prognosis.UnknownModelError, OncoboardError)
    assert issubclass(prognosis.UnknownModelError, LookupError)


def test_import_does_not_load_training_dependencies():
    code = (
        "import sys, oncoboard.prognosis as p; p.load_model('desmedt2007-clinical');"
        "print(sorted(m for m in ('sksurv', 'sklearn', 'lifelines', 'matplotlib') "
        "if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
