"""Read SNVs and indels from a VCF or BCF file (plain, gzip or BGZF) into :class:`VariantCall`.

The reader runs on cyvcf2/htslib and interprets only the file's own conventions: which sample
is the tumour, which tags hold depth and allele counts (see :mod:`._vcf_depth`), and which
annotation transcript is picked (see :mod:`._vcf_annotation`). Every problem with the input is
a :class:`~oncoboard.errors.GenomicFileError` naming the file and, where known, the line.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from oncoboard.errors import GenomicFileError
from oncoboard.io._vcf_annotation import Annotation, AnnotationSchema, annotate, find_schema
from oncoboard.io._vcf_depth import SupportScope, read_support
from oncoboard.io._vcf_header import Header, SampleRoles, detect_roles, infer_genome_build
from oncoboard.io._vcf_htslib import HtsReader, sniff
from oncoboard.io._vcf_record import RawRecord, RecordError, parse_record
from oncoboard.io.genomic_records import VariantCall
from oncoboard.model.genomics import GenomeBuild, SampleOrigin

__all__ = ["VcfResult", "read_vcf"]


@dataclass(frozen=True, slots=True)
class VcfResult:
    """The calls of one sample of a VCF/BCF file, with what the header says about the file.

    Attributes
    ----------
    calls
        One :class:`VariantCall` per ALT allele of every record read, in file order.
    samples
        Sample columns of the file, in order (empty for a sites-only VCF).
    tumor_sample, normal_sample
        Sample columns recognised as tumour and normal, or ``None``.
    genome_build
        As passed to :func:`read_vcf`, else as the header declares it, else ``None``.
    filtered_out
        Records whose FILTER is neither ``PASS`` nor ``.``; skipped unless ``include_filtered``,
        counted either way.
    annotation
        ``"VEP"`` or ``"SnpEff"`` when the header declares that tool's annotation, else ``None``.
    """

    calls: list[VariantCall]
    samples: list[str]
    tumor_sample: str | None
    normal_sample: str | None
    genome_build: GenomeBuild | None
    filtered_out: int
    annotation: str | None


def read_vcf(
    path: str | os.PathLike[str],
    *,
    sample: str | None = None,
    genome_build: GenomeBuild | None = None,
    include_filtered: bool = False,
) -> VcfResult:
    """Read the SNV/indel calls of one sample from a VCF (plain, gzip, BGZF) or BCF file.

    Parameters
    ----------
    path
        The file. Its text as given appears in every call's ``source`` (``PATH:LINE``, the
        1-based line of the record in the decompressed VCF text; for BCF, the record number).
    sample
        Sample column to read. By default the tumour sample (``##tumor_sample=``, a column
        named ``TUMOR``, or the TCGA one-column layout), or the only sample.
    genome_build
        Overrides the build the header declares (liftover target, ``##reference``,
        ``##contig``, ``##VEP``).
    include_filtered
        Also return records whose FILTER is not ``PASS``/``.`` (their ``filter`` says why).

    Returns
    -------
    VcfResult
        One call per ALT allele. Spanning-deletion (``*``), symbolic (``<DEL>``) and breakend
        alleles are not SNVs/indels and are left out; blank lines are skipped. ``vaf``,
        ``depth`` and ``alt_reads`` are ``None`` where the file does not state them, never 0
        for a missing value. ``origin`` is somatic for the tumour of a tumour/normal pair and
        ``None`` otherwise.

    Raises
    ------
    GenomicFileError
        The file is missing, not a VCF/BCF, truncated or corrupt (gzip, BGZF or records); a
        record or annotation breaks the conventions its header declares; ``sample`` is not a
        column; or there are several samples and none is recognisably the tumour.

    Notes
    -----
    A sites-only VCF (no FORMAT and sample columns, e.g. a VEP-annotated site list) is read:
    its calls have ``sample=None`` and take VAF and depth from ``INFO/TVAF`` and ``TDP`` or
    ``INFO/AF`` and ``DP`` when the record has them, else ``None``. Asking for a ``sample`` in
    such a file is an error. A VCF with a FORMAT column but no sample columns is an error.

    While reading, the process's C-level stderr is captured (htslib's warnings are dropped,
    its errors become the message of the :class:`GenomicFileError`), so concurrent reads in
    one process take turns.
    """
    name = os.fspath(path)
    file = Path(name)
    layout = sniff(file, name)
    with HtsReader(file, name, layout) as reader:
        header = Header.parse(reader.header)
        roles = detect_roles(header, reader.samples)
        reading = _Reading.prepare(name, header, reader.samples, roles, sample, genome_build)
        calls: list[VariantCall] = []
        filtered_out = 0
        for line, text in reader.records():
            try:
                record = parse_record(text, reading.sample_index)
                if record is None:
                    continue
                if not record.passed:
                    filtered_out += 1
                    if not include_filtered:
                        continue
                calls.extend(reading.calls(record, line))
            except RecordError as problem:
                raise GenomicFileError(
                    name, problem.message, record=line, field=problem.field
                ) from problem
    return VcfResult(
        calls=calls,
        samples=list(reader.samples),
        tumor_sample=roles.tumour,
        normal_sample=roles.normal,
        genome_build=reading.genome_build,
        filtered_out=filtered_out,
        annotation=None if reading.schema is None else reading.schema.tool,
    )


def _choose_sample(
    name: str, samples: Sequence[str], roles: SampleRoles, wanted: str | None
) -> str | None:
    if wanted is not None:
        if wanted not in samples:
            available = f"expected one of {list(samples)!r}" if samples else "it has no samples"
            raise GenomicFileError(name, f"unknown sample {wanted!r}: {available}", field="sample")
        return wanted
    if roles.tumour is not None:
        return roles.tumour
    if len(samples) <= 1:
        return samples[0] if samples else None
    raise GenomicFileError(
        name,
        f"cannot tell which of the {len(samples)} samples is the tumour (no ##tumor_sample "
        f"line, no column named TUMOR): pass sample= one of {list(samples)!r}",
        field="sample",
    )


_NOT_SEQUENCE = ("<", "*")
_UNANNOTATED = Annotation(None, None, None, None, None, None)


@dataclass(frozen=True, slots=True)
class _Reading:
    """Everything fixed for one read; turns records into calls."""

    name: str
    sample: str | None
    sample_index: int | None
    genome_build: GenomeBuild | None
    schema: AnnotationSchema | None
    origin: SampleOrigin | None
    scope: SupportScope

    @classmethod
    def prepare(
        cls,
        name: str,
        header: Header,
        samples: Sequence[str],
        roles: SampleRoles,
        wanted: str | None,
        genome_build: GenomeBuild | None,
    ) -> _Reading:
        """Pick the sample and annotation schema; decide which tags describe that sample."""
        chosen = _choose_sample(name, samples, roles, wanted)
        try:
            schema = find_schema(header)
        except RecordError as problem:
            raise GenomicFileError(name, problem.message, field=problem.field) from problem
        is_tumour = chosen is not None and chosen == roles.tumour
        return cls(
            name=name,
            sample=chosen,
            sample_index=None if chosen is None else samples.index(chosen),
            genome_build=genome_build or infer_genome_build(header),
            schema=schema,
            origin=SampleOrigin.SOMATIC if is_tumour and roles.matched_normal else None,
            scope=SupportScope(
                tumour_info=chosen is None or is_tumour or len(samples) == 1,
                single_sample_info=len(samples) <= 1,
            ),
        )

    def calls(self, record: RawRecord, line: int) -> list[VariantCall]:
        annotations: list[Annotation | None] = (
            [None] * len(record.alts) if self.schema is None else annotate(self.schema, record)
        )
        chromosome = record.chrom[3:] if record.chrom.lower().startswith("chr") else record.chrom
        calls = []
        for index, alt in enumerate(record.alts):
            if not alt or alt.startswith(_NOT_SEQUENCE) or "[" in alt or "]" in alt:
                continue
            support = read_support(record, index, self.scope)
            annotation = annotations[index] or _UNANNOTATED
            try:
                call = VariantCall(
                    source=f"{self.name}:{line}",
                    sample=self.sample,
                    genome_build=self.genome_build,
                    chromosome=chromosome or record.chrom,
                    position=record.pos,
                    ref=record.ref,
                    alt=alt,
                    gene=annotation.gene,
                    transcript=annotation.transcript,
                    hgvs_c=annotation.hgvs_c,
                    hgvs_p=annotation.hgvs_p,
                    consequence=annotation.consequence,
                    exon=annotation.exon,
                    vaf=support.vaf,
                    depth=support.depth,
                    alt_reads=support.alt_reads,
                    origin=self.origin,
                    filter=";".join(record.filters) or None,
                )
            except ValidationError as exc:
                error = exc.errors()[0]
                field = ".".join(str(part) for part in error["loc"])
                raise RecordError(
                    f"{error['msg']}, got {error.get('input')!r}", field=field
                ) from exc
            calls.append(call)
        return calls
