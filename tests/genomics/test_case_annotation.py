"""Annotating demo cases: expected findings, context from the case, germline echoes, gaps."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from oncoboard.cli import app
from oncoboard.genomics import FindingKind, annotate_case
from oncoboard.io import load_case
from tests.conftest import DATA, EXAMPLES


def _case(stem: str):
    (path,) = EXAMPLES.glob(f"{stem}*")
    return load_case(path)


def _level1_met(annotation) -> set[str]:
    return {
        f.entry_id
        for f in annotation.of_kind(FindingKind.ACTIONABLE)
        if f.level == "1" and f.context_met
    }


@pytest.mark.parametrize(
    ("stem", "expected"),
    [
        ("mbc-002", {"pik3ca-alpelisib-fulvestrant", "pik3ca-akt1-pten-capivasertib-fulvestrant"}),
        ("mbc-003", {"pik3ca-akt1-pten-capivasertib-fulvestrant"}),
        ("mbc-004", {"pik3ca-akt1-pten-capivasertib-fulvestrant"}),
        ("mbc-005", {"esr1-elacestrant", "esr1-imlunestrant", "esr1-vepdegestrant"}),
        ("mbc-006", {"gbrca-olaparib", "gbrca-talazoparib"}),
        (
            "mbc-010",
            {
                "tnbc-pdl1-cps10-pembrolizumab-chemotherapy",
                "tnbc-pdl1-cps10-sacituzumab-pembrolizumab",
            },
        ),
        ("mbc-012", {"msi-h-pembrolizumab", "msi-h-dostarlimab", "tmb-h-pembrolizumab"}),
        (
            "mbc-013",
            {"ntrk-fusion-larotrectinib", "ntrk-fusion-entrectinib", "ntrk-fusion-repotrectinib"},
        ),
    ],
)
def test_demo_case_level_1_findings(stem, expected):
    assert expected <= _level1_met(annotate_case(_case(stem)))


def test_inavolisib_is_set_aside_after_first_line_with_the_reason():
    annotation = annotate_case(_case("mbc-002"))
    (finding,) = [
        f for f in annotation.findings if f.entry_id == "pik3ca-inavolisib-palbociclib-fulvestrant"
    ]
    assert finding.context_met is False
    assert any(
        c.requirement == "metastatic line 1" and c.status.value == "not_met"
        for c in finding.context
    )


def test_germline_variant_repeated_by_tumour_panel_is_not_called_somatic():
    annotation = annotate_case(_case("mbc-006"))
    entries = {f.entry_id for f in annotation.findings}
    assert "gbrca-olaparib" in entries
    assert "somatic-brca-olaparib" not in entries


def test_testing_gaps_are_suggested_with_evidence():
    annotation = annotate_case(_case("mbc-001"))
    tests = {s.test for s in annotation.testing_suggestions}
    assert "germline BRCA1, BRCA2, PALB2" in tests
    assert all(s.evidence for s in annotation.testing_suggestions)


def test_untested_subtype_gets_no_context_met(tmp_path):
    # minimal case: nothing tested, so nothing is actionable and testing is suggested
    annotation = annotate_case(load_case(DATA / "valid" / "minimal.yaml"))
    assert annotation.of_kind(FindingKind.ACTIONABLE) == []


def test_annotate_cli_case_folder_and_json():
    runner = CliRunner()
    table = runner.invoke(app, ["annotate", str(EXAMPLES)])
    assert table.exit_code == 0, table.stderr
    assert "Actionable findings: 16 patients" in table.stdout
    result = runner.invoke(app, ["annotate", str(next(EXAMPLES.glob("mbc-005*"))), "--json"])
    document = json.loads(result.stdout)
    assert document["knowledge_base"]["version"] == "2026.11.2"
    (sample,) = document["samples"]
    assert sample["sample"] == "MBC-005"
    elacestrant = next(f for f in sample["findings"] if f["entry_id"] == "esr1-elacestrant")
    assert elacestrant["matched"] == ["ESR1 D538G", "ESR1 Y537S"] or set(
        elacestrant["matched"]
    ) == {"ESR1 D538G", "ESR1 Y537S"}
    assert {e["source"] for e in elacestrant["evidence"]} >= {"fda_label", "trial"}


def test_annotate_cli_maf_missing_columns_names_file(tmp_path):
    maf = tmp_path / "bad.maf"
    maf.write_text("Hugo_Symbol\tVariant_Classification\nPIK3CA\tMissense_Mutation\n")
    result = CliRunner().invoke(app, ["annotate", str(maf)])
    assert result.exit_code == 1
    assert str(maf) in result.stderr and "Tumor_Sample_Barcode" in result.stderr


def test_annotate_cli_unknown_gene_is_a_named_note(tmp_path):
    table = tmp_path / "mutations.tsv"
    table.write_text(
        "patientId\thugoGeneSymbol\tproteinChange\nP1\tNOTAGENE1\tR12H\nP1\tPIK3CA\tH1047R\n"
    )
    result = CliRunner().invoke(app, ["annotate", str(table), "--format", "table", "--json"])
    (sample,) = json.loads(result.stdout)["samples"]
    assert any("NOTAGENE1" in n and f"{table}:2" in n for n in sample["notes"])
    assert any(f["biomarker"] == "PIK3CA H1047R" for f in sample["findings"])


def test_annotate_cli_tmb_from_panel_size(tmp_path):
    vep = DATA / "tcga-a2-a04w" / "T001-BRCA.grch37.vep-annotated.vcf.gz"
    result = CliRunner().invoke(app, ["annotate", str(vep), "--panel-size", "30", "--json"])
    (sample,) = json.loads(result.stdout)["samples"]
    assert sample["tmb"]["panel_size_mb"] == 30
    assert sample["tmb"]["counted"] > 0 and sample["tmb"]["value"] < 10


def test_sources_name_reports_by_their_position_in_the_file():
    case = _case("mbc-012")
    annotation = annotate_case(case, name="mbc-012.yaml")
    for finding in annotation.findings:
        for part in (finding.source or "").split("; "):
            if "genomic_reports." in part:
                index = int(part.split("genomic_reports.")[1].split(" ")[0])
                report_id = part.split("(")[1].split(")")[0]
                assert case.genomic_reports[index].id == report_id
    assert any("HRD negative" in note for note in annotation.notes)
