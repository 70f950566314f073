"""The ledger's services on the database: attribution stored when an entry is made (never
recomputed), reversals, support spending, funding what is due, refusals that change nothing, grants
from published selections, the figures, and `check_ledger`."""

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone, translation

from applications.models import Decision, Outcome, ReviewRound
from grants import services
from grants.models import (
    Allocation,
    AllocationKind,
    AllocationPart,
    Donation,
    Grant,
    GrantStatus,
    Pool,
    Tranche,
    TrancheCondition,
    TrancheStatus,
)
from grants.selectors import donor_figures, fund_figures, fundraising_need_by_year
from grants.services import GrantError
from joinforces.core.models import AuditEvent
from tests.applications.factories import ApplicationFactory, CallFactory

from .factories import DonorFactory, grant_for, receive

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture(autouse=True)
def _english():
    """The messages are matched in English (each test starts in French, the default)."""
    translation.activate("en")
    yield


def today():
    return timezone.localdate()


def days_ago(n):
    return today() - timedelta(days=n)


def pool_balance() -> Decimal:
    return Pool.objects.get(pk=1).balance


def refresh(*objects):
    for obj in objects:
        obj.refresh_from_db()


def parts_of(entry) -> list[tuple[int, Decimal]]:
    return list(AllocationPart.objects.filter(allocation=entry).order_by("pk").values_list("donation_id", "amount"))


def snapshot():
    """Every row and counter a refused action must leave as it was."""
    return {
        "entries": list(Allocation.objects.order_by("pk").values_list("pk", "kind", "amount")),
        "parts": list(AllocationPart.objects.order_by("pk").values_list("pk", "donation_id", "amount")),
        "donations": list(Donation.objects.order_by("pk").values_list("pk", "amount", "allocated")),
        "tranches": list(Tranche.objects.order_by("pk").values_list("pk", "amount", "funded", "status")),
        "pool": list(Pool.objects.values_list("pk", "balance")),
        "grants": list(Grant.objects.order_by("pk").values_list("pk", "total_amount")),
        "audit": AuditEvent.objects.count(),
    }


@pytest.fixture
def first_tranche():
    """A food grant of 1 000 € a year for three years; its first tranche."""

    def make(amount_per_year="1000.00", years=3, themes=("food",)):
        grant = grant_for(amount_per_year=amount_per_year, years=years, themes=themes)
        return grant.tranches.get(number=1)

    return make


# --- Attribution stored at allocation time -----------------------------------------------------------


def test_allocation_draws_matching_restricted_money_first_then_the_oldest(staff, first_tranche):
    """An allocation's parts come from food money first, then the oldest unrestricted money; money
    restricted to another theme is left alone; every counter moves by the same amount."""
    tranche = first_tranche()
    a, b = DonorFactory(), DonorFactory()
    old = receive(a, "100.00", staff=staff, on=days_ago(20))
    newer = receive(a, "500.00", staff=staff, on=days_ago(5))
    food = receive(b, "50.00", staff=staff, on=days_ago(1), themes=("food",))
    housing = receive(b, "1000.00", staff=staff, on=days_ago(30), themes=("housing",))

    entry = services.ledger_allocate(tranche=tranche, actor=staff, amount="180.00")

    assert entry.kind == AllocationKind.ALLOCATION and entry.amount == D("180.00")
    assert entry.tranche_id == tranche.pk and entry.grant_id == tranche.grant_id and entry.created_by == staff
    assert parts_of(entry) == [(food.pk, D("50.00")), (old.pk, D("100.00")), (newer.pk, D("30.00"))]
    refresh(old, newer, food, housing, tranche)
    assert (food.allocated, old.allocated, newer.allocated, housing.allocated) == (
        D("50.00"), D("100.00"), D("30.00"), D("0.00"))
    assert tranche.funded == D("180.00")
    assert pool_balance() == D("1650.00") - D("180.00")
    assert services.ledger_differences() == []
    event = AuditEvent.objects.get(action="grants.allocated")
    assert event.before == {"funded": "0.00"} and event.after["funded"] == "180.00"


def test_allocation_without_amount_funds_what_the_tranche_still_needs(staff, first_tranche):
    tranche = first_tranche()
    receive(DonorFactory(), "5000.00", staff=staff)
    services.ledger_allocate(tranche=tranche, actor=staff, amount="400.00")

    entry = services.ledger_allocate(tranche=tranche, actor=staff)

    assert entry.amount == D("600.00")
    tranche.refresh_from_db()
    assert tranche.funded == tranche.amount == D("1000.00")


