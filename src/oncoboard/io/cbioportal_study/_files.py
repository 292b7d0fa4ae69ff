"""Write a :class:`Study` as cBioPortal study files and read them back.

The files follow cBioPortal's file formats [1]_: ``key: value`` meta files, clinical files with
four ``#`` header rows (display name, description, datatype, priority) before the attribute
names, a MAF, a discrete copy-number matrix, a structural-variant file, one timeline file per
track and ``case_lists/``. A folder is written all or nothing (staged, then renamed).

References
----------
.. [1] cBioPortal File Formats, https://docs.cbioportal.org/file-formats/
"""

from __future__ import annotations

from pathlib import Path

from oncoboard._staging import staged_folder
from oncoboard.io.cbioportal_study._tables import Attribute, CaseList, Study, StudyError, Table

__all__ = ["read_study", "write_study"]

NA = "NA"
_CLINICAL = {"patient": "PATIENT_ATTRIBUTES", "sample": "SAMPLE_ATTRIBUTES"}
_MOLECULAR = {
    "mutations": {
        "genetic_alteration_type": "MUTATION_EXTENDED",
        "datatype": "MAF",
        "stable_id": "mutations",
        "show_profile_in_analysis_tab": "true",
        "profile_name": "Mutations",
        "profile_description": "Mutations reported in the cases' genomic reports.",
        "namespaces": "ONCOBOARD",
    },
    "cna": {
        "genetic_alteration_type": "COPY_NUMBER_ALTERATION",
        "datatype": "DISCRETE",
        "stable_id": "cna",
        "show_profile_in_analysis_tab": "true",
        "profile_name": "Copy-number alterations",
        "profile_description": "Reported copy-number calls. Values: -2 = deep deletion; "
        "-1 = loss; 1 = gain; 2 = amplification; NA = not reported.",
    },
    "sv": {
        "genetic_alteration_type": "STRUCTURAL_VARIANT",
        "datatype": "SV",
        "stable_id": "structural_variants",
        "show_profile_in_analysis_tab": "true",
        "profile_name": "Structural variants",
        "profile_description": "Reported gene fusions.",
    },
}


def _meta(path: Path, fields: dict[str, str]) -> None:
    path.write_text("".join(f"{key}: {value}\n" for key, value in fields.items()), "utf-8")


def _cell(value: str, missing: str) -> str:
    if any(c in value for c in "\t\r\n"):
        raise StudyError(str(value)[:40], "a cell may not hold a tab or a line break")
    return value or missing


def _tsv(path: Path, table: Table, missing: str, head: list[str] | None = None) -> None:
    lines = [*(head or []), "\t".join(table.columns)]
    lines += ["\t".join(_cell(v, missing) for v in row) for row in table.rows]
    path.write_text("\n".join(lines) + "\n", "utf-8")


def _clinical_head(attributes: tuple[Attribute, ...]) -> list[str]:
    return [
        "#" + "\t".join(a.display for a in attributes),
        "#" + "\t".join(a.description for a in attributes),
        "#" + "\t".join(a.datatype for a in attributes),
        "#" + "\t".join(str(a.priority) for a in attributes),
    ]


def write_study(study: Study, out: Path | str) -> list[Path]:
    """Write ``study`` to the folder ``out`` (replaced if it exists); returns the files.

    Files: ``meta_study.txt``; ``meta_clinical_{patient,sample}.txt`` and
    ``data_clinical_{patient,sample}.txt``; ``meta_mutations.txt``/``data_mutations.txt``;
    ``meta_cna.txt``/``data_cna.txt`` and ``meta_sv.txt``/``data_sv.txt`` when any sample has
    such results; ``meta_timeline_<track>.txt``/``data_timeline_<track>.txt`` per track;
    ``case_lists/cases_<suffix>.txt``. ``add_global_case_list`` makes the ``_all`` list.
    """
    target = Path(out)
    with staged_folder(target) as folder:
        sid = study.study_id
        _meta(
            folder / "meta_study.txt",
            {
                "type_of_cancer": "brca",
                "cancer_study_identifier": sid,
                "name": study.name,
                "description": study.description,
                "add_global_case_list": "true",
                "reference_genome": study.reference_genome,
            },
        )
        for level, attributes, table in (
            ("patient", study.patient_attributes, study.patients),
            ("sample", study.sample_attributes, study.samples),
        ):
            if table.columns != tuple(a.name for a in attributes):
                raise StudyError(f"data_clinical_{level}.txt", "attributes and columns differ")
            _meta(
                folder / f"meta_clinical_{level}.txt",
                {
                    "cancer_study_identifier": sid,
                    "genetic_alteration_type": "CLINICAL",
                    "datatype": _CLINICAL[level],
                    "data_filename": f"data_clinical_{level}.txt",
                },
            )
            _tsv(folder / f"data_clinical_{level}.txt", table, NA, _clinical_head(attributes))
        molecular: tuple[tuple[str, Table | None, str], ...] = (
            ("mutations", study.mutations, ""),
            ("cna", study.cna, NA),
            ("sv", study.structural_variants, ""),
        )
        for kind, profile, missing in molecular:
            if profile is None:
                continue
            fields = {"cancer_study_identifier": sid, **_MOLECULAR[kind]}
            _meta(folder / f"meta_{kind}.txt", {**fields, "data_filename": f"data_{kind}.txt"})
            _tsv(folder / f"data_{kind}.txt", profile, missing)
        for track, table in study.timelines.items():
            _meta(
                folder / f"meta_timeline_{track}.txt",
                {
                    "cancer_study_identifier": sid,
                    "genetic_alteration_type": "CLINICAL",
                    "datatype": "TIMELINE",
                    "data_filename": f"data_timeline_{track}.txt",
                },
            )
            _tsv(folder / f"data_timeline_{track}.txt", table, "")
        lists = folder / "case_lists"
        lists.mkdir()
        for case_list in study.case_lists:
            _meta(
                lists / f"cases_{case_list.suffix}.txt",
                {
                    "cancer_study_identifier": sid,
                    "stable_id": f"{sid}_{case_list.suffix}",
                    "case_list_name": case_list.name,
                    "case_list_description": case_list.description,
                    "case_list_category": case_list.category,
                    "case_list_ids": "\t".join(case_list.samples),
                },
            )
    return sorted(p for p in target.rglob("*") if p.is_file())


