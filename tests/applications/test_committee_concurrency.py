"""Decisions stay consistent when eight people record or publish at the same instant (DESIGN §2
concurrency pattern): one pending decision per application at most, each decision published once."""

import time
from decimal import Decimal

import pytest

from applications import services
from applications.models import Decision, Outcome
from applications.services import ApplicationError
from applications.tasks import decision_letter_task
from joinforces.core.models import AuditEvent

# serialized_rollback: the reference data (territories) come back after the flush, and the flush does
# not recreate content types under new ids (which would break the next serialized test).
from tests.concurrency import run_together
from tests.conftest import ensure_static_data
from tests.factories import StaffFactory

from .factories import CallFactory, committee_for, open_round, submitted_application

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

THREADS = 8


@pytest.fixture
def no_letters(monkeypatch):
    """The decision letters (WeasyPrint, email) are another test's business: record the enqueued ids."""
    enqueued = []
    monkeypatch.setattr(decision_letter_task, "delay", lambda decision_id: enqueued.append(decision_id))
    return enqueued


@pytest.fixture
def world():
    ensure_static_data()
    staff = StaffFactory()
    call = CallFactory()
    applications = [submitted_application(call=call, name=f"Collectif {n}") for n in range(3)]
    committee_for(call, staff=staff, size=2)
    review_round = open_round(call, staff=staff)
    return staff, call, applications, review_round


def record(staff, application, review_round, n):
    outcome = [Outcome.SELECTED, Outcome.DECLINED, Outcome.WAITLISTED][n % 3]
    extra = {"amount_per_year": Decimal(10000 + n), "years": 2} if outcome == Outcome.SELECTED else {}
    return services.decision_record(application=application, review_round=review_round, outcome=outcome,
                                    actor=staff, rationale=f"Avis {n}.", reasons=f"Raison {n}.", **extra)


def test_eight_concurrent_decisions_on_one_application_leave_one_pending_decision(world, no_letters):
    """Each of the eight records its decision, one after the other: the first creates the pending
    decision, the seven others change it; never two pending decisions."""
    staff, _call, applications, review_round = world
    application = applications[0]

    successes, refusals, errors = run_together(
        lambda n: record(staff, application, review_round, n).pk, list(range(THREADS)), refused=(ApplicationError,))

    assert not errors, errors
    assert len(successes) + len(refusals) == THREADS
    assert len(successes) == THREADS and len(set(successes)) == 1
    assert Decision.objects.filter(application=application).count() == 1
    assert Decision.objects.pending().filter(application=application).count() == 1
    decided = AuditEvent.objects.filter(action="applications.decided", target_id=str(application.pk))
    assert decided.count() == THREADS
    assert sum(1 for event in decided if event.before is None) == 1


def test_eight_concurrent_publications_publish_each_decision_once(world, no_letters):
    """Eight staff publish the same round at once: one publishes the three decisions, the others
    find nothing left to publish; each decision is published, audited and lettered once."""
    staff, _call, applications, review_round = world
    for n, application in enumerate(applications):
        record(staff, application, review_round, n)
    publishers = [staff] + [StaffFactory() for _ in range(THREADS - 1)]

    successes, refusals, errors = run_together(
        lambda actor: [d.pk for d in services.round_publish(review_round=review_round, actor=actor)], publishers,
        refused=(ApplicationError,))

    assert not errors, errors
    assert len(successes) + len(refusals) == THREADS
    decisions = list(Decision.objects.filter(round=review_round))
    assert len(decisions) == 3 and all(d.is_published for d in decisions)
    published = sorted(pk for batch in successes for pk in batch)
    assert published == sorted(d.pk for d in decisions)
    assert sorted(no_letters) == published
    for decision in decisions:
        assert AuditEvent.objects.filter(action="applications.decision_published",
                                         after__decision=decision.pk).count() == 1
    statuses = {a.pk: a.status for a in type(applications[0]).objects.filter(pk__in=[a.pk for a in applications])}
    assert {statuses[d.application_id] for d in decisions} == {d.outcome for d in decisions}


def test_concurrent_decisions_and_publications_stay_consistent(world, no_letters, monkeypatch):
    """Four record a decision on one application while four publish the round: at most one pending
    decision per application, each decision published once, and no error.

    To make the race certain rather than likely, a recorder pauses half a second once it holds the
    application's lock (inside the decider check), so that the publishers meanwhile lock the
    round's pending decision. Both services must take their locks in the same order (application,
    then decision) or PostgreSQL finds a deadlock here."""
    staff, _call, applications, review_round = world
    application = applications[0]
    record(staff, application, review_round, 2)  # waitlisted: a later decision may follow it
    others = [StaffFactory() for _ in range(THREADS)]
    from applications.services import committee

    check_decider = committee._check_decider

    def slow_check_decider(actor, locked):
        time.sleep(0.5)
        return check_decider(actor, locked)

    monkeypatch.setattr(committee, "_check_decider", slow_check_decider)

    def work(n):
        if n % 2:
            return ("published", [d.pk for d in services.round_publish(review_round=review_round, actor=others[n])])
        return ("recorded", record(others[n], application, review_round, n).pk)

    successes, refusals, errors = run_together(work, list(range(THREADS)), refused=(ApplicationError,))

    assert not errors, errors
    assert len(successes) + len(refusals) == THREADS
    assert Decision.objects.pending().filter(application=application).count() <= 1
    for decision in Decision.objects.filter(application=application):
        events = AuditEvent.objects.filter(action="applications.decision_published", after__decision=decision.pk)
        assert events.count() == (1 if decision.is_published else 0)
    published = [pk for kind, value in successes if kind == "published" for pk in value]
    assert len(published) == len(set(published))
    assert sorted(no_letters) == sorted(published)
