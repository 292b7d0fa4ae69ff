"""What a VCF header says about itself: meta lines, genome build, tumour and normal samples."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from oncoboard.model.genomics import GenomeBuild

__all__ = ["Header", "SampleRoles", "detect_roles", "infer_genome_build"]


@dataclass(frozen=True, slots=True)
class Header:
    """The ``##key=value`` meta lines of a VCF header, in file order."""

    meta: tuple[tuple[str, str], ...]

    @classmethod
    def parse(cls, text: str) -> Header:
        """Read the ``##`` lines of a header text (as htslib gives it back)."""
        meta = []
        for line in text.splitlines():
            if line.startswith("##"):
                key, _, value = line[2:].partition("=")
                meta.append((key, value))
        return cls(tuple(meta))

    def values(self, key: str) -> list[str]:
        """Values of every ``##key=`` line."""
        return [value for name, value in self.meta if name == key]

    def structured(self, key: str) -> list[dict[str, str]]:
        """Every ``##key=<ID=...,...>`` line as a dict (quotes removed)."""
        return [_fields(value) for value in self.values(key) if value.startswith("<")]

    def definition(self, key: str, tag: str) -> dict[str, str] | None:
        """The ``##INFO``/``##FORMAT`` definition of ``tag``, or ``None``."""
        return next((line for line in self.structured(key) if line.get("ID") == tag), None)


def _fields(value: str) -> dict[str, str]:
    """Parse ``<ID=X,Number=1,Description="a, b">`` (quoted values may hold commas)."""
    fields: dict[str, str] = {}
    for match in re.finditer(r'([^=,<>]+)=("(?:[^"\\]|\\.)*"|[^,>]*)', value):
        fields[match[1].strip()] = match[2].strip('"')
    return fields


_BUILD_NAMES = (
    (
        GenomeBuild.GRCH38,
        re.compile(r"grch38|hg38|hs38|assembly38|(?<![a-z0-9])b38(?![0-9])", re.IGNORECASE),
    ),
    (
        GenomeBuild.GRCH37,
        re.compile(r"grch37|hg19|hs37|assembly19|g1k_v37|(?<![a-z0-9])b37(?![0-9])", re.IGNORECASE),
    ),
)
_CHAIN = re.compile(r"(hg\d+|grch\d+)to(hg\d+|grch\d+)", re.IGNORECASE)
# Length of chromosome 1 in each assembly (GRC assembly reports GCF_000001405.13 and .26).
_CHR1_LENGTH = {"249250621": GenomeBuild.GRCH37, "248956422": GenomeBuild.GRCH38}


def _build_named(text: str) -> GenomeBuild | None:
    found = {build for build, pattern in _BUILD_NAMES if pattern.search(text)}
    return found.pop() if len(found) == 1 else None


def infer_genome_build(header: Header) -> GenomeBuild | None:
    """Genome build the header declares, or ``None`` when it says nothing or contradicts itself.

    Evidence is weighed in tiers; the first tier with any evidence decides, and conflicting
    evidence within it gives ``None``:

    1. a liftover target: ``##liftOver*``/``##liftover*`` chain files named ``<from>To<to>``
       (CrossMap, UCSC liftOver) and ``##new_reference_genome`` (it outranks ``##reference``,
       which a lifted file may still carry from before the liftover);
    2. ``##reference``;
    3. ``##contig`` ``assembly=`` or the length of chromosome 1;
    4. the ``##VEP`` line (``assembly=GRCh37.p13``).

    Names recognised: GRCh37, hg19, hs37(d5), b37, human_g1k_v37, Homo_sapiens_assembly19;
    GRCh38, hg38, hs38(DH), b38, Homo_sapiens_assembly38.
    """
    lifted: list[GenomeBuild | None] = []
    for key, value in header.meta:
        if key.lower().startswith("liftover") and (chain := _CHAIN.search(value)):
            lifted.append(_build_named(chain[2]))
        elif key == "new_reference_genome":
            lifted.append(_build_named(value))
    contigs: list[GenomeBuild | None] = []
    for contig in header.structured("contig"):
        contigs.append(_build_named(contig.get("assembly", "")))
        if contig.get("ID") in ("1", "chr1"):
            contigs.append(_CHR1_LENGTH.get(contig.get("length", "")))
    tiers = (
        lifted,
        [_build_named(value) for value in header.values("reference")],
        contigs,
        [_build_named(value) for value in header.values("VEP")],
    )
    for tier in tiers:
        builds = {build for build in tier if build is not None}
        if builds:
            return builds.pop() if len(builds) == 1 else None
    return None


@dataclass(frozen=True, slots=True)
class SampleRoles:
    """Tumour and normal sample columns, and whether the tumour has a matched normal.

    ``matched_normal`` is also true for the TCGA one-column layout, where the control's counts
    sit in the tumour column's ``DPC``/``ADC`` tags and ``normal`` is ``None``.
    """

    tumour: str | None
    normal: str | None
    matched_normal: bool


_TUMOUR_NAMES = {"TUMOR", "TUMOUR"}
_NORMAL_NAMES = {"NORMAL"}


def detect_roles(header: Header, samples: Sequence[str]) -> SampleRoles:
    """Find the tumour and normal columns from the header's own conventions.

    In order (an earlier rule wins):

    1. ``##tumor_sample=`` and ``##normal_sample=`` (GATK Mutect2, DRAGEN);
    2. ``##SAMPLE=<ID=TUMOR|NORMAL,SampleName=...>`` (GATK3 MuTect2, GDC; also ``Name``,
       ``NAME``);
    3. columns named ``TUMOR``/``TUMOUR`` and ``NORMAL``, case-insensitive (Strelka2, VarScan2,
       SomaticSniper, GDC);
    4. one column whose FORMAT declares the TCGA tumour tags ``DPT``/``ADT``: that column is the
       tumour, and ``DPC``/``ADC`` mean a matched normal was sequenced.

    Header lines naming a sample that has no column are ignored.
    """
    tumour = _declared(header, "tumor_sample", samples)
    normal = _declared(header, "normal_sample", samples)
    for line in header.structured("SAMPLE"):
        name = line.get("SampleName") or line.get("Name") or line.get("NAME")
        if name not in samples:
            continue
        role = line.get("ID", "").upper()
        if role in _TUMOUR_NAMES and tumour is None:
            tumour = name
        elif role in _NORMAL_NAMES and normal is None:
            normal = name
    by_name = {sample.upper(): sample for sample in samples}
    tumour = tumour or next((by_name[n] for n in sorted(_TUMOUR_NAMES) if n in by_name), None)
    normal = normal or next((by_name[n] for n in _NORMAL_NAMES if n in by_name), None)
    format_tags = {line.get("ID") for line in header.structured("FORMAT")}
    tcga_control = False
    if tumour is None and len(samples) == 1 and format_tags & {"DPT", "ADT"}:
        tumour = samples[0]
        tcga_control = bool(format_tags & {"DPC", "ADC"})
    return SampleRoles(
        tumour=tumour,
        normal=normal,
        matched_normal=tumour is not None and (normal is not None or tcga_control),
    )


def _declared(header: Header, key: str, samples: Sequence[str]) -> str | None:
    return next((value for value in header.values(key) if value in samples), None)
