"""The committee's services: rounds, assignments (one by one and balanced), the reviewers' emails and
reminders, declarations of interests, reviews, aggregates, decisions and their publication, with
their audit rows; and the named database constraints that hold the same rules under any writer."""

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from applications import services
from applications.models import (
    Application,
    CommitteeMembership,
    ConflictDeclaration,
    Decision,
    Outcome,
    Review,
    ReviewAssignment,
    ReviewCriterion,
    ReviewRound,
    ReviewStatus,
    Status,
)
from applications.selectors import call_envelope, committee_applications, round_progress
from applications.services import ApplicationError
from eligibility.models import Verdict
from joinforces.core.models import AuditEvent, Notification
from tests.factories import CommitteeMemberFactory

from .factories import (
    CallFactory,
    committee_for,
    complete_application,
    full_review,
    open_round,
    submitted_application,
)

pytestmark = pytest.mark.django_db

SCORES = dict.fromkeys(ReviewCriterion.values, 4)


@pytest.fixture
def world(staff):
    """A call with two screened applications, a committee of three (the first chairs) and a round
    asking two reviewers per application."""
    call = CallFactory()
    first = submitted_application(call=call, name="Collectif A")
    second = submitted_application(call=call, name="Collectif B")
    chair, alice, bob = committee_for(call, staff=staff, size=3)
    review_round = open_round(call, staff=staff)
    first.refresh_from_db()
    second.refresh_from_db()
    return SimpleNamespace(call=call, first=first, second=second, chair=chair, alice=alice, bob=bob,
                           round=review_round, staff=staff)


def assign(world, application, reviewer):
    return services.review_assign(review_round=world.round, application=application, reviewer=reviewer,
                                  actor=world.staff)


def actions(target=None, prefix="applications."):
    events = AuditEvent.objects.filter(action__startswith=prefix)
    if target is not None:
        events = events.filter(target_type=ContentType.objects.get_for_model(target), target_id=str(target.pk))
    return list(events.order_by("pk").values_list("action", flat=True))


def drafted(world, application, reviewer, **fields):
    """An assignment with a declared "no conflict" and a draft review holding `fields`."""
    assignment = assign(world, application, reviewer)
    services.conflict_declare(application=application, reviewer=reviewer, has_conflict=False)
    review = services.review_start(assignment=assignment, actor=reviewer)
    if fields:
        services.review_save(review=review, actor=reviewer, **fields)
    return review


def notifications(template):
    return Notification.objects.filter(template=template)


# --- The committee -------------------------------------------------------------------------------


def test_committee_has_one_chair_per_call(world, staff):
    """A second chair is refused by the service; the member is then on the committee, not chairing."""
    other = CommitteeMemberFactory()
    with pytest.raises(ApplicationError):
        services.committee_member_add(call=world.call, user=other, actor=staff, is_chair=True)
    assert not CommitteeMembership.objects.filter(user=other).exists()
    services.committee_member_add(call=world.call, user=other, actor=staff)
    assert CommitteeMembership.objects.filter(call=world.call, is_chair=True).get().user == world.chair


def test_only_staff_add_committee_members(world):
    with pytest.raises(ApplicationError):
        services.committee_member_add(call=world.call, user=CommitteeMemberFactory(), actor=world.chair)


# --- Rounds ------------------------------------------------------------------------------------------


def test_round_takes_in_submitted_and_screened_applications_and_audits(staff):
    """Submitted and screened applications of the call move to "in review"; drafts and the
    applications of other calls stay as they were; each move and the opening are audited."""
    call = CallFactory()
    screened = submitted_application(call=call, name="Collectif criblé")
    submitted = complete_application(call=call, name="Collectif déposé")
    services.application_submit(application=submitted, actor=submitted.created_by)
    draft = complete_application(call=call, name="Collectif brouillon")
    elsewhere = submitted_application(name="Collectif d'un autre appel")
    assert Application.objects.get(pk=submitted.pk).status == Status.SUBMITTED

    review_round = open_round(call, staff=staff)

    assert set(review_round.applications.all()) == {screened, submitted}
    statuses = dict(Application.objects.values_list("pk", "status"))
    assert statuses[screened.pk] == statuses[submitted.pk] == Status.IN_REVIEW
    assert statuses[draft.pk] == Status.DRAFT
    assert statuses[elsewhere.pk] == Status.SCREENED
    event = AuditEvent.objects.filter(action="applications.status_changed", target_id=str(submitted.pk)).get()
    assert event.before == {"status": Status.SUBMITTED}
    assert event.after == {"status": Status.IN_REVIEW, "round": review_round.pk}
    assert AuditEvent.objects.filter(action="applications.status_changed", target_id=str(screened.pk)).get() \
        .before == {"status": Status.SCREENED}
    opened = AuditEvent.objects.get(action="applications.round_opened")
    assert opened.actor == staff and opened.after["applications"] == 2


def test_round_is_refused_to_non_staff_and_with_a_past_deadline(staff, committee_member):
    call = CallFactory()
    submitted_application(call=call)
    with pytest.raises(ApplicationError):
        open_round(call, staff=committee_member)
    with pytest.raises(ApplicationError):
        open_round(call, staff=staff, days=-1)
    assert not ReviewRound.objects.exists()
    assert not Application.objects.filter(status=Status.IN_REVIEW).exists()


