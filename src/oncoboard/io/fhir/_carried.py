"""The part of a case that an mCODE bundle carries: ``mcode_subset(case)`` is equal for a case
and for the case read back from ``case_to_fhir(case)``. docs/interop.md has the same list as a
table, with the FHIR element of each field and the reason for each field that is not carried."""

from __future__ import annotations

from typing import Any

from oncoboard.model import Case, HER2Test, TreatmentLine

__all__ = ["mcode_subset"]

_PATIENT = ("id", "sex", "birth_date", "age_years")
_PRIMARY = ("date", "histology", "icdo3_morphology", "laterality", "stage")
_SITE = ("site", "date", "detail", "active")
_RECEPTOR_COMMON = ("receptor", "date", "method", "lab", "specimen_site")
_HORMONE = ("percent", "interpretation")
_HER2 = ("ihc_score", "ihc_antibody", "ish_result", "ish_ratio", "her2_copies_per_cell")
_REPORT = ("id", "date", "specimen_type", "origin", "assay", "specimen_site", "genes_tested")
_VARIANT = (
    "gene",
    "hgvs_c",
    "hgvs_p",
    "transcript",
    "genome_build",
    "chromosome",
    "position",
    "ref",
    "alt",
    "vaf",
)
_CNV = ("gene", "type", "copy_number")
_FUSION = ("gene_5p", "gene_3p")  # in_frame, supporting_reads: no standard component
_MSI = ("status", "method")  # score: the MSI profile's value is the status
_LOCAL = ("kind", "site", "start_date", "stop_date", "total_dose_gy", "fractions", "intent")
_EVENT = ("term", "grade", "onset_date", "resolved_date", "attributed_to", "serious")


def _pick(data: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {key: data.get(key) for key in keys}


def _line(line: TreatmentLine) -> dict[str, Any] | None:
    """A treatment line as the bundle carries it (one MedicationRequest per agent).

    Investigational agents are not carried (no vocabulary name to read them back). An agent's
    own stop date is carried as its request's end: it is told apart from the line's only when
    earlier, and a line without a stop date whose agents all stopped ends with the last one.
    """
    agents = [a for a in line.agents if not a.investigational]
    if not agents:
        return None
    ends = [a.stop_date or line.stop_date for a in agents]
    stop = line.stop_date
    if stop is None and all(e is not None for e in ends):
        stop = max(e for e in ends if e is not None)
    out_agents = []
    for agent, end in zip(agents, ends, strict=True):
        item: dict[str, Any] = {"name": agent.name, "dose": agent.dose}
        own = agent.stop_date is not None and (stop is None or end is None or end < stop)
        item["stop_date"] = agent.stop_date if own else None
        item["reason_stopped"] = (
            agent.reason_stopped.value if own and agent.reason_stopped else None
        )
        out_agents.append(item)
    own_reasons = [a.reason_stopped for a in agents if a.stop_date is not None]
    reason = line.reason_stopped
    if line.stop_date is None and stop is not None:  # the line's end came from its agents
        reason = own_reasons[-1] if own_reasons else None
    return {
        "id": line.id,
        "setting": line.setting.value,
        "agents": out_agents,
        "start_date": line.start_date.isoformat(),
        "stop_date": stop.isoformat() if stop else None,
        "reason_stopped": reason.value if reason else None,
        "best_response": line.best_response.value if line.best_response else None,
        "progression_date": line.progression_date.isoformat() if line.progression_date else None,
    }


def mcode_subset(case: Case) -> dict[str, Any]:
    """The fields of ``case`` that an mCODE STU4 bundle written by ``case_to_fhir`` carries.

    Plain JSON data (dates as ISO strings, enums as values); absent fields are ``None``.
    """
    data = case.model_dump(mode="json")
    primary = _pick(data["primary_diagnosis"], _PRIMARY)
    receptors = []
    for test, raw in zip(case.receptors, data["receptors"], strict=True):
        keys = _RECEPTOR_COMMON + (_HER2 if isinstance(test, HER2Test) else _HORMONE)
        receptors.append(_pick(raw, keys))
    reports = []
    for raw in data["genomic_reports"]:
        report = _pick(raw, _REPORT)
        report["variants"] = [_pick(v, _VARIANT) for v in raw["variants"]]
        report["copy_number"] = [_pick(c, _CNV) for c in raw["copy_number"]]
        report["fusions"] = [_pick(f, _FUSION) for f in raw["fusions"]]
        report["tmb"] = raw["tmb"]["value"] if raw["tmb"] else None
        report["msi"] = _pick(raw["msi"], _MSI) if raw["msi"] else None
        reports.append(report)
    return {
        "schema_version": data["schema_version"],
        "synthetic": data["synthetic"],
        "as_of": data["as_of"],
        "patient": _pick(data["patient"], _PATIENT),
        "primary_diagnosis": primary,
        "metastatic_sites": [_pick(s, _SITE) for s in data["metastatic_sites"]],
        "receptors": receptors,
        "performance_status": data["performance_status"],
        "tumor_markers": data["tumor_markers"],
        "genomic_reports": reports,
        "treatments": [item for line in case.treatments if (item := _line(line)) is not None],
        "local_therapies": [_pick(t, _LOCAL) for t in data["local_therapies"]],
        "adverse_events": [_pick(e, _EVENT) for e in data["adverse_events"]],
    }
