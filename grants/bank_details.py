"""Where a grant is paid: the bank details the grantee names, in force only once a second person approves.

    details = bank_details_request(grant=grant, actor=user, payee=member, holder="…", iban="FR76…", bic="…")
    bank_details_approve(details=details, actor=other_staff)          # in force; the previous one replaced
    bank_details_reject(details=details, actor=other_staff, note="The RIB does not match.")
    bank_details_in_force(grant)                                      # what the payments use

A request is entered by a member of the initiative's team (on the grant's page, after re-entering
their password) or by staff; the payee is one of the application's member organisations; IBAN and BIC
are validated (`grants.iban`). A grant has at most one request waiting: a new request replaces the
waiting one, which becomes "replaced" (superseded) — it was never approved nor refused by anyone, so it
is not marked refused. Approving or refusing is for staff, never the person who entered the request
(the four-eyes rule, also a CHECK constraint of the database); approving replaces the details in force.
Every step is audited with the masked IBAN only (the full IBAN never enters the audit log nor an
email) and the initiative's team is told by email, so that a change nobody in the team made is noticed.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from joinforces.accounts.rules import is_staff_member
from joinforces.core.services import audit, notification_send

from .iban import validate_bic, validate_iban
from .models import BankDetails, BankDetailsStatus, Grant, GrantStatus
from .services import GrantError, is_team_member

CLOSED = (GrantStatus.COMPLETED, GrantStatus.TERMINATED)



def bank_details_url(grant: Grant) -> str:
    return f"{settings.SITE_URL}{reverse('grants:bank_details', args=[grant.pk])}"


def _summary(details: BankDetails) -> dict:
    """What the audit log keeps of bank details: never the full IBAN."""
    return {"bank_details": details.pk, "payee": details.payee_id, "holder": details.holder,
            "iban": details.masked_iban, "bic": details.bic, "status": details.status}


def _notify_team(details: BankDetails, event: str) -> None:
    from applications.models import TeamMember

    grant = details.grant
    for member in TeamMember.objects.filter(application_id=grant.application_id).select_related("user"):
        notification_send(
            to=member.user.email,
            template=f"grants/email/bank_details_{event}",
            context={"user": member.user, "grant": grant, "application": grant.application,
                     "holder": details.holder, "payee": details.payee.name, "masked_iban": details.masked_iban,
                     "note": details.decision_note, "url": bank_details_url(grant)},
            key=f"grants.bank_details_{event}:{details.pk}:{member.user.pk}",
        )


def bank_details_in_force(grant: Grant) -> BankDetails | None:
    """The approved bank details of `grant` (the ones payments go to), or None."""
    return (BankDetails.objects.filter(grant=grant, status=BankDetailsStatus.APPROVED)
            .select_related("payee").first())


def bank_details_pending(grant: Grant) -> BankDetails | None:
    """The change of `grant`'s bank details waiting for approval, or None."""
    return (BankDetails.objects.filter(grant=grant, status=BankDetailsStatus.PENDING)
            .select_related("payee", "requested_by").first())


