"""Payments of tranches: staff prepare a payment run of the tranches that are ready, download it as a
SEPA credit transfer file (pain.001.001.03) for the bank, then mark the run paid once the bank has
executed it, which records the payment (the `Payment` rows and the tranche's PAID status).

A tranche is ready to be paid ("payable") when it is planned, due, fully funded, its condition met,
its grant active, the grant's bank details in force, and it is in no live run. Every write here
takes the pool's row lock first, like every ledger write, so preparing, cancelling and paying runs go
one after the other with allocations and reversals; the partial unique constraint
`payment_once_per_tranche` is the last guard: a tranche is never in two live runs, so never paid twice.
"""

import uuid
from datetime import date, datetime, time
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from sepaxml import SepaTransfer
from sepaxml.validation import ValidationError as SepaValidationError

from joinforces.core.formats import euros
from joinforces.core.services import audit, notification_send

from .models import (
    BankDetails,
    BankDetailsStatus,
    GrantStatus,
    Payment,
    PaymentRun,
    PaymentRunStatus,
    PaymentStatus,
    Tranche,
    TrancheCondition,
    TrancheStatus,
)
from .services import GrantError, grant_complete_if_done, lock_pool, require_staff

SCHEMA = "pain.001.001.03"
REMITTANCE = "Subvention JOIN FORCES {reference} – tranche {number}"


# --- Reads -------------------------------------------------------------------------------------


def _in_force():
    return BankDetails.objects.filter(status=BankDetailsStatus.APPROVED)


def _bank_details_in_force(grant_ids) -> dict:
    """The bank details in force (approved) of each grant, by grant id, in one query (there is at
    most one per grant: `bankdetails_one_in_force_per_grant`)."""
    return {details.grant_id: details for details in _in_force().filter(grant_id__in=set(grant_ids))}


def _live_payments():
    return Payment.objects.exclude(status=PaymentStatus.CANCELLED)


def _condition_met():
    return Q(condition=TrancheCondition.NONE) | Q(condition_met_at__isnull=False)


def payable_tranches(today: date | None = None):
    """The tranches ready to be paid on `today` (by default today): planned, due on or before it,
    fully funded, their condition met, their grant active with bank details in force, and in no
    live run; with the grant, its application and the bank details in force
    (`tranche.grant.bank_details_in_force`, a list of one), in a fixed number of queries."""
    today = today or timezone.localdate()
    return (
        Tranche.objects.filter(status=TrancheStatus.PLANNED, due_on__lte=today, funded=F("amount"),
                               grant__status=GrantStatus.ACTIVE)
        .filter(_condition_met())
        .filter(Exists(_in_force().filter(grant=OuterRef("grant"))))
        .exclude(Exists(_live_payments().filter(tranche=OuterRef("pk"))))
        .select_related("grant__application")
        .prefetch_related(Prefetch("grant__bank_details", queryset=_in_force().select_related("payee"),
                                   to_attr="bank_details_in_force"))
        .order_by("due_on", "grant__application__reference", "number")
    )


def _label(tranche: Tranche) -> str:
    reference = tranche.grant.application.reference or f"#{tranche.grant_id}"
    return _("Tranche %(number)s of %(reference)s") % {"number": tranche.number, "reference": reference}


def _refusal(tranche: Tranche, *, on: date, live_run: str | None, details: BankDetails | None) -> str | None:
    """Why `tranche` cannot be put in a run executed on `on`, in words; None when it can."""
    label = {"tranche": _label(tranche)}
    if tranche.status == TrancheStatus.PAID:
        return _("%(tranche)s: already paid.") % label
    if tranche.status != TrancheStatus.PLANNED:
        return _("%(tranche)s: cancelled.") % label
    if live_run is not None:
        return _("%(tranche)s: already in another payment run (%(run)s).") % {**label, "run": live_run}
    if tranche.funded != tranche.amount:
        return _("%(tranche)s: not fully funded (%(funded)s of %(amount)s); allocate the money first.") % {
            **label, "funded": euros(tranche.funded), "amount": euros(tranche.amount)}
    if tranche.due_on > on:
        return _("%(tranche)s: not due before %(date)s.") % {**label, "date": _day(tranche.due_on)}
    if tranche.condition != TrancheCondition.NONE and tranche.condition_met_at is None:
        return _("%(tranche)s: its condition is not met (%(condition)s).") % {
            **label, "condition": tranche.get_condition_display()}
    if tranche.grant.status != GrantStatus.ACTIVE:
        return _("%(tranche)s: its grant is not active (%(status)s).") % {
            **label, "status": tranche.grant.get_status_display()}
    if details is None:
        return _("%(tranche)s: its grant has no bank details in force.") % label
    return None


