"""Support, from a need to a confirmed session: staff (MFA) open an initiative's plan, find experts for
its mediation need, see them ranked with the reasons (the one linked to a member organisation excluded),
book the best one's first free slot; the expert logs in, sees the session and confirms it.

Set up with factories and the service that opens a plan. Selectors rely on URLs, `name=` and `value=`
attributes, not on wording. Every page is audited with axe (the `page` fixture).
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from support.models import Booking, BookingStatus
from tests.conftest import give_totp
from tests.factories import ExpertFactory as ExpertUserFactory
from tests.factories import StaffFactory
from tests.support.factories import ExpertFactory, plan_for

from .a11y import audit
from .test_committee_journey import click_and_audit, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_staff_match_a_need_book_a_slot_and_the_expert_confirms(page):
    staff = StaffFactory(email="claire.dubois@joinforces.example.org")
    give_totp(staff)
    plan = plan_for(territories=("31",))  # an initiative in Occitanie
    need = plan.needs.get(domain="mediation")
    account = ExpertUserFactory(email="elise.fournier@experts.example.org")
    best = ExpertFactory(name="Élise Fournier", user=account, email=account.email, regions=["R76"])
    ExpertFactory(name="Bruno à distance", regions=[], domains={"mediation": 2})
    linked = ExpertFactory(name="Chloé liée", linked=[("Association Le Lien", "")])

    plan_url = reverse("support:plan_detail", args=[plan.pk])
    log_in(page, staff, start=plan_url, lands_on=plan_url, mfa=True)
    match_url = reverse("support:need_match", args=[need.pk])
    click_and_audit(page, page.locator(f"a[href='{match_url}']"), match_url)

    cards = page.locator("article.card")
    expect(cards.first).to_contain_text("Élise Fournier")
    excluded = page.locator(f"article[aria-labelledby='expert-{linked.pk}']")
    expect(excluded).to_contain_text("Association Le Lien")
    expect(excluded.locator("form")).to_have_count(0)

    form = page.locator(f"form:has(input[name=expert][value='{best.pk}'])")
    form.locator("input[name=notes]").fill("Premier entretien avec les deux équipes")
    form.locator("button[type=submit]").click()
    page.wait_for_url("**/equipe/accompagnement/seances/*/")
    audit(page)
    booking = Booking.objects.get()
    assert booking.expert == best and booking.status == BookingStatus.PROPOSED
    assert booking.notes == "Premier entretien avec les deux équipes"

    page.locator("form[action='/compte/logout/'] button[type=submit]").click()
    page.wait_for_load_state("load")
    audit(page)
    sessions = reverse("support:expert_bookings")
    log_in(page, account, start=sessions, lands_on=sessions, mfa=False)
    confirm = reverse("support:expert_confirm", args=[booking.pk])
    page.locator(f"form[action='{confirm}'] button[type=submit]").click()
    page.wait_for_url(f"**{sessions}")
    audit(page)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    expect(page.locator(f"form[action='{confirm}']")).to_have_count(0)
