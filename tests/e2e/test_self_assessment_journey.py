"""A visitor, without an account, takes the self-assessment in French and reads the answer."""

import pytest
from playwright.sync_api import expect

from eligibility.models import SelfAssessmentTally

from .a11y import audit, goto

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ANSWERS = {
    "kind": "collective", "organisations": "3", "main_purpose": "advocacy", "does_advocacy": "yes",
    "temporary": "no", "network_head": "no", "programmes": "none", "governance": "consensus",
    "decision": "decided", "members_scope": "all", "budget": "collective", "years": "2",
}


def test_self_assessment_in_french_with_htmx(page):
    goto(page, "/")
    page.locator("main a[href='/eligibilite/']").first.click()
    page.wait_for_url("**/eligibilite/")
    audit(page)
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("h1")).to_have_text("JOIN FORCES est-il fait pour vous ?")

    # Sending with a missing answer: the form comes back in place, with the error by its question.
    for name, value in list(ANSWERS.items())[:-1]:
        page.locator(f"input[name='{name}'][value='{value}']").check()
    page.get_by_role("button", name="Voir la réponse").click()
    expect(page.locator("#self-assessment-form .alert-danger")).to_be_visible()
    expect(page.locator("#id_years_desc")).to_contain_text("Choisissez une réponse")
    audit(page)
    assert not SelfAssessmentTally.objects.exists()

    # The answer comes in the page (htmx), criterion by criterion, with what to do next.
    page.locator("input[name=years][value='2']").check()
    page.get_by_role("button", name="Voir la réponse").click()
    result = page.locator("#result")
    expect(result.locator("#result-title")).to_contain_text("n’est probablement pas le bon financeur")
    expect(result).to_contain_text("Que faire :")
    expect(result.locator("li")).to_have_count(10)
    audit(page)
    assert page.url.endswith("/eligibilite/")  # no page load: the fragment came by htmx
    assert SelfAssessmentTally.objects.get(criterion="verdict", result="ineligible").count == 1
