"""The donor dashboard and the staff overview: figures to the cent on a hand-built case (a restricted
donation, a reversed allocation, support spending, a paid tranche), by period, theme, kind and région;
who sees what (a donor only its own money); the CSV and 360Giving downloads; a fixed number of
queries whatever the data."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from grants import dashboards, services
from grants.dashboards import Period
from grants.models import DonorContact
from joinforces.core.formats import euros

from .factories import LAST_YEAR, THIS_YEAR, DonorFactory, initiative, pay, receive

pytestmark = pytest.mark.django_db

D = Decimal


def test_a_donors_figures_to_the_cent_all_time(donor_case):
    board = dashboards.dashboard(donor=donor_case["alpha"], period=Period())
    figures = board.figures
    assert (figures.received, figures.pledged) == (D("1600.00"), D("0.00"))
    assert figures.allocated == D("950.00")  # 600 + 300 + 600 − 600 + 50
    assert figures.support == D("50.00")
    assert figures.paid == D("600.00")  # its part of Nourrir's paid tranche
    assert figures.pool == D("650.00")
    assert figures.redistribution_rate == D("59.4")
    assert [(theme.code, theme.total) for theme in board.by_theme] == [("food", D("600.00")), ("housing", D("350.00"))]
    assert [(row["family"], row["total"]) for row in board.by_kind] == [("coalition", D("600.00")),
                                                                         ("consolidation", D("350.00"))]
    assert [(region.name, region.total) for region in board.by_region] == [("Occitanie", D("600.00")),
                                                                           ("Hauts-de-France", D("350.00"))]
    rows = {grant.application.name: grant for grant in board.initiatives}
    assert set(rows) == {"Collectif Nourrir", "Fusion Logis"}  # Santé's allocation was reversed in full
    assert (rows["Collectif Nourrir"].attributed, rows["Collectif Nourrir"].paid) == (D("600.00"), D("600.00"))
    assert (rows["Fusion Logis"].attributed, rows["Fusion Logis"].paid) == (D("350.00"), D("0.00"))
    assert rows["Fusion Logis"].is_consolidation and rows["Collectif Nourrir"].regions == ["Occitanie"]
    assert rows["Collectif Nourrir"].next_due_on == donor_case["nourrir"].tranches.get(number=2).due_on


def test_the_restricted_donation_shows_where_it_was_honoured(donor_case):
    board = dashboards.dashboard(donor=donor_case["alpha"], period=Period())
    assert [donation.pk for donation in board.restricted] == [donor_case["food"].pk]
    assert [(row["name"], row["amount"]) for row in board.restricted[0].honoured] == [("Collectif Nourrir",
                                                                                       D("600.00"))]


def test_a_donors_figures_by_period(donor_case):
    last = dashboards.dashboard(donor=donor_case["alpha"], period=Period(LAST_YEAR))
    assert (last.figures.received, last.figures.allocated, last.figures.paid) == (D("1000.00"), D("0.00"),
                                                                                 D("0.00"))
    assert len(last.over_time) == 12 and last.over_time[2]["received"] == D("1000.00")
    assert list(last.initiatives) == [] and last.by_theme == []
    assert last.figures.redistribution_rate == D("0.0")  # nothing of the 1 000 € allocated by the end of that year
    this = dashboards.dashboard(donor=donor_case["alpha"], period=Period(THIS_YEAR))
    assert (this.figures.received, this.figures.allocated, this.figures.paid) == (D("600.00"), D("950.00"),
                                                                                 D("600.00"))
    assert this.figures.redistribution_rate == D("59.4")  # 950 of the 1 600 € received by the end of this year
    month = timezone.localdate().month
    assert this.over_time[month - 1]["allocated"] == D("950.00") and this.over_time[0]["received"] == D("600.00")
    every = dashboards.dashboard(donor=donor_case["alpha"], period=Period())
    assert [(row["key"], row["received"], row["allocated"], row["paid"]) for row in every.over_time] == [
        (LAST_YEAR, D("1000.00"), D("0.00"), D("0.00")), (THIS_YEAR, D("600.00"), D("950.00"), D("600.00"))]
    assert every.years == [THIS_YEAR, LAST_YEAR]


def test_a_tranche_paid_in_another_year_counts_in_that_year(donor_case, staff):
    pay(donor_case["nourrir"].tranches.get(number=1), at=timezone.make_aware(datetime(LAST_YEAR, 12, 30, 12)))
    assert dashboards.dashboard(donor=donor_case["alpha"], period=Period(THIS_YEAR)).figures.paid == D("0.00")
    assert dashboards.dashboard(donor=donor_case["alpha"], period=Period(LAST_YEAR)).figures.paid == D("600.00")


def test_the_fund_figures_cover_every_donor(donor_case):
    board = dashboards.dashboard(donor=None, period=Period())
    assert (board.figures.received, board.figures.allocated, board.figures.paid) == (D("2500.00"), D("1850.00"),
                                                                                    D("1000.00"))
    assert {theme.code: theme.total for theme in board.by_theme} == {"food": D("1000.00"), "housing": D("850.00")}
    assert {grant.application.name: grant.attributed for grant in board.initiatives} == {
        "Collectif Nourrir": D("1000.00"), "Fusion Logis": D("850.00")}
    portfolio = dashboards.portfolio()
    assert [(row["year"], row["count"], row["committed"]) for row in portfolio["by_year"]] == [
        (donor_case["nourrir"].start_date.year, 3, D("7200.00"))]  # 3 years × (1000 + 800 + 600)
    assert {region.name: region.initiatives for region in portfolio["by_region"]} == {
        "Occitanie": 1, "Hauts-de-France": 1, "Auvergne-Rhône-Alpes": 1}


def test_the_period_parameter():
    assert Period.parse("2025") == Period(2025) and Period.parse("2025").param == "2025"
    for value in ("", None, "tout", "1999", "99999", "2025; DROP"):
        assert Period.parse(value) == Period() and Period.parse(value).param == ""


# --- The pages ------------------------------------------------------------------------------------


def test_the_donor_sees_its_dashboard_with_charts_and_tables(donor_case, donor_client):
    response = donor_client.get(reverse("grants:donor_home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Fondation Alpha" in html and "Collectif Nourrir" in html and "Fusion Logis" in html
    assert "Fondation Bêta" not in html and "Alliance Santé" not in html
    assert html.count('role="img"') >= 4 and "Source : IGN, Admin Express" in html
    assert "<table" in html and euros(D("950.00")) in html and "59,4&nbsp;%" in html
    assert "Aucun frais" in html


def test_a_donor_sees_nothing_of_another_donor(donor_case, donor_client, applicant_client, client):
    beta = reverse("grants:donor_dashboard", args=[donor_case["beta"].pk])
    for url in (beta, reverse("grants:donor_attributions_csv", args=[donor_case["beta"].pk]),
                reverse("grants:donor_export_360giving", args=[donor_case["beta"].pk])):
        assert donor_client.get(url).status_code == 404
        assert applicant_client.get(url).status_code == 404
        assert client.get(url).status_code == 302  # to the log-in page
    assert donor_client.post(reverse("grants:donor_report", args=[donor_case["beta"].pk])).status_code == 404
    assert applicant_client.get(reverse("grants:donor_home")).status_code == 404
    assert donor_client.get(reverse("grants:fund_attributions_csv")).status_code == 403


def test_the_attributions_csv(donor_case, donor_client):
    response = donor_client.get(reverse("grants:donor_attributions_csv", args=[donor_case["alpha"].pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").strip().splitlines()
    amounts = sorted(D(line.rsplit(";", 1)[1]) for line in lines[1:])
    assert amounts == sorted([D("600.00"), D("300.00"), D("50.00"), D("600.00"), D("-600.00")])
    assert all("Fondation Alpha" in line for line in lines[1:])


def test_staff_see_the_overview_with_the_fund_and_the_portfolio(donor_case, staff_client):
    html = staff_client.get("/admin/grants/grant/apercu/").content.decode()
    assert "Fondation Alpha" in html and "Fondation Bêta" in html and 'role="img"' in html
    assert euros(D("1850.00")) in html and euros(D("7200.00")) in html  # allocated; committed
    # This year, Bêta gave nothing: it is not among the donors of the period.
    html = staff_client.get(f"/admin/grants/grant/apercu/?periode={THIS_YEAR}").content.decode()
    donors = html[html.index('id="donors-title"'):html.index('id="portfolio-title"')]
    assert "Fondation Alpha" in donors and "Fondation Bêta" not in donors


def build(staff, scale):
    """`scale` donors, each giving twice and funding its own initiative (for the query counts)."""
    donors = []
    for index in range(scale):
        one = DonorFactory()
        receive(one, "300.00", staff=staff, on=date(LAST_YEAR, 5, 1))
        receive(one, "200.00", staff=staff, themes=("food",))
        grant = initiative(f"Collectif {index}", themes=("food", "housing"), territories=("31", "59"),
                           amount_per_year="400.00")
        services.ledger_allocate(tranche=grant.tranches.get(number=1), actor=staff)
        pay(grant.tranches.get(number=1))
        donors.append(one)
    return donors


def _queries(client, url):
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_a_fixed_number_of_queries_whatever_the_data(staff, donor, donor_client, staff_client,
                                                      django_assert_max_num_queries):
    for one in build(staff, 1):
        DonorContact.objects.create(donor=one, user=donor)
    small = _queries(donor_client, reverse("grants:donor_home"))
    small_overview = _queries(staff_client, "/admin/grants/grant/apercu/")
    build(staff, 10)
    assert _queries(donor_client, reverse("grants:donor_home")) == small
    assert _queries(staff_client, "/admin/grants/grant/apercu/") == small_overview
    with django_assert_max_num_queries(30):
        donor_client.get(reverse("grants:donor_home"))
    with django_assert_max_num_queries(36):
        staff_client.get("/admin/grants/grant/apercu/")


def test_the_header_links_the_dashboard_for_donors_only(donor_client, applicant_client):
    assert 'href="/mes-dons/"' in donor_client.get("/").content.decode()
    assert 'href="/mes-dons/"' not in applicant_client.get("/").content.decode()
