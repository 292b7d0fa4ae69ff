"""Treatment planning: from findings and the case to options with evidence and warnings.

This release has checkpoint-inhibitor eligibility; ranked options follow (issue #4).
"""

from oncoboard.planning.immunotherapy import (
    ImmunotherapyEligibility,
    ImmunotherapyStatus,
    immunotherapy_eligibility,
)

__all__ = ["ImmunotherapyEligibility", "ImmunotherapyStatus", "immunotherapy_eligibility"]