def _day(day: date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


# --- The SEPA file -----------------------------------------------------------------------------


def _account(value: str) -> str:
    return "".join((value or "").split()).upper()


def _debtor() -> dict:
    """The fund as debtor of the transfers: its name, IBAN and (optional) BIC from the settings."""
    iban = _account(getattr(settings, "BANK_ACCOUNT_IBAN", ""))
    if not iban:
        raise GrantError(_("The fund's own IBAN is not configured (setting BANK_ACCOUNT_IBAN): no payment file "
                           "can be prepared."))
    config = {"name": settings.TAX_RECEIPT_ISSUER["name"], "IBAN": iban, "batch": True, "currency": "EUR"}
    bic = _account(getattr(settings, "BANK_ACCOUNT_BIC", ""))
    if bic:
        config["BIC"] = bic
    return config


class _Transfer(SepaTransfer):
    """sepaxml's transfer with our message id (sepaxml makes a random one in its header)."""

    def __init__(self, config, message_id):
        self._message_id = message_id
        super().__init__(config, schema=SCHEMA)

    def _create_header(self):
        self.msg_id = self._message_id
        super()._create_header()


def _cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_exact())


def pain001(*, debtor: dict, message_id: str, execution_date: date, payments) -> bytes:
    """The pain.001.001.03 file of `payments` (each with its tranche and bank details), checked
    against the schema; a file the schema refuses becomes a GrantError."""
    transfer = _Transfer(dict(debtor), message_id)
    for payment in payments:
        details, tranche = payment.bank_details, payment.tranche
        item = {"name": details.holder, "IBAN": _account(details.iban), "amount": _cents(payment.amount),
                "execution_date": execution_date, "endtoend_id": payment.end_to_end_id,
                "description": REMITTANCE.format(reference=tranche.grant.application.reference or tranche.grant_id,
                                                 number=tranche.number)}
        if _account(details.bic):
            item["BIC"] = _account(details.bic)
        transfer.add_payment(item)
    try:
        return transfer.export(validate=True)
    except SepaValidationError as error:
        detail = str(getattr(error.__cause__, "reason", "") or error.__cause__ or error).splitlines()[0][:200]
        raise GrantError(_("The payment file does not match the SEPA schema (%(detail)s): check the IBAN and BIC "
                           "of the fund and of the payees.") % {"detail": detail}) from error


# --- Writes ------------------------------------------------------------------------------------


def _tranche_ids(tranches) -> list[int]:
    return sorted({int(getattr(tranche, "pk", tranche)) for tranche in tranches})


