"""Damaged VCFs: read_vcf returns a VcfResult or raises GenomicFileError, never anything else.

Real bytes from the TCGA-A2-A04W example files are flipped, cut, spliced and given stray lines,
as plain text, gzip and the original BGZF. Deterministic (derandomized, no example database).
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oncoboard.errors import GenomicFileError
from oncoboard.io.vcf import VcfResult, read_vcf

DATA = Path(__file__).resolve().parents[1] / "data" / "tcga-a2-a04w"
FUZZ = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def _head(name: str, records: int) -> bytes:
    """Header and the first ``records`` records of a real file, decompressed."""
    lines = gzip.decompress((DATA / name).read_bytes()).splitlines(keepends=True)
    header = [line for line in lines if line.startswith(b"#")]
    body = [line for line in lines if not line.startswith(b"#")]
    return b"".join(header + body[:records])


TEXTS = {
    "tcga": _head("T001-BRCA.grch37.vcf.gz", 60),
    "vep": _head("T001-BRCA.grch37.vep-annotated.vcf.gz", 12),
}
COMPRESSED = {
    "tcga": (DATA / "T001-BRCA.grch37.vcf.gz").read_bytes(),
    "v2017": (DATA / "T001-BRCA.grch37.v2017.vcf.gz").read_bytes(),
}

# Fragments that stress the VCF grammar: separators, missing values, numbers, header syntax.
_PIECES = [
    "\t", "\n", "\r\n", ",", ";", ":", "=", "|", ".", "#", "##", "<", ">", '"', "*", "-",
    "0", "1", "-1", "2147483648", "1e309", "nan", "0.5", "A", "G", "T", "C", "N", "chr3",
    "PASS", "AD", "DP", "AF", "TVAF", "TDP", "ADT", "DPT", "CSQ", "GT", "0/1", "\xe9", "\x00",
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO",
    "##INFO=<ID=CSQ,Number=.,Type=String,Description=\"Format: Allele|Consequence\">",
    "##FORMAT=<ID=AD,Number=R,Type=Integer,Description=\"x\">",
    "##tumor_sample=X",
]  # fmt: skip
_LINE = st.lists(st.sampled_from(_PIECES), max_size=12).map("".join)


def _body_start(text: bytes) -> int:
    return text.index(b"\n", text.index(b"\n#CHROM") + 1) + 1


@st.composite
def _damage(draw: st.DrawFn, data: bytes, body: int = 0) -> bytes:
    """Apply 1-4 random edits (byte flips, cuts, insertions, deletions), mostly after ``body``."""
    data = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        low = min(draw(st.sampled_from([0, body, body])), max(0, len(data) - 1))
        position = draw(st.integers(low, max(low, len(data) - 1)))
        edit = draw(st.sampled_from(["flip", "truncate", "insert", "delete"]))
        if edit == "flip" and data:
            data[position] = draw(st.integers(0, 255))
        elif edit == "truncate":
            del data[position:]
        elif edit == "insert":
            data[position:position] = draw(st.binary(min_size=1, max_size=8))
        else:
            del data[position : position + draw(st.integers(1, 64))]
    return bytes(data)


@st.composite
def _stray_lines(draw: st.DrawFn, data: bytes) -> bytes:
    """Insert or replace whole lines (header or body) with VCF-ish or random text."""
    lines = data.splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 3))):
        index = draw(st.integers(0, len(lines)))
        text = draw(st.one_of(_LINE, st.text(max_size=40))).encode("utf-8", "surrogatepass")
        if draw(st.booleans()) and index < len(lines):
            lines[index] = text + b"\n"
        else:
            lines.insert(index, text + b"\n")
    return b"".join(lines)


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz") / "damaged.vcf"


def _read_or_reject(path: Path, data: bytes, *, include_filtered: bool = False) -> None:
    path.write_bytes(data)
    try:
        result = read_vcf(path, include_filtered=include_filtered)
    except GenomicFileError as error:
        assert error.file == str(path)
        return
    assert isinstance(result, VcfResult)
    for call in result.calls:
        assert call.source.startswith(f"{path}:")
        assert call.vaf is None or 0.0 <= call.vaf <= 1.0


@FUZZ
@given(st.data(), st.sampled_from(sorted(TEXTS)), st.booleans(), st.booleans())
def test_damaged_text(target: Path, data: st.DataObject, base: str, gz: bool, filtered: bool):
    damaged = data.draw(_damage(TEXTS[base], _body_start(TEXTS[base])))
    _read_or_reject(target, gzip.compress(damaged) if gz else damaged, include_filtered=filtered)


@FUZZ
@given(st.data(), st.sampled_from(sorted(TEXTS)))
def test_stray_lines(target: Path, data: st.DataObject, base: str):
    _read_or_reject(target, data.draw(_stray_lines(TEXTS[base])), include_filtered=True)


@FUZZ
@given(st.data(), st.sampled_from(sorted(COMPRESSED)))
def test_damaged_bgzf(target: Path, data: st.DataObject, base: str):
    _read_or_reject(target, data.draw(_damage(COMPRESSED[base])))
