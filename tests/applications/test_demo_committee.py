"""seed_demo's selection committee: the open call's round under way (assignments, reviews in every
state, a declared conflict, a request for more information, a pending decision) and the past call's
published round (decisions of each outcome and their letters), built through the services.

Two tests only: loading the demo takes seconds."""

import pytest
from django.core.management import call_command
from django.test import Client

from applications.models import (
    Application,
    CommitteeMembership,
    ConflictDeclaration,
    Decision,
    InfoRequest,
    Outcome,
    Review,
    ReviewAssignment,
    ReviewRound,
    ReviewStatus,
    Status,
)
from joinforces.accounts.models import User
from tests.conftest import give_totp

pytestmark = pytest.mark.django_db

CHAIR = "comite@demo.joinforces.fr"


@pytest.fixture
def demo():
    call_command("seed_demo")


def test_the_open_call_has_a_round_under_way_with_reviews_in_every_state_a_conflict_and_a_pending_decision(demo):
    review_round = ReviewRound.objects.select_related("call").get(title="Premier tour de sélection")
    call = review_round.call
    assert call.is_open() and review_round.published_at is None
    committee = CommitteeMembership.objects.filter(call=call)
    assert committee.count() == 4
    assert committee.get(is_chair=True).user.email == CHAIR
    # Every submitted application is in the round, with two reviewers at least.
    in_round = review_round.applications.all()
    assert set(in_round) == set(Application.objects.filter(call=call).exclude(status__in=["draft", "withdrawn"]))
    for application in in_round:
        assert ReviewAssignment.objects.filter(round=review_round, application=application).count() >= 2
    # Reviews in every state, including not started (an assignment without a review).
    reviews = Review.objects.filter(assignment__round=review_round)
    assert set(reviews.values_list("status", flat=True)) == set(ReviewStatus.values)
    assert ReviewAssignment.objects.filter(round=review_round, review__isnull=True).exists()
    draft = reviews.filter(status=ReviewStatus.DRAFT).first()
    assert draft.sincerity is not None and draft.mean is None  # partly scored
    # The chair's own list holds a submitted review and a draft.
    chairs = reviews.filter(assignment__reviewer__email=CHAIR).values_list("status", flat=True)
    assert {ReviewStatus.SUBMITTED, ReviewStatus.DRAFT} <= set(chairs)

    # A declared conflict: the member's draft is set aside and another member is assigned.
    conflict = ConflictDeclaration.objects.get(has_conflict=True, application__call__slug="appel-2027-unir-nos-forces")
    assert conflict.organisations.count() == 1 and conflict.details
    application, reviewer = conflict.application, conflict.reviewer
    set_aside = Review.objects.get(assignment__application=application, assignment__reviewer=reviewer)
    assert set_aside.status == ReviewStatus.SET_ASIDE
    others = ReviewAssignment.objects.filter(application=application).exclude(reviewer=reviewer)
    assert others.count() == 2
    # The conflicted reviewer sees nothing of it on /comite/: a 404, as for an application that does not exist.
    give_totp(reviewer)
    client = Client()
    client.force_login(reviewer)
    assert client.get(f"/comite/applications/application/{application.pk}/change/").status_code == 404
    assert client.get("/comite/").status_code == 200

    # Staff asked the demo applicant's team for more information; the chair recorded a decision that
    # waits for publication.
    request = InfoRequest.objects.open().get()
    assert request.application.status == Status.MORE_INFO_REQUESTED
    assert request.application.team.filter(user__email="candidat@demo.joinforces.fr").exists()
    pending = Decision.objects.pending().get()
    assert pending.outcome == Outcome.SELECTED and pending.decided_by.email == CHAIR
    assert pending.application.status == Status.IN_REVIEW  # nothing reaches the team before publication


def test_the_past_call_is_closed_its_round_published_with_letters_and_seeding_again_adds_nothing(demo):
    review_round = ReviewRound.objects.select_related("call").get(title="Tour de sélection 2026")
    call = review_round.call
    assert call.title == "Appel 2026 — Premiers pas" and call.closes_at < review_round.deadline
    assert not call.is_open() and review_round.deadline < review_round.published_at
    reviews = Review.objects.filter(assignment__round=review_round)
    assert reviews.count() == ReviewAssignment.objects.filter(round=review_round).count() >= 8
    assert set(reviews.values_list("status", flat=True)) == {ReviewStatus.SUBMITTED}
    decisions = Decision.objects.filter(round=review_round)
    assert decisions.count() == review_round.applications.count() == 7
    assert all(d.is_published and d.letter and d.letter_language for d in decisions)
    outcomes = sorted(decisions.values_list("outcome", flat=True))
    assert outcomes == sorted([Outcome.SELECTED] * 4 + [Outcome.WAITLISTED, Outcome.DECLINED, Outcome.DECLINED])
    assert all(d.amount_per_year and d.years for d in decisions.filter(outcome=Outcome.SELECTED))
    declined = decisions.filter(outcome=Outcome.DECLINED)
    assert {bool(d.excluded_criteria) for d in declined} == {True, False}  # one ineligible, one with reasons
    assert all(d.reasons for d in declined if not d.excluded_criteria)
    for decision in decisions:
        assert decision.application.status == decision.outcome
    # The demo applicant's team sees its outcome; the chair's pages show the published round.
    mine = decisions.get(application__team__user__email="candidat@demo.joinforces.fr")
    assert mine.outcome == Outcome.SELECTED
    client = Client()
    client.force_login(User.objects.get(email="candidat@demo.joinforces.fr"))
    assert client.get(f"/candidatures/{mine.application_id}/").status_code == 200
    chair = User.objects.get(email=CHAIR)
    give_totp(chair)
    client.force_login(chair)
    assert client.get("/comite/").status_code == 200
    assert client.get("/comite/applications/application/").status_code == 200

    # Running seed_demo again adds nothing (tests/portal/test_seed_demo.py checks every model).
    models = (CommitteeMembership, ReviewRound, ReviewAssignment, Review, ConflictDeclaration, InfoRequest, Decision)
    before = {model: model.objects.count() for model in models}
    call_command("seed_demo")
    assert {model: model.objects.count() for model in models} == before
    assert User.objects.filter(email__endswith="@comite.demo.joinforces.fr").count() == 3
