"""Writes of the selection committee: committee, rounds, assignments, declarations of interests,
reviews, requests for more information, decisions and their publication.

Same rules as the applicant's services: atomic, the acting user as `actor`, audited
(`applications.<verb>`), background work enqueued after the commit, a refused action raises
`ApplicationError` with a translated message and changes nothing.

Nothing here tells a team about an outcome except `round_publish`: decisions change the
application's status only when they are published.
"""

import hashlib
from decimal import Decimal, InvalidOperation
from functools import partial

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from eligibility.models import Criterion, Result
from joinforces.accounts.models import Role
from joinforces.accounts.rules import is_staff_member
from joinforces.core.models import Notification
from joinforces.core.services import EmailAttachment, audit, notification_send

from ..balancing import balance_assignments
from ..models import (
    Application,
    CommitteeMembership,
    ConflictDeclaration,
    Decision,
    InfoRequest,
    Outcome,
    Recommendation,
    Review,
    ReviewAssignment,
    ReviewCriterion,
    ReviewRound,
    ReviewStatus,
    Status,
    TeamMember,
)
from ..signals import decision_published
from .application import ApplicationError

# Statuses of an application that a round takes in, and those that a decision may be recorded on.
ROUND_INTAKE = (Status.SUBMITTED, Status.SCREENED)
DECIDABLE = (Status.SUBMITTED, Status.SCREENED, Status.IN_REVIEW, Status.MORE_INFO_REQUESTED, Status.WAITLISTED)
REVIEW_FIELDS = frozenset(
    list(ReviewCriterion.values)
    + [f"{c}_comment" for c in ReviewCriterion.values]
    + ["recommendation", "suggested_amount", "general_comment"]
)
STEP_NUMBERS = range(1, 9)  # the steps a request for more information may reopen (9 is "submit")


# --- Checks ------------------------------------------------------------------------------------


def _require_staff(actor) -> None:
    if not is_staff_member(actor):
        raise ApplicationError(_("Only the JOIN FORCES team can do this."))


def _is_chair(actor, call) -> bool:
    return CommitteeMembership.objects.filter(call=call, user=actor, is_chair=True).exists()


def _conflicted(application, user) -> bool:
    return ConflictDeclaration.objects.filter(application=application, reviewer=user, has_conflict=True).exists()


def _on_committee(call, user) -> bool:
    return CommitteeMembership.objects.filter(call=call, user=user).exists()


def _url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


# --- The committee -----------------------------------------------------------------------------


@transaction.atomic
def committee_member_add(*, call, user, actor, is_chair: bool = False) -> CommitteeMembership:
    """Put `user` on the committee of `call` (granting the committee role); one chair per call."""
    from joinforces.accounts.services import role_grant

    _require_staff(actor)
    if is_chair and CommitteeMembership.objects.filter(call=call, is_chair=True).exclude(user=user).exists():
        raise ApplicationError(_("This call's committee already has a chair."))
    membership, created = CommitteeMembership.objects.get_or_create(call=call, user=user,
                                                                     defaults={"is_chair": is_chair})
    if not created and membership.is_chair != is_chair:
        membership.is_chair = is_chair
        membership.save(update_fields=["is_chair"])
    role_grant(user=user, role=Role.COMMITTEE, actor=actor)
    audit(actor=actor, action="applications.committee_member_added", target=call,
          after={"user": user.email, "chair": is_chair})
    return membership


@transaction.atomic
def committee_member_remove(*, membership: CommitteeMembership, actor) -> None:
    _require_staff(actor)
    if Review.objects.filter(assignment__reviewer=membership.user,
                             assignment__round__call=membership.call).exists():
        raise ApplicationError(_("This member has started reviews for this call: they stay on its committee."))
    ReviewAssignment.objects.filter(reviewer=membership.user, round__call=membership.call).delete()
    audit(actor=actor, action="applications.committee_member_removed", target=membership.call,
          before={"user": membership.user.email, "chair": membership.is_chair})
    membership.delete()


# --- Rounds and assignments ----------------------------------------------------------------------


