"""A bank statement imported eight times at the same instant: each line once, each donation once
(DESIGN §2 concurrency pattern)."""

import threading
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.db.models import Sum

from grants import banking, services
from grants.models import BankLine, BankStatement, Donation, Pool
from grants.services import GrantError
from joinforces.accounts.models import Role
from tests.conftest import ensure_static_data
from tests.factories import ROLE_FACTORIES

from .factories import DonorFactory

# serialized_rollback: the reference data (territories) come back after the flush, and the flush does
# not recreate content types under new ids (which would break the next serialized test).
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

THREADS = 8
DATA = Path(__file__).parent / "data"
# One line without a bank id (identified by its hash), a credit of a recognised donor.
ONE_LINE = "Date;Libellé;Crédit;Débit\r\n08/10/2026;VIR SEPA M JEAN MARTIN DON JOIN FORCES;50,00;\r\n".encode("cp1252")


def import_at_once(data: bytes, bank: str, name: str):
    staff = ROLE_FACTORIES[Role.STAFF]()
    Pool.current()
    barrier = threading.Barrier(THREADS)
    successes, refusals, errors = [], [], []

    def run(n):
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = '5s'")
            barrier.wait(timeout=10)
            statement = banking.bank_statement_import(file=ContentFile(data, name=name), format="csv", bank=bank,
                                                      actor=staff)
            successes.append(statement.lines_new)
        except GrantError:
            refusals.append(n)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert not errors, errors
    assert not any(thread.is_alive() for thread in threads)
    assert len(successes) + len(refusals) == THREADS
    return successes


def assert_each_line_and_donation_once(lines: int):
    assert BankLine.objects.count() == lines
    assert BankLine.objects.values("dedup_key").distinct().count() == lines
    assert sum(BankStatement.objects.values_list("lines_new", flat=True)) == lines
    matched = BankLine.objects.filter(donation__isnull=False)
    assert Donation.objects.count() == matched.count()
    received = Donation.objects.aggregate(total=Sum("amount"))["total"]
    assert received == matched.aggregate(total=Sum("amount"))["total"]
    assert Pool.current().balance == received
    assert services.ledger_differences() == []


def test_eight_imports_of_the_same_statement_at_once_create_each_line_and_donation_once():
    ensure_static_data()
    DonorFactory(name="Fondation du Lien Social", bank_label_keywords=["lien social"])
    DonorFactory(name="Entreprises solidaires et territoires", bank_label_keywords=["solidaires et territoires"])
    successes = import_at_once((DATA / "releve_credit_cooperatif.csv").read_bytes(), "credit_cooperatif",
                               "releve.csv")
    assert len(successes) == THREADS and sorted(successes) == [0] * (THREADS - 1) + [5]
    assert_each_line_and_donation_once(5)
    assert Pool.current().balance == Decimal("37500.00")


def test_eight_imports_of_the_same_line_without_a_bank_id_at_once_create_it_once():
    ensure_static_data()
    DonorFactory(name="Jean Martin", kind="person", bank_label_keywords=["jean martin"])
    successes = import_at_once(ONE_LINE, "la_banque_postale", "releve.csv")
    assert len(successes) == THREADS and sorted(successes) == [0] * (THREADS - 1) + [1]
    assert_each_line_and_donation_once(1)
    assert Pool.current().balance == Decimal("50.00")
