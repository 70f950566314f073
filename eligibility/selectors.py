"""Reads of eligibility."""

import json
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Sum
from django.utils import timezone

from .models import Screening, ScreeningFinding, SelfAssessmentTally

_MISSING = object()
ANSWER_DISPLAY_LENGTH = 120


def resolve_pointer(document, pointer: str):
    """The value at a JSON pointer (RFC 6901) in `document`, or `_MISSING`."""
    if pointer in ("", "/"):
        return document
    value = document
    for token in pointer.lstrip("/").split("/"):
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(value, list) and token.isdigit() and int(token) < len(value):
            value = value[int(token)]
        elif isinstance(value, dict) and token in value:
            value = value[token]
        else:
            return _MISSING
    return value


@dataclass(frozen=True)
class Answer:
    pointer: str
    value: object

    @property
    def missing(self) -> bool:
        return self.value is _MISSING

    @property
    def display(self) -> str:
        """The answer as the case file says it (JSON), shortened when it is a long list."""
        text = json.dumps(self.value, ensure_ascii=False)
        return text if len(text) <= ANSWER_DISPLAY_LENGTH else text[: ANSWER_DISPLAY_LENGTH - 1] + "…"


def finding_answers(screening: Screening, finding: ScreeningFinding) -> list[Answer]:
    """The answers of the screened case that a finding rests on, with their values."""
    return [Answer(pointer, resolve_pointer(screening.case, pointer)) for pointer in finding.facts]


@dataclass(frozen=True)
class WeekCounts:
    week: date
    eligible: int
    ineligible: int
    needs_review: int

    @property
    def total(self) -> int:
        return self.eligible + self.ineligible + self.needs_review


def self_assessment_weeks(*, weeks: int = 12, today: date | None = None) -> list[WeekCounts]:
    """Self-assessments per week and verdict, oldest first, weeks without any included (one query)."""
    today = today or timezone.localdate()
    this_week = today - timedelta(days=today.weekday())
    first = this_week - timedelta(weeks=weeks - 1)
    counts = {
        (row["week"], row["result"]): row["total"]
        for row in SelfAssessmentTally.objects.filter(criterion=SelfAssessmentTally.VERDICT, week__gte=first)
        .values("week", "result")
        .annotate(total=Sum("count"))
    }
    return [
        WeekCounts(
            week=week,
            eligible=counts.get((week, "eligible"), 0),
            ineligible=counts.get((week, "ineligible"), 0),
            needs_review=counts.get((week, "needs_review"), 0),
        )
        for week in (first + timedelta(weeks=n) for n in range(weeks))
    ]


def self_assessment_by_criterion(*, since: date | None = None) -> dict[str, dict[str, int]]:
    """Total results per criterion (pass / exclude / review) over the period (one query)."""
    queryset = SelfAssessmentTally.objects.exclude(criterion=SelfAssessmentTally.VERDICT)
    if since:
        queryset = queryset.filter(week__gte=since)
    totals: dict[str, dict[str, int]] = {}
    for row in queryset.values("criterion", "result").annotate(total=Sum("count")):
        totals.setdefault(row["criterion"], {})[row["result"]] = row["total"]
    return totals
