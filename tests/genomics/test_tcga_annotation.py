"""The TCGA tumour (tests/data/tcga-a2-a04w) annotated from raw VCFs (both builds) and from the
VEP-annotated VCF gives the same findings for the variants the files share."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from oncoboard.cli import app
from oncoboard.genomics.findings import FindingKind
from oncoboard.genomics.pipeline import annotate_calls
from oncoboard.io import read_vcf
from tests.conftest import DATA

TCGA = DATA / "tcga-a2-a04w"
RAW37 = TCGA / "T001-BRCA.grch37.vcf.gz"
RAW38 = TCGA / "T001-BRCA.grch38.vcf.gz"
VEP37 = TCGA / "T001-BRCA.grch37.vep-annotated.vcf.gz"


def _actionable(path):
    (annotation,) = annotate_calls(read_vcf(path).calls)
    return annotation, {
        (f.biomarker, f.entry_id, f.level) for f in annotation.of_kind(FindingKind.ACTIONABLE)
    }


def test_pik3ca_hotspot_gets_level_1_from_raw_vcfs_in_both_builds():
    annotation37, found37 = _actionable(RAW37)
    annotation38, found38 = _actionable(RAW38)
    assert found37 == found38
    assert ("PIK3CA H1047R", "pik3ca-alpelisib-fulvestrant", "1") in found37
    assert ("PIK3CA H1047R", "pik3ca-akt1-pten-capivasertib-fulvestrant", "1") in found37
    # everything else is reported as needing annotation, never silently dropped
    assert len(annotation37.needs_annotation) == len(read_vcf(RAW37).calls) - 1
    assert len(annotation38.needs_annotation) == len(annotation37.needs_annotation)


def test_vep_annotated_vcf_gives_the_same_findings_for_shared_variants():
    raw = {(c.chromosome, c.position, c.ref, c.alt): c for c in read_vcf(RAW37).calls}
    vep = {(c.chromosome, c.position, c.ref, c.alt): c for c in read_vcf(VEP37).calls}
    shared = raw.keys() & vep.keys()
    assert shared, "the two TCGA VCFs share no variant"
    (raw_annotation,) = annotate_calls([raw[k] for k in shared])
    (vep_annotation,) = annotate_calls([vep[k] for k in shared])
    recognised = {f.biomarker for f in raw_annotation.findings}
    vep_findings = {
        (f.biomarker, f.entry_id, f.level)
        for f in vep_annotation.findings
        if f.biomarker in recognised
    }
    raw_findings = {(f.biomarker, f.entry_id, f.level) for f in raw_annotation.findings}
    assert raw_findings == vep_findings
    # shared variants the raw file cannot interpret are all listed as needing annotation
    assert len(raw_annotation.needs_annotation) + len(
        {f.source for f in raw_annotation.findings}
    ) >= len(shared)


@pytest.mark.parametrize("path", [RAW37, RAW38, VEP37], ids=lambda p: p.name)
def test_annotate_cli_json_carries_evidence_for_every_finding(path):
    result = CliRunner().invoke(app, ["annotate", str(path), "--json"])
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["knowledge_base"]["version"]
    assert document["disclaimer"].startswith("Decision support for qualified clinicians")
    (sample,) = document["samples"]
    for finding in sample["findings"]:
        if finding["entry_id"]:
            assert finding["evidence"], finding["biomarker"]
            assert all({"source", "id", "level"} <= e.keys() for e in finding["evidence"])
    assert any(f["biomarker"] == "PIK3CA H1047R" and f["level"] == "1" for f in sample["findings"])


def test_annotate_reports_bad_input_with_file_and_record(tmp_path):
    broken = tmp_path / "broken.vcf.gz"
    broken.write_bytes(RAW37.read_bytes()[:2000])
    result = CliRunner().invoke(app, ["annotate", str(broken)])
    assert result.exit_code == 1
    assert str(broken) in result.stderr


def test_vcf_with_segments_and_fusions_of_the_same_tumour():
    result = CliRunner().invoke(
        app,
        [
            "annotate",
            str(RAW37),
            "--segments",
            str(TCGA / "T001-BRCA.grch37.cna.tsv"),
            "--fusions",
            str(TCGA / "T001-BRCA.grch37.fusions.tsv"),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.stderr
    (sample,) = json.loads(result.stdout)["samples"]
    entries = {f["entry_id"]: f for f in sample["findings"] if f["entry_id"]}
    # ERBB2 copy number 9 (segment 17:37.76-38.16 Mb) -> HER2-directed therapy
    assert entries["her2-tucatinib-trastuzumab-capecitabine"]["biomarker"] == (
        "ERBB2 amplification"
    )
    # the spiked-in '--NTRK3' row (NTRK3 as 3' partner) is an NTRK fusion; NTRK1--TPM3 is not
    # (NTRK1 as 5' partner loses its kinase domain)
    assert entries["ntrk-fusion-larotrectinib"]["matched"] == ["?::NTRK3 fusion"]
    assert "pik3ca-alpelisib-fulvestrant" in entries


def test_segments_without_a_build_are_refused(tmp_path):
    plain = tmp_path / "calls.vcf"
    plain.write_text("##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n")
    result = CliRunner().invoke(
        app, ["annotate", str(plain), "--segments", str(TCGA / "T001-BRCA.grch37.cna.tsv")]
    )
    assert result.exit_code == 1
    assert "--build" in result.stderr