@transaction.atomic
def review_round_open(*, call, title: str, deadline, actor, reviewers_per_application: int = 2) -> ReviewRound:
    """Open a round on the call's submitted applications: they move to "in review"."""
    _require_staff(actor)
    if deadline <= timezone.now():
        raise ApplicationError(_("The deadline for reviews must be in the future."))
    review_round = ReviewRound.objects.create(call=call, title=title.strip(), deadline=deadline,
                                              reviewers_per_application=reviewers_per_application,
                                              opened_by=actor)
    taken = list(Application.objects.select_for_update().filter(call=call, status__in=ROUND_INTAKE))
    review_round.applications.add(*taken)
    Application.objects.filter(pk__in=[a.pk for a in taken]).update(status=Status.IN_REVIEW)
    for application in taken:
        audit(actor=actor, action="applications.status_changed", target=application,
              before={"status": application.status}, after={"status": Status.IN_REVIEW, "round": review_round.pk})
    audit(actor=actor, action="applications.round_opened", target=review_round,
          after={"call": call.pk, "deadline": deadline.isoformat(), "applications": len(taken)})
    return review_round


def _check_assignable(review_round, application, reviewer) -> None:
    if not review_round.applications.filter(pk=application.pk).exists():
        raise ApplicationError(_("%(application)s is not in this round.") % {"application": application})
    if not _on_committee(review_round.call, reviewer):
        raise ApplicationError(_("%(person)s is not on this call's committee.") % {"person": reviewer})
    if _conflicted(application, reviewer):
        raise ApplicationError(_("%(person)s declared a conflict of interest with %(application)s.")
                               % {"person": reviewer, "application": application})


@transaction.atomic
def review_assign(*, review_round: ReviewRound, application, reviewer, actor) -> ReviewAssignment:
    """Assign one reviewer to one application of the round (never a declared conflict)."""
    _require_staff(actor)
    _check_assignable(review_round, application, reviewer)
    assignment, created = ReviewAssignment.objects.get_or_create(
        round=review_round, application=application, reviewer=reviewer, defaults={"assigned_by": actor})
    if created:
        audit(actor=actor, action="applications.reviewer_assigned", target=application,
              after={"round": review_round.pk, "reviewer": reviewer.email})
        _notify_later(review_round)
    return assignment


@transaction.atomic
def review_unassign(*, assignment: ReviewAssignment, actor) -> None:
    _require_staff(actor)
    if Review.objects.filter(assignment=assignment).exclude(status=ReviewStatus.DRAFT).exists():
        raise ApplicationError(_("This review is submitted: the assignment stays."))
    Review.objects.filter(assignment=assignment).delete()
    audit(actor=actor, action="applications.reviewer_unassigned", target=assignment.application,
          before={"round": assignment.round_id, "reviewer": assignment.reviewer.email})
    assignment.delete()


@transaction.atomic
def review_assign_balanced(*, review_round: ReviewRound, actor) -> tuple[list[ReviewAssignment], dict]:
    """Give every application of the round its number of reviewers, spreading the load evenly over
    the committee and never assigning a declared conflict. Returns the new assignments and, for the
    applications that could not get enough reviewers, how many they lack."""
    _require_staff(actor)
    ReviewRound.objects.select_for_update().get(pk=review_round.pk)  # one balancing at a time per round
    applications = list(review_round.applications.exclude(status=Status.WITHDRAWN)
                        .order_by("reference", "pk").values_list("pk", flat=True))
    reviewers = list(CommitteeMembership.objects.filter(call=review_round.call)
                     .order_by("user__email").values_list("user_id", flat=True))
    existing = list(ReviewAssignment.objects.filter(round=review_round).values_list("application_id", "reviewer_id"))
    conflicts = list(ConflictDeclaration.objects.filter(application_id__in=applications, has_conflict=True)
                     .values_list("application_id", "reviewer_id"))
    balance = balance_assignments(applications=applications, reviewers=reviewers, existing=existing,
                                  conflicts=conflicts, per_application=review_round.reviewers_per_application)
    created = ReviewAssignment.objects.bulk_create([
        ReviewAssignment(round=review_round, application_id=app, reviewer_id=reviewer, assigned_by=actor)
        for app, reviewer in balance.new
    ])
    audit(actor=actor, action="applications.reviewers_balanced", target=review_round,
          after={"assigned": [[app, reviewer] for app, reviewer in balance.new],
                 "short": {str(app): n for app, n in balance.short.items()}})
    if created:
        _notify_later(review_round)
    return created, balance.short


