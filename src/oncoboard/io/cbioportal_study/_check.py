"""Check a study folder against the rules of cBioPortal's file-format documentation [1]_.

Each rule below is stated in [1]_ (section in brackets); a problem names the file, the line
where there is one, and the rule. This is not cBioPortal's own validator (a Java/Python tool
that needs a running portal's gene tables); gene symbols are not checked against HGNC.

- [Cancer Study] ``meta_study.txt`` has ``type_of_cancer``, ``cancer_study_identifier``,
  ``name`` and ``description``; ``pmid`` only with ``citation``.
- [all meta files] the study identifier is the study's; ``data_filename`` exists; molecular
  profiles have ``stable_id``, ``show_profile_in_analysis_tab``, ``profile_name`` and
  ``profile_description``.
- [Clinical Data] four ``#`` rows as long as the attribute row; datatypes STRING, NUMBER or
  BOOLEAN; integer priorities; upper-case attribute names; ``PATIENT_ID`` (and ``SAMPLE_ID`` in
  the sample file) present, unique and made of letters, digits, ``.``, ``_``, ``-``; samples
  belong to defined patients; NUMBER cells numeric or ``NA``; BOOLEAN cells TRUE/FALSE/NA;
  ``MUTATION_COUNT`` and ``FRACTION_GENOME_ALTERED`` absent; survival columns in
  ``_STATUS``/``_MONTHS`` pairs with ``0:``/``1:`` statuses.
- [Mutation Data] ``Hugo_Symbol``, ``Tumor_Sample_Barcode``, ``Variant_Classification`` and
  ``HGVSp_Short`` columns; classifications from the allowed list, in their case; samples
  defined; ``NCBI_Build`` GRCh37 or GRCh38.
- [Discrete Copy Number Data] ``Hugo_Symbol`` or ``Entrez_Gene_Id`` first; sample columns
  defined; values -2, -1.5, -1, 0, 1, 2 or NA.
- [Structural Variant Data] ``Sample_Id`` defined; ``SV_Status`` SOMATIC or GERMLINE; a site
  gene.
- [Timeline Data] ``PATIENT_ID``, ``START_DATE``, ``STOP_DATE`` and ``EVENT_TYPE``; integer
  days (``STOP_DATE`` may be blank); patients defined.
- [Case Lists] the five fields; stable id ``<study>_<suffix>``; samples defined; a
  ``_sequenced`` list with mutation data and a ``_cna`` list with discrete copy number; a known
  ``case_list_category``.

References
----------
.. [1] cBioPortal File Formats, https://docs.cbioportal.org/file-formats/
"""

from __future__ import annotations

import re
from pathlib import Path

from oncoboard.io.cbioportal_study._files import NA, read_meta, read_table
from oncoboard.io.cbioportal_study._tables import ID_PATTERN, StudyError, Table

__all__ = ["check_study"]

VARIANT_CLASSIFICATIONS = frozenset(
    [
        "Frame_Shift_Del",
        "Frame_Shift_Ins",
        "In_Frame_Del",
        "In_Frame_Ins",
        "Missense_Mutation",
        "Nonsense_Mutation",
        "Silent",
        "Splice_Site",
        "Translation_Start_Site",
        "Nonstop_Mutation",
        "3'UTR",
        "3'Flank",
        "5'UTR",
        "5'Flank",
        "IGR",
        "Intron",
        "RNA",
        "Targeted_Region",
        "De_novo_Start_InFrame",
        "De_novo_Start_OutOfFrame",
        "Splice_Region",
        "Unknown",
    ]
)
_CNA_VALUES = frozenset({"-2", "-1.5", "-1", "0", "1", "2", "NA", ""})
_CATEGORIES = frozenset(
    [
        "all_cases_in_study",
        "all_cases_with_mutation_data",
        "all_cases_with_cna_data",
        "all_cases_with_log2_cna_data",
        "all_cases_with_methylation_data",
        "all_cases_with_mrna_array_data",
        "all_cases_with_mrna_rnaseq_data",
        "all_cases_with_rppa_data",
        "all_cases_with_microrna_data",
        "all_cases_with_mutation_and_cna_data",
        "all_cases_with_mutation_and_cna_and_mrna_data",
        "all_cases_with_gsva_data",
        "all_cases_with_sv_data",
        "other",
    ]
)
_MOLECULAR_FIELDS = (
    "stable_id",
    "show_profile_in_analysis_tab",
    "profile_name",
    "profile_description",
)
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_INTEGER = re.compile(r"^-?\d+$")


