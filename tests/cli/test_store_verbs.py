"""import / list / show / export / audit through the CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import pwd
import shutil

from typer.testing import CliRunner

from oncoboard.cli import app
from oncoboard.io import load_case, parse_case, parse_text
from tests.conftest import DATA, EXAMPLES

runner = CliRunner()


def _run(db_url: str, *args: str):
    return runner.invoke(app, [*args, "--database-url", db_url])


def test_import_is_idempotent_and_versions_changes(db_url, tmp_path):
    path = tmp_path / "case.yaml"
    shutil.copy(EXAMPLES / "mbc-001-hr-pos-first-line.yaml", path)
    first = _run(db_url, "import", str(path))
    again = _run(db_url, "import", str(path))
    assert first.exit_code == again.exit_code == 0
    assert "created (version 1)" in first.stdout
    assert "unchanged (version 1)" in again.stdout

    path.write_text(
        path.read_text().replace("- {date: 2025-09-15, ecog: 0}", "- {date: 2025-09-15, ecog: 1}")
    )
    changed = _run(db_url, "import", str(path))
    assert "new version (version 2)" in changed.stdout

    v1 = json.loads(_run(db_url, "show", "MBC-001", "--version", "1", "--json").stdout)
    v2 = json.loads(_run(db_url, "show", "MBC-001", "--json").stdout)
    assert (v1["version"], v2["version"], v2["n_versions"]) == (1, 2, 2)
    assert (v1["derived"]["ecog"], v2["derived"]["ecog"]) == (0, 1)


def test_round_trip_file_store_file_is_lossless(db_url, tmp_path):
    assert _run(db_url, "import", str(EXAMPLES)).exit_code == 0
    for path in sorted(EXAMPLES.iterdir()):
        case = load_case(path)
        original = _run(db_url, "export", case.patient.id, "--format", "original")
        assert original.stdout == path.read_text(encoding="utf-8")
        for fmt in ("yaml", "json"):
            exported = _run(db_url, "export", case.patient.id, "--format", fmt).stdout
            assert parse_case(parse_text(exported, f"x.{fmt}", fmt)) == case


def test_import_rejects_bad_files_but_keeps_good_ones(db_url, tmp_path):
    shutil.copy(DATA / "valid" / "minimal.yaml", tmp_path / "a.yaml")
    shutil.copy(DATA / "invalid" / "vaf-above-one.yaml", tmp_path / "b.yaml")
    result = _run(db_url, "import", str(tmp_path))
    assert result.exit_code == 1
    assert f"{tmp_path / 'b.yaml'}:32: genomic_reports.0.variants.0.vaf:" in result.stderr
    listed = json.loads(_run(db_url, "list", "--json").stdout)
    assert [p["patient_id"] for p in listed["patients"]] == ["MIN-1"]


def test_list_json_is_stable_and_carries_evidence(db_url):
    _run(db_url, "import", str(EXAMPLES))
    payload = json.loads(_run(db_url, "list", "--json").stdout)
    assert payload["disclaimer"].startswith("Decision support for qualified clinicians")
    first = payload["patients"][0]
    assert first["patient_id"] == "MBC-001"
    assert first["subtype"] == "HR+/HER2-"
    assert first["her2_category"] == "low"
    assert first["current_regimen"] == "letrozole + ribociclib"
    assert {e["id"] for e in first["evidence"]} >= {"doi:10.1200/JCO.22.02864", "PMID:31928404"}


def test_show_table_mentions_disclaimer(db_url):
    _run(db_url, "import", str(EXAMPLES / "mbc-001-hr-pos-first-line.yaml"))
    result = _run(db_url, "show", "MBC-001")
    assert result.exit_code == 0
    assert "HR+/HER2- (HER2-low)" in result.stdout
    assert "qualified clinicians" in result.stdout


def test_unknown_patient_is_an_error_on_stderr(db_url):
    result = _run(db_url, "show", "NOPE")
    assert result.exit_code == 2
    assert "NOPE" in result.stderr
    assert result.stdout == ""


def test_audit_trail_records_who_did_what(db_url, monkeypatch):
    monkeypatch.setenv("ONCOBOARD_USER", "dr.house")
    _run(db_url, "import", str(EXAMPLES / "mbc-001-hr-pos-first-line.yaml"))
    _run(db_url, "export", "MBC-001")
    events = json.loads(_run(db_url, "audit", "--json").stdout)
    actor = f"{pwd.getpwuid(os.getuid()).pw_name} (as dr.house)"
    assert [(e["actor"], e["action"], e["patient_id"]) for e in events[:2]] == [
        (actor, "export", "MBC-001"),
        (actor, "import", "MBC-001"),
    ]


def test_bad_database_url_is_reported():
    result = runner.invoke(app, ["list", "--database-url", "mysql://u:secret@h/db"])
    assert result.exit_code == 2
    assert "secret" not in result.stderr
