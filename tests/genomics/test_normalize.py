"""Protein-change parsing, consequence classes, exon numbers and the converters."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oncoboard.genomics.alteration import AlterationKind, ConsequenceClass
from oncoboard.genomics.normalize import (
    THREE_TO_ONE,
    UNKNOWN_PARTNER,
    NormalizationError,
    consequence_class,
    consequence_from_protein,
    exon_number,
    from_case_variant,
    from_copy_number,
    from_fusion,
    from_variant_call,
    normalize_calls,
    protein_change,
)
from oncoboard.io.genomic_records import CopyNumberCall, FusionCall, VariantCall
from oncoboard.model.genomics import (
    CopyNumberType,
    GenomeBuild,
    GenomicReport,
    SampleOrigin,
    SpecimenType,
    Variant,
)

C = ConsequenceClass


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("p.His1047Arg", ("H1047R", 1047)),
        ("p.H1047R", ("H1047R", 1047)),
        ("H1047R", ("H1047R", 1047)),
        ("p.(His1047Arg)", ("H1047R", 1047)),
        ("ENSP00000263967.3:p.His1047Arg", ("H1047R", 1047)),
        ("p.Glu545Lys", ("E545K", 545)),
        ("p.Arg175Ter", ("R175*", 175)),
        ("p.R175*", ("R175*", 175)),
        ("R175X", ("R175*", 175)),
        ("p.Lys111fs", ("K111fs", 111)),
        ("p.Lys111AsnfsTer5", ("K111Nfs*5", 111)),
        ("p.P409Afs*99", ("P409Afs*99", 409)),
        ("p.Gly12_Gly13delinsAsp", ("G12_G13delinsD", 12)),
        ("p.E746_A750del", ("E746_A750del", 746)),
        ("p.L473dup", ("L473dup", 473)),
        ("p.Ala775_Gly776insTyrValMetAla", ("A775_G776insYVMA", 775)),
        ("p.*1069Wext*?", ("*1069Wext*?", 1069)),
        ("p.X1445_splice", ("X1445_splice", 1445)),
        ("p.Arg175=", ("R175=", 175)),
        ("=", ("=", None)),
        ("p.=", ("=", None)),
        ("p.?", ("?", None)),
        ("p.0", ("0", None)),
    ],
)
def test_protein_change(text: str, expected: tuple[str, int | None]) -> None:
    assert protein_change(text) == expected


@pytest.mark.parametrize(
    "text", ["", "p.", "p.Foo12Bar", "H1047", "p.E746_A750ins", "c.1633G>A", "p.12R", "p.B12C"]
)
def test_protein_change_rejects_non_hgvs(text: str) -> None:
    with pytest.raises(NormalizationError):
        protein_change(text)


_AMINO = sorted(k for k in THREE_TO_ONE if k not in ("Ter", "Sec", "Xaa"))


@given(ref=st.sampled_from(_AMINO), alt=st.sampled_from(_AMINO), pos=st.integers(1, 40000))
def test_three_and_one_letter_forms_agree(ref: str, alt: str, pos: int) -> None:
    one = f"{THREE_TO_ONE[ref]}{pos}{THREE_TO_ONE[alt]}"
    assert protein_change(f"p.{ref}{pos}{alt}") == (one, pos) == protein_change(one)
    assert protein_change(f"p.({ref}{pos}{alt})") == (one, pos)


@given(st.text(max_size=40))
def test_protein_change_raises_only_normalization_error(text: str) -> None:
    try:
        change, codon = protein_change(text)
    except NormalizationError as exc:
        assert isinstance(exc, ValueError)
    else:
        assert isinstance(change, str) and (codon is None or codon >= 1)


@pytest.mark.parametrize(
    ("terms", "expected"),
    [
        ("missense_variant", C.MISSENSE),
        ("missense_variant&splice_region_variant", C.MISSENSE),
        ("stop_gained&frameshift_variant", C.NONSENSE),
        ("frameshift_variant", C.FRAMESHIFT),
        ("splice_acceptor_variant&intron_variant", C.SPLICE),
        ("splice_donor_variant", C.SPLICE),
        ("splice_region_variant", C.NONCODING),
        ("splice_region_variant&intron_variant", C.NONCODING),
        ("inframe_deletion", C.INFRAME_INDEL),
        ("inframe_insertion", C.INFRAME_INDEL),
        ("protein_altering_variant", C.INFRAME_INDEL),
        ("start_lost", C.START_LOST),
        ("stop_lost", C.STOP_LOST),
        ("synonymous_variant", C.SYNONYMOUS),
        ("3_prime_UTR_variant", C.NONCODING),
        ("upstream_gene_variant", C.NONCODING),
        ("made_up_term", C.UNKNOWN),
        (None, C.UNKNOWN),
        (["intron_variant", "missense_variant"], C.MISSENSE),
    ],
)
def test_consequence_class(terms: str | list[str] | None, expected: ConsequenceClass) -> None:
    assert consequence_class(terms) is expected


@pytest.mark.parametrize(
    ("change", "expected"),
    [("R175*", C.NONSENSE), ("K111fs", C.FRAMESHIFT), ("E746_A750del", C.INFRAME_INDEL),
     ("A775_G776insYVMA", C.INFRAME_INDEL), ("E746_A750delins*", C.NONSENSE),
     ("H1047R", C.MISSENSE), ("R175=", C.SYNONYMOUS), ("=", C.SYNONYMOUS),
     ("M1V", C.START_LOST), ("*1069Wext*?", C.STOP_LOST), ("X1445_splice", C.SPLICE),
     ("?", C.UNKNOWN), (None, C.UNKNOWN)],
)  # fmt: skip
def test_consequence_inferred_from_protein(change: str | None, expected: ConsequenceClass) -> None:
    assert consequence_from_protein(change) is expected


def test_exon_number() -> None:
    assert [exon_number(e) for e in ("20/21", "20", "2-3/21", None, "", "-")] == [
        20, 20, 2, None, None, None
    ]  # fmt: skip
    with pytest.raises(NormalizationError):
        exon_number("exon twenty")


def _call(**fields: object) -> VariantCall:
    return VariantCall.model_validate({"source": "x.vcf:10", **fields})


def test_annotated_call_resolves_alias_and_consequence() -> None:
    alt = from_variant_call(
        _call(gene="HER2", hgvs_p="p.Leu755Ser", consequence="missense_variant", exon="19/27"),
        specimen=SpecimenType.PLASMA,
    )
    assert alt is not None
    assert (alt.gene, alt.protein_change, alt.codon, alt.exon) == ("ERBB2", "L755S", 755, 19)
    assert alt.consequence is C.MISSENSE and alt.specimen is SpecimenType.PLASMA


def test_unannotated_call_filled_from_hotspot() -> None:
    call = _call(genome_build=GenomeBuild.GRCH38, chromosome="6", position=152098791,
                 ref="A", alt="G")  # fmt: skip
    alt = from_variant_call(call)
    assert alt is not None and (alt.gene, alt.protein_change, alt.hgvs_c) == (
        "ESR1", "D538G", "c.1613A>G"
    )  # fmt: skip
    assert alt.consequence is C.MISSENSE


def test_calls_are_never_dropped() -> None:
    calls = [
        _call(genome_build=GenomeBuild.GRCH37, chromosome="3", position=178952085, ref="A",
              alt="G"),
        _call(genome_build=GenomeBuild.GRCH37, chromosome="3", position=1000, ref="A", alt="G"),
        _call(chromosome="3", position=178952085, ref="A", alt="G"),  # no build: no match
        _call(gene="PIK3CA", hgvs_p="p.H1047R", filter="LowQual"),
        _call(gene="MADEUP1", hgvs_p="p.R12W"),
    ]  # fmt: skip
    result = normalize_calls(calls)
    assert [a.gene for a in result.alterations] == ["PIK3CA", "MADEUP1"]
    assert len(result.needs_annotation) == 2 and len(result.filtered) == 1
    assert result.unknown_genes == [("x.vcf:10", "MADEUP1")]


def test_case_variant_takes_origin_and_specimen_from_report() -> None:
    variant = Variant(gene="BRCA2", hgvs_p="p.Lys3326Ter", classification="pathogenic")
    report = GenomicReport(id="g1", date="2025-01-02", specimen_type="blood",
                           origin="germline", assay="panel", variants=[variant])  # fmt: skip
    alt = from_case_variant(variant, report)
    assert (alt.protein_change, alt.consequence, alt.origin) == (
        "K3326*", C.NONSENSE, SampleOrigin.GERMLINE
    )  # fmt: skip
    assert alt.specimen is SpecimenType.BLOOD and "g1" in alt.source


def test_copy_number_and_fusion_converters() -> None:
    event = CopyNumberCall(
        source="cna.tsv:3", gene="HER2", type=CopyNumberType.AMPLIFICATION, copy_number=9
    )
    cn = from_copy_number(event)
    assert (cn.gene, cn.kind, cn.copy_number) == ("ERBB2", AlterationKind.AMPLIFICATION, 9)
    fusion = from_fusion(FusionCall(source="f.tsv:2", gene_5p="ETV6", gene_3p="NTRK3"))
    assert (fusion.gene, fusion.partner, fusion.label) == ("ETV6", "NTRK3", "ETV6::NTRK3 fusion")
    half = from_fusion(FusionCall(source="f.tsv:3", gene_5p=None, gene_3p="ALK"))
    assert (half.gene, half.partner) == (UNKNOWN_PARTNER, "ALK")


def test_start_codon_lost_with_unknown_effect():
    # p.Met1? (HGVS: start lost, consequence unknown) occurs in METABRIC
    assert protein_change("p.M1?") == ("M1?", 1)
    assert protein_change("p.Met1?") == ("M1?", 1)
    assert consequence_from_protein("M1?") is ConsequenceClass.START_LOST


def test_unparsable_protein_change_is_kept_apart_with_its_reason():
    call = VariantCall(source="lab.maf:7", gene="TP53", hgvs_p="p.Zzz12Qqq")
    result = normalize_calls([call])
    assert result.alterations == [] and result.needs_annotation == []
    ((kept, reason),) = result.unparsable
    assert kept is call and "Zzz" in reason


def test_maf_splice_site_parent_term_is_splice():
    # MAF "Splice_Site" without the side maps to SO splice_site_variant (parent term)
    assert consequence_class("splice_site_variant") is ConsequenceClass.SPLICE
    assert consequence_class("intron_variant&splice_site_variant") is ConsequenceClass.SPLICE
