"""The web UI's pages through the ASGI app: login, roles, CSRF, upload, escaping, audit.

Production settings (Secure cookies), so the client talks to ``https://testserver``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from oncoboard.errors import CaseFileError
from oncoboard.io import load_case, parse_case, parse_text
from oncoboard.planning import plan_case
from oncoboard.service import Settings, create_app
from oncoboard.service._web_support import CSRF_COOKIE, safe_next
from oncoboard.service.auth import SESSION_COOKIE
from oncoboard.service.findings import case_findings
from oncoboard.store import Store
from tests.conftest import EXAMPLES
from tests.service.conftest import PASSWORD, SECRET, import_example

MBC005 = "mbc-005-esr1-serial-ctdna.yaml"
DISCLAIMER_TEXT = "decision support for qualified clinicians"
USER_OF = {"clinician": "clin", "analyst": "ana", "admin": "adm"}


@pytest.fixture
def web(app: FastAPI) -> Iterator[TestClient]:
    """A browser-like client (cookies kept) over HTTPS, not logged in."""
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        yield client


def _csrf(client: TestClient) -> str:
    if not client.cookies.get(CSRF_COOKIE):
        assert client.get("/login").status_code == 200
    token = client.cookies.get(CSRF_COOKIE)
    assert token
    return token


def _login(client: TestClient, role: str, next_: str = "/") -> None:
    data = {"username": USER_OF[role], "password": PASSWORD, "next": next_}
    response = client.post("/login", data={**data, "csrf_token": _csrf(client)})
    assert response.status_code == 303, response.text
    assert response.headers["location"] == next_


def _upload(
    client: TestClient, name: str, content: bytes, *, csrf: bool = True
) -> tuple[int, str, str]:
    data = {"csrf_token": _csrf(client)} if csrf else {}
    response = client.post("/upload", data=data, files={"case_file": (name, content)})
    return response.status_code, response.headers.get("location", ""), response.text


def _text(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


# --------------------------------------------------------------------------- login


def test_login_page_has_the_form_the_csrf_token_and_the_disclaimer(web: TestClient) -> None:
    response = web.get("/login", params={"next": "/upload"})
    assert response.status_code == 200
    html = response.text
    token = web.cookies.get(CSRF_COOKIE)
    assert token and f'name="csrf_token" value="{token}"' in html
    assert 'name="next" value="/upload"' in html
    assert DISCLAIMER_TEXT in html.lower()
    cookie = response.headers["set-cookie"].lower()
    assert "samesite=strict" in cookie and "secure" in cookie and "httponly" not in cookie


@pytest.mark.parametrize("path", ["/", "/patients/MBC-005", "/upload", "/cohort"])
def test_pages_send_anonymous_users_to_the_login_form(web: TestClient, path: str) -> None:
    response = web.get(path, params={"version": "2"} if "patients" in path else None)
    assert response.status_code == 303
    expected = "/login?next=" + path + ("%3Fversion%3D2" if "patients" in path else "")
    assert response.headers["location"] == expected


def test_login_sets_a_strict_httponly_secure_session_cookie(web: TestClient) -> None:
    _login(web, "clinician", "/upload")
    cookie = next(
        c for c in web.cookies.jar if c.name == SESSION_COOKIE
    )  # the session cookie was set
    assert cookie.secure and cookie.has_nonstandard_attr("HttpOnly")
    assert cookie.get_nonstandard_attr("SameSite", "").lower() == "strict"
    assert web.get("/upload").status_code == 200


def test_wrong_password_re_renders_the_form(web: TestClient, service_store: Store) -> None:
    data = {"username": "clin", "password": "not the password", "csrf_token": _csrf(web)}
    response = web.post("/login", data=data)
    assert response.status_code == 401
    assert "Wrong username or password" in response.text
    assert SESSION_COOKIE not in web.cookies
    assert service_store.audit_events(5)[0].action == "login"
    assert service_store.audit_events(5)[0].outcome == "denied"


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/x",
        "https://evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "/%0d%0aSet-Cookie:x",
        "\\\\evil.example",
        "",
    ],
)
def test_login_never_redirects_off_site(web: TestClient, target: str) -> None:
    data = {"username": "clin", "password": PASSWORD, "next": target, "csrf_token": _csrf(web)}
    response = web.post("/login", data=data)
    assert response.status_code == 303
    location = response.headers["location"]
    assert location == (target if target.startswith("/%0d") else "/")
    assert web.get("/login", params={"next": target}).headers["location"] == location


def test_safe_next_keeps_local_paths_only() -> None:
    assert safe_next("/patients/MBC-005?version=2") == "/patients/MBC-005?version=2"
    assert safe_next("/\tevil") == "/" and safe_next("/x\r\nLocation: y") == "/"
    assert safe_next("http:/evil") == "/" and safe_next(None) == "/"


# --------------------------------------------------------------------------- CSRF


def test_posts_without_a_valid_csrf_token_are_refused(
    web: TestClient, service_store: Store
) -> None:
    login = {"username": "clin", "password": PASSWORD}
    assert web.post("/login", data=login).status_code == 403  # no token at all
    _csrf(web)
    assert web.post("/login", data={**login, "csrf_token": "x" * 43}).status_code == 403
    assert SESSION_COOKIE not in web.cookies
    _login(web, "clinician")
    status, _, html = _upload(web, MBC005, (EXAMPLES / MBC005).read_bytes(), csrf=False)
    assert status == 403 and "form expired" in html
    assert service_store.list_patients() == []
    assert web.post("/logout", data={}).status_code == 403
    assert web.get("/").status_code == 200  # still logged in


def test_posts_from_another_origin_are_refused(web: TestClient, service_store: Store) -> None:
    token = _csrf(web)
    data = {"username": "clin", "password": PASSWORD, "csrf_token": token}
    for headers in (
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Referer": "https://evil.example/form"},
    ):
        assert web.post("/login", data=data, headers=headers).status_code == 403
    response = web.post("/login", data=data, headers={"Origin": "https://testserver"})
    assert response.status_code == 303
    headers = {"Referer": "https://evil.example/"}
    response = web.post(
        "/upload",
        data={"csrf_token": token},
        files={"case_file": (MBC005, (EXAMPLES / MBC005).read_bytes())},
        headers=headers,
    )
    assert response.status_code == 403 and service_store.list_patients() == []


def test_logout_ends_the_session(web: TestClient) -> None:
    _login(web, "clinician")
    response = web.post("/logout", data={"csrf_token": _csrf(web)})
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert SESSION_COOKIE not in web.cookies
    assert web.get("/").status_code == 303


def test_a_disabled_users_session_stops_at_once(web: TestClient, service_store: Store) -> None:
    _login(web, "clinician")
    service_store.set_disabled("clin")
    assert web.get("/").headers["location"] == "/login?next=/"


# --------------------------------------------------------------------------- clinician


def test_patient_list_shows_subtype_line_regimen_and_alerts(
    web: TestClient, service_store: Store
) -> None:
    import_example(service_store, MBC005)
    import_example(service_store, next(EXAMPLES.glob("mbc-016-*")).name)
    _login(web, "clinician")
    html = web.get("/").text
    rows = re.findall(r"<tr>(.*?)</tr>", html, re.S)[1:]
    assert len(rows) == 2
    for row, patient in zip(rows, service_store.list_patients(), strict=True):
        findings = case_findings(patient.document, _sha(patient.document))
        cells = [_text(c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        assert cells[0].startswith(patient.patient_id)
        assert f'href="/patients/{patient.patient_id}"' in row
        assert cells[1] == findings.summary.subtype.label
        assert cells[2].split()[0] == str(findings.summary.line.number)
        assert cells[3] == (findings.summary.current_regimen or "—")
        assert cells[4] == str(findings.n_alerts)
    assert DISCLAIMER_TEXT in html.lower()


def _sha(document: dict[str, object]) -> str:
    from oncoboard.store import document_sha256

    return document_sha256(document)


def test_patient_page_is_the_tumor_board_and_is_audited(
    web: TestClient, service_store: Store
) -> None:
    patient_id = import_example(service_store, MBC005)
    _login(web, "clinician")
    response = web.get(f"/patients/{patient_id}")
    assert response.status_code == 200
    html = response.text
    assert '<div class="ob-report">' in html and ".ob-report" in html  # fragment + its CSS
    assert f'href="/api/v1/patients/{patient_id}/report.pdf?version=1"' in html
    assert f'href="/api/v1/patients/{patient_id}/report.html?version=1"' in html
    first = plan_case(load_case(EXAMPLES / MBC005)).options[0].name
    options = html[html.index('id="ob-options"') :]
    assert f"1. {first}" in _text(options[: options.index("</li>")])
    assert "<svg" in html and DISCLAIMER_TEXT in html.lower()
    assert not re.search(r"""(src|href)=["']?https?://""", html)  # nothing external
    event = service_store.audit_events(5)[0]
    assert (event.actor, event.action, event.patient_id, event.outcome) == (
        "clin",
        "versions",
        patient_id,
        "ok",
    )
    reads = [e for e in service_store.audit_events(10) if e.action == "report"]
    assert reads and reads[0].actor == "clin" and reads[0].version == 1


