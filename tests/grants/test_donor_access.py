"""What a donor's contact sees: its own donor's donations, pledges and receipts, nobody else's; its
panel of "my space", in a fixed number of queries."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grants import services
from grants.models import Donation, Donor, DonorContact, Pledge
from grants.panels import donor_panel_context
from grants.receipts import donation_receipt_issue
from joinforces.core.models import Theme
from joinforces.core.uploads import download_url

from .factories import DonorFactory, receive

pytestmark = pytest.mark.django_db

MY_SPACE = "portal:my_space"


@pytest.fixture
def own(donor):
    """The donor the `donor` user is a contact of."""
    own = DonorFactory(name="Fondation des Communs")
    DonorContact.objects.create(donor=own, user=donor)
    return own


@pytest.fixture
def other():
    return DonorFactory(name="Fondation Voisine")


def pledge(donor, amount, *, staff, themes=()):
    return services.pledge_record(donor=donor, amount=Decimal(amount), pledged_on=date(2026, 1, 5), actor=staff,
                                  themes=list(Theme.objects.filter(code__in=themes)))


# --- The querysets -----------------------------------------------------------------------------


def test_a_contact_sees_only_its_own_donor_s_money(donor, own, other, staff, applicant):
    mine = receive(own, "100", staff=staff)
    theirs = receive(other, "200", staff=staff)
    my_pledge, their_pledge = pledge(own, "1000", staff=staff), pledge(other, "2000", staff=staff)

    assert list(Donor.objects.visible_to(donor)) == [own]
    assert list(Donation.objects.visible_to(donor)) == [mine]
    assert list(Pledge.objects.visible_to(donor)) == [my_pledge]
    assert not Donation.objects.visible_to(applicant).exists()
    assert not Pledge.objects.visible_to(applicant).exists()
    assert set(Donation.objects.visible_to(staff)) == {mine, theirs}
    assert set(Pledge.objects.visible_to(staff)) == {my_pledge, their_pledge}


def test_a_user_who_is_no_donor_s_contact_sees_no_donation(donor, other, staff):
    receive(other, "100", staff=staff)
    assert not Donation.objects.visible_to(donor).exists()


# --- The receipts ------------------------------------------------------------------------------


def test_receipts_are_served_only_to_the_donor_s_contacts_and_staff(donor_client, own, other, staff, staff_client,
                                                                      applicant_client):
    mine = donation_receipt_issue(donation_id=receive(own, "100", staff=staff).pk)
    theirs = donation_receipt_issue(donation_id=receive(other, "200", staff=staff).pk)
    mine_url, theirs_url = download_url(mine, "receipt"), download_url(theirs, "receipt")

    response = donor_client.get(mine_url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert response["Cache-Control"] == "private, no-store"
    assert donor_client.get(theirs_url).status_code == 404
    assert applicant_client.get(mine_url).status_code == 404
    assert staff_client.get(theirs_url).status_code == 200
    anonymous = Client().get(mine_url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("account_login"))


def test_a_donation_without_receipt_has_no_download(donor_client, own, staff):
    donation = receive(own, "100", staff=staff)
    assert donor_client.get(download_url(donation, "receipt")).status_code == 404


# --- The panel ---------------------------------------------------------------------------------


def test_the_panel_shows_the_donor_s_figures_donations_receipts_and_pledges(donor_client, own, other, staff):
    food = receive(own, "1250.50", staff=staff, on=date(2026, 2, 3), themes=("food",))
    donation_receipt_issue(donation_id=food.pk)
    food.refresh_from_db()
    receive(own, "300", staff=staff, on=date(2026, 1, 15))
    pledge(own, "5000", staff=staff)
    receive(other, "777", staff=staff)
    pledge(other, "8888", staff=staff)

    html = donor_client.get(reverse(MY_SPACE)).content.decode()

    assert 'id="panel-donor"' in html
    assert "Fondation des Communs" in html and "Fondation Voisine" not in html
    assert "1\u00a0250,50\u00a0€" in html  # the donation, and the figures: given
    assert "300,00\u00a0€" in html and "5\u00a0000,00\u00a0€" in html
    assert "777,00" not in html and "8\u00a0888,00" not in html
    assert download_url(food, "receipt") in html and food.receipt_number in html
    assert Theme.objects.get(code="food").name_fr in html


def test_the_panel_has_an_empty_state(donor_client, own):
    html = donor_client.get(reverse(MY_SPACE)).content.decode()
    assert 'id="panel-donor"' in html
    assert 'class="empty-state small"' in html


def test_no_panel_for_someone_who_is_no_donor_s_contact(donor_client, applicant_client, staff_client):
    for client in (donor_client, applicant_client, staff_client):
        assert 'id="panel-donor"' not in client.get(reverse(MY_SPACE)).content.decode()


# The contacts; the donor's figures (3); its donations and their themes; its pledges and their themes;
# the content type of the receipt links (cached afterwards).
PANEL_QUERIES = 9


def _panel_queries(user) -> tuple[int, str]:
    request = RequestFactory().get("/")
    request.user = user
    ContentType.objects.clear_cache()
    with CaptureQueriesContext(connection) as queries:
        context = donor_panel_context(request)
        html = render_to_string("grants/panel.html", context, request=request)
    return len(queries), html


@pytest.mark.parametrize("count", [3, 30])
def test_the_panel_takes_a_fixed_number_of_queries(donor, own, staff, count, django_assert_max_num_queries):
    themes = list(Theme.objects.filter(code__in=("food", "housing", "education")))
    for n in range(count):
        donation = services.donation_receive(donor=own, amount=Decimal(10 + n), received_on=date(2026, 1, 1 + n % 28),
                                             actor=staff, themes=themes[: n % 3])
        Donation.objects.filter(pk=donation.pk).update(receipt_number=f"RF-2026-{n + 1:05d}")
        donation.refresh_from_db()
        donation.receipt.save("recu.pdf", ContentFile(b"%PDF-1.4"), save=True)
        pledge(own, 100 + n, staff=staff, themes=[t.code for t in themes[: n % 3]])

    with django_assert_max_num_queries(PANEL_QUERIES):
        queries, html = _panel_queries(donor)
    assert html.count('class="mb-2 donation"') == min(count, 10)
    assert queries == PANEL_QUERIES  # the same with 3 or 30 donations and pledges
