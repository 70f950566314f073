"""The staff home: what needs attention today, each a count and the link to the list where the work is done.

One read per kind of work, so the page makes the same number of queries whatever the data (pinned in
tests/portal/test_staff_home.py). Each count uses the same condition as the admin filter its link
opens, so that the number on the page is the number of rows staff find behind it.
"""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Count, DecimalField, F, Func, IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.models import Application, Decision, ReviewAssignment, ReviewRound, ReviewStatus
from applications.selectors import awaiting_screening_review
from events.models import Event, Registration, WaitingListEntry
from events.selectors import places_left, with_places
from grants import reports
from grants.models import (
    BankDetails,
    BankDetailsStatus,
    BankLine,
    BankLineStatus,
    GrantReport,
    Tranche,
    TrancheStatus,
)
from support.models import Booking, BookingStatus

# The admin's "due within 90 days, not fully funded" filter of tranches (grants.admin.TrancheDueFilter).
TRANCHE_DAYS = 90
SUPPORT_DAYS = 7
ROUNDS_SHOWN = 10
EVENTS_SHOWN = 5
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Line:
    """One kind of work: how many, the list where it is done, and an amount when it is money."""

    key: str
    label: str
    count: int
    url: str
    amount: Decimal | None = None


@dataclass(frozen=True)
class RoundLine:
    round: ReviewRound
    submitted: int
    assigned: int
    applications: int
    late: bool
    url: str

    @property
    def percent(self) -> int:
        return round(100 * self.submitted / self.assigned) if self.assigned else 0


@dataclass(frozen=True)
class EventLine:
    event: Event
    confirmed: int
    capacity: int
    places_left: int
    waiting: int
    session_waiting: int
    registrations_url: str
    waiting_url: str
    session_waiting_url: str


@dataclass(frozen=True)
class StaffHome:
    today: object
    lines: list[Line] = field(default_factory=list)
    rounds: list[RoundLine] = field(default_factory=list)
    events: list[EventLine] = field(default_factory=list)

    @property
    def to_do(self) -> list[Line]:
        return [line for line in self.lines if line.count]

    @property
    def counts(self) -> dict[str, int]:
        return {line.key: line.count for line in self.lines}

    @property
    def is_empty(self) -> bool:
        return not self.to_do and not self.rounds and not self.events


def _admin_list(model, **params) -> str:
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    return f"{url}?{urlencode(params)}" if params else url


def _money(expression):
    return Coalesce(Sum(expression), ZERO, output_field=DecimalField(max_digits=14, decimal_places=2))


def screenings_to_review() -> Line:
    count = awaiting_screening_review(Application.objects.all()).count()
    return Line("screenings", _("Applications whose screening waits for your review"), count,
                _admin_list(Application, verdict="to_review"))


def decisions_unpublished() -> Line:
    count = Decision.objects.pending().count()
    return Line("decisions", _("Decisions recorded, not yet published"), count,
                _admin_list(Decision, published_at__isempty="1"))


def bank_lines_unmatched() -> Line:
    totals = BankLine.objects.filter(status=BankLineStatus.UNMATCHED).aggregate(n=Count("pk"), amount=_money("amount"))
    return Line("bank_lines", _("Bank lines to reconcile with donations"), totals["n"],
                _admin_list(BankLine, status__exact=BankLineStatus.UNMATCHED), totals["amount"])


def tranches_due(today) -> Line:
    totals = (Tranche.objects.due_between(today, today + timedelta(days=TRANCHE_DAYS))
              .filter(funded__lt=F("amount"))
              .aggregate(n=Count("pk"), amount=_money(F("amount") - F("funded"))))
    return Line("tranches", _("Tranches due within 90 days, not fully allocated"), totals["n"],
                _admin_list(Tranche, funding="due90"), totals["amount"])


def tranches_late(today) -> Line:
    totals = (Tranche.objects.filter(status=TrancheStatus.PLANNED, due_on__lt=today, funded__lt=F("amount"))
              .aggregate(n=Count("pk"), amount=_money(F("amount") - F("funded"))))
    return Line("tranches_late", _("Tranches past their due date, not fully allocated"), totals["n"],
                _admin_list(Tranche, funding="late"), totals["amount"])


