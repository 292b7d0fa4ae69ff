"""Treatment planning: from findings and the case to options with evidence and warnings.

This release has checkpoint-inhibitor eligibility and the cited safety checks; ranked options
follow (issue #4).
"""

from oncoboard.planning.immunotherapy import (
    ImmunotherapyEligibility,
    ImmunotherapyStatus,
    immunotherapy_eligibility,
)
from oncoboard.planning.safety import SafetyCheck, SafetyStatus, safety_checks

__all__ = [
    "ImmunotherapyEligibility",
    "ImmunotherapyStatus",
    "SafetyCheck",
    "SafetyStatus",
    "immunotherapy_eligibility",
    "safety_checks",
]
