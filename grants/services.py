"""Writes of grants: pledges and donations, grants from published selections, and the ledger.

Every ledger write takes the pool's row lock first, so ledger writes run one after the other; the
counters then move with `F()` in the same transaction as the rows, and the named CHECK constraints
(and, on PostgreSQL, the deferred trigger on the tranches' sum) refuse anything that would break an
invariant even if a bug let it through here. A refused action raises `GrantError` with a translated
message and changes nothing. Corrections are reversing entries: nothing is edited or deleted.
"""

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from joinforces.accounts.rules import is_staff_member
from joinforces.core.services import audit

from .attribution import NotEnoughMoney, Source, attribute, plan_due_allocations
from .models import (
    Allocation,
    AllocationKind,
    AllocationPart,
    Donation,
    Donor,
    Grant,
    GrantStatus,
    Pledge,
    Pool,
    Tranche,
    TrancheCondition,
    TrancheStatus,
    cents,
)
from .receipts import donation_receipt_issue  # noqa: F401  (the tax receipt service lives beside)

CENT = Decimal("0.01")


class GrantError(Exception):
    """A refused action on money or grants, with a translated message for the person."""

    def __init__(self, message):
        self.message = str(message)
        super().__init__(self.message)


def money(value, *, allow_zero=False) -> Decimal:
    """`value` as euros and cents, or GrantError: not a number, negative, zero (unless allowed) or
    with more than two decimals."""
    try:
        amount = Decimal(str(value).replace(" ", "").replace("\u202f", "").replace(",", "."))
    except (InvalidOperation, TypeError, ValueError):
        raise GrantError(_("Enter an amount in euros, for example 1250.50.")) from None
    if not amount.is_finite():
        raise GrantError(_("Enter an amount in euros, for example 1250.50."))
    if amount != amount.quantize(CENT):
        raise GrantError(_("An amount has at most two decimals (cents)."))
    if amount < 0 or (amount == 0 and not allow_zero):
        raise GrantError(_("The amount must be more than zero."))
    if amount >= Decimal("1e12"):
        raise GrantError(_("This amount is too large."))
    return amount.quantize(CENT)


def is_team_member(user, grant: Grant) -> bool:
    """Whether `user` is in the team of the grant's initiative (its application's team)."""
    from applications.models import TeamMember

    return bool(user is not None and user.is_authenticated
                and TeamMember.objects.filter(application_id=grant.application_id, user=user).exists())


def require_staff(actor) -> None:
    if not is_staff_member(actor):
        raise GrantError(_("Only the JOIN FORCES team can do this."))


# --- Pledges and donations ---------------------------------------------------------------------


@transaction.atomic
def pledge_record(*, donor: Donor, amount, pledged_on: date, actor, expected_from=None, expected_until=None,
                  themes=(), note: str = "") -> Pledge:
    require_staff(actor)
    amount = money(amount)
    if expected_from and expected_until and expected_until < expected_from:
        raise GrantError(_("The expected dates are in the wrong order."))
    pledge = Pledge.objects.create(donor=donor, amount=amount, pledged_on=pledged_on, expected_from=expected_from,
                                   expected_until=expected_until, note=note.strip(), created_by=actor)
    pledge.themes.set(themes)
    audit(actor=actor, action="grants.pledge_recorded", target=donor,
          after={"pledge": pledge.pk, "amount": str(amount), "themes": sorted(t.code for t in pledge.themes.all())})
    return pledge


@transaction.atomic
def donation_receive(*, donor: Donor, amount, received_on: date, actor, pledge: Pledge | None = None, themes=None,
                     reference: str = "") -> Donation:
    """Record money received: it enters the pool. Restricted to `themes` (by default the pledge's)."""
    amount = money(amount)
    if received_on > timezone.localdate():
        raise GrantError(_("A donation cannot be received in the future."))
    if pledge is not None and pledge.donor_id != donor.pk:
        raise GrantError(_("This pledge is another donor's."))
    if themes is None:
        themes = list(pledge.themes.all()) if pledge is not None else []
    themes = list(themes)
    pool = Pool.objects.select_for_update().get_or_create(pk=1)[0]
    donation = Donation.objects.create(donor=donor, pledge=pledge, amount=amount, received_on=received_on,
                                       restricted=bool(themes), reference=reference.strip()[:140], created_by=actor)
    donation.themes.set(themes)
    Pool.objects.filter(pk=pool.pk).update(balance=F("balance") + amount)
    audit(actor=actor, action="grants.donation_received", target=donation,
          after={"donor": donor.pk, "amount": str(amount), "received_on": received_on.isoformat(),
                 "pledge": pledge.pk if pledge else None, "themes": sorted(t.code for t in themes)})
    if settings.TAX_RECEIPTS_ENABLED:
        from .tasks import donation_receipt_task

        transaction.on_commit(partial(donation_receipt_task.delay, donation.pk))
    return donation


