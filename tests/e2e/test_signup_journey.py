"""A newcomer signs up in French, verifies their address, logs out and in, and switches to English.

Selectors rely on URLs, ids, `name=` attributes and the `lang` attribute, not on French wording, so
that the journey does not depend on the state of the French catalogue.
"""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from joinforces.accounts.models import User

from .a11y import audit, goto

# Browser tests use the live server (a transactional database): serialized_rollback restores the
# reference data that migrations load (territories, themes, the Site) after each test.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

EMAIL = "camille.martin@example.org"
PASSWORD = "Brume-sur-la-Loire-2025"
CONFIRM_LINK = re.compile(r"https?://[^\s\"'<>]+/compte/confirm-email/[^\s\"'<>/]+/")


def _key(message) -> str:
    return message.extra_headers.get("X-JoinForces-Key", "")


def test_signup_verify_login_and_switch_language(page, live_server):
    html = page.locator("html")

    # The home page, in French for a French-speaking visitor.
    goto(page, "/")
    expect(html).to_have_attribute("lang", "fr")
    expect(page.locator("main h1")).to_be_visible()

    # Sign up from the header's call to action.
    page.locator("header a[href='/compte/signup/']").click()
    page.wait_for_url("**/compte/signup/")
    audit(page)
    expect(html).to_have_attribute("lang", "fr")
    form = page.locator("form[action='/compte/signup/']")
    form.locator("input[name=email]").fill(EMAIL)
    form.locator("input[name=first_name]").fill("Camille")
    form.locator("input[name=last_name]").fill("Martin")
    form.locator("input[name=password1]").fill(PASSWORD)
    form.locator("input[name=password2]").fill(PASSWORD + "?")

    # A typo in the confirmation: the form comes back with the error tied to its field.
    with page.expect_navigation(url="**/compte/signup/"):
        form.locator("button[type=submit]").click()
    audit(page)
    password2 = form.locator("input[name=password2]")
    expect(password2).to_have_attribute("aria-invalid", "true")
    described_by = (password2.get_attribute("aria-describedby") or "").split()
    errors = [page.locator(f"[id='{id_}'].invalid-feedback") for id_ in described_by]
    assert [e for e in errors if e.count() and e.is_visible()], "the error is not tied to its field"
    expect(form.locator("input[name=email]")).to_have_value(EMAIL)
    assert not User.objects.filter(email=EMAIL).exists()

    form.locator("input[name=password1]").fill(PASSWORD)
    password2.fill(PASSWORD)
    form.locator("button[type=submit]").click()

    # "Verify your email address".
    page.wait_for_url("**/compte/confirm-email/")
    audit(page)
    expect(html).to_have_attribute("lang", "fr")
    user = User.objects.get(email=EMAIL)
    assert (user.first_name, user.last_name, user.language) == ("Camille", "Martin", "fr")

    # The verification email carries the confirmation link.
    verification = [m for m in mail.outbox if m.to == [EMAIL] and "confirm-email" in m.body]
    assert len(verification) == 1, [(m.subject, _key(m)) for m in mail.outbox]
    link = CONFIRM_LINK.search(verification[0].body)
    assert link, verification[0].body
    assert link.group(0).startswith(live_server.url)

    # The link shows a page with a button that confirms (never on GET).
    goto(page, link.group(0))
    confirm_form = page.locator("main form[action^='/compte/confirm-email/']")
    confirm_form.locator("button[type=submit]").click()

    # Confirmed and logged in: "my space", and a welcome email.
    page.wait_for_url("**/mon-espace/")
    audit(page)
    expect(page.locator("header form[action='/compte/logout/'] button[type=submit]")).to_be_visible()
    welcome = [m for m in mail.outbox if _key(m).startswith("accounts.welcome:")]
    assert len(welcome) == 1 and welcome[0].to == [EMAIL]

    # Log out with the header's button.
    page.locator("header form[action='/compte/logout/'] button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/")
    audit(page)
    expect(page.locator("header a[href='/compte/login/']")).to_be_visible()

    # Log in again with email and password.
    page.locator("header a[href='/compte/login/']").click()
    page.wait_for_url("**/compte/login/")
    audit(page)
    login = page.locator("main form[action='/compte/login/']")
    login.locator("input[name=login]").fill(EMAIL)
    login.locator("input[name=password]").fill(PASSWORD)
    login.locator("button[type=submit]").click()
    page.wait_for_url("**/mon-espace/")
    audit(page)
    expect(html).to_have_attribute("lang", "fr")

    # Switch to English with the header's language switcher: the page and the account follow.
    with page.expect_navigation(url="**/mon-espace/"):
        page.locator("header button[name=language][value=en]").click()
    audit(page)
    expect(html).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name="My space", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Log out", exact=True)).to_be_visible()
    expect(page.locator("header button[name=language][value=fr]")).to_be_visible()
    user.refresh_from_db()
    assert user.language == "en"
