"""Reads of the committee's work, each in a fixed number of queries whatever the number of
applications, reviews or members (Hypha's equivalent list makes two queries per row)."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Count,
    Exists,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.aggregates import Avg, Max, Min
from django.db.models.functions import Cast, Coalesce

from joinforces.accounts.rules import is_staff_member
from joinforces.core.models import Territory

from ..models import (
    Application,
    ConflictDeclaration,
    Decision,
    Outcome,
    Programme,
    Review,
    ReviewAssignment,
    ReviewCriterion,
    ReviewRound,
    ReviewStatus,
    Status,
    reviewable_applications,
    with_cleared_flag,
)

__all__ = ["Envelope", "ReviewerProgress", "application_regions", "awaiting_screening_review", "call_envelope",
           "committee_applications", "review_mean", "round_progress", "with_review_aggregates"]

# The statuses in which an application still waits for an outcome (staff may act on its screening).
OPEN_STATUSES = (Status.SUBMITTED, Status.SCREENED, Status.IN_REVIEW, Status.MORE_INFO_REQUESTED)


def awaiting_screening_review(queryset: QuerySet) -> QuerySet:
    """The applications of `queryset` whose current screening needs a person's review and has not been
    overridden, while they still wait for an outcome."""
    from eligibility.models import Verdict

    return queryset.filter(status__in=OPEN_STATUSES, screening__verdict=Verdict.NEEDS_REVIEW,
                           screening__override_verdict="")


def review_mean():
    """The mean of a review's six scores, as an SQL expression."""
    total = sum((F(code) for code in ReviewCriterion.values[1:]), F(ReviewCriterion.values[0]))
    return Cast(total, FloatField()) / Value(float(len(ReviewCriterion.values)))


def _per_application(queryset, value, output_field):
    return Subquery(
        queryset.filter(assignment__application=OuterRef("pk")).order_by().values("assignment__application")
        .annotate(value=value).values("value"),
        output_field=output_field,
    )


def with_review_aggregates(queryset: QuerySet) -> QuerySet:
    """Annotate each application with `reviews_assigned` (assignments without a declared conflict),
    `reviews_done` (submitted reviews; set-aside ones never count), `score_avg`, `score_min`,
    `score_max` and `score_spread` (over the reviews' means), and `pending_outcome` (the outcome of
    a decision not yet published)."""
    counted = Review.objects.filter(status=ReviewStatus.SUBMITTED).annotate(mean=review_mean())
    assigned = Subquery(
        ReviewAssignment.objects.without_conflicts().filter(application=OuterRef("pk")).order_by().values("application")
        .annotate(n=Count("pk")).values("n"),
        output_field=IntegerField(),
    )
    pending = Decision.objects.filter(application=OuterRef("pk"), published_at__isnull=True).values("outcome")[:1]
    return queryset.annotate(
        reviews_assigned=Coalesce(assigned, 0),
        reviews_done=Coalesce(_per_application(counted, Count("pk"), IntegerField()), 0),
        score_avg=_per_application(counted, Avg("mean"), FloatField()),
        score_min=_per_application(counted, Min("mean"), FloatField()),
        score_max=_per_application(counted, Max("mean"), FloatField()),
        pending_outcome=Subquery(pending),
    ).annotate(score_spread=F("score_max") - F("score_min"))


def committee_applications(user) -> QuerySet:
    """The committee's list for `user`: staff see every submitted application; a committee member
    those they review, minus any they declared a conflict with (annotated `cleared` once they
    declared none). With everything the list and its CSV show, in a fixed number of queries."""
    queryset = Application.objects.exclude(status=Status.DRAFT)
    if not is_staff_member(user):
        queryset = with_cleared_flag(queryset.filter(pk__in=reviewable_applications(user)), user)
    else:
        queryset = queryset.annotate(cleared=Value(True))
    territories = Territory.objects.select_related("region")
    return with_review_aggregates(
        queryset.select_related("call", "screening").prefetch_related(
            "themes",
            Prefetch("programmes", queryset=Programme.objects.prefetch_related(
                Prefetch("territories", queryset=territories))),
        )
    )


def application_regions(application: Application) -> list[Territory]:
    """The régions where the application's programmes run (from prefetched programmes)."""
    regions = {}
    for programme in application.programmes.all():
        for territory in programme.territories.all():
            region = territory if territory.kind == Territory.Kind.REGION else territory.region
            if region is not None:
                regions[region.code] = region
    return [regions[code] for code in sorted(regions)]


@dataclass(frozen=True)
class Envelope:
    total: Decimal
    committed: Decimal
    published: Decimal
    selected: int

    @property
    def remaining(self) -> Decimal:
        return self.total - self.committed

    @property
    def exceeded(self) -> bool:
        return self.committed > self.total


def call_envelope(call) -> Envelope:
    """The call's envelope: what current selections commit (recorded or published), what is left."""
    rows = (Decision.objects.filter(application__call=call, outcome=Outcome.SELECTED, next__isnull=True)
            .exclude(application__status=Status.WITHDRAWN)
            .values_list("amount_per_year", "years", "published_at"))
    committed = published = Decimal("0.00")
    count = 0
    for amount, years, published_at in rows:
        committed += amount * years
        if published_at is not None:
            published += amount * years
        count += 1
    return Envelope(total=call.budget_envelope, committed=committed, published=published, selected=count)


@dataclass(frozen=True)
class ReviewerProgress:
    reviewer: object
    assigned: int
    submitted: int
    drafts: int
    conflicts: int


def round_progress(review_round: ReviewRound) -> list[ReviewerProgress]:
    """For each reviewer of the round: assignments, reviews submitted and in draft, conflicts declared."""
    conflicted = ConflictDeclaration.objects.filter(application=OuterRef("application"),
                                                    reviewer=OuterRef("reviewer"), has_conflict=True)
    rows = (ReviewAssignment.objects.filter(round=review_round).annotate(conflicted=Exists(conflicted))
            .values("reviewer").annotate(
                assigned=Count("pk", filter=Q(conflicted=False)),
                submitted=Count("pk", filter=Q(conflicted=False, review__status=ReviewStatus.SUBMITTED)),
                drafts=Count("pk", filter=Q(conflicted=False, review__status=ReviewStatus.DRAFT)),
                conflicts=Count("pk", filter=Q(conflicted=True)),
            ).order_by("reviewer"))
    from django.contrib.auth import get_user_model

    people = get_user_model().objects.in_bulk([row["reviewer"] for row in rows])
    return [ReviewerProgress(reviewer=people[row["reviewer"]], assigned=row["assigned"],
                             submitted=row["submitted"], drafts=row["drafts"], conflicts=row["conflicts"])
            for row in rows]
