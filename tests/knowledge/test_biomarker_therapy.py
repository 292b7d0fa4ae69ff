"""Lint of the packaged knowledge base: every entry parses, is cited and uses known agents."""

from __future__ import annotations

import re

import pytest
import yaml

from oncoboard._resources import read_text
from oncoboard.errors import KnowledgeError
from oncoboard.knowledge import drug_vocabulary
from oncoboard.knowledge.therapies import KnowledgeBase, knowledge_base

KB = knowledge_base()
RAW = yaml.safe_load(read_text("oncoboard.knowledge.data", "biomarker_therapy.yaml"))


def test_version_and_date_are_set_and_in_the_changelog():
    changelog = read_text("oncoboard.knowledge.data", "CHANGELOG.md")
    newest = re.search(r"^## (\S+) — (\d{4}-\d{2}-\d{2})$", changelog, re.MULTILINE)
    assert newest, "CHANGELOG.md has no '## VERSION — DATE' heading"
    assert (KB.version, KB.date) == newest.groups()
    assert KB.label == f"Oncoboard MBC knowledge base {KB.version} ({KB.date})"


@pytest.mark.parametrize("entry", KB.entries, ids=lambda e: e.id)
def test_entry_is_cited_and_uses_known_agents(entry):
    assert entry.references, "no reference"
    assert entry.trial is not None or entry.fda is not None or entry.references
    vocabulary = drug_vocabulary()
    for agent in entry.therapy.agents if entry.therapy else ():
        assert vocabulary.lookup(agent) is not None, agent
    if entry.trial and entry.trial.nct:
        assert re.fullmatch(r"NCT\d{8}", entry.trial.nct)
    if entry.fda and entry.fda.status == "approved":
        assert entry.fda.date, "approved entries carry the FDA action date"


def test_covers_the_fact_sheet_pairs():
    pairs = {(e.id.split("-")[0], e.kind.value) for e in KB.entries}
    assert len(KB) >= 40
    assert {
        ("pik3ca", "predictive"),
        ("esr1", "predictive"),
        ("gbrca", "predictive"),
        ("her2", "predictive"),
        ("tnbc", "predictive"),
        ("ntrk", "predictive"),
        ("msi", "predictive"),
        ("tmb", "predictive"),
        ("rb1", "resistance"),
    } <= pairs


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda e: e.update(level="7"), "level"),
        (lambda e: e["therapy"].update(agents=["wonderdrug"]), "not in the drug vocabulary"),
        (lambda e: e.update(references=[]), "references"),
        (lambda e: e["biomarker"]["any"][0].update(type="telepathy"), "biomarker"),
        (lambda e: e["context"].update(prior_classes_any=["magic"]), "drug classes"),
        (lambda e: e.update(kind="resistance"), "R1 or R2"),
    ],
)
def test_malformed_entries_are_rejected_with_their_id(mutate, message):
    data = yaml.safe_load(read_text("oncoboard.knowledge.data", "biomarker_therapy.yaml"))
    mutate(data["entries"][0])
    with pytest.raises(KnowledgeError, match=message) as exc:
        KnowledgeBase(data)
    assert "pik3ca-alpelisib-fulvestrant" in str(exc.value)


def test_duplicate_ids_are_rejected():
    data = yaml.safe_load(read_text("oncoboard.knowledge.data", "biomarker_therapy.yaml"))
    data["entries"].append(data["entries"][0])
    with pytest.raises(KnowledgeError, match="duplicate entry ids"):
        KnowledgeBase(data)
