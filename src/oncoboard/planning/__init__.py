"""Treatment planning: from findings and the case to ranked options with evidence and warnings.

:func:`plan_case` gives the ranked, cited options for a case, the options set aside and why,
checkpoint-inhibitor eligibility and testing suggestions. :func:`safety_checks` and
:func:`immunotherapy_eligibility` are usable on their own.
"""

from oncoboard.planning.immunotherapy import (
    ImmunotherapyEligibility,
    ImmunotherapyStatus,
    immunotherapy_eligibility,
)
from oncoboard.planning.options import (
    DISCLAIMER,
    PLAN_FORMAT_VERSION,
    EndocrineSensitivity,
    ExcludedOption,
    Grade,
    Intent,
    Monitoring,
    OptionWarning,
    PlannedAgent,
    TreatmentOption,
    TreatmentPlan,
)
from oncoboard.planning.pathways import Pathways, pathways
from oncoboard.planning.planner import plan_case
from oncoboard.planning.safety import SafetyCheck, SafetyStatus, safety_checks

__all__ = [
    "DISCLAIMER",
    "PLAN_FORMAT_VERSION",
    "EndocrineSensitivity",
    "ExcludedOption",
    "Grade",
    "ImmunotherapyEligibility",
    "ImmunotherapyStatus",
    "Intent",
    "Monitoring",
    "OptionWarning",
    "Pathways",
    "PlannedAgent",
    "SafetyCheck",
    "SafetyStatus",
    "TreatmentOption",
    "TreatmentPlan",
    "immunotherapy_eligibility",
    "pathways",
    "plan_case",
    "safety_checks",
]
