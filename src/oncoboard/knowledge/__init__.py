"""Versioned, cited clinical knowledge shipped as data (YAML under ``knowledge/data/``)."""

from oncoboard.knowledge.drugs import Drug, DrugVocabulary, drug_vocabulary

__all__ = ["Drug", "DrugVocabulary", "drug_vocabulary"]
