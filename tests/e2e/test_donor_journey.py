"""A donor's programme officer logs in, opens the dashboard from the header, sees the charts of where
the money went, changes the period, and downloads the PDF redistribution report for the board.

Set up with the services (the `donor_case` of tests/grants: two donors, three initiatives, a restricted
donation, a reversal, a paid tranche). Every page is audited with axe (the `page` fixture)."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.grants.factories import LAST_YEAR, THIS_YEAR

from .a11y import audit, goto
from .test_committee_journey import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_donor_follows_its_money_and_downloads_the_report(page, donor_case, donor, ledger_emptied_on_sqlite):
    log_in(page, donor, start="/mes-dons/", lands_on="/mes-dons/", mfa=False)
    expect(page.locator("h1")).to_contain_text("Fondation Alpha")
    expect(page.locator("svg[role=img]")).to_have_count(4)  # over time, theme, kind, map
    expect(page.locator(".jf-initiative")).to_have_count(2)
    expect(page.locator("body")).not_to_contain_text("Fondation Bêta")
    expect(page.locator("#by-region-caption")).to_contain_text("IGN")

    # Last year: the money was received, nothing allocated yet.
    page.select_option("select[name=periode]", str(LAST_YEAR))
    with page.expect_navigation(url=f"**/mes-dons/?periode={LAST_YEAR}"):
        page.locator("form[method=get] button[type=submit]").click()
    audit(page)
    expect(page.locator(".jf-initiative")).to_have_count(0)
    expect(page.locator(".jf-figure").first).to_contain_text("1 000,00")

    # This year, and its report.
    page.select_option("select[name=periode]", str(THIS_YEAR))
    with page.expect_navigation(url=f"**/mes-dons/?periode={THIS_YEAR}"):
        page.locator("form[method=get] button[type=submit]").click()
    audit(page)
    expect(page.locator(".jf-initiative")).to_have_count(2)
    with page.expect_navigation(url="**/taches/**"):
        page.locator("form[action$='/rapport/'] button[type=submit]").click()
    audit(page)
    link = page.locator(".job-status a.btn")
    expect(link).to_be_visible()
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename.endswith(f"-{THIS_YEAR}.pdf")
    assert Path(download.path()).read_bytes()[:5] == b"%PDF-"


def test_anyone_sees_the_transparency_page_and_staff_the_funds_overview(page, donor_case, staff,
                                                                         ledger_emptied_on_sqlite):
    goto(page, "/transparence/")
    expect(page.locator("svg[role=img]")).to_have_count(2)  # themes, régions
    log_in(page, staff, start="/admin/grants/grant/apercu/", lands_on="/admin/grants/grant/apercu/", mfa=True)
    expect(page.locator("#donors-title")).to_be_visible()
    expect(page.locator("svg[role=img]")).to_have_count(4)
    expect(page.locator("#content-main")).to_contain_text("Fondation Bêta")
