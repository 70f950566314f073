"""A tranche is never paid twice, even when staff prepare payment runs at the same instant (DESIGN §2
concurrency pattern): eight threads prepare runs over the same payable tranches, and each tranche ends
in exactly one live run; eight threads mark the same run paid, and it is recorded once."""

from collections import Counter

import pytest
from django.db.models import Count
from django.utils import timezone

from grants import payments, services
from grants.models import Payment, PaymentRun, PaymentRunStatus, PaymentStatus, Tranche, TrancheStatus
from grants.selectors import fund_figures
from grants.services import GrantError
from tests.concurrency import run_together
from tests.conftest import ensure_static_data
from tests.factories import StaffFactory

from .test_ledger_concurrency import THREADS
from .test_payments import FUND_BIC, FUND_IBAN, ready

# serialized_rollback: the reference data (territories, themes) come back after the flush.
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def world(settings):
    """Eight staff members (and one more who approved the bank details) and four tranches ready to
    be paid."""
    settings.TAX_RECEIPTS_ENABLED = False
    settings.BANK_ACCOUNT_IBAN = FUND_IBAN
    settings.BANK_ACCOUNT_BIC = FUND_BIC
    ensure_static_data()
    staff = [StaffFactory() for _ in range(THREADS)]
    approver = StaffFactory()
    tranches = [ready(staff[0], approver, amount=f"{1000 * (n + 1)}.00") for n in range(4)]
    assert set(payments.payable_tranches().values_list("pk", flat=True)) == {t.pk for t in tranches}
    return staff, tranches


def live_runs_by_tranche():
    return Counter(Payment.objects.exclude(status=PaymentStatus.CANCELLED).values_list("tranche_id", flat=True))


def test_eight_runs_prepared_at_once_never_include_the_same_tranche(world):
    """Four staff take every payable tranche, four others pairs of tranches that overlap, all at
    once: each tranche is in exactly one live run; every other attempt is refused with a clear
    message and leaves nothing behind."""
    staff, tranches = world
    pairs = [[tranches[n], tranches[(n + 1) % 4]] for n in range(4)]
    choices = {actor.pk: (None if n < 4 else pairs[n - 4]) for n, actor in enumerate(staff)}
    execution = timezone.localdate()

    successes, refusals, errors = run_together(
        lambda actor: payments.payment_run_prepare(actor=actor, execution_date=execution,
                                                   tranches=choices[actor.pk]).pk, staff, refused=(GrantError,))

    assert not errors, errors
    assert len(successes) + len(refusals) == THREADS
    assert successes
    assert all("already in another payment run" in r.message or "No tranche is ready" in r.message
               for r in refusals), [r.message for r in refusals]
    assert live_runs_by_tranche() == Counter({tranche.pk: 1 for tranche in tranches})
    assert sorted(PaymentRun.objects.values_list("pk", flat=True)) == sorted(successes)
    for run in PaymentRun.objects.annotate(n=Count("payments")):
        assert run.status == PaymentRunStatus.PREPARED and run.n >= 1
        content = run.file.open("rb").read().decode()
        assert f"<NbOfTxs>{run.n}</NbOfTxs>" in content
    assert services.ledger_differences() == []


def test_eight_runs_of_the_same_tranche_at_once_make_exactly_one(world):
    staff, tranches = world
    execution = timezone.localdate()

    successes, refusals, errors = run_together(
        lambda actor: payments.payment_run_prepare(actor=actor, execution_date=execution,
                                                   tranches=[tranches[0]]).pk, staff, refused=(GrantError,))

    assert not errors, errors
    assert len(successes) == 1 and len(refusals) == THREADS - 1
    assert all("already in another payment run" in r.message for r in refusals), [r.message for r in refusals]
    assert live_runs_by_tranche() == Counter({tranches[0].pk: 1})
    assert PaymentRun.objects.count() == 1


def test_eight_staff_marking_the_same_run_paid_at_once_record_it_once(world):
    staff, tranches = world
    run = payments.payment_run_prepare(actor=staff[0], execution_date=timezone.localdate())
    today = timezone.localdate()

    successes, refusals, errors = run_together(
        lambda actor: payments.payment_run_mark_paid(run=run, actor=actor, paid_on=today,
                                                     bank_reference=f"VIR-{actor.pk}").pk, staff, refused=(GrantError,))

    assert not errors, errors
    assert len(successes) == 1 and len(refusals) == THREADS - 1
    assert all("already marked paid" in r.message for r in refusals), [r.message for r in refusals]
    assert set(Tranche.objects.values_list("status", flat=True)) == {TrancheStatus.PAID}
    assert Payment.objects.filter(status=PaymentStatus.PAID).count() == len(tranches)
    assert fund_figures().paid == sum(t.amount for t in tranches)
    assert services.ledger_differences() == []
