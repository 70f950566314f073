"""Calendar invitations (.ics), for bookings and events.

    content = ics_event(uid=f"booking-{booking.pk}@joinforces", start=..., end=..., summary=...)
    notification_send(..., attachments=[EmailAttachment("invitation.ics", content, ICS_MIMETYPE)])
"""

from datetime import UTC, datetime

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

ICS_MIMETYPE = "text/calendar"


def ics_event(
    *,
    uid: str,
    start: datetime,
    end: datetime,
    summary: str,
    description: str = "",
    location: str = "",
    url: str = "",
    organizer_email: str | None = None,
    sequence: int = 0,
    cancelled: bool = False,
) -> bytes:
    """One event as an iCalendar file. Times must be aware; they are written in UTC."""
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise ValueError("ics_event needs timezone-aware datetimes")
    calendar = Calendar()
    calendar.add("prodid", "-//JOIN FORCES//joinforces.fr//FR")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", start.astimezone(UTC))
    event.add("dtend", end.astimezone(UTC))
    event.add("summary", summary)
    event.add("sequence", sequence)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if description:
        event.add("description", description)
    if location:
        event["location"] = vText(location)
    if url:
        event.add("url", url)
    from email.utils import parseaddr

    organizer = vCalAddress(f"mailto:{organizer_email or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]}")
    organizer.params["cn"] = vText(settings.SITE_NAME)
    event["organizer"] = organizer
    calendar.add_component(event)
    return calendar.to_ical()


def ics_response(content: bytes, filename: str = "invitation.ics") -> HttpResponse:
    response = HttpResponse(content, content_type=f"{ICS_MIMETYPE}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
