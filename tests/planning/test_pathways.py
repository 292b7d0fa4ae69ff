"""The pathway data: every regimen, step and rule is valid, cited and free of incompatible
combinations; malformed data is refused with a message naming the place."""

from __future__ import annotations

import copy
import itertools

import pytest

from oncoboard._resources import read_yaml
from oncoboard.errors import KnowledgeError
from oncoboard.knowledge import drug_vocabulary
from oncoboard.planning import Intent, Pathways, pathways

DATA = read_yaml("oncoboard.knowledge.data", "regimens.yaml")


def _load(mutate) -> Pathways:
    data = copy.deepcopy(DATA)
    mutate(data)
    return Pathways(data, origin="test.yaml")


def test_packaged_pathways_load():
    data = pathways()
    assert data.version == DATA["version"]
    assert len(data.regimens) >= 40
    assert len(data.steps) >= 50


def test_every_step_is_cited():
    """Clinical safety rule: no evidence, no recommendation."""
    data = pathways()
    for step in data.steps:
        regimen = data.regimens[step.regimen]
        assert step.evidence or regimen.evidence or step.kb_entry, step.id


@pytest.mark.parametrize(
    "subtype", ["HR+/HER2-", "HR+/HER2+", "HR-/HER2+", "TNBC"], ids=lambda s: s
)
@pytest.mark.parametrize("line", [1, 2, 3])
def test_each_subtype_and_line_has_a_systemic_step(subtype, line):
    data = pathways()
    steps = [
        s
        for s in data.steps
        if s.subtypes is not None
        and subtype in s.subtypes
        and s.covers_line(line)
        and data.regimens[s.regimen].intent is Intent.SYSTEMIC
    ]
    assert steps, f"no pathway step for {subtype} line {line}"


def test_no_regimen_combines_incompatible_classes_for_any_choice():
    data = pathways()
    for regimen in data.regimens.values():
        for choice in itertools.product(*(c.alternatives for c in regimen.components)):
            agents = [a for group in choice for a in group]
            assert data.conflicts(agents) == [], regimen.id


def test_conflicts_names_both_agents_and_the_reason():
    data = pathways()
    (reason,) = data.conflicts(["palbociclib", "ribociclib"])
    assert "palbociclib + ribociclib" in reason and "CDK4/6" in reason
    assert data.conflicts(["alpelisib", "capivasertib"])
    assert data.conflicts(["letrozole", "tamoxifen"])
    assert data.conflicts(["olaparib", "paclitaxel"])
    assert data.conflicts(["palbociclib", "letrozole", "goserelin"]) == []


def test_tissue_agnostic_options_have_steps():
    entries = {s.kb_entry for s in pathways().steps if s.subtypes is None}
    assert {
        "msi-h-pembrolizumab",
        "tmb-h-pembrolizumab",
        "ntrk-fusion-larotrectinib",
        "ret-fusion-selpercatinib",
        "braf-v600e-dabrafenib-trametinib",
    } <= entries


def test_monitoring_keys_are_drugs_or_classes():
    vocabulary = drug_vocabulary()
    for key in pathways().monitoring:
        assert key in vocabulary.classes or vocabulary.lookup(key) is not None


def _add_conflicting_regimen(data):
    data["regimens"]["bad"] = {
        "name": "two CDK4/6 inhibitors",
        "components": [
            {"role": "a", "agents": ["palbociclib"]},
            {"role": "b", "agents": ["letrozole", "abemaciclib"]},
        ],
        "combination": "x",
        "schedule": "oral",
        "grade": "A",
        "evidence": ["esmo-2021"],
    }


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (_add_conflicting_regimen, "regimens.bad: incompatible combination: palbociclib"),
        (
            lambda d: d["regimens"]["elacestrant"]["components"][0].update(agents=["Orserdu"]),
            "regimens.elacestrant.components[0]: agent 'Orserdu' is not a generic name",
        ),
        (
            lambda d: d["steps"][0].update(applies=["no_such_rule"]),
            "unknown rule 'no_such_rule'",
        ),
        (
            lambda d: d["steps"][0].update(kb_entry="no-such-entry"),
            "unknown knowledge-base entry 'no-such-entry'",
        ),
        (lambda d: d["steps"][0].update(regimen="nope"), "unknown regimen 'nope'"),
        (
            lambda d: d["steps"][0].update(evidence=["nope"]),
            "steps[0]: unknown reference 'nope'",
        ),
        (lambda d: d["steps"].append(dict(d["steps"][0])), "duplicate step ids"),
        (
            lambda d: d["incompatible"].append(
                {"classes": ["cdk46_inhibitor", "unicorn"], "reason": "x", "source": "abc5"}
            ),
            "unknown drug classes ['unicorn']",
        ),
    ],
    ids=[
        "incompatible",
        "brand-name",
        "rule",
        "kb-entry",
        "regimen",
        "reference",
        "duplicate",
        "class",
    ],
)
def test_malformed_pathways_are_refused(mutate, message):
    with pytest.raises(KnowledgeError, match=message.replace("(", r"\(").replace("[", r"\[")):
        _load(mutate)


def test_step_without_any_evidence_is_refused():
    def mutate(data):
        data["regimens"]["uncited"] = {
            "name": "uncited",
            "components": [{"role": "a", "agents": ["capecitabine"]}],
            "combination": "x",
            "schedule": "oral",
            "grade": "D",
        }
        data["steps"].append({"id": "uncited", "regimen": "uncited", "rank": 1, "why": "x"})

    with pytest.raises(KnowledgeError, match=r"steps\[\d+\] \(uncited\): no evidence"):
        _load(mutate)
