"""Stored screenings (self-contained records of a case, its findings and verdict) and the anonymous
counts of the public self-assessment. The rules themselves live in `criteria.py` (pure)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Criterion(models.TextChoices):
    ADVOCACY_ONLY = "advocacy_only", _("Advocacy only")
    RALLIANCE = "ralliance", _("“Ralliance”")
    OFF_GROUND = "off_ground", _("Off the ground")
    FEDERATION = "federation", _("Federation or network head")
    FUNDRAISING_CONSORTIUM = "fundraising_consortium", _("Consortium or pooled fundraising")
    OPERATING_COSTS = "operating_costs", _("Operating costs of the collective")
    DURATION = "duration", _("Duration")
    DECIDED = "decided", _("Already decided")
    MEMBERS = "members", _("At least two organisations")
    NON_PROFIT = "non_profit", _("Non-profit, general interest")


class Result(models.TextChoices):
    PASS = "pass", _("Passes")
    EXCLUDE = "exclude", _("Excludes")
    REVIEW = "review", _("To review")


class Verdict(models.TextChoices):
    ELIGIBLE = "eligible", _("Eligible")
    INELIGIBLE = "ineligible", _("Not eligible")
    NEEDS_REVIEW = "needs_review", _("Needs a review")


def final_verdict():
    """The verdict that stands, as an expression: the staff's override if there is one, else the
    screening's own (the model's `final_verdict`, in the database)."""
    return models.Case(models.When(override_verdict="", then=models.F("verdict")), default=models.F("override_verdict"))


class ScreeningQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Screenings are read by staff; applicants see theirs through their application."""
        from joinforces.accounts.rules import is_staff_member

        return self if is_staff_member(user) else self.none()

    def with_final_verdict(self, verdict: str):
        return self.filter(Q(override_verdict=verdict) | (Q(override_verdict="") & Q(verdict=verdict)))

    def excluded_by(self, criterion: str):
        return self.filter(findings__criterion=criterion, findings__result=Result.EXCLUDE)


class Screening(models.Model):
    """The screening of one case: the case itself, the ruleset, the findings and the verdict.

    Self-contained and never recomputed: the same case screened with the same ruleset gives the same
    result, and a later ruleset leaves old screenings as they were. Staff may override the verdict
    with a written reason; the original verdict and findings are kept.
    """

    name = models.CharField(_("collective"), max_length=300)
    case = models.JSONField(_("case"))
    case_digest = models.CharField(_("case fingerprint"), max_length=64, db_index=True)
    ruleset = models.CharField(_("ruleset"), max_length=20)
    verdict = models.CharField(_("verdict"), max_length=12, choices=Verdict.choices)
    screened_at = models.DateTimeField(_("screened"), auto_now_add=True)
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("screened by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    override_verdict = models.CharField(_("overriding verdict"), max_length=12, choices=Verdict.choices, blank=True)
    override_reason = models.TextField(_("reason for the override"), blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("overridden by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    overridden_at = models.DateTimeField(_("overridden"), null=True, blank=True)

    objects = ScreeningQuerySet.as_manager()

    class Meta:
        verbose_name = _("screening")
        verbose_name_plural = _("screenings")
        ordering = ["-screened_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(verdict__in=Verdict.values), name="screening_verdict_valid"),
            models.CheckConstraint(
                condition=(Q(override_verdict="") & Q(override_reason="") & Q(overridden_at__isnull=True))
                | (Q(override_verdict__in=Verdict.values) & ~Q(override_reason="") & Q(overridden_at__isnull=False)),
                name="screening_override_complete",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_overridden(self) -> bool:
        return bool(self.override_verdict)

    @property
    def final_verdict(self) -> str:
        return self.override_verdict or self.verdict

    def get_final_verdict_display(self) -> str:
        return Verdict(self.final_verdict).label


class ScreeningFinding(models.Model):
    """One criterion's finding in a screening: pass, exclude or review, why, and on which answers."""

    screening = models.ForeignKey(Screening, on_delete=models.CASCADE, related_name="findings")
    position = models.PositiveSmallIntegerField(_("position"))
    criterion = models.CharField(_("criterion"), max_length=30, choices=Criterion.choices)
    result = models.CharField(_("result"), max_length=8, choices=Result.choices)
    reason_fr = models.TextField(_("reason (French)"))
    reason_en = models.TextField(_("reason (English)"))
    facts = models.JSONField(_("answers it rests on"), default=list)

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["screening", "position"]
        constraints = [
            models.UniqueConstraint(fields=["screening", "criterion"], name="screeningfinding_one_per_criterion"),
            models.CheckConstraint(condition=Q(result__in=Result.values), name="screeningfinding_result_valid"),
            models.CheckConstraint(
                condition=Q(criterion__in=Criterion.values), name="screeningfinding_criterion_valid"
            ),
        ]

    def __str__(self):
        return f"{self.get_criterion_display()}: {self.get_result_display()}"

    @property
    def reason(self) -> str:
        return self.reason_en if (get_language() or "fr").startswith("en") else self.reason_fr


class SelfAssessmentTally(models.Model):
    """How many public self-assessments gave each result, per week. Nothing personal is kept."""

    VERDICT = "verdict"  # the `criterion` value of the rows that count overall verdicts

    week = models.DateField(_("week of"))
    criterion = models.CharField(_("criterion"), max_length=30)
    result = models.CharField(_("result"), max_length=12)
    count = models.PositiveIntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("self-assessment count")
        verbose_name_plural = _("self-assessment counts")
        ordering = ["-week", "criterion", "result"]
        constraints = [
            models.UniqueConstraint(fields=["week", "criterion", "result"], name="selfassessmenttally_unique"),
        ]

    def __str__(self):
        return f"{self.week:%Y-%m-%d} {self.criterion} {self.result}: {self.count}"
