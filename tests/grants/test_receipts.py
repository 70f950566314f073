"""Tax receipts (cerfa n° 11580): the amount in words, the PDF, the numbering, once per donation."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from grants import services
from grants.models import Donation, Donor
from grants.receipts import amount_in_words_fr, donation_receipt_issue, payment_mode
from grants.services import GrantError
from joinforces.core.models import AuditEvent
from tests.conftest import ensure_static_data
from tests.pdf import pdf_text

from .factories import DonorFactory, receive

pytestmark = pytest.mark.django_db


def receipt_text(donation: Donation) -> str:
    with donation.receipt.open("rb") as handle:
        return pdf_text(handle.read())


# --- The amount in words -----------------------------------------------------------------------


@pytest.mark.parametrize(("amount", "words"), [
    ("0.01", "un centime"),
    ("0.50", "cinquante centimes"),
    ("0", "zéro euro"),
    ("1", "un euro"),
    ("1.01", "un euro et un centime"),
    ("2", "deux euros"),
    ("16", "seize euros"),
    ("17", "dix-sept euros"),
    ("21", "vingt et un euros"),
    ("22", "vingt-deux euros"),
    ("31", "trente et un euros"),
    ("61", "soixante et un euros"),
    ("70", "soixante-dix euros"),
    ("71", "soixante et onze euros"),
    ("72", "soixante-douze euros"),
    ("77", "soixante-dix-sept euros"),
    ("80", "quatre-vingts euros"),
    ("81", "quatre-vingt-un euros"),
    ("90", "quatre-vingt-dix euros"),
    ("91", "quatre-vingt-onze euros"),
    ("99", "quatre-vingt-dix-neuf euros"),
    ("100", "cent euros"),
    ("101", "cent un euros"),
    ("180", "cent quatre-vingts euros"),
    ("200", "deux cents euros"),
    ("201", "deux cent un euros"),
    ("1000", "mille euros"),
    ("1001", "mille un euros"),
    ("1250.50", "mille deux cent cinquante euros et cinquante centimes"),
    ("2000", "deux mille euros"),
    ("21000", "vingt et un mille euros"),
    ("80000", "quatre-vingt mille euros"),
    ("200000", "deux cent mille euros"),
    ("280080", "deux cent quatre-vingt mille quatre-vingts euros"),
    ("1000000", "un million d'euros"),
    ("2000000", "deux millions d'euros"),
    ("2000001", "deux millions un euros"),
    ("1200000", "un million deux cent mille euros"),
    ("200000000", "deux cents millions d'euros"),
    ("80000000", "quatre-vingts millions d'euros"),
    ("1000000000", "un milliard d'euros"),
    ("3500000000.99", "trois milliards cinq cents millions d'euros et quatre-vingt-dix-neuf centimes"),
])
def test_amount_in_words_follows_the_french_rules(amount, words):
    assert amount_in_words_fr(Decimal(amount)) == words


def test_amount_in_words_refuses_a_negative_amount():
    with pytest.raises(ValueError):
        amount_in_words_fr(Decimal("-1"))


@pytest.mark.parametrize(("reference", "mode"), [
    ("", "transfer"), ("VIR SEPA FONDATION X", "transfer"), ("Chèque n° 1234567", "cheque"),
    ("CHQ 42", "cheque"), ("remise d'espèces", "cash"),
])
def test_the_mode_of_payment_comes_from_the_reference(reference, mode):
    assert payment_mode(reference) == mode


# --- The receipt -------------------------------------------------------------------------------


def test_the_receipt_follows_the_official_form(staff, settings):
    donor = DonorFactory(kind=Donor.Kind.PERSON, name="Camille Dupont", address="3 rue des Lilas",
                         postcode="69003", city="Lyon")
    donation = services.donation_receive(donor=donor, amount=Decimal("1250.50"), received_on=date(2026, 3, 14),
                                         actor=staff, reference="Chèque n° 0012345")

    donation = donation_receipt_issue(donation_id=donation.pk)

    assert donation.receipt_number == "RF-2026-00001"
    assert donation.receipt.name.endswith(".pdf")
    text = receipt_text(donation)
    issuer = settings.TAX_RECEIPT_ISSUER
    assert "Reçu au titre des dons à certains organismes d'intérêt général" in text.replace("’", "'")
    assert "11580" in text and "RF-2026-00001" in text
    assert "Bénéficiaire des versements" in text and issuer["name"] in text and issuer["address"] in text
    assert "Fonds de dotation" in text
    assert "Donateur" in text and "Camille Dupont" in text and "3 rue des Lilas" in text and "69003 Lyon" in text
    assert "1 250,50 €" in text
    assert "mille deux cent cinquante euros et cinquante centimes" in text
    assert "14/03/2026" in text
    assert "☒ 200 du CGI" in text
    assert "☐ 238 bis du CGI" in text
    assert "☒ Déclaration de don manuel" in text and "☒ Numéraire" in text
    assert "☒ Chèque" in text and "☐ Virement" in text
    assert f"Date : {timezone.localdate():%d/%m/%Y}" in text
    assert "Date et signature" in text and "La présidente du fonds de dotation" in text
    event = AuditEvent.objects.get(action="grants.receipt_issued")
    assert event.target_id == str(donation.pk) and event.after["number"] == "RF-2026-00001"


def test_a_foundation_gets_article_238_bis_and_a_transfer_by_default(staff):
    donor = DonorFactory(kind=Donor.Kind.FOUNDATION, name="Fondation Les Communs")
    donation = receive(donor, "80", staff=staff, on=date(2026, 5, 2))

    text = receipt_text(donation_receipt_issue(donation_id=donation.pk))

    assert "Fondation Les Communs" in text
    assert "☐ 200 du CGI" in text
    assert "☒ 238 bis du CGI" in text
    assert "quatre-vingts euros" in text
    assert "☒ Virement" in text and "☐ Chèque" in text


def test_numbers_are_sequential_within_each_year_and_one_per_donation(staff):
    donor = DonorFactory()
    first = receive(donor, "100", staff=staff, on=date(2026, 1, 10))
    earlier_year = receive(donor, "50", staff=staff, on=date(2025, 12, 30))
    second = receive(donor, "200", staff=staff, on=date(2026, 2, 1))

    first = donation_receipt_issue(donation_id=first.pk)
    stored = first.receipt.name
    assert donation_receipt_issue(donation_id=earlier_year.pk).receipt_number == "RF-2025-00001"
    again = donation_receipt_issue(donation_id=first.pk)
    second = donation_receipt_issue(donation_id=second.pk)

    assert first.receipt_number == again.receipt_number == "RF-2026-00001"
    assert again.receipt.name == stored
    assert second.receipt_number == "RF-2026-00002"
    assert AuditEvent.objects.filter(action="grants.receipt_issued").count() == 3
    numbers = list(Donation.objects.exclude(receipt_number=None).values_list("receipt_number", flat=True))
    assert sorted(numbers) == ["RF-2025-00001", "RF-2026-00001", "RF-2026-00002"]


def test_the_next_number_follows_the_greatest_even_past_five_digits(staff):
    donor = DonorFactory()
    Donation.objects.filter(pk=receive(donor, "10", staff=staff, on=date(2026, 1, 1)).pk).update(
        receipt_number="RF-2026-99999")
    Donation.objects.filter(pk=receive(donor, "10", staff=staff, on=date(2026, 1, 1)).pk).update(
        receipt_number="RF-2026-100000")
    donation = receive(donor, "10", staff=staff, on=date(2026, 6, 1))

    assert donation_receipt_issue(donation_id=donation.pk).receipt_number == "RF-2026-100001"


def test_a_number_given_before_a_failed_rendering_is_kept(staff, monkeypatch):
    """The number is given first; if the PDF fails, the retry renders it under the same number."""
    donation = receive(DonorFactory(), "10", staff=staff, on=date(2026, 4, 1))

    def broken(*args, **kwargs):
        raise OSError("fonts missing")

    monkeypatch.setattr("joinforces.core.pdf.render_pdf", broken)
    with pytest.raises(OSError):
        donation_receipt_issue(donation_id=donation.pk)
    monkeypatch.undo()
    donation.refresh_from_db()
    assert donation.receipt_number == "RF-2026-00001" and not donation.receipt

    donation = donation_receipt_issue(donation_id=donation.pk)
    assert donation.receipt_number == "RF-2026-00001" and donation.receipt


def test_refused_when_tax_receipts_are_not_enabled(staff, settings):
    donation = receive(DonorFactory(), "10", staff=staff)
    settings.TAX_RECEIPTS_ENABLED = False

    with pytest.raises(GrantError):
        donation_receipt_issue(donation_id=donation.pk)
    donation.refresh_from_db()
    assert donation.receipt_number is None and not donation.receipt


def test_the_task_issues_the_receipt_once_the_donation_is_committed(staff, django_capture_on_commit_callbacks):
    donor = DonorFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        donation = receive(donor, "500", staff=staff, on=date(2026, 9, 1))
    assert len(callbacks) == 1
    donation.refresh_from_db()
    assert donation.receipt_number is None  # nothing before the commit

    for callback in callbacks:
        callback()
    donation.refresh_from_db()
    assert donation.receipt_number == "RF-2026-00001" and donation.receipt
    assert "cinq cents euros" in receipt_text(donation)


def test_no_task_when_tax_receipts_are_not_enabled(staff, settings, django_capture_on_commit_callbacks):
    settings.TAX_RECEIPTS_ENABLED = False
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        donation = receive(DonorFactory(), "500", staff=staff)
    assert callbacks == []
    donation.refresh_from_db()
    assert donation.receipt_number is None


# --- Concurrency (PostgreSQL) ------------------------------------------------------------------

THREADS = 6


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_issues_get_distinct_sequential_numbers(django_user_model):
    ensure_static_data()
    staff = django_user_model.objects.create_user(email="tresorerie@example.org", password="x")
    donor = Donor.objects.create(kind=Donor.Kind.FOUNDATION, name="Fondation Concurrence")
    donations = [Donation.objects.create(donor=donor, amount=Decimal("10.00"), received_on=date(2026, 2, 2),
                                         created_by=staff) for _ in range(THREADS)]
    # Two threads per donation for half of them: a donation still gets one number.
    targets = [d.pk for d in donations] + [d.pk for d in donations[: THREADS // 2]]
    barrier = threading.Barrier(len(targets))
    errors = []

    def issue(donation_id):
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = '10s'")
            barrier.wait(timeout=10)
            donation_receipt_issue(donation_id=donation_id)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue, args=(pk,)) for pk in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors, errors
    assert not any(thread.is_alive() for thread in threads)
    numbers = sorted(Donation.objects.filter(donor=donor).values_list("receipt_number", flat=True))
    assert numbers == [f"RF-2026-{n:05d}" for n in range(1, THREADS + 1)]
    assert all(Donation.objects.filter(donor=donor).values_list("receipt", flat=True))
    assert AuditEvent.objects.filter(action="grants.receipt_issued").count() == THREADS
