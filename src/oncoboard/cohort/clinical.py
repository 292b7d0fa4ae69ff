"""The cohort clinical table: one row per sequenced sample, with subtype and overall survival.

Oncoboard's own TSV has the columns of :data:`CLINICAL_SCHEMA` (``sample`` matches the MAF's
``Tumor_Sample_Barcode``) plus, where known, those of :data:`OPTIONAL_SCHEMA`; other columns
are kept as text. Adapters turn public cohorts into the same table: :func:`metabric_clinical`
(METABRIC, primary tumours) and :func:`msk_clinical` (MSK 2018 endocrine-resistant cohort);
:func:`write_cohort_clinical` writes any of them as the standard TSV.

The subtype vocabulary is that of :class:`~oncoboard.derive.Subtype` (``HR+/HER2-``,
``HR+/HER2+``, ``HR-/HER2+``, ``TNBC``); a null subtype means undetermined or not given, and an
unknown receptor is never taken as negative unless the caller says so. ``subtype_basis`` says
for every row how its subtype was derived, or why it could not be.

Survival is overall survival in months (``os_months``; days / 30.4375) with ``os_event`` 1 for
death of any cause, 0 censored. ``os_entry_months`` is the time from the survival origin to
entry into the cohort (e.g. sequencing), for delayed-entry (left-truncated) analysis.

References
----------
.. [1] Allison KH et al. Estrogen and progesterone receptor testing in breast cancer: ASCO/CAP
   guideline update. J Clin Oncol 2020;38:1346 (PMID 31928404): HR-positive if ER or PR >= 1%.
.. [2] Wolff AC et al. HER2 testing in breast cancer: ASCO/CAP focused update. Arch Pathol Lab
   Med 2018;142:1364: HER2-positive if IHC 3+ (overexpression) or ISH-amplified.
.. [3] Curtis C et al. Nature 2012;486:346 (PMID 22522925) and Pereira B et al. Nat Commun
   2016;7:11479 (PMID 27161491): METABRIC; cBioPortal study ``brca_metabric`` (``ER_IHC``,
   ``HER2_SNP6`` ERBB2 copy-number state, ``THREEGENE``).
.. [4] Haibe-Kains B et al. A three-gene model to robustly identify breast cancer molecular
   subtypes. J Natl Cancer Inst 2012;104:311 (PMID 22262870): ESR1/ERBB2/AURKA classifier.
.. [5] Razavi P et al. The genomic landscape of endocrine-resistant advanced breast cancers.
   Cancer Cell 2018;34:427 (PMID 30205045); cBioPortal study ``breast_msk_2018``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import polars as pl

from oncoboard.derive import Subtype
from oncoboard.io._tabular import Row, open_table

__all__ = [
    "CLINICAL_SCHEMA",
    "DAYS_PER_MONTH",
    "METABRIC_NOTES",
    "MSK_NOTES",
    "OPTIONAL_SCHEMA",
    "SUBTYPES",
    "metabric_clinical",
    "msk_clinical",
    "read_cohort_clinical",
    "write_cohort_clinical",
]

CLINICAL_SCHEMA: dict[str, pl.DataType] = {
    "sample": pl.String(),
    "patient": pl.String(),
    "subtype": pl.String(),  # Subtype value; null = undetermined or not given
    "subtype_basis": pl.String(),  # how the subtype was derived, or why it could not be
    "os_months": pl.Float64(),
    "os_event": pl.Int8(),  # 1 death (any cause), 0 censored, null unknown
}
"""Columns every cohort clinical table has, in order."""

OPTIONAL_SCHEMA: dict[str, pl.DataType] = {
    "dss_event": pl.Int8(),  # 1 died of the disease, 0 otherwise (alive or other cause)
    "os_entry_months": pl.Float64(),  # delayed entry: survival origin -> entry into the cohort
    "sample_type": pl.String(),  # e.g. Primary, Metastasis
    "sample_site": pl.String(),  # site the sequenced sample was taken from
}
"""Standard columns a table may have; other columns are kept as text."""

SUBTYPES: tuple[str, ...] = tuple(s.value for s in Subtype if s is not Subtype.UNDETERMINED)
"""The subtype vocabulary, in report order."""

DAYS_PER_MONTH = 30.4375
"""Mean Gregorian month (365.25 / 12 days)."""

METABRIC_NOTES: tuple[str, ...] = (
    "METABRIC: primary tumours of early breast cancer, not metastatic disease; alterations "
    "acquired under treatment (e.g. ESR1) are rare, and treatment predates CDK4/6 and PI3K "
    "inhibitors. Overall survival is from diagnosis.",
    "METABRIC subtypes: HR from ER IHC (PR not available); HER2 from SNP6 ERBB2 copy number "
    "and a 3-gene expression classifier, a surrogate for IHC/ISH.",
)
"""Limitations of :func:`metabric_clinical` tables, for the report's methods section."""

