"""The home page, "my space" made of registered panels, and the language switch."""

import pytest
from django.urls import reverse

from joinforces.core.panels import Panel, _registry, register_panel

pytestmark = pytest.mark.django_db


def test_home_says_in_french_what_is_funded_and_not(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert "Ce que JOIN FORCES finance" in html
    assert "Ce que JOIN FORCES ne finance pas" in html
    for words in ("plaidoyer", "Ralliances", "hors sol", "fédérations et têtes de réseaux", "collecte de fonds"):
        assert words in html, words
    assert "frais de fonctionnement" in html
    assert reverse("account_signup") in html


def test_home_has_accessible_structure(client):
    html = client.get("/").content.decode()
    assert 'href="#main"' in html and 'id="main"' in html
    assert "<header" in html and "<main" in html and "<footer" in html and "<nav" in html


def test_switching_to_english(client):
    response = client.post(reverse("portal:set_language"), {"language": "en", "next": "/"}, follow=True)
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "What JOIN FORCES funds" in html


def test_the_switch_is_remembered_on_the_account(applicant_client, applicant):
    applicant_client.post(reverse("portal:set_language"), {"language": "en", "next": "/mon-espace/"})
    applicant.refresh_from_db()
    assert applicant.language == "en"
    assert '<html lang="en">' in applicant_client.get("/").content.decode()


def test_my_space_needs_an_account(client):
    response = client.get(reverse("portal:my_space"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_my_space_shows_the_account_panel(applicant_client, applicant):
    html = applicant_client.get(reverse("portal:my_space")).content.decode()
    assert "Mon compte" in html and applicant.email in html and "Candidat" in html


def test_panels_are_shown_in_order_and_only_when_they_have_something_to_say(applicant_client):
    register_panel(Panel(key="zz_test_hidden", title="Caché", template="accounts/panel.html",
                         context=lambda request: None, order=1))
    register_panel(Panel(key="zz_test_first", title="Premier panneau", template="portal/test_panel.html",
                         context=lambda request: {"greeting": "coucou"}, order=0))
    try:
        html = applicant_client.get(reverse("portal:my_space")).content.decode()
    finally:
        _registry.pop("zz_test_hidden")
        _registry.pop("zz_test_first")
    assert "Caché" not in html
    assert html.index("Premier panneau") < html.index("Mon compte")
    assert "coucou" in html


@pytest.mark.parametrize(("path", "queries"), [("/", 10), ("/mon-espace/", 13)])
def test_page_query_counts_are_pinned(applicant_client, django_assert_max_num_queries, path, queries):
    """My space: session and user, the applications panel, and one query for each panel that finds
    nothing to show (the donor's, the grantee's, the support plan's and the event registrations')."""
    with django_assert_max_num_queries(queries):
        assert applicant_client.get(path).status_code == 200


def test_preferences_change_language_and_time_zone(applicant_client, applicant):
    response = applicant_client.post(reverse("accounts:preferences"), {
        "first_name": "Anne", "last_name": "Lefèvre", "language": "en", "timezone": "America/Cayenne"})
    assert response.status_code == 302
    applicant.refresh_from_db()
    assert (applicant.first_name, applicant.language, applicant.timezone) == ("Anne", "en", "America/Cayenne")


def test_preferences_refuse_an_unknown_time_zone(applicant_client, applicant):
    response = applicant_client.post(reverse("accounts:preferences"), {
        "first_name": "Anne", "last_name": "L", "language": "fr", "timezone": "Mars/Olympus"})
    assert response.status_code == 200 and response.context["form"].errors["timezone"]
    applicant.refresh_from_db()
    assert applicant.timezone == "Europe/Paris"


def test_csp_forbids_inline_scripts(client):
    policy = client.get("/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"


def test_french_is_the_default_whatever_the_browser_says(client):
    html = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"}).content.decode()
    assert '<html lang="fr">' in html


def test_an_anonymous_visitor_keeps_the_chosen_language(client):
    client.post(reverse("portal:set_language"), {"language": "en", "next": "/"})
    assert '<html lang="en">' in client.get("/").content.decode()
