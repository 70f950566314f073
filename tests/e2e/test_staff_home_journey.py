"""The staff home: staff (MFA) start their day on /equipe/, see what needs attention with its counts,
follow a count to the admin list where the work is done (filtered to exactly those rows) and come back
from the admin's link. Every page is audited with axe (the `page` fixture)."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.conftest import give_totp
from tests.factories import StaffFactory
from tests.portal.test_staff_home import build

from .a11y import audit
from .test_committee_journey import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_staff_see_what_needs_attention_and_open_the_filtered_list(page):
    staff = StaffFactory(email="claire.dubois@joinforces.example.org")
    give_totp(staff)
    counted, event = build()
    home = reverse("portal:staff_home")
    log_in(page, staff, start=home, lands_on=home, mfa=True)

    expect(page.locator("[data-count=bank_lines]")).to_have_text("2")
    expect(page.locator("[data-count=reports]")).to_have_text("2")
    expect(page.locator("[data-count=screenings]")).to_have_text("1")
    expect(page.locator(f"[data-progress='{counted['decisions'][0].round_id}']")).to_have_text("1 / 2")
    expect(page.locator(f"[data-waiting='{event.pk}']")).to_have_text("2")

    page.locator("[data-line=bank_lines] a").click()
    page.wait_for_url(lambda url: "/admin/grants/bankline/" in url and "status__exact=unmatched" in url)
    audit(page)
    expect(page.locator("#result_list tbody tr")).to_have_count(2)

    page.locator(f"#user-tools a[href='{home}']").click()
    page.wait_for_url(f"**{home}")
    audit(page)
    page.locator("[data-line=screenings] a").click()
    page.wait_for_url(lambda url: "/admin/applications/application/" in url and "verdict=to_review" in url)
    audit(page)
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    expect(page.locator("#result_list")).to_contain_text(counted["screenings"][0].reference)