class _Problems(list[str]):
    def add(self, file: str, message: str, line: int | None = None) -> None:
        self.append(f"{file}{'' if line is None else f':{line}'}: {message}")


def check_study(folder: Path | str) -> list[str]:
    """Problems of the study in ``folder`` (empty: it follows every rule listed above)."""
    root, problems = Path(folder), _Problems()
    try:
        study = read_meta(root / "meta_study.txt")
    except StudyError as exc:
        return [str(exc)]
    for key in ("type_of_cancer", "cancer_study_identifier", "name", "description"):
        if not study.get(key):
            problems.add("meta_study.txt", f"missing {key}")
    if study.get("pmid") and not study.get("citation"):
        problems.add("meta_study.txt", "pmid given without citation")
    sid = study.get("cancer_study_identifier", "")
    metas = {
        p.name: read_meta(p) for p in sorted(root.glob("meta_*.txt")) if p.name != "meta_study.txt"
    }
    files: dict[tuple[str, str], list[Path]] = {}
    for name, meta in metas.items():
        if meta.get("cancer_study_identifier") != sid:
            problems.add(name, f"cancer_study_identifier is not {sid!r}")
        data = root / meta.get("data_filename", "")
        if not meta.get("data_filename") or not data.is_file():
            problems.add(name, f"data_filename {meta.get('data_filename')!r} does not exist")
            continue
        kind = (meta.get("genetic_alteration_type", ""), meta.get("datatype", ""))
        if kind[0] != "CLINICAL":
            for key in _MOLECULAR_FIELDS:
                if not meta.get(key):
                    problems.add(name, f"missing {key} (molecular profile)")
        files.setdefault(kind, []).append(data)
    patients, samples = _clinical(files, problems)
    for path in files.get(("MUTATION_EXTENDED", "MAF"), []):
        _mutations(path, samples, problems)
    for path in files.get(("COPY_NUMBER_ALTERATION", "DISCRETE"), []):
        _cna(path, samples, problems)
    for path in files.get(("STRUCTURAL_VARIANT", "SV"), []):
        _sv(path, samples, problems)
    for path in files.get(("CLINICAL", "TIMELINE"), []):
        _timeline(path, patients, problems)
    required = {
        "sequenced": ("MUTATION_EXTENDED", "MAF"),
        "cna": ("COPY_NUMBER_ALTERATION", "DISCRETE"),
    }
    _case_lists(root, sid, samples, {s for s, k in required.items() if k in files}, problems)
    return list(problems)


def _read(path: Path, problems: _Problems, **options: object) -> tuple[list[str], Table] | None:
    try:
        return read_table(path, **options)  # type: ignore[arg-type]
    except StudyError as exc:
        problems.add(path.name, exc.message, exc.line)
        return None


def _data(path: Path, problems: _Problems, required: tuple[str, ...]) -> Table | None:
    """The table of a data file with its ``required`` columns, else ``None`` (reported)."""
    read = _read(path, problems, missing="")
    if read is None:
        return None
    missing = [c for c in required if c not in read[1].columns]
    if missing:
        problems.add(path.name, f"missing required column(s) {', '.join(missing)}")
        return None
    return read[1]


