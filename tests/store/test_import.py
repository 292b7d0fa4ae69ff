"""Importing case documents: versions, idempotence, exact round trips, concurrency."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from oncoboard.errors import StoreError
from oncoboard.store import ImportResult, Store, canonical_json, document_sha256

YAML_V1 = "patient_id: P-001\nhistology: ductal\n"
YAML_V2 = "patient_id: P-001\nhistology: lobular\n"


def _import(
    store: Store, document: dict[str, Any], text: str, name: str = "p001.yaml"
) -> ImportResult:
    return store.import_document(
        document["patient_id"],
        document,
        source_name=name,
        source_format="yaml",
        source_text=text,
    )


def test_first_import_creates_version_1(store: Store) -> None:
    document = {"patient_id": "P-001", "histology": "ductal"}
    result = _import(store, document, YAML_V1)
    assert result == ImportResult("P-001", 1, "created", document_sha256(document))
    stored = store.get("P-001")
    assert (stored.version, stored.document, stored.source_text) == (1, document, YAML_V1)
    assert (stored.source_name, stored.source_format) == ("p001.yaml", "yaml")
    assert stored.imported_at.utcoffset() == timedelta(0)


def test_reimporting_identical_document_is_unchanged_but_audited(store: Store) -> None:
    document = {"patient_id": "P-001", "histology": "ductal"}
    _import(store, document, YAML_V1)
    # Same content, other key order and other file text: the canonical JSON decides.
    again = _import(store, dict(reversed(document.items())), "# comment\n" + YAML_V1, "x.yml")
    assert again.outcome == "unchanged"
    assert again.version == 1
    assert [v.version for v in store.versions("P-001")] == [1]
    assert store.get("P-001").source_text == YAML_V1
    events = [(e.action, e.patient_id, e.version, e.outcome) for e in store.audit_events()]
    assert ("import", "P-001", 1, "unchanged") in events
    assert ("import", "P-001", 1, "created") in events


def test_changed_document_adds_version_2_and_keeps_version_1(store: Store) -> None:
    v1 = {"patient_id": "P-001", "histology": "ductal"}
    v2 = {"patient_id": "P-001", "histology": "lobular"}
    _import(store, v1, YAML_V1)
    result = _import(store, v2, YAML_V2)
    assert (result.version, result.outcome) == (2, "new_version")
    old = store.get("P-001", 1)
    assert old.document == v1
    assert old.source_text.encode() == YAML_V1.encode()
    assert canonical_json(old.document) == canonical_json(v1)
    assert old.sha256 == document_sha256(v1)
    assert store.get("P-001").document == v2
    assert [(v.version, v.sha256) for v in store.versions("P-001")] == [
        (1, document_sha256(v1)),
        (2, document_sha256(v2)),
    ]


def test_going_back_to_an_older_document_is_a_new_version(store: Store) -> None:
    v1 = {"patient_id": "P-001", "histology": "ductal"}
    _import(store, v1, YAML_V1)
    _import(store, {"patient_id": "P-001", "histology": "lobular"}, YAML_V2)
    assert _import(store, v1, YAML_V1).version == 3


TRICKY = {
    "patient_id": "P-ü-李",
    "name": "Zoë Ørsted 李小龍 😀 \u200b",
    "escapes": 'tab\tnewline\n"quoted" back\\slash nul\u0000',
    "floats": [0.1, 0.1 + 0.2, 1e16, 1e-7, -0.0, 5e-324, 1.7976931348623157e308, 2.5, 1.0],
    "ints": [0, -1, 2**63 - 1, 2**70],
    "nested": [[1, [2, [3.5, []]]], {"a": [], "b": {}}, [None, True, False]],
    "dates": {"diagnosis": "2021-02-28", "biopsy": "2024-02-29T13:45:00+01:00"},
    "empty": "",
}


def test_json_round_trip_is_exact(store: Store) -> None:
    text = "# the file text, kept verbatim\r\nname: Zoë\r\n\ttrailing   \n"
    store.import_document(
        "P-ü-李", TRICKY, source_name="zoë.json", source_format="json", source_text=text
    )
    stored = store.get("P-ü-李")
    assert stored.document == TRICKY
    # Equal *and* the same JSON: floats stay floats (1e16, 1.0), -0.0 keeps its sign.
    assert canonical_json(stored.document) == canonical_json(TRICKY)
    assert stored.source_text == text
    assert stored.source_name == "zoë.json"
    assert [p.document for p in store.list_patients()] == [TRICKY]


def test_document_that_is_not_json_is_refused(store: Store) -> None:
    with pytest.raises(StoreError, match="not JSON-compatible"):
        store.import_document(
            "P-1", {"x": float("nan")}, source_name="a", source_format="json", source_text=""
        )
    assert store.list_patients() == []


def test_source_format_must_be_yaml_or_json(store: Store) -> None:
    with pytest.raises(ValueError, match="source_format must be 'yaml' or 'json', but was 'xml'"):
        store.import_document("P-1", {}, source_name="a", source_format="xml", source_text="")  # type: ignore[arg-type]


def test_concurrent_importers_get_contiguous_versions(db_url: str) -> None:
    n_threads, per_thread = 4, 3
    barrier = threading.Barrier(n_threads)
    results: list[ImportResult] = []
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            with Store.open(db_url, actor=f"worker-{worker}") as store:
                barrier.wait(timeout=60)
                for i in range(per_thread):
                    document = {"patient_id": "P-RACE", "worker": worker, "i": i}
                    results.append(
                        store.import_document(
                            "P-RACE",
                            document,
                            source_name="r",
                            source_format="json",
                            source_text=canonical_json(document),
                        )
                    )
        except BaseException as exc:  # reported below
            errors.append(exc)
            barrier.abort()  # the others stop waiting for this one

    threads = [threading.Thread(target=work, args=(w,)) for w in range(n_threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    total = n_threads * per_thread
    assert sorted(r.version for r in results) == list(range(1, total + 1))
    assert sum(r.outcome == "created" for r in results) == 1
    with Store.open(db_url) as store:
        assert [v.version for v in store.versions("P-RACE")] == list(range(1, total + 1))
        (summary,) = store.list_patients()
        assert (summary.latest_version, summary.n_versions) == (total, total)


@pytest.mark.parametrize("field", ["patient_id", "source_name", "source_text"])
def test_nul_characters_are_refused_on_every_backend(store: Store, field: str) -> None:
    arguments = {"patient_id": "P-1", "source_name": "a", "source_text": "{}", field: "a\x00b"}
    with pytest.raises(ValueError, match=f"{field} must not contain NUL characters"):
        store.import_document(document={}, source_format="json", **arguments)
    assert store.list_patients() == []


def test_database_errors_do_not_echo_patient_data(store: Store, db_url: str) -> None:
    engine = create_engine(db_url)
    try:
        with engine.begin() as connection:
            connection.execute(text("DROP TABLE audit_events"))
    finally:
        engine.dispose()
    with pytest.raises(StoreError, match=r"^database error while importing a case: ") as info:
        store.import_document(
            "P-SECRET-ID",
            {"diagnosis": "SECRET-DIAGNOSIS"},
            source_name="secret-name.yaml",
            source_format="yaml",
            source_text="SECRET-TEXT",
        )
    chain = f"{info.value}\n{info.value.__cause__}"
    assert "audit_events" in chain
    assert "parameters hidden" in chain
    assert "SECRET" not in chain
