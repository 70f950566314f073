"""The invariants the database holds by itself (named constraints)."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction

from events.models import Registration, Resource, SessionChoice, WaitingListEntry

from .factories import EventFactory, SessionFactory, at, register

pytestmark = pytest.mark.django_db


def refused(name, create):
    """PostgreSQL names the constraint of any violation; SQLite names a unique one by its columns."""
    with pytest.raises(IntegrityError, match=f"{name}|UNIQUE constraint failed: events_"), transaction.atomic():
        create()


def test_event_constraints():
    refused("event_ends_after_start", lambda: EventFactory(ends_at=at(days=29)))
    refused("event_capacity_positive", lambda: EventFactory(capacity=0))
    refused("event_registration_closes_after_opening",
            lambda: EventFactory(registration_opens_at=at(days=5), registration_closes_at=at(days=4)))
    refused("event_registration_closes_by_the_end", lambda: EventFactory(registration_closes_at=at(days=60)))
    refused("event_venue_unless_online", lambda: EventFactory(venue=""))
    refused("event_link_when_online", lambda: EventFactory(format="online", online_url=""))
    EventFactory(format="online", venue="", online_url="https://visio.example.org/journee")


def test_session_constraints():
    event = EventFactory()
    refused("session_ends_after_start", lambda: SessionFactory(event=event, ends_at=event.starts_at))
    refused("session_capacity_positive", lambda: SessionFactory(event=event, capacity=0))


def test_one_active_registration_per_address_and_one_choice_per_session():
    event = EventFactory()
    session = SessionFactory(event=event)
    registration = register(event, [session], email="lea@example.org")
    refused("registration_one_active_per_email", lambda: Registration.objects.create(
        event=event, first_name="L", last_name="A", email="lea@example.org"))
    refused("sessionchoice_once_per_session",
            lambda: SessionChoice.objects.create(registration=registration, session=session))
    refused("registration_checked_in_once_confirmed", lambda: Registration.objects.create(
        event=event, first_name="L", last_name="A", email="autre@example.org", checked_in_at=at()))


def test_waiting_list_constraints():
    event = EventFactory()
    session = SessionFactory(event=event)
    WaitingListEntry.objects.create(event=event, first_name="L", last_name="A", email="lea@example.org")
    refused("waitinglist_once_per_event", lambda: WaitingListEntry.objects.create(
        event=event, first_name="L", last_name="A", email="lea@example.org"))
    refused("waitinglist_session_entry_is_registered", lambda: WaitingListEntry.objects.create(
        event=event, session=session, first_name="L", last_name="A", email="x@example.org"))
    refused("waitinglist_offer_has_expiry", lambda: WaitingListEntry.objects.create(
        event=event, first_name="L", last_name="A", email="y@example.org", status="offered", offered_at=at()))
    WaitingListEntry.objects.create(event=event, first_name="L", last_name="A", email="y@example.org",
                                    status="offered", offered_at=at(), offer_expires_at=at() + timedelta(hours=48))


def test_a_resource_has_a_link_or_a_file():
    refused("resource_link_or_file", lambda: Resource.objects.create(event=EventFactory(), title="Vide"))
