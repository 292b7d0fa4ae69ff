"""oncoboard export --format phenopacket, and --deidentify for research exports."""

from __future__ import annotations

import json

import pytest
from google.protobuf import json_format
from phenopackets import Phenopacket
from typer.testing import CliRunner

from oncoboard.cli import app
from oncoboard.io import load_case
from oncoboard.io.phenopackets import validate_phenopacket
from tests.conftest import EXAMPLES

runner = CliRunner()
SOURCE = EXAMPLES / "mbc-005-esr1-serial-ctdna.yaml"


def _run(db_url: str, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, [*args, "--database-url", db_url])


def test_export_phenopacket(db_url: str) -> None:
    assert _run(db_url, "import", str(SOURCE)).exit_code == 0
    result = _run(db_url, "export", "MBC-005", "--format", "phenopacket")
    assert result.exit_code == 0, result.stderr
    packet = json_format.Parse(result.stdout, Phenopacket())
    assert validate_phenopacket(packet) == []
    assert packet.subject.id == "MBC-005"
    genes = {
        i.diagnosis.genomic_interpretations[
            0
        ].variant_interpretation.variation_descriptor.gene_context.symbol
        for i in packet.interpretations
        if i.diagnosis.genomic_interpretations
    }
    assert "ESR1" in genes


@pytest.mark.parametrize("fmt", ["yaml", "fhir", "phenopacket"])
def test_export_deidentified(db_url: str, monkeypatch: pytest.MonkeyPatch, fmt: str) -> None:
    """No identifier or original date of the case survives a de-identified export."""
    assert _run(db_url, "import", str(SOURCE)).exit_code == 0
    monkeypatch.delenv("ONCOBOARD_DEID_SECRET", raising=False)
    refused = _run(db_url, "export", "MBC-005", "--format", fmt, "--deidentify")
    assert refused.exit_code == 1 and "ONCOBOARD_DEID_SECRET" in refused.stderr
    monkeypatch.setenv("ONCOBOARD_DEID_SECRET", "research export secret, 32 bytes")
    result = _run(db_url, "export", "MBC-005", "--format", fmt, "--deidentify")
    assert result.exit_code == 0, result.stderr
    case = load_case(SOURCE)
    text = result.stdout
    assert "MBC-005" not in text
    for report in case.genomic_reports:
        assert report.id not in text
    for day in (case.patient.birth_date, case.primary_diagnosis.date, case.as_of):
        assert day is not None and day.isoformat() not in text
    assert case.preferences is not None and case.preferences.notes is not None
    assert "90 km" not in text  # free text is removed
    if fmt == "fhir":
        assert json.loads(text)["resourceType"] == "Bundle"


def test_export_original_cannot_be_deidentified(db_url: str) -> None:
    assert _run(db_url, "import", str(SOURCE)).exit_code == 0
    result = _run(db_url, "export", "MBC-005", "--format", "original", "--deidentify")
    assert result.exit_code == 2
    assert "cannot apply to --format original" in result.stderr
