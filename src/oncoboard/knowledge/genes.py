"""Genes of interest and hotspot variants (``data/genes.tsv``, ``data/hotspots.tsv``).

Both tables are tab-separated with ``#`` comment lines; every row carries its source. They are
parsed once (cached) and linted on load: a malformed row raises :class:`KnowledgeError` naming
the file, the line and the field.

References
----------
.. [1] OncoKB cancer gene list (API v1, 18 Mar 2019), oncogene/tsg flags and aliases; Chakravarty
   D et al. OncoKB: a precision oncology knowledge base. JCO Precis Oncol 2017.
.. [2] Chang MT et al. Identifying recurrent mutations in cancer reveals widespread lineage
   diversity and mutational specificity. Nat Biotechnol 2016;34:155-163, doi:10.1038/nbt.3391.
.. [3] GENCODE v19 (GRCh37) and GENCODE (GRCh38) gene records; UCSC hg38ToHg19 liftOver chain.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from oncoboard._resources import read_text
from oncoboard.errors import KnowledgeError
from oncoboard.model.genomics import GenomeBuild

__all__ = [
    "Gene",
    "GeneRole",
    "GeneTable",
    "Hotspot",
    "HotspotTable",
    "Interval",
    "Locus",
    "gene_table",
    "hotspots",
    "normalize_chromosome",
]

_PACKAGE = "oncoboard.knowledge.data"
_GENES_FILE = "genes.tsv"
_HOTSPOTS_FILE = "hotspots.tsv"
_GENE_COLUMNS = (
    "symbol",
    "hgnc_id",
    "entrez_id",
    "role",
    "aliases",
    "refseq",
    "grch37_chrom",
    "grch37_start",
    "grch37_end",
    "grch38_chrom",
    "grch38_start",
    "grch38_end",
    "source",
)
_HOTSPOT_COLUMNS = (
    "gene",
    "protein_change",
    "hgvs_c",
    "transcript",
    "grch37_chrom",
    "grch37_pos",
    "grch38_chrom",
    "grch38_pos",
    "ref",
    "alt",
    "source",
)
_CHROMOSOMES = frozenset([*(str(n) for n in range(1, 23)), "X", "Y", "M"])
_SYMBOL = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,19}$")
_ONE_LETTER_SNV = re.compile(r"^[ACDEFGHIKLMNPQRSTVWY](\d+)[ACDEFGHIKLMNPQRSTVWY*]$")
_BASES = re.compile(r"^[ACGT]+$")


class GeneRole(StrEnum):
    """Cancer role of a gene (OncoKB oncogene/tsg flags [1]_)."""

    ONCOGENE = "oncogene"
    TUMOUR_SUPPRESSOR = "tumour_suppressor"
    BOTH = "both"
    OTHER = "other"  # not in the cancer gene list (e.g. an ADC target antigen)

    @property
    def suppressor(self) -> bool:
        """Loss of function is oncogenic (tumour suppressor or both)."""
        return self in (GeneRole.TUMOUR_SUPPRESSOR, GeneRole.BOTH)

    @property
    def activating(self) -> bool:
        """Gain of function is oncogenic (oncogene or both)."""
        return self in (GeneRole.ONCOGENE, GeneRole.BOTH)


def normalize_chromosome(name: str) -> str:
    """``chr7``/``7``/``CHRX``/``chrMT`` -> ``7``/``7``/``X``/``M``."""
    value = name.strip()
    if value[:3].lower() == "chr":
        value = value[3:]
    value = value.upper()
    return "M" if value == "MT" else value


def _key(label: str) -> str:
    """Lookup key: case-, space-, hyphen- and underscore-insensitive (``HER-2`` == ``her2``)."""
    return re.sub(r"[\s\-_]+", "", label.casefold())


@dataclass(frozen=True, slots=True)
class Interval:
    """A 1-based, inclusive genomic interval."""

    chrom: str
    start: int
    end: int

    def overlap(self, chrom: str, start: int, end: int) -> int:
        """Number of bases shared with ``chrom:start-end`` (1-based, inclusive)."""
        if normalize_chromosome(chrom) != self.chrom:
            return 0
        return max(0, min(self.end, end) - max(self.start, start) + 1)

    @property
    def length(self) -> int:
        """Length in bases."""
        return self.end - self.start + 1


@dataclass(frozen=True, slots=True)
class Gene:
    """One row of ``genes.tsv``."""

    symbol: str
    hgnc_id: str | None
    entrez_id: int | None
    role: GeneRole
    aliases: tuple[str, ...]
    refseq: str | None
    grch37: Interval
    grch38: Interval
    source: str

    def interval(self, build: GenomeBuild) -> Interval:
        """The gene span in ``build``."""
        return self.grch37 if build is GenomeBuild.GRCH37 else self.grch38


@dataclass(frozen=True, slots=True)
class Locus:
    """A plus-strand SNV locus (1-based VCF position)."""

    chrom: str
    pos: int


@dataclass(frozen=True, slots=True)
class Hotspot:
    """One row of ``hotspots.tsv``: a hotspot SNV in both builds."""

    gene: str
    protein_change: str
    hgvs_c: str
    transcript: str
    grch37: Locus
    grch38: Locus
    ref: str
    alt: str
    source: str

    @property
    def codon(self) -> int:
        """Protein position of the hotspot residue."""
        match = _ONE_LETTER_SNV.match(self.protein_change)
        assert match is not None  # checked on load
        return int(match[1])

    def locus(self, build: GenomeBuild) -> Locus:
        """The locus in ``build``."""
        return self.grch37 if build is GenomeBuild.GRCH37 else self.grch38


class _Rows:
    """Lines of a packaged TSV with their line numbers, header checked."""

    def __init__(self, name: str, columns: Sequence[str]) -> None:
        self.origin = f"knowledge/data/{name}"
        lines = [
            (number, line)
            for number, line in enumerate(read_text(_PACKAGE, name).splitlines(), start=1)
            if line.strip() and not line.startswith("#")
        ]
        if not lines:
            raise KnowledgeError(f"{self.origin}: no header line")
        header_line, header = lines[0]
        if header.split("\t") != list(columns):
            raise KnowledgeError(
                f"{self.origin}:{header_line}: expected columns {list(columns)!r}, "
                f"got {header.split(chr(9))!r}"
            )
        self.columns = tuple(columns)
        self.lines = lines[1:]

    def __iter__(self) -> Iterator[tuple[str, dict[str, str]]]:
        for number, line in self.lines:
            cells = line.split("\t")
            where = f"{self.origin}:{number}"
            if len(cells) != len(self.columns):
                raise KnowledgeError(
                    f"{where}: expected {len(self.columns)} tab-separated fields, got {len(cells)}"
                )
            yield where, dict(zip(self.columns, (c.strip() for c in cells), strict=True))


def _field(where: str, row: dict[str, str], name: str, check: Callable[[str], bool]) -> str:
    value = row[name]
    if not check(value):
        raise KnowledgeError(f"{where}: {name}: invalid value {value!r}")
    return value


def _integer(where: str, row: dict[str, str], name: str) -> int:
    return int(_field(where, row, name, lambda v: v.isdigit() and int(v) >= 1))


def _chrom(where: str, row: dict[str, str], name: str) -> str:
    return _field(where, row, name, lambda v: normalize_chromosome(v) in _CHROMOSOMES)


def _interval(where: str, row: dict[str, str], build: str) -> Interval:
    chrom = normalize_chromosome(_chrom(where, row, f"{build}_chrom"))
    start, end = _integer(where, row, f"{build}_start"), _integer(where, row, f"{build}_end")
    if start > end:
        raise KnowledgeError(f"{where}: {build}_end: expected >= start {start}, got {end}")
    return Interval(chrom, start, end)


def _source(where: str, row: dict[str, str]) -> str:
    return _field(where, row, "source", lambda v: len(v) >= 10)


class GeneTable:
    """Genes of interest, resolvable by symbol or alias (case-insensitive)."""

    def __init__(self, genes: Sequence[Gene], origin: str = "genes") -> None:
        self._genes: dict[str, Gene] = {}
        self._by_key: dict[str, str] = {}
        for gene in genes:
            if gene.symbol in self._genes:
                raise KnowledgeError(f"{origin}: symbol {gene.symbol!r} is listed twice")
            self._genes[gene.symbol] = gene
        for gene in genes:  # symbols first, so an alias can never shadow a symbol
            self._by_key[_key(gene.symbol)] = gene.symbol
        for gene in genes:
            for alias in gene.aliases:
                other = self._by_key.setdefault(_key(alias), gene.symbol)
                if other != gene.symbol:
                    raise KnowledgeError(
                        f"{origin}: alias {alias!r} of {gene.symbol!r} already names {other!r}"
                    )

    def __len__(self) -> int:
        return len(self._genes)

    def __iter__(self) -> Iterator[Gene]:
        return iter(self._genes.values())

    def __contains__(self, symbol: object) -> bool:
        return isinstance(symbol, str) and symbol in self._genes

    def resolve(self, symbol: str | None) -> str | None:
        """The table symbol for ``symbol`` or one of its aliases, or ``None``. Never raises."""
        if not symbol or not isinstance(symbol, str):
            return None
        return self._by_key.get(_key(symbol))

    def gene(self, symbol: str | None) -> Gene | None:
        """The gene named ``symbol`` (symbol or alias), or ``None``."""
        resolved = self.resolve(symbol)
        return None if resolved is None else self._genes[resolved]

    def role(self, gene: str | None) -> GeneRole | None:
        """Role of ``gene`` (symbol or alias), or ``None`` when it is not in the table."""
        found = self.gene(gene)
        return None if found is None else found.role

    def interval(self, gene: str | None, build: GenomeBuild) -> Interval | None:
        """Span of ``gene`` in ``build``, or ``None`` when it is not in the table."""
        found = self.gene(gene)
        return None if found is None else found.interval(build)


def _parse_gene(where: str, row: dict[str, str]) -> Gene:
    symbol = _field(where, row, "symbol", lambda v: bool(_SYMBOL.match(v)))
    hgnc = _field(where, row, "hgnc_id", lambda v: v == "" or bool(re.match(r"^HGNC:\d+$", v)))
    entrez = _field(where, row, "entrez_id", lambda v: v == "" or v.isdigit())
    role = _field(where, row, "role", lambda v: v in GeneRole.__members__.values())
    aliases = tuple(a.strip() for a in row["aliases"].split(",") if a.strip())
    return Gene(
        symbol=symbol,
        hgnc_id=hgnc or None,
        entrez_id=int(entrez) if entrez else None,
        role=GeneRole(role),
        aliases=aliases,
        refseq=row["refseq"] or None,
        grch37=_interval(where, row, "grch37"),
        grch38=_interval(where, row, "grch38"),
        source=_source(where, row),
    )


@cache
def gene_table() -> GeneTable:
    """The packaged gene table (parsed and linted once)."""
    rows = _Rows(_GENES_FILE, _GENE_COLUMNS)
    return GeneTable([_parse_gene(where, row) for where, row in rows], rows.origin)


class HotspotTable:
    """Hotspot SNVs, looked up by genomic allele or by ``(gene, protein_change)``."""

    def __init__(self, rows: Sequence[Hotspot], origin: str = "hotspots") -> None:
        self._rows = tuple(rows)
        self._by_allele: dict[tuple[GenomeBuild, str, int, str, str], Hotspot] = {}
        self._by_protein: dict[tuple[str, str], list[Hotspot]] = {}
        for row in self._rows:
            for build in GenomeBuild:
                locus = row.locus(build)
                key = (build, locus.chrom, locus.pos, row.ref, row.alt)
                if self._by_allele.setdefault(key, row) is not row:
                    raise KnowledgeError(f"{origin}: allele {key!r} is listed twice")
            self._by_protein.setdefault((row.gene, row.protein_change), []).append(row)

    def __len__(self) -> int:
        return len(self._rows)

    def __iter__(self) -> Iterator[Hotspot]:
        return iter(self._rows)

    def lookup(
        self, build: GenomeBuild, chrom: str, pos: int, ref: str, alt: str
    ) -> Hotspot | None:
        """The hotspot at this plus-strand allele in ``build``, or ``None``."""
        key = (build, normalize_chromosome(chrom), pos, ref.upper(), alt.upper())
        return self._by_allele.get(key)

    def by_protein(self, gene: str, protein_change: str) -> tuple[Hotspot, ...]:
        """Rows of ``gene`` with this one-letter protein change (several codons may encode it)."""
        return tuple(self._by_protein.get((gene, protein_change), ()))


def _parse_hotspot(where: str, row: dict[str, str], genes: GeneTable) -> Hotspot:
    gene = _field(where, row, "gene", lambda v: v in genes)
    change = _field(where, row, "protein_change", lambda v: bool(_ONE_LETTER_SNV.match(v)))
    hgvs_c = _field(where, row, "hgvs_c", lambda v: bool(re.match(r"^c\.\d+[ACGT]>[ACGT]$", v)))
    c_position = int(re.findall(r"\d+", hgvs_c)[0])
    codon = int(_ONE_LETTER_SNV.match(change)[1])  # type: ignore[index]
    if (c_position + 2) // 3 != codon:
        raise KnowledgeError(f"{where}: hgvs_c {hgvs_c!r} is not in codon {codon} of {change!r}")
    ref = _field(where, row, "ref", lambda v: bool(_BASES.match(v)))
    alt = _field(where, row, "alt", lambda v: bool(_BASES.match(v)) and v != ref)
    loci = []
    for build in ("grch37", "grch38"):
        chrom = normalize_chromosome(_chrom(where, row, f"{build}_chrom"))
        loci.append(Locus(chrom, _integer(where, row, f"{build}_pos")))
    return Hotspot(
        gene=gene,
        protein_change=change,
        hgvs_c=hgvs_c,
        transcript=_field(where, row, "transcript", lambda v: bool(re.match(r"^N[MR]_\d+", v))),
        grch37=loci[0],
        grch38=loci[1],
        ref=ref,
        alt=alt,
        source=_source(where, row),
    )


@cache
def hotspots() -> HotspotTable:
    """The packaged hotspot table (parsed and linted once; genes must be in the gene table)."""
    rows = _Rows(_HOTSPOTS_FILE, _HOTSPOT_COLUMNS)
    genes = gene_table()
    return HotspotTable([_parse_hotspot(where, row, genes) for where, row in rows], rows.origin)
