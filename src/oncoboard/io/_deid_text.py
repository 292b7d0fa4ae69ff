"""Allowlists and generalisers for the free-text fields de-identification does not simply drop.

Nothing here tries to *find* identifiers in text (scrubbing); a value is either rebuilt from a
controlled vocabulary (a coarse organ name, a comorbidity category, an interacting substance)
or kept only when every word of it belongs to a small closed grammar (doses, body regions).
Anything else is removed.
"""

from __future__ import annotations

import re
from typing import Final

from oncoboard.knowledge.drugs import drug_vocabulary
from oncoboard.knowledge.interactions import interactions
from oncoboard.model.clinical import ComorbidityCategory

__all__ = [
    "UNSPECIFIED_SITE",
    "allowed_body_region",
    "allowed_dose",
    "allowed_drug",
    "generalise_condition",
    "generalise_site",
    "generalise_supplement",
]

UNSPECIFIED_SITE: Final = "unspecified site"

# Ordered: the first matching organ wins ("frontal lobe" is brain before "lobe" is lung).
_SITES: Final[tuple[tuple[str, re.Pattern[str]], ...]] = tuple(
    (organ, re.compile(pattern, re.IGNORECASE))
    for organ, pattern in (
        ("leptomeninges", r"\b(lepto\w*|meninge\w*)\b"),
        (
            "brain",
            r"\b(brain|cerebr\w*|cerebell\w*|frontal|parietal|occipital|temporal lobe|"
            r"intracranial|pons|thalam\w*)\b",
        ),
        ("liver", r"\b(liver|hepat\w*)\b"),
        ("lymph node", r"\b(lymph\w*|nod(e|es|al)|ebus\w*)\b"),
        ("pleura", r"\bpleur\w*\b"),
        ("lung", r"\b(lung|lungs|pulmonar\w*|lobe|lobes|bronch\w*)\b"),
        ("peritoneum", r"\b(periton\w*|omentum|omental)\b"),
        ("adrenal gland", r"\badrenal\w*\b"),
        (
            "bone",
            r"\b(bone|bones|osseous|vertebr\w*|spine|spinal|sacrum|sacral|ilium|iliac|ischium|"
            r"pubis|pelvis|pelvic|rib|ribs|stern\w*|femur|femoral|humerus|humeral|skull|"
            r"acetabul\w*|[CTL]\d{1,2}|S[1-5])\b",
        ),
        ("breast", r"\b(breast|breasts|mammar\w*|chest wall|axilla|axillary)\b"),
        ("skin or soft tissue", r"\b(skin|cutaneous|subcutaneous|soft tissue|dermal)\b"),
    )
)

# Dose grammar: numbers (not years), units, routes and schedule words.


def _vocabulary(words: str) -> frozenset[str]:
    return frozenset(words.split())


_DOSE_WORDS: Final = _vocabulary(
    """mg g mcg ug µg ng kg m2 mg/m2 mg/kg ml l iu u units unit gy auc mmol meq % x
    iv po sc sq im it oral intravenous subcutaneous intramuscular infusion bolus
    daily bid tid qid qd od bd tds qds qhs prn weekly monthly every each per day days week
    weeks month months cycle cycles dose doses loading maintenance then continuous
    on off and or of for to with at in morning evening night bedtime hours hour h
    once twice times"""
)
_DOSE_TOKEN: Final = re.compile(
    r"^(\d{1,3}(\.\d+)?|\d{1,3}(,\d{3})+|\d+(\.\d+)?(mg|g|mcg|ug|ml|gy|iu|u)|"
    r"q\d{1,2}[dhw]|q\d{1,2}|d\d{1,2}(-\d{1,2})?|x\d{1,2}|auc\d(\.\d)?|\d{1,2}x|"
    r"\d{1,2}(-\d{1,2})?|[1-9]\d{3}(\.\d+)?)$",
    re.IGNORECASE,
)
_YEAR: Final = re.compile(r"^(19|20)\d\d$")
_SPLIT: Final = re.compile(r"[\s,;:()\[\]/+=]+")

_REGION_WORDS: Final = _vocabulary(
    """whole body head neck chest thorax thoracic abdomen abdominal pelvis pelvic brain spine
    spinal cervical lumbar sacral skull base vertex to thigh thighs liver lung lungs breast
    breasts bone bones skeleton skeletal axial appendicular and with without contrast
    upper lower extremity extremities mid"""
)


def _words(text: str) -> list[str]:
    return [word for word in _SPLIT.split(text.casefold()) if word]


def generalise_site(text: str) -> str | None:
    """The coarse organ a free-text site names (``liver``, ``bone``...), or ``None``."""
    for organ, pattern in _SITES:
        if pattern.search(text):
            return organ
    return None


def generalise_condition(category: ComorbidityCategory) -> str:
    """The text that replaces a free-text comorbidity: its category, in words."""
    if category is ComorbidityCategory.OTHER:
        return "other condition"
    return category.value.replace("_", " ")


def generalise_supplement(text: str) -> str | None:
    """The interacting substance a diet/supplement entry names (interaction table), or ``None``.

    The entry is rebuilt from the table's own name, so nothing else of the text survives.
    """
    key = " ".join(text.casefold().replace("\u2019", "'").split())
    table = interactions()
    for names in table.groups.values():
        for name in sorted(names, key=len, reverse=True):
            if re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", key):
                return name
    return None


def allowed_dose(text: str) -> bool:
    """True when every word of a dose text is dose grammar (and no word is a year or a date)."""
    words = _words(text)
    if not words:
        return False
    for word in words:
        if _YEAR.match(word):
            return False
        if word in _DOSE_WORDS:
            continue
        if not _DOSE_TOKEN.match(word) or re.search(r"\d{1,4}-\d{1,2}-\d{1,2}", word):
            return False
    return True


def allowed_body_region(text: str) -> bool:
    """True when every word of an imaging body-region text is a body-region word."""
    words = _words(text)
    return bool(words) and all(word in _REGION_WORDS for word in words)


def allowed_drug(text: str) -> bool:
    """True for a name (generic, brand, abbreviation or code name) of the drug vocabulary."""
    return drug_vocabulary().lookup(text) is not None