# --- Assignments one by one ----------------------------------------------------------------------


def test_assign_one_reviewer_audited_once(world):
    """Assigning creates the assignment and audits it; assigning again returns it, nothing more."""
    assignment = assign(world, world.first, world.alice)
    again = assign(world, world.first, world.alice)
    assert assignment == again
    assert ReviewAssignment.objects.filter(application=world.first).count() == 1
    event = AuditEvent.objects.get(action="applications.reviewer_assigned")
    assert event.target_id == str(world.first.pk) and event.actor == world.staff
    assert event.after == {"round": world.round.pk, "reviewer": world.alice.email}


def test_assign_refused_for_someone_off_the_committee(world, committee_member):
    """A committee member of another call (or anyone else) cannot be assigned."""
    services.committee_member_add(call=CallFactory(), user=committee_member, actor=world.staff)
    with pytest.raises(ApplicationError):
        assign(world, world.first, committee_member)
    assert not ReviewAssignment.objects.exists()


def test_assign_refused_for_an_application_outside_the_round(world):
    later = submitted_application(call=world.call, name="Collectif arrivé après")
    elsewhere = submitted_application(name="Collectif d'un autre appel")
    for application in (later, elsewhere):
        with pytest.raises(ApplicationError):
            assign(world, application, world.alice)
    assert not ReviewAssignment.objects.exists()


def test_assign_refused_after_a_declared_conflict(world):
    """The chair declares a conflict with an application of their call: they can no longer be assigned it."""
    services.conflict_declare(application=world.first, reviewer=world.chair, has_conflict=True,
                              details="Je siège au conseil d'administration.")
    with pytest.raises(ApplicationError):
        assign(world, world.first, world.chair)
    assert not ReviewAssignment.objects.filter(reviewer=world.chair).exists()
    assign(world, world.second, world.chair)  # other applications still can


def test_assign_refused_to_non_staff(world):
    with pytest.raises(ApplicationError):
        services.review_assign(review_round=world.round, application=world.first, reviewer=world.alice,
                               actor=world.chair)
    assert not ReviewAssignment.objects.exists()


def test_unassign_a_draft_but_not_a_submitted_review(world):
    assignment = drafted(world, world.first, world.alice, sincerity=3).assignment
    services.review_unassign(assignment=assignment, actor=world.staff)
    assert not ReviewAssignment.objects.exists() and not Review.objects.exists()
    submitted = full_review(assign(world, world.first, world.bob))
    with pytest.raises(ApplicationError):
        services.review_unassign(assignment=submitted.assignment, actor=world.staff)
    assert ReviewAssignment.objects.filter(pk=submitted.assignment.pk).exists()
    assert "applications.reviewer_unassigned" in actions(world.first)


# --- Balanced assignment and the reviewers' emails ---------------------------------------------------


def test_balanced_assignment_skips_conflicts_and_spreads_the_load(world):
    """The chair declared a conflict with the first application: balancing gives it the two others,
    the chair still reviews the second, each application has its two reviewers, and it is audited."""
    services.conflict_declare(application=world.first, reviewer=world.chair, has_conflict=True,
                              details="Ancien salarié.")
    created, short = services.review_assign_balanced(review_round=world.round, actor=world.staff)
    pairs = set(ReviewAssignment.objects.values_list("application_id", "reviewer_id"))
    assert short == {}
    assert (world.first.pk, world.chair.pk) not in pairs
    assert {r for a, r in pairs if a == world.first.pk} == {world.alice.pk, world.bob.pk}
    assert len({r for a, r in pairs if a == world.second.pk}) == 2
    assert len(created) == 4 == len(pairs)
    event = AuditEvent.objects.get(action="applications.reviewers_balanced")
    assert sorted(map(tuple, event.after["assigned"])) == sorted(pairs)
    assert event.after["short"] == {}


def test_balanced_assignment_reports_the_shortfall(staff):
    """Two members, one conflicted: the application gets one reviewer and lacks one."""
    call = CallFactory()
    application = submitted_application(call=call)
    chair, alice = committee_for(call, staff=staff, size=2)
    review_round = open_round(call, staff=staff)
    services.conflict_declare(application=application, reviewer=chair, has_conflict=True, details="Trésorier.")
    created, short = services.review_assign_balanced(review_round=review_round, actor=staff)
    assert [(a.application_id, a.reviewer_id) for a in created] == [(application.pk, alice.pk)]
    assert short == {application.pk: 1}
    assert AuditEvent.objects.get(action="applications.reviewers_balanced").after["short"] == {
        str(application.pk): 1}


def test_balanced_assignment_is_staff_only_and_keeps_existing(world):
    assign(world, world.first, world.alice)
    with pytest.raises(ApplicationError):
        services.review_assign_balanced(review_round=world.round, actor=world.chair)
    created, _short = services.review_assign_balanced(review_round=world.round, actor=world.staff)
    assert len(created) == 3
    assert ReviewAssignment.objects.filter(application=world.first, reviewer=world.alice).count() == 1
    created_again, _short = services.review_assign_balanced(review_round=world.round, actor=world.staff)
    assert created_again == []