# --- Grants ------------------------------------------------------------------------------------


def _first_of_next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def tranche_schedule(*, amount_per_year: Decimal, years: int, start: date) -> list[dict]:
    """One tranche a year: the first when the agreement is signed, each next one when the report of the
    year before is approved. Adds up to amount_per_year × years exactly."""
    return [
        {"number": n, "due_on": add_years(start, n - 1), "amount": amount_per_year,
         "condition": TrancheCondition.AGREEMENT_SIGNED if n == 1 else TrancheCondition.REPORT_APPROVED,
         "condition_year": None if n == 1 else n - 1}
        for n in range(1, years + 1)
    ]


@transaction.atomic
def grant_create_from_decision(*, decision) -> Grant:
    """The grant of a published selection (once: a second call returns it). Starts on the first day of
    the month after publication; agreement pending."""
    from applications.models import Outcome

    existing = Grant.objects.filter(decision=decision).first()
    if existing is not None:
        return existing
    if decision.outcome != Outcome.SELECTED or decision.published_at is None:
        raise GrantError(_("Only a published selection becomes a grant."))
    start = _first_of_next_month(timezone.localtime(decision.published_at).date())
    total = decision.amount_per_year * decision.years
    grant = Grant.objects.create(application=decision.application, decision=decision, total_amount=total,
                                 start_date=start, years=decision.years)
    Tranche.objects.bulk_create([Tranche(grant=grant, **row) for row in tranche_schedule(
        amount_per_year=decision.amount_per_year, years=decision.years, start=start)])
    audit(actor=None, action="grants.grant_created", target=grant,
          after={"decision": decision.pk, "total": str(total), "start": start.isoformat(), "years": decision.years})
    from .agreements import agreement_prepare

    agreement_prepare(grant=grant)
    return grant


def grant_complete_if_done(*, grant: Grant, actor=None) -> bool:
    """Close a grant whose every tranche is paid (or cancelled) and whose every yearly report is
    approved; returns whether it was closed now."""
    from .models import GrantReport, ReportStatus

    if grant.status not in (GrantStatus.ACTIVE, GrantStatus.SUSPENDED):
        return False
    if grant.tranches.exclude(status__in=[TrancheStatus.PAID, TrancheStatus.CANCELLED]).exists():
        return False
    approved = GrantReport.objects.filter(grant=grant, status=ReportStatus.APPROVED).count()
    if approved < grant.years:
        return False
    Grant.objects.filter(pk=grant.pk).update(status=GrantStatus.COMPLETED)
    audit(actor=actor, action="grants.grant_completed", target=grant, before={"status": grant.status},
          after={"status": GrantStatus.COMPLETED})
    grant.status = GrantStatus.COMPLETED
    return True


# --- The ledger --------------------------------------------------------------------------------


def lock_pool() -> Pool:
    """The pool's row, locked: every ledger write goes one after the other behind it."""
    Pool.objects.get_or_create(pk=1)
    return Pool.objects.select_for_update().get(pk=1)


def _grant_themes(grant: Grant) -> frozenset:
    return frozenset(grant.application.themes.values_list("code", flat=True))


def _sources() -> list[Source]:
    donations = (Donation.objects.filter(allocated__lt=F("amount")).prefetch_related("themes")
                 .order_by("received_on", "pk"))
    return [Source(id=d.pk, available=d.amount - d.allocated, received_on=d.received_on,
                   themes=frozenset(t.code for t in d.themes.all()) if d.restricted else frozenset())
            for d in donations]


def _write_entry(*, kind, grant, tranche, amount, parts, actor, reverses=None, reference="", note="") -> Allocation:
    """The entry, its parts and every counter, in one go; a CHECK refusal becomes a GrantError."""
    try:
        with transaction.atomic():
            entry = Allocation.objects.create(kind=kind, grant=grant, tranche=tranche, amount=amount,
                                              reverses=reverses, reference=reference[:140], note=note[:300],
                                              created_by=actor)
            AllocationPart.objects.bulk_create([AllocationPart(allocation=entry, donation_id=donation_id, amount=part)
                                                for donation_id, part in parts])
            for donation_id, part in parts:
                Donation.objects.filter(pk=donation_id).update(allocated=F("allocated") + part)
            if tranche is not None:
                Tranche.objects.filter(pk=tranche.pk).update(funded=F("funded") + amount)
            Pool.objects.filter(pk=1).update(balance=F("balance") - amount)
    except IntegrityError as error:
        raise GrantError(_("This entry would break the ledger's rules (%(detail)s); nothing was recorded.")
                         % {"detail": str(error).splitlines()[0][:200]}) from error
    return entry