def _notify_later(review_round: ReviewRound) -> None:
    from ..tasks import round_reviewers_notify_task

    transaction.on_commit(partial(round_reviewers_notify_task.delay, review_round.pk))


def round_reviewers_notify(*, review_round: ReviewRound) -> int:
    """Email each reviewer of the round their list. A reviewer whose list has not changed since
    their last email gets nothing (the key holds the list), so running twice sends nothing more.
    Returns the number of emails sent now."""
    count = 0
    by_reviewer: dict = {}
    assignments = (ReviewAssignment.objects.filter(round=review_round).without_conflicts()
                   .exclude(application__status=Status.WITHDRAWN))
    for assignment in assignments.select_related("reviewer", "application").order_by("application__reference"):
        by_reviewer.setdefault(assignment.reviewer, []).append(assignment)
    for reviewer, items in by_reviewer.items():
        digest = hashlib.sha256(",".join(str(a.pk) for a in items).encode()).hexdigest()[:16]
        key = f"applications.review_assigned:{review_round.pk}:{reviewer.pk}:{digest}"
        if Notification.objects.filter(key=key).exists():
            continue
        notification_send(
            to=reviewer.email,
            template="applications/email/review_assigned",
            context={"reviewer": reviewer, "round": review_round, "assignments": items,
                     "url": _url("/comite/applications/application/")},
            key=key,
        )
        count += 1
    return count


def review_reminders_send(now=None) -> int:
    """Remind, once, each reviewer who has reviews left to submit in a round whose deadline is less
    than `REVIEW_REMINDER_DAYS` away. Safe to run twice: one key per round and reviewer."""
    now = now or timezone.now()
    horizon = now + timezone.timedelta(days=settings.REVIEW_REMINDER_DAYS)
    count = 0
    rounds = ReviewRound.objects.filter(deadline__gt=now, deadline__lte=horizon).select_related("call")
    for review_round in rounds:
        pending: dict = {}
        assignments = (ReviewAssignment.objects.filter(round=review_round).without_conflicts()
                       .exclude(review__status__in=[ReviewStatus.SUBMITTED, ReviewStatus.SET_ASIDE])
                       .exclude(application__status=Status.WITHDRAWN)
                       .select_related("reviewer", "application"))
        for assignment in assignments:
            pending.setdefault(assignment.reviewer, []).append(assignment)
        for reviewer, items in pending.items():
            notification_send(
                to=reviewer.email,
                template="applications/email/review_reminder",
                context={"reviewer": reviewer, "round": review_round, "assignments": items,
                         "url": _url("/comite/applications/application/")},
                key=f"applications.review_reminder:{review_round.pk}:{reviewer.pk}",
            )
            count += 1
    return count


# --- Declarations of interests -------------------------------------------------------------------


@transaction.atomic
def conflict_declare(*, application, reviewer, has_conflict: bool, organisations=(), details: str = ""
                     ) -> ConflictDeclaration:
    """Record what `reviewer` declares about `application`'s member organisations.

    Only a reviewer of the application (assigned, or chair of its call) declares. A declared
    conflict is final for the reviewer; declaring one after "no conflict" sets their review aside.
    """
    from ..models import reviewable_applications

    if not Application.objects.filter(pk=application.pk, pk__in=reviewable_applications(reviewer)).exists():
        raise ApplicationError(_("You do not review this application."))
    organisations = list(organisations)
    if any(org.application_id != application.pk for org in organisations):
        raise ApplicationError(_("Choose among the member organisations of this application."))
    if has_conflict and not organisations and not details.strip():
        raise ApplicationError(_("Say with which organisation, or how, you have a conflict of interest."))
    declaration = ConflictDeclaration.objects.select_for_update().filter(
        application=application, reviewer=reviewer).first()
    before = None
    if declaration is not None:
        if declaration.has_conflict:
            raise ApplicationError(_("You have declared a conflict of interest with this application."))
        before = {"has_conflict": False}
        declaration.has_conflict, declaration.details = has_conflict, details.strip()
        declaration.save(update_fields=["has_conflict", "details", "updated_at"])
    else:
        declaration = ConflictDeclaration.objects.create(application=application, reviewer=reviewer,
                                                         has_conflict=has_conflict, details=details.strip())
    declaration.organisations.set(organisations)
    set_aside = 0
    if has_conflict:
        set_aside = Review.objects.filter(assignment__application=application, assignment__reviewer=reviewer).update(
            status=ReviewStatus.SET_ASIDE, set_aside_at=timezone.now())
    audit(actor=reviewer, action="applications.conflict_declared", target=application, before=before,
          after={"has_conflict": has_conflict, "organisations": [o.name for o in organisations],
                 "details": details.strip()[:2000], "reviews_set_aside": set_aside})
    return declaration