def test_later_donations_never_change_the_parts_of_earlier_entries(staff, first_tranche):
    """Attribution is stored when the entry is made: a later donation, even an older-dated or a
    matching restricted one that would now come first, leaves the earlier parts as they were; it is
    drawn by the next entry."""
    tranche = first_tranche()
    donor = DonorFactory()
    first = receive(donor, "300.00", staff=staff, on=days_ago(3))
    entry = services.ledger_allocate(tranche=tranche, actor=staff, amount="200.00")
    before = parts_of(entry)
    assert before == [(first.pk, D("200.00"))]

    older = receive(donor, "500.00", staff=staff, on=days_ago(60))
    food = receive(donor, "70.00", staff=staff, on=days_ago(1), themes=("food",))
    second = services.ledger_allocate(tranche=tranche, actor=staff, amount="100.00")

    assert parts_of(entry) == before
    assert parts_of(second) == [(food.pk, D("70.00")), (older.pk, D("30.00"))]
    refresh(first, older, food)
    assert (first.allocated, older.allocated, food.allocated) == (D("200.00"), D("30.00"), D("70.00"))
    assert services.ledger_differences() == []


# --- Reversals --------------------------------------------------------------------------------------


def test_reversal_restores_every_counter_with_opposite_parts(staff, first_tranche):
    """A reversal is a new entry of the opposite amount, with the opposite parts; the donations, the
    tranche and the pool get their money back; the reversed entry stays as it was."""
    tranche = first_tranche()
    donor = DonorFactory()
    food = receive(donor, "100.00", staff=staff, themes=("food",))
    plain = receive(donor, "900.00", staff=staff, on=days_ago(2))
    entry = services.ledger_allocate(tranche=tranche, actor=staff, amount="250.00")
    assert pool_balance() == D("750.00")

    reversal = services.ledger_reverse(entry=entry, actor=staff, reason="Montant saisi par erreur.")

    assert reversal.kind == AllocationKind.REVERSAL and reversal.amount == D("-250.00")
    assert (reversal.reverses_id, reversal.tranche_id, reversal.grant_id) == (entry.pk, tranche.pk, entry.grant_id)
    assert reversal.note == "Montant saisi par erreur."
    assert parts_of(reversal) == [(food.pk, D("-100.00")), (plain.pk, D("-150.00"))]
    refresh(food, plain, tranche, entry)
    assert (food.allocated, plain.allocated, tranche.funded) == (D("0.00"), D("0.00"), D("0.00"))
    assert pool_balance() == D("1000.00")
    assert entry.amount == D("250.00") and parts_of(entry) == [(food.pk, D("100.00")), (plain.pk, D("150.00"))]
    assert Allocation.objects.count() == 2
    assert services.ledger_differences() == []
    assert AuditEvent.objects.filter(action="grants.entry_reversed").count() == 1


