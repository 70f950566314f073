"""Payments of tranches: the tranches ready to be paid, the payment run and its SEPA file (pain.001,
valid against its schema, with the right sums and counts), the run marked executed by the bank (the
tranches paid once, in the ledger), refusals that change nothing, cancellation, and the admin's pages
in a fixed number of queries."""

import xml.etree.ElementTree as ET
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import sepaxml
import xmlschema
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from grants import payments, services
from grants.models import (
    BankDetails,
    Grant,
    GrantReport,
    Payment,
    PaymentRun,
    PaymentRunStatus,
    PaymentStatus,
    Tranche,
    TrancheCondition,
    TrancheStatus,
)
from grants.selectors import fund_figures
from grants.services import GrantError
from joinforces.core.models import AuditEvent, Notification
from tests.factories import ApplicantFactory, StaffFactory

from .factories import DonorFactory, grant_for, receive

pytestmark = pytest.mark.django_db

D = Decimal
FUND_IBAN = "FR7630004000031234567890143"
FUND_BIC = "BNPAFRPP"
PAYEE_IBAN = "FR7630006000011234567890189"
PAYEE_BIC = "AGRIFRPP"
XSD = Path(sepaxml.__file__).parent / "schemas" / "pain.001.001.03.xsd"
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}


@pytest.fixture(autouse=True)
def _fund(settings):
    """The fund's own account (empty by default in tests); no tax receipts rendered here."""
    settings.BANK_ACCOUNT_IBAN = FUND_IBAN
    settings.BANK_ACCOUNT_BIC = FUND_BIC
    settings.TAX_RECEIPTS_ENABLED = False


@pytest.fixture(autouse=True)
def _english(_default_language):
    """The services' refusals are matched in English (the pages, in French or English)."""
    with translation.override("en"):
        yield


def says(page: str, *texts) -> bool:
    """`page` holds one of `texts` (the French wording, or the English one before translation)."""
    return any(text in page for text in texts)


@pytest.fixture
def approver(db):
    return StaffFactory()


def ready(staff, approver, *, amount="10000.00", holder="Association Le Lien", iban=PAYEE_IBAN, bic=PAYEE_BIC,
          due=None, fund=True, condition_met=True, active=True, bank_details="approved") -> Tranche:
    """The first tranche of a new one-year grant, by default ready to be paid: funded from the pool,
    due today, its condition met, its grant active, approved bank details. Each keyword takes one
    piece away."""
    grant = grant_for(amount_per_year=amount, years=1)
    tranche = grant.tranches.get()
    if fund:
        receive(DonorFactory(), amount, staff=staff)
        services.ledger_allocate(tranche=tranche, actor=staff)
    Tranche.objects.filter(pk=tranche.pk).update(due_on=due or timezone.localdate(),
                                                 condition_met_at=timezone.now() if condition_met else None)
    if active:
        Grant.objects.filter(pk=grant.pk).update(status="active")
    if bank_details:
        payee = grant.application.members.create(name=holder, legal_form="association", non_profit=True, role="lead")
        decided = {"decided_by": approver, "decided_at": timezone.now()} if bank_details == "approved" else {}
        BankDetails.objects.create(grant=grant, payee=payee, holder=holder, iban=iban, bic=bic, status=bank_details,
                                   requested_by=staff, **decided)
    tranche.refresh_from_db()
    return tranche


def payable_ids(today=None):
    return set(payments.payable_tranches(today).values_list("pk", flat=True))


def snapshot():
    """What a refused action must leave unchanged."""
    return (list(PaymentRun.objects.order_by("pk").values_list("pk", "status", "paid_on")),
            list(Payment.objects.order_by("pk").values_list("pk", "status")),
            list(Tranche.objects.order_by("pk").values_list("pk", "status", "paid_at")),
            AuditEvent.objects.filter(action__startswith="grants.payment_run").count())


def tomorrow():
    return timezone.localdate() + timedelta(days=1)


# --- The tranches ready to be paid ------------------------------------------------------------------


