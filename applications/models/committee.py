"""The selection committee: who sits on a call's committee, review rounds, assignments, declarations
of conflicts of interest, reviews, requests for more information and decisions.

The rule that matters most here: a reviewer who declared a conflict with an application gets, for
that application and everything derived from it (reviews, attachments, aggregates), exactly what a
person gets for an object that does not exist. Every queryset's `visible_to(user)` applies it.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from joinforces.core.uploads import UploadTo

from .application import MONEY, Application, Call, MemberOrganisation

SCORE_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]


def _is_staff(user) -> bool:
    from joinforces.accounts.rules import is_staff_member

    return is_staff_member(user)


def conflicted_applications(user):
    """The ids of the applications `user` declared a conflict with (a subquery)."""
    return ConflictDeclaration.objects.filter(reviewer=user, has_conflict=True).values("application_id")


def reviewable_applications(user):
    """The ids of the applications `user` reviews: assigned to them, or in a round of a call they chair,
    minus those they declared a conflict with (a subquery). Declared or not yet."""
    return (
        Application.objects.filter(
            Q(assignments__reviewer=user)
            | Q(review_rounds__call__committee__user=user, review_rounds__call__committee__is_chair=True)
        )
        .exclude(pk__in=conflicted_applications(user))
        .values("pk")
    )


def cleared_applications(user):
    """The ids of the applications `user` reviews and declared no conflict with: they may read them."""
    return ConflictDeclaration.objects.filter(
        reviewer=user, has_conflict=False, application__in=reviewable_applications(user)
    ).values("application_id")


class CommitteeMembership(models.Model):
    """A person on the selection committee of one call; the chair may record decisions."""

    call = models.ForeignKey(Call, verbose_name=_("call"), on_delete=models.CASCADE, related_name="committee")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("member"), on_delete=models.CASCADE,
                             related_name="committee_memberships")
    is_chair = models.BooleanField(_("chair"), default=False)
    added_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("committee member")
        verbose_name_plural = _("committee")
        ordering = ["call", "-is_chair", "user__last_name", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["call", "user"], name="committeemembership_once_per_call"),
            models.UniqueConstraint(fields=["call"], condition=Q(is_chair=True),
                                    name="committeemembership_one_chair_per_call"),
        ]

    def __str__(self):
        return f"{self.user} · {self.call}"


class ReviewRoundQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if _is_staff(user):
            return self
        return self.filter(call__committee__user=user).distinct()


class ReviewRound(models.Model):
    """One round of review of a call's applications, with a deadline; its decisions are published
    together."""

    call = models.ForeignKey(Call, verbose_name=_("call"), on_delete=models.PROTECT, related_name="review_rounds")
    title = models.CharField(_("title"), max_length=200)
    deadline = models.DateTimeField(_("deadline for reviews"))
    reviewers_per_application = models.PositiveSmallIntegerField(
        _("reviewers per application"), default=2, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    applications = models.ManyToManyField(Application, verbose_name=_("applications"), blank=True,
                                          related_name="review_rounds")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("opened by"), null=True,
                                  on_delete=models.SET_NULL, related_name="+")
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    published_at = models.DateTimeField(_("decisions last published"), null=True, blank=True)

    objects = ReviewRoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("review round")
        verbose_name_plural = _("review rounds")
        ordering = ["-opened_at"]
        constraints = [
            models.CheckConstraint(condition=Q(reviewers_per_application__gte=1, reviewers_per_application__lte=10),
                                   name="reviewround_reviewers_range"),
        ]

    def __str__(self):
        return f"{self.title} · {self.call}"


class ReviewAssignmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff see every assignment; a reviewer sees theirs, minus the applications they are
        conflicted with."""
        if not user.is_authenticated:
            return self.none()
        if _is_staff(user):
            return self
        return self.filter(reviewer=user).exclude(application__in=conflicted_applications(user))

    def without_conflicts(self):
        """The assignments whose reviewer has not declared a conflict with their application."""
        return self.exclude(Exists(ConflictDeclaration.objects.filter(
            application=OuterRef("application"), reviewer=OuterRef("reviewer"), has_conflict=True)))