def test_version_selector_and_missing_cases(web: TestClient, service_store: Store) -> None:
    patient_id = import_example(service_store, MBC005)
    text = (EXAMPLES / MBC005).read_text(encoding="utf-8")
    _login(web, "clinician")
    status, location, _ = _upload(web, "mbc-005-v2.yaml", _with_notes(text, "second look"))
    assert (status, location) == (303, f"/patients/{patient_id}")
    latest = web.get(location).text
    assert "New version 2 stored." in latest and "second look" in latest
    old = web.get(f"/patients/{patient_id}", params={"version": 1}).text
    assert "Version 1 of 2" in _text(old) and "not the latest" in old
    assert '<option value="2">' in old and '<option value="1" selected>' in old
    for path in ("/patients/NOPE-1", f"/patients/{patient_id}?version=9"):
        missing = web.get(path)
        assert missing.status_code == 404 and "No stored case" in unescape(missing.text)
    for bad in ("abc", "-1", "1" * 12):
        response = web.get(f"/patients/{patient_id}", params={"version": bad})
        assert response.status_code == 404 and "must be a number" in response.text


def _with_notes(text: str, notes: str) -> bytes:
    """The case file with its top-level ``notes`` replaced (as YAML)."""
    import yaml

    document = yaml.safe_load(text)
    document["notes"] = notes
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True).encode("utf-8")


