"""The public pages, the pages of the signed links, and the staff's pages of the day."""

import re

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils.html import escape

from events import services
from events.models import Registration, Resource, WaitingListEntry
from joinforces.core.models import Notification

from .factories import EventFactory, SessionFactory, register, waiting

pytestmark = pytest.mark.django_db


def token(registration):
    return services.sign(registration.public_id, services.REGISTRATION_SALT)


def test_the_list_and_the_event_page_in_french_and_in_english(client):
    event = EventFactory(title="Journée des Acteurs de l'Impact Collectif 2027", title_en="Collective Impact Day 2027",
                         description="Partager et apprendre.", description_en="Share and learn.")
    SessionFactory(event=event, title="Gouvernance partagée", title_en="Shared governance")
    EventFactory(published=False, title="Brouillon secret")
    page = client.get("/evenements/").content.decode()
    assert "Journée des Acteurs de l&#x27;Impact Collectif 2027" in page and "Brouillon secret" not in page
    detail = client.get(event.get_absolute_url()).content.decode()
    assert "Gouvernance partagée" in detail and "Partager et apprendre." in detail and "Programme" in detail
    client.post(reverse("portal:set_language"), {"language": "en", "next": "/"})
    english = client.get(event.get_absolute_url()).content.decode()
    assert "Collective Impact Day 2027" in english and "Shared governance" in english and "Share and learn." in english


def test_an_unpublished_event_is_a_404_except_for_staff(client, staff_client):
    event = EventFactory(published=False)
    assert client.get(event.get_absolute_url()).status_code == 404
    assert staff_client.get(event.get_absolute_url()).status_code == 200


def test_registering_without_an_account_then_confirming_from_the_email(client):
    event = EventFactory()
    workshop = SessionFactory(event=event)
    response = client.post(event.get_absolute_url(), {"first_name": "Léa", "last_name": "Arnaud",
                                                     "email": "lea@example.org", "organisation": "Le Lien",
                                                     "sessions": [workshop.pk]})
    assert response.status_code == 200 and "lea@example.org" in response.content.decode()
    registration = Registration.objects.get(email="lea@example.org")
    assert registration.status == "pending" and list(registration.choices.values_list("session", flat=True)) == [
        workshop.pk]
    mail = Notification.objects.get(key__startswith=f"events:{event.pk}:confirm_address:")
    path = re.search(r"https?://[^/\s]+(/\S+/confirmer/)", mail.body_text).group(1)
    assert client.get(path).status_code == 200  # a button: opening the link confirms nothing
    registration.refresh_from_db()
    assert registration.status == "pending"
    response = client.post(path)
    assert response.status_code == 302 and response["Location"] == reverse("events:registration",
                                                                           args=[token(registration)])
    registration.refresh_from_db()
    assert registration.status == "confirmed"
    page = client.get(response["Location"]).content.decode()
    assert "<svg" in page and workshop.title in page
    ics = client.get(reverse("events:registration_ics", args=[token(registration)]))
    assert ics["Content-Type"].startswith("text/calendar") and b"BEGIN:VEVENT" in ics.content


def test_a_logged_in_person_is_registered_at_once(applicant_client, applicant):
    event = EventFactory()
    response = applicant_client.post(event.get_absolute_url(), {"organisation": "Le Lien"})
    registration = Registration.objects.get(user=applicant)
    assert response.status_code == 302 and registration.status == "confirmed"
    assert escape(event.title) in applicant_client.get("/mon-espace/").content.decode()


def test_bad_input_is_a_clear_message_and_changes_nothing(client):
    event = EventFactory(capacity=1)
    assert client.post(event.get_absolute_url(), {"first_name": "Léa"}).status_code == 400
    register(event)
    response = client.post(event.get_absolute_url(), {"first_name": "Léa", "last_name": "Arnaud",
                                                     "email": "lea@example.org"})
    page = response.content.decode()
    assert response.status_code == 400 and 'class="alert alert-danger"' in page and 'id="waiting-form"' in page
    assert Registration.objects.filter(event=event).count() == 1


def test_joining_the_waiting_list_of_a_full_event_from_its_page(client):
    event = EventFactory(capacity=1)
    register(event)
    page = client.get(event.get_absolute_url()).content.decode()
    assert 'id="waiting-form"' in page and 'id="register-form"' not in page
    response = client.post(reverse("events:waitlist", args=[event.slug]), {
        "waiting-first_name": "Marc", "waiting-last_name": "Blanc", "waiting-email": "marc@example.org"})
    entry = WaitingListEntry.objects.get(email="marc@example.org")
    assert response.status_code == 302 and entry.status == "waiting"
    assert client.get(response["Location"]).status_code == 200


def test_the_personal_page_changes_sessions_joins_a_waiting_list_and_cancels(client):
    event = EventFactory()
    full = SessionFactory(event=event, capacity=1)
    other = SessionFactory(event=event, starts_at=full.ends_at)
    register(event, [full])
    registration = register(event)
    url = reverse("events:registration", args=[token(registration)])
    client.post(url, {"action": "sessions", "sessions": [other.pk]})
    assert list(registration.choices.values_list("session", flat=True)) == [other.pk]
    client.post(url, {"action": "wait", "session": full.pk})
    entry = WaitingListEntry.objects.get(registration=registration)
    assert entry.session == full
    client.post(url, {"action": "leave", "entry": entry.pk})
    entry.refresh_from_db()
    assert entry.status == "withdrawn"
    client.post(url, {"action": "cancel"})
    registration.refresh_from_db()
    assert registration.status == "cancelled"


