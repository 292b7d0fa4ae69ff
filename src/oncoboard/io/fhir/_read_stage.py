"""FHIR → case: TNM staging (mCODE TNMStageGroup and its T, N and M category observations,
or Condition.stage.summary), read from SNOMED CT or AJCC codes or the value text."""

from __future__ import annotations

import re
from typing import Any

from oncoboard.io.fhir import _codes as fc
from oncoboard.io.fhir._context import Context, validated
from oncoboard.io.fhir._json import Json, codes_of, codings, effective_date, text_of
from oncoboard.model import Stage

__all__ = ["read_stage", "stage_value", "staging_part"]

_ROMAN = {"0": "0", "1": "I", "2": "II", "3": "III", "4": "IV"}
_PART_PATTERN = {
    "t": r"T(?:X|0|is|1mi|1a|1b|1c|1|2|3|4a|4b|4c|4d|4)",
    "n": r"N(?:X|0|1mi|1a|1b|1c|1|2a|2b|2|3a|3b|3c|3)",
    "m": r"M(?:0|1)",
    "group": r"(?:0|IA|IB|IIA|IIB|IIIA|IIIB|IIIC|IV)",
}


def _stage_token(part: str, raw: str | None) -> tuple[str, str] | None:
    """(value, basis) parsed from an AJCC code, a SNOMED display or our text; else None."""
    if not raw:
        return None
    text = raw.strip().removeprefix("American Joint Committee on Cancer ")
    text = re.sub(r"\s*\(.*\)$", "", text)
    text = re.sub(r"^(?:[Ss]tage\s+)", "", text)
    match = re.fullmatch(r"(yp|p|c)?(.+)", text)
    assert match is not None
    prefix, rest = match[1] or "", match[2]
    if part == "group":
        rest = re.sub(r"^(?:[Ss]tage\s*)", "", rest)
        arabic = re.fullmatch(r"([0-4])([ABC]?)", rest)
        if arabic:
            rest = _ROMAN[arabic[1]] + arabic[2]
    if not re.fullmatch(_PART_PATTERN[part], rest):
        return None
    basis = {"yp": "post_neoadjuvant", "p": "pathological", "c": "clinical"}.get(prefix, "")
    return rest, basis


def stage_value(observation: Json, part: str) -> tuple[str, str] | None:
    value = observation.get("valueCodeableConcept")
    for code in codes_of(value):
        if code in fc.STAGE_VALUE_SNOMED:
            code_part, basis, text = fc.STAGE_VALUE_SNOMED[code]
            if code_part == part:
                return text, basis
    candidates = [(value or {}).get("text")] + [c for _, c, _ in codings(value)]
    candidates += [d for _, _, d in codings(value)]
    for raw in candidates:
        parsed = _stage_token(part, raw)
        if parsed is not None:
            return parsed
    return None


def staging_part(observation: Json) -> tuple[str, str] | None:
    for code in codes_of(observation.get("code")):
        if code in fc.STAGING_CODES:
            return fc.STAGING_CODES[code]
    return None


def _staging_sets(ctx: Context, primary: Json) -> list[list[Json]]:
    """Staging observations grouped: a stage group with its members, else by date; the set the
    primary condition references first, then by date."""
    parts = {id(o): p for o in ctx.of_type("Observation") if (p := staging_part(o)) is not None}
    staging = [o for o in ctx.of_type("Observation") if id(o) in parts]
    sets: list[list[Json]] = []
    grouped: set[int] = set()
    for observation in staging:
        if parts[id(observation)][0] == "group":
            found = [ctx.resolve(m) for m in observation.get("hasMember") or []]
            members = [m for m in found if m is not None and id(m) in parts]
            sets.append([observation, *members])
            grouped |= {id(observation), *(id(m) for m in members)}
    loose: dict[str, list[Json]] = {}
    for observation in staging:
        if id(observation) not in grouped:
            when = str(effective_date(observation, "effectiveDateTime"))
            loose.setdefault(when, []).append(observation)
    sets += list(loose.values())
    assessed = set()
    for entry in primary.get("stage") or []:
        for assessment in entry.get("assessment") or []:
            target = ctx.resolve(assessment)
            if target is not None:
                assessed.add(id(target))
    sets.sort(
        key=lambda s: (id(s[0]) not in assessed, str(effective_date(s[0], "effectiveDateTime")))
    )
    return sets


def read_stage(ctx: Context, primary: Json) -> dict[str, Any] | None:
    """The stage at diagnosis: the stage group the primary references, else the earliest set."""
    sets = _staging_sets(ctx, primary)
    if not sets:
        return _stage_from_summary(ctx, primary)
    chosen = sets[0]
    for other in sets[1:]:
        for observation in other:
            ctx.skip(observation, "a later or second staging; the case model keeps one stage")
    first = staging_part(chosen[0])
    assert first is not None
    stage: dict[str, Any] = {"basis": first[1]}
    method = chosen[0].get("method")
    system = next(
        (fc.STAGING_METHODS[c] for c in codes_of(method) if c in fc.STAGING_METHODS), None
    )
    if system or text_of(method):
        stage["system"] = system or text_of(method)
    else:
        ctx.note(chosen[0], "no staging method: recorded as the model default AJCC 8")
    for observation in chosen:
        part = staging_part(observation)
        assert part is not None
        parsed = stage_value(observation, part[0])
        if parsed is not None:
            stage[part[0]] = parsed[0]
        elif observation.get("valueCodeableConcept") is not None:
            value = text_of(observation["valueCodeableConcept"])
            ctx.note(observation, f"stage value {value!r} not understood; left out")
    if not validated(ctx, chosen[0], Stage, stage):
        return None
    for observation in chosen:
        ctx.use(observation)
    return stage


def _stage_from_summary(ctx: Context, primary: Json) -> dict[str, Any] | None:
    for entry in primary.get("stage") or []:
        summary = entry.get("summary")
        for raw in [text_of(summary), *[c for _, c, _ in codings(summary)]]:
            parsed = _stage_token("group", raw)
            if parsed is not None:
                ctx.note(primary, f"stage group {parsed[0]} taken from Condition.stage.summary")
                return {"group": parsed[0], "basis": parsed[1] or "clinical"}
    return None
