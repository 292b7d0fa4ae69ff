"""Structural validation of a Phenopacket v2 message (see :func:`validate_phenopacket`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, Final

import phenopackets as pp  # type: ignore[import-untyped]
from google.protobuf import json_format  # type: ignore[import-untyped]
from google.protobuf.message import Message  # type: ignore[import-untyped]

__all__ = ["iter_messages", "validate_phenopacket"]

_ONTOLOGY_CLASS: Final = "org.phenopackets.schema.v2.core.OntologyClass"
_GENE_DESCRIPTOR: Final = "org.ga4gh.vrsatile.v1.GeneDescriptor"
_CURIE: Final = re.compile(r"^([A-Za-z][A-Za-z0-9_.]*):(\S+)$")
_RESOURCE_FIELDS: Final = ("id", "name", "url", "version", "namespace_prefix", "iri_prefix")


def iter_messages(message: Any, path: str) -> Iterator[tuple[str, Any]]:
    """Every set sub-message with its JSON-style path, depth first."""
    yield path, message
    for field, value in message.ListFields():
        if isinstance(value, Message):
            yield from iter_messages(value, f"{path}.{field.json_name}")
            continue
        if isinstance(value, str | bytes | int | float):
            continue
        for index, item in enumerate(value):  # repeated field (a map yields its keys)
            if isinstance(item, Message):
                yield from iter_messages(item, f"{path}.{field.json_name}[{index}]")


def _round_trip(packet: Any) -> list[str]:
    try:
        text = json_format.MessageToJson(packet)
        parsed = json_format.Parse(text, pp.Phenopacket(), ignore_unknown_fields=False)
    except (json_format.ParseError, TypeError, ValueError) as exc:
        return [f"protobuf JSON round trip failed: {exc}"]
    return [] if parsed == packet else ["protobuf JSON round trip changed the packet"]


def _meta_data(packet: Any) -> list[str]:
    problems = []
    if not packet.id:
        problems.append("id: required")
    if not packet.HasField("meta_data"):
        return [*problems, "metaData: required"]
    meta = packet.meta_data
    if not meta.HasField("created"):
        problems.append("metaData.created: required")
    if not meta.created_by:
        problems.append("metaData.createdBy: required")
    if meta.phenopacket_schema_version != "2.0":
        problems.append(
            f"metaData.phenopacketSchemaVersion: must be '2.0', but was "
            f"{meta.phenopacket_schema_version!r}"
        )
    if not meta.resources:
        problems.append("metaData.resources: at least one resource is required")
    for index, resource in enumerate(meta.resources):
        for name in _RESOURCE_FIELDS:
            if not getattr(resource, name):
                problems.append(f"metaData.resources[{index}].{name}: required")
    return problems


def _required_parts(packet: Any) -> list[str]:
    problems = []
    if packet.HasField("subject") and not packet.subject.id:
        problems.append("subject.id: required")
    for index, sample in enumerate(packet.biosamples):
        if not sample.id:
            problems.append(f"biosamples[{index}].id: required")
        if not sample.HasField("sampled_tissue"):
            problems.append(f"biosamples[{index}].sampledTissue: required")
    ids = [sample.id for sample in packet.biosamples]
    if len(set(ids)) != len(ids):
        problems.append("biosamples: ids must be unique")
    for index, disease in enumerate(packet.diseases):
        if not disease.HasField("term"):
            problems.append(f"diseases[{index}].term: required")
    for index, measurement in enumerate(packet.measurements):
        if not measurement.HasField("assay"):
            problems.append(f"measurements[{index}].assay: required")
        if not (measurement.HasField("value") or measurement.HasField("complex_value")):
            problems.append(f"measurements[{index}]: value or complexValue required")
    for index, action in enumerate(packet.medical_actions):
        if action.WhichOneof("action") is None:
            problems.append(f"medicalActions[{index}]: one action is required")
    for index, interpretation in enumerate(packet.interpretations):
        if not interpretation.id:
            problems.append(f"interpretations[{index}].id: required")
        if not interpretation.HasField("diagnosis"):
            problems.append(f"interpretations[{index}].diagnosis: required")
    return problems


def _terms(packet: Any) -> list[str]:
    prefixes = {resource.namespace_prefix for resource in packet.meta_data.resources}
    problems = []
    for path, message in iter_messages(packet, "phenopacket"):
        name = message.DESCRIPTOR.full_name
        if name == _ONTOLOGY_CLASS:
            curie, label = message.id, message.label
        elif name == _GENE_DESCRIPTOR:
            curie, label = message.value_id, message.symbol
        else:
            continue
        if not label:
            problems.append(f"{path}: ontology class {curie!r} has no label")
        match = _CURIE.match(curie)
        if match is None:
            problems.append(f"{path}: id {curie!r} is not a CURIE (PREFIX:local)")
        elif match.group(1) not in prefixes:
            problems.append(
                f"{path}: prefix {match.group(1)!r} of {curie!r} is not in metaData.resources"
            )
    return problems


def validate_phenopacket(packet: Any) -> list[str]:
    """Problems with ``packet`` against the Phenopackets v2 schema rules; empty when valid.

    Checks: the packet survives a protobuf JSON round trip (``json_format.Parse`` with
    ``ignore_unknown_fields=False``); ``id`` and ``metaData`` (``created``, ``createdBy``,
    ``resources`` with all their fields, ``phenopacketSchemaVersion`` "2.0") are present;
    required parts of subject, biosamples, diseases, measurements, medical actions and
    interpretations are set; every ``OntologyClass`` (and gene descriptor) has a CURIE id and a
    label, and every CURIE prefix used is declared in ``metaData.resources``.

    This is not the GA4GH phenopacket-tools (Java) validator: ontology ids are not checked
    against ontology releases.

    References
    ----------
    GA4GH Phenopacket Schema v2 documentation: "Phenopacket", "MetaData", "Resource",
    "OntologyClass" (phenopacket-schema.readthedocs.io).
    """
    return [*_round_trip(packet), *_meta_data(packet), *_required_parts(packet), *_terms(packet)]
