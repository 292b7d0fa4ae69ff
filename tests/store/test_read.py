"""Reading cases back: get, versions, list_patients, and the audit trail of reads."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import update

from oncoboard.errors import CaseNotFoundError, StoreError
from oncoboard.store import Store
from oncoboard.store._engine import make_engine
from oncoboard.store._schema import CaseVersionRow


def _put(store: Store, patient_id: str, **fields: Any) -> int:
    document = {"patient_id": patient_id, **fields}
    result = store.import_document(
        patient_id,
        document,
        source_name=f"{patient_id}.json",
        source_format="json",
        source_text=repr(document),
    )
    return result.version


def test_get_of_unknown_patient_raises_case_not_found(store: Store) -> None:
    with pytest.raises(CaseNotFoundError, match=r"^no stored case for patient 'P-404'$"):
        store.get("P-404")
    with pytest.raises(LookupError):
        store.get("P-404", 1)
    with pytest.raises(CaseNotFoundError, match=r"^no stored case for patient 'P-404'$"):
        store.versions("P-404")


def test_get_of_unknown_version_names_the_versions_there_are(store: Store) -> None:
    for stage in ("I", "II", "IV"):
        _put(store, "P-1", stage=stage)
    with pytest.raises(CaseNotFoundError, match=r"^patient 'P-1' has versions 1\.\.3, not 7$"):
        store.get("P-1", 7)
    with pytest.raises(CaseNotFoundError, match="not 0"):
        store.get("P-1", 0)
    assert store.get("P-1", 2).document["stage"] == "II"


def test_list_patients_orders_by_id_with_counts_and_latest_document(store: Store) -> None:
    assert store.list_patients() == []
    _put(store, "P-2", stage="I")
    _put(store, "P-1", stage="I")
    _put(store, "P-2", stage="IV")
    _put(store, "P-3", stage="II")
    _put(store, "P-2", stage="IV")  # unchanged
    summaries = store.list_patients()
    assert [(s.patient_id, s.latest_version, s.n_versions) for s in summaries] == [
        ("P-1", 1, 1),
        ("P-2", 2, 2),
        ("P-3", 1, 1),
    ]
    assert summaries[1].document == {"patient_id": "P-2", "stage": "IV"}
    assert summaries[1].created_at < summaries[1].updated_at
    assert summaries[1].updated_at == store.get("P-2").imported_at


def test_reads_are_audited_including_failed_lookups(store: Store) -> None:
    _put(store, "P-1", stage="I")
    store.get("P-1")
    store.get("P-1", 1, action="export")
    store.list_patients()
    store.versions("P-1")
    with pytest.raises(CaseNotFoundError):
        store.get("P-9", 3)
    events = store.audit_events()
    assert [(e.action, e.patient_id, e.version, e.outcome) for e in events] == [
        ("show", "P-9", 3, "not_found"),
        ("list", "P-1", None, "ok"),
        ("list", None, None, "ok"),
        ("export", "P-1", 1, "ok"),
        ("show", "P-1", 1, "ok"),
        ("import", "P-1", 1, "created"),
    ]
    assert {e.actor for e in events} == {"tester"}
    assert all(e.at.utcoffset() is not None for e in events)
    assert [e.id for e in store.audit_events(limit=2)] == [e.id for e in events[:2]]


def test_audit_actor_comes_from_oncoboard_user(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ONCOBOARD_USER", "dr.house")
    with Store.open(db_url) as store:
        assert store.actor.endswith(" (as dr.house)")
        _put(store, "P-1", stage="I")
        assert store.audit_events()[0].actor == store.actor


def test_audit_events_limit_must_be_positive(store: Store) -> None:
    with pytest.raises(ValueError, match="limit must be at least 1, but was 0"):
        store.audit_events(limit=0)


def test_document_changed_behind_the_stores_back_is_detected(store: Store, db_url: str) -> None:
    _put(store, "P-1", stage="I")
    engine = make_engine(db_url)
    try:
        with engine.begin() as connection:
            connection.execute(update(CaseVersionRow).values(document={"stage": "IV"}))
    finally:
        engine.dispose()
    with pytest.raises(StoreError, match="does not match its sha256"):
        store.get("P-1")


def test_closed_store_refuses_use(db_url: str) -> None:
    store = Store.open(db_url)
    store.close()
    with pytest.raises(StoreError, match="the store is closed"):
        store.list_patients()