@transaction.atomic
def payment_run_prepare(*, actor, execution_date: date, tranches=None) -> PaymentRun:
    """A payment run of `tranches` (by default every payable tranche) to be executed on
    `execution_date`: one payment per tranche to the bank details in force, and its pain.001 file.

    A tranche passed explicitly that is not payable (already paid or in a live run, not fully funded,
    not due by the execution date, its condition unmet, its grant inactive or without bank details)
    refuses the whole run with a message naming it; nothing is recorded."""
    require_staff(actor)
    today = timezone.localdate()
    if not isinstance(execution_date, date):
        raise GrantError(_("Give the execution date requested from the bank."))
    if execution_date < today:
        raise GrantError(_("The requested execution date cannot be in the past."))
    debtor = _debtor()
    lock_pool()
    if tranches is None:
        ids = list(payable_tranches(today=execution_date).order_by().values_list("pk", flat=True))
        if not ids:
            raise GrantError(_("No tranche is ready to be paid: a tranche is paid once due, fully funded, its "
                               "condition met and the bank details of its grant in force."))
        ids.sort()
    else:
        ids = _tranche_ids(tranches)
        if not ids:
            raise GrantError(_("Choose at least one tranche to pay."))
    locked = list(Tranche.objects.select_for_update(of=("self",)).filter(pk__in=ids)
                  .select_related("grant__application").order_by("pk"))
    if len(locked) != len(ids):
        raise GrantError(_("One of the chosen tranches does not exist."))
    live = dict(_live_payments().filter(tranche_id__in=ids).values_list("tranche_id", "run__message_id"))
    bank = _bank_details_in_force(tranche.grant_id for tranche in locked)
    problems = [problem for tranche in locked if (problem := _refusal(
        tranche, on=execution_date, live_run=live.get(tranche.pk), details=bank.get(tranche.grant_id)))]
    if problems:
        raise GrantError(" ".join(problems))

    run = PaymentRun.objects.create(execution_date=execution_date, prepared_by=actor,
                                    message_id=f"JF-TMP-{uuid.uuid4().hex[:28]}")
    message_id = f"JF-{today:%Y%m%d}-{run.pk:06d}"
    payments = [
        Payment(run=run, tranche=tranche, bank_details=bank[tranche.grant_id], amount=tranche.amount,
                end_to_end_id=f"{tranche.grant.application.reference or tranche.grant_id}-T{tranche.number}-R{run.pk}")
        for tranche in locked
    ]
    try:
        with transaction.atomic():
            Payment.objects.bulk_create(payments)
    except IntegrityError as error:
        raise GrantError(_("One of these tranches is already in another payment run; nothing was prepared.")) \
            from error
    content = pain001(debtor=debtor, message_id=message_id, execution_date=execution_date, payments=payments)
    run.message_id = message_id
    run.total = sum((payment.amount for payment in payments), Decimal("0.00"))
    run.file.save(f"{message_id}.xml", ContentFile(content), save=False)
    run.save(update_fields=["message_id", "total", "file"])
    audit(actor=actor, action="grants.payment_run_prepared", target=run,
          after={"status": run.status, "message_id": message_id, "execution_date": execution_date.isoformat(),
                 "total": str(run.total), "tranches": ids})
    return run


def _lock_run(run: PaymentRun) -> PaymentRun:
    return PaymentRun.objects.select_for_update().get(pk=run.pk)


@transaction.atomic
def payment_run_cancel(*, run: PaymentRun, actor, reason: str) -> PaymentRun:
    """Cancel a prepared run (the file will not be sent to the bank): its payments are cancelled and
    its tranches free to go into a new run."""
    require_staff(actor)
    reason = (reason or "").strip()
    if not reason:
        raise GrantError(_("Say why this payment run is cancelled."))
    lock_pool()
    locked = _lock_run(run)
    if locked.status != PaymentRunStatus.PREPARED:
        raise GrantError(_("Only a prepared run can be cancelled; this one is “%(status)s”.")
                         % {"status": locked.get_status_display()})
    tranches = list(locked.payments.order_by("pk").values_list("tranche_id", flat=True))
    locked.payments.filter(status=PaymentStatus.INCLUDED).update(status=PaymentStatus.CANCELLED)
    locked.status = PaymentRunStatus.CANCELLED
    locked.save(update_fields=["status"])
    audit(actor=actor, action="grants.payment_run_cancelled", target=locked,
          before={"status": PaymentRunStatus.PREPARED},
          after={"status": PaymentRunStatus.CANCELLED, "reason": reason[:2000], "tranches": tranches})
    run.status = locked.status
    return locked


def _noon(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(12, 0)), timezone.get_default_timezone())


