"""The database itself refuses what would break the money's rules, whatever the code above it: every
named constraint of grants/models.py, violated directly (QuerySet.update, a bare INSERT, raw SQL),
raises and changes nothing; ledger rows refuse UPDATE and DELETE; on PostgreSQL a grant whose
tranches no longer add up to its total cannot be committed."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from grants import services
from grants.models import (
    Allocation,
    AllocationKind,
    AllocationPart,
    Amendment,
    BankDetails,
    BankDetailsStatus,
    BankLine,
    BankLineStatus,
    BankStatement,
    Donation,
    Donor,
    DonorContact,
    Grant,
    GrantAgreement,
    GrantReport,
    Payment,
    PaymentRun,
    PaymentRunStatus,
    PaymentStatus,
    Pledge,
    Pool,
    ReportSpending,
    ReportStatus,
    Tranche,
    TrancheCondition,
    TrancheStatus,
)
from tests.conftest import ensure_static_data

from .factories import DonorFactory, grant_for, receive

D = Decimal


def sql(statement, *params):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def is_postgres():
    return connection.vendor == "postgresql"


def state():
    """Every row of every table of grants, as tuples: what a refused write must leave as it was."""
    return {model.__name__: list(model.objects.order_by("pk").values_list())
            for model in apps.get_app_config("grants").get_models()}


@pytest.fixture
def world(db, staff, user_factory):
    """A donor (public, consent recorded) with a contact, a pledge and a donation of 1 000 €, a food
    grant of 300 € × 2 years with 100 € allocated to its first tranche, 50 € received and not allocated,
    and a matched bank line."""
    donor = DonorFactory()
    contact = user_factory()
    DonorContact.objects.create(donor=donor, user=contact)
    pledge = services.pledge_record(donor=donor, amount="5000.00", pledged_on=timezone.localdate(), actor=staff,
                                    expected_from=timezone.localdate(),
                                    expected_until=timezone.localdate() + timedelta(days=30))
    donation = receive(donor, "1000.00", staff=staff)
    grant = grant_for(amount_per_year="300.00", years=2)
    first, second = grant.tranches.order_by("number")
    entry = services.ledger_allocate(tranche=first, actor=staff, amount="100.00")
    spare = receive(DonorFactory(), "50.00", staff=staff)  # nothing allocated from it
    statement = BankStatement.objects.create(file="bank/releve.csv", format=BankStatement.Format.CSV)
    line = BankLine.objects.create(statement=statement, dedup_key="TX-1", booked_on=timezone.localdate(),
                                   amount=D("1000.00"), label="VIR FONDATION", status=BankLineStatus.MATCHED,
                                   donor=donor, donation=donation)
    # Grants in life: an agreement, bank details in force and one pending, a prepared run paying the
    # first tranche's allocated part... (rows only: the constraints are what is tested here)
    member = grant.application.members.create(name="Association porteuse", legal_form="association",
                                              non_profit=True, role="lead")
    agreement = GrantAgreement.objects.get(grant=grant)  # prepared with the grant
    in_force = BankDetails.objects.create(grant=grant, payee=member, holder="Association porteuse",
                                          iban="FR7630006000011234567890189", bic="AGRIFRPP", requested_by=contact,
                                          status=BankDetailsStatus.APPROVED, decided_by=staff,
                                          decided_at=timezone.now())
    pending = BankDetails.objects.create(grant=grant, payee=member, holder="Association porteuse",
                                         iban="FR7630006000011234567890189", bic="AGRIFRPP", requested_by=contact)
    run = PaymentRun.objects.create(execution_date=timezone.localdate(), message_id="JF-RUN-1")
    payment = Payment.objects.create(run=run, tranche=first, bank_details=in_force, amount=D("300.00"),
                                     end_to_end_id="JF-E2E-1")
    amendment = Amendment.objects.create(grant=grant, kind=Amendment.Kind.AMENDMENT, reason="Report d’un mois")
    report = GrantReport.objects.create(grant=grant, year=1, due_on=timezone.localdate())
    spending = ReportSpending.objects.create(report=report, category="facilitation", amount=D("120.00"))
    return {"staff": staff, "donor": donor, "contact": contact, "pledge": pledge, "donation": donation,
            "spare": spare, "grant": grant, "first": first, "second": second, "entry": entry,
            "statement": statement, "line": line, "agreement": agreement, "in_force": in_force, "pending": pending,
            "run": run, "payment": payment, "amendment": amendment, "report": report, "spending": spending,
            "member": member}


def new_entry(w, **fields):
    values = {"kind": AllocationKind.ALLOCATION, "grant": w["grant"], "tranche": w["first"], "amount": D("1.00")}
    values.update(fields)
    return Allocation.objects.create(**values)


# Each named constraint, and a write that breaks it and nothing else.
VIOLATIONS = {
    # Donors and their money
    "donor_public_needs_consent": lambda w: Donor.objects.filter(pk=w["donor"].pk).update(
        public=True, consent_recorded_at=None),
    "donorcontact_once_per_donor": lambda w: DonorContact.objects.create(donor=w["donor"], user=w["contact"]),
    "pledge_amount_positive": lambda w: Pledge.objects.filter(pk=w["pledge"].pk).update(amount=D("0.00")),
    "pledge_expected_dates_in_order": lambda w: Pledge.objects.filter(pk=w["pledge"].pk).update(
        expected_until=F("expected_from") - timedelta(days=1)),
    "donation_amount_positive": lambda w: sql("UPDATE grants_donation SET amount = 0 WHERE id = %s",
                                              w["spare"].pk),
    "donation_allocated_not_negative": lambda w: Donation.objects.filter(pk=w["donation"].pk).update(
        allocated=D("-0.01")),
    "donation_allocated_within_amount": lambda w: Donation.objects.filter(pk=w["donation"].pk).update(
        allocated=F("amount") + D("0.01")),
    "pool_balance_not_negative": lambda w: sql("UPDATE grants_pool SET balance = -0.01 WHERE id = 1"),
    "pool_single_row": lambda w: Pool.objects.create(pk=2, balance=D("0.00")),
    # Grants and tranches
    "grant_total_positive": lambda w: Grant.objects.filter(pk=w["grant"].pk).update(total_amount=D("0.00")),
    "grant_years_range": lambda w: Grant.objects.filter(pk=w["grant"].pk).update(years=11),
    "grant_status_valid": lambda w: Grant.objects.filter(pk=w["grant"].pk).update(status="forgotten"),
    "tranche_number_once_per_grant": lambda w: Tranche.objects.filter(pk=w["second"].pk).update(number=1),
    "tranche_amount_positive": lambda w: Tranche.objects.filter(pk=w["second"].pk).update(amount=D("0.00")),
    "tranche_funded_not_negative": lambda w: Tranche.objects.filter(pk=w["second"].pk).update(funded=D("-0.01")),
    "tranche_funded_within_amount": lambda w: sql("UPDATE grants_tranche SET funded = amount + 0.01 WHERE id = %s",
                                                  w["first"].pk),
    "tranche_status_valid": lambda w: Tranche.objects.filter(pk=w["first"].pk).update(status="lost"),
    "tranche_condition_valid": lambda w: Tranche.objects.filter(pk=w["first"].pk).update(condition="whenever"),
    "tranche_report_condition_has_year": lambda w: Tranche.objects.filter(pk=w["second"].pk).update(
        condition=TrancheCondition.REPORT_APPROVED, condition_year=None),
    "tranche_paid_only_when_funded": lambda w: Tranche.objects.filter(pk=w["first"].pk).update(
        status=TrancheStatus.PAID, paid_at=timezone.now()),
    "tranche_paid_has_date": lambda w: Tranche.objects.filter(pk=w["second"].pk).update(
        funded=F("amount"), status=TrancheStatus.PAID),
    # The ledger (rows are append-only: violated by INSERT)
    "allocation_kind_valid": lambda w: new_entry(w, kind="gift"),
    "allocation_sign_matches_kind": lambda w: new_entry(w, amount=D("-1.00")),
    "allocation_to_a_tranche": lambda w: new_entry(w, tranche=None),
    "allocation_support_has_no_tranche": lambda w: new_entry(w, kind=AllocationKind.SUPPORT),
    "allocationpart_amount_not_zero": lambda w: AllocationPart.objects.create(
        allocation=new_entry(w), donation=w["donation"], amount=D("0.00")),
    "allocationpart_once_per_donation": lambda w: AllocationPart.objects.create(
        allocation=w["entry"], donation=w["donation"], amount=D("1.00")),
    # Bank statements
    "bankline_status_valid": lambda w: BankLine.objects.filter(pk=w["line"].pk).update(status="maybe"),
    "bankline_matched_has_donation": lambda w: BankLine.objects.filter(pk=w["line"].pk).update(donation=None),
    "bankline_amount_not_zero": lambda w: sql("UPDATE grants_bankline SET amount = 0 WHERE id = %s", w["line"].pk),
    # Grants in life
    "grantagreement_signed_has_copy": lambda w: GrantAgreement.objects.filter(pk=w["agreement"].pk).update(
        signed_at=timezone.now()),
    "bankdetails_status_valid": lambda w: BankDetails.objects.filter(pk=w["pending"].pk).update(status="maybe"),
    "bankdetails_four_eyes": lambda w: BankDetails.objects.filter(pk=w["pending"].pk).update(
        decided_by=w["contact"]),
    "bankdetails_decision_recorded": lambda w: BankDetails.objects.filter(pk=w["in_force"].pk).update(
        decided_at=None),
    "bankdetails_one_in_force_per_grant": lambda w: BankDetails.objects.filter(pk=w["pending"].pk).update(
        status=BankDetailsStatus.APPROVED, decided_by=w["staff"], decided_at=timezone.now()),
    "bankdetails_one_pending_per_grant": lambda w: BankDetails.objects.create(
        grant=w["grant"], payee=w["member"], holder="Autre", iban="FR7630006000011234567890189", bic="AGRIFRPP",
        requested_by=w["contact"]),
    "paymentrun_status_valid": lambda w: PaymentRun.objects.filter(pk=w["run"].pk).update(status="lost"),
    "paymentrun_paid_has_date": lambda w: PaymentRun.objects.filter(pk=w["run"].pk).update(
        status=PaymentRunStatus.PAID),
    "paymentrun_total_not_negative": lambda w: PaymentRun.objects.filter(pk=w["run"].pk).update(total=D("-1.00")),
    "payment_amount_positive": lambda w: Payment.objects.filter(pk=w["payment"].pk).update(amount=D("0.00")),
    "payment_status_valid": lambda w: Payment.objects.filter(pk=w["payment"].pk).update(status="lost"),
    "payment_once_per_tranche": lambda w: Payment.objects.create(
        run=w["run"], tranche=w["first"], bank_details=w["in_force"], amount=D("300.00"), end_to_end_id="JF-E2E-2"),
    "payment_paid_has_date": lambda w: Payment.objects.filter(pk=w["payment"].pk).update(
        status=PaymentStatus.PAID),
    "amendment_kind_valid": lambda w: Amendment.objects.filter(pk=w["amendment"].pk).update(kind="whim"),
    "amendment_recovery_not_negative": lambda w: Amendment.objects.filter(pk=w["amendment"].pk).update(
        kind=Amendment.Kind.TERMINATION, amount_to_recover=D("-1.00")),
    "amendment_recovery_only_on_termination": lambda w: Amendment.objects.filter(pk=w["amendment"].pk).update(
        amount_to_recover=D("10.00")),
    "grantreport_once_per_year": lambda w: GrantReport.objects.create(grant=w["grant"], year=1,
                                                                      due_on=timezone.localdate()),
    "grantreport_status_valid": lambda w: GrantReport.objects.filter(pk=w["report"].pk).update(status="lost"),
    "grantreport_year_range": lambda w: GrantReport.objects.filter(pk=w["report"].pk).update(year=11),
    "grantreport_submitted_has_date": lambda w: GrantReport.objects.filter(pk=w["report"].pk).update(
        status=ReportStatus.SUBMITTED),
    "grantreport_approved_has_review": lambda w: GrantReport.objects.filter(pk=w["report"].pk).update(
        status=ReportStatus.APPROVED, submitted_at=timezone.now()),
    "reportspending_once_per_category": lambda w: ReportSpending.objects.create(
        report=w["report"], category="facilitation", amount=D("1.00")),
    "reportspending_amount_not_negative": lambda w: ReportSpending.objects.filter(pk=w["spending"].pk).update(
        amount=D("-1.00")),
}

# More ways of breaking the same rules.
MORE_VIOLATIONS = {
    "reversal with a positive amount": ("allocation_sign_matches_kind", lambda w: new_entry(
        w, kind=AllocationKind.REVERSAL, amount=D("1.00"), reverses=w["entry"])),
    "reversal reversing nothing": ("allocation_sign_matches_kind", lambda w: new_entry(
        w, kind=AllocationKind.REVERSAL, amount=D("-1.00"))),
    "allocation pointing at a reversed entry": ("allocation_sign_matches_kind", lambda w: new_entry(
        w, reverses=w["entry"])),
    "zero allocation": ("allocation_sign_matches_kind", lambda w: new_entry(w, amount=D("0.00"))),
    "donation of zero inserted": ("donation_amount_positive", lambda w: Donation.objects.create(
        donor=w["donor"], amount=D("0.00"), received_on=timezone.localdate())),
    "allocated above the amount by raw SQL": ("donation_allocated_within_amount", lambda w: sql(
        "UPDATE grants_donation SET allocated = 1000.01 WHERE id = %s", w["donation"].pk)),
    "tranche funded above its amount via F()": ("tranche_funded_within_amount", lambda w: Tranche.objects.filter(
        pk=w["first"].pk).update(funded=F("funded") + D("200.01"))),
    "pool moved below zero via F()": ("pool_balance_not_negative", lambda w: Pool.objects.filter(pk=1).update(
        balance=F("balance") - D("950.01"))),
    "negative pledge inserted": ("pledge_amount_positive", lambda w: Pledge.objects.create(
        donor=w["donor"], amount=D("-5.00"), pledged_on=timezone.localdate())),
    "bank line matched without donation inserted": ("bankline_matched_has_donation", lambda w: BankLine.objects.create(
        statement=w["statement"], dedup_key="TX-2", booked_on=timezone.localdate(), amount=D("5.00"),
        status=BankLineStatus.MATCHED)),
}


def test_every_named_constraint_of_grants_is_exercised_here():
    """A constraint added to grants/models.py without a violation below fails this test."""
    names = {constraint.name for model in apps.get_app_config("grants").get_models()
             for constraint in model._meta.constraints}
    assert names == set(VIOLATIONS)


def _assert_refused(w, name, violate):
    before = state()
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        violate(w)
    message = str(refused.value)
    unique = name.endswith(("_once_per_grant", "_once_per_donation", "_once_per_donor", "_per_grant",
                            "_once_per_tranche", "_once_per_year", "_once_per_category"))
    if is_postgres() or not unique:  # SQLite names the columns of a UNIQUE failure, not the constraint
        assert name in message, message
    assert state() == before


@pytest.mark.parametrize("name", sorted(VIOLATIONS))
def test_a_write_breaking_a_named_constraint_raises_and_changes_nothing(world, name):
    _assert_refused(world, name, VIOLATIONS[name])


@pytest.mark.parametrize("case", sorted(MORE_VIOLATIONS))
def test_other_writes_breaking_the_rules_raise_and_change_nothing(world, case):
    name, violate = MORE_VIOLATIONS[case]
    _assert_refused(world, name, violate)


def test_valid_writes_within_the_constraints_pass(world):
    """The constraints are not stricter than the rules: the edges are allowed."""
    w = world
    with transaction.atomic():
        Donation.objects.filter(pk=w["donation"].pk).update(allocated=F("amount"))
        Tranche.objects.filter(pk=w["second"].pk).update(funded=F("amount"), status=TrancheStatus.PAID,
                                                         paid_at=timezone.now())
        Pool.objects.filter(pk=1).update(balance=D("0.00"))
        Donor.objects.filter(pk=w["donor"].pk).update(public=False, consent_recorded_at=None)
        new_entry(w, kind=AllocationKind.SUPPORT, tranche=None)
        new_entry(w, kind=AllocationKind.REVERSAL, amount=D("-100.00"), reverses=w["entry"])
        BankLine.objects.filter(pk=w["line"].pk).update(status=BankLineStatus.UNMATCHED, donation=None, amount=-5)
        transaction.set_rollback(True)


# --- Append-only ledger ----------------------------------------------------------------------------

LEDGER_WRITES = {
    "update an entry (ORM)": lambda w: Allocation.objects.filter(pk=w["entry"].pk).update(note="corrigé"),
    "update an entry's amount (SQL)": lambda w: sql("UPDATE grants_allocation SET amount = 99 WHERE id = %s",
                                                    w["entry"].pk),
    "delete an entry (SQL)": lambda w: sql("DELETE FROM grants_allocation WHERE id = %s", w["entry"].pk),
    "update a part (ORM)": lambda w: AllocationPart.objects.filter(allocation=w["entry"]).update(amount=D("99.00")),
    "update a part's donation (SQL)": lambda w: sql(
        "UPDATE grants_allocationpart SET donation_id = donation_id WHERE allocation_id = %s", w["entry"].pk),
    "delete a part (ORM)": lambda w: AllocationPart.objects.filter(allocation=w["entry"]).delete(),
    "delete a part (SQL)": lambda w: sql("DELETE FROM grants_allocationpart WHERE allocation_id = %s", w["entry"].pk),
    "delete every part (SQL)": lambda w: sql("DELETE FROM grants_allocationpart"),
}


@pytest.mark.parametrize("case", sorted(LEDGER_WRITES))
def test_ledger_rows_refuse_update_and_delete(world, case):
    """Entries and their attributions are append-only on both databases (SQLite and PostgreSQL
    triggers): even a no-op UPDATE or a DELETE raises, and the rows stay."""
    before = state()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        LEDGER_WRITES[case](world)
    assert state() == before


# --- PostgreSQL: a grant's tranches add up to its total, checked at commit ---------------------------


@pytest.mark.postgres
def test_tranches_that_no_longer_add_up_are_refused_when_the_constraints_are_checked(world):
    """Within a transaction, the deferred trigger waits; checked (as at commit), a tranche amount
    changed alone is refused by `grant_tranches_add_up_to_total`."""
    tranche = world["second"]
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        Tranche.objects.filter(pk=tranche.pk).update(amount=D("250.00"))
        assert Tranche.objects.get(pk=tranche.pk).amount == D("250.00")  # not refused yet
        sql("SET CONSTRAINTS ALL IMMEDIATE")
    assert refused.value.__cause__.diag.constraint_name == "grant_tranches_add_up_to_total"
    assert f"grant {world['grant'].pk}" in str(refused.value)
    tranche.refresh_from_db()
    assert tranche.amount == D("300.00")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.postgres
def test_on_commit_a_grant_must_add_up_but_may_pass_through_uneven_states(staff):
    """Committed: a tranche changed alone, a grant total changed alone, or a tranche deleted are
    refused at commit and leave the grant as it was; the same changes made together so that the grant
    adds up again commit."""
    ensure_static_data()
    grant = grant_for(amount_per_year="300.00", years=2)
    first, second = grant.tranches.order_by("number")

    with pytest.raises(IntegrityError, match=re.escape("tranches add up to 550.00, not 600.00")), transaction.atomic():
        Tranche.objects.filter(pk=second.pk).update(amount=D("250.00"))
    with pytest.raises(IntegrityError, match=re.escape("tranches add up to 600.00, not 700.00")), transaction.atomic():
        Grant.objects.filter(pk=grant.pk).update(total_amount=D("700.00"))
    with pytest.raises(IntegrityError, match=re.escape("tranches add up to 300.00, not 600.00")), transaction.atomic():
        Tranche.objects.filter(pk=second.pk).delete()
    assert list(grant.tranches.order_by("number").values_list("amount", flat=True)) == [D("300.00"), D("300.00")]
    grant.refresh_from_db()
    assert grant.total_amount == D("600.00")

    with transaction.atomic():
        Tranche.objects.filter(pk=first.pk).update(amount=D("200.00"))
        Tranche.objects.filter(pk=second.pk).update(amount=D("400.00"))
    with transaction.atomic():
        Grant.objects.filter(pk=grant.pk).update(total_amount=D("700.00"))
        Tranche.objects.filter(pk=second.pk).update(amount=D("500.00"))
    assert sum(grant.tranches.values_list("amount", flat=True)) == D("700.00")
    assert services.ledger_differences() == []
