"""A published selection becomes a grant, through the `decision_published` signal: once, with its
tranches adding up to the total; declines and waitlistings make none."""

from datetime import date
from decimal import Decimal

import pytest

from applications import services as applications
from applications.models import Outcome
from grants.models import Grant, GrantStatus, TrancheCondition
from tests.applications.factories import CallFactory, committee_for, open_round, submitted_application

pytestmark = pytest.mark.django_db


def test_publishing_a_selection_prepares_its_grant_once(staff, django_capture_on_commit_callbacks):
    call = CallFactory()
    selected, declined = (submitted_application(call=call, name=name) for name in ("Collectif A", "Collectif B"))
    committee_for(call, staff=staff, size=2)
    review_round = open_round(call, staff=staff)
    applications.decision_record(application=selected, review_round=review_round, outcome=Outcome.SELECTED,
                                 actor=staff, rationale="Solide", amount_per_year=Decimal("25000.00"), years=3)
    applications.decision_record(application=declined, review_round=review_round, outcome=Outcome.DECLINED,
                                 actor=staff, rationale="Hors champ", reasons="Pas de programme commun.")
    assert not Grant.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        applications.round_publish(review_round=review_round, actor=staff)
    grant = Grant.objects.get()
    assert grant.application_id == selected.pk and grant.status == GrantStatus.AGREEMENT_PENDING
    assert grant.total_amount == Decimal("75000.00") and grant.years == 3
    assert grant.start_date.day == 1 and grant.start_date > date.today().replace(day=1)
    tranches = list(grant.tranches.order_by("number"))
    assert [t.amount for t in tranches] == [Decimal("25000.00")] * 3
    assert [t.condition for t in tranches] == [TrancheCondition.AGREEMENT_SIGNED, TrancheCondition.REPORT_APPROVED,
                                               TrancheCondition.REPORT_APPROVED]
    assert [t.condition_year for t in tranches] == [None, 1, 2]
    assert [t.due_on.year - grant.start_date.year for t in tranches] == [0, 1, 2]
    # The task runs again (a retry, a second publication): still one grant.
    from grants.tasks import grant_from_decision_task

    grant_from_decision_task(selected.decisions.get().pk)
    assert Grant.objects.count() == 1
