"""The one helper through which package data is read (via :mod:`importlib.resources`)."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import yaml

from oncoboard.errors import KnowledgeError

if TYPE_CHECKING:
    from jinja2 import Environment

__all__ = ["html_templates", "read_text", "read_yaml"]

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


def html_templates(package: str) -> Environment:
    """A Jinja2 environment for the HTML templates in ``package``'s ``templates`` folder:
    autoescaped, strict about undefined names, blocks trimmed. Callers add their filters."""
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    return Environment(
        loader=PackageLoader(package, "templates"),
        autoescape=select_autoescape(["html", "j2"], default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
