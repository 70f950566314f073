"""Query counts of the pages that matter, pinned and flat at ten times more data: the public event
page, the staff's check-in list and the admin's list of registrations. Rows are built with the
factories and the services (no PDF is rendered)."""

from datetime import timedelta

import pytest

from events import services
from events.models import Registration, SessionChoice

from .factories import EventFactory, SessionFactory

pytestmark = pytest.mark.django_db


def grow(event, sessions, people):
    created = [SessionFactory(event=event, capacity=people + 5,
                              starts_at=event.starts_at + timedelta(hours=i % 4)) for i in range(sessions)]
    registrations = Registration.objects.bulk_create([
        Registration(event=event, first_name=f"Prénom{i}", last_name=f"Nom{i}", email=f"p{i}-{event.pk}@example.org",
                     organisation="Collectif", status="confirmed", confirmed_at=event.registration_opens_at)
        for i in range(people)])
    SessionChoice.objects.bulk_create([SessionChoice(registration=r, session=created[i % sessions])
                                       for i, r in enumerate(registrations)])
    return registrations


@pytest.mark.parametrize("size", [1, 10])
def test_the_public_event_page(size, client, django_assert_max_num_queries):
    event = EventFactory(capacity=1000)
    grow(event, 3 * size, 10 * size)
    # The event with its places, its sessions with theirs, its published resources.
    with django_assert_max_num_queries(3):
        response = client.get(event.get_absolute_url())
    assert response.status_code == 200


@pytest.mark.parametrize("size", [1, 10])
def test_the_public_list(size, client, django_assert_max_num_queries):
    for _ in range(size):
        EventFactory()
    # Upcoming events with their places, past events.
    with django_assert_max_num_queries(2):
        assert client.get("/evenements/").status_code == 200


@pytest.mark.parametrize("size", [1, 10])
def test_the_staff_check_in_list(size, staff, staff_client, django_assert_max_num_queries):
    event = EventFactory(capacity=1000)
    registrations = grow(event, 2, 4 * size)
    for registration in registrations[::2]:
        services.registration_check_in(registration=registration, actor=staff)
    # Session, user, their roles and MFA (the staff check, twice), event, counts (2), page count, rows.
    with django_assert_max_num_queries(10):
        response = staff_client.get(f"/equipe/evenements/{event.slug}/pointage/")
    assert response.status_code == 200 and response.content.decode().count("registration-") >= min(4 * size, 50)
    with django_assert_max_num_queries(10):
        assert staff_client.get(f"/equipe/evenements/{event.slug}/pointage/?q=Nom1",
                                headers={"hx-request": "true"}).status_code == 200


@pytest.mark.parametrize("size", [1, 10])
def test_the_admin_list_of_registrations(size, staff_client, django_assert_max_num_queries):
    event = EventFactory(capacity=1000)
    grow(event, 2, 5 * size)
    # Session, user and roles, the changelist (count, rows with their event), the filters' events.
    with django_assert_max_num_queries(10):
        response = staff_client.get("/admin/events/registration/")
    assert response.status_code == 200


def test_the_admin_pages_of_an_event_render(staff_client):
    event = EventFactory()
    grow(event, 2, 3)
    for url in ("/admin/events/event/", f"/admin/events/event/{event.pk}/change/", "/admin/events/session/",
                "/admin/events/waitinglistentry/", "/admin/events/resource/", "/admin/events/event/add/",
                f"/admin/events/registration/{Registration.objects.first().pk}/change/"):
        assert staff_client.get(url).status_code == 200, url


def test_a_session_enlarged_in_the_admin_offers_its_new_place(staff_client):
    from django.utils import timezone

    from events.models import WaitingListEntry

    from .factories import register

    event = EventFactory()
    session = SessionFactory(event=event, capacity=1, title="Gouvernance")
    register(event, [session])
    person = register(event)
    entry = services.session_waitlist_join(registration=person, session=session)
    local = timezone.localtime
    response = staff_client.post(f"/admin/events/session/{session.pk}/change/", {
        "event": event.pk, "title": "Gouvernance", "title_en": "", "room": "Salle A", "speaker": "",
        "starts_at_0": local(session.starts_at).strftime("%d/%m/%Y"), "starts_at_1": local(session.starts_at)
        .strftime("%H:%M:%S"), "ends_at_0": local(session.ends_at).strftime("%d/%m/%Y"),
        "ends_at_1": local(session.ends_at).strftime("%H:%M:%S"), "capacity": 2, "description": "",
        "description_en": ""})
    assert response.status_code == 302, response.content.decode()[-3000:]
    entry.refresh_from_db()
    assert entry.status == WaitingListEntry.Status.OFFERED