def _draw(amount: Decimal, grant: Grant):
    try:
        return attribute(amount, _sources(), _grant_themes(grant))
    except NotEnoughMoney as short:
        raise GrantError(_("The pool holds %(missing)s € too little for this initiative's themes.")
                         % {"missing": short.missing}) from None


@transaction.atomic
def ledger_allocate(*, tranche: Tranche, actor, amount=None) -> Allocation:
    """Allocate pool money to a tranche (by default what it still needs), attributed to the donations
    it comes from: restricted money whose themes match first, then the oldest."""
    require_staff(actor)
    lock_pool()
    tranche = Tranche.objects.select_for_update().select_related("grant__application").get(pk=tranche.pk)
    if tranche.status != TrancheStatus.PLANNED:
        raise GrantError(_("Only a planned tranche can be funded."))
    if tranche.grant.status in (GrantStatus.TERMINATED, GrantStatus.COMPLETED):
        raise GrantError(_("This grant is closed."))
    remaining = tranche.amount - tranche.funded
    amount = remaining if amount is None else money(amount)
    if remaining == 0:
        raise GrantError(_("This tranche is already fully funded."))
    if amount > remaining:
        raise GrantError(_("This tranche needs only %(remaining)s € more.") % {"remaining": remaining})
    return _allocate(tranche=tranche, amount=amount, parts=_draw(amount, tranche.grant), actor=actor)


def _allocate(*, tranche: Tranche, amount: Decimal, parts, actor) -> Allocation:
    """Write one allocation to `tranche` with its attribution, and audit it."""
    entry = _write_entry(kind=AllocationKind.ALLOCATION, grant=tranche.grant, tranche=tranche, amount=amount,
                         parts=parts, actor=actor)
    audit(actor=actor, action="grants.allocated", target=tranche,
          before={"funded": str(tranche.funded)},
          after={"funded": str(tranche.funded + amount), "entry": entry.pk,
                 "parts": [[donation, str(part)] for donation, part in parts]})
    return entry


@transaction.atomic
def ledger_allocate_due(*, start: date, end: date, actor) -> list[Allocation]:
    """Fund every planned tranche due between `start` and `end`: fully when the pool allows, else the
    pool is shared in proportion to what each still needs (to the cent), within the money each may
    receive (restricted money goes only to its themes)."""
    require_staff(actor)
    lock_pool()
    tranches = list(Tranche.objects.select_for_update().due_between(start, end).filter(funded__lt=F("amount"))
                    .exclude(grant__status__in=[GrantStatus.TERMINATED, GrantStatus.COMPLETED])
                    .select_related("grant__application").order_by("due_on", "pk"))
    if not tranches:
        return []
    plan = plan_due_allocations(_sources(), [(t.pk, _grant_themes(t.grant), t.amount - t.funded) for t in tranches])
    entries = []
    for tranche in tranches:
        parts = plan.get(tranche.pk)
        if not parts:
            continue
        amount = sum((part for _donation, part in parts), Decimal("0.00"))
        entries.append(_allocate(tranche=tranche, amount=amount, parts=parts, actor=actor))
    return entries


@transaction.atomic
def ledger_record_support_spending(*, grant: Grant, amount, reference: str, actor) -> Allocation:
    """Money the fund pays an expert for the grant's initiative: an entry attributed like an
    allocation, counted as redistributed to that initiative (support calls this)."""
    require_staff(actor)
    lock_pool()
    grant = Grant.objects.select_related("application").get(pk=grant.pk)
    amount = money(amount)
    if not reference.strip():
        raise GrantError(_("Give the reference of the payment (invoice, expert)."))
    parts = _draw(amount, grant)
    entry = _write_entry(kind=AllocationKind.SUPPORT, grant=grant, tranche=None, amount=amount, parts=parts,
                         actor=actor, reference=reference.strip())
    audit(actor=actor, action="grants.support_spending_recorded", target=grant,
          after={"entry": entry.pk, "amount": str(amount), "reference": reference.strip(),
                 "parts": [[donation, str(part)] for donation, part in parts]})
    return entry


