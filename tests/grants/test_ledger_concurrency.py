"""The ledger's invariants hold when eight staff allocate or reverse at the same instant (DESIGN §2
concurrency pattern): a donation is never allocated beyond what was received, a tranche never funded
beyond its amount, the pool never below zero, an entry reversed once; the counters add up to the rows."""

from decimal import Decimal

import pytest
from django.db.models import Sum

from grants import services
from grants.models import Allocation, AllocationKind, AllocationPart, Donation, Pool, Tranche
from grants.services import GrantError

# serialized_rollback: the reference data (territories, themes) come back after the flush.
from tests.concurrency import run_together
from tests.conftest import ensure_static_data
from tests.factories import StaffFactory

from .factories import DonorFactory, grant_for, receive

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

THREADS = 8
D = Decimal


@pytest.fixture
def world(settings):
    """Eight staff members, a food grant of one tranche of 400 €; no tax receipts rendered (another
    test's business)."""
    settings.TAX_RECEIPTS_ENABLED = False
    ensure_static_data()
    staff = [StaffFactory() for _ in range(THREADS)]
    tranche = grant_for(amount_per_year="400.00", years=1, themes=("food",)).tranches.get()
    return staff, tranche


def assert_rows_add_up():
    """Each entry's parts add up to it; each counter to its rows; nothing out of bounds."""
    assert services.ledger_differences() == []
    for entry in Allocation.objects.annotate(parts_total=Sum("parts__amount")):
        assert entry.parts_total == entry.amount
    for donation in Donation.objects.all():
        assert D("0.00") <= donation.allocated <= donation.amount
    for tranche in Tranche.objects.all():
        assert D("0.00") <= tranche.funded <= tranche.amount
    assert Pool.objects.get(pk=1).balance >= 0


def test_eight_concurrent_allocations_never_draw_a_donation_beyond_what_was_received(world):
    """One donation of 300 € (three quarters of the tranche); eight staff each allocate 100 € at once:
    three succeed, five are told the pool is short; the donation is allocated exactly 300 €, the
    tranche funded 300 €, the pool at zero."""
    staff, tranche = world
    donation = receive(DonorFactory(), "300.00", staff=staff[0])

    successes, refusals, errors = run_together(
        lambda actor: services.ledger_allocate(tranche=tranche, actor=actor, amount="100.00").pk, staff,
        refused=(GrantError,))

    assert not errors, errors
    assert len(successes) + len(refusals) == THREADS
    assert len(successes) == 3 and len(set(successes)) == 3
    assert all("too little" in refusal.message for refusal in refusals), [r.message for r in refusals]
    donation.refresh_from_db()
    tranche.refresh_from_db()
    assert donation.allocated == D("300.00") == donation.amount
    assert tranche.funded == D("300.00")
    assert Pool.objects.get(pk=1).balance == D("0.00")
    assert sorted(AllocationPart.objects.values_list("allocation_id", "donation_id", "amount")) == sorted(
        (pk, donation.pk, D("100.00")) for pk in successes)
    assert_rows_add_up()


def test_eight_concurrent_allocations_never_fund_a_tranche_beyond_its_amount(world):
    """One donation of 1 000 €; eight staff each allocate 100 € to the tranche of 400 € at once: four
    succeed, four are told the tranche is funded; 600 € stay in the pool."""
    staff, tranche = world
    donation = receive(DonorFactory(), "1000.00", staff=staff[0])

    successes, refusals, errors = run_together(
        lambda actor: services.ledger_allocate(tranche=tranche, actor=actor, amount="100.00").pk, staff,
        refused=(GrantError,))

    assert not errors, errors
    assert len(successes) + len(refusals) == THREADS
    assert len(successes) == 4 and len(refusals) == 4
    assert all("fully funded" in refusal.message for refusal in refusals), [r.message for r in refusals]
    donation.refresh_from_db()
    tranche.refresh_from_db()
    assert tranche.funded == tranche.amount == D("400.00")
    assert donation.allocated == D("400.00")
    assert Pool.objects.get(pk=1).balance == D("600.00")
    assert_rows_add_up()


def test_eight_concurrent_uneven_allocations_against_one_donation_and_one_tranche(world):
    """Eight staff allocate 60, 70, … 130 € at once from a donation of 300 € to the tranche of 400 €:
    whatever the order, the successes add up to what the donation gave and the tranche received,
    neither beyond its bounds, and every refusal is a clear one."""
    staff, tranche = world
    donation = receive(DonorFactory(), "300.00", staff=staff[0])
    amounts = {actor.pk: D(60 + 10 * n) for n, actor in enumerate(staff)}

    successes, refusals, errors = run_together(
        lambda actor: services.ledger_allocate(tranche=tranche, actor=actor, amount=amounts[actor.pk]).amount, staff,
        refused=(GrantError,))

    assert not errors, errors
    assert len(successes) + len(refusals) == THREADS
    assert successes and refusals
    assert all("too little" in r.message or "needs only" in r.message for r in refusals)
    donation.refresh_from_db()
    tranche.refresh_from_db()
    assert donation.allocated == tranche.funded == sum(successes) <= D("300.00")
    assert Pool.objects.get(pk=1).balance == D("300.00") - sum(successes)
    assert_rows_add_up()


def test_eight_concurrent_reversals_of_one_entry_make_exactly_one(world):
    """Eight staff reverse the same entry at once: one reversal is recorded, seven are told it is
    already reversed; the donation, the tranche and the pool get the money back once."""
    staff, tranche = world
    donation = receive(DonorFactory(), "300.00", staff=staff[0])
    entry = services.ledger_allocate(tranche=tranche, actor=staff[0], amount="250.00")

    successes, refusals, errors = run_together(
        lambda actor: services.ledger_reverse(entry=entry, actor=actor, reason="Erreur de saisie.").pk, staff,
        refused=(GrantError,))

    assert not errors, errors
    assert len(successes) + len(refusals) == THREADS
    assert len(successes) == 1 and len(refusals) == THREADS - 1
    assert all("already reversed" in refusal.message for refusal in refusals), [r.message for r in refusals]
    assert list(Allocation.objects.filter(kind=AllocationKind.REVERSAL).values_list("pk", "reverses_id", "amount")) \
        == [(successes[0], entry.pk, D("-250.00"))]
    donation.refresh_from_db()
    tranche.refresh_from_db()
    assert donation.allocated == D("0.00") and tranche.funded == D("0.00")
    assert Pool.objects.get(pk=1).balance == D("300.00")
    assert_rows_add_up()