# --- Reviews ---------------------------------------------------------------------------------


def _own_assignment(assignment: ReviewAssignment, actor) -> None:
    if assignment.reviewer_id != getattr(actor, "pk", None):
        raise ApplicationError(_("This review is not yours."))
    if not ConflictDeclaration.objects.filter(application=assignment.application_id, reviewer=actor,
                                              has_conflict=False).exists():
        raise ApplicationError(_("Declare your interests in this application first."))


@transaction.atomic
def review_start(*, assignment: ReviewAssignment, actor) -> Review:
    """The reviewer's review of their assignment, created as a draft the first time."""
    _own_assignment(assignment, actor)
    review, created = Review.objects.get_or_create(assignment=assignment)
    if created:
        audit(actor=actor, action="applications.review_started", target=assignment.application,
              after={"review": review.pk})
    return review


def _locked_review(review: Review) -> Review:
    return Review.objects.select_for_update(of=("self",)).select_related("assignment").get(pk=review.pk)


@transaction.atomic
def review_save(*, review: Review, actor, **fields) -> Review:
    """Save the scores and comments of a draft review (any subset of `REVIEW_FIELDS`)."""
    unknown = set(fields) - REVIEW_FIELDS
    if unknown:
        raise TypeError(f"Unknown fields: {', '.join(sorted(unknown))}")
    locked = _locked_review(review)
    _own_assignment(locked.assignment, actor)
    if locked.status != ReviewStatus.DRAFT:
        raise ApplicationError(_("This review is submitted: only the JOIN FORCES team can reopen it."))
    for code in ReviewCriterion.values:
        score = fields.get(code)
        if score is not None and not (type(score) is int and 1 <= score <= 5):
            raise ApplicationError(_("Scores go from 1 to 5."))
    if fields.get("recommendation") not in (None, "", *Recommendation.values):
        raise ApplicationError(_("Choose a recommendation."))
    amount = fields.get("suggested_amount")
    if amount is not None:
        try:
            amount = Decimal(amount)
        except (InvalidOperation, TypeError, ValueError):
            raise ApplicationError(_("Enter the suggested amount in euros.")) from None
        if amount < 0:
            raise ApplicationError(_("The suggested amount cannot be negative."))
        fields["suggested_amount"] = amount
    changes = {}
    for name, value in fields.items():
        if getattr(locked, name) != value:
            changes[name] = (getattr(locked, name), value)
            setattr(locked, name, value)
    if changes:
        locked.save()
        audit(actor=actor, action="applications.review_saved", target=locked.assignment.application,
              before={k: _plain(old) for k, (old, _new) in changes.items()},
              after={k: _plain(new) for k, (_old, new) in changes.items()})
    review.__dict__.update({k: getattr(locked, k) for k in REVIEW_FIELDS | {"updated_at"}})
    return locked


def _plain(value):
    return str(value) if isinstance(value, Decimal) else value


def review_missing(review: Review) -> list[str]:
    """What a review still lacks before it can be submitted (translated labels)."""
    missing = [str(ReviewCriterion(code).label) for code in ReviewCriterion.values if getattr(review, code) is None]
    if not review.recommendation:
        missing.append(_("a recommendation"))
    return missing


@transaction.atomic
def review_submit(*, review: Review, actor) -> Review:
    """Submit a complete draft review; it then counts in the aggregates and can no longer change."""
    locked = _locked_review(review)
    _own_assignment(locked.assignment, actor)
    if locked.status != ReviewStatus.DRAFT:
        raise ApplicationError(_("This review is already submitted."))
    missing = review_missing(locked)
    if missing:
        raise ApplicationError(_("Score every criterion and give a recommendation: %(missing)s is missing.")
                               % {"missing": ", ".join(missing)})
    locked.status, locked.submitted_at = ReviewStatus.SUBMITTED, timezone.now()
    locked.save(update_fields=["status", "submitted_at", "updated_at"])
    audit(actor=actor, action="applications.review_submitted", target=locked.assignment.application,
          before={"status": ReviewStatus.DRAFT},
          after={"status": ReviewStatus.SUBMITTED, "review": locked.pk,
                 "scores": {c: getattr(locked, c) for c in ReviewCriterion.values},
                 "recommendation": locked.recommendation, "suggested_amount": _plain(locked.suggested_amount)})
    review.status, review.submitted_at = locked.status, locked.submitted_at
    return locked


