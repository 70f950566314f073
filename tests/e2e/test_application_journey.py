"""A coalition applies from the call page: every step, leave and come back, submit, confirmation."""

import pytest
from playwright.sync_api import expect

from applications.models import Application
from tests.applications.factories import PDF_BYTES, CallFactory
from tests.factories import PASSWORD, ApplicantFactory

from .a11y import audit, goto

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def continue_to(page, number):
    page.get_by_role("button", name="Enregistrer et continuer").click()
    page.wait_for_url(f"**/etape/{number}/")
    audit(page)


def test_apply_through_every_step_and_submit(page):
    call = CallFactory(title="Appel 2027 — Unir nos forces", max_years=3)
    applicant = ApplicantFactory(email="camille@coalition.example.org")

    goto(page, "/compte/login/")
    page.fill("input[name=login]", applicant.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form[action='/compte/login/'] button[type=submit]").click()
    page.wait_for_url("**/mon-espace/")
    audit(page)

    goto(page, f"/appels/{call.slug}/")
    page.get_by_role("button", name="Commencer ma candidature").click()
    page.wait_for_url("**/etape/1/")
    audit(page)

    # 1. The collective (saved by htmx as the person types, and by the button).
    page.fill("#id_name", "Collectif Solidarités Alimentaires du Nord")
    page.select_option("#id_kind", "coalition")
    page.check("input[name=themes][value=food]")
    page.fill("#id_summary", "Quatre associations organisent ensemble l'aide alimentaire.")
    page.select_option("#id_main_purpose", "joint_programmes")
    page.select_option("#id_temporary", "no")
    expect(page.locator("#save-status")).to_contain_text("Enregistré le")
    continue_to(page, 2)

    # 2. Members, one card at a time.
    page.fill("#id_members-0-name", "Banque alimentaire de Lille")
    page.select_option("#id_members-0-legal_form", "association")
    page.check("#id_members-0-non_profit")
    page.select_option("#id_members-0-role", "lead")
    page.fill("#id_members-0-identifier", "W751234567")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.wait_for_selector("#id_members-1-name")
    audit(page)
    page.fill("#id_members-1-name", "Jardins partagés de Flandre")
    page.select_option("#id_members-1-legal_form", "association")
    page.check("#id_members-1-non_profit")
    page.select_option("#id_members-1-role", "member")
    page.fill("#id_members-1-identifier", "732 829 320")
    continue_to(page, 3)

    # 3. Governance.
    page.check("input[name='governance-governance'][value=one_member_one_vote]")
    continue_to(page, 4)

    # 4. A shared programme on the ground.
    page.fill("#id_programmes-0-title", "Paniers solidaires en circuit court")
    page.select_option("#id_programmes-0-integration", "joint")
    page.select_option("#id_programmes-0-territories", ["59", "62"])
    for box in page.locator("input[name='programmes-0-members_involved']").all():
        box.check()
    continue_to(page, 5)

    # 5. Commitment.
    page.fill("#id_commitment-why_together", "Mieux servir les familles du territoire.")
    for index in (0, 1):
        page.select_option(f"#id_decisions-{index}-decision_status", "decided")
        page.fill(f"#id_decisions-{index}-decision_date", "2025-06-12")
        page.select_option(f"#id_decisions-{index}-decision_form", "signed_agreement")
    continue_to(page, 6)

    # 6. Budget: two years, one line each.
    page.fill("#id_budget-years", "2")
    page.fill("#id_budget-amount_requested", "60000")
    for index, year in ((0, "1"), (1, "2")):
        page.fill(f"#id_lines-{index}-year", year)
        page.select_option(f"#id_lines-{index}-category", "coordination_staff")
        page.fill(f"#id_lines-{index}-amount", "30000")
    continue_to(page, 7)
    page.check("input[name='needs-0-wanted']")
    page.fill("#id_needs-0-days", "3")
    continue_to(page, 8)

    # 8. Attachments.
    for kind, name in (("statutes", "statuts.pdf"), ("accounts", "comptes.pdf")):
        page.select_option("#id_kind", kind)
        page.set_input_files("#id_file", files=[{"name": name, "mimeType": "application/pdf", "buffer": PDF_BYTES}])
        page.get_by_role("button", name="Joindre").click()
        page.wait_for_load_state()
        audit(page)
    expect(page.locator("main")).to_contain_text("statuts.pdf")

    # Leave, come back: the draft is there.
    goto(page, "/mon-espace/")
    page.get_by_role("link", name="Collectif Solidarités Alimentaires du Nord").click()
    page.wait_for_url("**/candidatures/*/")
    audit(page)
    page.get_by_role("link", name="Poursuivre ma candidature").click()
    page.wait_for_url("**/etape/1/")
    audit(page)
    expect(page.locator("#id_name")).to_have_value("Collectif Solidarités Alimentaires du Nord")

    # 9. Review and submit.
    application = Application.objects.get()
    goto(page, f"/candidatures/{application.pk}/etape/9/")
    page.check("input[name=consent_public][value=yes]")
    page.check("#id_sworn_statement")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.wait_for_url("**/etape/9/")
    audit(page)
    expect(page.locator("main")).to_contain_text("Tout y est")
    page.get_by_role("button", name="Déposer ma candidature").click()
    page.wait_for_url(f"**/candidatures/{application.pk}/")
    audit(page)
    application.refresh_from_db()
    expect(page.locator("main")).to_contain_text(application.reference)
    expect(page.locator("main")).to_contain_text("En cours d’examen")
    assert application.status == "screened"  # screened on submission, though the applicant reads "under review"