def test_a_tranche_is_payable_only_with_every_piece_in_place(staff, approver):
    """Due, fully funded, condition met, grant active, bank details in force, in no live run: each
    missing piece keeps the tranche out of the selection."""
    good = ready(staff, approver)
    not_due = ready(staff, approver, due=timezone.localdate() + timedelta(days=10))
    unfunded = ready(staff, approver, fund=False)
    unmet = ready(staff, approver, condition_met=False)
    inactive = ready(staff, approver, active=False)
    no_details = ready(staff, approver, bank_details=None)
    pending_details = ready(staff, approver, bank_details="pending")
    partly = ready(staff, approver, fund=False)
    receive(DonorFactory(), "4000.00", staff=staff)
    services.ledger_allocate(tranche=partly, actor=staff, amount="4000.00")

    assert payable_ids() == {good.pk}
    # A later date brings the tranche due then; nothing else.
    assert payable_ids(timezone.localdate() + timedelta(days=10)) == {good.pk, not_due.pk}
    # A tranche without condition needs no date of the condition met.
    Tranche.objects.filter(pk=unmet.pk).update(condition=TrancheCondition.NONE)
    assert payable_ids() == {good.pk, unmet.pk}
    # In a live run, it is out; the run cancelled, it is back.
    run = payments.payment_run_prepare(actor=staff, execution_date=timezone.localdate(), tranches=[good])
    assert payable_ids() == {unmet.pk}
    payments.payment_run_cancel(run=run, actor=staff, reason="Fichier refusé par la banque.")
    assert payable_ids() == {good.pk, unmet.pk}
    assert {unfunded.pk, inactive.pk, no_details.pk, pending_details.pk, partly.pk}.isdisjoint(payable_ids())


# --- The payment run and its file ----------------------------------------------------------------


def test_the_pain001_file_is_valid_against_its_schema_with_the_right_sums_and_counts(staff, approver):
    """Three tranches of different amounts make one run: the file validates against sepaxml's
    pain.001.001.03 XSD (checked here independently), its header and batch count 3 transactions for
    the sum of the payments, each creditor gets its IBAN, BIC, amount and reference."""
    tranches = [ready(staff, approver, amount="10000.00", holder="Association Le Lien"),
                ready(staff, approver, amount="2500.50", holder="Épicerie solidaire du Nord",
                      iban="FR1420041010050500013M02606", bic="PSSTFRPPLIL"),
                ready(staff, approver, amount="0.99", holder="Jardins partagés")]
    execution = tomorrow()

    run = payments.payment_run_prepare(actor=staff, execution_date=execution)

    assert run.status == PaymentRunStatus.PREPARED
    assert run.total == D("12501.49")
    rows = list(run.payments.select_related("tranche__grant__application", "bank_details").order_by("tranche_id"))
    assert [(p.tranche_id, p.amount, p.status) for p in rows] == [
        (t.pk, t.amount, PaymentStatus.INCLUDED) for t in sorted(tranches, key=lambda t: t.pk)]
    content = run.file.open("rb").read()
    xmlschema.XMLSchema(str(XSD)).validate(content.decode())
    root = ET.fromstring(content)  # noqa: S314 - our own file, just validated against the schema
    header = root.find("p:CstmrCdtTrfInitn/p:GrpHdr", NS)
    assert header.findtext("p:MsgId", namespaces=NS) == run.message_id
    assert run.message_id.startswith(f"JF-{timezone.localdate():%Y%m%d}-")
    assert header.findtext("p:NbOfTxs", namespaces=NS) == "3"
    assert D(header.findtext("p:CtrlSum", namespaces=NS)) == D("12501.49") == sum(p.amount for p in rows)
    batch = root.find("p:CstmrCdtTrfInitn/p:PmtInf", NS)
    assert batch.findtext("p:NbOfTxs", namespaces=NS) == "3"
    assert D(batch.findtext("p:CtrlSum", namespaces=NS)) == D("12501.49")
    assert batch.findtext("p:ReqdExctnDt", namespaces=NS) == execution.isoformat()
    assert batch.findtext("p:Dbtr/p:Nm", namespaces=NS) == "JOIN FORCES"
    assert batch.findtext("p:DbtrAcct/p:Id/p:IBAN", namespaces=NS) == FUND_IBAN
    assert batch.findtext("p:DbtrAgt/p:FinInstnId/p:BIC", namespaces=NS) == FUND_BIC
    sent = {tx.findtext("p:PmtId/p:EndToEndId", namespaces=NS): (
        tx.findtext("p:CdtrAcct/p:Id/p:IBAN", namespaces=NS),
        tx.findtext("p:CdtrAgt/p:FinInstnId/p:BIC", namespaces=NS),
        D(tx.findtext("p:Amt/p:InstdAmt", namespaces=NS)), tx.find("p:Amt/p:InstdAmt", NS).get("Ccy"),
        tx.findtext("p:RmtInf/p:Ustrd", namespaces=NS)) for tx in batch.findall("p:CdtTrfTxInf", NS)}
    assert sent == {p.end_to_end_id: (
        p.bank_details.iban, p.bank_details.bic, p.amount, "EUR",
        f"Subvention JOIN FORCES {p.tranche.grant.application.reference} - tranche 1") for p in rows}
    assert {p.end_to_end_id for p in rows} == {f"{t.grant.application.reference}-T1-R{run.pk}" for t in tranches}
    assert AuditEvent.objects.filter(action="grants.payment_run_prepared", target_id=str(run.pk)).exists()


