"""Fuzzing the tabular readers: any input gives records or a GenomicFileError, nothing else.

Three kinds of input, each deterministic (``derandomize``) and small: random bytes; valid files
of each format with bytes replaced, inserted, deleted or truncated (optionally gzipped); and
well-formed tables built from the readers' own column names filled with awkward values
(``NA``, ``-1``, ``1e309``, ``nan``, quotes, ``--``, very long or non-ASCII text).
"""

from __future__ import annotations

import gzip
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oncoboard.errors import GenomicFileError
from oncoboard.io.cbioportal import read_cbioportal_cna, read_cbioportal_sv
from oncoboard.io.gene_tables import read_fusions, read_gene_cna, read_mutation_table
from oncoboard.io.maf import read_maf
from oncoboard.io.segments import read_segments
from tests.conftest import COHORTS, DATA
from tests.io.test_tabular_readers import CBIO_MAF, CNA, SV_HEADER

Reader = Callable[..., list[object]]
TCGA = DATA / "tcga-a2-a04w"


def _head(path: Path, lines: int) -> str:
    return "".join(path.read_text(encoding="utf-8").splitlines(keepends=True)[:lines])


SEEDS: dict[str, tuple[Reader, str]] = {
    "maf": (read_maf, "#version 2.4\n" + "\n".join(CBIO_MAF) + "\n"),
    "mutation_table": (read_mutation_table, _head(COHORTS / "metabric/metabric_mutations.tsv", 8)),
    "gene_cna": (
        read_gene_cna,
        "sample\tgene\tcall\tcopy_number\nP1\tERBB2\tAMP\t9\nP1\tPTEN\t-2\t0\n",
    ),
    "fusions": (read_fusions, _head(TCGA / "T001-BRCA.grch37.fusions.tsv", 14)),
    "segments": (read_segments, _head(TCGA / "T001-BRCA.grch37.cna.tsv", 8)),
    "log2_segments": (read_segments, _head(TCGA / "T001-BRCA.grch37.v2017.cna.tsv", 8)),
    "cbioportal_cna": (read_cbioportal_cna, "\n".join(CNA) + "\n"),
    "cbioportal_sv": (
        read_cbioportal_sv,
        f"{SV_HEADER}\nS1\tSOMATIC\tEML4\t27436\t2\t42522694\tALK\t238\t2\t29446394\t"
        "In_frame\tGRCh37\tINVERSION\t10\t3\tProtein fusion: in frame (EML4-ALK)\t3to5\tPRECISE\n",
    ),
}
FUZZ = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
TOKENS = [
    *("", " ", "NA", "nan", "inf", "-1", "-1.5", "0", "2", "3", "1e309", "12.0", "1e3", "#"),
    *("chr", "chr17", "--", "::", "A--", "--B", '"', '"x"', "-", "p.", "GRCh37", "hg38"),
    *("Somatic", "Wildtype", "In_frame", "AMP", "HOMDEL", "\u00e9", "x" * 300),
]
AWKWARD = st.sampled_from(TOKENS) | st.text(
    alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\t\r\n")
)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    yield tmp_path_factory.mktemp("fuzz") / "input.tsv"


def _check(reader: Reader, path: Path, content: bytes, sample: str | None) -> None:
    path.write_bytes(content)
    try:
        records = reader(path, sample=sample)
    except GenomicFileError as error:
        assert error.file == str(path)
        return
    assert all(str(getattr(r, "source", "")).startswith(f"{path}:") for r in records)


@pytest.mark.parametrize("name", sorted(SEEDS))
@FUZZ
@given(content=st.binary(max_size=2000), sample=st.none() | st.text(max_size=8))
def test_random_bytes(scratch: Path, name: str, content: bytes, sample: str | None) -> None:
    _check(SEEDS[name][0], scratch, content, sample)


@st.composite
def mutated(draw: st.DrawFn, seed: str) -> bytes:
    data = bytearray(seed.encode())
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["replace", "insert", "delete", "truncate"]))
        piece = draw(
            st.sampled_from([b"\t", b"\n", b"\r", b'"', b"#", b"\x00", b"\xff", b"-", b"9" * 20])
            | st.binary(min_size=1, max_size=4)
        )
        if action == "replace":
            data[at : at + len(piece)] = piece
        elif action == "insert":
            data[at:at] = piece
        elif action == "delete":
            del data[at : at + draw(st.integers(1, 40))]
        else:
            del data[at:]
    return gzip.compress(bytes(data)) if draw(st.booleans()) else bytes(data)


@pytest.mark.parametrize("name", sorted(SEEDS))
@FUZZ
@given(data=st.data())
def test_mutated_valid_files(scratch: Path, name: str, data: st.DataObject) -> None:
    reader, seed = SEEDS[name]
    content = data.draw(mutated(seed))
    if data.draw(st.booleans()) and content[:2] == b"\x1f\x8b":  # truncated gzip member
        content = content[: data.draw(st.integers(0, len(content)))]
    _check(reader, scratch, content, data.draw(st.none() | st.sampled_from(["S1", "P1", "T"])))


@pytest.mark.parametrize("name", sorted(SEEDS))
@FUZZ
@given(data=st.data())
def test_awkward_values_in_well_formed_tables(
    scratch: Path, name: str, data: st.DataObject
) -> None:
    reader, seed = SEEDS[name]
    header = next(line for line in seed.splitlines() if not line.startswith("#"))
    columns = header.split("\t")
    rows = data.draw(
        st.lists(
            st.lists(AWKWARD, min_size=len(columns), max_size=len(columns)), min_size=1, max_size=4
        )
    )
    text = "\n".join([header, *("\t".join(row) for row in rows)]) + "\n"
    _check(reader, scratch, text.encode(), data.draw(st.none() | st.sampled_from(["S1", "P1"])))
