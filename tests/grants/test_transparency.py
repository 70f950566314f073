"""The public transparency page: figures to the cent (net of reversals, support included), initiatives
by theme and région, only consented initiatives and named donors, public, in a fixed number of queries."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grants import services
from grants.models import GrantStatus
from grants.transparency import (
    initiatives_by_region,
    initiatives_by_theme,
    public_donors,
    public_figures,
    public_initiatives,
)
from joinforces.core.formats import euros

from .factories import DonorFactory, initiative, pay, receive

pytestmark = pytest.mark.django_db

D = Decimal
URL = reverse("grants:transparency")


@pytest.fixture
def case(staff):
    """Two donations (one restricted to food, from an anonymous donor), an allocation paid, an allocation
    reversed, support spending; three initiatives (consent yes, no, unanswered) and one terminated unpaid."""
    named = DonorFactory(name="Fondation Lumière")
    anonymous = DonorFactory(name="Mécène Discret", public=False, consent_recorded_at=None)
    DonorFactory(name="Fondation Promesse")  # public, but gave nothing
    receive(named, "1000.00", staff=staff)
    receive(anonymous, "500.00", staff=staff, themes=("food",))

    listed = initiative("Collectif Visible", consent=True, themes=("food",), territories=("31", "R76", "59"))
    refused = initiative("Collectif Réservé", consent=False, themes=("housing",), territories=("59",))
    unanswered = initiative("Collectif Silencieux", consent=None, themes=("food", "housing"), territories=())
    ended = initiative("Collectif Arrêté", consent=True, themes=("food",), territories=("31",))
    ended.status = GrantStatus.TERMINATED
    ended.save(update_fields=["status"])

    first = listed.tranches.get(number=1)
    services.ledger_allocate(tranche=first, actor=staff, amount="1000.00")
    pay(first)
    entry = services.ledger_allocate(tranche=refused.tranches.get(number=1), actor=staff, amount="200.00")
    services.ledger_reverse(entry=entry, actor=staff, reason="Erreur de saisie")
    services.ledger_record_support_spending(grant=unanswered, amount="50.00", reference="Facture EXP-1", actor=staff)
    return {"listed": listed, "refused": refused, "unanswered": unanswered, "ended": ended}


def test_figures_to_the_cent_net_of_reversals_support_included(case):
    figures = public_figures()
    assert figures.received == D("1500.00")
    assert figures.redistributed == D("1050.00")  # 1 000 + 200 − 200 + 50
    assert figures.support == D("50.00")
    assert figures.paid == D("1000.00")
    assert figures.waiting == D("450.00")
    assert figures.redistribution_rate == D("70.0")
    assert figures.initiatives == 3  # the grant terminated before any payment does not count


def test_rate_is_none_without_donations(db):
    figures = public_figures()
    assert figures.received == D("0.00") and figures.redistribution_rate is None and figures.initiatives == 0


def test_initiatives_by_theme_and_by_region(case):
    assert {theme.code: theme.initiatives for theme in initiatives_by_theme()} == {"food": 2, "housing": 2}
    regions = initiatives_by_region()
    # Visible: Haute-Garonne and Occitanie (one région, counted once) and Nord; Réservé: Nord.
    assert [(region.code, region.initiatives) for region in regions] == [("R32", 2), ("R76", 1)]
    assert [region.name for region in regions] == sorted(region.name for region in regions)


def test_only_consented_initiatives_and_named_donors_who_gave(case):
    assert [grant.application.name for grant in public_initiatives()] == ["Collectif Visible"]
    assert public_initiatives()[0].public_regions == ["Hauts-de-France", "Occitanie"]
    assert public_donors() == ["Fondation Lumière"]


def test_the_page_is_public_and_shows_nothing_anonymous_or_unconsented(client, case):
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Collectif Visible" in html and "Fondation Lumière" in html
    for hidden in ("Collectif Réservé", "Collectif Silencieux", "Collectif Arrêté", "Mécène Discret",
                   "Fondation Promesse"):
        assert hidden not in html
    assert "100&nbsp;%" in html
    assert html.count('role="img"') == 2 and "Source : IGN, Admin Express" in html  # bars and map
    assert euros(D("1500.00")) in html and euros(D("1050.00")) in html and "70,0&nbsp;%" in html


def test_the_page_in_english(client, case):
    client.cookies["django_language"] = "en"
    response = client.get(URL, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Collectif Visible" in html and "Mécène Discret" not in html and "70.0&nbsp;%" in html


def test_empty_page(client, db):
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["initiatives"] == [] and response.context["donors"] == []


def build(staff, count):
    donor = DonorFactory()
    receive(donor, str(count * 1000), staff=staff)
    receive(DonorFactory(public=False, consent_recorded_at=None), "300.00", staff=staff, themes=("food",))
    for n in range(count):
        grant = initiative(f"Collectif {n}", consent=n % 3 != 0, themes=("food", "housing")[: 1 + n % 2],
                           territories=(("31", "59", "R11")[n % 3],))
        entry = services.ledger_allocate(tranche=grant.tranches.get(number=1), actor=staff, amount="100.00")
        if n % 4 == 0:
            services.ledger_reverse(entry=entry, actor=staff, reason="Correction")


def queries_for_page(client):
    with CaptureQueriesContext(connection) as context:
        assert client.get(URL).status_code == 200
    return len(context.captured_queries)


def test_a_fixed_number_of_queries_whatever_the_data(client, staff):
    build(staff, 2)
    few = queries_for_page(client)
    build(staff, 20)
    assert queries_for_page(client) == few
    assert few == 11  # figures 4, themes 1, régions 1, initiatives 4, donors 1