def test_preparing_needs_the_funds_own_iban_and_a_date_not_past(staff, approver, settings):
    tranche = ready(staff, approver)
    before = snapshot()
    settings.BANK_ACCOUNT_IBAN = ""
    with pytest.raises(GrantError, match="IBAN"):
        payments.payment_run_prepare(actor=staff, execution_date=tomorrow())
    settings.BANK_ACCOUNT_IBAN = FUND_IBAN
    with pytest.raises(GrantError, match="past"):
        payments.payment_run_prepare(actor=staff, execution_date=timezone.localdate() - timedelta(days=1),
                                     tranches=[tranche])
    assert snapshot() == before


def test_with_nothing_payable_no_run_is_prepared(staff, approver):
    ready(staff, approver, fund=False)
    with pytest.raises(GrantError) as refused:
        payments.payment_run_prepare(actor=staff, execution_date=tomorrow())
    assert "tranche" in refused.value.message.lower()
    assert not PaymentRun.objects.exists()


@pytest.mark.parametrize("case, words", [
    ("paid", "already paid"),
    ("unallocated", "not fully funded"),
    ("not_due", "not due before"),
    ("in_run", "already in another payment run"),
    ("unmet", "condition is not met"),
    ("no_details", "no bank details in force"),
])
def test_a_tranche_that_is_not_payable_is_refused_by_name_and_nothing_changes(case, words, staff, approver):
    """Passed explicitly with a good one, a tranche already paid, unallocated, not due, in another
    live run, its condition unmet or without bank details refuses the whole run with a message naming
    it; nothing is recorded."""
    good = ready(staff, approver)
    bad = ready(staff, approver, fund=case != "unallocated", condition_met=case != "unmet",
                due=timezone.localdate() + timedelta(days=30) if case == "not_due" else None,
                bank_details=None if case == "no_details" else "approved")
    if case in ("paid", "in_run"):
        run = payments.payment_run_prepare(actor=staff, execution_date=timezone.localdate(), tranches=[bad])
        if case == "paid":
            payments.payment_run_mark_paid(run=run, actor=staff, paid_on=timezone.localdate(), bank_reference="B1")
    before = snapshot()

    with pytest.raises(GrantError) as refused:
        payments.payment_run_prepare(actor=staff, execution_date=tomorrow(), tranches=[good, bad])

    assert words in refused.value.message, refused.value.message
    assert bad.grant.application.reference in refused.value.message
    assert good.grant.application.reference not in refused.value.message
    assert snapshot() == before
    assert services.ledger_differences() == []


