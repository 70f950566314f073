"""Reads of support, each in a fixed number of queries whatever the number of experts, bookings or
needs: the facts the matching ranks (built here, ranked by the pure `matching.rank`), experts' free
slots, a plan's figures (days booked and delivered against the budget, the value of the support), the
agenda and the experts' load for a month."""

import calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone

from . import availability, matching
from .models import (
    ACTIVE_STATUSES,
    AvailabilityException,
    AvailabilityRule,
    Booking,
    BookingStatus,
    Expert,
    ExpertDomain,
    ExpertLink,
    PlanNeed,
    SupportPayment,
    SupportPlan,
)

ZERO = Decimal("0.00")
DEFAULT_DURATION = timedelta(hours=2)
SLOTS_SHOWN = 6


def _hours(start, end) -> Decimal:
    return (Decimal((end - start).total_seconds()) / Decimal(3600)).quantize(Decimal("0.01"))


def days(hours, *, places=Decimal("0.01"), rounding=ROUND_HALF_EVEN) -> Decimal:
    """Hours of support as days (a day counts SUPPORT_HOURS_PER_DAY hours), to `places`."""
    return (Decimal(hours) / Decimal(settings.SUPPORT_HOURS_PER_DAY)).quantize(places, rounding)


def month_bounds(day: date) -> tuple[datetime, datetime]:
    """The month of `day` in Paris time, as aware datetimes [first, next first)."""
    zone = ZoneInfo(settings.TIME_ZONE)
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return datetime.combine(first, time(0), tzinfo=zone), datetime.combine(following, time(0), tzinfo=zone)


def _experts_with_schedule():
    return Expert.objects.prefetch_related(
        Prefetch("domains", queryset=ExpertDomain.objects.order_by("domain")),
        Prefetch("links", queryset=ExpertLink.objects.order_by("pk")),
        Prefetch("availability_rules", queryset=AvailabilityRule.objects.order_by("weekday", "start_time")),
        Prefetch("availability_exceptions", queryset=AvailabilityException.objects.order_by("start_date")),
        Prefetch("territories", queryset=_territories()),
    )


def _windows(expert: Expert, start: date, end: date):
    rules = [availability.Rule(r.weekday, r.start_time, r.end_time) for r in expert.availability_rules.all()]
    days_off = [availability.DayOff(e.start_date, e.end_date) for e in expert.availability_exceptions.all()]
    # One day more on each side: a local day in a far time zone starts or ends on another UTC date.
    return availability.expand(rules=rules, days_off=days_off, tz=expert.timezone, start=start - timedelta(days=1),
                               end=end + timedelta(days=1))


def _slots(expert, busy, *, start: date, end: date, duration, now, limit=None):
    zone = ZoneInfo(settings.TIME_ZONE)
    first = datetime.combine(start, time(0), tzinfo=zone)
    last = datetime.combine(end + timedelta(days=1), time(0), tzinfo=zone)
    windows = [(max(a, first), min(b, last)) for a, b in _windows(expert, start, end) if b > first and a < last]
    return availability.free_slots(windows, busy=busy, duration=duration,
                                   buffer=timedelta(minutes=expert.buffer_minutes), step=timedelta(hours=1),
                                   not_before=max(now, first), limit=limit)


def expert_free_slots(expert: Expert, *, start: datetime, duration: timedelta, days_ahead: int = 21, limit=5,
                      now=None):
    """The expert's next free slots of `duration` from `start` (the offer made when a slot was taken)."""
    now = now or timezone.now()
    expert = _experts_with_schedule().get(pk=expert.pk)
    first = timezone.localdate(max(start, now))
    last = first + timedelta(days=days_ahead)
    busy = list(Booking.objects.active().filter(expert=expert, blocked_end__gt=now)
                .values_list("blocked_start", "blocked_end"))
    return _slots(expert, busy, start=first, end=last, duration=duration, now=now, limit=limit)


# --- Matching --------------------------------------------------------------------------------------


def need_window(need: PlanNeed, *, today: date) -> tuple[date, date]:
    start = max(need.window_start or today, today)
    end = need.window_end or start + timedelta(days=30)
    return start, max(end, start)


def need_facts(need: PlanNeed) -> matching.NeedFacts:
    application = need.plan.grant.application
    regions = frozenset(t.code if t.kind == "region" else (t.region.code if t.region_id else t.code)
                        for t in need.territories.all())
    members = tuple(matching.Organisation(name=m.name, siren=m.identifier if len(m.identifier) == 9 else "")
                    for m in application.members.all())
    return matching.NeedFacts(domain=need.domain, regions=regions, remote_allowed=need.remote_allowed,
                              languages=frozenset(need.languages or ["fr"]), minimum_level=need.minimum_level,
                              members=members)


