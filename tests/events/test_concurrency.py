"""Capacity is never exceeded when many people take the last places at the same instant (DESIGN §2:
eight threads released by a barrier, real transactions on PostgreSQL, row locks on the event and the
sessions)."""

import pytest

from events import services
from events.models import Registration, SessionChoice
from events.services import EventError
from tests.concurrency import run_together
from tests.conftest import ensure_static_data
from tests.factories import UserFactory

from .factories import EventFactory, SessionFactory, register

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

THREADS = 8


def race(work, items):
    """`work(item)` for every item at the same moment: the items that got through, the refusals."""
    successes, refusals, errors = run_together(lambda item: (work(item), item)[1], items, refused=(EventError,))
    assert not errors, errors
    assert len(successes) + len(refusals) == THREADS
    return successes, refusals


def test_eight_people_with_accounts_for_the_last_two_places_of_the_event():
    ensure_static_data()
    event = EventFactory(capacity=5)
    for _ in range(3):
        register(event)
    users = [UserFactory() for _ in range(THREADS)]
    successes, refusals = race(lambda user: services.registration_create(event=event, user=user), users)
    assert len(successes) == 2 and len(refusals) == 6
    assert Registration.objects.filter(event=event, status="confirmed").count() == 5


def test_eight_confirmations_for_the_last_three_places():
    ensure_static_data()
    event = EventFactory(capacity=3)
    pending = [register(event, confirm=False) for _ in range(THREADS)]
    successes, refusals = race(lambda r: services.registration_confirm(registration=r), pending)
    assert len(successes) == 3 and len(refusals) == 5
    assert Registration.objects.filter(event=event, status="confirmed").count() == 3


def test_eight_registrants_for_the_last_place_of_a_workshop():
    ensure_static_data()
    event = EventFactory(capacity=50)
    workshop = SessionFactory(event=event, capacity=2)
    register(event, [workshop])
    registrations = [register(event) for _ in range(THREADS)]
    successes, refusals = race(
        lambda r: services.session_choices_set(registration=r, sessions=[workshop]), registrations)
    assert len(successes) == 1 and len(refusals) == 7
    assert SessionChoice.objects.filter(session=workshop, registration__status="confirmed").count() == 2