@transaction.atomic
def ledger_reverse(*, entry: Allocation, actor, reason: str) -> Allocation:
    """Reverse an entry: a new entry of the opposite amount with the opposite parts; the money goes
    back to the donations and the pool. An entry is reversed once; a paid tranche's never."""
    require_staff(actor)
    lock_pool()
    entry = Allocation.objects.select_related("tranche", "grant").get(pk=entry.pk)
    if not reason.strip():
        raise GrantError(_("Say why this entry is reversed."))
    if entry.kind == AllocationKind.REVERSAL:
        raise GrantError(_("A reversing entry is not reversed: record a new entry instead."))
    if Allocation.objects.filter(reverses=entry).exists():
        raise GrantError(_("This entry is already reversed."))
    tranche = None
    if entry.tranche_id is not None:
        tranche = Tranche.objects.select_for_update().get(pk=entry.tranche_id)
        if tranche.status == TrancheStatus.PAID:
            raise GrantError(_("This tranche is paid: its funding can no longer be reversed."))
        from .models import Payment, PaymentStatus

        if Payment.objects.filter(tranche=tranche, status=PaymentStatus.INCLUDED).exists():
            raise GrantError(_("This tranche is in a payment run being prepared: cancel the run before reversing "
                               "its funding."))
    parts = [(part.donation_id, -part.amount) for part in entry.parts.all()]
    reversal = _write_entry(kind=AllocationKind.REVERSAL, grant=entry.grant, tranche=tranche, amount=-entry.amount,
                            parts=parts, actor=actor, reverses=entry, note=reason.strip())
    audit(actor=actor, action="grants.entry_reversed", target=entry.grant,
          before={"entry": entry.pk, "amount": str(entry.amount)},
          after={"reversal": reversal.pk, "reason": reason.strip()[:2000]})
    return reversal


# --- Checking the ledger -----------------------------------------------------------------------


def ledger_differences() -> list[str]:
    """Every counter recomputed from the rows, and every sum the rules require: the differences found,
    in words (empty when the ledger is sound)."""
    from django.db.models import Sum

    problems = []
    parts = dict(AllocationPart.objects.values("donation").annotate(total=Sum("amount")).values_list(
        "donation", "total"))
    for donation in Donation.objects.order_by("pk"):
        expected = cents(parts.get(donation.pk))
        if donation.allocated != expected:
            problems.append(f"donation {donation.pk}: allocated {donation.allocated} != parts {expected}")
        if not Decimal("0") <= donation.allocated <= donation.amount:
            problems.append(f"donation {donation.pk}: allocated {donation.allocated} outside 0..{donation.amount}")
    entries = dict(Allocation.objects.filter(tranche__isnull=False).values("tranche").annotate(total=Sum("amount"))
                   .values_list("tranche", "total"))
    for tranche in Tranche.objects.order_by("pk"):
        expected = cents(entries.get(tranche.pk))
        if tranche.funded != expected:
            problems.append(f"tranche {tranche.pk}: funded {tranche.funded} != entries {expected}")
        if not Decimal("0") <= tranche.funded <= tranche.amount:
            problems.append(f"tranche {tranche.pk}: funded {tranche.funded} outside 0..{tranche.amount}")
    for entry_id, amount, parts_total in Allocation.objects.annotate(parts_total=Sum("parts__amount")).values_list(
            "pk", "amount", "parts_total"):
        if amount != cents(parts_total):
            problems.append(f"entry {entry_id}: amount {amount} != its parts {parts_total}")
    sums = dict(Tranche.objects.values("grant").annotate(total=Sum("amount")).values_list("grant", "total"))
    for grant_id, total in Grant.objects.values_list("pk", "total_amount"):
        if cents(sums.get(grant_id)) != total:
            problems.append(f"grant {grant_id}: tranches add up to {cents(sums.get(grant_id))} != total {total}")
    received = cents(Donation.objects.aggregate(total=Sum("amount"))["total"])
    spent = cents(Allocation.objects.aggregate(total=Sum("amount"))["total"])
    pool = Pool.objects.filter(pk=1).values_list("balance", flat=True).first() or Decimal("0.00")
    if pool != received - spent:
        problems.append(f"pool: balance {pool} != received {received} - allocated {spent}")
    if pool < 0:
        problems.append(f"pool: balance {pool} below zero")
    return problems

