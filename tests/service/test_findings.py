"""The findings cache: keyed by document hash, as_of and knowledge versions; bounded."""

from __future__ import annotations

import datetime as dt

import pytest

from oncoboard.io import canonical_document, load_case
from oncoboard.planning import plan_case
from oncoboard.service import findings
from oncoboard.store import document_sha256
from tests.service.conftest import EXAMPLES


@pytest.fixture
def document() -> dict[str, object]:
    return canonical_document(load_case(EXAMPLES / "mbc-016-esr1-emerging-on-first-line.yaml"))


def test_same_version_and_date_share_one_entry(document: dict[str, object]) -> None:
    sha = document_sha256(document)
    first = findings.case_findings(document, sha)
    assert findings.case_findings(document, sha) is first
    assert findings.case_findings(document, sha, dt.date(2022, 1, 1)) is not first
    assert first.plan_json is first.plan_json  # computed once
    assert first.plan == plan_case(first.full_case)
    assert first.n_alerts == len(first.monitoring.alerts) >= 1


def test_as_of_restricts_the_case(document: dict[str, object]) -> None:
    entry = findings.case_findings(document, document_sha256(document), dt.date(2021, 1, 1))
    assert entry.case.as_of == dt.date(2021, 1, 1)
    assert entry.plan == plan_case(entry.full_case, as_of=dt.date(2021, 1, 1))


def test_knowledge_versions_are_part_of_the_key(
    document: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    sha = document_sha256(document)
    before = findings.case_findings(document, sha)
    assert findings.knowledge_key().count("|") == 2
    monkeypatch.setattr(findings, "knowledge_key", lambda: "newer knowledge")
    assert findings.case_findings(document, sha) is not before


def test_cache_is_bounded(document: dict[str, object], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(findings, "CACHE_SIZE", 3)
    findings.cache_clear()
    entries = [findings.case_findings(document, f"{n:064x}") for n in range(5)]
    assert findings.case_findings(document, f"{4:064x}") is entries[4]
    assert findings.case_findings(document, f"{0:064x}") is not entries[0]  # evicted