@transaction.atomic
def review_reopen(*, review: Review, actor, reason: str = "") -> Review:
    """Staff reopen a submitted review so that its reviewer can change it."""
    _require_staff(actor)
    locked = _locked_review(review)
    if locked.status != ReviewStatus.SUBMITTED:
        raise ApplicationError(_("Only a submitted review can be reopened."))
    locked.status, locked.submitted_at = ReviewStatus.DRAFT, None
    locked.save(update_fields=["status", "submitted_at", "updated_at"])
    audit(actor=actor, action="applications.review_reopened", target=locked.assignment.application,
          before={"status": ReviewStatus.SUBMITTED, "review": locked.pk},
          after={"status": ReviewStatus.DRAFT, "reason": reason.strip()[:2000]})
    review.status, review.submitted_at = locked.status, locked.submitted_at
    return locked


# --- More information ----------------------------------------------------------------------------


@transaction.atomic
def info_request(*, application: Application, steps, message: str, actor) -> InfoRequest:
    """Staff ask the team for more information: the named steps reopen with the message; the team
    is emailed. The application waits in "more information requested" until the team resubmits."""
    _require_staff(actor)
    locked = Application.objects.select_for_update(of=("self",)).get(pk=application.pk)
    steps = sorted({int(step) for step in steps})
    if not steps or any(step not in STEP_NUMBERS for step in steps):
        raise ApplicationError(_("Choose the steps to reopen."))
    if not message.strip():
        raise ApplicationError(_("Write the message to the team: what do you need?"))
    if locked.status not in (Status.SUBMITTED, Status.SCREENED, Status.IN_REVIEW):
        raise ApplicationError(_("More information can be asked only of an application under review."))
    request = InfoRequest.objects.create(application=locked, steps=steps, message=message.strip(),
                                         requested_by=actor, previous_status=locked.status)
    audit(actor=actor, action="applications.info_requested", target=locked,
          before={"status": locked.status},
          after={"status": Status.MORE_INFO_REQUESTED, "steps": steps, "message": request.message})
    locked.status = Status.MORE_INFO_REQUESTED
    locked.save(update_fields=["status"])
    for member in TeamMember.objects.filter(application=locked).select_related("user"):
        notification_send(
            to=member.user.email,
            template="applications/email/info_requested",
            context={"application": locked, "request": request, "user": member.user,
                     "url": _url(f"/candidatures/{locked.pk}/")},
            key=f"applications.info_requested:{request.pk}:{member.user.pk}",
        )
    application.status = locked.status
    return request


@transaction.atomic
def info_request_answer(*, application: Application, actor) -> InfoRequest:
    """The team resubmits after a request for more information, complete like a submission: the
    application returns to review (or the status it had), and is screened again if its facts changed."""
    from ..completeness import missing_items
    from ..selectors import application_for_work
    from ..tasks import application_screen_task
    from .application import _require_team

    locked = Application.objects.select_for_update(of=("self",)).get(pk=application.pk)
    _require_team(locked, actor)
    request = InfoRequest.objects.open().filter(application=locked).first()
    if locked.status != Status.MORE_INFO_REQUESTED or request is None:
        raise ApplicationError(_("No information is requested on this application."))
    missing = missing_items(application_for_work(locked.pk))
    if missing:
        raise ApplicationError(_("The application is not complete yet: %(count)s item(s) are missing.")
                               % {"count": len(missing)}, items=missing)
    request.answered_at, request.answered_by = timezone.now(), actor
    request.save(update_fields=["answered_at", "answered_by"])
    back = Status.IN_REVIEW if locked.review_rounds.exists() else request.previous_status
    audit(actor=actor, action="applications.info_provided", target=locked,
          before={"status": locked.status}, after={"status": back, "request": request.pk})
    locked.status = back
    locked.save(update_fields=["status"])
    transaction.on_commit(partial(application_screen_task.delay, locked.pk))
    application.status = locked.status
    return request


# --- Decisions ---------------------------------------------------------------------------------


