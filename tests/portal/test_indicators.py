"""The portfolio indicators: computed to the unit on a hand-built portfolio (rows of another year or
status left out), the staff page and its CSV (staff only), and a fixed number of queries whatever
the data."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grants.dashboards import Period
from joinforces.portal import indicators
from tests.grants.factories import LAST_YEAR, THIS_YEAR

from .portfolio import build_portfolio

pytestmark = pytest.mark.django_db

D = Decimal
URL = reverse("portal:indicators")


@pytest.fixture
def portfolio(staff):
    return build_portfolio(staff)


def test_reported_indicators_to_the_unit(portfolio):
    reported = indicators.reported(Period(THIS_YEAR))
    assert reported.reports == 3
    assert reported.initiatives == 2
    assert reported.organisations == 7 + 3  # each initiative's largest figure, never 5 + 7 + 3
    assert reported.people == 120 + 80 + 50  # the report under review (999) and last year's (1000) apart
    assert reported.meetings == 6
    assert indicators.reported(Period(LAST_YEAR)).people == 1000


def test_territories_covered_by_departement(portfolio):
    covered = indicators.territories_covered(Period(THIS_YEAR))
    rows = {row["code"]: row["initiatives"] for row in covered.departements}
    # Occitanie reported as a région counts for its 13 départements; Nord by the other initiative.
    assert rows["31"] == 1 and rows["34"] == 1 and rows["59"] == 1
    assert len(rows) == 13 + 1
    assert "75" not in rows  # last year's report
    assert len(covered.regions) == 2
    drawn = {area["code"]: area["colour"] for area in covered.map["areas"]}
    assert drawn["31"] != covered.map["no_data"] and drawn["75"] == covered.map["no_data"]


def test_support_days_by_domain(portfolio):
    support = indicators.support_given(Period(THIS_YEAR))
    assert [(row["domain"], row["days"], row["sessions"]) for row in support.by_domain] == [
        ("mediation", D("1.0"), 2), ("finance", D("0.5"), 1)]
    assert support.days == D("1.5") and support.initiatives == 1


def test_money_by_theme_kind_and_region_from_the_ledger(portfolio):
    ind = indicators.indicators(Period(THIS_YEAR))
    assert (ind.money.received, ind.money.allocated, ind.money.paid) == (D("1500.00"), D("1300.00"), D("1000.00"))
    assert {theme.code: theme.total for theme in ind.by_theme} == {"food": D("1000.00"), "housing": D("300.00")}
    assert [(row["family"], row["total"]) for row in ind.by_kind] == [("coalition", D("1000.00")),
                                                                      ("consolidation", D("300.00"))]
    assert {region.code: region.total for region in ind.by_region} == {"R76": D("1000.00"), "R32": D("300.00")}


def test_what_the_selection_learned(portfolio):
    selection = indicators.selection(Period(THIS_YEAR))
    assert selection.received == 3  # last year's and the draft apart
    assert selection.verdicts == {"ineligible": 1, "eligible": 2}  # the override counts as its new verdict
    assert [(row["criterion"], row["count"]) for row in selection.exclusions] == [("ralliance", 2), ("federation", 1)]
    assert selection.self_assessments == 8
    assert [(row["criterion"], row["count"]) for row in selection.self_assessment_exclusions] == [
        ("ralliance", 4), ("off_ground", 2)]
    assert selection.overrides == 1
    assert selection.override_rows[0].override_reason.startswith("La gouvernance de Candidat Deux")
    assert selection.decided == 3
    assert (selection.median_days, selection.mean_days) == (D("20.0"), D("25.0"))
    all_time = indicators.selection(Period())
    assert all_time.received == 3 + 1 + 2  # the two funded initiatives were submitted last year


def test_the_page_shows_the_figures_to_staff(portfolio, staff_client):
    response = staff_client.get(URL, {"annee": THIS_YEAR})
    assert response.status_code == 200
    html = response.content.decode()
    assert "La gouvernance de Candidat Deux" in html  # staff see the overrides' reasons
    assert 'id="territories-caption"' in html and "jf-chart-table" in html
    assert 'action="/equipe/rapport-annuel/"' in html
    # Years are never written with a thousands separator ("2 026"), neither shown nor sent.
    assert f'<option value="{THIS_YEAR}" selected>{THIS_YEAR}</option>' in html


def test_all_time_and_bad_input(portfolio, staff_client):
    html = staff_client.get(URL, {"annee": "tout"}).content.decode()
    assert "Indicateurs du portefeuille — Depuis le début" in html
    assert '<option value="tout" selected>' in html
    html = staff_client.get(URL, {"annee": "n’importe quoi"}).content.decode()  # the default: this year
    assert f"Indicateurs du portefeuille — {THIS_YEAR}" in html
    response = staff_client.get(reverse("portal:indicators_csv"), {"annee": "tout"})
    assert 'filename="joinforces-indicateurs-tout.csv"' in response["Content-Disposition"]


def test_the_csv_holds_every_figure(portfolio, staff_client):
    response = staff_client.get(reverse("portal:indicators_csv"), {"annee": THIS_YEAR})
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    lines = [line.split(";") for line in text.splitlines()]
    values = {(row[0], row[1]): row[2] for row in lines[1:]}
    assert values[("Rapporté par les initiatives", "Personnes touchées")] == "250"
    assert values[("Argent", "Redistribué aux initiatives")] == "1300.00"
    assert values[("Jours d’accompagnement réalisés par domaine", "Médiation et conflits")] == "1.0"
    assert values[("Sélection", "Délai médian entre dépôt et décision (jours)")] == "20.0"


@pytest.mark.parametrize("name", ["applicant_client", "donor_client", "expert_client"])
def test_others_are_refused(name, request):
    client = request.getfixturevalue(name)
    assert client.get(URL).status_code == 403
    assert client.get(reverse("portal:indicators_csv")).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client):
    assert client.get(URL).status_code == 302


def _queries(client, url):
    with CaptureQueriesContext(connection) as context:
        assert client.get(url, {"annee": THIS_YEAR}).status_code == 200
    return len(context.captured_queries)


def test_a_fixed_number_of_queries_whatever_the_data(staff, staff_client, django_assert_max_num_queries):
    build_portfolio(staff)
    small = _queries(staff_client, URL)
    small_csv = _queries(staff_client, reverse("portal:indicators_csv"))
    for number in range(9):
        build_portfolio(staff, suffix=f" {number}")
    assert _queries(staff_client, URL) == small
    assert _queries(staff_client, reverse("portal:indicators_csv")) == small_csv
    # Session, user and MFA; the reports (2), territories (2), support (2), the fund's figures and its
    # theme, kind and région reads (7), the selection (8), the years, and the header's permissions.
    with django_assert_max_num_queries(31):
        staff_client.get(URL, {"annee": THIS_YEAR})
    with django_assert_max_num_queries(29):
        staff_client.get(reverse("portal:indicators_csv"), {"annee": THIS_YEAR})
