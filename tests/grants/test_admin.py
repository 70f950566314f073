"""The staff's admin of money: donations received through the service, tranches funded by actions,
entries reversed with a reason, the fund's overview; lists in a fixed number of queries."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grants import services
from grants.models import Allocation, AllocationKind, Donation, Donor, Pool, Tranche

from .factories import DonorFactory, grant_for, receive

pytestmark = pytest.mark.django_db


def test_staff_receive_a_donation_in_the_admin_into_the_pool(staff_client):
    """Adding a donation goes through the service: the pool grows and the entry is audited; a
    donation with three decimals is refused with a message and nothing is recorded."""
    donor = DonorFactory()
    response = staff_client.post("/admin/grants/donation/add/", {
        "donor": donor.pk, "amount": "1250.50", "received_on": date.today().strftime("%d/%m/%Y"), "reference": "VIR"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Donation.objects.get().amount == Decimal("1250.50")
    assert Pool.current().balance == Decimal("1250.50")
    response = staff_client.post("/admin/grants/donation/add/", {
        "donor": donor.pk, "amount": "-5", "received_on": date.today().strftime("%d/%m/%Y")})
    assert response.status_code == 200
    assert Donation.objects.count() == 1


def test_a_public_donor_needs_a_recorded_consent(staff_client):
    """Naming a donor publicly without saying how they agreed is refused; with it, the consent is dated."""
    data = {"kind": "foundation", "name": "Fondation Horizon", "public": "on", "country": "France",
            "bank_accounts": "[]", "bank_label_keywords": "[]", "consent_note": "",
            "contacts-TOTAL_FORMS": "0", "contacts-INITIAL_FORMS": "0"}
    response = staff_client.post("/admin/grants/donor/add/", data)
    assert response.status_code == 200 and not Donor.objects.exists()
    response = staff_client.post("/admin/grants/donor/add/", {**data, "consent_note": "Courriel du 3 mars"})
    assert response.status_code == 302
    assert Donor.objects.get().consent_recorded_at is not None


def test_tranches_are_funded_by_the_action_and_reversed_with_a_reason(staff, staff_client):
    """The action funds each selected tranche from the pool; reversing needs a reason and puts the
    money back; the ledger stays sound."""
    grant = grant_for(amount_per_year="10000.00", years=2)
    receive(DonorFactory(), "15000.00", staff=staff)
    first, second = grant.tranches.order_by("number")
    response = staff_client.post("/admin/grants/tranche/", {"action": "allocate", "_selected_action": [first.pk,
                                                                                                       second.pk]})
    assert response.status_code == 302
    first.refresh_from_db(), second.refresh_from_db()
    assert (first.funded, second.funded) == (Decimal("10000.00"), Decimal("0.00"))
    entry = Allocation.objects.get()
    response = staff_client.post("/admin/grants/allocation/", {"action": "reverse", "_selected_action": [entry.pk]})
    assert response.status_code == 200 and not Allocation.objects.filter(kind=AllocationKind.REVERSAL).exists()
    staff_client.post("/admin/grants/allocation/", {"action": "reverse", "_selected_action": [entry.pk],
                                                    "reason": "Erreur de tranche"})
    first.refresh_from_db()
    assert first.funded == Decimal("0.00")
    assert services.ledger_differences() == []


def test_the_tranches_due_in_a_period_are_funded_from_one_page(staff, staff_client):
    grant = grant_for(amount_per_year="10000.00", years=2)
    receive(DonorFactory(), "30000.00", staff=staff)
    response = staff_client.post("/admin/grants/tranche/financer-periode/", {
        "start": grant.start_date.isoformat(), "end": (grant.start_date + timedelta(days=800)).isoformat()})
    assert response.status_code == 302
    assert all(t.funded == t.amount for t in Tranche.objects.filter(grant=grant))


def _grow(count, staff):
    donor = DonorFactory()
    receive(donor, str(20000 * count), staff=staff)
    for _ in range(count):
        grant = grant_for(amount_per_year="10000.00", years=2)
        services.ledger_allocate(tranche=grant.tranches.get(number=1), actor=staff)


@pytest.mark.parametrize("url", ["/admin/grants/grant/", "/admin/grants/grant/apercu/", "/admin/grants/tranche/",
                                 "/admin/grants/allocation/", "/admin/grants/donor/", "/admin/grants/donation/"])
def test_the_money_pages_cost_the_same_queries_for_3_and_for_30_grants(url, staff, staff_client):
    """The grant list, the fund overview and the other lists do not grow with the data."""
    counts = []
    for count in (3, 27):
        _grow(count, staff)
        staff_client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = staff_client.get(url)
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    # The overview carries the fund's whole dashboard and portfolio (#8): its own, larger, fixed budget.
    assert counts[1] <= (36 if "apercu" in url else 20)


def test_the_overview_states_the_figures_and_that_no_fee_is_taken(staff, staff_client):
    grant = grant_for(amount_per_year="10000.00", years=2)
    receive(DonorFactory(name="Fondation du Lien"), "12000.00", staff=staff)
    services.ledger_allocate(tranche=grant.tranches.get(number=1), actor=staff)
    page = staff_client.get("/admin/grants/grant/apercu/").content.decode()
    assert "Fondation du Lien" in page
    assert "12\u202f000,00\xa0€" in page or "12 000,00" in page.replace("\u202f", " ").replace("\xa0", " ")
    assert "83,3" in page  # 10 000 of 12 000 allocated
    assert "frais" in page  # "Aucun frais n'est prélevé"


def test_a_donation_page_says_where_its_money_went(staff, staff_client):
    """The donation's page lists its attributions: the initiative, the tranche and the amount."""
    grant = grant_for(amount_per_year="10000.00", years=2)
    donation = receive(DonorFactory(), "15000.00", staff=staff)
    services.ledger_allocate(tranche=grant.tranches.get(number=1), actor=staff)
    page = staff_client.get(f"/admin/grants/donation/{donation.pk}/change/").content.decode()
    assert grant.application.reference in page
    assert "10\xa0000,00\xa0€" in page


def test_a_ledger_entry_page_shows_its_attribution(staff, staff_client):
    grant = grant_for(amount_per_year="10000.00", years=2)
    donor = DonorFactory(name="Fondation Attribuée")
    receive(donor, "15000.00", staff=staff)
    entry = services.ledger_allocate(tranche=grant.tranches.get(number=1), actor=staff)
    page = staff_client.get(f"/admin/grants/allocation/{entry.pk}/change/").content.decode()
    assert "Fondation Attribuée" in page


def test_the_grant_page_links_to_its_life(staff, staff_client):
    """From a grant's admin page staff reach its agreement, bank details, reports, amendments,
    payments and the grantee's own page."""
    grant = grant_for(amount_per_year="10000.00", years=2)
    page = staff_client.get(f"/admin/grants/grant/{grant.pk}/change/").content.decode()
    for url in (f"/admin/grants/bankdetails/?grant__id__exact={grant.pk}",
                f"/admin/grants/grantreport/?grant__id__exact={grant.pk}",
                f"/admin/grants/amendment/?grant__id__exact={grant.pk}", f"/subventions/{grant.pk}/"):
        assert url in page
        assert staff_client.get(url).status_code == 200, url
    assert f"/admin/grants/grantagreement/{grant.agreement.pk}/change/" in page
