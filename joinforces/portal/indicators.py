"""Reads of the portfolio indicators: what the fund's grants did in a period, and what the selection
learned. The one place that reads every app at once (the portal is the top of the platform).

For a `Period` (a calendar year, or all time):

- from the approved grant reports (approved within the period): reports, initiatives reporting,
  organisations involved (each initiative's largest figure of the period, so that two reports of one
  initiative never count its members twice), people reached, governance meetings, territories covered
  (a région reported counts for each of its départements on the map);
- from the ledger, through `grants.dashboards` (the whole fund, `donor=None`): money received,
  redistributed and paid, by theme, kind and région;
- from support: days delivered by domain (delivered sessions that started in the period, a day being
  `SUPPORT_HOURS_PER_DAY` hours);
- from the selection: applications received (submitted in the period), their screenings' verdicts,
  the exclusions most often met in those screenings and in the public self-assessment (weeks of the
  period), the overrides and their reasons, the days from submission to the first published decision.

Every read is a fixed number of queries whatever the number of grants, reports, bookings or
applications (pinned in tests/portal/test_indicators.py).
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from statistics import mean, median

from django.db.models import Count, DurationField, ExpressionWrapper, F, Max, Min, Sum

from applications.models import Application
from applications.models.application import SupportDomain
from eligibility.models import (
    Criterion,
    Result,
    Screening,
    ScreeningFinding,
    SelfAssessmentTally,
    Verdict,
    final_verdict,
)
from grants import dashboards
from grants.dashboards import Period
from grants.models import GrantReport, ReportStatus
from grants.selectors import _period
from joinforces.core import charts
from joinforces.core.models import Territory
from support.models import Booking, BookingStatus
from support.selectors import days as support_days

OVERRIDES_SHOWN = 50


def _days_from_hours(hours: Decimal) -> Decimal:
    return support_days(hours, places=Decimal("0.1"), rounding=ROUND_HALF_UP)


# --- What the grants did (approved reports) ---------------------------------------------------------


def approved_reports(period: Period):
    """The grant reports approved within the period."""
    return _period(GrantReport.objects.filter(status=ReportStatus.APPROVED), "reviewed_at__date",
                   period.start, period.end)


@dataclass(frozen=True)
class Reported:
    reports: int
    initiatives: int
    organisations: int
    people: int
    meetings: int


def reported(period: Period) -> Reported:
    """The standard indicators of the approved reports: two queries."""
    reports = approved_reports(period)
    totals = reports.aggregate(reports=Count("pk"), initiatives=Count("grant", distinct=True),
                               people=Sum("people_reached"), meetings=Sum("governance_meetings"))
    per_grant = reports.values("grant_id").annotate(most=Max("organisations_involved")).order_by()
    organisations = sum(row["most"] or 0 for row in per_grant)
    return Reported(reports=totals["reports"], initiatives=totals["initiatives"], organisations=organisations,
                    people=totals["people"] or 0, meetings=totals["meetings"] or 0)


@dataclass(frozen=True)
class Covered:
    """The territories the approved reports cover: each département with the number of initiatives
    there (`departements`, most first), and the régions reached."""

    departements: list
    regions: list

    @property
    def map(self) -> dict:
        return charts.france_map(((row["code"], row["name"], row["initiatives"]) for row in self.departements),
                                 level="departements")


def territories_covered(period: Period) -> Covered:
    """Two queries: the territories of the approved reports (with their initiative), and the
    départements with their région (to spread a région reported over its départements)."""
    through = GrantReport.territories_covered.through
    rows = (through.objects.filter(grantreport__in=approved_reports(period))
            .values_list("territory_id", "territory__kind", "grantreport__grant_id"))
    reached: dict[int, set] = {}
    regions_reached: dict[int, set] = {}
    departements = {pk: (code, name, region_id) for pk, code, name, region_id in
                    Territory.objects.exclude(kind=Territory.Kind.REGION).values_list("pk", "code", "name",
                                                                                      "region_id")}
    by_region: dict[int, list] = {}
    for pk, (_code, _name, region_id) in departements.items():
        by_region.setdefault(region_id, []).append(pk)
    for territory_id, kind, grant_id in rows:
        if kind == Territory.Kind.REGION:
            regions_reached.setdefault(territory_id, set()).add(grant_id)
            for pk in by_region.get(territory_id, ()):
                reached.setdefault(pk, set()).add(grant_id)
        else:
            reached.setdefault(territory_id, set()).add(grant_id)
            region_id = departements[territory_id][2]
            if region_id:
                regions_reached.setdefault(region_id, set()).add(grant_id)
    listed = [{"code": departements[pk][0], "name": departements[pk][1], "initiatives": len(grants)}
              for pk, grants in reached.items()]
    listed.sort(key=lambda row: (-row["initiatives"], row["code"]))
    return Covered(departements=listed, regions=sorted(regions_reached))


# --- Support given --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SupportGiven:
    by_domain: list  # {"domain", "label", "sessions", "days"}
    initiatives: int

    @property
    def days(self) -> Decimal:
        return sum((row["days"] for row in self.by_domain), Decimal("0.0"))

    @property
    def sessions(self) -> int:
        return sum(row["sessions"] for row in self.by_domain)

    @property
    def chart(self) -> dict:
        return charts.bars((row["label"], row["days"]) for row in self.by_domain)


def support_given(period: Period) -> SupportGiven:
    """Days of support delivered by domain (sessions delivered that started in the period): two queries."""
    delivered = _period(Booking.objects.filter(status=BookingStatus.DELIVERED), "start__date", period.start,
                        period.end)
    length = ExpressionWrapper(F("end") - F("start"), output_field=DurationField())
    rows = (delivered.values("need__domain").annotate(sessions=Count("pk"), length=Sum(length))
            .order_by("need__domain"))
    labels = dict(SupportDomain.choices)
    by_domain = [{"domain": row["need__domain"], "label": labels.get(row["need__domain"], row["need__domain"]),
                  "sessions": row["sessions"],
                  "days": _days_from_hours(Decimal(row["length"].total_seconds()) / 3600)} for row in rows]
    by_domain.sort(key=lambda row: (-row["days"], row["label"]))
    initiatives = delivered.aggregate(n=Count("need__plan__grant", distinct=True))["n"]
    return SupportGiven(by_domain=by_domain, initiatives=initiatives)


# --- What the selection learned ---------------------------------------------------------------------


def received_applications(period: Period):
    """The applications submitted within the period (withdrawn later or not)."""
    return _period(Application.objects.filter(submitted_at__isnull=False), "submitted_at__date", period.start,
                   period.end)


@dataclass
class Selection:
    received: int
    verdicts: dict  # final verdict → count, of the received applications' screenings
    exclusions: list  # {"criterion", "label", "count"}: in the screenings, most met first
    self_assessments: int
    self_assessment_verdicts: dict
    self_assessment_exclusions: list
    overrides: int
    override_rows: list = field(default_factory=list)
    decided: int = 0
    median_days: Decimal | None = None
    mean_days: Decimal | None = None
    outcomes: dict = field(default_factory=dict)

    @property
    def exclusion_chart(self) -> dict:
        return charts.bars((row["label"], row["count"]) for row in self.exclusions)

    @property
    def self_assessment_chart(self) -> dict:
        return charts.bars((row["label"], row["count"]) for row in self.self_assessment_exclusions)

    @property
    def verdict_rows(self) -> list:
        return [{"verdict": value, "label": label, "count": self.verdicts.get(value, 0)}
                for value, label in Verdict.choices]

    @property
    def self_assessment_verdict_rows(self) -> list:
        return [{"verdict": value, "label": label, "count": self.self_assessment_verdicts.get(value, 0)}
                for value, label in Verdict.choices]


def _criterion_rows(counts: dict) -> list:
    labels = dict(Criterion.choices)
    rows = [{"criterion": code, "label": labels.get(code, code), "count": count}
            for code, count in counts.items() if count]
    rows.sort(key=lambda row: (-row["count"], str(row["label"])))
    return rows


def _days(delta) -> Decimal:
    return Decimal(delta.total_seconds() / 86400).quantize(Decimal("0.1"), ROUND_HALF_UP)


def selection(period: Period) -> Selection:
    """Eight queries: received, verdicts, exclusions, self-assessment verdicts and exclusions, overrides,
    times to decision."""
    applications = received_applications(period)
    received = applications.count()
    screenings = Screening.objects.filter(application__in=applications)
    verdict_counts = {}
    for row in (screenings.annotate(final=final_verdict()).values("final").annotate(n=Count("pk")).order_by()):
        verdict_counts[row["final"]] = row["n"]
    exclusions = dict(ScreeningFinding.objects.filter(screening__in=screenings, result=Result.EXCLUDE)
                      .values("criterion").annotate(n=Count("pk")).order_by().values_list("criterion", "n"))
    tallies = _period(SelfAssessmentTally.objects.all(), "week", period.start, period.end)
    assessed = dict(tallies.filter(criterion=SelfAssessmentTally.VERDICT).values("result")
                    .annotate(n=Sum("count")).order_by().values_list("result", "n"))
    assessed_exclusions = dict(tallies.exclude(criterion=SelfAssessmentTally.VERDICT)
                               .filter(result=Result.EXCLUDE).values("criterion").annotate(n=Sum("count"))
                               .order_by().values_list("criterion", "n"))
    overridden = screenings.exclude(override_verdict="")
    override_rows = list(overridden.select_related("application").order_by("-overridden_at", "-pk")
                         [:OVERRIDES_SHOWN])
    times = list(applications.annotate(first_published=Min("decisions__published_at"))
                 .filter(first_published__isnull=False).values_list("submitted_at", "first_published", "status"))
    spans = [_days(published - submitted) for submitted, published, _status in times]
    outcomes: dict = {}
    for _submitted, _published, status in times:
        outcomes[status] = outcomes.get(status, 0) + 1
    return Selection(
        received=received, verdicts=verdict_counts, exclusions=_criterion_rows(exclusions),
        self_assessments=sum(assessed.values()), self_assessment_verdicts=assessed,
        self_assessment_exclusions=_criterion_rows(assessed_exclusions),
        overrides=overridden.count(), override_rows=override_rows[:OVERRIDES_SHOWN], decided=len(spans),
        median_days=Decimal(median(spans)).quantize(Decimal("0.1"), ROUND_HALF_UP) if spans else None,
        mean_days=Decimal(mean(spans)).quantize(Decimal("0.1"), ROUND_HALF_UP) if spans else None,
        outcomes=outcomes,
    )


# --- Everything together -----------------------------------------------------------------------------


@dataclass
class Indicators:
    period: Period
    reported: Reported
    covered: Covered
    support: SupportGiven
    money: object  # grants.selectors.Figures
    by_theme: list
    by_kind: list
    by_region: list
    selection: Selection

    @property
    def theme_chart(self) -> dict:
        return dashboards.theme_chart(self.by_theme)

    @property
    def kind_chart(self) -> dict:
        return dashboards.kind_chart(self.by_kind)

    @property
    def region_map(self) -> dict:
        return dashboards.region_map(self.by_region)


def indicators(period: Period) -> Indicators:
    return Indicators(
        period=period, reported=reported(period), covered=territories_covered(period),
        support=support_given(period), money=dashboards.figures(donor=None, period=period),
        by_theme=dashboards.by_theme(donor=None, period=period), by_kind=dashboards.by_kind(donor=None, period=period),
        by_region=dashboards.by_region(donor=None, period=period), selection=selection(period),
    )


def parse_year(value, *, default: int) -> Period:
    """The `annee` parameter: a year, "tout" for all time, anything else the default year."""
    if str(value or "").strip() == "tout":
        return Period()
    period = Period.parse(value)
    return period if period.year else Period(default)



def years() -> list[int]:
    """The years to choose from, newest first: from the first donation received to this year."""
    return dashboards.years_with_money(donor=None)


def csv_rows(ind: Indicators):
    """Every figure of the indicators as (section, item, value, unit) rows, for the CSV export."""
    from django.utils.translation import gettext as _

    euro, count, days = "EUR", _("count"), _("days")
    money = ind.money
    yield _("Period"), _("Year"), ind.period.label, ""
    section = _("Reported by the initiatives")
    yield section, _("Approved reports"), ind.reported.reports, count
    yield section, _("Initiatives reporting"), ind.reported.initiatives, count
    yield section, _("Organisations involved"), ind.reported.organisations, count
    yield section, _("People reached"), ind.reported.people, count
    yield section, _("Governance meetings"), ind.reported.meetings, count
    for row in ind.covered.departements:
        yield _("Territories covered (initiatives by département)"), f"{row['code']} {row['name']}", \
            row["initiatives"], count
    section = _("Money")
    yield section, _("Received"), money.received, euro
    yield section, _("Redistributed to the initiatives"), money.allocated, euro
    yield section, _("of which experts' support"), money.support, euro
    yield section, _("Paid to the initiatives"), money.paid, euro
    for theme in ind.by_theme:
        yield _("Redistributed by theme"), theme.name, theme.total, euro
    for row in ind.by_kind:
        yield _("Redistributed by kind"), row["label"], row["total"], euro
    for region in ind.by_region:
        yield _("Redistributed by region"), region.name, region.total, euro
    for row in ind.support.by_domain:
        yield _("Support days delivered by domain"), row["label"], row["days"], days
    selection = ind.selection
    section = _("Selection")
    yield section, _("Applications received"), selection.received, count
    for row in selection.verdict_rows:
        yield _("Screenings by verdict"), row["label"], row["count"], count
    for row in selection.exclusions:
        yield _("Exclusions met in the screenings"), row["label"], row["count"], count
    yield section, _("Overrides of a verdict"), selection.overrides, count
    yield section, _("Applications with a published decision"), selection.decided, count
    yield section, _("Median days from submission to decision"), selection.median_days if \
        selection.median_days is not None else "", days
    yield section, _("Mean days from submission to decision"), selection.mean_days if \
        selection.mean_days is not None else "", days
    yield _("Public self-assessment"), _("Self-assessments taken"), selection.self_assessments, count
    for row in selection.self_assessment_exclusions:
        yield _("Exclusions met in the self-assessment"), row["label"], row["count"], count
