"""State of one bundle import: resources by reference, what was used, skipped or assumed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from oncoboard.errors import CaseFileError, Problem
from oncoboard.io.fhir._json import Json, codes_of, effective_date, reference_of

__all__ = ["Context", "ImportNote", "Skipped", "has_code", "label", "profiles", "validated"]


@dataclass(frozen=True, slots=True)
class Skipped:
    """A resource of the bundle that is not in the imported case, and why."""

    resource_type: str
    resource_id: str | None
    reason: str

    def __str__(self) -> str:
        return f"{self.resource_type}/{self.resource_id or '?'}: {self.reason}"


@dataclass(frozen=True, slots=True)
class ImportNote:
    """Something the import assumed or left out within a resource it did import."""

    resource_type: str
    resource_id: str | None
    message: str

    def __str__(self) -> str:
        return f"{self.resource_type}/{self.resource_id or '?'}: {self.message}"


def label(resource: Json) -> str:
    """``Type/id`` of a resource."""
    return f"{resource.get('resourceType')}/{resource.get('id') or '?'}"


class Context:
    """Resources of one bundle, indexed by every form a reference to them may take."""

    def __init__(
        self, name: str, entries: list[tuple[int, Json, str | None]], assume: dt.date | None
    ):
        self.name = name
        self.assume_date = assume
        self.skipped: list[Skipped] = []
        self.notes: list[ImportNote] = []
        self.resources: list[Json] = []
        self._index: dict[int, int] = {}  # id(resource) -> entry index
        self._by_ref: dict[str, Json] = {}
        self._done: set[int] = set()
        for index, resource, full_url in entries:
            self.resources.append(resource)
            self._index[id(resource)] = index
            kind, rid = resource.get("resourceType"), resource.get("id")
            keys = [full_url] if full_url else []
            if rid:
                keys += [f"{kind}/{rid}", f"urn:uuid:{rid}"]
            for key in keys:
                self._by_ref.setdefault(str(key), resource)

    # --- lookup -----------------------------------------------------------------------------
    def of_type(self, *kinds: str) -> Iterator[Json]:
        """Resources of these types not yet used or skipped, in bundle order."""
        for resource in self.resources:
            if resource.get("resourceType") in kinds and id(resource) not in self._done:
                yield resource

    def resolve(self, reference: Json | str | None) -> Json | None:
        """The resource a Reference (or reference string) points to, if in the bundle."""
        ref = reference if isinstance(reference, str) else reference_of(reference)
        if ref is None:
            return None
        found = self._by_ref.get(ref)
        if found is None and "/" in ref and not ref.startswith("urn:"):
            found = self._by_ref.get("/".join(ref.rsplit("/", 2)[-2:]))  # absolute URL
        return found

    def entry_index(self, resource: Json) -> int:
        """Index of the resource's entry in the bundle."""
        return self._index[id(resource)]

    # --- outcome ----------------------------------------------------------------------------
    def use(self, resource: Json) -> None:
        """Mark ``resource`` as imported."""
        self._done.add(id(resource))

    def done(self, resource: Json) -> bool:
        """True once ``resource`` was imported or skipped."""
        return id(resource) in self._done

    def skip(self, resource: Json, reason: str) -> None:
        """Report ``resource`` as not imported, with ``reason``."""
        if id(resource) in self._done:
            return
        self._done.add(id(resource))
        self.skipped.append(Skipped(str(resource.get("resourceType")), resource.get("id"), reason))

    def note(self, resource: Json | None, message: str) -> None:
        """Record an assumption or a dropped element of an imported resource."""
        if resource is None:
            self.notes.append(ImportNote("Bundle", None, message))
        else:
            kind = str(resource.get("resourceType"))
            self.notes.append(ImportNote(kind, resource.get("id"), message))

    def fail(self, resource: Json | None, field: str, message: str) -> CaseFileError:
        """An error naming the file, the resource (type/id and entry) and the field."""
        if resource is None:
            return CaseFileError(self.name, [Problem(self.name, None, field, message)])
        path = f"entry.{self.entry_index(resource)}.resource.{field}"
        text = f"{label(resource)}: {message}"
        return CaseFileError(self.name, [Problem(self.name, None, path, text)])

    # --- dates ------------------------------------------------------------------------------
    def date(self, resource: Json, *fields: str) -> dt.date | None:
        """The resource's first full date among ``fields``; else the assumed date (noted)."""
        found = effective_date(resource, *fields)
        if found is None and self.assume_date is not None:
            self.note(resource, f"no date ({' / '.join(fields)}); assumed {self.assume_date}")
            return self.assume_date
        return found


def has_code(resource: Json, field: str, codes: set[str] | frozenset[str]) -> bool:
    """True when ``resource[field]`` (a CodeableConcept) has one of ``codes``."""
    return bool(codes_of(resource.get(field)) & codes)


def profiles(resource: Json) -> list[str]:
    """meta.profile URLs."""
    return [str(p) for p in (resource.get("meta") or {}).get("profile") or []]


def validated(ctx: Context, resource: Json, model: type[BaseModel], data: dict[str, Any]) -> bool:
    """True when ``data`` validates as ``model``; else the resource is skipped with the reason."""
    try:
        model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        message = first["msg"].removeprefix("Value error, ")
        ctx.skip(resource, f"not a valid {model.__name__}: {where}: {message}".replace(": :", ":"))
        return False
    ctx.use(resource)
    return True