# --------------------------------------------------------------------------- upload


def test_upload_creates_then_reports_unchanged(web: TestClient, service_store: Store) -> None:
    _login(web, "clinician")
    content = (EXAMPLES / MBC005).read_bytes()
    status, location, _ = _upload(web, MBC005, content)
    assert (status, location) == (303, "/patients/MBC-005")
    page = web.get(location)
    assert "Case created (version 1)." in page.text
    assert "Case created" not in web.get(location).text  # the flash is shown once
    status, location, _ = _upload(web, "again.yaml", content)
    assert "Case unchanged: identical to the stored version 1." in web.get(location).text
    stored = service_store.get("MBC-005")
    assert stored.source_text == content.decode("utf-8") and stored.source_format == "yaml"
    assert [e.actor for e in service_store.audit_events(20) if e.action == "import"] == [
        "clin",
        "clin",
    ]


INVALID = b"""\
schema_version: "1"
synthetic: true
patient:
  id: WEB-BAD
  sex: somebody
  age_years: -4
primary_diagnosis:
  histology: invasive_ductal
"""


def _problem_rows(html: str) -> list[list[str]]:
    table = html[html.index('id="upload-problems"') :]
    table = table[: table.index("</table>")]
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]
    return [[_text(c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)] for r in rows]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("bad.yaml", INVALID),
        ("bad.json", b'{"schema_version": "1", "patient": {"id": "J", "sex": "female"}}'),
        ("broken.yaml", b"patient: [unclosed\n"),
        ("twice.yaml", b"patient: {}\npatient: {}\n"),
    ],
)
def test_upload_errors_are_listed_per_field_and_nothing_is_stored(
    web: TestClient, service_store: Store, name: str, content: bytes
) -> None:
    _login(web, "clinician")
    status, _, html = _upload(web, name, content)
    assert status == 422
    fmt = "json" if name.endswith(".json") else "yaml"
    with pytest.raises(CaseFileError) as raised:
        parse_case(parse_text(content.decode(), name, fmt))
    expected = [
        [str(p.line) if p.line is not None else "—", p.path or "(document)", p.message]
        for p in raised.value.problems
    ]
    assert _problem_rows(html) == expected and expected
    assert f"{len(expected)} problem(s). Nothing was stored." in _text(html)
    assert service_store.list_patients() == []