MSK_NOTES: tuple[str, ...] = (
    "MSK 2018: primary and metastatic samples of patients with advanced, largely "
    "endocrine-pretreated disease; overall survival is from diagnosis, and patients enter the "
    "cohort when sequenced (delayed entry).",
    "MSK 2018 subtypes: HR and HER2 of the sequenced sample, else the patient's overall status.",
)
"""Limitations of :func:`msk_clinical` tables, for the report's methods section."""

_STANDARD = CLINICAL_SCHEMA | OPTIONAL_SCHEMA
_SUBTYPE_BY_KEY = {s.lower(): s for s in SUBTYPES} | {"undetermined": None}


def _subtype(hr: bool | None, her2: bool | None) -> str | None:
    """Subtype of an HR and a HER2 call; ``None`` if either is unknown (never guessed)."""
    if hr is None or her2 is None:
        return None
    if her2:
        return Subtype.HR_POS_HER2_POS.value if hr else Subtype.HR_NEG_HER2_POS.value
    return Subtype.HR_POS_HER2_NEG.value if hr else Subtype.TRIPLE_NEGATIVE.value


def _frame(
    rows: list[dict[str, object]], optional: Iterable[str], extras: Sequence[str] = ()
) -> pl.DataFrame:
    """The table of ``rows``: the required, the given optional and the extra text columns."""
    schema = CLINICAL_SCHEMA | {c: OPTIONAL_SCHEMA[c] for c in OPTIONAL_SCHEMA if c in optional}
    schema |= {c: pl.String() for c in extras}
    return pl.DataFrame([{c: r.get(c) for c in schema} for r in rows], schema=schema)


# --- Oncoboard's own TSV -------------------------------------------------------------------


def read_cohort_clinical(path: Path | str) -> pl.DataFrame:
    """Read a cohort clinical table in Oncoboard's format (as :func:`write_cohort_clinical`).

    Parameters
    ----------
    path
        Tab-separated (plain or gzip) with a header. ``sample`` and ``subtype`` are required
        (any case); ``patient`` (default: the sample), ``subtype_basis``, ``os_months``,
        ``os_event`` and the :data:`OPTIONAL_SCHEMA` columns are read when present; other
        columns are kept as text. ``NA``, ``.`` and empty cells are missing.

    Returns
    -------
    polars.DataFrame
        :data:`CLINICAL_SCHEMA` columns, then the optional and extra columns present.

    Raises
    ------
    GenomicFileError
        Naming the file, line and column: a required column missing or a column repeated, an
        empty or repeated sample, a subtype outside :data:`SUBTYPES` (any case; ``undetermined``
        and missing values mean not given), a negative or
        non-numeric time, an event other than 0/1, ``dss_event`` 1 with ``os_event`` 0, or an
        entry time after the survival time.
    """
    table = open_table(path, has_header=lambda h: bool(h.column("sample")))
    header = table.header
    cols = header.require(sample=["sample"], subtype=["subtype"])
    repeated = sorted({n for n in header.names if header.names.count(n) > 1})
    if repeated:
        raise header.error(f"expected each column once, got {repeated!r} repeated")
    known = {name: header.column(name) for name in _STANDARD}
    extras = [n for n in header.names if n.lower() not in _STANDARD]
    default_basis = f"as given in {Path(path).name}"
    rows: list[dict[str, object]] = []
    seen: dict[str, int] = {}
    for row in table:
        sample = row.text(cols["sample"])
        if sample is None:
            raise row.error(cols["sample"], "expected a sample id, got ''")
        if sample in seen:
            raise row.error(
                cols["sample"],
                f"expected each sample once, got {sample!r} (also line {seen[sample]})",
            )
        seen[sample] = row.line
        record: dict[str, object] = {
            "sample": sample,
            "patient": row.text(known["patient"]) or sample,
            "subtype": _read_subtype(row, cols["subtype"]),
            "subtype_basis": row.text(known["subtype_basis"]) or default_basis,
            "sample_type": row.text(known["sample_type"]),
            "sample_site": row.text(known["sample_site"]),
        }
        record |= _read_survival(row, known)
        record |= {name: row.text(name) for name in extras}
        rows.append(record)
    return _frame(rows, [c for c in OPTIONAL_SCHEMA if known[c] is not None], extras)