def test_the_unique_constraint_is_the_last_guard_against_a_tranche_in_two_live_runs(staff, approver):
    """Even written around the service, a second live payment of a tranche is refused by the
    database (`payment_once_per_tranche`)."""
    from django.db import IntegrityError, transaction

    tranche = ready(staff, approver)
    run = payments.payment_run_prepare(actor=staff, execution_date=tomorrow(), tranches=[tranche])
    payment = run.payments.get()
    other = PaymentRun.objects.create(execution_date=tomorrow(), message_id="JF-TEST-2", prepared_by=staff)
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(run=other, tranche=tranche, bank_details=payment.bank_details, amount=payment.amount,
                               end_to_end_id="X-2")


def test_a_service_check_that_misses_a_live_run_still_meets_the_constraint(staff, approver, monkeypatch):
    """Were the service's own check to miss a live run, the constraint's refusal becomes the same
    clear message and nothing is prepared."""
    tranche = ready(staff, approver)
    payments.payment_run_prepare(actor=staff, execution_date=tomorrow(), tranches=[tranche])
    before = snapshot()
    monkeypatch.setattr(payments, "_refusal", lambda *args, **kwargs: None)
    with pytest.raises(GrantError, match="already in another payment run"):
        payments.payment_run_prepare(actor=staff, execution_date=tomorrow(), tranches=[tranche])
    assert snapshot() == before


# --- Marking a run paid ------------------------------------------------------------------------------


def test_marking_the_run_paid_records_each_payment_once_in_the_ledger(staff, approver):
    """The run executed by the bank: each payment and tranche paid on that day, the run paid with the
    bank's reference, the fund's figures count it once; marking it again is refused and changes
    nothing; each team is told once per tranche."""
    first, second = ready(staff, approver, amount="10000.00"), ready(staff, approver, amount="3000.00")
    run = payments.payment_run_prepare(actor=staff, execution_date=timezone.localdate())
    assert fund_figures().paid == D("0.00")
    paid_on = timezone.localdate()

    payments.payment_run_mark_paid(run=run, actor=staff, paid_on=paid_on, bank_reference="  VIR-2026-0042 ")

    run.refresh_from_db()
    assert (run.status, run.paid_on, run.bank_reference, run.marked_paid_by) == (
        PaymentRunStatus.PAID, paid_on, "VIR-2026-0042", staff)
    for tranche in (first, second):
        tranche.refresh_from_db()
        assert tranche.status == TrancheStatus.PAID
        assert timezone.localdate(tranche.paid_at) == paid_on
    assert set(run.payments.values_list("status", flat=True)) == {PaymentStatus.PAID}
    assert all(timezone.localdate(p.paid_at) == paid_on for p in run.payments.all())
    assert services.ledger_differences() == []
    assert fund_figures().paid == D("13000.00")
    assert AuditEvent.objects.filter(action="grants.tranche_paid").count() == 2
    assert AuditEvent.objects.filter(action="grants.payment_run_paid").count() == 1
    emails = Notification.objects.filter(template="grants/email/tranche_paid")
    assert sorted(emails.values_list("to", flat=True)) == sorted(
        [first.grant.application.created_by.email, second.grant.application.created_by.email])
    body = emails.get(to=first.grant.application.created_by.email).body_text.replace("\u202f", "\xa0")
    assert "10\xa0000,00\xa0€" in body and first.grant.application.reference in body
    before = snapshot()

    with pytest.raises(GrantError, match="already marked paid"):
        payments.payment_run_mark_paid(run=run, actor=staff, paid_on=paid_on, bank_reference="VIR-2")

    assert snapshot() == before
    assert fund_figures().paid == D("13000.00")
    assert emails.count() == 2
    with pytest.raises(GrantError):
        payments.payment_run_cancel(run=run, actor=staff, reason="Trop tard.")
    # A paid tranche's funding is never reversed.
    with pytest.raises(GrantError):
        services.ledger_reverse(entry=first.allocations.get(), actor=staff, reason="Non.")


