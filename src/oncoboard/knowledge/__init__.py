"""Versioned, cited clinical knowledge shipped as data (YAML/TSV under ``knowledge/data/``)."""

from oncoboard.knowledge.drugs import Drug, DrugVocabulary, drug_vocabulary
from oncoboard.knowledge.genes import (
    Gene,
    GeneRole,
    GeneTable,
    Hotspot,
    HotspotTable,
    gene_table,
    hotspots,
)
from oncoboard.knowledge.therapies import KnowledgeBase, KnowledgeEntry, knowledge_base

__all__ = [
    "Drug",
    "DrugVocabulary",
    "Gene",
    "GeneRole",
    "GeneTable",
    "Hotspot",
    "HotspotTable",
    "KnowledgeBase",
    "KnowledgeEntry",
    "drug_vocabulary",
    "gene_table",
    "hotspots",
    "knowledge_base",
]