def test_invalid_upload_shows_each_bad_field(web: TestClient) -> None:
    _login(web, "clinician")
    rows = _problem_rows(_upload(web, "bad.yaml", INVALID)[2])
    by_path = {path: (line, message) for line, path, message in rows}
    assert by_path["patient.age_years"][0] == "6"
    assert by_path["patient.sex"][0] == "5"
    assert "primary_diagnosis.date" in by_path


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("case.txt", b"patient: {}", "is not a .yaml, .yml or .json file"),
        ("case.yaml", b"\xff\xfe\x00bad", "is not UTF-8 text"),
        ("", b"", "Choose a case file"),
    ],
)
def test_upload_refuses_unusable_files(
    web: TestClient, service_store: Store, name: str, content: bytes, message: str
) -> None:
    _login(web, "clinician")
    status, _, html = _upload(web, name, content)
    assert status == 422
    assert message in unescape(html)
    assert service_store.list_patients() == []


def test_upload_larger_than_the_limit_is_refused(service_store: Store) -> None:
    settings = Settings(environment="production", secret_key=SECRET, max_upload_bytes=4096)
    app = create_app(settings, service_store)
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        _login(client, "clinician")
        content = (EXAMPLES / MBC005).read_bytes()
        assert len(content) > 4096
        status, _, html = _upload(client, MBC005, content)
        assert status == 413
        assert "request body larger than 4096 bytes" in html and "<html" in html
    assert service_store.list_patients() == []


def test_free_text_is_escaped(web: TestClient, service_store: Store) -> None:
    _login(web, "clinician")
    text = (EXAMPLES / MBC005).read_text(encoding="utf-8")
    evil = "<script>alert('x')</script><img src=x onerror=alert(1)>"
    status, location, _ = _upload(web, "evil.yaml", _with_notes(text, evil))
    assert status == 303
    html = web.get(location).text
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&lt;img src=x" in html
    bad = INVALID.replace(b"id: WEB-BAD", b"id: WEB-BAD\n  <script>x</script>: 1")
    errors = _upload(web, "<i onclick=x>bad.yaml", bad)[2]
    assert "<script>x</script>" not in errors and "<i onclick" not in errors
    assert "&lt;i onclick=x&gt;bad.yaml" in errors
    assert "patient.&lt;script&gt;x&lt;/script&gt;" in errors


# --------------------------------------------------------------------------- other roles


@pytest.mark.parametrize("path", ["/patients/MBC-005", "/upload"])
def test_analysts_and_admins_cannot_open_patient_pages(
    web: TestClient, service_store: Store, path: str
) -> None:
    import_example(service_store, MBC005)
    for role in ("analyst", "admin"):
        web.cookies.clear()
        _login(web, role)
        response = web.get(path)
        assert response.status_code == 403
        assert "Forbidden" in response.text and DISCLAIMER_TEXT in response.text.lower()
        assert "MBC-005" not in _text(response.text.split("<main", 1)[1])
    status, _, _ = _upload(web, MBC005, (EXAMPLES / MBC005).read_bytes())
    assert status == 403
    assert [e for e in service_store.audit_events(50) if e.action in ("report", "show")] == []


