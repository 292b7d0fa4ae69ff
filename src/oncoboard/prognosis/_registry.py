"""The shipped models: JSON artefacts in ``oncoboard/prognosis/models/``, read on demand."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from pydantic import ValidationError

from oncoboard._resources import read_text
from oncoboard.errors import KnowledgeError
from oncoboard.prognosis._artefact import CoxArtefact
from oncoboard.prognosis._cox import CoxModel
from oncoboard.prognosis._errors import UnknownModelError

__all__ = ["available_models", "load_model", "validation_summary"]

_PACKAGE = "oncoboard.prognosis"
_FOLDER = "models"
_SUFFIX = ".json"


def available_models() -> tuple[str, ...]:
    """Ids of the shipped models, sorted (e.g. ``("desmedt2007-clinical",)``)."""
    folder = resources.files(_PACKAGE).joinpath(_FOLDER)
    names = [entry.name for entry in folder.iterdir() if entry.name.endswith(_SUFFIX)]
    return tuple(sorted(name.removesuffix(_SUFFIX) for name in names))


@cache
def load_model(model_id: str) -> CoxModel:
    """The shipped model ``model_id``, read and validated once.

    Raises
    ------
    UnknownModelError
        If no shipped model has this id.
    KnowledgeError
        If the artefact is malformed, of another schema version, or names another model.
    """
    available = available_models()
    if model_id not in available:
        raise UnknownModelError(model_id, available)
    name = f"{_FOLDER}/{model_id}{_SUFFIX}"
    try:
        artefact = CoxArtefact.model_validate_json(read_text(_PACKAGE, name))
    except ValidationError as exc:
        raise KnowledgeError(
            f"package data {_PACKAGE}/{name!r} is not a valid model: {exc}"
        ) from exc
    if artefact.model_id != model_id:
        raise KnowledgeError(
            f"package data {_PACKAGE}/{name!r}: expected model_id {model_id!r}, "
            f"got {artefact.model_id!r}"
        )
    return CoxModel(artefact)


@cache
def validation_summary(model_id: str) -> dict[str, Any] | None:
    """The aggregates the report draws next to an estimate of ``model_id`` (training
    cohort's curves by risk group and calibration by quantile), or None if none is shipped.
    Written by the training script to ``oncoboard/prognosis/validation/<id>.json``."""
    path = resources.files(_PACKAGE).joinpath("validation", f"{model_id}{_SUFFIX}")
    if not path.is_file():
        return None
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document