@dataclass
class RankedExpert:
    expert: Expert
    match: matching.Match
    slots: list = field(default_factory=list)
    booked_hours: Decimal = ZERO


def need_for_staff(user, pk) -> PlanNeed:
    """A need of a plan the user may see (staff: every plan), or a 404."""
    try:
        return (PlanNeed.objects.filter(plan__in=SupportPlan.objects.visible_to(user))
                .select_related("plan__grant__application")
                .prefetch_related(Prefetch("territories", queryset=_territories()),
                                  "plan__grant__application__members").get(pk=pk))
    except PlanNeed.DoesNotExist:
        raise Http404 from None


def _territories():
    from joinforces.core.models import Territory

    return Territory.objects.select_related("region")


def ranked_experts(need: PlanNeed, *, duration=DEFAULT_DURATION, now=None) -> list[RankedExpert]:
    """Every expert ranked for the need, with their free slots in the wanted window and their load for
    the window's month. Queries: the experts and their prefetches, the bookings of the window, the
    bookings of the month, whatever the number of experts or bookings."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    start, end = need_window(need, today=today)
    facts = need_facts(need)
    experts = list(_experts_with_schedule().order_by("name", "pk"))
    zone = ZoneInfo(settings.TIME_ZONE)
    window_first = datetime.combine(start, time(0), tzinfo=zone) - timedelta(days=1)
    window_last = datetime.combine(end, time(0), tzinfo=zone) + timedelta(days=2)
    busy = defaultdict(list)
    for expert_id, first, last in (Booking.objects.active().filter(blocked_end__gt=window_first,
                                                                    blocked_start__lt=window_last)
                                   .values_list("expert_id", "blocked_start", "blocked_end")):
        busy[expert_id].append((first, last))
    month_first, month_last = month_bounds(start)
    load = defaultdict(lambda: ZERO)
    for expert_id, first, last in (Booking.objects.active().filter(start__gte=month_first, start__lt=month_last)
                                   .values_list("expert_id", "start", "end")):
        load[expert_id] += _hours(first, last)
    rows = []
    for expert in experts:
        slots = _slots(expert, busy[expert.pk], start=start, end=end, duration=duration, now=now)
        regions = frozenset(t.code if t.kind == "region" else (t.region.code if t.region_id else t.code)
                            for t in expert.territories.all())
        expert_facts = matching.ExpertFacts(
            id=expert.pk, name=expert.name, domains={d.domain: d.level for d in expert.domains.all()},
            regions=regions, remote=expert.remote, remote_only=expert.remote_only,
            languages=frozenset(expert.languages), capacity_hours=expert.capacity_hours_per_month,
            booked_hours=load[expert.pk], free_slots=len(slots),
            links=tuple(matching.Organisation(name=link.name, siren=link.siren) for link in expert.links.all()),
            active=expert.active)
        rows.append((expert, expert_facts, slots))
    by_id = {expert.pk: (expert, slots) for expert, _facts, slots in rows}
    ranked = []
    for match in matching.rank(facts, [expert_facts for _expert, expert_facts, _slots in rows]):
        expert, slots = by_id[match.expert_id]
        ranked.append(RankedExpert(expert=expert, match=match, slots=slots[:SLOTS_SHOWN],
                                   booked_hours=load[expert.pk]))
    return ranked


# --- Plans -----------------------------------------------------------------------------------------


@dataclass
class NeedFigures:
    need: PlanNeed
    booked_hours: Decimal = ZERO  # planned (proposed or confirmed) and delivered
    delivered_hours: Decimal = ZERO
    value: Decimal = ZERO  # at the experts' rates, booked and delivered
    pro_bono_value: Decimal = ZERO

    @property
    def booked_days(self) -> Decimal:
        return days(self.booked_hours)

    @property
    def delivered_days(self) -> Decimal:
        return days(self.delivered_hours)

    @property
    def remaining_days(self) -> Decimal:
        return self.need.budget_days - self.booked_days

    @property
    def over_budget(self) -> bool:
        return self.booked_days > self.need.budget_days

    @property
    def percent(self) -> int:
        if not self.need.budget_days:
            return 100 if self.booked_hours else 0
        return min(100, int(self.booked_days * 100 / self.need.budget_days))


@dataclass
class PlanFigures:
    plan: SupportPlan
    needs: list
    bookings: list
    payments: list
    budget_days: Decimal = ZERO
    booked_days: Decimal = ZERO
    delivered_days: Decimal = ZERO
    value: Decimal = ZERO
    pro_bono_value: Decimal = ZERO
    paid: Decimal = ZERO


def booking_value(booking: Booking) -> Decimal:
    """A session at the expert's daily rate (hours ÷ hours per day × rate), to the cent."""
    rate = booking.expert.daily_rate or ZERO
    return (days(booking.hours) * rate).quantize(Decimal("0.01"))