@transaction.atomic
def bank_details_request(*, grant: Grant, actor, payee, holder: str, iban: str, bic: str) -> BankDetails:
    """Enter new bank details for `grant`: they wait for a staff member's approval (any waiting request
    is replaced). Refused with GrantError, changing nothing: by someone outside the team and staff, for a
    closed grant, a payee outside the application, an invalid IBAN or BIC, or the details in force."""
    if not (is_staff_member(actor) or is_team_member(actor, grant)):
        raise GrantError(_("Only the initiative's team or the JOIN FORCES team can change its bank details."))
    grant = Grant.objects.select_for_update().select_related("application").get(pk=grant.pk)
    if grant.status in CLOSED:
        raise GrantError(_("This grant is closed: its bank details can no longer be changed."))
    if payee is None or payee.application_id != grant.application_id:
        raise GrantError(_("The payee must be one of the member organisations of the collective."))
    holder = " ".join(str(holder or "").split())
    if not holder:
        raise GrantError(_("Enter the name of the account holder."))
    if len(holder) > 140:
        raise GrantError(_("The name of the account holder has at most 140 characters."))
    try:
        iban = validate_iban(iban)
        bic = validate_bic(bic, iban=iban)
    except ValidationError as error:
        raise GrantError(" ".join(error.messages)) from None
    in_force = bank_details_in_force(grant)
    if in_force is not None and (in_force.payee_id, in_force.holder, in_force.iban, in_force.bic) == (
            payee.pk, holder, iban, bic):
        raise GrantError(_("These are already the bank details in force: nothing to change."))
    now = timezone.now()
    replaced = list(BankDetails.objects.select_for_update().filter(grant=grant, status=BankDetailsStatus.PENDING))
    for old in replaced:
        old.status, old.decided_at = BankDetailsStatus.SUPERSEDED, now
        old.decision_note = str(_("Replaced by a newer request."))[:300]
        old.save(update_fields=["status", "decided_at", "decision_note"])
    details = BankDetails.objects.create(grant=grant, payee=payee, holder=holder, iban=iban, bic=bic,
                                         requested_by=actor)
    audit(actor=actor, action="grants.bank_details_requested", target=details,
          before={"replaced": [_summary(old) for old in replaced],
                  "in_force": _summary(in_force) if in_force else None},
          after={"grant": grant.pk, **_summary(details)})
    _notify_team(details, "requested")
    return details


def _lock_pending(details: BankDetails, actor) -> BankDetails:
    if not is_staff_member(actor):
        raise GrantError(_("Only the JOIN FORCES team can approve or refuse a change of bank details."))
    details = BankDetails.objects.select_for_update().select_related("grant__application", "payee").get(
        pk=details.pk)
    if details.status != BankDetailsStatus.PENDING:
        raise GrantError(_("This change of bank details is no longer waiting for approval (%(status)s).")
                         % {"status": details.get_status_display()})
    return details


@transaction.atomic
def bank_details_approve(*, details: BankDetails, actor, note: str = "") -> BankDetails:
    """Put a waiting change in force, by a staff member who did not enter it; the details in force
    until now are replaced."""
    details = _lock_pending(details, actor)
    if details.requested_by_id == actor.pk:
        raise GrantError(_("You entered this change of bank details yourself: another member of the JOIN FORCES "
                           "team must approve it (second pair of eyes)."))
    previous = list(BankDetails.objects.select_for_update().filter(grant_id=details.grant_id,
                                                                   status=BankDetailsStatus.APPROVED))
    for old in previous:
        old.status = BankDetailsStatus.SUPERSEDED
        old.save(update_fields=["status"])
    details.status, details.decided_by, details.decided_at = BankDetailsStatus.APPROVED, actor, timezone.now()
    details.decision_note = " ".join(str(note or "").split())[:300]
    details.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit(actor=actor, action="grants.bank_details_approved", target=details,
          before={"in_force": [_summary(old) for old in previous]},
          after={"grant": details.grant_id, **_summary(details), "note": details.decision_note})
    _notify_team(details, "approved")
    return details


@transaction.atomic
def bank_details_reject(*, details: BankDetails, actor, note: str) -> BankDetails:
    """Refuse a waiting change, with the reason the team will read; the details in force stay."""
    details = _lock_pending(details, actor)
    note = " ".join(str(note or "").split())
    if not note:
        raise GrantError(_("Say why this change of bank details is refused: the team will read it."))
    if details.requested_by_id == actor.pk:
        raise GrantError(_("You entered this change of bank details yourself: another member of the JOIN FORCES "
                           "team must refuse it, or enter new bank details to replace it."))
    details.status, details.decided_by, details.decided_at = BankDetailsStatus.REJECTED, actor, timezone.now()
    details.decision_note = note[:300]
    details.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit(actor=actor, action="grants.bank_details_rejected", target=details,
          after={"grant": details.grant_id, **_summary(details), "note": details.decision_note})
    _notify_team(details, "rejected")
    return details
