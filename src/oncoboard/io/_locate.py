"""Map a field path (pydantic error location) to a line in a YAML or JSON document.

The document is *composed* with PyYAML (JSON is YAML for this purpose), which keeps the start
mark of every node; walking the node tree along the location gives the line of the offending
value, or of the enclosing mapping when the field is missing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import yaml

__all__ = ["LocatedPath", "NodeLocator", "duplicate_keys"]


@dataclass(frozen=True, slots=True)
class LocatedPath:
    """A document path (dotted, tag elements of tagged unions removed) and its 1-based line."""

    path: str
    line: int | None


class NodeLocator:
    """Finds lines for locations inside one composed document."""

    def __init__(self, root: yaml.Node | None) -> None:
        self._root = root

    def locate(self, loc: Sequence[str | int]) -> LocatedPath:
        """Walk ``loc``; unknown string keys followed by more elements are union tags."""
        node = self._root
        parts: list[str] = []
        line = node.start_mark.line + 1 if node is not None else None
        for position, key in enumerate(loc):
            last = position == len(loc) - 1
            child, child_line = _child(node, key)
            if child is None:
                if isinstance(key, str) and not last and isinstance(node, yaml.MappingNode):
                    continue  # discriminator tag such as 'HER2' in receptors.0.HER2.ihc_score
                parts.append(str(key))
                parts.extend(str(k) for k in loc[position + 1 :])
                break
            parts.append(str(key))
            node = child
            line = child_line
        return LocatedPath(".".join(parts), line)


def _child(node: yaml.Node | None, key: str | int) -> tuple[yaml.Node | None, int | None]:
    """The child at ``key`` and the line to report for it: the line of its key in a mapping
    (so a missing field inside ``patient:`` points at ``patient:``), its own line in a list."""
    if isinstance(node, yaml.MappingNode) and isinstance(key, str):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
                found: yaml.Node = value_node
                return found, key_node.start_mark.line + 1
    if isinstance(node, yaml.SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
        item: yaml.Node = node.value[key]
        return item, item.start_mark.line + 1
    return None, None


def duplicate_keys(root: yaml.Node | None) -> list[LocatedPath]:
    """Keys that appear twice in one mapping (YAML and JSON parsers silently keep the last)."""
    found: list[LocatedPath] = []
    stack: list[tuple[yaml.Node, tuple[str, ...]]] = [] if root is None else [(root, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, value_node in node.value:
                key = str(key_node.value)
                if key in seen:
                    found.append(LocatedPath(".".join((*path, key)), key_node.start_mark.line + 1))
                seen.add(key)
                stack.append((value_node, (*path, key)))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((child, (*path, str(i))) for i, child in enumerate(node.value))
    return sorted(found, key=lambda p: p.line or 0)
