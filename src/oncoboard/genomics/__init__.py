"""Genomic derivations: normalisation, hotspots, oncogenicity, TMB, knowledge-base matching."""

from oncoboard.genomics.alteration import Alteration, AlterationKind, ConsequenceClass

__all__ = ["Alteration", "AlterationKind", "ConsequenceClass"]