def test_marking_paid_checks_the_date_and_reference(staff, approver):
    ready(staff, approver)
    run = payments.payment_run_prepare(actor=staff, execution_date=timezone.localdate())
    before = snapshot()
    for paid_on, reference in [(timezone.localdate() + timedelta(days=1), "REF"),
                               (timezone.localdate() - timedelta(days=1), "REF"),
                               (timezone.localdate(), "  ")]:
        with pytest.raises(GrantError):
            payments.payment_run_mark_paid(run=run, actor=staff, paid_on=paid_on, bank_reference=reference)
    assert snapshot() == before


def test_a_tranche_no_longer_fully_funded_is_not_marked_paid(staff, approver):
    """Reversing the funding of a tranche in a prepared run is refused; should its funded counter drop
    anyway (written around the services), marking the run paid is refused with a clear message (the
    database would refuse a paid tranche not fully funded)."""
    from django.db.models import F

    tranche = ready(staff, approver)
    run = payments.payment_run_prepare(actor=staff, execution_date=timezone.localdate())
    Tranche.objects.filter(pk=tranche.pk).update(funded=F("funded") - D("0.01"))
    before = snapshot()
    with pytest.raises(GrantError, match="no longer fully funded"):
        payments.payment_run_mark_paid(run=run, actor=staff, paid_on=timezone.localdate(), bank_reference="R")
    assert snapshot() == before


def test_the_last_tranche_paid_completes_a_grant_whose_reports_are_approved(staff, approver):
    tranche = ready(staff, approver)
    GrantReport.objects.create(grant=tranche.grant, year=1, due_on=timezone.localdate(), status="approved",
                               submitted_at=timezone.now(), reviewed_at=timezone.now())
    run = payments.payment_run_prepare(actor=staff, execution_date=timezone.localdate())
    payments.payment_run_mark_paid(run=run, actor=staff, paid_on=timezone.localdate(), bank_reference="R")
    assert Grant.objects.get(pk=tranche.grant_id).status == "completed"


# --- Cancelling a run -------------------------------------------------------------------------------


def test_cancelling_a_run_frees_its_tranches_for_a_new_run(staff, approver):
    tranche = ready(staff, approver)
    run = payments.payment_run_prepare(actor=staff, execution_date=tomorrow())
    with pytest.raises(GrantError):
        payments.payment_run_cancel(run=run, actor=staff, reason="  ")
    payments.payment_run_cancel(run=run, actor=staff, reason="La banque a refusé le fichier.")
    run.refresh_from_db()
    assert run.status == PaymentRunStatus.CANCELLED
    assert run.payments.get().status == PaymentStatus.CANCELLED
    assert payable_ids() == {tranche.pk}
    with pytest.raises(GrantError, match="cancelled"):
        payments.payment_run_mark_paid(run=run, actor=staff, paid_on=timezone.localdate(), bank_reference="R")
    with pytest.raises(GrantError):
        payments.payment_run_cancel(run=run, actor=staff, reason="Encore.")

    again = payments.payment_run_prepare(actor=staff, execution_date=tomorrow(), tranches=[tranche])

    assert again.payments.get().tranche_id == tranche.pk
    assert again.payments.get().end_to_end_id != run.payments.get().end_to_end_id
    payments.payment_run_mark_paid(run=again, actor=staff, paid_on=timezone.localdate(), bank_reference="R")
    assert fund_figures().paid == tranche.amount
    assert Payment.objects.filter(tranche=tranche, status=PaymentStatus.PAID).count() == 1