def _check_decider(actor, application) -> None:
    if is_staff_member(actor):
        return
    if _is_chair(actor, application.call) and not _conflicted(application, actor):
        return
    raise ApplicationError(_("Only the JOIN FORCES team or the chair of the committee records decisions."))


def excluded_criteria_of(application: Application) -> list[str]:
    """The exclusion criteria the application's screening found (codes)."""
    if application.screening_id is None:
        return []
    return list(application.screening.findings.filter(result=Result.EXCLUDE)
                .order_by("position").values_list("criterion", flat=True))


@transaction.atomic
def decision_record(*, application: Application, review_round: ReviewRound, outcome: str, actor,
                    rationale: str, amount_per_year=None, years=None, excluded_criteria=(),
                    reasons: str = "") -> Decision:
    """Record (or change, until it is published) the decision on an application of a round.

    Selected: an amount per year and a duration within the call's. Declined: the exclusion criteria
    met (for an ineligible application) and/or written reasons. Waitlisted: may later be followed
    by a selection or a decline, recorded the same way. Nothing reaches the team until publication.
    """
    locked = Application.objects.select_for_update(of=("self",)).select_related("call").get(pk=application.pk)
    _check_decider(actor, locked)
    if not review_round.applications.filter(pk=locked.pk).exists():
        raise ApplicationError(_("%(application)s is not in this round.") % {"application": locked})
    if locked.status not in DECIDABLE:
        raise ApplicationError(_("No decision can be recorded on this application (%(status)s).")
                               % {"status": locked.get_status_display()})
    if outcome not in Outcome.values:
        raise ApplicationError(_("Choose an outcome."))
    if not (rationale or "").strip():
        raise ApplicationError(_("Write the rationale of the decision."))
    excluded_criteria = list(dict.fromkeys(excluded_criteria))
    if any(code not in Criterion.values for code in excluded_criteria):
        raise ApplicationError(_("Unknown exclusion criterion."))
    if outcome == Outcome.SELECTED:
        try:
            amount_per_year = Decimal(amount_per_year)
        except (InvalidOperation, TypeError, ValueError):
            raise ApplicationError(_("Enter the amount per year.")) from None
        if amount_per_year <= 0:
            raise ApplicationError(_("The amount per year must be more than zero."))
        if not isinstance(years, int) or not 1 <= years <= locked.call.max_years:
            raise ApplicationError(_("The duration goes from 1 to %(max)d years for this call.")
                                   % {"max": locked.call.max_years})
        excluded_criteria, reasons = [], (reasons or "").strip()
    else:
        amount_per_year = years = None
        reasons = (reasons or "").strip()
        if outcome == Outcome.DECLINED and not (excluded_criteria or reasons):
            raise ApplicationError(_("Give the reasons of the decline: the exclusion criteria met, or written "
                                     "reasons."))
    latest_published = locked.decisions.published().order_by("-published_at", "-pk").first()
    if latest_published is not None and latest_published.outcome != Outcome.WAITLISTED:
        raise ApplicationError(_("The decision on this application is published and final."))
    values = {"outcome": outcome, "amount_per_year": amount_per_year, "years": years,
              "excluded_criteria": excluded_criteria, "reasons": reasons, "rationale": rationale.strip()}
    pending = locked.decisions.pending().select_for_update().first()
    if pending is None:
        decision = Decision.objects.create(application=locked, round=review_round, decided_by=actor,
                                           decided_at=timezone.now(), previous=latest_published, **values)
        before = None
    else:
        before = {name: _plain(getattr(pending, name)) for name in values}
        for name, value in values.items():
            setattr(pending, name, value)
        pending.round, pending.decided_by, pending.decided_at = review_round, actor, timezone.now()
        pending.save()
        decision = pending
    audit(actor=actor, action="applications.decided", target=locked, before=before,
          after={**{name: _plain(value) for name, value in values.items()}, "decision": decision.pk,
                 "round": review_round.pk})
    return decision


