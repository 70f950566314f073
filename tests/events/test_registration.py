"""Registering: with an account (confirmed at once) or with a name and an address (confirmed by the
emailed link), sessions whose slots do not clash, and capacity never exceeded."""

from datetime import timedelta

import pytest

from events import services
from events.models import Registration, SessionChoice, WaitingListEntry
from events.services import EventError
from joinforces.core.models import AuditEvent, Notification

from .factories import EventFactory, SessionFactory, at, register

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_without_an_account_the_place_is_taken_once_the_address_is_confirmed():
    event = EventFactory(capacity=1)
    registration = register(event, confirm=False, email="Lea@Example.org")
    assert registration.status == Registration.Status.PENDING and registration.email == "lea@example.org"
    assert services.event_taken(event, at()) == 0
    mail = Notification.objects.get(key=f"events:{event.pk}:confirm_address:{registration.pk}")
    assert services.confirm_url(registration) in mail.body_text

    services.registration_confirm(registration=registration)
    services.registration_confirm(registration=registration)  # twice: nothing more
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED and registration.confirmed_at
    assert services.event_taken(event, at()) == 1
    confirmed = Notification.objects.get(key=f"events:{event.pk}:confirmed:{registration.pk}")
    assert [a["filename"] for a in confirmed.attachments] == ["invitation.ics", "qr-code-accueil.png"]
    assert services.registration_url(registration) in confirmed.body_text
    assert AuditEvent.objects.filter(action="events.registration_confirmed").count() == 1


def test_with_an_account_the_registration_is_confirmed_at_once(applicant):
    event = EventFactory()
    registration = services.registration_create(event=event, user=applicant, organisation="Le Lien")
    assert registration.status == Registration.Status.CONFIRMED
    assert registration.user == applicant and registration.email == applicant.email


def test_a_full_event_refuses_and_points_to_the_waiting_list():
    event = EventFactory(capacity=2)
    register(event)
    register(event)
    with pytest.raises(EventError, match="waiting list"):
        register(event)
    assert Registration.objects.filter(event=event).count() == 2


def test_confirming_after_the_event_filled_up_is_refused_and_changes_nothing():
    event = EventFactory(capacity=1)
    late = register(event, confirm=False)
    register(event)
    with pytest.raises(EventError, match="filled up"):
        services.registration_confirm(registration=late)
    late.refresh_from_db()
    assert late.status == Registration.Status.PENDING
    assert services.event_taken(event, at()) == 1


def test_a_session_filled_while_the_address_was_unconfirmed_moves_the_person_to_its_waiting_list():
    event = EventFactory()
    workshop = SessionFactory(event=event, capacity=1)
    late = register(event, [workshop], confirm=False)
    register(event, [workshop])
    services.registration_confirm(registration=late)
    assert not SessionChoice.objects.filter(registration=late).exists()
    entry = WaitingListEntry.objects.get(registration=late)
    assert entry.session == workshop and entry.status == WaitingListEntry.Status.WAITING


def test_a_full_session_refuses_a_new_registration():
    event = EventFactory()
    workshop = SessionFactory(event=event, capacity=1)
    register(event, [workshop])
    with pytest.raises(EventError, match="is full"):
        register(event, [workshop])
    assert SessionChoice.objects.filter(session=workshop).count() == 1


def test_sessions_at_the_same_time_clash():
    event = EventFactory()
    first = SessionFactory(event=event, title="Gouvernance partagée")
    second = SessionFactory(event=event, title="Fusionner sans se perdre",
                            starts_at=first.starts_at + timedelta(minutes=30))
    later = SessionFactory(event=event, starts_at=first.ends_at)  # starts as the first ends: no clash
    with pytest.raises(EventError, match="same time"):
        register(event, [first, second])
    assert not Registration.objects.exists()
    registration = register(event, [first, later])
    with pytest.raises(EventError, match="same time"):
        services.session_choices_set(registration=registration, sessions=[first, second, later])
    assert set(registration.choices.values_list("session_id", flat=True)) == {first.pk, later.pk}


def test_a_session_of_another_event_is_refused():
    event = EventFactory()
    other = SessionFactory()
    with pytest.raises(EventError, match="programme"):
        register(event, [other])


def test_registering_twice_with_one_address_sends_the_link_again():
    event = EventFactory()
    registration = register(event, email="camille@example.org")
    with pytest.raises(EventError, match="already registered"):
        register(event, email="CAMILLE@example.org")
    assert Registration.objects.filter(event=event).count() == 1
    assert Notification.objects.filter(key__startswith=f"events:{event.pk}:link:{registration.pk}:").count() == 1


@pytest.mark.parametrize("when, message", [(-20, "opens on"), (40, "closed")])
def test_registration_outside_its_window_is_refused(when, message):
    event = EventFactory(registration_opens_at=at(days=-5), registration_closes_at=at(days=20))
    with pytest.raises(EventError, match=message):
        register(event, now=at(days=when) if when > 0 else at(days=-10))


def test_an_unpublished_event_takes_no_registration():
    with pytest.raises(EventError, match="not open"):
        register(EventFactory(published=False))


@pytest.mark.parametrize("person, message", [
    ({"first_name": "", "last_name": "Martin", "email": "a@example.org"}, "names"),
    ({"first_name": "Léa", "last_name": "Martin", "email": "pas-une-adresse"}, "valid email"),
])
def test_bad_identity_is_refused(person, message):
    event = EventFactory()
    with pytest.raises(EventError, match=message):
        services.registration_create(event=event, **person)
    assert not Registration.objects.exists()


def test_changing_sessions_frees_a_place_offered_to_the_next_in_line():
    event = EventFactory()
    workshop = SessionFactory(event=event, capacity=1)
    other = SessionFactory(event=event, starts_at=workshop.ends_at)
    holder = register(event, [workshop])
    second = register(event, [other])
    entry = services.session_waitlist_join(registration=second, session=workshop)
    services.session_choices_set(registration=holder, sessions=[other])
    entry.refresh_from_db()
    assert entry.status == WaitingListEntry.Status.OFFERED
    with pytest.raises(EventError, match="is full"):
        services.session_choices_set(registration=holder, sessions=[workshop, other])


def test_cancelling_releases_the_places_and_is_told_with_a_cancelling_ics():
    event = EventFactory(capacity=1)
    workshop = SessionFactory(event=event, capacity=1)
    registration = register(event, [workshop])
    services.registration_cancel(registration=registration)
    services.registration_cancel(registration=registration)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED
    assert services.event_taken(event, at()) == 0 and services.session_taken(workshop, at()) == 0
    mail = Notification.objects.get(key=f"events:{event.pk}:cancelled:{registration.pk}")
    assert mail.attachments[0]["filename"] == "annulation.ics"
    register(event, [workshop], email=registration.email)  # the address may register again


def test_nothing_changes_once_the_event_has_started():
    event = EventFactory()
    workshop = SessionFactory(event=event)
    registration = register(event)
    with pytest.raises(EventError, match="started"):
        services.session_choices_set(registration=registration, sessions=[workshop], now=event.starts_at)
    with pytest.raises(EventError, match="started"):
        services.registration_cancel(registration=registration, now=event.starts_at)
