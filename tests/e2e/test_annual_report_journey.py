"""Staff prepare this year's annual report from the staff home and download it, open the portfolio
indicators from there, read the charts and their tables, prepare the report in English and download
it; the public page of the year shows the same figures without anything personal. Every page is
audited with axe (the `page` fixture)."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.grants.factories import THIS_YEAR
from tests.portal.portfolio import build_portfolio

from .a11y import audit, goto
from .test_committee_journey import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_staff_read_the_indicators_and_download_the_annual_report(page, staff, ledger_emptied_on_sqlite):
    build_portfolio(staff)
    log_in(page, staff, start="/equipe/", lands_on="/equipe/", mfa=True)
    form = page.locator("form[action='/equipe/rapport-annuel/']")
    expect(form.locator("select[name=year]")).to_have_value(str(THIS_YEAR))
    with page.expect_navigation(url="**/taches/**"):
        form.locator("button[type=submit]").click()
    audit(page)
    link = page.locator(".job-status a.btn")
    expect(link).to_be_visible()
    with page.expect_download() as download_info:
        link.click()
    assert download_info.value.suggested_filename.startswith(f"joinforces-rapport-annuel-{THIS_YEAR}-fr")

    goto(page, "/equipe/")
    page.get_by_role("link", name="Voir les indicateurs du portefeuille").click()
    page.wait_for_url("**/equipe/indicateurs/")
    audit(page)
    expect(page.locator("h1")).to_contain_text(f"Indicateurs du portefeuille — {THIS_YEAR}")
    expect(page.locator("#territories-caption")).to_contain_text("IGN")
    expect(page.locator("table").filter(has_text="Personnes touchées").first).to_contain_text("250")
    expect(page.locator("body")).to_contain_text("La gouvernance de Candidat Deux")  # staff see the reasons

    form = page.locator("form[action='/equipe/rapport-annuel/']")
    form.locator("select[name=year]").select_option(str(THIS_YEAR))
    form.locator("select[name=language]").select_option("en")
    with page.expect_navigation(url="**/taches/**"):
        form.locator("button[type=submit]").click()
    audit(page)
    link = page.locator(".job-status a.btn")
    expect(link).to_be_visible()
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename.startswith(f"joinforces-rapport-annuel-{THIS_YEAR}-en")
    assert Path(download.path()).read_bytes()[:5] == b"%PDF-"

    goto(page, f"/ce-que-nous-avons-appris/{THIS_YEAR}/")
    expect(page.locator("h1")).to_contain_text(f"Ce que nous avons appris en {THIS_YEAR}")
    expect(page.locator("body")).not_to_contain_text("La gouvernance de Candidat Deux")
    expect(page.locator("body")).not_to_contain_text("Collectif Discret")
