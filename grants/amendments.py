"""Amendments and termination of a grant after its signature.

- `grant_amend` reschedules or resizes future tranches (planned, not paid, in no live payment run),
  with the reason and the grantee's agreement recorded. Resizing changes the grant's total to the new
  sum of its tranches in the same transaction (on PostgreSQL the deferred trigger
  `grant_tranches_add_up_to_total` checks the sum at commit). A tranche is never resized below what is
  already allocated to it: staff reverse its funding first. Adding or removing a tranche is out of
  scope (a tranche that is no longer wanted is resized; a grant that stops is terminated).
- `grant_terminate` cancels every planned tranche and returns its funding to the donations and the
  pool by reversing each of its entries not yet reversed (`services.ledger_reverse`); paid tranches
  stay as they are; what the initiative must give back is recorded on the amendment.

Both take the pool's lock first, like every ledger write, then the grant's tranches; a refusal raises
`GrantError` and changes nothing. Each records an `Amendment` (schedules before and after), an audit
event and an email to the initiative's team. `check_ledger` stays green through both.
"""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from joinforces.core.services import audit, notification_send

from .models import (
    ZERO,
    Allocation,
    AllocationKind,
    Amendment,
    Grant,
    GrantStatus,
    Payment,
    PaymentStatus,
    Tranche,
    TrancheStatus,
)
from .services import GrantError, ledger_reverse, lock_pool, money, require_staff

CLOSED = (GrantStatus.TERMINATED, GrantStatus.COMPLETED)


def schedule(tranches) -> list[dict]:
    """A grant's tranches as stored on an amendment: number, due date, amount, status and funding."""
    return [{"number": t.number, "due_on": t.due_on.isoformat(), "amount": str(t.amount), "status": t.status,
             "funded": str(t.funded)} for t in sorted(tranches, key=lambda t: t.number)]


def _locked(grant: Grant) -> tuple[Grant, list[Tranche]]:
    """The grant and its tranches, locked (after the pool: the order of every ledger write)."""
    lock_pool()
    grant = Grant.objects.select_for_update().select_related("application").get(pk=grant.pk)
    tranches = list(Tranche.objects.select_for_update().filter(grant=grant).order_by("number"))
    return grant, tranches


def _in_live_runs(tranches) -> set[int]:
    """The numbers of those tranches that are in a payment run not cancelled."""
    return set(Payment.objects.filter(tranche__in=list(tranches)).exclude(status=PaymentStatus.CANCELLED)
               .values_list("tranche__number", flat=True))


def _numbers(numbers) -> str:
    return ", ".join(str(n) for n in sorted(numbers))


def _as_date(value) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise GrantError(_("Enter a due date, for example 2027-03-31.")) from None


def _notify_team(*, grant: Grant, amendment: Amendment, template: str, action: str, context: dict) -> None:
    from applications.models import TeamMember

    url = f"{settings.SITE_URL}{reverse('grants:grant_detail', args=[grant.pk])}"
    for member in TeamMember.objects.filter(application=grant.application).select_related("user"):
        notification_send(
            to=member.user.email, template=template,
            context={"grant": grant, "application": grant.application, "amendment": amendment,
                     "user": member.user, "url": url, **context},
            key=f"{action}:{amendment.pk}:{member.user.pk}",
        )


# --- Amendment: reschedule or resize future tranches ------------------------------------------------


