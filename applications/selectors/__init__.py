"""Every non-trivial read of applications: the applicant's side (`application`) and the
committee's (`committee`)."""

from .application import (
    BudgetYear,
    Change,
    FieldChange,
    application_for_work,
    application_parts,
    application_with_parts,
    budget_by_year,
    describe_change,
    info_request_changes,
    team_applications,
)
from .committee import (
    Envelope,
    ReviewerProgress,
    application_regions,
    awaiting_screening_review,
    call_envelope,
    committee_applications,
    review_mean,
    round_progress,
    with_review_aggregates,
)

__all__ = [
    "BudgetYear",
    "Change",
    "Envelope",
    "FieldChange",
    "ReviewerProgress",
    "application_for_work",
    "application_parts",
    "application_regions",
    "application_with_parts",
    "awaiting_screening_review",
    "budget_by_year",
    "call_envelope",
    "committee_applications",
    "describe_change",
    "info_request_changes",
    "review_mean",
    "round_progress",
    "team_applications",
    "with_review_aggregates",
]