def _read_subtype(row: Row, column: str) -> str | None:
    value = row.text(column)
    if value is None:
        return None
    if value.lower() not in _SUBTYPE_BY_KEY:
        allowed = [*SUBTYPES, "undetermined", "NA"]
        raise row.error(column, f"expected a subtype in {allowed!r}, got {value!r}")
    return _SUBTYPE_BY_KEY[value.lower()]


def _event(row: Row, column: str | None) -> int | None:
    value = row.integer(column)
    if value is not None and value > 1:
        raise row.error(column, f"expected 0 or 1, got {row.text(column)!r}")
    return value


def _read_survival(row: Row, known: dict[str, str | None]) -> dict[str, object]:
    months = row.number(known["os_months"], minimum=0)
    event = _event(row, known["os_event"])
    dss = _event(row, known["dss_event"])
    entry = row.number(known["os_entry_months"], minimum=0)
    if dss == 1 and event == 0:
        raise row.error(
            known["dss_event"],
            "expected 0 when os_event is 0 (death from the disease is a "
            f"death), got {row.text(known['dss_event'])!r}",
        )
    if entry is not None and months is not None and entry > months:
        raise row.error(
            known["os_entry_months"],
            f"expected an entry time <= os_months ({months:g}), got {entry:g}",
        )
    return {"os_months": months, "os_event": event, "dss_event": dss, "os_entry_months": entry}


def write_cohort_clinical(frame: pl.DataFrame, path: Path | str) -> Path:
    """Write a clinical table as Oncoboard's TSV (missing values as ``NA``); returns the path.

    The :data:`CLINICAL_SCHEMA` columns must be present; they are written first, then the
    optional and extra columns. :func:`read_cohort_clinical` reads the file back unchanged.
    """
    missing = [c for c in CLINICAL_SCHEMA if c not in frame.columns]
    if missing:
        raise ValueError(f"expected clinical columns {list(CLINICAL_SCHEMA)}, missing {missing}")
    order = list(CLINICAL_SCHEMA) + [c for c in OPTIONAL_SCHEMA if c in frame.columns]
    order += [c for c in frame.columns if c not in order]
    target = Path(path)
    frame.select(order).write_csv(target, separator="\t", null_value="NA")
    return target


# --- METABRIC ------------------------------------------------------------------------------

_ER_IHC = {"positve": True, "positive": True, "negative": False}  # 'Positve' as in the source
_HER2_SNP6 = frozenset({"gain", "neutral", "loss", "undef"})
_THREEGENE = frozenset({"er+/her2- high prolif", "er+/her2- low prolif", "er-/her2-", "her2+"})
_METABRIC_BASIS = "ER IHC; HER2 from SNP6 ERBB2 copy number and the 3-gene classifier"


def metabric_clinical(folder: Path | str, *, assume_pr_negative: bool = False) -> pl.DataFrame:
    """The clinical table of METABRIC (``metabric_clinical.tsv`` + ``metabric_survival.tsv``).

    Parameters
    ----------
    folder
        Holds ``metabric_clinical.tsv`` (cBioPortal ``brca_metabric`` patient attributes) and
        ``metabric_survival.tsv`` (``time`` days, ``event`` 0 alive / 1 died of the disease /
        2 died of other causes).
    assume_pr_negative
        PR status is not in the table. By default an ER-negative tumour has an undetermined
        HR status (ER-/PR+ cannot be excluded [1]_), so TNBC and HR-/HER2+ are never called.
        With ``True`` ER-negative is taken as HR-negative, and ``subtype_basis`` says so.

    Returns
    -------
    polars.DataFrame
        One row per patient (``sample`` = ``patient`` = ``patientId``, the id of the mutation
        table); ``os_months`` = days / 30.4375; ``os_event`` 1 for events 1 and 2;
        ``dss_event`` 1 for event 1; ``sample_type`` ``Primary``.

    Raises
    ------
    GenomicFileError
        If a file or column is missing, a patient repeats, a value is outside the source's
        vocabulary, or the survival table names a patient not in the clinical table.

    Notes
    -----
    Subtype rules (surrogates; METABRIC has no clinical HER2 IHC/ISH in this table):

    - HR: ``ER_IHC`` positive -> HR-positive [1]_; negative -> see ``assume_pr_negative``;
      missing -> undetermined.
    - HER2 [2]_: positive when ``HER2_SNP6`` is ``GAIN`` *and* the 3-gene classifier [4]_
      calls ``HER2+`` (copy-number gain with ERBB2 overexpression); negative when ``NEUTRAL``
      or ``LOSS`` (no gain), or ``GAIN`` with a non-HER2+ 3-gene call (low-level gain without
      overexpression); undetermined for ``UNDEF``/missing, or ``GAIN`` without a 3-gene call.
      SNP6 ``GAIN`` alone includes low-level gains (438 of 1,980 tumours, 22%, against the
      expected 12-15% HER2-positive), so it is not used alone.
    """
    base = Path(folder)
    clinical_path, survival_path = base / "metabric_clinical.tsv", base / "metabric_survival.tsv"
    rows: dict[str, dict[str, object]] = {}
    table = open_table(clinical_path, has_header=lambda h: bool(h.column("patientId")))
    cols = table.header.require(
        patient=["patientId"], er=["ER_IHC"], her2=["HER2_SNP6"], threegene=["THREEGENE"]
    )
    for row in table:
        patient = _unique_id(row, cols["patient"], rows)
        hr = _choice(row, cols["er"], _ER_IHC)
        snp6 = _vocabulary(row, cols["her2"], _HER2_SNP6)
        threegene = _vocabulary(row, cols["threegene"], _THREEGENE)
        rows[patient] = {
            "sample": patient,
            "patient": patient,
            **_metabric_subtype(hr, snp6, threegene, assume_pr_negative),
            "os_months": None,
            "os_event": None,
            "dss_event": None,
            "sample_type": "Primary",
        }
    _metabric_survival(survival_path, rows)
    return _frame(list(rows.values()), ["dss_event", "sample_type"])