@transaction.atomic
def grant_amend(*, grant: Grant, actor, reason: str, grantee_agreement: str, changes: list[dict],
                grantee_agreement_file=None) -> Amendment:
    """Reschedule or resize future tranches of a grant.

    `changes` is a list of `{"number": n, "due_on": date (optional), "amount": amount (optional)}`,
    one per tranche; entries that change nothing are ignored. Only a future tranche changes: planned
    (not paid, not cancelled) and in no payment run that is not cancelled. A new due date is not in
    the past; an amount is in euros and cents, more than zero and not below what is already allocated
    to the tranche. The grant's total becomes the new sum of its tranches. Adding or removing a
    tranche is out of scope.
    """
    require_staff(actor)
    reason = (reason or "").strip()
    grantee_agreement = (grantee_agreement or "").strip()
    if not reason:
        raise GrantError(_("Say why the grant is amended."))
    if not grantee_agreement:
        raise GrantError(_("Record the grantee's agreement (how and when they agreed)."))
    if len(grantee_agreement) > 300:
        raise GrantError(_("Describe the grantee's agreement in at most 300 characters."))
    grant, tranches = _locked(grant)
    if grant.status in CLOSED:
        raise GrantError(_("This grant is closed: it can no longer be amended."))
    by_number = {t.number: t for t in tranches}
    today = timezone.localdate()
    wanted: dict[int, tuple[date, Decimal]] = {}
    for change in changes or ():
        try:
            number = int(change["number"])
        except (KeyError, TypeError, ValueError):
            raise GrantError(_("Say which tranche changes (its number).")) from None
        tranche = by_number.get(number)
        if tranche is None:
            raise GrantError(_("This grant has no tranche %(number)s.") % {"number": number})
        if number in wanted:
            raise GrantError(_("Tranche %(number)s is given twice.") % {"number": number})
        due_on = tranche.due_on if change.get("due_on") in (None, "") else _as_date(change["due_on"])
        amount = tranche.amount if change.get("amount") in (None, "") else money(change["amount"])
        if (due_on, amount) == (tranche.due_on, tranche.amount):
            continue
        if tranche.status == TrancheStatus.PAID:
            raise GrantError(_("Tranche %(number)s is paid: it can no longer change.") % {"number": number})
        if tranche.status != TrancheStatus.PLANNED:
            raise GrantError(_("Tranche %(number)s is cancelled: it can no longer change.") % {"number": number})
        if due_on != tranche.due_on and due_on < today:
            raise GrantError(_("The new due date of tranche %(number)s is in the past.") % {"number": number})
        if amount < tranche.funded:
            raise GrantError(
                _("Tranche %(number)s already has %(funded)s € allocated to it: it cannot be resized below that. "
                  "Reverse its funding in the ledger first.") % {"number": number, "funded": tranche.funded})
        wanted[number] = (due_on, amount)
    if not wanted:
        raise GrantError(_("This amendment changes nothing: change the due date or the amount of a tranche."))
    live = _in_live_runs(by_number[n] for n in wanted)
    if live:
        raise GrantError(_("Tranche(s) %(numbers)s are in a payment run being paid: they cannot change. Cancel "
                           "the run first.") % {"numbers": _numbers(live)})

    before = schedule(tranches)
    old_total = grant.total_amount
    try:
        with transaction.atomic():
            for number, (due_on, amount) in wanted.items():
                tranche = by_number[number]
                Tranche.objects.filter(pk=tranche.pk).update(due_on=due_on, amount=amount)
                tranche.due_on, tranche.amount = due_on, amount
            new_total = sum((t.amount for t in tranches), ZERO)
            if new_total != old_total:
                Grant.objects.filter(pk=grant.pk).update(total_amount=new_total)
                grant.total_amount = new_total
    except IntegrityError as error:
        raise GrantError(_("This amendment would break the ledger's rules (%(detail)s); nothing was recorded.")
                         % {"detail": str(error).splitlines()[0][:200]}) from error
    after = schedule(tranches)
    amendment = Amendment.objects.create(
        grant=grant, kind=Amendment.Kind.AMENDMENT, reason=reason, grantee_agreement=grantee_agreement,
        grantee_agreement_file=grantee_agreement_file or "", before=before, after=after, created_by=actor)
    audit(actor=actor, action="grants.amended", target=grant,
          before={"total": str(old_total), "schedule": before},
          after={"total": str(grant.total_amount), "schedule": after, "amendment": amendment.pk,
                 "reason": reason[:2000], "grantee_agreement": grantee_agreement})
    rows = [{"number": old["number"], "due_before": date.fromisoformat(old["due_on"]),
             "due_after": date.fromisoformat(new["due_on"]), "amount_before": Decimal(old["amount"]),
             "amount_after": Decimal(new["amount"])}
            for old, new in zip(before, after, strict=True) if old["number"] in wanted]
    _notify_team(grant=grant, amendment=amendment, template="grants/email/grant_amended", action="grants.amended",
                 context={"rows": rows, "old_total": old_total, "new_total": grant.total_amount})
    return amendment


# --- Termination -------------------------------------------------------------------------------


