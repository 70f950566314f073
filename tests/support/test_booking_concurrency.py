"""An expert is never double-booked, even when staff book at the same instant (DESIGN §2 concurrency
pattern, PostgreSQL): eight staff book the same slot of one expert, or overlapping slots; exactly one
succeeds, the others are told the slot is taken. Rows written straight to the table (without the
service's lock) are refused by the exclusion constraint itself."""

from datetime import timedelta
from itertools import pairwise

import pytest
from django.db import IntegrityError, transaction

from support import services
from support.models import Booking, BookingStatus
from tests.concurrency import run_together
from tests.conftest import ensure_static_data
from tests.factories import StaffFactory

from .factories import ExpertFactory, booking_row, next_weekday, plan_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

THREADS = 8


@pytest.fixture
def world(settings):
    settings.TAX_RECEIPTS_ENABLED = False
    ensure_static_data()
    staff = [StaffFactory() for _ in range(THREADS)]
    need = plan_for().needs.get(domain="mediation")
    return staff, need, ExpertFactory(name="Claire Médiatrice")


def assert_no_overlap(expert):
    active = list(Booking.objects.active().filter(expert=expert).order_by("blocked_start"))
    for first, second in pairwise(active):
        assert first.blocked_end <= second.blocked_start


def test_eight_staff_booking_the_same_slot_at_once_book_it_once(world):
    staff, need, expert = world
    start = next_weekday(hour=10)

    successes, refusals, errors = run_together(
        lambda actor: services.booking_create(need=need, expert=expert, start=start, end=start + timedelta(hours=2),
                                              actor=actor).pk, staff, refused=(services.SlotTaken, IntegrityError))

    assert not errors, errors
    assert len(successes) == 1 and len(refusals) == THREADS - 1
    assert all(isinstance(r, services.SlotTaken) and "already booked" in r.message for r in refusals)
    assert all(r.alternatives for r in refusals)
    assert Booking.objects.filter(expert=expert).count() == 1
    assert_no_overlap(expert)


def test_eight_overlapping_slots_booked_at_once_never_overlap(world):
    """Starts 30 minutes apart: each session of two hours (with 15 minutes of buffer) meets every other."""
    staff, need, expert = world
    start = next_weekday(hour=9)
    slots = [start + timedelta(minutes=30 * n) for n in range(THREADS)]

    successes, refusals, errors = run_together(
        lambda pair: services.booking_create(need=need, expert=expert, start=pair[1],
                                             end=pair[1] + timedelta(hours=2), actor=pair[0]).pk,
        list(zip(staff, slots, strict=True)), refused=(services.SlotTaken, IntegrityError))

    assert not errors, errors
    assert len(successes) + len(refusals) == THREADS
    assert 1 <= len(successes) <= 2
    assert_no_overlap(expert)


def test_the_exclusion_constraint_refuses_rows_written_without_the_service(world):
    """Eight threads insert overlapping active rows directly (no lock, no check): the database keeps one."""
    _staff, need, expert = world
    start = next_weekday(hour=10)

    def insert(n):
        with transaction.atomic():
            return booking_row(expert=expert, need=need, start=start + timedelta(minutes=n)).pk

    successes, refusals, errors = run_together(insert, list(range(THREADS)),
        refused=(services.SlotTaken, IntegrityError))

    assert not errors, errors
    assert len(successes) == 1 and len(refusals) == THREADS - 1
    assert all("booking_expert_no_overlap" in str(r) for r in refusals)


def test_the_constraint_ignores_cancelled_bookings_and_other_experts(world):
    _staff, need, expert = world
    start = next_weekday(hour=10)
    booking_row(expert=expert, need=need, start=start, status=BookingStatus.CANCELLED)
    booking_row(expert=expert, need=need, start=start)
    booking_row(expert=ExpertFactory(), need=need, start=start)
    with pytest.raises(IntegrityError), transaction.atomic():
        booking_row(expert=expert, need=need, start=start + timedelta(hours=2, minutes=20))  # within the buffers
    booking_row(expert=expert, need=need, start=start + timedelta(hours=2, minutes=30))  # buffers just touch
    assert Booking.objects.active().filter(expert=expert).count() == 2
