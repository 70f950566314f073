"""The waiting list: when a place frees, the first in line is offered it by email for
EVENTS_OFFER_HOURS; past that, the offer is refused cleanly and the next one is offered it. Time is
controlled by passing `now` to the services."""

from datetime import timedelta

import pytest

from events import services
from events.models import Registration, SessionChoice, WaitingListEntry
from events.services import EventError
from joinforces.core.models import Notification

from .factories import EventFactory, SessionFactory, at, register, waiting

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
W = WaitingListEntry.Status


def offers(event):
    return sorted(Notification.objects.filter(key__startswith=f"events:{event.pk}:offer:").values_list("to", flat=True))


def test_only_a_full_event_has_a_waiting_list():
    event = EventFactory(capacity=1)
    with pytest.raises(EventError, match="still places"):
        waiting(event)
    register(event)
    entry = waiting(event, email="lea@example.org")
    assert entry.status == W.WAITING
    assert waiting(event, email="lea@example.org").pk == entry.pk  # joining again: the same entry
    assert Notification.objects.filter(key=f"events:{event.pk}:waiting:{entry.pk}").exists()


def test_a_cancellation_offers_the_place_to_the_first_in_line_for_the_configured_time(settings):
    settings.EVENTS_OFFER_HOURS = 24
    event = EventFactory(capacity=1)
    holder = register(event)
    first = waiting(event, email="premiere@example.org")
    second = waiting(event, email="second@example.org")
    now = at()
    services.registration_cancel(registration=holder, now=now)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == W.OFFERED and first.offer_expires_at == now + timedelta(hours=24)
    assert second.status == W.WAITING
    assert offers(event) == ["premiere@example.org"]
    # The offer holds the place: nobody else can register meanwhile.
    with pytest.raises(EventError, match="full"):
        register(event, now=now + timedelta(hours=1))

    registration = services.waitlist_accept(entry=first, now=now + timedelta(hours=23))
    assert registration.status == Registration.Status.CONFIRMED and registration.email == "premiere@example.org"
    first.refresh_from_db()
    assert first.status == W.ACCEPTED and first.registration == registration
    assert services.event_taken(event, now + timedelta(hours=23)) == 1
    assert services.waitlist_accept(entry=first, now=now + timedelta(hours=23)) == registration  # twice: the same


def test_an_expired_offer_is_refused_and_the_next_in_line_is_offered_the_place(settings):
    settings.EVENTS_OFFER_HOURS = 48
    event = EventFactory(capacity=1)
    holder = register(event)
    first = waiting(event, email="premiere@example.org")
    second = waiting(event, email="second@example.org")
    now = at()
    services.registration_cancel(registration=holder, now=now)

    later = now + timedelta(hours=48, minutes=1)
    with pytest.raises(EventError, match="expired"):
        services.waitlist_accept(entry=first, now=later)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == W.EXPIRED
    assert second.status == W.OFFERED and second.offer_expires_at == later + timedelta(hours=48)
    assert offers(event) == ["premiere@example.org", "second@example.org"]
    assert not Registration.objects.filter(email="premiere@example.org").exists()
    services.waitlist_accept(entry=second, now=later + timedelta(hours=1))
    assert services.event_taken(event, later + timedelta(hours=1)) == 1


def test_the_beat_task_closes_expired_offers_once():
    event = EventFactory(capacity=1)
    holder = register(event)
    first = waiting(event)
    second = waiting(event)
    now = at()
    services.registration_cancel(registration=holder, now=now)
    later = now + timedelta(hours=services.offer_hours() + 1)
    assert services.offers_expire(now=later) == 1
    assert services.offers_expire(now=later) == 0
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (W.EXPIRED, W.OFFERED)
    assert Notification.objects.filter(key__startswith=f"events:{event.pk}:offer:").count() == 2


def test_an_offer_never_runs_past_the_start_of_the_event():
    event = EventFactory(capacity=1, starts_at=at(days=1), registration_closes_at=at(hours=20))
    holder = register(event)
    entry = waiting(event)
    services.registration_cancel(registration=holder)
    entry.refresh_from_db()
    assert entry.offer_expires_at == event.starts_at


def test_leaving_with_an_offer_passes_it_on():
    event = EventFactory(capacity=1)
    holder = register(event)
    first, second = waiting(event), waiting(event)
    services.registration_cancel(registration=holder)
    services.waitlist_leave(entry=first)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (W.WITHDRAWN, W.OFFERED)
    with pytest.raises(EventError, match="left"):
        services.waitlist_accept(entry=first)


def test_a_session_waiting_list_offer_releases_a_clashing_session_when_taken():
    event = EventFactory()
    full = SessionFactory(event=event, capacity=1, title="Mutualiser les fonctions support")
    fallback = SessionFactory(event=event, starts_at=full.starts_at, capacity=1, title="Atelier de repli")
    holder = register(event, [full])
    person = register(event, [fallback])
    third = register(event)
    third_entry = services.session_waitlist_join(registration=third, session=fallback)
    with pytest.raises(EventError, match="still has places"):
        services.session_waitlist_join(registration=holder, session=SessionFactory(event=event,
                                                                                  starts_at=full.ends_at))
    entry = services.session_waitlist_join(registration=person, session=full)
    assert services.session_waitlist_join(registration=person, session=full).pk == entry.pk

    services.registration_cancel(registration=holder)
    entry.refresh_from_db()
    assert entry.status == W.OFFERED
    services.waitlist_accept(entry=entry)
    assert set(SessionChoice.objects.filter(registration=person).values_list("session_id", flat=True)) == {full.pk}
    assert Notification.objects.filter(key=f"events:{event.pk}:session_place:{entry.pk}").exists()
    # The place released in the fallback session goes to its own waiting list.
    third_entry.refresh_from_db()
    assert third_entry.status == W.OFFERED
    assert services.session_taken(full, at()) == 1 and services.session_taken(fallback, at()) == 1


def test_a_session_waiting_list_is_for_confirmed_registrants_of_a_full_session():
    event = EventFactory()
    session = SessionFactory(event=event, capacity=1)
    pending = register(event, confirm=False)
    with pytest.raises(EventError, match="Confirm"):
        services.session_waitlist_join(registration=pending, session=session)
    chosen = register(event, [session])
    with pytest.raises(EventError, match="already have a place"):
        services.session_waitlist_join(registration=chosen, session=session)


def test_a_session_made_larger_offers_its_new_places():
    event = EventFactory()
    session = SessionFactory(event=event, capacity=1)
    register(event, [session])
    person = register(event)
    entry = services.session_waitlist_join(registration=person, session=session)
    type(session).objects.filter(pk=session.pk).update(capacity=2)
    services.event_places_refresh(event=event)
    entry.refresh_from_db()
    assert entry.status == W.OFFERED


def test_cancelling_with_a_session_place_offered_passes_the_offer_on():
    event = EventFactory()
    session = SessionFactory(event=event, capacity=1)
    holder = register(event, [session])
    first, second = register(event), register(event)
    first_entry = services.session_waitlist_join(registration=first, session=session)
    second_entry = services.session_waitlist_join(registration=second, session=session)
    services.registration_cancel(registration=holder)
    first_entry.refresh_from_db()
    assert first_entry.status == W.OFFERED
    services.registration_cancel(registration=first)
    first_entry.refresh_from_db()
    second_entry.refresh_from_db()
    assert (first_entry.status, second_entry.status) == (W.WITHDRAWN, W.OFFERED)
