"""Tumor-board reports through the API (Part R renders them; the API serves and audits)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from oncoboard.cli._console import DISCLAIMER
from tests.service.conftest import Users


def test_report_html_is_self_contained_with_the_disclaimer(
    client: TestClient, users: Users, mbc005: str
) -> None:
    response = client.get(
        f"/api/v1/patients/{mbc005}/report.html", headers=users.headers("clinician")
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert f'filename="oncoboard-{mbc005}-v1.html"' in response.headers["content-disposition"]
    assert DISCLAIMER in response.text and mbc005 in response.text
    assert "http://" not in response.text.replace("http://www.w3.org", "")
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.slow
def test_report_pdf(client: TestClient, users: Users, mbc005: str) -> None:
    response = client.get(
        f"/api/v1/patients/{mbc005}/report.pdf", headers=users.headers("clinician")
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "attachment" in response.headers["content-disposition"]
