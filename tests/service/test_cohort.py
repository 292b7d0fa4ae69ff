"""The de-identified cohort: pseudonyms, bands and counts, and nothing that identifies."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from oncoboard.service.cohort import age_band, cohort_view, pseudonym
from oncoboard.store import Store
from tests.service.conftest import EXAMPLES, SECRET, Users, import_example


def _import_all(store: Store) -> list[str]:
    names = sorted(p.name for p in EXAMPLES.iterdir() if p.suffix in (".yaml", ".json"))
    return [import_example(store, name) for name in names]


def test_cohort_of_the_demo_cases_is_de_identified(
    client: TestClient, users: Users, service_store: Store
) -> None:
    ids = _import_all(service_store)
    response = client.get("/api/v1/cohort", headers=users.headers("analyst"))
    assert response.status_code == 200
    body = response.json()
    assert body["n_patients"] == len(ids) == 16
    for patient_id in ids:
        assert patient_id not in response.text
    assert not re.search(r"\d{4}-\d{2}-\d{2}", response.text)  # no dates
    assert {r["pseudonym"] for r in body["rows"]} == {pseudonym(i, SECRET.encode()) for i in ids}
    assert [r["pseudonym"] for r in body["rows"]] == sorted(r["pseudonym"] for r in body["rows"])
    assert set(body["rows"][0]) == {"pseudonym", "subtype", "line", "age_band", "n_alerts"}
    assert sum(body["by_subtype"].values()) == 16 == sum(body["by_line"].values())
    assert body["by_subtype"]["HR+/HER2-"] >= 5
    last = service_store.audit_events(1)[0]
    assert (last.actor, last.action, last.patient_id) == ("ana", "list", None)


def test_pseudonyms_depend_on_the_key() -> None:
    assert pseudonym("MBC-005", b"one") == pseudonym("MBC-005", b"one")
    assert pseudonym("MBC-005", b"one") != pseudonym("MBC-005", b"two")
    assert pseudonym("MBC-005", b"one").startswith("P-") and len(pseudonym("X", b"k")) == 14


def test_age_bands() -> None:
    assert [age_band(a) for a in (None, 9, 50, 59, 89, 90, 104)] == [
        "unknown",
        "0-9",
        "50-59",
        "50-59",
        "80-89",
        "90+",
        "90+",
    ]


def test_cohort_view_counts(service_store: Store) -> None:
    import_example(service_store, "mbc-005-esr1-serial-ctdna.yaml")
    import_example(service_store, "mbc-016-esr1-emerging-on-first-line.yaml")
    view = cohort_view(service_store, "key")
    assert view.by_subtype == {"HR+/HER2-": 2}
    assert sorted(view.by_line.items()) == [(1, 1), (2, 1)]
    assert all(row.n_alerts >= 1 for row in view.rows)