@transaction.atomic
def payment_run_mark_paid(*, run: PaymentRun, actor, paid_on: date, bank_reference: str) -> PaymentRun:
    """Record that the bank executed a prepared run on `paid_on`: each payment and its tranche paid,
    the run paid, the grants whose every tranche and report is done completed, the teams told."""
    require_staff(actor)
    reference = (bank_reference or "").strip()
    if not isinstance(paid_on, date):
        raise GrantError(_("Give the date on which the bank executed the transfers."))
    if not reference:
        raise GrantError(_("Give the bank's reference of the transfers."))
    if paid_on > timezone.localdate():
        raise GrantError(_("The bank cannot have executed the transfers in the future."))
    lock_pool()
    locked = _lock_run(run)
    if locked.status == PaymentRunStatus.PAID:
        raise GrantError(_("This payment run is already marked paid (executed on %(date)s).")
                         % {"date": _day(locked.paid_on)})
    if locked.status != PaymentRunStatus.PREPARED:
        raise GrantError(_("This payment run is cancelled: it cannot be marked paid."))
    if paid_on < timezone.localdate(locked.prepared_at):
        raise GrantError(_("The bank cannot have executed the transfers before the run was prepared (%(date)s).")
                         % {"date": _day(timezone.localdate(locked.prepared_at))})
    payments = list(locked.payments.filter(status=PaymentStatus.INCLUDED).order_by("pk"))
    tranches = {tranche.pk: tranche for tranche in Tranche.objects.select_for_update(of=("self",))
                .filter(pk__in=[payment.tranche_id for payment in payments])
                .select_related("grant__application").order_by("pk")}
    problems = []
    for payment in payments:
        tranche = tranches[payment.tranche_id]
        payment.tranche = tranche
        if tranche.status != TrancheStatus.PLANNED:
            problems.append(_("%(tranche)s: no longer planned (%(status)s).")
                            % {"tranche": _label(tranche), "status": tranche.get_status_display()})
        elif tranche.funded != tranche.amount or tranche.amount != payment.amount:
            problems.append(_("%(tranche)s: no longer fully funded for %(amount)s; fund it again before marking the "
                              "run paid.") % {"tranche": _label(tranche), "amount": euros(payment.amount)})
    if problems:
        raise GrantError(" ".join(problems))
    paid_at = _noon(paid_on)
    try:
        with transaction.atomic():
            Payment.objects.filter(pk__in=[payment.pk for payment in payments]).update(
                status=PaymentStatus.PAID, paid_at=paid_at)
            Tranche.objects.filter(pk__in=list(tranches)).update(status=TrancheStatus.PAID, paid_at=paid_at)
    except IntegrityError as error:
        raise GrantError(_("A tranche of this run cannot be recorded as paid (%(detail)s); nothing was recorded.")
                         % {"detail": str(error).splitlines()[0][:200]}) from error
    locked.status = PaymentRunStatus.PAID
    locked.paid_on = paid_on
    locked.bank_reference = reference[:140]
    locked.marked_paid_by = actor
    locked.save(update_fields=["status", "paid_on", "bank_reference", "marked_paid_by"])
    for payment in payments:
        payment.status, payment.paid_at = PaymentStatus.PAID, paid_at
        audit(actor=actor, action="grants.tranche_paid", target=payment.tranche,
              before={"status": TrancheStatus.PLANNED},
              after={"status": TrancheStatus.PAID, "paid_at": paid_at.isoformat(), "amount": str(payment.amount),
                     "run": locked.message_id, "end_to_end_id": payment.end_to_end_id})
    audit(actor=actor, action="grants.payment_run_paid", target=locked,
          before={"status": PaymentRunStatus.PREPARED},
          after={"status": PaymentRunStatus.PAID, "paid_on": paid_on.isoformat(), "bank_reference": reference[:140],
                 "total": str(locked.total), "payments": [payment.pk for payment in payments]})
    grants = {payment.tranche.grant_id: payment.tranche.grant for payment in payments}
    for grant in grants.values():
        grant_complete_if_done(grant=grant, actor=actor)
    _tell_teams(payments, paid_on=paid_on)
    run.status = locked.status
    return locked


def _tell_teams(payments, *, paid_on: date) -> None:
    """Each member of the team of each paid grant gets one email per tranche paid (once)."""
    from applications.models import TeamMember

    applications = {payment.tranche.grant.application_id for payment in payments}
    team = {}
    for member in TeamMember.objects.filter(application_id__in=applications).select_related("user").order_by("pk"):
        team.setdefault(member.application_id, []).append(member.user)
    for payment in payments:
        grant = payment.tranche.grant
        url = f"{settings.SITE_URL}{reverse('grants:grant_detail', args=[grant.pk])}"
        for user in team.get(grant.application_id, []):
            notification_send(
                to=user.email, template="grants/email/tranche_paid",
                context={"user": user, "grant": grant, "application": grant.application, "tranche": payment.tranche,
                         "amount": payment.amount, "paid_on": paid_on, "url": url},
                key=f"grants.tranche_paid:{payment.pk}:{user.pk}",
            )
