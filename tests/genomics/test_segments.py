"""Segment-to-gene copy-number calls on the TCGA-A2-A04W (PCGR example) segments."""

from __future__ import annotations

from pathlib import Path

from oncoboard.genomics.segments import map_segments
from oncoboard.io.genomic_records import SegmentCall
from oncoboard.io.segments import read_segments
from oncoboard.model.genomics import CopyNumberType, GenomeBuild

DATA = Path(__file__).resolve().parents[1] / "data" / "tcga-a2-a04w"


def _calls(name: str, build: GenomeBuild) -> tuple[dict[str, tuple[str, float | None]], list[str]]:
    mapping = map_segments(read_segments(DATA / name), build)
    return {c.gene: (c.type.value, c.copy_number) for c in mapping.calls}, mapping.unassessed


def test_erbb2_amplified_in_both_builds() -> None:
    for name, build in [("T001-BRCA.grch37.cna.tsv", GenomeBuild.GRCH37),
                        ("T001-BRCA.grch38.cna.tsv", GenomeBuild.GRCH38)]:  # fmt: skip
        calls, _ = _calls(name, build)
        assert calls["ERBB2"] == ("amplification", 9.0)


def test_builds_agree_on_every_gene_assessed_in_both() -> None:
    c37, u37 = _calls("T001-BRCA.grch37.cna.tsv", GenomeBuild.GRCH37)
    c38, u38 = _calls("T001-BRCA.grch38.cna.tsv", GenomeBuild.GRCH38)
    both = (set(c37) | set(c38)) - set(u37) - set(u38)
    assert both and {g: c37.get(g) for g in both} == {g: c38.get(g) for g in both}


def _segment(start: int, end: int, total: float | None, log2: float | None = None) -> SegmentCall:
    return SegmentCall(source=f"seg:{start}", chromosome="10", start=start, end=end,
                       total_copy_number=total, log2_ratio=log2)  # fmt: skip


PTEN37 = (89622870, 89731687)


def test_partial_homozygous_deletion_wins() -> None:
    segments = [_segment(89_000_000, 89_700_000, 2), _segment(89_700_001, 90_000_000, 0)]
    mapping = map_segments(segments, GenomeBuild.GRCH37, genes=["PTEN"])
    assert [(c.gene, c.type, c.copy_number, c.source) for c in mapping.calls] == [
        ("PTEN", CopyNumberType.DELETION, 0, "seg:89700001")
    ]  # fmt: skip


def test_majority_segment_decides_amplification_gain_loss() -> None:
    start, end = PTEN37
    for total, expected in [(7, CopyNumberType.AMPLIFICATION), (3, CopyNumberType.GAIN),
                            (1, CopyNumberType.LOSS)]:  # fmt: skip
        segments = [_segment(start - 10, start + 10, 2), _segment(start + 11, end + 10, total)]
        (call,) = map_segments(segments, GenomeBuild.GRCH37, genes=["PTEN"]).calls
        assert call.type is expected
    neutral = map_segments([_segment(start, end, 2)], GenomeBuild.GRCH37, genes=["PTEN"])
    assert neutral.calls == [] and neutral.unassessed == []


def test_ploidy_sets_the_baseline() -> None:
    start, end = PTEN37
    mapping = map_segments([_segment(start, end, 3)], GenomeBuild.GRCH37, genes=["PTEN"],
                           ploidy=3.2)  # fmt: skip
    assert mapping.calls == []


def test_unassessed_is_not_neutral() -> None:
    start, end = PTEN37
    mapping = map_segments([_segment(start, end, None, log2=-1.2)], GenomeBuild.GRCH37,
                           genes=["PTEN", "KRAS", "nope"])  # fmt: skip
    assert mapping.calls == [] and mapping.unassessed == ["PTEN", "KRAS", "nope"]