def _metabric_subtype(
    er: bool | None, snp6: str | None, threegene: str | None, assume_pr_negative: bool
) -> dict[str, object]:
    reasons: list[str] = []
    hr: bool | None = True if er else None
    if er is None:
        reasons.append("ER IHC not available")
    elif not er and assume_pr_negative:
        hr = False
    elif not er:
        reasons.append("ER-negative and PR not available")
    her2: bool | None = None
    if snp6 in ("neutral", "loss"):
        her2 = False
    elif snp6 == "gain" and threegene is not None:
        her2 = threegene == "her2+"
    elif snp6 == "gain":
        reasons.append("ERBB2 copy-number gain without a 3-gene call")
    else:
        reasons.append("ERBB2 copy number undefined")
    pr = (
        "PR not available; ER-negative taken as HR-negative"
        if assume_pr_negative
        else ("PR not available")
    )
    basis = f"{_METABRIC_BASIS} ({pr})"
    if reasons:
        basis = f"undetermined: {'; '.join(reasons)}. {basis}"
    return {"subtype": _subtype(hr, her2), "subtype_basis": basis}


def _metabric_survival(path: Path, rows: dict[str, dict[str, object]]) -> None:
    table = open_table(path, has_header=lambda h: bool(h.column("patientId")))
    cols = table.header.require(patient=["patientId"], time=["time"], event=["event"])
    seen: dict[str, dict[str, object]] = {}
    for row in table:
        patient = _unique_id(row, cols["patient"], seen)
        seen[patient] = {}
        if patient not in rows:
            raise row.error(
                cols["patient"], f"expected a patient of metabric_clinical.tsv, got {patient!r}"
            )
        days = row.number(cols["time"], minimum=0)
        event = row.integer(cols["event"])
        if event is not None and event > 2:
            raise row.error(cols["event"], f"expected 0, 1 or 2, got {row.text(cols['event'])!r}")
        rows[patient] |= {
            "os_months": None if days is None else days / DAYS_PER_MONTH,
            "os_event": None if event is None else int(event > 0),
            "dss_event": None if event is None else int(event == 1),
        }


# --- MSK 2018 (Razavi et al.) --------------------------------------------------------------

_STATUS = {"positive": True, "negative": False}
_MSK = {
    "sample": ["Sample ID"],
    "patient": ["Patient ID"],
    "hr_sample": ["Overall HR Status of Sequenced Sample"],
    "her2_sample": ["Overall HER2 Status of Sequenced Sample"],
    "hr_patient": ["Overall Patient HR Status"],
    "her2_patient": ["Overall Patient HER2 Status"],
    "os_months": ["Overall Survival (Months)"],
    "os_status": ["Overall Survival Status"],
    "diagnosis": ["Time to Diagnosis Invasive Carcinoma"],
    "sequenced": ["NGS Sample Collection Time Period"],
    "sample_type": ["Sample Type"],
    "site": ["Site of Sample"],
}