def test_taking_an_offered_place_from_the_waiting_page(client):
    event = EventFactory(capacity=1)
    holder = register(event)
    entry = waiting(event, email="marc@example.org")
    services.registration_cancel(registration=holder)
    url = reverse("events:waiting", args=[services.sign(entry.public_id, services.WAITING_SALT)])
    assert 'name="accept"' in client.get(url).content.decode()
    response = client.post(url, {"action": "accept"})
    registration = Registration.objects.get(email="marc@example.org")
    assert registration.status == "confirmed"
    assert response["Location"] == reverse("events:registration", args=[token(registration)])


def test_a_published_resource_file_is_served_to_anyone(client):
    event = EventFactory()
    resource = Resource.objects.create(event=event, title="Diaporama", file=ContentFile(b"%PDF-1.4", name="d.pdf"))
    url = reverse("events:resource", args=[event.slug, resource.pk])
    assert client.get(url).status_code == 404
    Resource.objects.filter(pk=resource.pk).update(published=True, published_at=event.starts_at)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    assert "Diaporama" in client.get(event.get_absolute_url()).content.decode()


# --- Staff -------------------------------------------------------------------------------------------


def test_staff_pages_are_for_staff(client, applicant_client):
    event = EventFactory()
    url = reverse("events:checkin_list", args=[event.slug])
    assert client.get(url).status_code == 302
    assert applicant_client.get(url).status_code == 403
    registration = register(event)
    scan = reverse("events:checkin_scan", args=[services.sign(registration.public_id, services.CHECKIN_SALT)])
    assert applicant_client.post(scan).status_code == 403
    registration.refresh_from_db()
    assert registration.checked_in_at is None


def test_check_in_from_the_list_with_search_and_htmx(staff_client):
    event = EventFactory()
    lea = register(event, first_name="Léa", last_name="Arnaud", organisation="Les Jardins partagés")
    register(event, first_name="Marc", last_name="Blanc", organisation="Habitat Solidaire")
    url = reverse("events:checkin_list", args=[event.slug])
    rows = staff_client.get(url, {"q": "jardins"}, headers={"hx-request": "true"}).content.decode()
    assert "Arnaud" in rows and "Blanc" not in rows and "<html" not in rows
    checkin = reverse("events:checkin", args=[event.slug, lea.pk])
    first = staff_client.post(checkin, headers={"hx-request": "true"})
    second = staff_client.post(checkin, headers={"hx-request": "true"})
    assert first.status_code == second.status_code == 200 and "✓" in second.content.decode()
    lea.refresh_from_db()
    assert lea.checked_in_at is not None


def test_the_qr_code_opens_the_check_in_page_and_checking_in_twice_is_harmless(staff_client):
    event = EventFactory()
    registration = register(event)
    scan = reverse("events:checkin_scan", args=[services.sign(registration.public_id, services.CHECKIN_SALT)])
    assert 'data-checked="no"' in staff_client.get(scan).content.decode()
    assert 'data-checked="yes"' in staff_client.post(scan).content.decode()
    registration.refresh_from_db()
    first = registration.checked_in_at
    assert 'data-checked="yes"' in staff_client.post(scan).content.decode()
    registration.refresh_from_db()
    assert registration.checked_in_at == first
    # The personal link is no check-in link (another salt), and a forged one is a 404.
    assert staff_client.get(reverse("events:checkin_scan", args=[token(registration)])).status_code == 404


def test_exports_and_badges_from_the_staff_pages(staff, staff_client, monkeypatch,
                                                django_capture_on_commit_callbacks):
    from joinforces.core.models import Job

    monkeypatch.setattr("joinforces.core.pdf.render_pdf", lambda *args, **kwargs: b"%PDF-1.4")
    event = EventFactory()
    register(event, last_name="Arnaud")
    url = reverse("events:exports", args=[event.slug])
    assert staff_client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(url, {"kind": "inscrits"})
    assert response.status_code == 302 and "/taches/" in response["Location"]
    job = Job.objects.get(kind="events.export")
    assert job.status == Job.Status.DONE and job.owner == staff
    content = job.result.read().decode("utf-8")
    assert content.startswith("\ufeff") and "Arnaud" in content and ";" in content
    assert staff_client.post(url, {"kind": "autre"}).status_code == 302
    assert Job.objects.filter(kind="events.export").count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(reverse("events:badges", args=[event.slug]))
    assert response.status_code == 302 and "/taches/" in response["Location"]
    assert Job.objects.get(kind="events.badges").status == Job.Status.DONE


def test_ids_past_a_thousand_are_never_grouped_in_pages(client, staff_client):
    """Ids written into attributes and inputs stay plain numbers (the French format would write 12 345)."""
    from django.utils import timezone

    event = EventFactory()
    session = SessionFactory(event=event, pk=12345, capacity=1)
    registration = register(event)
    page = client.get(reverse("events:registration", args=[token(registration)])).content.decode()
    assert 'value="12345"' in page and 'id="session-12345"' in page
    register(event, [session])
    client.post(reverse("events:registration", args=[token(registration)]), {"action": "wait", "session": 12345})
    assert WaitingListEntry.objects.filter(registration=registration, session=session).exists()
    Registration.objects.create(pk=54321, event=event, first_name="Léa", last_name="Arnaud", email="l@example.org",
                                status="confirmed", confirmed_at=timezone.now())
    rows = staff_client.get(reverse("events:checkin_list", args=[event.slug])).content.decode()
    assert 'id="registration-54321"' in rows and 'hx-target="#registration-54321"' in rows
