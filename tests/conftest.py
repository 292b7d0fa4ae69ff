"""Shared test fixtures: paths to bundled data and a builder for small cases."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from oncoboard.model import Case

# Store fixtures (SQLite and a real PostgreSQL server), shared by the store and CLI tests.
from tests._postgres import db_url, postgres_server, store  # noqa: F401

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "cases"
COHORTS = ROOT / "examples" / "cohort"
DATA = Path(__file__).resolve().parent / "data"

BASE_CASE: dict[str, Any] = {
    "schema_version": "1",
    "synthetic": True,
    "patient": {"id": "T-1", "sex": "female", "age_years": 60},
    "primary_diagnosis": {"date": "2020-01-01", "histology": "invasive_ductal"},
}

CaseBuilder = Callable[..., Case]


@pytest.fixture
def make_case() -> CaseBuilder:
    """Build a valid :class:`Case` from the minimal base plus the given sections."""

    def build(**sections: Any) -> Case:
        document = copy.deepcopy(BASE_CASE)
        document.update(sections)
        return Case.model_validate(document)

    return build