@transaction.atomic
def decisions_decline_ineligible(*, review_round: ReviewRound, actor) -> list[Decision]:
    """Record a decline, for its exclusion criteria, on each application of the round whose screening
    found it not eligible and that has no decision yet. Published with the others."""
    from eligibility.models import Screening, Verdict

    _require_staff(actor)
    ineligible = (review_round.applications.filter(
        status__in=DECIDABLE, screening__in=Screening.objects.with_final_verdict(Verdict.INELIGIBLE))
        .exclude(decisions__isnull=False).select_related("screening"))
    decisions = []
    for application in ineligible:
        criteria = excluded_criteria_of(application)
        decisions.append(decision_record(
            application=application, review_round=review_round, outcome=Outcome.DECLINED, actor=actor,
            excluded_criteria=criteria,
            reasons="" if criteria else _("The application does not meet the conditions of the call."),
            rationale=_("Not eligible after screening."),
        ))
    return decisions


@transaction.atomic
def round_publish(*, review_round: ReviewRound, actor) -> list[Decision]:
    """Publish the round's pending decisions: each application takes its outcome, and after the
    commit each team gets its decision letter and `decision_published` is sent. The one way an
    outcome reaches an applicant. Decisions on withdrawn applications are left unpublished."""
    from ..tasks import decision_letter_task

    _require_staff(actor)
    locked_round = ReviewRound.objects.select_for_update().get(pk=review_round.pk)
    # Applications before their decisions, in a fixed order: the order `decision_record` locks in,
    # so that publishing while a decision is being recorded waits instead of deadlocking.
    list(Application.objects.select_for_update(of=("self",))
         .filter(pk__in=Decision.objects.filter(round=locked_round, published_at__isnull=True).values("application_id"))
         .order_by("pk").values_list("pk", flat=True))
    now = timezone.now()
    pending = list(Decision.objects.select_for_update(of=("self",))
                   .filter(round=locked_round, published_at__isnull=True)
                   .exclude(application__status=Status.WITHDRAWN).select_related("application"))
    for decision in pending:
        application = Application.objects.select_for_update(of=("self",)).get(pk=decision.application_id)
        decision.published_at, decision.published_by = now, actor
        decision.save(update_fields=["published_at", "published_by"])
        audit(actor=actor, action="applications.decision_published", target=application,
              before={"status": application.status},
              after={"status": decision.outcome, "decision": decision.pk, "round": locked_round.pk})
        application.status = decision.outcome
        application.save(update_fields=["status"])
        transaction.on_commit(partial(decision_letter_task.delay, decision.pk))
        transaction.on_commit(partial(decision_published.send, sender=Decision, decision=decision))
    locked_round.published_at = now
    locked_round.save(update_fields=["published_at"])
    audit(actor=actor, action="applications.round_published", target=locked_round,
          after={"decisions": [d.pk for d in pending]})
    review_round.published_at = now
    return pending


def team_language(application: Application) -> str:
    """The language of the team: that of the person who started the application."""
    return getattr(application.created_by, "language", "") or settings.LANGUAGE_CODE


def decision_letter_send(*, decision_id: int) -> Decision:
    """Render the decision letter once (in the team's language) and email it to each person of the
    team. Safe to run twice: the letter is kept on the decision, each email has its own key."""
    from joinforces.core.pdf import render_pdf

    with transaction.atomic():
        decision = (Decision.objects.select_for_update(of=("self",))
                    .select_related("application__call", "application__created_by").get(pk=decision_id))
        if not decision.is_published:
            raise ApplicationError(_("This decision is not published."))
        application = decision.application
        if not decision.letter:
            language = team_language(application)
            with translation.override(language):
                criteria = [Criterion(code).label for code in decision.excluded_criteria]
                content = render_pdf("applications/decision_letter_pdf.html",
                                     {"decision": decision, "application": application, "criteria": criteria},
                                     title=_("Decision on application %(reference)s")
                                     % {"reference": application.reference},
                                     language=language)
            decision.letter.save(f"decision-{application.reference}.pdf", ContentFile(content), save=False)
            decision.letter_language = language
            decision.save(update_fields=["letter", "letter_language"])
    with decision.letter.open("rb") as handle:
        pdf = handle.read()
    for member in TeamMember.objects.filter(application=application).select_related("user"):
        notification_send(
            to=member.user.email,
            template="applications/email/decision",
            context={"application": application, "decision": decision, "user": member.user,
                     "url": _url(f"/candidatures/{application.pk}/")},
            key=f"applications.decision_letter:{decision.pk}:{member.user.pk}",
            attachments=[EmailAttachment(f"decision-{application.reference}.pdf", pdf, "application/pdf")],
        )
    return decision
