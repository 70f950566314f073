"""Amendments and termination of grants: future tranches rescheduled or resized with the grant's total
(the tranches still add up), refusals that change nothing, termination returning the funding of
cancelled tranches to the donations and the pool by reversing entries, the staff's admin pages, and
`check_ledger` green through all of it (on PostgreSQL, the deferred trigger on the tranches' sum)."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone, translation

from grants import services
from grants.amendments import grant_amend, grant_terminate
from grants.models import (
    Allocation,
    AllocationKind,
    AllocationPart,
    Amendment,
    BankDetails,
    BankDetailsStatus,
    Donation,
    Grant,
    GrantStatus,
    Payment,
    PaymentRun,
    PaymentRunStatus,
    PaymentStatus,
    Pool,
    Tranche,
    TrancheStatus,
)
from grants.services import GrantError
from joinforces.core.models import AuditEvent, Notification
from tests.applications.factories import PDF_BYTES
from tests.conftest import ensure_static_data

from .factories import DonorFactory, grant_for, receive

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture(autouse=True)
def _english():
    """The messages are matched in English (each test starts in French, the default)."""
    translation.activate("en")
    yield


def today():
    return timezone.localdate()


def pool_balance() -> Decimal:
    return Pool.objects.get(pk=1).balance


def snapshot():
    """Every row and counter a refused action must leave as it was."""
    return {
        "entries": list(Allocation.objects.order_by("pk").values_list("pk", "kind", "amount")),
        "parts": list(AllocationPart.objects.order_by("pk").values_list("pk", "donation_id", "amount")),
        "donations": list(Donation.objects.order_by("pk").values_list("pk", "amount", "allocated")),
        "tranches": list(Tranche.objects.order_by("pk").values_list("pk", "due_on", "amount", "funded", "status")),
        "pool": list(Pool.objects.values_list("pk", "balance")),
        "grants": list(Grant.objects.order_by("pk").values_list("pk", "total_amount", "status", "terminated_at")),
        "amendments": Amendment.objects.count(),
        "audit": AuditEvent.objects.count(),
        "notifications": Notification.objects.count(),
    }


def tranches_add_up(grant) -> bool:
    grant.refresh_from_db()
    return grant.tranches.aggregate(total=Sum("amount"))["total"] == grant.total_amount


def mark_paid(tranche):
    """A fully funded tranche, paid (rows: the payments' service is not what is tested here)."""
    Tranche.objects.filter(pk=tranche.pk).update(status=TrancheStatus.PAID, paid_at=timezone.now())
    tranche.refresh_from_db()


def live_payment(grant, tranche, staff, *, reference="1"):
    """A prepared payment run holding `tranche` (rows)."""
    member = grant.application.members.create(name="Association porteuse", legal_form="association",
                                              non_profit=True, role="lead")
    details = BankDetails.objects.create(grant=grant, payee=member, holder="Association porteuse",
                                         iban="FR7630006000011234567890189", bic="AGRIFRPP",
                                         requested_by=grant.application.created_by,
                                         status=BankDetailsStatus.APPROVED, decided_by=staff,
                                         decided_at=timezone.now())
    run = PaymentRun.objects.create(execution_date=today(), message_id=f"JF-RUN-{reference}")
    payment = Payment.objects.create(run=run, tranche=tranche, bank_details=details, amount=tranche.amount,
                                     end_to_end_id=f"JF-E2E-{reference}")
    return run, payment


@pytest.fixture
def world(staff):
    """A food grant of 30 000 € a year for three years; 20 000 € received (older) then 80 000 €; the
    first tranche fully funded (20 000 € + 10 000 €), the second funded 10 000 €, the third not."""
    donor = DonorFactory()
    older = receive(donor, "20000.00", staff=staff, on=today() - timedelta(days=10))
    newer = receive(donor, "80000.00", staff=staff, on=today() - timedelta(days=2))
    grant = grant_for(amount_per_year="30000.00", years=3)
    first, second, third = grant.tranches.order_by("number")
    services.ledger_allocate(tranche=first, actor=staff)
    services.ledger_allocate(tranche=second, actor=staff, amount="10000.00")
    for obj in (first, second, third, older, newer):
        obj.refresh_from_db()
    return {"staff": staff, "grant": grant, "first": first, "second": second, "third": third, "older": older,
            "newer": newer}


def amend(w, changes, **kwargs):
    values = {"grant": w["grant"], "actor": w["staff"], "reason": "Report du calendrier du projet",
              "grantee_agreement": "Courriel de la présidente du 3 mars", "changes": changes}
    values.update(kwargs)
    return grant_amend(**values)


# --- Amendments ---------------------------------------------------------------------------------------


def test_a_reschedule_moves_the_due_dates_and_keeps_both_schedules(world):
    """The due date of a future tranche moves; the total stays; the schedules before and after are
    stored (as strings); the amendment is audited and the team is emailed."""
    w = world
    new_due = w["third"].due_on + timedelta(days=90)

    amendment = amend(w, [{"number": 3, "due_on": new_due}])

    w["third"].refresh_from_db()
    assert w["third"].due_on == new_due
    assert amendment.kind == Amendment.Kind.AMENDMENT and amendment.created_by == w["staff"]
    assert amendment.reason == "Report du calendrier du projet"
    assert amendment.grantee_agreement == "Courriel de la présidente du 3 mars"
    assert amendment.amount_to_recover == D("0.00")
    assert amendment.before[2] == {"number": 3, "due_on": (new_due - timedelta(days=90)).isoformat(),
                                   "amount": "30000.00", "status": "planned", "funded": "0.00"}
    assert amendment.after[2]["due_on"] == new_due.isoformat()
    assert amendment.before[:2] == amendment.after[:2]
    assert amendment.before[0] == {"number": 1, "due_on": w["first"].due_on.isoformat(), "amount": "30000.00",
                                   "status": "planned", "funded": "30000.00"}
    assert tranches_add_up(w["grant"]) and w["grant"].total_amount == D("90000.00")
    event = AuditEvent.objects.get(action="grants.amended")
    assert event.after["amendment"] == amendment.pk and event.before["total"] == event.after["total"] == "90000.00"
    team = w["grant"].application.team.get().user
    notification = Notification.objects.get(key=f"grants.amended:{amendment.pk}:{team.pk}")
    assert notification.to == team.email and w["grant"].application.reference in notification.subject
    assert services.ledger_differences() == []


def test_a_resize_changes_the_tranche_and_the_grant_total_together(world):
    """Resized tranches and the grant's total change in one transaction: the tranches still add up
    and the ledger is sound; a funded tranche may be resized down to what is allocated to it."""
    w = world
    amendment = amend(w, [{"number": 2, "amount": "10000.00", "due_on": w["second"].due_on},
                          {"number": 3, "amount": "41250,50", "due_on": w["third"].due_on + timedelta(days=1)}])

    amounts = list(w["grant"].tranches.order_by("number").values_list("amount", flat=True))
    assert amounts == [D("30000.00"), D("10000.00"), D("41250.50")]
    assert tranches_add_up(w["grant"])
    assert w["grant"].total_amount == D("81250.50")
    assert [row["amount"] for row in amendment.after] == ["30000.00", "10000.00", "41250.50"]
    assert AuditEvent.objects.get(action="grants.amended").after["total"] == "81250.50"
    w["second"].refresh_from_db()
    assert w["second"].is_funded  # resized to exactly its funding
    assert services.ledger_differences() == []
    call_command("check_ledger")


def test_the_agreement_document_is_kept_with_the_amendment(world):
    w = world
    document = SimpleUploadedFile("accord.pdf", PDF_BYTES, content_type="application/pdf")
    amendment = amend(w, [{"number": 3, "amount": "20000.00"}], grantee_agreement_file=document)
    amendment.refresh_from_db()
    assert amendment.grantee_agreement_file.name.startswith("amendments/")
    assert amendment.grantee_agreement_file.read() == PDF_BYTES


REFUSALS = {
    "no reason": ({"reason": "  "}, "Say why the grant is amended"),
    "no agreement": ({"grantee_agreement": ""}, "grantee's agreement"),
    "paid tranche": ({"changes": [{"number": 1, "amount": "25000.00"}]}, "Tranche 1 is paid"),
    "below funded": ({"changes": [{"number": 2, "amount": "9999.99"}]}, "already has 10000.00 € allocated"),
    "negative": ({"changes": [{"number": 3, "amount": "-5"}]}, "more than zero"),
    "zero": ({"changes": [{"number": 3, "amount": "0"}]}, "more than zero"),
    "three decimals": ({"changes": [{"number": 3, "amount": "100.005"}]}, "at most two decimals"),
    "not a number": ({"changes": [{"number": 3, "amount": "beaucoup"}]}, "Enter an amount"),
    "past due date": ({"changes": [{"number": 3, "due_on": "2000-01-01"}]}, "in the past"),
    "no such tranche": ({"changes": [{"number": 9, "amount": "5.00"}]}, "no tranche 9"),
    "twice": ({"changes": [{"number": 3, "amount": "5.00"}, {"number": 3, "amount": "6.00"}]}, "given twice"),
    "nothing changes": ({"changes": [{"number": 3, "amount": "30000.00"}]}, "changes nothing"),
    "no changes": ({"changes": []}, "changes nothing"),
}


@pytest.mark.parametrize("case", REFUSALS)
def test_a_refused_amendment_changes_nothing(world, case):
    w = world
    mark_paid(w["first"])
    overrides, message = REFUSALS[case]
    values = {"changes": [{"number": 3, "amount": "20000.00"}], **overrides}
    before = snapshot()
    with pytest.raises(GrantError, match=re.escape(message)):
        amend(w, **values)
    assert snapshot() == before


def test_a_tranche_in_a_live_payment_run_cannot_change_until_the_run_is_cancelled(world):
    w = world
    run, payment = live_payment(w["grant"], w["first"], w["staff"])
    before = snapshot()
    with pytest.raises(GrantError, match="Tranche\\(s\\) 1 are in a payment run"):
        amend(w, [{"number": 1, "due_on": w["first"].due_on + timedelta(days=30)}])
    assert snapshot() == before
    # The other tranches may change meanwhile (the first is given unchanged, as the admin's form does).
    amend(w, [{"number": 1, "due_on": w["first"].due_on}, {"number": 3, "amount": "1000.00"}])
    Payment.objects.filter(pk=payment.pk).update(status=PaymentStatus.CANCELLED)
    PaymentRun.objects.filter(pk=run.pk).update(status=PaymentRunStatus.CANCELLED)
    amend(w, [{"number": 1, "due_on": w["first"].due_on + timedelta(days=30)}])
    assert services.ledger_differences() == []


def test_only_staff_amend_and_terminate(world, applicant):
    w = world
    before = snapshot()
    with pytest.raises(GrantError, match="Only the JOIN FORCES team"):
        amend(w, [{"number": 3, "amount": "1000.00"}], actor=applicant)
    with pytest.raises(GrantError, match="Only the JOIN FORCES team"):
        grant_terminate(grant=w["grant"], actor=applicant, reason="Fin")
    assert snapshot() == before


# --- Termination -----------------------------------------------------------------------------------


def test_termination_cancels_future_tranches_and_returns_their_funding_to_the_pool(world):
    """Planned tranches are cancelled and every entry of theirs not yet reversed is reversed: the money
    goes back to the donations it came from and to the pool; the paid tranche stays; the amount to
    recover is recorded; the grant is terminated; `check_ledger` passes."""
    w = world
    staff = w["staff"]
    mark_paid(w["first"])
    # The third tranche: an entry already reversed (left alone), then a new one of 2 000 €.
    early = services.ledger_allocate(tranche=w["third"], actor=staff, amount="5000.00")
    services.ledger_reverse(entry=early, actor=staff, reason="Erreur de montant")
    services.ledger_allocate(tranche=w["third"], actor=staff, amount="2000.00")
    assert pool_balance() == D("100000.00") - D("42000.00")
    w["newer"].refresh_from_db()
    assert (w["newer"].allocated, Donation.objects.get(pk=w["older"].pk).allocated) == (D("22000.00"),
                                                                                      D("20000.00"))
    reversals_before = Allocation.objects.filter(kind=AllocationKind.REVERSAL).count()

    amendment = grant_terminate(grant=w["grant"], actor=staff, reason="Le collectif s’est dissous",
                                grantee_agreement="Lettre du 2 mai", amount_to_recover="1500.50")

    grant = Grant.objects.get(pk=w["grant"].pk)
    assert grant.status == GrantStatus.TERMINATED and grant.terminated_at is not None
    statuses = dict(grant.tranches.values_list("number", "status"))
    assert statuses == {1: TrancheStatus.PAID, 2: TrancheStatus.CANCELLED, 3: TrancheStatus.CANCELLED}
    funded = dict(grant.tranches.values_list("number", "funded"))
    assert funded == {1: D("30000.00"), 2: D("0.00"), 3: D("0.00")}
    # Two new reversing entries (the second tranche's and the third's live one), noted as a termination.
    new = Allocation.objects.filter(kind=AllocationKind.REVERSAL).order_by("pk")[reversals_before:]
    assert [entry.amount for entry in new] == [D("-10000.00"), D("-2000.00")]
    with translation.override("fr"):  # the ledger's notes are in the fund's language ("Résiliation : …")
        note = translation.gettext("Termination: %(reason)s") % {"reason": "Le collectif s’est dissous"}
    assert all(entry.note == note for entry in new)
    # The money is back: the first tranche's 30 000 € are still allocated (20 000 + 10 000), no more.
    assert pool_balance() == D("70000.00")
    assert Donation.objects.get(pk=w["older"].pk).allocated == D("20000.00")
    assert Donation.objects.get(pk=w["newer"].pk).allocated == D("10000.00")
    # The schedules, the amount to recover, the audit and the email.
    assert amendment.kind == Amendment.Kind.TERMINATION and amendment.amount_to_recover == D("1500.50")
    assert [row["status"] for row in amendment.before] == ["paid", "planned", "planned"]
    assert [row["status"] for row in amendment.after] == ["paid", "cancelled", "cancelled"]
    event = AuditEvent.objects.get(action="grants.terminated")
    assert event.after["returned_to_pool"] == "12000.00" and event.after["amount_to_recover"] == "1500.50"
    notification = Notification.objects.get(key__startswith=f"grants.terminated:{amendment.pk}:")
    assert "2, 3." in notification.body_text and grant.application.reference in notification.subject
    # Cancelled tranches keep counting: the grant still adds up, and the ledger is sound.
    assert tranches_add_up(grant) and grant.total_amount == D("90000.00")
    assert services.ledger_differences() == []
    call_command("check_ledger")
    # A cancelled tranche is no longer funded.
    with pytest.raises(GrantError, match="Only a planned tranche"):
        services.ledger_allocate(tranche=w["second"], actor=staff)


def test_termination_is_blocked_by_a_live_payment_run_then_allowed_once_it_is_cancelled(world):
    w = world
    run, payment = live_payment(w["grant"], w["first"], w["staff"])
    before = snapshot()
    with pytest.raises(GrantError, match="cancel the run first"):
        grant_terminate(grant=w["grant"], actor=w["staff"], reason="Fin du projet")
    assert snapshot() == before
    Payment.objects.filter(pk=payment.pk).update(status=PaymentStatus.CANCELLED)
    PaymentRun.objects.filter(pk=run.pk).update(status=PaymentRunStatus.CANCELLED)
    grant_terminate(grant=w["grant"], actor=w["staff"], reason="Fin du projet")
    assert pool_balance() == D("100000.00")
    assert services.ledger_differences() == []


TERMINATION_REFUSALS = {
    "no reason": ({"reason": ""}, "Say why the grant is terminated"),
    "more than paid": ({"amount_to_recover": "30000.01"}, "Only 30000.00 € was paid"),
    "negative": ({"amount_to_recover": "-1"}, "more than zero"),
    "three decimals": ({"amount_to_recover": "1.001"}, "at most two decimals"),
}


@pytest.mark.parametrize("case", TERMINATION_REFUSALS)
def test_a_refused_termination_changes_nothing(world, case):
    w = world
    mark_paid(w["first"])
    overrides, message = TERMINATION_REFUSALS[case]
    before = snapshot()
    with pytest.raises(GrantError, match=re.escape(message)):
        grant_terminate(**{"grant": w["grant"], "actor": w["staff"], "reason": "Fin", **overrides})
    assert snapshot() == before


def test_a_grant_is_terminated_once_and_then_no_longer_amended(world):
    w = world
    grant_terminate(grant=w["grant"], actor=w["staff"], reason="Fin du projet")
    before = snapshot()
    with pytest.raises(GrantError, match="already terminated"):
        grant_terminate(grant=w["grant"], actor=w["staff"], reason="Encore")
    with pytest.raises(GrantError, match="closed"):
        amend(w, [{"number": 3, "amount": "1000.00"}])
    assert snapshot() == before
    call_command("check_ledger")


# --- The admin -------------------------------------------------------------------------------------


def test_staff_amend_a_grant_from_the_admin(world, staff_client):
    w = world
    response = staff_client.get("/admin/grants/amendment/")
    assert response.status_code == 200
    assert b"/admin/grants/amendment/modifier/" in response.content
    assert b"/admin/grants/amendment/resilier/" in response.content
    response = staff_client.get("/admin/grants/amendment/modifier/")
    assert response.status_code == 200 and w["grant"].application.reference in response.content.decode()
    url = f"/admin/grants/amendment/modifier/?grant={w['grant'].pk}"
    response = staff_client.get(url)
    assert response.status_code == 200
    assert 'name="tranches-2-amount"' in response.content.decode()

    def data(**extra):
        values = {"tranches-TOTAL_FORMS": "3", "tranches-INITIAL_FORMS": "3", "reason": "Projet allongé",
                  "grantee_agreement": "Courriel du 4 avril"}
        for index, tranche in enumerate((w["first"], w["second"], w["third"])):
            values.update({f"tranches-{index}-number": str(tranche.number),
                           f"tranches-{index}-due_on": tranche.due_on.isoformat(),
                           f"tranches-{index}-amount": str(tranche.amount)})
        values.update(extra)
        return values

    before = snapshot()
    response = staff_client.post(url, data(**{"tranches-1-amount": "5000"}))
    assert response.status_code == 200
    assert "son montant ne peut pas descendre en dessous" in response.content.decode() and snapshot() == before
    response = staff_client.post(url, data(reason=""))
    assert response.status_code == 200 and snapshot() == before

    document = SimpleUploadedFile("accord.pdf", PDF_BYTES, content_type="application/pdf")
    response = staff_client.post(url, data(**{"tranches-2-amount": "35000.00", "grantee_agreement_file": document}))
    assert response.status_code == 302, response.content.decode()[:3000]
    amendment = Amendment.objects.get()
    assert response["Location"] == f"/admin/grants/amendment/{amendment.pk}/change/"
    assert amendment.grantee_agreement_file
    assert tranches_add_up(w["grant"]) and w["grant"].total_amount == D("95000.00")
    response = staff_client.get(response["Location"])
    assert response.status_code == 200
    page = response.content.decode()
    assert "Projet allongé" in page and "<strong>" in page and "jf-table" in page
    assert services.ledger_differences() == []


def test_staff_terminate_a_grant_from_the_admin_after_confirming(world, staff_client):
    w = world
    mark_paid(w["first"])
    url = "/admin/grants/amendment/resilier/"
    assert staff_client.get(url).status_code == 200
    data = {"grant": str(w["grant"].pk), "reason": "Le collectif s’est dissous", "grantee_agreement": "",
            "amount_to_recover": "100"}
    before = snapshot()
    response = staff_client.post(url, {**data, "amount_to_recover": "40000"})
    assert response.status_code == 200 and "Seuls 30000.00" in response.content.decode()
    response = staff_client.post(url, data)  # the confirmation step
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="confirm"' in page and "Les tranches 2, 3 seront annulées" in page
    assert snapshot() == before
    response = staff_client.post(url, {**data, "confirm": "yes"})
    assert response.status_code == 302
    amendment = Amendment.objects.get()
    assert amendment.kind == Amendment.Kind.TERMINATION and amendment.amount_to_recover == D("100.00")
    assert Grant.objects.get(pk=w["grant"].pk).status == GrantStatus.TERMINATED
    call_command("check_ledger")


def test_the_admin_shows_a_blocking_payment_run_as_an_error(world, staff_client):
    w = world
    live_payment(w["grant"], w["second"], w["staff"])
    data = {"grant": str(w["grant"].pk), "reason": "Fin", "amount_to_recover": "0"}
    before = snapshot()
    for extra in ({}, {"confirm": "yes"}):
        response = staff_client.post("/admin/grants/amendment/resilier/", {**data, **extra})
        assert response.status_code == 200 and "puis résiliez la subvention" in response.content.decode()
    assert snapshot() == before


def test_the_admin_pages_are_for_staff_only(world, applicant_client):
    for url in ("/admin/grants/amendment/", "/admin/grants/amendment/modifier/",
                "/admin/grants/amendment/resilier/"):
        assert applicant_client.get(url).status_code == 302


# --- PostgreSQL: the tranches' sum, checked at commit ------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.postgres
def test_a_direct_write_breaking_the_sum_is_refused_at_commit_but_the_resize_commits(staff):
    ensure_static_data()
    translation.activate("en")
    receive(DonorFactory(), "1000.00", staff=staff)
    grant = grant_for(amount_per_year="300.00", years=2)
    second = grant.tranches.get(number=2)
    services.ledger_allocate(tranche=second, actor=staff, amount="100.00")

    with pytest.raises(IntegrityError, match=re.escape("tranches add up to 550.00, not 600.00")), \
            transaction.atomic():
        Tranche.objects.filter(pk=second.pk).update(amount=D("250.00"))
    second.refresh_from_db()
    assert second.amount == D("300.00")

    amend({"grant": grant, "staff": staff}, [{"number": 2, "amount": "250.00"}])

    second.refresh_from_db()
    grant.refresh_from_db()
    assert (second.amount, grant.total_amount) == (D("250.00"), D("550.00"))
    grant_terminate(grant=grant, actor=staff, reason="Fin")
    assert Pool.objects.get(pk=1).balance == D("1000.00")
    assert services.ledger_differences() == []
    call_command("check_ledger")
