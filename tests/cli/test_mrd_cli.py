"""``oncoboard mrd``: tumour-informed ctDNA calls from generated BAMs and counts tables."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from oncoboard.cli import app
from oncoboard.cli._mrd import MRD_FORMAT_VERSION
from tests.mrd._bamgen import Read, aligned, reference_sequences, write_bam

runner = CliRunner()
COMPLEMENT = {"A": "C", "C": "G", "G": "T", "T": "A"}
ANCHORS = [500 + 300 * i for i in range(12)]  # 0-based positions on chr1


def _alt(ref_base: str) -> str:
    return COMPLEMENT[ref_base]


def _loci_file(folder: Path, ref: str) -> Path:
    path = folder / "tumour.tsv"
    lines = ["chrom\tpos\tref\talt\tgene"]
    lines += [f"1\t{a + 1}\t{ref[a]}\t{_alt(ref[a])}\tG{i}" for i, a in enumerate(ANCHORS)]
    path.write_text("\n".join(lines) + "\n")
    return path


def _plasma(folder: Path, name: str, ref: str, alt_per_locus: list[int], depth: int) -> Path:
    reads = []
    for locus, (anchor, alts) in enumerate(zip(ANCHORS, alt_per_locus, strict=True)):
        for n in range(depth):
            base = _alt(ref[anchor]) if n < alts else None
            start, seq, cigar = aligned(ref, anchor, base=base, before=10 + n % 40)
            reads.append(Read(f"{name}-{locus}-{n}", "chr1", start, seq, cigar))
    return write_bam(folder / f"{name}.bam", reads, sample=name)


def _normals(folder: Path) -> Path:
    path = folder / "normals.tsv"
    lines = ["sample\tchrom\tpos\tref\talt\talt_reads\tdepth"]
    ref = reference_sequences()["chr1"]
    for s in range(5):
        for i, a in enumerate(ANCHORS):
            alt = 1 if (s + i) % 6 == 0 else 0
            lines.append(f"N{s}\tchr1\t{a + 1}\t{ref[a]}\t{_alt(ref[a])}\t{alt}\t4000")
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("mrd")
    ref = reference_sequences()["chr1"]
    return {
        "loci": _loci_file(folder, ref),
        "normals": _normals(folder),
        "positive": _plasma(folder, "PLASMA-POS", ref, [2] * 12, 150),
        "negative": _plasma(folder, "PLASMA-NEG", ref, [0] * 12, 150),
        "artefact": _plasma(folder, "PLASMA-ART", ref, [45] + [0] * 11, 150),
    }


def _json(*args: str) -> dict:
    result = runner.invoke(app, ["mrd", *args, "--json"])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_bams_against_normals_give_one_call_per_sample(inputs: dict[str, Path]) -> None:
    document = _json(
        str(inputs["loci"]),
        str(inputs["positive"]),
        str(inputs["negative"]),
        str(inputs["artefact"]),
        "--normals",
        str(inputs["normals"]),
    )
    assert document["format_version"] == MRD_FORMAT_VERSION
    assert "qualified clinicians" in document["disclaimer"]
    assert document["background"]["normals"] == 5
    calls = {r["sample"]: r for r in document["results"]}
    assert set(calls) == {"PLASMA-POS", "PLASMA-NEG", "PLASMA-ART"}
    positive = calls["PLASMA-POS"]
    assert positive["call"] == "ctdna_detected"
    assert (positive["alt_reads"], positive["molecules"]) == (24, 1800)
    assert positive["informative_loci"] == 12
    negative = calls["PLASMA-NEG"]
    assert negative["call"] == "ctdna_not_detected"
    assert negative["lod95_tumour_fraction"] > 0
    artefact = calls["PLASMA-ART"]
    assert artefact["call"] == "ctdna_not_detected"
    assert artefact["loci"][0]["status"] == "outlier_excluded"
    assert artefact["informative_loci"] == 11


def test_without_normals_the_panel_default_is_named_unverified(inputs: dict[str, Path]) -> None:
    result = runner.invoke(app, ["mrd", str(inputs["loci"]), str(inputs["positive"])])
    assert result.exit_code == 0, result.stderr
    text = " ".join(result.stdout.split())
    assert "panel-default error rates (unverified assumption" in text
    assert "ctDNA detected: 24 tumour-allele reads in 1800 molecules" in text
    assert "Oncoboard panel default error rates (unverified)" in text
    assert "qualified clinicians" in text


def test_mapping_quality_filter_reaches_the_counts(inputs: dict[str, Path]) -> None:
    document = _json(str(inputs["loci"]), str(inputs["positive"]), "--min-mapq", "61")
    (result,) = document["results"]
    assert result["molecules"] == 0
    assert result["call"] == "not_evaluable"


def test_counts_table_input(tmp_path: Path, inputs: dict[str, Path]) -> None:
    document = _json(str(inputs["loci"]), str(inputs["normals"]))
    assert [r["sample"] for r in document["results"]] == ["N0", "N1", "N2", "N3", "N4"]
    assert all(r["call"] != "ctdna_detected" for r in document["results"])


def test_missing_plasma_file_is_named(tmp_path: Path, inputs: dict[str, Path]) -> None:
    missing = tmp_path / "absent.bam"
    result = runner.invoke(app, ["mrd", str(inputs["loci"]), str(missing)])
    assert result.exit_code == 1
    assert str(missing) in result.stderr