def test_each_reviewer_gets_their_list_once_and_a_new_list_when_it_changes(
        world, django_capture_on_commit_callbacks):
    """Balancing emails each reviewer once with their applications (never one they are conflicted
    with); notifying again sends nothing more; a new assignment sends that reviewer a new list."""
    services.conflict_declare(application=world.first, reviewer=world.chair, has_conflict=True,
                              details="Ancien salarié.")
    with django_capture_on_commit_callbacks(execute=True):
        services.review_assign_balanced(review_round=world.round, actor=world.staff)
    by_person = {message.to[0]: message.body for message in mail.outbox}
    assert sorted(by_person) == sorted(u.email for u in (world.chair, world.alice, world.bob))
    assert len(mail.outbox) == 3
    for reviewer in (world.chair, world.alice, world.bob):
        mine = Application.objects.filter(assignments__reviewer=reviewer).exclude(
            conflict_declarations__reviewer=reviewer, conflict_declarations__has_conflict=True)
        for application in Application.objects.filter(pk__in=[world.first.pk, world.second.pk]):
            assert (application.reference in by_person[reviewer.email]) == (application in mine)
    assert world.first.reference not in by_person[world.chair.email]

    with django_capture_on_commit_callbacks(execute=True):
        assert services.round_reviewers_notify(review_round=world.round) == 0
        assert services.round_reviewers_notify(review_round=world.round) == 0
    assert len(mail.outbox) == 3
    assert notifications("applications/email/review_assigned").count() == 3

    # A third application comes in a second round: alice gets a new list there, nobody else does.
    third = submitted_application(call=world.call, name="Collectif C")
    later = open_round(world.call, staff=world.staff, title="Second tour")
    with django_capture_on_commit_callbacks(execute=True):
        services.review_assign(review_round=later, application=third, reviewer=world.alice, actor=world.staff)
    assert len(mail.outbox) == 4
    assert mail.outbox[-1].to == [world.alice.email]
    assert Application.objects.get(pk=third.pk).reference in mail.outbox[-1].body


