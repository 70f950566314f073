"""The selection committee at work: a reviewer logs in with MFA, declares no conflict, scores an
application and submits; staff (MFA too) record the decision and publish the round; the team reads it.

Selectors rely on URLs, `name=` and `value=` attributes, not on wording, so that the journey does not
depend on the state of the French catalogue.
"""

import re
import time
from decimal import Decimal

import pytest
from allauth.mfa import app_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from playwright.sync_api import expect

from applications import services
from applications.models import Decision, Review, ReviewCriterion
from tests.applications.factories import CallFactory, committee_for, full_review, open_round, submitted_application
from tests.conftest import give_totp
from tests.factories import PASSWORD, StaffFactory

from .a11y import audit, goto

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def totp_code(user) -> str:
    """The code the user's authenticator app shows now, still valid for a few seconds (were the
    period about to end, the code would expire before the server checks it: wait for the next one)."""
    period = app_settings.TOTP_PERIOD
    left = period - time.time() % period
    if left < 3:
        time.sleep(left + 0.1)
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    secret = decrypt(authenticator.data["secret"])
    return format_hotp_value(hotp_value(secret, int(time.time()) // period))


def log_in(page, user, *, start: str, lands_on: str, mfa: bool) -> None:
    """From `start` (which sends an anonymous visitor to the login page), log in with the password,
    then with the TOTP code when `mfa`, and land on `lands_on`."""
    goto(page, start)
    assert "/compte/login/" in page.url, page.url
    form = page.locator("form[action='/compte/login/']")
    form.locator("input[name=login]").fill(user.email)
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    if mfa:
        page.wait_for_url("**/compte/2fa/authenticate/")
        audit(page)
        page.locator("input[name=code]").fill(totp_code(user))
        page.locator("form:has(input[name=code]) button[type=submit]:not([form])").click()
    page.wait_for_url(f"**{lands_on}")
    audit(page)


def click_and_audit(page, locator, url: str) -> None:
    locator.click()
    page.wait_for_url(f"**{url}")
    audit(page)


def test_reviewer_scores_and_staff_decide_and_publish(page):
    staff = StaffFactory(email="claire.dubois@joinforces.example.org")
    give_totp(staff)
    call = CallFactory(title="Appel 2027 — Unir nos forces", max_years=3)
    application = submitted_application(call=call)
    other = submitted_application(call=call, name="Maison des aidants du Gers")
    chair, reviewer = committee_for(call, staff=staff, size=2)
    review_round = open_round(call, staff=staff, per_application=2)
    services.review_assign_balanced(review_round=review_round, actor=staff)
    # The chair has already reviewed the application.
    full_review(review_round.assignments.get(application=application, reviewer=chair))
    base = "/comite/applications/application/"

    # 1. The reviewer logs in with the second factor and opens their list.
    log_in(page, reviewer, start="/comite/", lands_on="/comite/", mfa=True)
    click_and_audit(page, page.locator(f"#content-main a[href='{base}']").first, base)
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator(f"#result_list a[href='{base}{other.pk}/interets/']")).to_be_visible()

    # 2. Before reading, they declare no conflict with the member organisations.
    click_and_audit(page, page.locator(f"#result_list a[href='{base}{application.pk}/interets/']"),
                    f"{base}{application.pk}/interets/")
    expect(page.locator("#content-main table")).to_contain_text("Banque alimentaire de Lille")
    page.locator("input[name=has_conflict][value=no]").check()
    click_and_audit(page, page.locator("#content-main form input[type=submit]"), f"{base}{application.pk}/change/")
    expect(page.locator(".messagelist .success")).to_have_count(1)
    expect(page.locator("h1")).to_contain_text(application.reference)

    # 3. They score every criterion, recommend funding and submit.
    click_and_audit(page, page.locator(f"nav.jf-actions a[href='{base}{application.pk}/avis/']"),
                    f"{base}{application.pk}/avis/")
    for score, criterion in zip((5, 4, 4, 3, 4, 5), ReviewCriterion.values, strict=True):
        page.locator(f"input[name={criterion}][value='{score}']").check()
        page.locator(f"textarea[name={criterion}_comment]").fill("Un projet commun solide et bien documenté.")
    page.locator("input[name=recommendation][value=fund]").check()
    page.locator("input[name=suggested_amount]").fill("30000")
    click_and_audit(page, page.locator("input[type=submit][name=_submit]"), base)
    expect(page.locator(".messagelist .success")).to_have_count(1)
    review = Review.objects.get(assignment__application=application, assignment__reviewer=reviewer)
    assert review.status == "submitted"
    assert review.recommendation == "fund" and review.suggested_amount == Decimal("30000")
    # The application now offers the reviewer's review, no longer a declaration.
    expect(page.locator(f"#result_list a[href='{base}{application.pk}/avis/']")).to_be_visible()

    # 4. Staff log in with the second factor and record the decision from the readable page.
    page.context.clear_cookies()
    log_in(page, staff, start="/admin/", lands_on="/admin/", mfa=True)
    staff_base = "/admin/applications/application/"
    goto(page, f"{staff_base}{application.pk}/lecture/")
    expect(page.locator("h1")).to_contain_text(application.reference)
    click_and_audit(page, page.locator(f"nav.jf-actions a[href='{staff_base}{application.pk}/decision/']"),
                    f"{staff_base}{application.pk}/decision/")
    page.locator("input[name=outcome][value=selected]").check()
    page.locator("input[name=amount_per_year]").fill("30000")
    page.locator("input[name=years]").fill("2")
    page.locator("textarea[name=rationale]").fill("Deux avis favorables ; un projet mûr.")
    # The decision recorded, staff land on the application's admin page.
    click_and_audit(page, page.locator("#content-main form input[type=submit]"),
                    f"{staff_base}{application.pk}/lecture/")
    expect(page.locator(".messagelist .success")).to_have_count(1)
    decision = Decision.objects.get(application=application)
    assert decision.outcome == "selected" and decision.published_at is None

    # 5. They publish the round's decisions: an action on the rounds, then a confirmation.
    rounds_url = "/admin/applications/reviewround/"
    goto(page, rounds_url)
    page.locator(f"input[name=_selected_action][value='{review_round.pk}']").check()
    page.locator("select[name=action]").select_option("publish_decisions")
    with page.expect_navigation():
        page.locator("#changelist-form button[name=index]").click()
    audit(page)
    expect(page.locator("#content-main")).to_contain_text(application.reference)
    with page.expect_navigation(url=f"**{rounds_url}"):
        page.locator("#content-main form input[type=submit]").click()
    audit(page)
    expect(page.locator(".messagelist li")).to_contain_text(review_round.title)
    decision.refresh_from_db()
    application.refresh_from_db()
    assert decision.published_at is not None
    assert application.status == "selected"

    # 6. The team reads the outcome on its application's page.
    page.context.clear_cookies()
    log_in(page, application.created_by, start="/mon-espace/", lands_on="/mon-espace/", mfa=False)
    goto(page, f"/candidatures/{application.pk}/")
    main = page.locator("main")
    expect(main).to_contain_text(application.reference)
    expect(main).to_contain_text(re.compile(r"30[\s\u00a0\u202f.,]?000[.,]00"))  # per year
    expect(main).to_contain_text(re.compile(r"60[\s\u00a0\u202f.,]?000[.,]00"))  # in all