def test_analyst_home_is_the_de_identified_cohort(web: TestClient, service_store: Store) -> None:
    ids = [import_example(service_store, p.name) for p in sorted(EXAMPLES.glob("mbc-00[1-6]*"))]
    _login(web, "analyst")
    response = web.get("/")
    assert (response.status_code, response.headers["location"]) == (303, "/cohort")
    html = web.get("/cohort").text
    assert not any(pid in html for pid in ids)
    rows = re.findall(r"<code>(P-[0-9a-f]{12})</code>", html)
    assert len(rows) == len(ids) == len(set(rows))
    assert 'id="chart-subtype"' in html and "<rect" in html
    assert DISCLAIMER_TEXT in html.lower()
    assert 'href="/upload"' not in html and 'href="/">Patients' not in html


def test_admin_home_lists_the_users_read_only(web: TestClient) -> None:
    _login(web, "admin")
    html = web.get("/").text
    names = re.findall(r"<tr><td>([a-z]+)</td><td>([a-z]+)</td>", html)
    assert sorted(names) == [("adm", "admin"), ("ana", "analyst"), ("clin", "clinician")]
    assert 'href="/cohort"' in html and '<form method="post" action="/users' not in html
    assert web.get("/cohort").status_code == 200


def test_pages_forbid_scripts_and_send_no_referrer_off_site(web: TestClient) -> None:
    for response in (web.get("/login"), web.get("/login", params={"next": "/x"})):
        csp = response.headers["content-security-policy"]
        assert "script-src 'none'" in csp and "frame-ancestors 'none'" in csp
        assert "form-action 'self'" in csp
        assert response.headers["referrer-policy"] == "same-origin"
        assert "<script" not in response.text


def test_static_css_is_served_and_pages_load_nothing_external(web: TestClient) -> None:
    css = web.get("/static/site.css")
    assert css.status_code == 200 and ".data-table" in css.text
    assert "http" not in css.text and "@import" not in css.text
    assert "https://" not in web.get("/login").text


@pytest.mark.parametrize(("ci", "outcome"), [("true", "fail"), ("", "skip"), ("0", "skip")])
def test_missing_chromium_fails_in_ci_and_skips_loudly_elsewhere(
    monkeypatch: pytest.MonkeyPatch, ci: str, outcome: str
) -> None:
    from tests.service._browser import _skip_or_fail

    monkeypatch.setenv("CI", ci)
    expected = pytest.fail.Exception if outcome == "fail" else pytest.skip.Exception
    with pytest.raises(expected, match="Chromium not found") as raised:
        _skip_or_fail("Chromium not found at /usr/bin/chromium")
    assert ("CI is set" in str(raised.value)) == (outcome == "fail")
    assert ("NOT RUN" in str(raised.value)) == (outcome == "skip")


def test_unknown_pages_and_wrong_methods_get_html_error_pages(web: TestClient) -> None:
    _login(web, "clinician")
    missing = web.get("/no-such-page")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("text/html")
    assert "There is no page at this address." in missing.text
    wrong = web.delete("/upload")
    assert wrong.status_code == 405 and "Method not allowed" in wrong.text
    api = web.get("/api/v1/no-such-route")
    assert api.status_code == 404 and api.json() == {"detail": "Not Found"}


def test_pages_refused_for_the_role_are_audited(web: TestClient, service_store: Store) -> None:
    _login(web, "analyst")
    before = service_store.audit_events(1)[0].id
    response = web.get("/patients/MBC-005")
    assert response.status_code == 403
    events = [e for e in service_store.audit_events(10) if e.id > before]
    assert [(e.action, e.patient_id, e.outcome, e.subject) for e in events] == [
        ("access", "MBC-005", "denied", "GET /patients/{patient_id}")
    ]