def termination_preview(grant: Grant) -> dict:
    """What terminating `grant` would do now (for the confirmation step): the planned tranches to
    cancel, their funding to return to the pool, what was paid, and the tranches that block it."""
    tranches = list(Tranche.objects.filter(grant=grant).order_by("number"))
    planned = [t for t in tranches if t.status == TrancheStatus.PLANNED]
    return {
        "tranches": tranches,
        "planned": planned,
        "planned_numbers": _numbers(t.number for t in planned),
        "returned": sum((t.funded for t in planned), ZERO),
        "paid": sum((t.amount for t in tranches if t.status == TrancheStatus.PAID), ZERO),
        "blocking": sorted(_in_live_runs(planned)),
    }


@transaction.atomic
def grant_terminate(*, grant: Grant, actor, reason: str, grantee_agreement: str = "",
                    amount_to_recover="0") -> Amendment:
    """Terminate a grant: every planned tranche is cancelled and its funding returned to the donations
    and the pool (each of its entries not yet reversed is reversed); paid tranches stay; the amount
    the initiative must give back (at most what was paid) is recorded. A tranche in a live payment run
    blocks it: cancel the run first."""
    require_staff(actor)
    reason = (reason or "").strip()
    grantee_agreement = (grantee_agreement or "").strip()
    if not reason:
        raise GrantError(_("Say why the grant is terminated."))
    if len(grantee_agreement) > 300:
        raise GrantError(_("Describe the grantee's agreement in at most 300 characters."))
    to_recover = money(amount_to_recover if str(amount_to_recover).strip() else "0", allow_zero=True)
    grant, tranches = _locked(grant)
    if grant.status == GrantStatus.TERMINATED:
        raise GrantError(_("This grant is already terminated."))
    if grant.status == GrantStatus.COMPLETED:
        raise GrantError(_("This grant is completed: it can no longer be terminated."))
    planned = [t for t in tranches if t.status == TrancheStatus.PLANNED]
    live = _in_live_runs(planned)
    if live:
        raise GrantError(_("Tranche(s) %(numbers)s are in a payment run being paid: cancel the run first, then "
                           "terminate the grant.") % {"numbers": _numbers(live)})
    paid = sum((t.amount for t in tranches if t.status == TrancheStatus.PAID), ZERO)
    if to_recover > paid:
        raise GrantError(_("Only %(paid)s € was paid on this grant: the amount to recover cannot be more.")
                         % {"paid": paid})

    before = schedule(tranches)
    with translation.override(settings.LANGUAGE_CODE):  # the ledger's notes are in the fund's language
        note = _("Termination: %(reason)s") % {"reason": reason}
    entries = (Allocation.objects.filter(tranche__in=planned).exclude(kind=AllocationKind.REVERSAL)
               .filter(reversed_by__isnull=True).order_by("pk"))
    reversals = [ledger_reverse(entry=entry, actor=actor, reason=note) for entry in entries]
    left = Tranche.objects.filter(pk__in=[t.pk for t in planned]).aggregate(total=Sum("funded"))["total"]
    if left:  # every entry of these tranches is reversed: nothing can be left
        raise GrantError(_("The funding of the tranches could not be returned in full; nothing was recorded."))
    now = timezone.now()
    Tranche.objects.filter(pk__in=[t.pk for t in planned]).update(status=TrancheStatus.CANCELLED)
    Grant.objects.filter(pk=grant.pk).update(status=GrantStatus.TERMINATED, terminated_at=now)
    old_status = grant.status
    grant.status, grant.terminated_at = GrantStatus.TERMINATED, now
    after = schedule(Tranche.objects.filter(grant=grant))
    amendment = Amendment.objects.create(
        grant=grant, kind=Amendment.Kind.TERMINATION, reason=reason, grantee_agreement=grantee_agreement,
        before=before, after=after, amount_to_recover=to_recover, created_by=actor)
    returned = -sum((r.amount for r in reversals), ZERO)
    audit(actor=actor, action="grants.terminated", target=grant,
          before={"status": old_status, "schedule": before},
          after={"status": GrantStatus.TERMINATED, "schedule": after, "amendment": amendment.pk,
                 "reason": reason[:2000], "returned_to_pool": str(returned), "amount_to_recover": str(to_recover),
                 "reversals": [r.pk for r in reversals]})
    _notify_team(grant=grant, amendment=amendment, template="grants/email/grant_terminated",
                 action="grants.terminated",
                 context={"cancelled": _numbers(t.number for t in planned), "paid": paid, "to_recover": to_recover})
    return amendment