def test_the_reversing_entry_is_itself_append_only(staff, first_tranche):
    """Neither the reversal nor its parts can be edited or deleted, on any database."""
    tranche = first_tranche()
    receive(DonorFactory(), "500.00", staff=staff)
    entry = services.ledger_allocate(tranche=tranche, actor=staff, amount="100.00")
    reversal = services.ledger_reverse(entry=entry, actor=staff, reason="Erreur.")

    for attempt in (
        lambda: Allocation.objects.filter(pk=reversal.pk).update(note="changé"),
        lambda: _raw("DELETE FROM grants_allocation WHERE id = %s", reversal.pk),
        lambda: AllocationPart.objects.filter(allocation=reversal).update(amount=D("-1.00")),
        lambda: AllocationPart.objects.filter(allocation=reversal).delete(),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            attempt()
    reversal.refresh_from_db()
    assert reversal.note == "Erreur." and reversal.amount == D("-100.00")
    assert parts_of(reversal) and all(amount == D("-100.00") for _, amount in parts_of(reversal))


def _raw(sql, *params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_an_entry_is_reversed_only_once(staff, first_tranche):
    """A second reversal of the same entry, a reversal of a reversal, or one without a reason are
    refused with a clear message and change nothing."""
    tranche = first_tranche()
    receive(DonorFactory(), "500.00", staff=staff)
    entry = services.ledger_allocate(tranche=tranche, actor=staff, amount="100.00")
    reversal = services.ledger_reverse(entry=entry, actor=staff, reason="Erreur.")
    state = snapshot()

    with pytest.raises(GrantError, match="already reversed"):
        services.ledger_reverse(entry=entry, actor=staff, reason="Encore.")
    with pytest.raises(GrantError, match="reversing entry is not reversed"):
        services.ledger_reverse(entry=reversal, actor=staff, reason="Annuler l'annulation.")
    assert snapshot() == state
    assert Allocation.objects.filter(reverses=entry).count() == 1
    other = services.ledger_allocate(tranche=tranche, actor=staff, amount="10.00")
    state = snapshot()
    with pytest.raises(GrantError, match="Say why"):
        services.ledger_reverse(entry=other, actor=staff, reason="   ")
    assert snapshot() == state


def test_a_paid_tranches_funding_is_never_reversed(staff, first_tranche):
    tranche = first_tranche()
    receive(DonorFactory(), "5000.00", staff=staff)
    entry = services.ledger_allocate(tranche=tranche, actor=staff)
    Tranche.objects.filter(pk=tranche.pk).update(status=TrancheStatus.PAID, paid_at=timezone.now())
    state = snapshot()

    with pytest.raises(GrantError, match="paid"):
        services.ledger_reverse(entry=entry, actor=staff, reason="Erreur.")

    assert snapshot() == state


# --- Support spending -------------------------------------------------------------------------------


def test_support_spending_is_attributed_and_counted_as_redistributed(staff, first_tranche):
    """Support spending is an entry without tranche, attributed like an allocation (food money
    first), taken from the pool and counted in the figures' support and allocated sums; the
    tranches' funding does not move."""
    tranche = first_tranche()
    grant = tranche.grant
    donor = DonorFactory()
    plain = receive(donor, "1000.00", staff=staff, on=days_ago(10))
    food = receive(donor, "60.00", staff=staff, themes=("food",))

    entry = services.ledger_record_support_spending(grant=grant, amount="150.50", reference="  Facture EXP-12 ",
                                                    actor=staff)

    assert entry.kind == AllocationKind.SUPPORT and entry.tranche_id is None and entry.grant_id == grant.pk
    assert entry.reference == "Facture EXP-12" and entry.amount == D("150.50")
    assert parts_of(entry) == [(food.pk, D("60.00")), (plain.pk, D("90.50"))]
    assert not Tranche.objects.filter(grant=grant).exclude(funded=0).exists()
    assert pool_balance() == D("909.50")
    figures = fund_figures()
    assert figures.support == D("150.50") and figures.allocated == D("150.50")
    assert services.ledger_differences() == []

    services.ledger_reverse(entry=entry, actor=staff, reason="Facture annulée.")
    figures = fund_figures()
    assert figures.support == D("0.00") and figures.allocated == D("0.00") and figures.pool == D("1060.00")


def test_support_spending_needs_a_reference_and_a_valid_amount(staff, first_tranche):
    grant = first_tranche().grant
    receive(DonorFactory(), "1000.00", staff=staff)
    state = snapshot()

    with pytest.raises(GrantError, match="reference"):
        services.ledger_record_support_spending(grant=grant, amount="10.00", reference=" ", actor=staff)
    with pytest.raises(GrantError, match="more than zero"):
        services.ledger_record_support_spending(grant=grant, amount="-10.00", reference="F-1", actor=staff)
    with pytest.raises(GrantError, match="too little"):
        services.ledger_record_support_spending(grant=grant, amount="1000.01", reference="F-1", actor=staff)

    assert snapshot() == state


# --- Funding what is due ----------------------------------------------------------------------------


def test_allocate_due_funds_every_due_tranche_fully_when_the_pool_allows(staff):
    """With enough money, each planned tranche due in the window is funded in full; tranches due
    later are left alone."""
    food = grant_for(amount_per_year="1000.00", years=2, themes=("food",))
    housing = grant_for(amount_per_year="2500.00", years=2, themes=("housing",))
    receive(DonorFactory(), "10000.00", staff=staff)
    first_due = food.tranches.get(number=1).due_on

    entries = services.ledger_allocate_due(start=today(), end=first_due + timedelta(days=1), actor=staff)

    assert sorted(e.amount for e in entries) == [D("1000.00"), D("2500.00")]
    funded = {(t.grant_id, t.number): t.funded for t in Tranche.objects.all()}
    assert funded == {(food.pk, 1): D("1000.00"), (food.pk, 2): D("0.00"),
                      (housing.pk, 1): D("2500.00"), (housing.pk, 2): D("0.00")}
    assert pool_balance() == D("6500.00")
    assert services.ledger_differences() == []
    # Nothing left to fund in that window: a second run allocates nothing.
    assert services.ledger_allocate_due(start=today(), end=first_due + timedelta(days=1), actor=staff) == []


def test_allocate_due_shares_a_short_pool_in_proportion_to_the_needs(staff):
    """Three food tranches of 100 € due, 100 € in the pool: 33.34, 33.33 and 33.33 (the earlier
    tranche gets the odd cent); the pool ends at zero, never below."""
    grants = [grant_for(amount_per_year="100.00", years=1, themes=("food",)) for _ in range(3)]
    receive(DonorFactory(), "100.00", staff=staff)
    due = grants[0].tranches.get().due_on

    entries = services.ledger_allocate_due(start=today(), end=due, actor=staff)

    assert [(e.tranche.grant_id, e.amount) for e in entries] == [
        (grants[0].pk, D("33.34")), (grants[1].pk, D("33.33")), (grants[2].pk, D("33.33"))]
    assert pool_balance() == D("0.00")
    assert services.ledger_differences() == []


def test_allocate_due_gives_restricted_money_only_to_its_themes(staff):
    """200 € restricted to housing and 150 € unrestricted; a food tranche and a housing tranche of
    300 € each: the food tranche can only get the unrestricted money, the housing tranche its own."""
    food = grant_for(amount_per_year="300.00", years=1, themes=("food",))
    housing = grant_for(amount_per_year="300.00", years=1, themes=("housing",))
    donor = DonorFactory()
    receive(donor, "200.00", staff=staff, themes=("housing",))
    receive(donor, "150.00", staff=staff, on=days_ago(3))
    due = food.tranches.get().due_on

    services.ledger_allocate_due(start=today(), end=due, actor=staff)

    funded = {t.grant_id: t.funded for t in Tranche.objects.all()}
    assert funded[food.pk] <= D("150.00") and funded[housing.pk] <= D("300.00")
    assert funded[food.pk] + funded[housing.pk] <= D("350.00")
    restricted_parts = AllocationPart.objects.filter(donation__restricted=True)
    assert set(restricted_parts.values_list("allocation__grant_id", flat=True)) <= {housing.pk}
    assert pool_balance() >= 0
    assert services.ledger_differences() == []


def test_allocate_due_does_not_leave_a_tranches_own_money_idle(staff):
    """350 € restricted to housing; a food tranche and a housing tranche of 300 € each are due. The
    food tranche may receive none of it, so the pool allows the housing tranche in full: it is funded
    300 € and 50 € stay in the pool (not 175 €, half the pool, with 175 € of housing money idle)."""
    food = grant_for(amount_per_year="300.00", years=1, themes=("food",))
    housing = grant_for(amount_per_year="300.00", years=1, themes=("housing",))
    receive(DonorFactory(), "350.00", staff=staff, themes=("housing",))
    due = food.tranches.get().due_on

    services.ledger_allocate_due(start=today(), end=due, actor=staff)

    funded = {t.grant_id: t.funded for t in Tranche.objects.all()}
    assert funded == {food.pk: D("0.00"), housing.pk: D("300.00")}
    assert pool_balance() == D("50.00")
    assert services.ledger_differences() == []


def test_allocate_due_is_for_staff_only(applicant, staff):
    grant_for(amount_per_year="100.00", years=1)
    receive(DonorFactory(), "100.00", staff=staff)
    state = snapshot()
    with pytest.raises(GrantError, match="JOIN FORCES team"):
        services.ledger_allocate_due(start=today(), end=today() + timedelta(days=400), actor=applicant)
    assert snapshot() == state


# --- Bad input is refused and changes nothing -------------------------------------------------------


@pytest.mark.parametrize(("amount", "message"), [
    ("-10.00", "more than zero"),
    ("0", "more than zero"),
    ("0.00", "more than zero"),
    ("10.001", "at most two decimals"),
    ("dix euros", "Enter an amount"),
    ("NaN", "Enter an amount"),
    ("1000.01", "needs only 1000.00"),
    ("1e12", "too large"),
])
def test_allocate_refuses_bad_amounts_and_changes_nothing(staff, first_tranche, amount, message):
    tranche = first_tranche()
    receive(DonorFactory(), "5000.00", staff=staff)
    state = snapshot()

    with pytest.raises(GrantError, match=re.escape(message)):
        services.ledger_allocate(tranche=tranche, actor=staff, amount=amount)

    assert snapshot() == state


def test_allocate_refuses_more_than_the_pool_holds_and_says_what_is_missing(staff, first_tranche):
    tranche = first_tranche()
    receive(DonorFactory(), "300.00", staff=staff)
    receive(DonorFactory(), "5000.00", staff=staff, themes=("housing",))  # not for food
    state = snapshot()

    with pytest.raises(GrantError, match=re.escape("200.00 € too little")) as refused:
        services.ledger_allocate(tranche=tranche, actor=staff, amount="500.00")

    assert refused.value.message
    assert snapshot() == state


def test_allocate_refuses_a_non_staff_actor(applicant, staff, first_tranche):
    tranche = first_tranche()
    receive(DonorFactory(), "5000.00", staff=staff)
    state = snapshot()

    with pytest.raises(GrantError, match="JOIN FORCES team"):
        services.ledger_allocate(tranche=tranche, actor=applicant, amount="10.00")

    assert snapshot() == state


def test_allocate_refuses_a_fully_funded_a_paid_or_a_closed_tranche(staff, first_tranche):
    tranche = first_tranche()
    receive(DonorFactory(), "5000.00", staff=staff)
    services.ledger_allocate(tranche=tranche, actor=staff)
    state = snapshot()
    with pytest.raises(GrantError, match="already fully funded"):
        services.ledger_allocate(tranche=tranche, actor=staff)
    assert snapshot() == state

    Tranche.objects.filter(pk=tranche.pk).update(status=TrancheStatus.PAID, paid_at=timezone.now())
    state = snapshot()
    with pytest.raises(GrantError, match="planned tranche"):
        services.ledger_allocate(tranche=tranche, actor=staff, amount="1.00")
    assert snapshot() == state

    second = tranche.grant.tranches.get(number=2)
    Grant.objects.filter(pk=tranche.grant_id).update(status=GrantStatus.TERMINATED)
    state = snapshot()
    with pytest.raises(GrantError, match="closed"):
        services.ledger_allocate(tranche=second, actor=staff, amount="1.00")
    assert snapshot() == state


@pytest.mark.parametrize(("amount", "message"), [
    ("-1.00", "more than zero"),
    ("0.00", "more than zero"),
    ("12.345", "at most two decimals"),
    ("", "Enter an amount"),
])
def test_donation_receive_refuses_bad_amounts_and_changes_nothing(staff, amount, message):
    donor = DonorFactory()
    receive(donor, "10.00", staff=staff)
    state = snapshot()

    with pytest.raises(GrantError, match=re.escape(message)):
        services.donation_receive(donor=donor, amount=amount, received_on=today(), actor=staff)

    assert snapshot() == state


def test_donation_receive_refuses_a_future_date_and_another_donors_pledge(staff):
    donor, other = DonorFactory(), DonorFactory()
    pledge = services.pledge_record(donor=other, amount="100.00", pledged_on=today(), actor=staff)
    state = snapshot()

    with pytest.raises(GrantError, match="future"):
        services.donation_receive(donor=donor, amount="10.00", received_on=today() + timedelta(days=1), actor=staff)
    with pytest.raises(GrantError, match="another donor"):
        services.donation_receive(donor=donor, amount="10.00", received_on=today(), actor=staff, pledge=pledge)

    assert snapshot() == state


def test_donation_receive_accepts_french_amounts_and_fills_the_pool(staff):
    donation = services.donation_receive(donor=DonorFactory(), amount="1 250,50", received_on=today(), actor=staff)
    assert donation.amount == D("1250.50") and not donation.restricted
    assert pool_balance() == D("1250.50")


def test_donation_receive_takes_the_pledges_themes_by_default(staff):
    from joinforces.core.models import Theme

    donor = DonorFactory()
    pledge = services.pledge_record(donor=donor, amount="100.00", pledged_on=today(), actor=staff,
                                    themes=Theme.objects.filter(code="food"))
    donation = services.donation_receive(donor=donor, amount="40.00", received_on=today(), actor=staff, pledge=pledge)
    assert donation.restricted and list(donation.themes.values_list("code", flat=True)) == ["food"]


@pytest.mark.parametrize(("amount", "message"), [("-5", "more than zero"), ("0", "more than zero"),
                                                  ("5.001", "at most two decimals")])
def test_pledge_record_refuses_bad_amounts(staff, amount, message):
    donor = DonorFactory()
    with pytest.raises(GrantError, match=re.escape(message)):
        services.pledge_record(donor=donor, amount=amount, pledged_on=today(), actor=staff)
    assert not donor.pledges.exists()


def test_pledge_record_refuses_dates_in_the_wrong_order_and_non_staff(staff, applicant):
    donor = DonorFactory()
    with pytest.raises(GrantError, match="wrong order"):
        services.pledge_record(donor=donor, amount="5.00", pledged_on=today(), actor=staff,
                               expected_from=today(), expected_until=today() - timedelta(days=1))
    with pytest.raises(GrantError, match="JOIN FORCES team"):
        services.pledge_record(donor=donor, amount="5.00", pledged_on=today(), actor=applicant)
    assert not donor.pledges.exists()


def test_reverse_refuses_a_non_staff_actor(staff, applicant, first_tranche):
    tranche = first_tranche()
    receive(DonorFactory(), "5000.00", staff=staff)
    entry = services.ledger_allocate(tranche=tranche, actor=staff, amount="10.00")
    state = snapshot()
    with pytest.raises(GrantError, match="JOIN FORCES team"):
        services.ledger_reverse(entry=entry, actor=applicant, reason="Erreur.")
    assert snapshot() == state


# --- Grants from published selections ------------------------------------------------------------------


def test_a_published_selection_becomes_a_grant_whose_tranches_add_up(settings):
    """Total = amount per year × years; one tranche a year from the first day of the month after
    publication (in Paris time): the first on the signed agreement, each next on the report of the
    year before; agreement pending."""
    settings.TIME_ZONE = "Europe/Paris"
    published = datetime(2025, 12, 31, 23, 30, tzinfo=UTC)  # already 1 January 2026 in Paris
    grant = grant_for(amount_per_year="12345.67", years=3, published_at=published)

    assert grant.total_amount == D("37037.01") and grant.years == 3
    assert grant.start_date == datetime(2026, 2, 1).date()
    assert grant.status == GrantStatus.AGREEMENT_PENDING
    rows = list(grant.tranches.order_by("number").values_list("number", "due_on", "amount", "condition",
                                                              "condition_year", "funded", "status"))
    assert rows == [
        (1, datetime(2026, 2, 1).date(), D("12345.67"), TrancheCondition.AGREEMENT_SIGNED, None, D("0.00"),
         TrancheStatus.PLANNED),
        (2, datetime(2027, 2, 1).date(), D("12345.67"), TrancheCondition.REPORT_APPROVED, 1, D("0.00"),
         TrancheStatus.PLANNED),
        (3, datetime(2028, 2, 1).date(), D("12345.67"), TrancheCondition.REPORT_APPROVED, 2, D("0.00"),
         TrancheStatus.PLANNED),
    ]
    assert sum(row[2] for row in rows) == grant.total_amount
    assert AuditEvent.objects.filter(action="grants.grant_created", target_id=str(grant.pk)).count() == 1
    assert services.ledger_differences() == []


def test_creating_the_grant_twice_gives_one_grant():
    """The service is idempotent: a second call (a task run twice) returns the same grant and adds
    no tranche and no audit event."""
    grant = grant_for(amount_per_year="1000.00", years=2)
    again = services.grant_create_from_decision(decision=grant.decision)

    assert again.pk == grant.pk
    assert Grant.objects.filter(decision=grant.decision).count() == 1
    assert Tranche.objects.filter(grant=grant).count() == 2
    assert AuditEvent.objects.filter(action="grants.grant_created").count() == 1


def _decision(outcome, published=True, **extra):
    call = CallFactory()
    application = ApplicationFactory(call=call)
    review_round = ReviewRound.objects.create(call=call, title="Tour", deadline=timezone.now() + timedelta(days=1))
    return Decision.objects.create(application=application, round=review_round, outcome=outcome, rationale="Non.",
                                   decided_at=timezone.now(), published_at=timezone.now() if published else None,
                                   **extra)


@pytest.mark.parametrize(("outcome", "published", "extra"), [
    (Outcome.DECLINED, True, {}),
    (Outcome.WAITLISTED, True, {}),
    (Outcome.SELECTED, False, {"amount_per_year": D("1000.00"), "years": 2}),
])
def test_only_a_published_selection_becomes_a_grant(outcome, published, extra):
    decision = _decision(outcome, published=published, **extra)
    with pytest.raises(GrantError, match="Only a published selection"):
        services.grant_create_from_decision(decision=decision)
    assert not Grant.objects.exists() and not Tranche.objects.exists()


def test_tranche_schedule_adds_up_for_every_duration():
    start = datetime(2024, 3, 1).date()
    for years in range(1, 11):
        rows = services.tranche_schedule(amount_per_year=D("999.99"), years=years, start=start)
        assert [row["number"] for row in rows] == list(range(1, years + 1))
        assert sum(row["amount"] for row in rows) == D("999.99") * years
        assert [row["due_on"].year for row in rows] == list(range(2024, 2024 + years))


# --- Figures ----------------------------------------------------------------------------------------


@pytest.fixture
def scenario(staff):
    """Donor A pledges 5 000 € and gives 2 000 € (ten days ago); donor B gives 600 € for food.
    G1 (1 000 € × 1 year) is funded in full (B 600, A 400) and paid; G2 (1 000 € × 2 years) gets
    300 € on its first tranche and 100 € of support (and 50 € of support, reversed)."""
    a, b = DonorFactory(), DonorFactory()
    services.pledge_record(donor=a, amount="5000.00", pledged_on=today(), actor=staff)
    donation_a = receive(a, "2000.00", staff=staff, on=days_ago(10))
    donation_b = receive(b, "600.00", staff=staff, themes=("food",))
    g1 = grant_for(amount_per_year="1000.00", years=1)
    g2 = grant_for(amount_per_year="1000.00", years=2)
    services.ledger_allocate(tranche=g1.tranches.get(), actor=staff)
    Tranche.objects.filter(grant=g1).update(status=TrancheStatus.PAID, paid_at=timezone.now())
    services.ledger_allocate(tranche=g2.tranches.get(number=1), actor=staff, amount="300.00")
    services.ledger_record_support_spending(grant=g2, amount="100.00", reference="EXP-1", actor=staff)
    spare = services.ledger_record_support_spending(grant=g2, amount="50.00", reference="EXP-2", actor=staff)
    services.ledger_reverse(entry=spare, actor=staff, reason="Doublon.")
    return {"a": a, "b": b, "donation_a": donation_a, "donation_b": donation_b, "g1": g1, "g2": g2}


def test_fund_figures_on_a_known_scenario(scenario):
    """Received 2 600, allocated 1 400 net (support 100 net), paid 1 000, pool 1 200; due within
    90 days: G2's first tranche still needs 700; need by year: the pool covers G2's first year and
    500 of its second."""
    figures = fund_figures()
    g2_first, g2_second = scenario["g2"].tranches.order_by("number")

    assert figures.pledged == D("5000.00")
    assert figures.received == D("2600.00")
    assert figures.allocated == D("1400.00")
    assert figures.support == D("100.00")
    assert figures.paid == D("1000.00")
    assert figures.pool == D("1200.00") == pool_balance()
    assert figures.due_soon == D("700.00")
    assert figures.need_by_year == {g2_second.due_on.year: D("500.00")}
    assert figures.fundraising_need == D("500.00")
    assert figures.redistribution_rate == D("53.8")
    assert g2_first.due_on.year < g2_second.due_on.year


def test_fund_figures_for_a_period(scenario):
    """Within a period ending five days ago: only A's donation was received then, nothing pledged or
    allocated yet; the pool stays as of today."""
    figures = fund_figures(start=days_ago(30), end=days_ago(5))
    assert (figures.pledged, figures.received, figures.allocated, figures.support) == (
        D("0.00"), D("2000.00"), D("0.00"), D("0.00"))
    assert figures.pool == D("1200.00")


def test_donor_figures_on_a_known_scenario(scenario):
    """A: 400 to G1 (paid), 300 to G2, 100 support (50 more, reversed): 800 allocated, 1 200 waiting.
    B: 600, all to G1 (paid)."""
    a = donor_figures(scenario["a"])
    assert (a.pledged, a.received, a.allocated, a.support, a.paid, a.pool) == (
        D("5000.00"), D("2000.00"), D("800.00"), D("100.00"), D("400.00"), D("1200.00"))
    b = donor_figures(scenario["b"])
    assert (b.pledged, b.received, b.allocated, b.support, b.paid, b.pool) == (
        D("0.00"), D("600.00"), D("600.00"), D("0.00"), D("600.00"), D("0.00"))
    assert a.redistribution_rate == D("40.0") and b.redistribution_rate == D("100.0")


def test_fundraising_need_counts_the_pool_against_the_earliest_years_first(scenario):
    g2_first, g2_second = scenario["g2"].tranches.order_by("number")
    first, second = g2_first.due_on.year, g2_second.due_on.year
    assert fundraising_need_by_year(D("0.00")) == {first: D("700.00"), second: D("1000.00")}
    assert fundraising_need_by_year(D("699.99")) == {first: D("0.01"), second: D("1000.00")}
    assert fundraising_need_by_year(D("1000.00")) == {second: D("700.00")}
    assert fundraising_need_by_year(D("5000.00")) == {}


# --- check_ledger ------------------------------------------------------------------------------------


def test_check_ledger_passes_after_a_sequence_of_operations(scenario, capsys):
    call_command("check_ledger")
    assert "Ledger sound" in capsys.readouterr().out
    assert services.ledger_differences() == []


def _check_ledger_fails(capsys, *expected):
    """check_ledger raises CommandError and prints each expected difference (SQLite's sums may print
    800 for 800.00: the figures are compared as numbers)."""
    with pytest.raises(CommandError, match="1 difference"):
        call_command("check_ledger")
    err = capsys.readouterr().err
    for text in expected:
        pattern = re.escape(text).replace(r"\.00", r"(\.0+)?")
        assert re.search(pattern, err), err
    return err


def test_check_ledger_detects_a_tampered_donation_counter(scenario, capsys):
    """A donation's counter moved without a ledger row (still within its constraints) is reported
    with both figures."""
    donation = scenario["donation_a"]
    Donation.objects.filter(pk=donation.pk).update(allocated=D("900.00"))
    _check_ledger_fails(capsys, f"donation {donation.pk}: allocated 900.00 != parts 800.00")


def test_check_ledger_detects_a_tampered_tranche_counter(scenario, capsys):
    tranche = scenario["g2"].tranches.get(number=1)
    Tranche.objects.filter(pk=tranche.pk).update(funded=D("250.00"))
    _check_ledger_fails(capsys, f"tranche {tranche.pk}: funded 250.00 != entries 300.00")


def test_check_ledger_detects_a_tampered_pool(scenario, capsys):
    Pool.objects.filter(pk=1).update(balance=D("1300.00"))
    _check_ledger_fails(capsys, "pool: balance 1300.00 != received 2600.00 - allocated 1400.00")


def test_check_ledger_detects_a_grant_whose_tranches_no_longer_add_up(scenario, capsys):
    """Within this (not yet committed) transaction the deferred PostgreSQL trigger has not fired yet:
    check_ledger sees the difference. The total is put back before the test's end, where Django checks
    the deferred constraints (test_constraints shows the trigger refusing it)."""
    g2 = scenario["g2"]
    Grant.objects.filter(pk=g2.pk).update(total_amount=D("2500.00"))
    _check_ledger_fails(capsys, f"grant {g2.pk}: tranches add up to 2000.00 != total 2500.00")
    Grant.objects.filter(pk=g2.pk).update(total_amount=D("2000.00"))
    call_command("check_ledger")


def test_ledger_rows_cannot_be_tampered_with(scenario):
    """Entries and their parts refuse UPDATE and DELETE on every database: check_ledger's figures
    cannot be fixed up by editing the ledger itself."""
    entry = Allocation.objects.filter(kind=AllocationKind.ALLOCATION).first()
    with pytest.raises(DatabaseError), transaction.atomic():
        Allocation.objects.filter(pk=entry.pk).update(amount=D("1.00"))
    with pytest.raises(DatabaseError), transaction.atomic():
        AllocationPart.objects.filter(allocation=entry).update(amount=D("1.00"))
    entry.refresh_from_db()
    assert entry.amount != D("1.00")
    call_command("check_ledger")
