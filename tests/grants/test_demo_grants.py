"""seed_demo's money: donors of each kind, pledges and donations, the past call's grants with funded
and unfunded tranches, a support spending, a reversed entry and money left in the pool — a sound
ledger, loaded once however many times seed_demo runs.

Also the grants in life (#7): agreements signed, bank details approved by a second staff member and a
change waiting, a paid run, an amendment, and a report in each state.

Few tests: loading the demo takes seconds."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from grants.models import (
    Allocation,
    AllocationKind,
    AllocationPart,
    Amendment,
    BankDetails,
    BankDetailsStatus,
    BankLine,
    BankLineStatus,
    Donation,
    Donor,
    DonorContact,
    Grant,
    GrantAgreement,
    GrantReport,
    GrantStatus,
    Payment,
    PaymentRun,
    PaymentRunStatus,
    Pledge,
    Pool,
    ReportStatus,
    Tranche,
    TrancheStatus,
)
from grants.services import ledger_differences

pytestmark = pytest.mark.django_db

MODELS = (Donor, DonorContact, Pledge, Donation, Grant, Tranche, Allocation, AllocationPart, GrantAgreement,
          BankDetails, PaymentRun, Payment, Amendment, GrantReport)


@pytest.fixture(autouse=True)
def fund_account(settings):
    """The fund's own account, as the dev settings give it: the demo's payment run needs it."""
    settings.BANK_ACCOUNT_IBAN = "FR7630006000011234567890189"
    settings.BANK_ACCOUNT_BIC = "AGRIFRPP"


def counts():
    return {model.__name__: model.objects.count() for model in MODELS} | {"pool": Pool.current().balance}


def test_the_demo_has_donors_money_grants_and_a_sound_ledger():
    call_command("seed_demo")

    # Donors of each kind: one anonymous, one restricted to food; the demo donor account is a contact.
    assert set(Donor.objects.values_list("kind", flat=True)) == set(Donor.Kind.values)
    assert Donor.objects.filter(public=False, kind=Donor.Kind.PERSON).exists()
    assert not Donor.objects.filter(public=True, consent_recorded_at__isnull=True).exists()
    assert DonorContact.objects.filter(user__email="donateur@demo.joinforces.fr").exists()
    assert Donor.objects.exclude(bank_accounts=[]).exclude(bank_label_keywords=[]).exists()
    restricted = Donation.objects.get(restricted=True, donor__kind=Donor.Kind.ORGANISATION)
    assert list(restricted.themes.values_list("code", flat=True)) == ["food"]
    # The demo donor account's foundation gave for ageing too: its dashboard shows where that went.
    ageing = Donation.objects.get(restricted=True, donor__kind=Donor.Kind.FOUNDATION)
    assert set(AllocationPart.objects.filter(donation=ageing).values_list(
        "allocation__grant__application__name", flat=True)) == {"Collectif Bien Vieillir en Ardèche"}

    # Pledges: one received in several parts, one not received yet; donations in the past.
    assert Pledge.objects.filter(donations__isnull=True).exists()
    assert any(pledge.donations.count() >= 2 for pledge in Pledge.objects.all())
    assert Donation.objects.count() >= 5
    assert not Donation.objects.filter(received_on__gt=timezone.localdate()).exists()

    # The past call's four selections are grants, their first tranches funded (two of them paid) and
    # the later ones not.
    assert Grant.objects.filter(application__call__slug="appel-2026-premiers-pas").count() == 4
    assert Tranche.objects.filter(number=1, funded=F("amount")).count() == 4
    assert Tranche.objects.filter(number=1, funded=F("amount"), status=TrancheStatus.PAID).count() == 2
    assert Tranche.objects.filter(number__gt=1, funded=0).count() == 8
    # Two years of donations; the donation restricted to food went to the food initiative.
    assert Donation.objects.filter(received_on__lt=timezone.localdate() - timezone.timedelta(days=365)).exists()
    assert set(AllocationPart.objects.filter(donation=restricted).values_list(
        "allocation__grant__application__themes__code", flat=True)) >= {"food"}
    # A support spending, an entry reversed with its reason, and money left in the pool.
    assert Allocation.objects.get(kind=AllocationKind.SUPPORT).reference == "Facture Médiation 2026-014"
    reversal = Allocation.objects.get(kind=AllocationKind.REVERSAL)
    assert reversal.amount == -reversal.reverses.amount and reversal.note
    assert Pool.current().balance > Decimal("10000.00")

    # This month's statement: two unknown gifts wait to be reconciled, the bank's fee is set aside.
    assert sorted(BankLine.objects.filter(status=BankLineStatus.UNMATCHED).values_list("amount", flat=True)) == [
        Decimal("250.00"), Decimal("1200.00")]

    assert ledger_differences() == []
    call_command("check_ledger")  # raises CommandError on any difference


def test_the_demo_grants_are_in_life():
    call_command("seed_demo")
    today = timezone.localdate()
    mine = Grant.objects.get(application__created_by__email="candidat@demo.joinforces.fr")
    other = Grant.objects.get(application__name="Fusion des épiceries solidaires de Gironde")

    # A year into their life: the first year ends within a month; both agreements produced and signed.
    for grant in (mine, other):
        assert grant.status == GrantStatus.ACTIVE
        assert today < grant.start_date.replace(year=grant.start_date.year + 1) <= today + timezone.timedelta(days=31)
        agreement = grant.agreement
        assert agreement.document and agreement.signed_copy and agreement.signed_at
        assert agreement.signed_by == grant.application.created_by

    # Bank details: approved by a staff member other than the one who asked; a change waits on the other.
    for grant in (mine, other):
        approved = BankDetails.objects.get(grant=grant, status=BankDetailsStatus.APPROVED)
        assert approved.decided_by.email == "equipe2@equipe.demo.joinforces.fr"
        assert approved.decided_by != approved.requested_by
    assert not BankDetails.objects.filter(grant=mine, status=BankDetailsStatus.PENDING).exists()
    assert BankDetails.objects.filter(grant=other, status=BankDetailsStatus.PENDING).count() == 1

    # One run, executed today, paid both first tranches.
    run = PaymentRun.objects.get()
    assert run.status == PaymentRunStatus.PAID and run.paid_on == today and run.bank_reference
    assert run.file and run.total == Decimal("80000.00")
    assert set(run.payments.values_list("tranche__number", flat=True)) == {1}

    # An amendment moved the other grant's third tranche later, with reason and agreement.
    amendment = Amendment.objects.get()
    assert amendment.grant == other and amendment.reason and amendment.grantee_agreement
    assert other.tranches.get(number=3).due_on > mine.tranches.get(number=3).due_on

    # A report in each state; the approved year-1 report met tranche 2's condition.
    assert {(r.grant_id, r.year): r.status for r in GrantReport.objects.all()} == {
        (mine.pk, 1): ReportStatus.APPROVED, (mine.pk, 2): ReportStatus.CHANGES_REQUESTED,
        (other.pk, 1): ReportStatus.SUBMITTED, (other.pk, 2): ReportStatus.DRAFT}
    assert mine.tranches.get(number=2).condition_met_at is not None
    assert other.tranches.get(number=2).condition_met_at is None
    assert GrantReport.objects.get(grant=mine, year=1).spending.exists()

    assert ledger_differences() == []


def test_running_seed_demo_twice_changes_nothing():
    call_command("seed_demo")
    first = counts()
    assert first["Donor"] == 4 and first["Allocation"] == 7
    assert first["PaymentRun"] == 1 and first["GrantReport"] == 4 and first["Amendment"] == 1
    call_command("seed_demo")
    assert counts() == first
    call_command("check_ledger")