def msk_clinical(path: Path | str) -> pl.DataFrame:
    """The clinical table of the MSK 2018 cohort [5]_, one row per sequenced sample.

    Parameters
    ----------
    path
        cBioPortal's ``breast_msk_2018`` clinical data download (one row per sample).

    Returns
    -------
    polars.DataFrame
        ``os_months`` from ``Overall Survival (Months)`` (from diagnosis), ``os_event`` from
        ``Overall Survival Status`` (``1:DECEASED`` -> 1, ``0:LIVING`` -> 0),
        ``os_entry_months`` = sample collection - diagnosis (both in months of age; clipped
        to [0, os_months] as the collection time is rounded to whole months): patients enter
        the cohort when sequenced, often years after diagnosis, so the data are
        left-truncated; ``sample_type`` and ``sample_site`` as given. No cause of death.

    Raises
    ------
    GenomicFileError
        If a column is missing, a sample repeats, or a status or time is unreadable.

    Notes
    -----
    HR and HER2 are each taken from the sequenced sample (``Overall HR/HER2 Status of
    Sequenced Sample``), as receptors can change between primary and metastasis; where the
    sample's status is ``Unk/ND`` or ``Equivocal`` the patient's overall status is used,
    and ``subtype_basis`` says which.
    """
    table = open_table(path, has_header=lambda h: bool(h.column("Sample ID")))
    cols = table.header.require(**_MSK)
    rows: dict[str, dict[str, object]] = {}
    for row in table:
        sample = _unique_id(row, cols["sample"], rows)
        patient = row.text(cols["patient"])
        if patient is None:
            raise row.error(cols["patient"], "expected a patient id, got ''")
        hr, hr_from = _msk_receptor(row, cols["hr_sample"], cols["hr_patient"])
        her2, her2_from = _msk_receptor(row, cols["her2_sample"], cols["her2_patient"])
        months = row.number(cols["os_months"], minimum=0)
        rows[sample] = {
            "sample": sample,
            "patient": patient,
            "subtype": _subtype(hr, her2),
            "subtype_basis": f"HR: {hr_from}; HER2: {her2_from} (MSK 2018 clinical annotation)",
            "os_months": months,
            "os_event": _msk_status(row, cols["os_status"]),
            "os_entry_months": _msk_entry(row, cols, months),
            "sample_type": row.text(cols["sample_type"]),
            "sample_site": row.text(cols["site"]),
        }
    return _frame(list(rows.values()), ["os_entry_months", "sample_type", "sample_site"])


def _msk_receptor(row: Row, sample_col: str, patient_col: str) -> tuple[bool | None, str]:
    on_sample = row.text(sample_col)
    if on_sample is not None and on_sample.lower() in _STATUS:
        return _STATUS[on_sample.lower()], "sequenced sample"
    on_patient = _choice(row, patient_col, _STATUS)
    shown = on_sample or "not given"
    if on_patient is None:
        return None, f"undetermined (sequenced sample {shown}, patient not given)"
    return on_patient, f"patient overall (sequenced sample {shown})"


def _msk_status(row: Row, column: str) -> int | None:
    value = row.text(column)
    if value is None:
        return None
    code = value.split(":", 1)[0].strip()
    if code not in ("0", "1"):
        raise row.error(column, f"expected '0:LIVING' or '1:DECEASED', got {value!r}")
    return int(code)


def _msk_entry(row: Row, cols: dict[str, str], months: float | None) -> float | None:
    diagnosis = row.number(cols["diagnosis"], minimum=0)
    sequenced = row.number(cols["sequenced"], minimum=0)
    if diagnosis is None or sequenced is None:
        return None
    entry = max(0.0, sequenced - diagnosis)
    return entry if months is None else min(entry, months)


# --- shared cell readers -------------------------------------------------------------------


def _unique_id(row: Row, column: str, seen: dict[str, dict[str, object]]) -> str:
    value = row.text(column)
    if value is None:
        raise row.error(column, "expected an id, got ''")
    if value in seen:
        raise row.error(column, f"expected each id once, got {value!r} again")
    return value


def _choice(row: Row, column: str, values: dict[str, bool]) -> bool | None:
    value = row.text(column)
    if value is None:
        return None
    if value.lower() not in values:
        raise row.error(column, f"expected one of {sorted(values)!r}, got {value!r}")
    return values[value.lower()]


def _vocabulary(row: Row, column: str, values: frozenset[str]) -> str | None:
    value = row.text(column)
    if value is None:
        return None
    if value.lower() not in values:
        raise row.error(column, f"expected one of {sorted(values)!r}, got {value!r}")
    return value.lower()