def test_a_new_assignment_in_the_same_round_sends_the_updated_list(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assign(world, world.first, world.alice)
    assert len(mail.outbox) == 1 and world.second.reference not in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        assign(world, world.second, world.alice)
    assert len(mail.outbox) == 2
    assert mail.outbox[1].to == [world.alice.email]
    assert world.first.reference in mail.outbox[1].body and world.second.reference in mail.outbox[1].body


# --- Reminders -----------------------------------------------------------------------------------------


def _move_deadline(review_round, delta):
    ReviewRound.objects.filter(pk=review_round.pk).update(deadline=timezone.now() + delta)


def reminded():
    return sorted(notifications("applications/email/review_reminder").values_list("to", flat=True))


def test_reminder_once_to_each_reviewer_with_pending_reviews(world):
    """Inside the window: alice (a draft pending) and bob (one submitted, one pending) are reminded
    once even when the task runs twice; the chair, who submitted all theirs, is not."""
    drafted(world, world.first, world.alice, sincerity=3)
    full_review(assign(world, world.first, world.bob))
    assign(world, world.second, world.bob)
    full_review(assign(world, world.second, world.chair))
    _move_deadline(world.round, timedelta(days=settings.REVIEW_REMINDER_DAYS, hours=-2))

    services.review_reminders_send()
    services.review_reminders_send()

    assert reminded() == sorted([world.alice.email, world.bob.email])
    bob = notifications("applications/email/review_reminder").get(to=world.bob.email)
    assert world.second.reference in bob.body_text and world.first.reference not in bob.body_text


def test_no_reminder_for_a_conflicted_or_set_aside_assignment(world):
    review = drafted(world, world.first, world.alice, sincerity=3)
    services.conflict_declare(application=world.first, reviewer=world.alice, has_conflict=True, details="Lien.")
    assert Review.objects.get(pk=review.pk).status == ReviewStatus.SET_ASIDE
    _move_deadline(world.round, timedelta(days=1))
    services.review_reminders_send()
    assert reminded() == []


@pytest.mark.parametrize("delta", [
    timedelta(days=settings.REVIEW_REMINDER_DAYS, hours=2),
    timedelta(days=30),
])
def test_no_reminder_before_the_window(world, delta):
    assign(world, world.first, world.alice)
    _move_deadline(world.round, delta)
    services.review_reminders_send()
    assert reminded() == []


def test_no_reminder_after_the_deadline(world):
    assign(world, world.first, world.alice)
    _move_deadline(world.round, timedelta(days=1))
    services.review_reminders_send(now=timezone.now() + timedelta(days=1, hours=1))
    assert reminded() == []
    services.review_reminders_send()
    assert reminded() == [world.alice.email]


# --- Reviews -------------------------------------------------------------------------------------------


def test_review_before_declaring_interests_is_refused(world):
    assignment = assign(world, world.first, world.alice)
    with pytest.raises(ApplicationError):
        services.review_start(assignment=assignment, actor=world.alice)
    assert not Review.objects.exists()


def test_review_of_someone_elses_assignment_is_refused(world):
    review = drafted(world, world.first, world.alice, sincerity=3)
    services.conflict_declare(application=world.first, reviewer=world.chair, has_conflict=False)
    for person in (world.bob, world.chair, world.staff):
        with pytest.raises(ApplicationError):
            services.review_start(assignment=review.assignment, actor=person)
        with pytest.raises(ApplicationError):
            services.review_save(review=review, actor=person, sincerity=1)
        with pytest.raises(ApplicationError):
            services.review_submit(review=review, actor=person)
    assert Review.objects.get(pk=review.pk).sincerity == 3


def test_partial_save_keeps_a_draft_and_audits_the_change(world):
    review = drafted(world, world.first, world.alice)
    services.review_save(review=review, actor=world.alice, sincerity=3, sincerity_comment="Sincère.")
    stored = Review.objects.get(pk=review.pk)
    assert stored.status == ReviewStatus.DRAFT and stored.sincerity == 3 and stored.transparency is None
    event = AuditEvent.objects.get(action="applications.review_saved")
    assert event.before == {"sincerity": None, "sincerity_comment": ""}
    assert event.after == {"sincerity": 3, "sincerity_comment": "Sincère."}
    assert actions(world.first).count("applications.review_started") == 1


@pytest.mark.parametrize("missing", [*ReviewCriterion.values, "recommendation"])
def test_submit_refused_while_a_score_or_the_recommendation_is_missing(world, missing):
    fields = {**SCORES, "recommendation": "fund"}
    fields[missing] = "" if missing == "recommendation" else None
    review = drafted(world, world.first, world.alice, **fields)
    with pytest.raises(ApplicationError):
        services.review_submit(review=review, actor=world.alice)
    stored = Review.objects.get(pk=review.pk)
    assert stored.status == ReviewStatus.DRAFT and stored.submitted_at is None


def test_submit_a_complete_review_then_it_cannot_change(world):
    review = drafted(world, world.first, world.alice, **SCORES, recommendation="discuss")
    services.review_submit(review=review, actor=world.alice)
    stored = Review.objects.get(pk=review.pk)
    assert stored.status == ReviewStatus.SUBMITTED and stored.submitted_at is not None
    with pytest.raises(ApplicationError):
        services.review_save(review=review, actor=world.alice, sincerity=1)
    with pytest.raises(ApplicationError):
        services.review_submit(review=review, actor=world.alice)
    assert Review.objects.get(pk=review.pk).sincerity == 4
    event = AuditEvent.objects.get(action="applications.review_submitted")
    assert event.after["scores"] == SCORES and event.after["recommendation"] == "discuss"


@pytest.mark.parametrize("score", [0, 6, -1, 3.5, "3"])
def test_scores_outside_one_to_five_are_refused(world, score):
    review = drafted(world, world.first, world.alice, sincerity=2)
    with pytest.raises(ApplicationError):
        services.review_save(review=review, actor=world.alice, sincerity=score, transparency=4)
    stored = Review.objects.get(pk=review.pk)
    assert stored.sincerity == 2 and stored.transparency is None


def test_bad_recommendation_amount_or_field_refused(world):
    review = drafted(world, world.first, world.alice)
    with pytest.raises(ApplicationError):
        services.review_save(review=review, actor=world.alice, recommendation="maybe")
    with pytest.raises(ApplicationError):
        services.review_save(review=review, actor=world.alice, suggested_amount="-1")
    with pytest.raises(ApplicationError):
        services.review_save(review=review, actor=world.alice, suggested_amount="beaucoup")
    with pytest.raises(TypeError):
        services.review_save(review=review, actor=world.alice, status=ReviewStatus.SUBMITTED)
    stored = Review.objects.get(pk=review.pk)
    assert (stored.recommendation, stored.suggested_amount, stored.status) == ("", None, ReviewStatus.DRAFT)


def test_reopen_by_staff_only(world):
    """Neither the reviewer nor the chair reopens a submitted review; staff do (audited), and the
    reviewer can then change and submit it again."""
    review = full_review(assign(world, world.first, world.alice))
    services.conflict_declare(application=world.first, reviewer=world.chair, has_conflict=False)
    for person in (world.alice, world.chair):
        with pytest.raises(ApplicationError):
            services.review_reopen(review=review, actor=person)
        assert Review.objects.get(pk=review.pk).status == ReviewStatus.SUBMITTED
    services.review_reopen(review=review, actor=world.staff, reason="Score de transparence à revoir.")
    stored = Review.objects.get(pk=review.pk)
    assert stored.status == ReviewStatus.DRAFT and stored.submitted_at is None
    event = AuditEvent.objects.get(action="applications.review_reopened")
    assert event.actor == world.staff and event.after["reason"] == "Score de transparence à revoir."
    with pytest.raises(ApplicationError):
        services.review_reopen(review=review, actor=world.staff)  # a draft is not reopened
    services.review_save(review=review, actor=world.alice, transparency=2)
    services.review_submit(review=review, actor=world.alice)
    assert Review.objects.get(pk=review.pk).transparency == 2


# --- Declarations of interests -------------------------------------------------------------------


def test_declaring_a_conflict_after_no_conflict_sets_the_review_aside(world):
    review = full_review(assign(world, world.first, world.alice))
    declaration = services.conflict_declare(application=world.first, reviewer=world.alice, has_conflict=True,
                                            organisations=[world.first.members.first()])
    stored = Review.objects.get(pk=review.pk)
    assert stored.status == ReviewStatus.SET_ASIDE and stored.set_aside_at is not None
    assert declaration.has_conflict and list(declaration.organisations.all()) == [world.first.members.first()]
    events = AuditEvent.objects.filter(action="applications.conflict_declared").order_by("pk")
    assert [e.before for e in events] == [None, {"has_conflict": False}]
    assert events.last().after["reviews_set_aside"] == 1
    with pytest.raises(ApplicationError):
        services.review_save(review=review, actor=world.alice, sincerity=1)


def test_a_declared_conflict_cannot_be_taken_back(world):
    assign(world, world.first, world.alice)
    services.conflict_declare(application=world.first, reviewer=world.alice, has_conflict=True, details="Sœur.")
    for has_conflict in (False, True):
        with pytest.raises(ApplicationError):
            services.conflict_declare(application=world.first, reviewer=world.alice, has_conflict=has_conflict,
                                      details="Finalement non.")
    declaration = ConflictDeclaration.objects.get()
    assert declaration.has_conflict and declaration.details == "Sœur."


def test_a_conflict_must_name_an_organisation_or_details(world):
    assign(world, world.first, world.alice)
    with pytest.raises(ApplicationError):
        services.conflict_declare(application=world.first, reviewer=world.alice, has_conflict=True, details="  ")
    assert not ConflictDeclaration.objects.exists()


def test_organisations_of_another_application_are_refused(world):
    assign(world, world.first, world.alice)
    with pytest.raises(ApplicationError):
        services.conflict_declare(application=world.first, reviewer=world.alice, has_conflict=True,
                                  organisations=[world.second.members.first()])
    assert not ConflictDeclaration.objects.exists()


def test_only_a_reviewer_of_the_application_declares(world, staff):
    """Bob is not assigned to the first application and does not chair: he cannot declare on it."""
    assign(world, world.second, world.bob)
    for person in (world.bob, staff):
        with pytest.raises(ApplicationError):
            services.conflict_declare(application=world.first, reviewer=person, has_conflict=False)
    assert not ConflictDeclaration.objects.exists()


# --- Aggregates --------------------------------------------------------------------------------------


def test_aggregates_count_submitted_reviews_only_never_set_aside_or_drafts(world):
    """Alice (mean 4) and bob (mean 2) submitted; the chair submitted (mean 5) then declared a
    conflict; dave has a draft. Averages and spread over alice and bob only; the chair's assignment
    no longer counts as assigned."""
    dave = CommitteeMemberFactory()
    services.committee_member_add(call=world.call, user=dave, actor=world.staff)
    full_review(assign(world, world.first, world.alice), scores=(5, 5, 5, 3, 3, 3))
    full_review(assign(world, world.first, world.bob), scores=(2, 2, 2, 2, 2, 2), recommendation="do_not_fund")
    full_review(assign(world, world.first, world.chair), scores=(5, 5, 5, 5, 5, 5))
    full_review(assign(world, world.first, dave), scores=(1, 1, 1, 1, 1, 1), submit=False)

    row = committee_applications(world.staff).get(pk=world.first.pk)
    assert (row.reviews_assigned, row.reviews_done) == (4, 3)
    assert row.score_avg == pytest.approx(11 / 3) and row.score_max == pytest.approx(5)

    services.conflict_declare(application=world.first, reviewer=world.chair, has_conflict=True, details="Lien.")
    row = committee_applications(world.staff).get(pk=world.first.pk)
    assert (row.reviews_assigned, row.reviews_done) == (3, 2)
    assert row.score_avg == pytest.approx(3.0)
    assert row.score_min == pytest.approx(2.0) and row.score_max == pytest.approx(4.0)
    assert row.score_spread == pytest.approx(2.0)
    other = committee_applications(world.staff).get(pk=world.second.pk)
    assert (other.reviews_assigned, other.reviews_done, other.score_avg, other.score_spread) == (0, 0, None, None)


def test_round_progress_counts_conflicts_apart(world):
    full_review(assign(world, world.first, world.alice))
    drafted(world, world.second, world.alice, sincerity=2)
    assign(world, world.first, world.bob)
    services.conflict_declare(application=world.first, reviewer=world.bob, has_conflict=True, details="Lien.")
    progress = {p.reviewer: p for p in round_progress(world.round)}
    assert (progress[world.alice].assigned, progress[world.alice].submitted, progress[world.alice].drafts,
            progress[world.alice].conflicts) == (2, 1, 1, 0)
    assert (progress[world.bob].assigned, progress[world.bob].conflicts) == (0, 1)


def test_pending_outcome_annotated(world):
    services.decision_record(application=world.first, review_round=world.round, outcome=Outcome.WAITLISTED,
                             actor=world.staff, rationale="À revoir si le budget le permet.")
    rows = {row.pk: row for row in committee_applications(world.staff)}
    assert rows[world.first.pk].pending_outcome == Outcome.WAITLISTED
    assert rows[world.second.pk].pending_outcome is None


# --- Decisions -----------------------------------------------------------------------------------------


def decide(world, application=None, outcome=Outcome.SELECTED, actor=None, **kwargs):
    if outcome == Outcome.SELECTED:
        kwargs.setdefault("amount_per_year", Decimal("30000.00"))
        kwargs.setdefault("years", 3)
    if outcome == Outcome.DECLINED:
        kwargs.setdefault("reasons", "Les programmes ne sont pas encore communs.")
    kwargs.setdefault("rationale", "Avis du comité.")
    return services.decision_record(application=application or world.first, review_round=world.round,
                                    outcome=outcome, actor=actor or world.staff, **kwargs)


@pytest.mark.parametrize("amount, years", [
    (None, 2), ("0", 2), ("-5", 2), ("abc", 2), ("30000", None), ("30000", 0), ("30000", 4), ("30000", "2"),
])
def test_selected_needs_an_amount_and_years_within_the_call(world, amount, years):
    """The call allows three years at most; the amount must be a positive number."""
    with pytest.raises(ApplicationError):
        decide(world, amount_per_year=amount, years=years)
    assert not Decision.objects.exists()


def test_selected_with_amount_and_years_is_recorded_and_audited(world):
    decision = decide(world, amount_per_year="25000", years=3)
    assert (decision.outcome, decision.amount_per_year, decision.years) == (Outcome.SELECTED, Decimal("25000"), 3)
    assert decision.total_amount == Decimal("75000") and not decision.is_published
    event = AuditEvent.objects.get(action="applications.decided")
    assert event.before is None and event.after["amount_per_year"] == "25000"
    assert event.after["decision"] == decision.pk
    assert Application.objects.get(pk=world.first.pk).status == Status.IN_REVIEW  # nothing before publication


def test_declined_needs_reasons_or_criteria(world):
    with pytest.raises(ApplicationError):
        decide(world, outcome=Outcome.DECLINED, reasons="   ")
    with pytest.raises(ApplicationError):
        decide(world, outcome=Outcome.DECLINED, reasons="", excluded_criteria=["not_a_criterion"])
    assert not Decision.objects.exists()
    by_criteria = decide(world, outcome=Outcome.DECLINED, reasons="", excluded_criteria=["ralliance"])
    assert by_criteria.excluded_criteria == ["ralliance"] and by_criteria.amount_per_year is None
    by_reasons = decide(world, application=world.second, outcome=Outcome.DECLINED)
    assert by_reasons.reasons == "Les programmes ne sont pas encore communs."


def test_a_decision_needs_a_rationale_and_a_known_outcome(world):
    with pytest.raises(ApplicationError):
        decide(world, rationale="  ")
    with pytest.raises(ApplicationError):
        decide(world, outcome="maybe")
    assert not Decision.objects.exists()


def test_only_staff_or_a_chair_without_conflict_decides(world):
    """An ordinary member is refused; the chair decides on an application they are not conflicted
    with, but not on one they declared a conflict with."""
    with pytest.raises(ApplicationError):
        decide(world, actor=world.alice)
    services.conflict_declare(application=world.first, reviewer=world.chair, has_conflict=True, details="Lien.")
    with pytest.raises(ApplicationError):
        decide(world, actor=world.chair)
    assert not Decision.objects.exists()
    decision = decide(world, application=world.second, actor=world.chair)
    assert decision.decided_by == world.chair


def test_a_decision_is_refused_outside_the_round(world):
    later = submitted_application(call=world.call, name="Collectif arrivé après")
    with pytest.raises(ApplicationError):
        decide(world, application=later)
    assert not Decision.objects.exists()


def test_changing_a_pending_decision_updates_it_with_audit(world):
    first = decide(world, outcome=Outcome.SELECTED, amount_per_year="30000", years=3)
    changed = decide(world, outcome=Outcome.DECLINED, reasons="Budget épuisé.")
    assert changed.pk == first.pk and Decision.objects.count() == 1
    stored = Decision.objects.get()
    assert (stored.outcome, stored.amount_per_year, stored.years, stored.reasons) == (
        Outcome.DECLINED, None, None, "Budget épuisé.")
    event = AuditEvent.objects.filter(action="applications.decided").order_by("pk").last()
    assert event.before["outcome"] == Outcome.SELECTED and event.before["amount_per_year"] == "30000.00"
    assert event.before["years"] == 3
    assert event.after["outcome"] == Outcome.DECLINED and event.after["amount_per_year"] is None


def test_envelope_commits_current_selections(world):
    """500 000 € envelope: selecting 30 000 € × 3 commits 90 000 €; changing it to 20 000 € × 2
    commits 40 000 €; published counts only after publication; a decline frees it."""
    assert call_envelope(world.call).committed == 0
    decide(world, amount_per_year="30000", years=3)
    envelope = call_envelope(world.call)
    assert (envelope.committed, envelope.remaining, envelope.published, envelope.selected) == (
        Decimal("90000"), Decimal("410000"), Decimal("0"), 1)
    decide(world, amount_per_year="20000", years=2)
    assert call_envelope(world.call).committed == Decimal("40000")
    decide(world, application=world.second, outcome=Outcome.DECLINED)
    assert call_envelope(world.call).committed == Decimal("40000")
    services.round_publish(review_round=world.round, actor=world.staff)
    envelope = call_envelope(world.call)
    assert (envelope.committed, envelope.published, envelope.exceeded) == (Decimal("40000"), Decimal("40000"), False)


def test_envelope_can_be_exceeded_and_says_so(world):
    decide(world, amount_per_year="200000", years=3)
    envelope = call_envelope(world.call)
    assert envelope.exceeded and envelope.remaining == Decimal("-100000")


# --- Publication -------------------------------------------------------------------------------------


def test_publish_gives_each_application_its_outcome_and_audits(world):
    selected = decide(world)
    declined = decide(world, application=world.second, outcome=Outcome.DECLINED)
    with pytest.raises(ApplicationError):
        services.round_publish(review_round=world.round, actor=world.chair)
    assert not Decision.objects.published().exists()
    published = services.round_publish(review_round=world.round, actor=world.staff)
    assert {d.pk for d in published} == {selected.pk, declined.pk}
    statuses = dict(Application.objects.values_list("pk", "status"))
    assert statuses[world.first.pk] == Status.SELECTED and statuses[world.second.pk] == Status.DECLINED
    assert Decision.objects.pending().count() == 0
    assert ReviewRound.objects.get(pk=world.round.pk).published_at is not None
    event = AuditEvent.objects.get(action="applications.decision_published", target_id=str(world.first.pk))
    assert event.before == {"status": Status.IN_REVIEW}
    assert event.after == {"status": Status.SELECTED, "decision": selected.pk, "round": world.round.pk}
    assert sorted(AuditEvent.objects.get(action="applications.round_published").after["decisions"]) == sorted(
        [selected.pk, declined.pk])
    assert services.round_publish(review_round=world.round, actor=world.staff) == []
    assert AuditEvent.objects.filter(action="applications.decision_published").count() == 2


@pytest.mark.parametrize("outcome", [Outcome.SELECTED, Outcome.DECLINED])
def test_a_published_selection_or_decline_is_final(world, outcome):
    decide(world, outcome=outcome)
    services.round_publish(review_round=world.round, actor=world.staff)
    for other in (Outcome.SELECTED, Outcome.DECLINED, Outcome.WAITLISTED):
        with pytest.raises(ApplicationError):
            decide(world, outcome=other)
    assert Decision.objects.count() == 1
    assert Application.objects.get(pk=world.first.pk).status == outcome


def test_waitlisted_then_selected_follows_the_published_decision(world):
    waitlisted = decide(world, outcome=Outcome.WAITLISTED)
    services.round_publish(review_round=world.round, actor=world.staff)
    assert Application.objects.get(pk=world.first.pk).status == Status.WAITLISTED
    selected = decide(world, outcome=Outcome.SELECTED, amount_per_year="15000", years=2)
    assert selected.pk != waitlisted.pk and selected.previous == waitlisted and not selected.is_published
    assert Application.objects.get(pk=world.first.pk).status == Status.WAITLISTED
    assert call_envelope(world.call).committed == Decimal("30000")
    services.round_publish(review_round=world.round, actor=world.staff)
    assert Application.objects.get(pk=world.first.pk).status == Status.SELECTED
    assert Decision.objects.get(pk=waitlisted.pk).next == selected
    with pytest.raises(ApplicationError):
        decide(world, outcome=Outcome.DECLINED)


def test_a_withdrawn_application_keeps_its_decision_unpublished(world):
    decision = decide(world)
    services.application_withdraw(application=world.first, actor=world.first.created_by, reason="Fusion reportée.")
    services.round_publish(review_round=world.round, actor=world.staff)
    assert not Decision.objects.get(pk=decision.pk).is_published
    assert Application.objects.get(pk=world.first.pk).status == Status.WITHDRAWN
    assert call_envelope(world.call).committed == 0


# --- Ineligible applications ---------------------------------------------------------------------------


def ineligible_application(call):
    """A complete application whose main purpose is a campaign: screened not eligible (advocacy_only)."""
    application = complete_application(call=call, name="Campagne pour une grande cause")
    services.application_save(application=application, actor=application.created_by, main_purpose="campaign")
    services.application_submit(application=application, actor=application.created_by)
    services.application_screen(application=application)
    application.refresh_from_db()
    return application


def test_decline_ineligible_applications_for_their_criteria(staff):
    call = CallFactory()
    ineligible = ineligible_application(call)
    eligible = submitted_application(call=call, name="Collectif éligible")
    assert ineligible.screening.verdict == Verdict.INELIGIBLE
    assert eligible.screening.verdict != Verdict.INELIGIBLE
    review_round = open_round(call, staff=staff)

    with pytest.raises(ApplicationError):
        services.decisions_decline_ineligible(review_round=review_round, actor=CommitteeMemberFactory())
    decisions = services.decisions_decline_ineligible(review_round=review_round, actor=staff)

    assert [d.application_id for d in decisions] == [ineligible.pk]
    decision = decisions[0]
    assert decision.outcome == Outcome.DECLINED and "advocacy_only" in decision.excluded_criteria
    assert decision.excluded_criteria == services.excluded_criteria_of(ineligible)
    assert not Decision.objects.filter(application=eligible).exists()
    assert services.decisions_decline_ineligible(review_round=review_round, actor=staff) == []
    assert Decision.objects.count() == 1
    services.round_publish(review_round=review_round, actor=staff)
    assert Application.objects.get(pk=ineligible.pk).status == Status.DECLINED
    assert Application.objects.get(pk=eligible.pk).status == Status.IN_REVIEW


# --- Audit trail ---------------------------------------------------------------------------------------


def test_the_committee_work_leaves_an_audit_trail(world):
    review = full_review(assign(world, world.first, world.alice))
    services.conflict_declare(application=world.second, reviewer=world.chair, has_conflict=True, details="Lien.")
    decide(world)
    services.round_publish(review_round=world.round, actor=world.staff)
    trail = actions(world.first)
    for action in ("applications.reviewer_assigned", "applications.conflict_declared",
                   "applications.review_started", "applications.review_saved", "applications.review_submitted",
                   "applications.decided", "applications.decision_published"):
        assert action in trail, action
    assert "applications.conflict_declared" in actions(world.second)
    assert actions(world.round) == ["applications.round_opened", "applications.round_published"]
    declared = AuditEvent.objects.get(action="applications.conflict_declared", target_id=str(world.second.pk))
    assert declared.actor == world.chair and declared.after["has_conflict"] is True
    scored = AuditEvent.objects.get(action="applications.review_submitted")
    assert scored.actor == world.alice and scored.after["review"] == review.pk


# --- Named database constraints --------------------------------------------------------------------------


def _integrity_error(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def _decision(world, **kwargs):
    values = {"application": world.first, "round": world.round, "outcome": Outcome.DECLINED,
              "rationale": "Direct.", "decided_at": timezone.now(), **kwargs}
    return Decision.objects.create(**values)


@pytest.mark.parametrize("outcome, amount, years", [
    (Outcome.SELECTED, None, 2),
    (Outcome.SELECTED, Decimal("10"), None),
    (Outcome.SELECTED, None, None),
    (Outcome.SELECTED, Decimal("0"), 2),
    (Outcome.SELECTED, Decimal("10"), 0),
    (Outcome.SELECTED, Decimal("10"), 11),
    (Outcome.DECLINED, Decimal("10"), 1),
    (Outcome.WAITLISTED, None, 1),
    ("maybe", None, None),
])
def test_constraint_decision_amount_and_years_by_outcome(world, outcome, amount, years):
    """`decision_selected_has_amount_and_years`, `decision_amount_only_when_selected` and
    `decision_outcome_valid`: a selection has a positive amount and 1 to 10 years (a missing one
    included), other outcomes have neither."""
    _integrity_error(lambda: _decision(world, outcome=outcome, amount_per_year=amount, years=years))
    assert not Decision.objects.exists()


def test_constraint_accepts_a_complete_selection(world):
    _decision(world, outcome=Outcome.SELECTED, amount_per_year=Decimal("10"), years=1)
    assert Decision.objects.count() == 1


def test_constraint_one_pending_decision_per_application(world):
    _decision(world)
    _integrity_error(lambda: _decision(world, outcome=Outcome.WAITLISTED))
    Decision.objects.update(published_at=timezone.now())
    _decision(world, outcome=Outcome.WAITLISTED)  # a published one leaves room for the next
    assert Decision.objects.count() == 2


def test_constraint_one_chair_and_one_membership_per_call(world):
    _integrity_error(lambda: CommitteeMembership.objects.create(call=world.call, user=CommitteeMemberFactory(),
                                                                is_chair=True))
    _integrity_error(lambda: CommitteeMembership.objects.create(call=world.call, user=world.alice))
    assert CommitteeMembership.objects.filter(call=world.call).count() == 3


def test_constraint_assignment_and_declaration_once(world):
    assign(world, world.first, world.alice)
    _integrity_error(lambda: ReviewAssignment.objects.create(round=world.round, application=world.first,
                                                             reviewer=world.alice))
    ConflictDeclaration.objects.create(application=world.first, reviewer=world.alice, has_conflict=False)
    _integrity_error(lambda: ConflictDeclaration.objects.create(application=world.first, reviewer=world.alice,
                                                                has_conflict=True))


def test_constraint_review_scores_and_completeness(world):
    assignment = assign(world, world.first, world.alice)
    _integrity_error(lambda: Review.objects.create(assignment=assignment, sincerity=6))
    _integrity_error(lambda: Review.objects.create(assignment=assignment, operating_cost_fit=0))
    _integrity_error(lambda: Review.objects.create(assignment=assignment, status=ReviewStatus.SUBMITTED,
                                                   submitted_at=timezone.now(), recommendation="fund"))
    _integrity_error(lambda: Review.objects.create(assignment=assignment, status=ReviewStatus.SUBMITTED,
                                                   submitted_at=timezone.now(), **SCORES))
    _integrity_error(lambda: Review.objects.create(assignment=assignment, suggested_amount=Decimal("-1")))
    _integrity_error(lambda: Review.objects.create(assignment=assignment, status="lost"))
    assert not Review.objects.exists()
    Review.objects.create(assignment=assignment, status=ReviewStatus.SUBMITTED, submitted_at=timezone.now(),
                          recommendation="fund", **SCORES)


def test_constraint_reviewers_per_application_range(world):
    _integrity_error(lambda: ReviewRound.objects.create(call=world.call, title="Zéro", deadline=timezone.now(),
                                                        reviewers_per_application=0))
    _integrity_error(lambda: ReviewRound.objects.create(call=world.call, title="Onze", deadline=timezone.now(),
                                                        reviewers_per_application=11))