def _clinical(
    files: dict[tuple[str, str], list[Path]], problems: _Problems
) -> tuple[set[str], set[str]]:
    patients: set[str] = set()
    samples: set[str] = set()
    patient_files = files.get(("CLINICAL", "PATIENT_ATTRIBUTES"), [])
    sample_files = files.get(("CLINICAL", "SAMPLE_ATTRIBUTES"), [])
    if not sample_files:
        problems.add("meta_clinical_sample.txt", "a sample clinical file is required")
    sample_patients: list[tuple[str, str, int]] = []
    for path, level in [
        *((p, "patient") for p in patient_files),
        *((p, "sample") for p in sample_files),
    ]:
        read = _read(path, problems, missing=NA, comment_rows=4)
        if read is None:
            continue
        head, table = read
        _clinical_head(path.name, head, table, problems)
        keys = ("PATIENT_ID",) if level == "patient" else ("PATIENT_ID", "SAMPLE_ID")
        for key in keys:
            if key not in table.columns:
                problems.add(path.name, f"missing required column {key}")
        if any(k not in table.columns for k in keys):
            continue
        own = "PATIENT_ID" if level == "patient" else "SAMPLE_ID"
        seen = patients if level == "patient" else samples
        for line, record in enumerate(table.records(), start=6):
            value = record[own]
            if not ID_PATTERN.match(value):
                problems.add(path.name, f"{own} {value!r}: only letters, digits, . _ -", line)
            if value in seen:
                problems.add(path.name, f"{own} {value!r} appears twice", line)
            seen.add(value)
            if level == "sample":
                sample_patients.append((record["PATIENT_ID"], path.name, line))
    if patient_files:
        for patient, file, line in sample_patients:
            if patient not in patients:
                problems.add(file, f"PATIENT_ID {patient!r} is not in the patient file", line)
    else:
        patients = {p for p, _, _ in sample_patients}
    return patients, samples


def _clinical_head(file: str, head: list[str], table: Table, problems: _Problems) -> None:
    rows = [line[1:].split("\t") for line in head]
    if any(len(r) != len(table.columns) for r in rows):
        problems.add(file, "the four '#' rows must have one cell per attribute")
        return
    for index, name in enumerate(table.columns):
        datatype, priority = rows[2][index], rows[3][index]
        if name != name.upper():
            problems.add(file, f"attribute {name!r} must be upper case")
        if name in ("MUTATION_COUNT", "FRACTION_GENOME_ALTERED"):
            problems.add(file, f"{name} is computed by cBioPortal and may not be given")
        if datatype not in ("STRING", "NUMBER", "BOOLEAN"):
            problems.add(file, f"{name}: datatype {datatype!r} is not STRING, NUMBER or BOOLEAN")
        if not _INTEGER.match(priority):
            problems.add(file, f"{name}: priority {priority!r} is not an integer")
        for line, value in enumerate(table.column(name), start=6):
            if not value:
                continue
            if datatype == "NUMBER" and not _NUMBER.match(value):
                problems.add(file, f"{name}: {value!r} is not a number", line)
            if datatype == "BOOLEAN" and value.upper() not in ("TRUE", "FALSE"):
                problems.add(file, f"{name}: {value!r} is not TRUE or FALSE", line)
            if (
                name.endswith("_STATUS")
                and name.removesuffix("_STATUS") + "_MONTHS" in table.columns
            ) and not value.startswith(("0:", "1:")):
                problems.add(file, f"{name}: {value!r} must start with 0: or 1:", line)
    for name in table.columns:
        for suffix, other in (("_STATUS", "_MONTHS"), ("_MONTHS", "_STATUS")):
            base = name.removesuffix(suffix)
            if (
                name.endswith(suffix)
                and base in ("OS", "DFS", "PFS", "DSS")
                and base + other not in table.columns
            ):
                problems.add(file, f"{name} needs {base + other} (survival pairs)")


def _mutations(path: Path, samples: set[str], problems: _Problems) -> None:
    required = ("Hugo_Symbol", "Tumor_Sample_Barcode", "Variant_Classification", "HGVSp_Short")
    table = _data(path, problems, required)
    if table is None:
        return
    for line, record in enumerate(table.records(), start=2):
        if record["Variant_Classification"] not in VARIANT_CLASSIFICATIONS:
            problems.add(
                path.name,
                f"Variant_Classification {record['Variant_Classification']!r} is not allowed",
                line,
            )
        if record["Tumor_Sample_Barcode"] not in samples:
            problems.add(
                path.name,
                f"sample {record['Tumor_Sample_Barcode']!r} is not in the sample file",
                line,
            )
        if not record["Hugo_Symbol"]:
            problems.add(path.name, "Hugo_Symbol is empty", line)
        build = record.get("NCBI_Build", "")
        if build and build not in ("GRCh37", "GRCh38"):
            problems.add(path.name, f"NCBI_Build {build!r} is not GRCh37 or GRCh38", line)


