"""The grant agreement (convention pluriannuelle): prepared when the grant is created, produced once as a
PDF in the grantee's language, then signed by the grantee (or by staff on the grantee's behalf).

    agreement_prepare(grant=grant)                      # grant_create_from_decision calls it (once)
    agreement_render(grant_id=grant.pk)                 # agreement_render_task calls it (once)
    agreement_sign(grant=grant, file=upload, actor=user)

The agreement's language is the team's (that of the person who started the application), fixed when it
is prepared. Rendering locks the agreement's row, so two runs of the task produce one document. Signing
stores the signed copy (a real PDF, checked by content), meets the "agreement signed" condition of the
grant's first tranche and makes the grant active; a second signature is refused.
"""

from datetime import date, timedelta
from functools import partial

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from joinforces.accounts.rules import is_staff_member
from joinforces.core.services import audit, notification_send
from joinforces.core.uploads import detect_kind

from .models import Grant, GrantAgreement, GrantStatus, Tranche, TrancheCondition
from .services import GrantError, add_years, is_team_member


def _team_language(application) -> str:
    from applications.services.committee import team_language

    language = team_language(application)
    known = {code for code, _name in settings.LANGUAGES}
    return language if language in known else settings.LANGUAGE_CODE



def agreement_url(grant: Grant) -> str:
    from django.urls import reverse

    return f"{settings.SITE_URL}{reverse('grants:grant_detail', args=[grant.pk])}"


# --- Preparing and producing -------------------------------------------------------------------


def agreement_prepare(*, grant: Grant, actor=None) -> GrantAgreement:
    """The grant's agreement record, created once in the team's language; its PDF is produced in the
    background after the commit (again only while it has none: the task is safe to run twice)."""
    with transaction.atomic():
        agreement, created = GrantAgreement.objects.get_or_create(
            grant=grant, defaults={"language": _team_language(grant.application)})
        if created:
            audit(actor=actor, action="grants.agreement_prepared", target=grant,
                  after={"agreement": agreement.pk, "language": agreement.language})
        if not agreement.document:
            from .tasks import agreement_render_task

            transaction.on_commit(partial(agreement_render_task.delay, grant.pk))
    return agreement


def agreement_context(grant: Grant) -> dict:
    """What the agreement says, from the grant's data (tranches in order, the lead organisation)."""
    from applications.models import MemberRole

    application = grant.application
    members = list(application.members.order_by("position", "pk"))
    leading = (MemberRole.LEAD, MemberRole.ABSORBING, MemberRole.TAKING_OVER, MemberRole.HEAD)
    lead = next((m for m in members if m.role in leading), members[0] if members else None)
    tranches = list(grant.tranches.order_by("number"))
    return {
        "grant": grant,
        "application": application,
        "decision": grant.decision,
        "issuer": settings.TAX_RECEIPT_ISSUER,
        "lead": lead,
        "members": members,
        "tranches": [{"tranche": t, "condition": tranche_condition_text(t)} for t in tranches],
        "amount_per_year": grant.decision.amount_per_year,
        "end_date": add_years(grant.start_date, grant.years) - timedelta(days=1),
        "report_dues": [(year, add_years(grant.start_date, year)) for year in range(1, grant.years + 1)],
    }


def agreement_render(*, grant_id: int) -> GrantAgreement:
    """Produce the agreement's PDF once, in its language; a second call returns it unchanged."""
    from joinforces.core.pdf import render_pdf

    with transaction.atomic():
        grant = Grant.objects.select_related("application__call", "application__created_by", "decision").get(
            pk=grant_id)
        GrantAgreement.objects.get_or_create(grant=grant, defaults={"language": _team_language(grant.application)})
        agreement = GrantAgreement.objects.select_for_update().get(grant=grant)
        if agreement.document:
            return agreement
        with translation.override(agreement.language):
            title = _("Multi-year grant agreement %(reference)s") % {"reference": grant.application.reference}
            content = render_pdf("grants/agreement_pdf.html", agreement_context(grant), title=title,
                                 language=agreement.language)
        agreement.document.save(f"convention-{grant.application.reference}.pdf", ContentFile(content), save=False)
        agreement.generated_at = timezone.now()
        agreement.save(update_fields=["document", "generated_at"])
        audit(actor=None, action="grants.agreement_produced", target=grant,
              after={"agreement": agreement.pk, "language": agreement.language})
    return agreement


# --- Signing -------------------------------------------------------------------------------------


