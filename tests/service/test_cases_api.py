"""Uploading, validating and reading cases through the API, and the audit trail it leaves."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from oncoboard.store import Store
from tests.service.conftest import EXAMPLES, Users, import_example

YAML = {"Content-Type": "application/yaml"}
MBC005 = EXAMPLES / "mbc-005-esr1-serial-ctdna.yaml"
MBC014 = EXAMPLES / "mbc-014-her2-ultralow-third-line.json"


def _clin(users: Users, **extra: str) -> dict[str, str]:
    return {**users.headers("clinician"), **extra}


def test_upload_yaml_creates_then_is_unchanged_then_new_version(
    client: TestClient, users: Users, service_store: Store
) -> None:
    text = MBC005.read_text()
    first = client.post("/api/v1/cases", content=text, headers=_clin(users, **YAML))
    assert first.status_code == 201
    assert first.json()["patient_id"] == "MBC-005"
    assert (first.json()["outcome"], first.json()["version"]) == ("created", 1)
    again = client.post("/api/v1/cases", content=text, headers=_clin(users, **YAML))
    assert (again.status_code, again.json()["outcome"]) == (200, "unchanged")
    changed = text.replace("ecog: 1", "ecog: 2", 1)
    assert changed != text
    third = client.post("/api/v1/cases", content=changed, headers=_clin(users, **YAML))
    assert (third.status_code, third.json()["outcome"], third.json()["version"]) == (
        200,
        "new_version",
        2,
    )
    stored = service_store.get("MBC-005", 2)
    assert stored.source_text == changed and stored.source_format == "yaml"
    imports = [e for e in service_store.audit_events() if e.action == "import"]
    assert {e.actor for e in imports} == {"clin"}


def test_upload_json_body_and_multipart_file(client: TestClient, users: Users) -> None:
    body = client.post(
        "/api/v1/cases",
        content=MBC014.read_bytes(),
        headers=_clin(users, **{"Content-Type": "application/json"}),
    )
    assert (body.status_code, body.json()["patient_id"]) == (201, "MBC-014")
    multipart = client.post(
        "/api/v1/cases",
        files={"file": (MBC005.name, MBC005.read_bytes(), "application/octet-stream")},
        headers=_clin(users),
    )
    assert (multipart.status_code, multipart.json()["patient_id"]) == (201, "MBC-005")
    versions = client.get("/api/v1/patients/MBC-005/versions", headers=_clin(users)).json()
    assert versions["versions"][0]["source_name"] == MBC005.name
    assert versions["versions"][0]["source_format"] == "yaml"


def test_unknown_content_type_is_refused(client: TestClient, users: Users) -> None:
    response = client.post(
        "/api/v1/cases", content=b"x", headers=_clin(users, **{"Content-Type": "text/plain"})
    )
    assert response.status_code == 415


def test_invalid_case_gives_field_paths_and_lines(
    client: TestClient, users: Users, service_store: Store
) -> None:
    text = MBC005.read_text().replace("sex: female", "sex: unknown-sex", 1)
    for path in ("/api/v1/cases/validate", "/api/v1/cases"):
        response = client.post(path, content=text, headers=_clin(users, **YAML))
        assert response.status_code == 422
        (problem,) = response.json()["detail"]
        assert problem["loc"] == ["patient", "sex"]
        assert problem["line"] == 10
        assert "unknown-sex" in problem["msg"] or "female" in problem["msg"]
    assert service_store.list_patients() == []


def test_validate_stores_nothing(client: TestClient, users: Users, service_store: Store) -> None:
    response = client.post(
        "/api/v1/cases/validate", content=MBC005.read_text(), headers=_clin(users, **YAML)
    )
    assert response.json() == {"valid": True, "patient_id": "MBC-005", "format": "yaml"}
    assert service_store.list_patients() == []


def test_body_over_the_limit_is_refused_by_its_declared_length(
    client: TestClient, users: Users, service_store: Store
) -> None:
    big = b"a: 1\n" * (1024 * 1024 // 5 + 10)
    response = client.post("/api/v1/cases", content=big, headers=_clin(users, **YAML))
    assert response.status_code == 413
    assert "1048576 bytes" in response.json()["detail"]
    assert service_store.list_patients() == []


def test_streamed_body_over_the_limit_is_refused_without_reading_it_all(
    client: TestClient, users: Users
) -> None:
    sent: list[int] = []

    def chunks() -> Iterator[bytes]:
        for _ in range(64):  # 4 MiB in 64 KiB chunks, no Content-Length
            sent.append(1)
            yield b"#" * 65536

    response = client.post("/api/v1/cases", content=chunks(), headers=_clin(users, **YAML))
    assert response.status_code == 413


def test_list_and_read_a_patient(client: TestClient, users: Users, service_store: Store) -> None:
    import_example(service_store, "mbc-005-esr1-serial-ctdna.yaml")
    import_example(service_store, "mbc-007-her2-pos-first-line-tdxd.yaml")
    listing = client.get("/api/v1/patients", headers=_clin(users)).json()
    rows = {p["patient_id"]: p for p in listing["patients"]}
    assert listing["disclaimer"].startswith("Decision support for qualified clinicians")
    assert rows["MBC-005"]["subtype"] == "HR+/HER2-"
    assert rows["MBC-005"]["line"] == 2
    assert rows["MBC-005"]["n_alerts"] >= 1
    assert rows["MBC-007"]["subtype"] == "HR+/HER2+"
    case = client.get("/api/v1/patients/MBC-005", headers=_clin(users)).json()
    assert case["case"]["patient"]["id"] == "MBC-005"
    assert case["derived"]["subtype"] == "HR+/HER2-"
    assert client.get("/api/v1/patients/MBC-005?version=2", headers=_clin(users)).status_code == 404


def test_plan_monitor_findings(client: TestClient, users: Users, mbc005: str) -> None:
    plan = client.get(f"/api/v1/patients/{mbc005}/plan", headers=_clin(users))
    assert plan.status_code == 200
    body = plan.json()
    assert body["patient_id"] == mbc005 and body["version"] == 1 and body["as_of"] is None
    options = body["plan"]["options"]
    assert options and all(option["evidence"] for option in options)
    assert body["plan"]["knowledge_versions"]
    monitor = client.get(f"/api/v1/patients/{mbc005}/monitor", headers=_clin(users)).json()
    assert monitor["monitoring"]["alerts"]
    assert monitor["monitoring"]["molecular"]
    findings = client.get(f"/api/v1/patients/{mbc005}/findings", headers=_clin(users)).json()
    assert findings["findings"]["summary"]["subtype"] == "HR+/HER2-"
    genes = {f["gene"] for f in findings["findings"]["annotation"]["findings"] if "gene" in f}
    assert "ESR1" in genes


def test_plan_as_of_replays_an_earlier_date(client: TestClient, users: Users, mbc005: str) -> None:
    now = client.get(f"/api/v1/patients/{mbc005}/plan", headers=_clin(users)).json()
    early = client.get(
        f"/api/v1/patients/{mbc005}/plan?as_of=2021-01-01", headers=_clin(users)
    ).json()
    assert early["as_of"] == "2021-01-01"
    assert early["plan"] != now["plan"]
    bad = client.get(f"/api/v1/patients/{mbc005}/plan?as_of=yesterday", headers=_clin(users))
    assert bad.status_code == 422


@pytest.mark.parametrize(
    ("suffix", "action"),
    [
        ("", "show"),
        ("/versions", "versions"),
        ("/findings", "findings"),
        ("/plan", "plan"),
        ("/monitor", "monitor"),
        ("/report.html", "report"),
    ],
)
def test_every_patient_read_is_audited_with_the_username(
    client: TestClient, users: Users, service_store: Store, mbc005: str, suffix: str, action: str
) -> None:
    before = service_store.audit_events(1)[0].id
    response = client.get(f"/api/v1/patients/{mbc005}{suffix}", headers=_clin(users))
    assert response.status_code == 200
    events = [e for e in service_store.audit_events(50) if e.id > before]
    assert [(e.actor, e.action, e.patient_id, e.outcome) for e in events] == [
        ("clin", action, mbc005, "ok")
    ]
    missing = client.get(f"/api/v1/patients/NOPE{suffix}", headers=_clin(users))
    assert missing.status_code == 404
    last = service_store.audit_events(1)[0]
    assert (last.actor, last.action, last.patient_id, last.outcome) == (
        "clin",
        action,
        "NOPE",
        "not_found",
    )


def test_security_headers(client: TestClient, users: Users, mbc005: str) -> None:
    response = client.get(f"/api/v1/patients/{mbc005}/plan", headers=_clin(users))
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["cache-control"] == "no-store"
    schema = client.get("/api/openapi.json")
    assert "cache-control" not in schema.headers
    assert "/api/v1/patients/{patient_id}/plan" in schema.json()["paths"]
    assert json.loads(schema.text)["info"]["title"] == "Oncoboard"
