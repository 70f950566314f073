"""After the day: resources published and registrants told once; CSV exports; anonymisation after
the retention period."""

import csv
import io
from datetime import timedelta

import pytest

from events import selectors, services
from events.models import Registration, Resource, WaitingListEntry
from events.services import EventError
from joinforces.core.models import Notification

from .factories import EventFactory, SessionFactory, at, register, waiting

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def past_event(**kwargs):
    kwargs.setdefault("starts_at", at(days=5))
    return EventFactory(**kwargs)


def test_publishing_resources_tells_the_registrants_once(staff):
    event = past_event()
    registrations = [register(event) for _ in range(3)]
    services.registration_cancel(registration=registrations[2])
    slides = Resource.objects.create(event=event, title="Diaporama", url="https://example.org/diaporama.pdf")
    notes = Resource.objects.create(event=event, title="Notes", url="https://example.org/notes")
    assert services.resources_publish(resources=[slides], actor=staff) == 2
    assert services.resources_publish(resources=[notes], actor=staff) == 0
    assert services.resources_publish(resources=[slides, notes], actor=staff) == 0
    sent = Notification.objects.filter(key__startswith=f"events:{event.pk}:resources:")
    assert sorted(sent.values_list("to", flat=True)) == sorted(r.email for r in registrations[:2])
    assert list(Resource.objects.published().filter(event=event).order_by("pk")) == [slides, notes]
    event.refresh_from_db()
    assert event.resources_announced_at is not None


def test_only_staff_publish(applicant):
    resource = Resource.objects.create(event=past_event(), title="Diaporama", url="https://example.org/d.pdf")
    with pytest.raises(EventError):
        services.resources_publish(resources=[resource], actor=applicant)
    resource.refresh_from_db()
    assert not resource.published


def test_exports_registrants_sessions_and_check_ins(staff):
    event = past_event()
    workshop = SessionFactory(event=event, title="Gouvernance partagée", title_en="", capacity=2)
    checked = register(event, [workshop], first_name="Léa", last_name="Arnaud", organisation="Le Lien")
    register(event, first_name="Marc", last_name="Blanc")
    services.registration_check_in(registration=checked, actor=staff)

    def read(rows):
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=";").writerows(rows)
        return list(csv.reader(io.StringIO(buffer.getvalue()), delimiter=";"))

    registrants = read(selectors.registrants_rows(event))
    assert [row[:4] for row in registrants[1:]] == [["Arnaud", "Léa", checked.email, "Le Lien"],
                                                   ["Blanc", "Marc", registrants[2][2], "Collectif Solidaire"]]
    assert registrants[1][7] == "Gouvernance partagée" and registrants[1][8]
    sessions = read(selectors.sessions_rows(event))
    assert sessions[1][0] == "Gouvernance partagée" and sessions[1][5:] == ["2", "1", "0", "1"]
    checkins = read(selectors.checkins_rows(event))
    assert [row[:3] for row in checkins[1:]] == [["Arnaud", "Léa", "Le Lien"]]
    assert checkins[1][4] == staff.email


def test_anonymisation_waits_for_the_retention_period_then_erases_the_people(staff):
    event = past_event(retention_days=30, capacity=1)
    registration = register(event, first_name="Léa", last_name="Arnaud", email="lea@example.org",
                            organisation="Le Lien")
    entry = waiting(event, email="attente@example.org")
    services.registration_check_in(registration=registration, actor=staff, now=event.starts_at)
    with pytest.raises(EventError, match="kept until"):
        services.event_anonymise(event=event, actor=staff, now=event.ends_at + timedelta(days=29))
    assert Registration.objects.get(pk=registration.pk).email == "lea@example.org"

    assert services.event_anonymise(event=event, actor=staff, now=event.ends_at + timedelta(days=31)) == 1
    assert services.event_anonymise(event=event, actor=staff, now=event.ends_at + timedelta(days=32)) == 0
    registration.refresh_from_db()
    entry.refresh_from_db()
    assert registration.anonymised and registration.checked_in_at is not None
    assert (registration.first_name, registration.last_name, registration.organisation) == ("—", "", "")
    assert registration.email == f"anonyme-{registration.pk}@anonyme.invalid"
    assert entry.email.endswith("@anonyme.invalid") and entry.first_name == "—"
    assert not Notification.objects.filter(to__in=["lea@example.org", "attente@example.org"]).exists()
    assert not Notification.objects.filter(body_text__contains="Léa").exists()
    # The audit log, which is never changed, never held the person's name or address.
    from joinforces.core.models import AuditEvent

    logged = " ".join(f"{e.target_repr} {e.before} {e.after}" for e in AuditEvent.objects.all())
    assert "Léa" not in logged and "Arnaud" not in logged and "lea@example.org" not in logged
    event.refresh_from_db()
    assert event.anonymised_at is not None
    assert selectors.registrants_rows(event)  # the counts stay
    assert WaitingListEntry.objects.filter(event=event).count() == 1


def test_only_staff_anonymise(applicant):
    event = past_event(retention_days=0)
    with pytest.raises(EventError):
        services.event_anonymise(event=event, actor=applicant, now=event.ends_at + timedelta(days=1))


def test_staff_add_a_resource_file_checked_by_its_content(staff_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    event = past_event()
    fake = SimpleUploadedFile("diaporama.pdf", b"not a pdf at all", content_type="application/pdf")
    response = staff_client.post("/admin/events/resource/add/", {"event": event.pk, "kind": "slides",
                                                                 "title": "Diaporama", "file": fake})
    assert response.status_code == 200 and not Resource.objects.exists()
    response = staff_client.post("/admin/events/resource/add/", {"event": event.pk, "kind": "slides",
                                                                 "title": "Sans lien"})
    assert response.status_code == 200 and not Resource.objects.exists()
    real = SimpleUploadedFile("diaporama.pdf", b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
    response = staff_client.post("/admin/events/resource/add/", {"event": event.pk, "kind": "slides",
                                                                 "title": "Diaporama", "file": real})
    assert response.status_code == 302
    resource = Resource.objects.get()
    assert resource.file.name.endswith(".pdf") and not resource.published


def test_the_admin_actions_publish_resources_and_anonymise(staff_client):
    from django.utils import timezone

    event = EventFactory(starts_at=at(days=-40), registration_opens_at=at(days=-60),
                         registration_closes_at=at(days=-41), retention_days=30)
    registration = Registration.objects.create(event=event, first_name="Léa", last_name="Arnaud",
                                               email="lea@example.org", status="confirmed",
                                               confirmed_at=timezone.now() - timedelta(days=50))
    resource = Resource.objects.create(event=event, title="Notes", url="https://example.org/notes")
    staff_client.post("/admin/events/resource/", {"action": "publish", "_selected_action": [resource.pk]})
    resource.refresh_from_db()
    assert resource.published
    assert Notification.objects.filter(key=f"events:{event.pk}:resources:{registration.pk}").exists()
    staff_client.post("/admin/events/event/", {"action": "anonymise", "_selected_action": [event.pk]})
    registration.refresh_from_db()
    assert registration.anonymised and registration.email.endswith("@anonyme.invalid")