def _cna(path: Path, samples: set[str], problems: _Problems) -> None:
    table = _data(path, problems, ())
    if table is None:
        return
    genes = [c for c in table.columns[:2] if c in ("Hugo_Symbol", "Entrez_Gene_Id")]
    if not genes or table.columns[0] not in genes:
        problems.add(path.name, "the first column must be Hugo_Symbol or Entrez_Gene_Id")
        return
    for sample in table.columns[len(genes) :]:
        if sample not in samples:
            problems.add(path.name, f"sample column {sample!r} is not in the sample file")
    for line, row in enumerate(table.rows, start=2):
        for value in row[len(genes) :]:
            if value not in _CNA_VALUES:
                problems.add(path.name, f"value {value!r} is not -2, -1.5, -1, 0, 1, 2 or NA", line)


def _sv(path: Path, samples: set[str], problems: _Problems) -> None:
    table = _data(path, problems, ("Sample_Id",))
    if table is None:
        return
    for line, record in enumerate(table.records(), start=2):
        if record["Sample_Id"] not in samples:
            problems.add(
                path.name, f"sample {record['Sample_Id']!r} is not in the sample file", line
            )
        if record.get("SV_Status", "") not in ("SOMATIC", "GERMLINE"):
            problems.add(path.name, "SV_Status must be SOMATIC or GERMLINE", line)
        if not (record.get("Site1_Hugo_Symbol") or record.get("Site2_Hugo_Symbol")):
            problems.add(path.name, "a site gene (Site1/Site2_Hugo_Symbol) is required", line)


def _timeline(path: Path, patients: set[str], problems: _Problems) -> None:
    table = _data(path, problems, ("PATIENT_ID", "START_DATE", "STOP_DATE", "EVENT_TYPE"))
    if table is None:
        return
    for line, record in enumerate(table.records(), start=2):
        start, stop = record["START_DATE"], record["STOP_DATE"]
        if record["PATIENT_ID"] not in patients:
            problems.add(path.name, f"patient {record['PATIENT_ID']!r} is not defined", line)
        if not _INTEGER.match(start):
            problems.add(path.name, f"START_DATE {start!r} is not a whole number of days", line)
        if stop and not _INTEGER.match(stop):
            problems.add(path.name, f"STOP_DATE {stop!r} is not a whole number of days", line)
        elif stop and _INTEGER.match(start) and int(stop) < int(start):
            problems.add(path.name, f"STOP_DATE {stop} is before START_DATE {start}", line)
        if not record["EVENT_TYPE"]:
            problems.add(path.name, "EVENT_TYPE is empty", line)


def _case_lists(
    root: Path, sid: str, samples: set[str], required: set[str], problems: _Problems
) -> None:
    found = set()
    for path in sorted((root / "case_lists").glob("*.txt")):
        name = f"case_lists/{path.name}"
        fields = read_meta(path)
        for key in (
            "cancer_study_identifier",
            "stable_id",
            "case_list_name",
            "case_list_description",
            "case_list_ids",
        ):
            if key not in fields:
                problems.add(name, f"missing {key}")
        stable = fields.get("stable_id", "")
        if not stable.startswith(f"{sid}_"):
            problems.add(name, f"stable_id {stable!r} must start with {sid}_")
        found.add(stable.removeprefix(f"{sid}_"))
        category = fields.get("case_list_category")
        if category is not None and category not in _CATEGORIES:
            problems.add(name, f"case_list_category {category!r} is not a known category")
        for sample in filter(None, fields.get("case_list_ids", "").split("\t")):
            if sample not in samples:
                problems.add(name, f"sample {sample!r} is not in the sample file")
    for suffix in sorted(required - found):
        problems.add("case_lists", f"a {sid}_{suffix} case list is required")
