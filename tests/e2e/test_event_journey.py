"""The Journée: a visitor registers without an account (confirming their address from the email),
joins the waiting list of a full workshop from their personal page, is offered the place when its
holder cancels, takes it, and is checked in by staff (MFA) from the check-in list's search (htmx).

Selectors rely on URLs, `name=` and `id=` attributes, not on wording. Every page is audited with axe
(the `page` fixture).
"""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from events import services
from events.models import Registration, SessionChoice, WaitingListEntry
from joinforces.core.models import Notification
from tests.conftest import give_totp
from tests.events.factories import EventFactory, SessionFactory, register
from tests.factories import StaffFactory

from .a11y import audit, goto
from .test_committee_journey import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def link_in(notification: Notification) -> str:
    """The path of the first link of an email (the live server's host differs from SITE_URL)."""
    return re.search(r"https?://[^/\s]+(/\S+)", notification.body_text).group(1)


def test_register_wait_get_promoted_and_checked_in(page):
    staff = StaffFactory(email="claire.dubois@joinforces.example.org")
    give_totp(staff)
    event = EventFactory(title="Journée des Acteurs de l'Impact Collectif 2027", capacity=40)
    full = SessionFactory(event=event, title="Gouverner à égalité", capacity=1)
    other = SessionFactory(event=event, title="Mesurer l'impact", starts_at=full.ends_at + timedelta(minutes=30))
    holder = register(event, [full], email="titulaire@example.org")

    # 1. The visitor registers for the day and a workshop with places.
    goto(page, event.get_absolute_url())
    form = page.locator("#register-form")
    form.locator("input[name=first_name]").fill("Léa")
    form.locator("input[name=last_name]").fill("Arnaud")
    form.locator("input[name=email]").fill("lea.arnaud@example.org")
    form.locator("input[name=organisation]").fill("Les Jardins partagés")
    form.locator(f"input[name=sessions][value='{other.pk}']").check()
    expect(form.locator(f"input[name=sessions][value='{full.pk}']")).to_have_count(0)  # full: not offered
    with page.expect_navigation():
        form.locator("button[name=register]").click()
    audit(page)
    registration = Registration.objects.get(email="lea.arnaud@example.org")
    assert registration.status == "pending"

    # 2. They confirm their address from the email's link: a button, then their personal page.
    confirm = Notification.objects.get(key=f"events:{event.pk}:confirm_address:{registration.pk}")
    goto(page, link_in(confirm))
    personal = f"/evenements/mon-inscription/{services.sign(registration.public_id, services.REGISTRATION_SALT)}/"
    with page.expect_navigation(url=f"**{personal}"):
        page.locator("button[name=confirm]").click()
    audit(page)
    expect(page.locator("#registration-status")).to_have_attribute("data-status", "confirmed")
    expect(page.locator(".qr-code svg")).to_have_count(1)

    # 3. The workshop they wanted is full: they join its waiting list.
    with page.expect_navigation(url=f"**{personal}"):
        page.locator(f"button[name=join_waiting][value='{full.pk}']").click()
    audit(page)
    entry = WaitingListEntry.objects.get(registration=registration, session=full)
    assert entry.status == "waiting"
    expect(page.locator(f"button[name=leave_waiting][value='{full.pk}']")).to_have_count(1)

    # 4. The holder cancels: the place is offered to Léa by email; she takes it.
    services.registration_cancel(registration=holder)
    entry.refresh_from_db()
    assert entry.status == "offered"
    offer = Notification.objects.get(key__startswith=f"events:{event.pk}:offer:{entry.pk}:")
    assert offer.to == "lea.arnaud@example.org"
    goto(page, link_in(offer))
    expect(page.locator("#waiting-status")).to_have_attribute("data-status", "offered")
    with page.expect_navigation(url=f"**{personal}"):
        page.locator("button[name=accept]").click()
    audit(page)
    assert set(SessionChoice.objects.filter(registration=registration).values_list("session_id", flat=True)) == {
        full.pk, other.pk}
    expect(page.locator(f"#session-{full.pk}")).to_be_checked()

    # 5. On the day, staff (MFA) find her in the check-in list and check her in (htmx), twice harmlessly.
    page.context.clear_cookies()
    checkin_list = f"/equipe/evenements/{event.slug}/pointage/"
    log_in(page, staff, start=checkin_list, lands_on=checkin_list, mfa=True)
    page.locator("#checkin-q").fill("jardins")
    row = page.locator(f"#registration-{registration.pk}")
    expect(page.locator("#checkin-rows tbody tr")).to_have_count(1)
    row.locator("button[name=check_in]").click()
    expect(row.locator(".checked-in")).to_have_count(1)
    audit(page)
    registration.refresh_from_db()
    assert registration.checked_in_at is not None and registration.checked_in_by == staff
    first = registration.checked_in_at

    # The QR code of her confirmation opens the same check-in: checking in again changes nothing.
    goto(page, f"/equipe/evenements/accueil/{services.sign(registration.public_id, services.CHECKIN_SALT)}/")
    expect(page.locator("#scan-status")).to_have_attribute("data-checked", "yes")
    registration.refresh_from_db()
    assert registration.checked_in_at == first
