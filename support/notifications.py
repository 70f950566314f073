"""The emails of a booking, each sent once per key through `notification_send`, in the recipient's
language, to the expert and to each person of the initiative's team:

- the invitation, with its .ics (stable UID; SEQUENCE raised by every reschedule), sent again on each
  reschedule (a new key per sequence);
- the cancellation (or the expert's refusal), with an .ics of METHOD:CANCEL;
- the reminder the day before, once per sequence;
- the request for feedback after the session;
- the expert's answer (confirmed, declined), to the staff member who booked.

Each email to the expert or the team carries a signed link to cancel or move the session.
"""

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from joinforces.core.ics import ICS_MIMETYPE, ics_event
from joinforces.core.services import EmailAttachment, notification_send, recipient_language

from .links import feedback_url, manage_url


def uid(booking) -> str:
    return f"booking-{booking.pk}@joinforces.fr"


def recipients(booking) -> list[tuple[str, str]]:
    """(side, email) of everyone concerned: the expert, then the initiative's team."""
    from applications.models import TeamMember

    expert = booking.expert
    people = [("expert", expert.user.email if expert.user_id else expert.email)]
    team = (TeamMember.objects.filter(application_id=booking.need.plan.grant.application_id)
            .select_related("user").order_by("pk"))
    people += [("initiative", member.user.email) for member in team]
    seen, unique = set(), []
    for side, email in people:
        if email and email.lower() not in seen:
            seen.add(email.lower())
            unique.append((side, email))
    return unique


def _summary(booking) -> str:
    application = booking.need.plan.grant.application
    return _("Support %(domain)s · %(initiative)s with %(expert)s") % {
        "domain": booking.need.get_domain_display().lower(), "initiative": application.name or application.reference,
        "expert": booking.expert.name}


def booking_ics(booking, *, cancelled: bool = False, language: str | None = None) -> bytes:
    with override(language or settings.LANGUAGE_CODE):
        location = booking.location or (str(_("Remote")) if booking.mode == "remote" else "")
        return ics_event(uid=uid(booking), start=booking.start, end=booking.end, summary=_summary(booking),
                         description=booking.notes, location=location, sequence=booking.sequence,
                         cancelled=cancelled)


def _time_zone(booking, side, email) -> ZoneInfo:
    """The recipient's time zone: their account's, else the expert's own, else Paris."""
    from django.contrib.auth import get_user_model

    name = get_user_model().objects.filter(email__iexact=email).values_list("timezone", flat=True).first()
    if not name and side == "expert":
        name = booking.expert.timezone
    try:
        return ZoneInfo(name or settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def _context(booking, side, email) -> dict:
    zone = _time_zone(booking, side, email)
    return {"booking": booking, "expert": booking.expert, "need": booking.need,
            "time_zone": str(zone),
            "application": booking.need.plan.grant.application, "side": side,
            "manage_url": manage_url(booking, side=side, email=email)}


def _send(booking, template, key, *, cancelled=False, ics=True, extra=None):
    for side, email in recipients(booking):
        language = recipient_language(email)
        attachments = [EmailAttachment("invitation.ics", booking_ics(booking, cancelled=cancelled, language=language),
                                       ICS_MIMETYPE)] if ics else []
        context = _context(booking, side, email)
        if extra:
            context.update(extra(booking, side, email))
        notification_send(to=email, template=template, context=context, key=f"{key}:{email.lower()}",
                          language=language, attachments=attachments)


def invitations_send(booking) -> None:
    _send(booking, "support/email/booking_invitation", f"support.booking_invitation:{booking.pk}:{booking.sequence}")


def cancellations_send(booking) -> None:
    _send(booking, "support/email/booking_cancelled", f"support.booking_cancelled:{booking.pk}:{booking.sequence}",
          cancelled=True)


def reminders_send(booking) -> None:
    _send(booking, "support/email/booking_reminder", f"support.booking_reminder:{booking.pk}:{booking.sequence}")


def feedback_requests_send(booking) -> None:
    _send(booking, "support/email/feedback_request", f"support.feedback_request:{booking.pk}", ics=False,
          extra=lambda b, side, email: {"feedback_url": feedback_url(b, side=side, email=email)})


def answer_send(booking) -> None:
    """Tell the staff member who booked what the expert answered."""
    if booking.created_by_id is None:
        return
    notification_send(
        to=booking.created_by.email, template="support/email/booking_answered",
        context={"booking": booking, "expert": booking.expert, "need": booking.need,
                 "application": booking.need.plan.grant.application,
                 "url": f"{settings.SITE_URL}{reverse('support:booking_detail', args=[booking.pk])}"},
        key=f"support.booking_answered:{booking.pk}:{booking.sequence}:{booking.status}")