# --- reading ---------------------------------------------------------------------------------


def read_meta(path: Path) -> dict[str, str]:
    """The ``key: value`` fields of a meta file (or case list)."""
    fields: dict[str, str] = {}
    for number, line in enumerate(_lines(path), start=1):
        if not line.strip():
            continue
        key, sep, value = line.partition(":")
        if not sep:
            raise StudyError(path.name, f"expected 'key: value', got {line!r}", line=number)
        fields[key.strip()] = value.strip()
    return fields


def _lines(path: Path) -> list[str]:
    try:
        return path.read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise StudyError(path.name, f"cannot read: {exc}") from exc


def read_table(path: Path, *, missing: str, comment_rows: int = 0) -> tuple[list[str], Table]:
    """(``#`` header rows, table) of a tab-separated data file; ``missing`` reads as ``""``."""
    lines = _lines(path)
    head = [line for line in lines[:comment_rows] if line.startswith("#")]
    if len(head) != comment_rows:
        raise StudyError(path.name, f"expected {comment_rows} header rows starting with '#'")
    body = [line for line in lines[comment_rows:] if line]
    if not body:
        raise StudyError(path.name, "expected a header row")
    columns = tuple(body[0].split("\t"))
    rows = []
    for number, line in enumerate(body[1:], start=comment_rows + 2):
        cells = line.split("\t")
        if len(cells) != len(columns):
            raise StudyError(
                path.name, f"expected {len(columns)} fields, got {len(cells)}", line=number
            )
        rows.append(tuple("" if c == missing else c for c in cells))
    return head, Table(columns, tuple(rows))


def _attributes(path: Path, head: list[str], columns: tuple[str, ...]) -> tuple[Attribute, ...]:
    rows = [line[1:].split("\t") for line in head]
    if any(len(r) != len(columns) for r in rows):
        raise StudyError(path.name, "the four '#' rows and the attribute row differ in length")
    attributes = []
    for index, name in enumerate(columns):
        datatype = rows[2][index]
        if datatype not in ("STRING", "NUMBER", "BOOLEAN"):
            raise StudyError(
                path.name, f"{name}: datatype {datatype!r} is not STRING/NUMBER/BOOLEAN"
            )
        try:
            priority = int(rows[3][index])
        except ValueError as exc:
            raise StudyError(path.name, f"{name}: priority {rows[3][index]!r}") from exc
        attributes.append(Attribute(name, rows[0][index], rows[1][index], datatype, priority))  # type: ignore[arg-type]
    return tuple(attributes)


def read_study(folder: Path | str) -> Study:
    """Read a study folder written by :func:`write_study` (or any study with the same files).

    Raises
    ------
    StudyError
        Naming the file (and line) that is missing or malformed.
    """
    root = Path(folder)
    meta_path = root / "meta_study.txt"
    if not meta_path.is_file():
        raise StudyError(str(meta_path), "no meta_study.txt: not a cBioPortal study folder")
    meta = read_meta(meta_path)
    clinical = {}
    for level in ("patient", "sample"):
        path = root / f"data_clinical_{level}.txt"
        head, table = read_table(path, missing=NA, comment_rows=4)
        clinical[level] = (_attributes(path, head, table.columns), table)
    molecular: dict[str, Table | None] = {}
    for kind, missing in (("mutations", ""), ("cna", NA), ("sv", "")):
        path = root / f"data_{kind}.txt"
        molecular[kind] = read_table(path, missing=missing)[1] if path.is_file() else None
    timelines = {
        p.name.removeprefix("data_timeline_").removesuffix(".txt"): read_table(p, missing="")[1]
        for p in sorted(root.glob("data_timeline_*.txt"))
    }
    case_lists = []
    sid = meta.get("cancer_study_identifier", "")
    for path in sorted((root / "case_lists").glob("cases_*.txt")):
        fields = read_meta(path)
        ids = fields.get("case_list_ids", "")
        case_lists.append(
            CaseList(
                suffix=fields.get("stable_id", "").removeprefix(f"{sid}_"),
                name=fields.get("case_list_name", ""),
                description=fields.get("case_list_description", ""),
                category=fields.get("case_list_category", ""),
                samples=tuple(ids.split("\t")) if ids else (),
            )
        )
    mutations = molecular["mutations"]
    return Study(
        study_id=sid,
        name=meta.get("name", ""),
        description=meta.get("description", ""),
        reference_genome=meta.get("reference_genome", ""),
        patient_attributes=clinical["patient"][0],
        patients=clinical["patient"][1],
        sample_attributes=clinical["sample"][0],
        samples=clinical["sample"][1],
        mutations=mutations if mutations is not None else Table(()),
        cna=molecular["cna"],
        structural_variants=molecular["sv"],
        timelines=timelines,
        case_lists=_ordered(case_lists),
    )


_LIST_ORDER = {"sequenced": 0, "cna": 1, "sv": 2}


def _ordered(case_lists: list[CaseList]) -> tuple[CaseList, ...]:
    return tuple(sorted(case_lists, key=lambda c: (_LIST_ORDER.get(c.suffix, 9), c.suffix)))