def test_only_staff_prepare_pay_or_cancel_runs(staff, approver):
    ready(staff, approver)
    outsider = ApplicantFactory()
    with pytest.raises(GrantError):
        payments.payment_run_prepare(actor=outsider, execution_date=tomorrow())
    run = payments.payment_run_prepare(actor=staff, execution_date=timezone.localdate())
    before = snapshot()
    with pytest.raises(GrantError):
        payments.payment_run_mark_paid(run=run, actor=outsider, paid_on=timezone.localdate(), bank_reference="R")
    with pytest.raises(GrantError):
        payments.payment_run_cancel(run=run, actor=outsider, reason="Non.")
    assert snapshot() == before


# --- The admin ---------------------------------------------------------------------------------------

PREPARE = "/admin/grants/paymentrun/preparer/"


def test_staff_prepare_a_run_in_the_admin_and_download_its_file(staff, approver, staff_client):
    first, second = ready(staff, approver), ready(staff, approver, amount="2000.00")
    page = staff_client.get(PREPARE).content.decode()
    assert first.grant.application.reference in page and second.grant.application.reference in page
    assert "FR76 •••• 0189" in page and PAYEE_IBAN not in page
    assert page.count('type="checkbox" name="tranches"') == 2 and page.count(" checked") == 2

    # Nothing ticked: a clear message, nothing prepared.
    response = staff_client.post(PREPARE, {"execution_date": tomorrow().isoformat()})
    assert response.status_code == 200
    assert says(response.content.decode(), "Choisissez au moins une tranche", "Choose at least one tranche")
    assert not PaymentRun.objects.exists()

    response = staff_client.post(PREPARE, {"execution_date": tomorrow().isoformat(), "tranches": [second.pk]})
    run = PaymentRun.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/admin/grants/paymentrun/{run.pk}/change/")
    assert list(run.payments.values_list("tranche_id", flat=True)) == [second.pk]

    # The same tranche again (a second tab): refused by name, nothing changed.
    response = staff_client.post(PREPARE, {"execution_date": tomorrow().isoformat(), "tranches": [second.pk]})
    assert response.status_code == 200
    assert says(response.content.decode(), "déjà dans un autre lot de virements", "already in another payment run")
    assert PaymentRun.objects.count() == 1

    page = staff_client.get(f"/admin/grants/paymentrun/{run.pk}/change/").content.decode()
    assert run.message_id in page and second.grant.application.reference in page
    download = f"/admin/grants/paymentrun/{run.pk}/fichier/"
    assert download in page
    response = staff_client.get(download)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    assert response["Content-Disposition"].startswith("attachment;") and run.message_id in response[
        "Content-Disposition"]
    xmlschema.XMLSchema(str(XSD)).validate(b"".join(response.streaming_content).decode())


def test_staff_mark_a_run_executed_or_cancel_it_in_the_admin(staff, approver, staff_client):
    tranche = ready(staff, approver)
    run = payments.payment_run_prepare(actor=staff, execution_date=timezone.localdate())
    url = f"/admin/grants/paymentrun/{run.pk}/executee/"
    assert staff_client.get(url).status_code == 200
    response = staff_client.post(url, {"paid_on": (timezone.localdate() + timedelta(days=3)).isoformat(),
                                       "bank_reference": "VIR-1"})
    assert response.status_code == 200 and "futur" in response.content.decode()  # "future" in English
    assert PaymentRun.objects.get().status == PaymentRunStatus.PREPARED
    response = staff_client.post(url, {"paid_on": timezone.localdate().isoformat(), "bank_reference": "VIR-1"})
    assert response.status_code == 302
    tranche.refresh_from_db()
    assert tranche.status == TrancheStatus.PAID
    page = staff_client.get(f"/admin/grants/paymentrun/{run.pk}/change/").content.decode()
    assert "/executee/" not in page and "/annuler/" not in page

    other = ready(staff, approver)
    run = payments.payment_run_prepare(actor=staff, execution_date=tomorrow())
    url = f"/admin/grants/paymentrun/{run.pk}/annuler/"
    assert staff_client.post(url, {"reason": ""}).status_code == 200
    response = staff_client.post(url, {"reason": "Mauvaise date d'exécution."})
    assert response.status_code == 302
    assert PaymentRun.objects.get(pk=run.pk).status == PaymentRunStatus.CANCELLED
    assert payable_ids() == {other.pk}


