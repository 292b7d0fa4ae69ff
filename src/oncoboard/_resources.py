"""The one helper through which package data is read (via :mod:`importlib.resources`)."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

from oncoboard.errors import KnowledgeError

__all__ = ["read_text", "read_yaml"]

# libyaml's safe loader when PyYAML was built with it (5-10x faster), else the Python one
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_text(package: str, name: str) -> str:
    """Return the text of the data file ``name`` shipped inside ``package``."""
    try:
        return resources.files(package).joinpath(name).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise KnowledgeError(f"package data {package}/{name!r} is missing") from exc


@cache
def read_yaml(package: str, name: str) -> Any:
    """Parse (once) and return the YAML data file ``name`` shipped inside ``package``."""
    try:
        return yaml.load(read_text(package, name), Loader=_LOADER)
    except yaml.YAMLError as exc:
        raise KnowledgeError(f"package data {package}/{name!r} is not valid YAML: {exc}") from exc
