"""The .ics of a booking, parsed back with icalendar: the invitation (METHOD:REQUEST), the update after a
reschedule (same UID, higher SEQUENCE, new times) and the cancellation (METHOD:CANCEL), times in UTC."""

import base64
from datetime import UTC, timedelta

import pytest
from icalendar import Calendar

from joinforces.core.models import Notification
from support import services
from support.notifications import uid

from .factories import ExpertFactory, next_weekday, plan_for

pytestmark = pytest.mark.django_db


def calendar_of(key_prefix, email):
    notification = Notification.objects.get(key__startswith=key_prefix, to=email)
    attachment = notification.attachments[0]
    assert attachment["filename"] == "invitation.ics" and attachment["mimetype"] == "text/calendar"
    calendar = Calendar.from_ical(base64.b64decode(attachment["content"]))
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return calendar, events[0]


def test_invitation_update_and_cancellation_parse_back(staff):
    plan = plan_for()
    expert = ExpertFactory(name="Claire Médiatrice", timezone="America/Cayenne")
    start = next_weekday(hour=10)
    booking = services.booking_create(need=plan.needs.get(domain="mediation"), expert=expert, start=start,
                                      end=start + timedelta(hours=2), actor=staff, notes="Ordre du jour partagé")

    calendar, event = calendar_of(f"support.booking_invitation:{booking.pk}:0:", expert.email)
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == uid(booking) == f"booking-{booking.pk}@joinforces.fr"
    assert int(event["SEQUENCE"]) == 0
    assert event.decoded("DTSTART") == start.astimezone(UTC) and event.decoded("DTSTART").utcoffset() == timedelta(0)
    assert event.decoded("DTEND") == (start + timedelta(hours=2)).astimezone(UTC)
    assert event.to_ical().decode().count("Z\r\n") >= 2  # written in UTC ("…T090000Z")
    assert "Claire Médiatrice" in str(event["SUMMARY"]) and str(event["DESCRIPTION"]) == "Ordre du jour partagé"

    new_start = start + timedelta(days=1, hours=3)
    services.booking_reschedule(booking=booking, start=new_start, end=new_start + timedelta(hours=1), actor=staff)
    team_email = plan.grant.application.created_by.email
    calendar, event = calendar_of(f"support.booking_invitation:{booking.pk}:1:", team_email)
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == uid(booking) and int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART") == new_start.astimezone(UTC)

    services.booking_cancel(booking=booking, actor=staff, reason="Le collectif reporte")
    calendar, event = calendar_of(f"support.booking_cancelled:{booking.pk}:2:", expert.email)
    assert str(calendar["METHOD"]) == "CANCEL" and str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == uid(booking) and int(event["SEQUENCE"]) == 2


def test_the_email_gives_the_time_in_the_recipient_s_time_zone(staff):
    plan = plan_for()
    expert = ExpertFactory(timezone="America/Cayenne")
    start = next_weekday(hour=15)  # 15:00 in Paris
    booking = services.booking_create(need=plan.needs.get(domain="mediation"), expert=expert, start=start,
                                      end=start + timedelta(hours=1), actor=staff)
    to_expert = Notification.objects.get(key__startswith=f"support.booking_invitation:{booking.pk}:0:",
                                         to=expert.email)
    to_team = Notification.objects.get(key__startswith=f"support.booking_invitation:{booking.pk}:0:",
                                       to=plan.grant.application.created_by.email)
    assert "15:00" in to_team.body_text and "Europe/Paris" in to_team.body_text
    cayenne = start.astimezone(UTC) - timedelta(hours=3)
    assert f"{cayenne:%H:%M}" in to_expert.body_text and "America/Cayenne" in to_expert.body_text