def plan_figures(plan: SupportPlan) -> PlanFigures:
    """The plan's needs with days booked and delivered against their budget, its bookings, the value of
    the support (at the experts' rates; pro bono apart) and the fund's payments to experts. Four
    queries whatever the number of needs, bookings or payments."""
    needs = list(PlanNeed.objects.filter(plan=plan).prefetch_related("territories").order_by("domain"))
    bookings = list(Booking.objects.filter(need__plan=plan).select_related("expert", "need").order_by("start"))
    payments = list(SupportPayment.objects.filter(plan=plan).select_related("expert").order_by("-created_at"))
    figures = {need.pk: NeedFigures(need=need) for need in needs}
    for booking in bookings:
        if booking.status not in ACTIVE_STATUSES:
            continue
        row = figures[booking.need_id]
        row.booked_hours += booking.hours
        if booking.status == BookingStatus.DELIVERED:
            row.delivered_hours += booking.hours
        value = booking_value(booking)
        if booking.expert.pro_bono:
            row.pro_bono_value += value
        else:
            row.value += value
    rows = list(figures.values())
    return PlanFigures(
        plan=plan, needs=rows, bookings=bookings, payments=payments,
        budget_days=sum((r.need.budget_days for r in rows), Decimal("0.0")),
        booked_days=sum((r.booked_days for r in rows), ZERO),
        delivered_days=sum((r.delivered_days for r in rows), ZERO),
        value=sum((r.value for r in rows), ZERO), pro_bono_value=sum((r.pro_bono_value for r in rows), ZERO),
        paid=sum((p.amount for p in payments), ZERO))


def plans_overview():
    """Every plan with its initiative, budget and days booked (for the staff's list): three queries."""
    plans = list(SupportPlan.objects.select_related("grant__application").order_by("grant__application__name"))
    budgets = defaultdict(lambda: Decimal("0.0"))
    for plan_id, budget in PlanNeed.objects.values_list("plan_id", "budget_days"):
        budgets[plan_id] += budget
    booked = defaultdict(lambda: ZERO)
    delivered = defaultdict(lambda: ZERO)
    for plan_id, status, first, last in (Booking.objects.active()
                                         .values_list("need__plan_id", "status", "start", "end")):
        booked[plan_id] += _hours(first, last)
        if status == BookingStatus.DELIVERED:
            delivered[plan_id] += _hours(first, last)
    return [{"plan": plan, "budget_days": budgets[plan.pk], "booked_days": days(booked[plan.pk]),
             "delivered_days": days(delivered[plan.pk])} for plan in plans]


# --- Agenda and load -------------------------------------------------------------------------------


def agenda(*, start: datetime, end: datetime, expert_id=None, plan_id=None, statuses=None):
    """Bookings between `start` and `end`, with their expert and initiative (one query)."""
    bookings = (Booking.objects.filter(start__lt=end, end__gt=start)
                .select_related("expert", "need__plan__grant__application").order_by("start", "pk"))
    if expert_id:
        bookings = bookings.filter(expert_id=expert_id)
    if plan_id:
        bookings = bookings.filter(need__plan_id=plan_id)
    if statuses:
        bookings = bookings.filter(status__in=statuses)
    return bookings


@dataclass
class ExpertLoad:
    expert: Expert
    booked_hours: Decimal
    delivered_hours: Decimal
    capacity_hours: Decimal

    @property
    def percent(self) -> int:
        if not self.capacity_hours:
            return 0
        return int(self.booked_hours * 100 / self.capacity_hours)

    @property
    def booked_days(self) -> Decimal:
        return days(self.booked_hours)


def experts_load(month: date) -> list[ExpertLoad]:
    """Each active expert's hours booked in the month against their capacity: two queries."""
    first, last = month_bounds(month)
    booked = defaultdict(lambda: ZERO)
    delivered = defaultdict(lambda: ZERO)
    for expert_id, status, start, end in (Booking.objects.active().filter(start__gte=first, start__lt=last)
                                          .values_list("expert_id", "status", "start", "end")):
        booked[expert_id] += _hours(start, end)
        if status == BookingStatus.DELIVERED:
            delivered[expert_id] += _hours(start, end)
    experts = Expert.objects.filter(active=True).order_by("name", "pk")
    loads = [ExpertLoad(expert=e, booked_hours=booked[e.pk], delivered_hours=delivered[e.pk],
                        capacity_hours=e.capacity_hours_per_month) for e in experts]
    return sorted(loads, key=lambda row: (-row.percent, row.expert.name))


def month_days(month: date) -> int:
    return calendar.monthrange(month.year, month.month)[1]