@pytest.mark.parametrize("url", [PREPARE, "/admin/grants/paymentrun/", "/admin/grants/payment/",
                                 "/admin/grants/paymentrun/{run}/change/", "/admin/grants/paymentrun/{run}/fichier/",
                                 "/admin/grants/paymentrun/{run}/executee/"])
def test_people_who_are_not_staff_get_no_payment_page(url, staff, approver, committee_client, applicant_client):
    ready(staff, approver)
    run = payments.payment_run_prepare(actor=staff, execution_date=tomorrow())
    for client in (committee_client, applicant_client):
        response = client.get(url.format(run=run.pk))
        assert response.status_code in (302, 403, 404), (url, response.status_code)
    response = committee_client.post(f"/admin/grants/paymentrun/{run.pk}/executee/",
                                     {"paid_on": timezone.localdate().isoformat(), "bank_reference": "X"})
    assert PaymentRun.objects.get().status == PaymentRunStatus.PREPARED


def _count(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def test_the_prepare_page_and_the_run_page_cost_the_same_queries_for_2_and_12_tranches(
        staff, approver, staff_client, django_assert_max_num_queries):
    """The page of the tranches to pay, a run's page (its payments inline), the mark-paid form and the
    lists do not grow with the number of tranches."""
    counts = {}
    for size in (2, 12):
        PaymentRun.objects.filter(status=PaymentRunStatus.PREPARED).update(status=PaymentRunStatus.CANCELLED)
        Payment.objects.filter(status=PaymentStatus.INCLUDED).update(status=PaymentStatus.CANCELLED)
        for _ in range(size - len(payable_ids())):
            ready(staff, approver)
        assert len(payable_ids()) == size
        prepare = _count(staff_client, PREPARE)
        run = payments.payment_run_prepare(actor=staff, execution_date=tomorrow())
        assert run.payments.count() == size
        counts[size] = (prepare, *(_count(staff_client, url.format(run=run.pk)) for url in (
            "/admin/grants/paymentrun/{run}/change/", "/admin/grants/paymentrun/{run}/executee/",
            "/admin/grants/paymentrun/", "/admin/grants/payment/")))
        with django_assert_max_num_queries(25):
            staff_client.get(PREPARE)
        with django_assert_max_num_queries(25):
            staff_client.get(f"/admin/grants/paymentrun/{run.pk}/change/")
    assert counts[2] == counts[12], counts


def test_funding_in_a_prepared_run_cannot_be_reversed(staff, approver):
    """While a tranche waits in a prepared run, its funding stays: reversing it is refused until the
    run is cancelled."""
    from grants.models import Allocation, AllocationKind

    tranche = ready(staff, approver)
    run = payments.payment_run_prepare(actor=staff, execution_date=timezone.localdate(), tranches=[tranche])
    entry = Allocation.objects.get(tranche=tranche, kind=AllocationKind.ALLOCATION)
    with pytest.raises(GrantError, match="payment run"):
        services.ledger_reverse(entry=entry, actor=staff, reason="Erreur")
    payments.payment_run_cancel(run=run, actor=staff, reason="Erreur de lot")
    services.ledger_reverse(entry=entry, actor=staff, reason="Erreur")
    assert services.ledger_differences() == []


def test_a_payment_is_traced_to_the_donations_that_funded_it(staff, approver, staff_client):
    """The payment's page names the donations its tranche was funded from, with their amounts."""
    tranche = ready(staff, approver)
    run = payments.payment_run_prepare(actor=staff, execution_date=timezone.localdate())
    payments.payment_run_mark_paid(run=run, actor=staff, paid_on=timezone.localdate(), bank_reference="R")
    donor = tranche.allocations.get().parts.get().donation.donor
    page = staff_client.get(f"/admin/grants/payment/{run.payments.get().pk}/change/").content.decode()
    assert donor.name in page and "10\xa0000,00" in page
