"""Every mCODE profile the case model names exists in mCODE STU4 (HL7 data dictionary)."""

from __future__ import annotations

import json
import re

import pytest

from oncoboard.model import Case
from tests.conftest import DATA

PROFILES = {
    p["id"]
    for p in json.loads((DATA / "mcode" / "mcode-stu4-profiles.json").read_text())["profiles"]
}
SCHEMA = Case.model_json_schema()
NAMED = sorted(
    {
        (name, profile)
        for name, definition in [("Case", SCHEMA), *SCHEMA["$defs"].items()]
        for profile in definition.get("mcode", "").split(" + ")
        if profile
    }
)


def _profile_id(camel: str) -> str:
    return "mcode-" + re.sub(r"(?<!^)(?=[A-Z][a-z])", "-", camel).replace("ECOG", "ecog").lower()


def test_model_names_mcode_profiles():
    assert len(NAMED) >= 15


@pytest.mark.parametrize(("model", "profile"), NAMED, ids=[f"{m}-{p}" for m, p in NAMED])
def test_named_profile_exists_in_stu4(model, profile):
    assert _profile_id(profile) in PROFILES, f"{model}: {profile} is not an mCODE STU4 profile"


def test_core_profiles_are_covered():
    used = {_profile_id(p) for _, p in NAMED}
    for required in (
        "mcode-cancer-patient",
        "mcode-primary-cancer-condition",
        "mcode-secondary-cancer-condition",
        "mcode-tumor-marker-test",
        "mcode-genomics-report",
        "mcode-genomic-variant",
        "mcode-ecog-performance-status",
        "mcode-cancer-related-medication-request",
    ):
        assert required in used
