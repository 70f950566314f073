"""Reads of grants and the ledger: the redistribution figures, overall and per donor, each in a fixed
number of queries whatever the number of donations, grants or entries."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, DecimalField, F, Q, Sum, Value
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone

from .models import (
    Allocation,
    AllocationKind,
    AllocationPart,
    Donation,
    Grant,
    Pledge,
    Pool,
    Tranche,
    TrancheStatus,
    cents,
)

ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=14, decimal_places=2)


def _sum(expression):
    return Coalesce(Sum(expression), Value(ZERO), output_field=MONEY)


@dataclass(frozen=True)
class Figures:
    """Where the money stands. `allocated` is net of reversals and includes support spending."""

    pledged: Decimal
    received: Decimal
    allocated: Decimal
    support: Decimal
    paid: Decimal
    pool: Decimal
    due_soon: Decimal
    need_by_year: dict = field(default_factory=dict)
    # Received and allocated from the beginning to the end of the period (None: the period runs to
    # today, and they are `received` and `allocated` when it starts at the beginning).
    received_to_end: Decimal | None = None
    allocated_to_end: Decimal | None = None

    @property
    def redistribution_rate(self) -> Decimal | None:
        """The share of the money received by the end of the period that is allocated to initiatives
        by then (no fee is ever taken: the funder's own costs are paid by its sponsor). Counted from
        the beginning, so that money received one year and allocated the next never shows above 100 %."""
        received = self.received if self.received_to_end is None else self.received_to_end
        allocated = self.allocated if self.allocated_to_end is None else self.allocated_to_end
        if not received:
            return None
        return (allocated / received * 100).quantize(Decimal("0.1"))

    @property
    def fundraising_need(self) -> Decimal:
        return sum(self.need_by_year.values(), ZERO)


def _period(queryset, field_name, start, end):
    if start is not None:
        queryset = queryset.filter(**{f"{field_name}__gte": start})
    if end is not None:
        queryset = queryset.filter(**{f"{field_name}__lte": end})
    return queryset


def _within(field_name, start, end) -> Q:
    """The condition of `_period`, for a filtered aggregate."""
    condition = Q()
    if start is not None:
        condition &= Q(**{f"{field_name}__gte": start})
    if end is not None:
        condition &= Q(**{f"{field_name}__lte": end})
    return condition


def _sum_where(expression, condition: Q):
    return Coalesce(Sum(expression, filter=condition) if condition else Sum(expression), Value(ZERO),
                    output_field=MONEY)


def fundraising_need_by_year(pool_balance: Decimal) -> dict[int, Decimal]:
    """What the planned tranches still need, by year due, once the pool's money is counted against
    the earliest years first: the money still to raise for what was promised."""
    rows = (Tranche.objects.filter(status=TrancheStatus.PLANNED).annotate(year=ExtractYear("due_on"))
            .values("year").annotate(need=_sum(F("amount") - F("funded"))).order_by("year"))
    left, need = pool_balance, {}
    for row in rows:
        covered = min(left, row["need"])
        left -= covered
        if row["need"] - covered > 0:
            need[row["year"]] = cents(row["need"] - covered)
    return need


SUPPORT = Q(kind=AllocationKind.SUPPORT) | Q(reverses__kind=AllocationKind.SUPPORT)


def fund_figures(*, start: date | None = None, end: date | None = None) -> Figures:
    """The fund's figures for a period (received on, entries made, tranches paid within it); the pool
    and the need are always as of today."""
    recorded = _within("created_at__date", start, end)
    entries = Allocation.objects.aggregate(
        allocated=_sum_where("amount", recorded), support=_sum_where("amount", recorded & SUPPORT),
        to_end=_sum_where("amount", _within("created_at__date", None, end)),
    )
    donations = Donation.objects.aggregate(total=_sum_where("amount", _within("received_on", start, end)),
                                           to_end=_sum_where("amount", _within("received_on", None, end)))
    received = donations["total"]
    pledged = _period(Pledge.objects.all(), "pledged_on", start, end).aggregate(total=_sum("amount"))["total"]
    paid = _period(Tranche.objects.filter(status=TrancheStatus.PAID), "paid_at__date", start, end).aggregate(
        total=_sum("amount"))["total"]
    pool = Pool.objects.filter(pk=1).values_list("balance", flat=True).first() or ZERO
    today = timezone.localdate()
    due_soon = Tranche.objects.due_between(today, today + timedelta(days=90)).aggregate(
        total=_sum(F("amount") - F("funded")))["total"]
    return Figures(pledged=cents(pledged), received=cents(received), allocated=cents(entries["allocated"]),
                   support=cents(entries["support"]), paid=cents(paid), pool=cents(pool),
                   due_soon=cents(due_soon), need_by_year=fundraising_need_by_year(pool),
                   received_to_end=cents(donations["to_end"]), allocated_to_end=cents(entries["to_end"]))


def donor_figures(donor, *, start: date | None = None, end: date | None = None) -> Figures:
    """One donor's figures for a period: its pledges and donations, what of them is allocated (its
    attributions to the entries made in the period), paid (its attributions to the tranches paid in the
    period) and, as of today, still waiting in the pool. Three queries."""
    donations = Donation.objects.filter(donor=donor)
    received = donations.aggregate(total=_sum_where("amount", _within("received_on", start, end)),
                                   to_end=_sum_where("amount", _within("received_on", None, end)),
                                   waiting=_sum(F("amount") - F("allocated")))
    pledged = _period(Pledge.objects.filter(donor=donor), "pledged_on", start, end).aggregate(
        total=_sum("amount"))["total"]
    parts = AllocationPart.objects.filter(donation__donor=donor)
    recorded = _within("allocation__created_at__date", start, end)
    paid = Q(allocation__tranche__status=TrancheStatus.PAID) & _within("allocation__tranche__paid_at__date", start, end)
    totals = parts.aggregate(
        allocated=_sum_where("amount", recorded),
        support=_sum_where("amount", recorded & (Q(allocation__kind=AllocationKind.SUPPORT)
                                                 | Q(allocation__reverses__kind=AllocationKind.SUPPORT))),
        paid=_sum_where("amount", paid),
        to_end=_sum_where("amount", _within("allocation__created_at__date", None, end)),
    )
    return Figures(pledged=cents(pledged), received=cents(received["total"]), allocated=cents(totals["allocated"]),
                   support=cents(totals["support"]), paid=cents(totals["paid"]), pool=cents(received["waiting"]),
                   due_soon=ZERO, received_to_end=cents(received["to_end"]), allocated_to_end=cents(totals["to_end"]))


def grant_list():
    """Grants with their initiative, call and money: funded, tranches, next tranche due — for the admin
    list, in one query."""
    from django.db.models import Min, OuterRef, Subquery

    next_due = (Tranche.objects.filter(grant=OuterRef("pk"), status=TrancheStatus.PLANNED).order_by("due_on")
                .values("due_on")[:1])
    return (Grant.objects.select_related("application__call", "decision")
            .annotate(funded=_sum("tranches__funded"), tranche_count=Count("tranches"),
                      next_due_on=Subquery(next_due), first_due_on=Min("tranches__due_on")))


def grant_for_team(user, pk) -> Grant:
    """The grant `pk` if `user` is in its initiative's team, or staff; else 404 (donors get nothing
    here: they follow grants on their dashboard)."""
    from django.shortcuts import get_object_or_404

    from applications.models import TeamMember
    from joinforces.accounts.rules import is_staff_member

    grants = Grant.objects.select_related("application__call", "decision")
    if not is_staff_member(user):
        grants = grants.filter(application__in=TeamMember.objects.filter(user=user).values("application_id"))
    return get_object_or_404(grants, pk=pk)