def _check_pdf(file) -> None:
    """A real PDF within the upload limit (by content, whatever the name says)."""
    if file is None or not getattr(file, "size", 0):
        raise GrantError(_("Choose the signed agreement (a PDF file)."))
    if file.size > settings.UPLOAD_MAX_BYTES:
        raise GrantError(_("This file is too large (%(size)s). The limit is %(limit)s.")
                         % {"size": filesizeformat(file.size), "limit": filesizeformat(settings.UPLOAD_MAX_BYTES)})
    if detect_kind(file) != "pdf":
        raise GrantError(_("The signed agreement must be a PDF file."))


def agreement_sign(*, grant: Grant, file, actor) -> GrantAgreement:
    """Store the signed copy of the agreement (uploaded by the grantee's team or by staff), meet the
    "agreement signed" condition of the first tranche and make the grant active. Once only."""
    if not (is_staff_member(actor) or is_team_member(actor, grant)):
        raise GrantError(_("Only the initiative's team or the JOIN FORCES team can send the signed agreement."))
    _check_pdf(file)
    now = timezone.now()
    with transaction.atomic():
        agreement = (GrantAgreement.objects.select_for_update(of=("self",))
                     .select_related("grant__application").filter(grant_id=grant.pk).first())
        if agreement is None or not agreement.document:
            raise GrantError(_("The agreement is still being prepared: you can send the signed copy once it "
                               "is ready."))
        if agreement.signed_at is not None:
            raise GrantError(_("The signed agreement has already been received."))
        grant = agreement.grant
        if grant.status != GrantStatus.AGREEMENT_PENDING:
            raise GrantError(_("This grant is no longer waiting for its agreement."))
        agreement.signed_copy.save(f"convention-signee-{grant.application.reference}.pdf", file, save=False)
        # Conditional, so that of two signatures at the same moment (even where rows cannot be locked)
        # only one is kept; the other's file is removed.
        if not GrantAgreement.objects.filter(pk=agreement.pk, signed_at__isnull=True).update(
                signed_copy=agreement.signed_copy.name, signed_at=now, signed_by=actor):
            agreement.signed_copy.delete(save=False)
            raise GrantError(_("The signed agreement has already been received."))
        agreement.signed_at = now
        agreement.signed_by = actor
        met = list(Tranche.objects.filter(grant=grant, condition=TrancheCondition.AGREEMENT_SIGNED,
                                          condition_met_at__isnull=True).order_by("number")
                   .values_list("number", flat=True))
        Tranche.objects.filter(grant=grant, number__in=met).update(condition_met_at=now)
        Grant.objects.filter(pk=grant.pk, status=GrantStatus.AGREEMENT_PENDING).update(status=GrantStatus.ACTIVE)
        audit(actor=actor, action="grants.agreement_signed", target=grant,
              before={"status": grant.status},
              after={"status": GrantStatus.ACTIVE, "agreement": agreement.pk, "signed_at": now.isoformat(),
                     "conditions_met": [f"tranche {number}" for number in met],
                     "by_staff": not is_team_member(actor, grant)})
        grant.status = GrantStatus.ACTIVE
        _notify_signed(agreement)
        transaction.on_commit(partial(_send_activated, grant.pk))
    return agreement


def _send_activated(grant_id: int) -> None:
    from .signals import grant_activated

    grant_activated.send(sender=Grant, grant=Grant.objects.get(pk=grant_id))


def _notify_signed(agreement: GrantAgreement) -> None:
    from applications.models import TeamMember

    grant = agreement.grant
    for member in TeamMember.objects.filter(application_id=grant.application_id).select_related("user"):
        notification_send(
            to=member.user.email,
            template="grants/email/agreement_signed",
            context={"grant": grant, "application": grant.application, "user": member.user,
                     "url": agreement_url(grant)},
            key=f"grants.agreement_signed:{agreement.pk}:{member.user.pk}",
            language=agreement.language,
        )


# --- Reading ---------------------------------------------------------------------------------------


def tranche_condition_text(tranche: Tranche) -> str:
    """The condition of a tranche in words, in the active language."""
    if tranche.condition == TrancheCondition.AGREEMENT_SIGNED:
        return _("Agreement signed")
    if tranche.condition == TrancheCondition.REPORT_APPROVED:
        return _("Report of year %(year)s approved") % {"year": tranche.condition_year}
    if tranche.condition == TrancheCondition.MANUAL:
        return _("Released by the JOIN FORCES team")
    return _("No condition")


def report_due_on(grant: Grant, year: int) -> date:
    """When the report of `year` is due: the anniversary of the grant's start, `year` years on."""
    return add_years(grant.start_date, year)
