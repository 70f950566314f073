"""Writes of eligibility: store a screening, override its verdict, count self-assessments."""

import hashlib
import json
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from joinforces.core.services import audit

from .criteria import Outcome, screen
from .models import Screening, ScreeningFinding, SelfAssessmentTally, Verdict


class EligibilityError(Exception):
    """A refused eligibility action, with a translated message for the person."""


def case_digest(case: dict) -> str:
    """A fingerprint of a case that does not depend on key order or spacing."""
    canonical = json.dumps(case, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@transaction.atomic
def screening_create(*, case: dict, actor=None) -> Screening:
    """Screen `case` (validated first; raises `cases.CaseError`) and store the self-contained record."""
    outcome: Outcome = screen(case)
    screening = Screening.objects.create(
        name=str(case.get("name", ""))[:300],
        case=case,
        case_digest=case_digest(case),
        ruleset=outcome.ruleset,
        verdict=outcome.verdict,
        screened_by=actor if actor is not None and actor.is_authenticated else None,
    )
    ScreeningFinding.objects.bulk_create(
        ScreeningFinding(
            screening=screening,
            position=position,
            criterion=finding.criterion,
            result=str(finding.result),
            reason_fr=finding.reason["fr"],
            reason_en=finding.reason["en"],
            facts=list(finding.facts),
        )
        for position, finding in enumerate(outcome.findings)
    )
    audit(actor=actor, action="eligibility.screened", target=screening,
          after={"verdict": outcome.verdict, "ruleset": outcome.ruleset})
    return screening


@transaction.atomic
def screening_override(*, screening: Screening, verdict: str, reason: str, actor) -> Screening:
    """Replace the verdict with a person's decision, with a written reason. Findings stay as they were."""
    reason = (reason or "").strip()
    if verdict not in Verdict.values:
        raise EligibilityError(_("Choose a verdict."))
    if not reason:
        raise EligibilityError(_("Write why you override the verdict: the reason is kept with the screening."))
    screening = Screening.objects.select_for_update().get(pk=screening.pk)
    before = {"verdict": screening.final_verdict, "override_reason": screening.override_reason or None}
    screening.override_verdict = verdict
    screening.override_reason = reason
    screening.overridden_by = actor
    screening.overridden_at = timezone.now()
    screening.full_clean(exclude=["case"])
    screening.save(update_fields=["override_verdict", "override_reason", "overridden_by", "overridden_at"])
    audit(actor=actor, action="eligibility.overridden", target=screening, before=before,
          after={"verdict": verdict, "override_reason": reason, "original_verdict": screening.verdict})
    return screening


def week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def self_assessment_count(*, outcome: Outcome, day: date | None = None) -> None:
    """Count one anonymous self-assessment: its verdict and each criterion's result, this week."""
    week = week_of(day or timezone.localdate())
    rows = [(SelfAssessmentTally.VERDICT, outcome.verdict)]
    rows += [(finding.criterion, str(finding.result)) for finding in outcome.findings]
    for criterion, result in rows:
        _increment(week, criterion, result)


def _increment(week: date, criterion: str, result: str) -> None:
    lookup = {"week": week, "criterion": criterion, "result": result}
    if SelfAssessmentTally.objects.filter(**lookup).update(count=F("count") + 1):
        return
    try:
        with transaction.atomic():
            SelfAssessmentTally.objects.create(**lookup, count=1)
    except IntegrityError:
        # Created meanwhile by a concurrent request: count on the existing row.
        SelfAssessmentTally.objects.filter(**lookup).update(count=F("count") + 1)
