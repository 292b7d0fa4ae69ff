"""Case files: one YAML or JSON document per patient.

Reading never loses track of where a value came from: every problem is reported as
``FILE:LINE: field.path: message`` (see :class:`~oncoboard.errors.Problem`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from oncoboard.derive import unknown_agents
from oncoboard.errors import CaseFileError, Problem
from oncoboard.io._locate import NodeLocator, duplicate_keys
from oncoboard.knowledge import drug_vocabulary
from oncoboard.model import Case, FieldError

__all__ = [
    "CASE_SUFFIXES",
    "CaseDocument",
    "Format",
    "canonical_document",
    "dump_case",
    "find_case_files",
    "load_case",
    "parse_case",
    "parse_text",
    "read_document",
]

Format = Literal["yaml", "json"]
CASE_SUFFIXES: dict[str, Format] = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}


@dataclass(frozen=True)
class CaseDocument:
    """A parsed, not yet validated, case document with its source text.

    :attr:`root` is the YAML node tree that maps field paths to lines; for JSON it is only
    built when a problem has to be located.
    """

    name: str
    format: Format
    text: str
    data: Any
    yaml_root: yaml.Node | None = field(default=None, repr=False, compare=False)

    @cached_property
    def root(self) -> yaml.Node | None:
        """Node tree of the text (``None`` if YAML cannot compose it: no line numbers then)."""
        if self.yaml_root is not None:
            return self.yaml_root
        try:
            return yaml.compose(self.text, Loader=_FastLoader)
        except yaml.YAMLError:
            return None


_FastLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _CaseLoader(_FastLoader):  # type: ignore[misc, valid-type]
    """Safe (libyaml where available) loader that leaves timestamps as text, so the model
    parses and reports dates."""


def _timestamp_as_text(loader: _CaseLoader, node: yaml.Node) -> str:
    assert isinstance(node, yaml.ScalarNode)  # timestamps are scalars by the YAML grammar
    return str(loader.construct_scalar(node))


_CaseLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)


def _error(name: str, line: int | None, message: str, path: str = "") -> CaseFileError:
    return CaseFileError(name, [Problem(name, line, path, message)])


def _format_of(name: str) -> Format:
    suffix = Path(name).suffix.lower()
    if suffix not in CASE_SUFFIXES:
        message = f"expected a .yaml, .yml or .json file, got suffix {suffix!r}"
        raise _error(name, None, message)
    return CASE_SUFFIXES[suffix]


def read_document(path: Path | str, *, name: str | None = None) -> CaseDocument:
    """Read and parse one case file (UTF-8 YAML or JSON); syntax errors carry their line."""
    label = name or str(path)
    fmt = _format_of(label)
    try:
        text = Path(path).read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _error(label, None, f"not UTF-8 text: {exc}") from exc
    except OSError as exc:
        raise _error(label, None, exc.strerror or str(exc)) from exc
    return parse_text(text, label, fmt)


class _DuplicateKeyError(ValueError):
    pass


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    mapping = dict(pairs)
    if len(mapping) != len(pairs):
        raise _DuplicateKeyError
    return mapping


def _parse_yaml(text: str, name: str) -> CaseDocument:
    loader = _CaseLoader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise _error(name, line, f"invalid YAML: {problem}") from exc
    finally:
        loader.dispose()
    return CaseDocument(name, "yaml", text, data, root)


def _parse_json(text: str, name: str) -> tuple[CaseDocument, bool]:
    """The document, and whether some mapping repeats a key (located later via the tree)."""
    try:
        return CaseDocument(name, "json", text, json.loads(text, object_pairs_hook=_unique)), False
    except json.JSONDecodeError as exc:
        raise _error(name, exc.lineno, f"invalid JSON: {exc.msg}") from exc
    except _DuplicateKeyError:
        return CaseDocument(name, "json", text, json.loads(text)), True


def parse_text(text: str, name: str, fmt: Format) -> CaseDocument:
    """Parse ``text`` as a case document of format ``fmt``; ``name`` is used in messages."""
    if fmt == "json":
        document, repeated = _parse_json(text, name)
    else:
        document, repeated = _parse_yaml(text, name), True
    duplicates = duplicate_keys(document.root) if repeated else []
    if duplicates:
        problems = [
            Problem(name, d.line, d.path, "key appears twice in one mapping") for d in duplicates
        ]
        raise CaseFileError(name, problems)
    if not isinstance(document.data, dict):
        kind = type(document.data).__name__
        raise _error(name, 1, f"expected a mapping at the top level, got {kind}")
    return document


def _message(error: ErrorDetails) -> tuple[tuple[str | int, ...], str]:
    loc = tuple(error["loc"])
    ctx = error.get("ctx") or {}
    cause = ctx.get("error")
    if isinstance(cause, FieldError):
        parts = tuple(int(p) if p.isdigit() else p for p in cause.field.split("."))
        return loc + parts, str(cause)
    if error["type"] in ("union_tag_invalid", "union_tag_not_found"):
        loc = (*loc, str(ctx.get("discriminator", "")).strip("'"))
    message = error["msg"].removeprefix("Value error, ")
    value = error.get("input")
    if (
        error["type"] != "missing"
        and not isinstance(value, dict | list | BaseModel)
        and not isinstance(cause, Exception)
    ):
        message = f"{message} (got {value!r})"
    return loc, message


def _problems(document: CaseDocument, exc: ValidationError) -> list[Problem]:
    locator = NodeLocator(document.root)
    problems = []
    for error in exc.errors():
        loc, message = _message(error)
        where = locator.locate(loc)
        problems.append(Problem(document.name, where.line, where.path, message))
    return sorted(problems, key=lambda p: (p.line or 0, p.path))


def _semantic_problems(document: CaseDocument, case: Case) -> list[Problem]:
    """Checks that need packaged knowledge: agent names must be in the drug vocabulary."""
    vocabulary = drug_vocabulary()
    locator = NodeLocator(document.root)
    problems = []
    for line_index, agent_index in unknown_agents(case, vocabulary):
        name = case.treatments[line_index].agents[agent_index].name
        where = locator.locate(("treatments", line_index, "agents", agent_index, "name"))
        hint = vocabulary.suggest(name)
        advice = f"did you mean {', '.join(map(repr, hint))}? " if hint else ""
        problems.append(
            Problem(
                document.name,
                where.line,
                where.path,
                f"unknown agent {name!r}; {advice}use a generic name from the "
                f"drug vocabulary or set investigational: true",
            )
        )
    return problems


def parse_case(document: CaseDocument) -> Case:
    """Validate a parsed document into a :class:`Case`; raises :class:`CaseFileError`."""
    try:
        case = Case.model_validate(document.data)
    except ValidationError as exc:
        raise CaseFileError(document.name, _problems(document, exc)) from exc
    problems = _semantic_problems(document, case)
    if problems:
        raise CaseFileError(document.name, problems)
    return case


def load_case(path: Path | str) -> Case:
    """Read, parse and validate one case file (a JSON FHIR R4 Bundle is read as mCODE)."""
    document = read_document(path)
    if document.format == "json" and document.data.get("resourceType") == "Bundle":
        from oncoboard.io.fhir import read_fhir_bundle

        return read_fhir_bundle(document.data, name=document.name).case
    return parse_case(document)


def find_case_files(paths: Iterable[Path | str]) -> Iterator[Path]:
    """Expand directories (non-recursive, sorted) into their .yaml/.yml/.json files."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from sorted(
                p for p in path.iterdir() if p.is_file() and p.suffix.lower() in CASE_SUFFIXES
            )
        else:
            yield path


def canonical_document(case: Case) -> dict[str, Any]:
    """The case as plain JSON data: defaults omitted, dates as ISO strings, enums as values."""
    document: dict[str, Any] = case.model_dump(mode="json", exclude_defaults=True)
    document["schema_version"] = case.schema_version
    return document


def dump_case(case: Case, fmt: Format) -> str:
    """Serialise ``case`` as a YAML or JSON case file that validates back to an equal case."""
    document = canonical_document(case)
    if fmt == "json":
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
