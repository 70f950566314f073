"""Reminders 7 days and 1 day before (once each, by address), check-in (idempotent, staff only), the
.ics parsed back, badges as a background PDF job."""

from datetime import timedelta

import pytest
from icalendar import Calendar

from events import services
from events.models import Registration
from events.services import EventError
from events.tasks import reminders_task
from joinforces.core.models import AuditEvent, Job, Notification

from .factories import EventFactory, SessionFactory, at, register

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def reminder_keys(event):
    return sorted(Notification.objects.filter(key__startswith=f"events:{event.pk}:reminder:")
                  .values_list("key", flat=True))


def test_reminders_seven_days_and_one_day_before_once_each():
    event = EventFactory(starts_at=at(days=30), registration_opens_at=at(days=-10))
    registration = register(event)
    other = register(event, confirm=False)  # never confirmed: no reminder
    start = event.starts_at
    assert services.reminders_send(now=start - timedelta(days=8)) == 0
    assert services.reminders_send(now=start - timedelta(days=6, hours=23)) == 1
    assert services.reminders_send(now=start - timedelta(days=6)) == 0
    assert services.reminders_send(now=start - timedelta(hours=20)) == 1
    assert services.reminders_send(now=start - timedelta(hours=2)) == 0
    assert reminder_keys(event) == [f"events:{event.pk}:reminder:1:{registration.pk}",
                                    f"events:{event.pk}:reminder:7:{registration.pk}"]
    mail = Notification.objects.get(key=f"events:{event.pk}:reminder:1:{registration.pk}")
    assert mail.to == registration.email and services.registration_url(registration) in mail.body_text
    assert not Notification.objects.filter(to=other.email, key__contains=":reminder:").exists()


def test_the_reminder_task_run_twice_sends_once_and_skips_the_reminder_due_before_registration():
    event = EventFactory(starts_at=at(days=3), registration_closes_at=at(days=2))
    register(event)  # registered within the last week: the 7-day reminder is not sent
    reminders_task()
    reminders_task()
    assert reminder_keys(event) == []
    cancelled = register(event)
    services.registration_cancel(registration=cancelled)
    assert services.reminders_send(now=event.starts_at - timedelta(hours=12)) == 1


def test_check_in_is_idempotent_and_for_staff_only(staff, applicant):
    event = EventFactory()
    registration = register(event)
    with pytest.raises(EventError, match="team"):
        services.registration_check_in(registration=registration, actor=applicant)
    first, new = services.registration_check_in(registration=registration, actor=staff)
    assert new and first.checked_in_at and first.checked_in_by == staff
    again, new_again = services.registration_check_in(registration=registration, actor=staff)
    assert not new_again and again.checked_in_at == first.checked_in_at
    assert AuditEvent.objects.filter(action="events.checked_in").count() == 1


def test_pending_and_cancelled_registrations_are_not_checked_in(staff):
    event = EventFactory()
    pending = register(event, confirm=False)
    with pytest.raises(EventError, match="confirmed"):
        services.registration_check_in(registration=pending, actor=staff)
    cancelled = register(event)
    services.registration_cancel(registration=cancelled)
    with pytest.raises(EventError, match="cancelled"):
        services.registration_check_in(registration=cancelled, actor=staff)
    assert not Registration.objects.filter(checked_in_at__isnull=False).exists()


def test_the_ics_of_the_confirmation_parses_back_with_the_event_and_sessions():
    import base64

    event = EventFactory(title="Journée des Acteurs de l'Impact Collectif 2027", title_en="")
    workshop = SessionFactory(event=event, title="Gouvernance partagée", title_en="", room="Salle Jaurès")
    registration = register(event, [workshop])
    mail = Notification.objects.get(key=f"events:{event.pk}:confirmed:{registration.pk}")
    calendar = Calendar.from_ical(base64.b64decode(mail.attachments[0]["content"]))
    [vevent] = calendar.walk("VEVENT")
    assert str(vevent["summary"]) == "Journée des Acteurs de l'Impact Collectif 2027"
    assert vevent.decoded("dtstart") == event.starts_at and vevent.decoded("dtend") == event.ends_at
    assert str(vevent["uid"]) == f"event-{event.pk}-registration-{registration.pk}@joinforces"
    assert "Gouvernance partagée (Salle Jaurès)" in str(vevent["description"])
    assert "Pantin" in str(vevent["location"])
    assert str(calendar["method"]) == "REQUEST"

    services.registration_cancel(registration=registration)
    cancelled = Notification.objects.get(key=f"events:{event.pk}:cancelled:{registration.pk}")
    calendar = Calendar.from_ical(base64.b64decode(cancelled.attachments[0]["content"]))
    assert str(calendar["method"]) == "CANCEL"
    [vevent] = calendar.walk("VEVENT")
    assert str(vevent["status"]) == "CANCELLED" and vevent["sequence"] == 1


def test_badges_are_rendered_in_a_background_job(staff, monkeypatch, django_capture_on_commit_callbacks):
    from events import services as event_services

    rendered = {}

    def fake_pdf(template, context, *, title, language=None):
        rendered.update(template=template, names=[b["registration"].full_name for b in context["badges"]])
        assert all(b["qr"].startswith("<svg") for b in context["badges"])
        return b"%PDF-1.4 badges"

    monkeypatch.setattr("joinforces.core.pdf.render_pdf", fake_pdf)
    event = EventFactory()
    first = register(event, first_name="Léa", last_name="Arnaud")
    register(event, confirm=False)
    with django_capture_on_commit_callbacks(execute=True):
        job = event_services.badges_start(event=event, actor=staff)
    job = Job.objects.get(pk=job.pk)
    assert job.status == Job.Status.DONE and job.result.name.endswith(".pdf")
    assert rendered == {"template": "events/badges_pdf.html", "names": [first.full_name]}


def test_the_badges_template_renders_as_a_real_pdf():
    from events.selectors import badge_rows
    from joinforces.core.pdf import render_pdf

    event = EventFactory()
    register(event, first_name="Léa", last_name="Arnaud", organisation="Les Jardins partagés")
    content = render_pdf("events/badges_pdf.html", {"event": event, "badges": badge_rows(event)}, title="Badges")
    assert content.startswith(b"%PDF")