class ReviewAssignment(models.Model):
    """A reviewer asked to review one application in a round."""

    round = models.ForeignKey(ReviewRound, verbose_name=_("round"), on_delete=models.CASCADE,
                              related_name="assignments")
    application = models.ForeignKey(Application, verbose_name=_("application"), on_delete=models.CASCADE,
                                    related_name="assignments")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reviewer"), on_delete=models.PROTECT,
                                 related_name="review_assignments")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assigned by"), null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    assigned_at = models.DateTimeField(_("assigned"), auto_now_add=True)

    objects = ReviewAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("review assignment")
        verbose_name_plural = _("review assignments")
        ordering = ["round", "application__reference", "reviewer__email"]
        constraints = [
            models.UniqueConstraint(fields=["round", "application", "reviewer"],
                                    name="reviewassignment_once_per_round"),
        ]

    def __str__(self):
        return f"{self.application} → {self.reviewer}"


class ConflictDeclarationQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if _is_staff(user):
            return self
        return self.filter(reviewer=user)


class ConflictDeclaration(models.Model):
    """What a reviewer declared about an application's member organisations before reading it.

    A "no conflict" may later become a conflict (their review is then set aside); a declared
    conflict is never taken back by the reviewer."""

    application = models.ForeignKey(Application, verbose_name=_("application"), on_delete=models.CASCADE,
                                    related_name="conflict_declarations")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reviewer"), on_delete=models.PROTECT,
                                 related_name="conflict_declarations")
    has_conflict = models.BooleanField(_("has a conflict of interest"))
    organisations = models.ManyToManyField(MemberOrganisation, verbose_name=_("organisations concerned"),
                                           blank=True, related_name="+")
    details = models.TextField(_("details"), blank=True)
    declared_at = models.DateTimeField(_("declared"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ConflictDeclarationQuerySet.as_manager()

    class Meta:
        verbose_name = _("declaration of interests")
        verbose_name_plural = _("declarations of interests")
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(fields=["application", "reviewer"], name="conflictdeclaration_once_per_reviewer"),
        ]

    def __str__(self):
        return f"{self.reviewer} · {self.application}"


class ReviewCriterion(models.TextChoices):
    """The criteria of the funder's vision of collective impact, scored from 1 to 5."""

    SINCERITY = "sincerity", _("Sincerity of the intention to work together")
    TRANSPARENCY = "transparency", _("Transparency")
    ALIGNMENT = "alignment", _("Alignment of the programmes")
    ANCHORING = "anchoring", _("Territorial anchoring")
    SYSTEMIC_IMPACT = "systemic_impact", _("Systemic impact")
    OPERATING_COST_FIT = "operating_cost_fit", _("Fit of the operating-cost need")


class Recommendation(models.TextChoices):
    FUND = "fund", _("Fund")
    DO_NOT_FUND = "do_not_fund", _("Do not fund")
    DISCUSS = "discuss", _("Discuss in committee")


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    SET_ASIDE = "set_aside", _("Set aside (conflict of interest)")


class ReviewQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff see every review. A reviewer sees their own, and the others' submitted reviews of an
        application once they have submitted theirs (the chair: always), never on an application they
        are conflicted with."""
        if not user.is_authenticated:
            return self.none()
        if _is_staff(user):
            return self
        cleared = cleared_applications(user)
        own_submitted = Review.objects.filter(assignment__reviewer=user, status=ReviewStatus.SUBMITTED).values(
            "assignment__application_id")
        chaired = Application.objects.filter(
            review_rounds__call__committee__user=user, review_rounds__call__committee__is_chair=True).values("pk")
        return self.filter(assignment__application__in=cleared).filter(
            Q(assignment__reviewer=user)
            | Q(status=ReviewStatus.SUBMITTED, assignment__application__in=own_submitted)
            | Q(status=ReviewStatus.SUBMITTED, assignment__application__in=chaired)
        )

    def counted(self):
        """The reviews that count in the aggregates: submitted, not set aside."""
        return self.filter(status=ReviewStatus.SUBMITTED)


class Review(models.Model):
    """One reviewer's scores, comments and recommendation on one application."""

    assignment = models.OneToOneField(ReviewAssignment, verbose_name=_("assignment"), on_delete=models.PROTECT,
                                      related_name="review")
    status = models.CharField(_("status"), max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT)
    sincerity = models.PositiveSmallIntegerField(ReviewCriterion.SINCERITY.label, null=True, blank=True,
                                                 validators=SCORE_VALIDATORS)
    sincerity_comment = models.TextField(_("comment"), blank=True)
    transparency = models.PositiveSmallIntegerField(ReviewCriterion.TRANSPARENCY.label, null=True, blank=True,
                                                    validators=SCORE_VALIDATORS)
    transparency_comment = models.TextField(_("comment"), blank=True)
    alignment = models.PositiveSmallIntegerField(ReviewCriterion.ALIGNMENT.label, null=True, blank=True,
                                                 validators=SCORE_VALIDATORS)
    alignment_comment = models.TextField(_("comment"), blank=True)
    anchoring = models.PositiveSmallIntegerField(ReviewCriterion.ANCHORING.label, null=True, blank=True,
                                                 validators=SCORE_VALIDATORS)
    anchoring_comment = models.TextField(_("comment"), blank=True)
    systemic_impact = models.PositiveSmallIntegerField(ReviewCriterion.SYSTEMIC_IMPACT.label, null=True,
                                                       blank=True, validators=SCORE_VALIDATORS)
    systemic_impact_comment = models.TextField(_("comment"), blank=True)
    operating_cost_fit = models.PositiveSmallIntegerField(ReviewCriterion.OPERATING_COST_FIT.label, null=True,
                                                          blank=True, validators=SCORE_VALIDATORS)
    operating_cost_fit_comment = models.TextField(_("comment"), blank=True)
    recommendation = models.CharField(_("recommendation"), max_length=20, choices=Recommendation.choices,
                                      blank=True)
    suggested_amount = models.DecimalField(_("suggested amount per year (€)"), null=True, blank=True, **MONEY)
    general_comment = models.TextField(_("general comment"), blank=True)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last saved"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    set_aside_at = models.DateTimeField(_("set aside"), null=True, blank=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-updated_at"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ReviewStatus.values), name="review_status_valid"),
            *[
                models.CheckConstraint(condition=Q(**{f"{c}__isnull": True}) | Q(**{f"{c}__gte": 1, f"{c}__lte": 5}),
                                       name=f"review_{c}_score_range")
                for c in ReviewCriterion.values
            ],
            models.CheckConstraint(
                condition=Q(status__in=[ReviewStatus.DRAFT, ReviewStatus.SET_ASIDE])
                | Q(submitted_at__isnull=False, **{f"{c}__isnull": False for c in ReviewCriterion.values})
                & ~Q(recommendation=""),
                name="review_submitted_is_complete",
            ),
            models.CheckConstraint(condition=Q(suggested_amount__isnull=True) | Q(suggested_amount__gte=0),
                                   name="review_suggested_amount_not_negative"),
        ]

    def __str__(self):
        return f"{self.assignment.reviewer} · {self.assignment.application}"

    @property
    def scores(self) -> list[tuple[str, str, int | None, str]]:
        """(code, label, score, comment) for each criterion, in the funder's order."""
        return [(c.value, c.label, getattr(self, c.value), getattr(self, f"{c.value}_comment"))
                for c in ReviewCriterion]

    @property
    def mean(self):
        values = [getattr(self, c) for c in ReviewCriterion.values]
        if any(value is None for value in values):
            return None
        return sum(values) / len(values)


