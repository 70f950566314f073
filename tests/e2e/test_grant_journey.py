"""A grant in life: the grantee writes and submits the report of year 1; staff (MFA) approve it, which
meets the condition of tranche 2, and prepare the payment run that pays it.

Set up with the services: an active grant (agreement signed), approved bank details, tranche 2 funded
and due today (moved with a queryset update). Selectors rely on URLs and `name=` attributes, not on
wording. Every page is audited with axe (the `page` fixture).
"""

from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from playwright.sync_api import expect

from grants import services
from grants.agreements import agreement_render, agreement_sign
from grants.bank_details import bank_details_approve, bank_details_request
from grants.models import GrantReport, PaymentRun, ReportStatus, Tranche
from tests.conftest import give_totp
from tests.factories import StaffFactory
from tests.grants.factories import DonorFactory, grant_for, receive

from .a11y import audit, goto
from .test_committee_journey import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def fund_account(settings):
    """The fund's own account (empty by default in tests): the live server reads the same settings."""
    settings.BANK_ACCOUNT_IBAN = "FR7630004000031234567890143"
    settings.BANK_ACCOUNT_BIC = "BNPAFRPP"
    settings.TAX_RECEIPTS_ENABLED = False


def active_grant(staff, approver):
    """A two-year grant: agreement signed, bank details approved, tranche 2 (report of year 1) funded
    and due today."""
    grant = grant_for(amount_per_year="10000.00", years=2)
    owner = grant.application.created_by
    agreement_render(grant_id=grant.pk)
    agreement_sign(grant=grant, actor=owner, file=ContentFile(PDF, name="convention-signee.pdf"))
    payee = grant.application.members.create(name="Association Le Lien", legal_form="association",
                                              non_profit=True, role="lead")
    details = bank_details_request(grant=grant, actor=owner, payee=payee, holder="Association Le Lien",
                                   iban="FR7630006000011234567890189", bic="AGRIFRPP")
    bank_details_approve(details=details, actor=approver)
    second = grant.tranches.get(number=2)
    receive(DonorFactory(), "10000.00", staff=staff)
    services.ledger_allocate(tranche=second, actor=staff)
    Tranche.objects.filter(pk=second.pk).update(due_on=timezone.localdate())
    grant.refresh_from_db()
    return grant


def test_grantee_submits_a_report_and_staff_approve_it_and_prepare_the_run(page, fund_account,
                                                                          ledger_emptied_on_sqlite):
    staff = StaffFactory(email="claire.dubois@joinforces.example.org")
    give_totp(staff)
    grant = active_grant(staff, StaffFactory())
    owner = grant.application.created_by
    second = grant.tranches.get(number=2)
    assert second.condition_met_at is None and second.funded == second.amount

    # 1. The grantee logs in and opens the report of year 1.
    report_url = f"/subventions/{grant.pk}/rapports/1/"
    log_in(page, owner, start=report_url, lands_on=report_url, mfa=False)
    form = page.locator("#report-form")
    form.locator("textarea[name=narrative]").fill("Les membres ont mis en commun leur comptabilité et un poste "
                                                  "de coordination.")
    form.locator("input[name=organisations_involved]").fill("4")
    form.locator("input[name=people_reached]").fill("950")
    form.locator("input[name=staff_shared]").fill("1.5")
    form.locator("input[name=governance_meetings]").fill("6")
    territories = form.locator("select[name=territories]")
    territories.select_option(territories.locator("option").first.get_attribute("value"))
    form.locator("input[name=spending-spent_coordination_staff]").fill("9200")
    form.locator("input[name=spending-comment_coordination_staff]").fill("Recrutement au deuxième mois.")
    form.locator("input[name=indicators-0-label]").fill("Réunions inter-associatives")
    form.locator("input[name=indicators-0-value]").fill("18")
    form.locator("input[name=indicators-0-unit]").fill("réunions")

    # 2. They submit it: the page comes back, the report submitted.
    with page.expect_navigation(url=f"**{report_url}"):
        page.locator("button[name=submit_report]").click()
    audit(page)
    report = GrantReport.objects.get(grant=grant, year=1)
    assert report.status == ReportStatus.SUBMITTED, list(page.locator(".alert, .errorlist").all_inner_texts())
    assert report.submitted_by == owner and report.people_reached == 950
    assert report.spending.get().amount == Decimal("9200.00")
    assert list(report.indicators.values_list("label", "value")) == [("Réunions inter-associatives",
                                                                      Decimal("18.00"))]

    # 3. Staff log in with the second factor, open the report and approve it (then confirm).
    page.context.clear_cookies()
    log_in(page, staff, start="/admin/", lands_on="/admin/", mfa=True)
    reports_url = "/admin/grants/grantreport/"
    goto(page, f"{reports_url}{report.pk}/change/")
    with page.expect_navigation(url=f"**{reports_url}"):
        page.locator("#report-review button[name=action][value=approve]").click()
    audit(page)
    expect(page.locator("#content-main")).to_contain_text(grant.application.reference)
    with page.expect_navigation(url=f"**{reports_url}"):
        page.locator("#content-main form input[type=submit][name=confirm]").click()
    audit(page)
    expect(page.locator(".messagelist li")).to_have_count(1)
    expect(page.locator(".messagelist .error")).to_have_count(0)
    report.refresh_from_db()
    second.refresh_from_db()
    assert report.status == ReportStatus.APPROVED and report.reviewed_by == staff
    assert second.condition_met_at is not None

    # 4. They prepare the payment run: tranche 2 is ready, ticked; the run is shown with it.
    goto(page, "/admin/grants/paymentrun/preparer/")
    expect(page.locator(f"input[name=tranches][value='{second.pk}']")).to_be_checked()
    with page.expect_navigation(url="**/admin/grants/paymentrun/*/change/"):
        page.locator("#content-main form input[type=submit]").click()
    audit(page)
    run = PaymentRun.objects.get()
    assert run.status == "prepared" and run.prepared_by == staff and run.total == Decimal("10000.00")
    assert list(run.payments.values_list("tranche", flat=True)) == [second.pk]
    assert f"/admin/grants/paymentrun/{run.pk}/change/" in page.url
    expect(page.locator("#content-main")).to_contain_text(grant.application.reference)
