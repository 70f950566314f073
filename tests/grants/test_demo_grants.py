"""seed_demo's money: donors of each kind, pledges and donations, the past call's grants with funded
and unfunded tranches, a support spending, a reversed entry and money left in the pool — a sound
ledger, loaded once however many times seed_demo runs.

Two tests only: loading the demo takes seconds."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from grants.models import (
    Allocation,
    AllocationKind,
    AllocationPart,
    Donation,
    Donor,
    DonorContact,
    Grant,
    Pledge,
    Pool,
    Tranche,
)
from grants.services import ledger_differences

pytestmark = pytest.mark.django_db

MODELS = (Donor, DonorContact, Pledge, Donation, Grant, Tranche, Allocation, AllocationPart)


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
    restricted = Donation.objects.get(restricted=True)
    assert list(restricted.themes.values_list("code", flat=True)) == ["food"]
    assert restricted.donor.kind == Donor.Kind.ORGANISATION

    # Pledges: one received in several parts, one not received yet; donations in the past.
    assert Pledge.objects.filter(donations__isnull=True).exists()
    assert any(pledge.donations.count() >= 2 for pledge in Pledge.objects.all())
    assert Donation.objects.count() >= 5
    assert not Donation.objects.filter(received_on__gt=timezone.localdate()).exists()

    # The past call's two selections are grants, their first tranches funded and the later ones not.
    assert Grant.objects.filter(application__call__slug="appel-2026-premiers-pas").count() == 2
    assert Tranche.objects.filter(number=1, funded=F("amount")).count() == 2
    assert Tranche.objects.filter(number__gt=1, funded=0).count() == 4
    # A support spending, an entry reversed with its reason, and money left in the pool.
    assert Allocation.objects.get(kind=AllocationKind.SUPPORT).reference == "Facture Médiation 2026-014"
    reversal = Allocation.objects.get(kind=AllocationKind.REVERSAL)
    assert reversal.amount == -reversal.reverses.amount and reversal.note
    assert Pool.current().balance > Decimal("10000.00")

    assert ledger_differences() == []
    call_command("check_ledger")  # raises CommandError on any difference


def test_running_seed_demo_twice_changes_nothing():
    call_command("seed_demo")
    first = counts()
    assert first["Donor"] == 4 and first["Allocation"] == 5
    call_command("seed_demo")
    assert counts() == first
    call_command("check_ledger")