class InfoRequestQuerySet(models.QuerySet):
    def open(self):
        return self.filter(answered_at__isnull=True)


class InfoRequest(models.Model):
    """Staff ask the team for more information: the named steps reopen until the team resubmits."""

    application = models.ForeignKey(Application, verbose_name=_("application"), on_delete=models.CASCADE,
                                    related_name="info_requests")
    steps = models.JSONField(_("steps reopened"), default=list)
    message = models.TextField(_("message to the team"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"), null=True,
                                     on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    previous_status = models.CharField(_("status before the request"), max_length=20)
    answered_at = models.DateTimeField(_("resubmitted"), null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("resubmitted by"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = InfoRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("request for more information")
        verbose_name_plural = _("requests for more information")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(fields=["application"], condition=Q(answered_at__isnull=True),
                                    name="inforequest_one_open_per_application"),
        ]

    def __str__(self):
        return f"{self.application} · {self.requested_at:%d/%m/%Y}"


class Outcome(models.TextChoices):
    SELECTED = "selected", _("Selected")
    DECLINED = "declined", _("Declined")
    WAITLISTED = "waitlisted", _("Waitlisted")


class DecisionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff see every decision; committee members those on applications they may read; the team
        its own, once published."""
        if not user.is_authenticated:
            return self.none()
        if _is_staff(user):
            return self
        published_to_team = Q(published_at__isnull=False, application__team__user=user)
        return self.filter(published_to_team | Q(application__in=cleared_applications(user))).distinct()

    def published(self):
        return self.filter(published_at__isnull=False)

    def pending(self):
        return self.filter(published_at__isnull=True)


class Decision(models.Model):
    """The committee's decision on an application in a round. It reaches the team only when staff
    publish the round's decisions; until then it can be changed (each change audited)."""

    application = models.ForeignKey(Application, verbose_name=_("application"), on_delete=models.PROTECT,
                                    related_name="decisions")
    round = models.ForeignKey(ReviewRound, verbose_name=_("round"), on_delete=models.PROTECT,
                              related_name="decisions")
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    amount_per_year = models.DecimalField(_("amount per year (€)"), null=True, blank=True, **MONEY)
    years = models.PositiveSmallIntegerField(_("duration (years)"), null=True, blank=True)
    excluded_criteria = models.JSONField(_("exclusion criteria met"), default=list, blank=True)
    reasons = models.TextField(_("reasons given to the team"), blank=True)
    rationale = models.TextField(_("rationale (internal)"))
    previous = models.OneToOneField("self", verbose_name=_("follows the decision"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="next")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("decided"))
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("published by"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+")
    letter = models.FileField(_("decision letter"), upload_to=UploadTo("decisions"), max_length=300, blank=True)
    letter_language = models.CharField(_("language of the letter"), max_length=10, blank=True)

    objects = DecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["-decided_at"]
        constraints = [
            models.CheckConstraint(condition=Q(outcome__in=Outcome.values), name="decision_outcome_valid"),
            models.CheckConstraint(
                # NULL compares to nothing: without the explicit "not null", a CHECK lets NULL through.
                condition=~Q(outcome=Outcome.SELECTED) | Q(amount_per_year__isnull=False, amount_per_year__gt=0,
                                                           years__isnull=False, years__gte=1, years__lte=10),
                name="decision_selected_has_amount_and_years",
            ),
            models.CheckConstraint(
                condition=Q(outcome=Outcome.SELECTED) | Q(amount_per_year__isnull=True, years__isnull=True),
                name="decision_amount_only_when_selected",
            ),
            models.UniqueConstraint(fields=["application"], condition=Q(published_at__isnull=True),
                                    name="decision_one_pending_per_application"),
        ]

    def __str__(self):
        return f"{self.application} · {self.get_outcome_display()}"

    @property
    def total_amount(self):
        if self.amount_per_year is None or self.years is None:
            return None
        return self.amount_per_year * self.years

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


def with_cleared_flag(queryset, user):
    """Annotate `cleared`: whether `user` declared no conflict with each application."""
    return queryset.annotate(cleared=Exists(ConflictDeclaration.objects.filter(
        application=OuterRef("pk"), reviewer=user, has_conflict=False)))