def reports_overdue(today) -> Line:
    count = GrantReport.objects.filter(due_on__lt=today, status__in=reports.EDITABLE).count()
    return Line("reports", _("Grant reports overdue"), count, _admin_list(GrantReport, overdue="yes"))


def bank_details_pending() -> Line:
    count = BankDetails.objects.filter(status=BankDetailsStatus.PENDING).count()
    return Line("bank_details", _("Bank-detail changes waiting for a second approval"), count,
                _admin_list(BankDetails, status__exact=BankDetailsStatus.PENDING))


def bookings_unconfirmed(today) -> Line:
    start = timezone.make_aware(datetime.combine(today, time(0)))
    end = timezone.make_aware(datetime.combine(today + timedelta(days=SUPPORT_DAYS), time(0)))
    count = Booking.objects.filter(status=BookingStatus.PROPOSED, start__gte=start, start__lt=end).count()
    return Line("bookings", _("Support sessions in the next 7 days not confirmed by the expert"), count,
                _admin_list(Booking, status__exact=BookingStatus.PROPOSED, start__gte=start.isoformat(),
                            start__lt=end.isoformat()))


def _count(queryset):
    """A correlated count of `queryset` (filtered on OuterRef), 0 when there is none."""
    counted = queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def rounds_in_progress(now) -> list[RoundLine]:
    """Rounds whose decisions are not published, with reviews submitted / assigned (a reviewer who
    declared a conflict is not counted, as in the round's own progress table), soonest deadline first."""
    assignments = ReviewAssignment.objects.filter(round=OuterRef("pk")).without_conflicts()
    rounds = (ReviewRound.objects.filter(published_at__isnull=True).select_related("call")
              .annotate(assigned=_count(assignments),
                        submitted=_count(assignments.filter(review__status=ReviewStatus.SUBMITTED)),
                        application_count=_count(Application.objects.filter(review_rounds=OuterRef("pk"))))
              .order_by("deadline", "pk")[:ROUNDS_SHOWN])
    return [RoundLine(round=r, submitted=r.submitted, assigned=r.assigned, applications=r.application_count,
                      late=r.deadline <= now, url=reverse("admin:applications_reviewround_change", args=[r.pk]))
            for r in rounds]


def events_upcoming(now) -> list[EventLine]:
    """Events not over yet (published or not), soonest first, with their places and their waiting lists:
    for a place at the event, and for a place in one of its sessions (people already registered)."""
    in_sessions = WaitingListEntry.objects.filter(event=OuterRef("pk"), session__isnull=False,
                                                  status=WaitingListEntry.Status.WAITING)
    events = (with_places(Event.objects.filter(ends_at__gt=now), now).annotate(session_waiting=_count(in_sessions))
              .order_by("starts_at", "pk")[:EVENTS_SHOWN])
    waiting = {"status__exact": WaitingListEntry.Status.WAITING}
    return [EventLine(
        event=event, confirmed=event.confirmed, capacity=event.capacity, places_left=places_left(event),
        waiting=event.waiting_count, session_waiting=event.session_waiting,
        registrations_url=_admin_list(Registration, event__id__exact=event.pk,
                                      status__exact=Registration.Status.CONFIRMED),
        waiting_url=_admin_list(WaitingListEntry, event__id__exact=event.pk, **waiting, session__isempty="1"),
        session_waiting_url=_admin_list(WaitingListEntry, event__id__exact=event.pk, **waiting, session__isempty="0"),
    ) for event in events]


def staff_home(*, now=None) -> StaffHome:
    now = now or timezone.now()
    today = timezone.localdate(now)
    lines = [screenings_to_review(), decisions_unpublished(), bank_lines_unmatched(), tranches_late(today),
             tranches_due(today), reports_overdue(today), bank_details_pending(), bookings_unconfirmed(today)]
    return StaffHome(today=today, lines=lines, rounds=rounds_in_progress(now), events=events_upcoming(now))
