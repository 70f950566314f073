"""Reads of the dashboards: where a donor's money went, or the whole fund's, for a period.

`dashboard(donor=..., period=...)` computes every figure in the database, from the donations, the
stored attributions (`AllocationPart`: which donation funded which ledger entry) and the tranches, in a
fixed number of queries whatever the number of donations, grants and entries. With `donor=None` the
same reads cover the whole fund (the staff overview).

An initiative with several themes, or active in several régions, counts in each of them: the tables
say so, and the totals of the figures never add those rows up.
"""

from dataclasses import dataclass, field
from datetime import date

from django.core.paginator import Paginator
from django.db.models import Case, CharField, Count, F, Func, Min, OuterRef, Prefetch, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.translation import gettext_lazy as _

from applications.models.application import CONSOLIDATION_KINDS
from joinforces.core import charts
from joinforces.core.models import Territory, Theme

from . import selectors
from .models import (
    AllocationPart,
    Donation,
    Grant,
    GrantReport,
    ReportStatus,
    Tranche,
    TrancheStatus,
    cents,
)
from .selectors import MONEY, ZERO, _period, _sum
from .transparency import (
    applications_in_region,
    initiatives_by_region,
    initiatives_by_theme,
    region_names,
    supported_grants,
)

INITIATIVES_PER_PAGE = 20
RESTRICTED_LIMIT = 20
PAID = Q(allocation__tranche__status=TrancheStatus.PAID)
KIND_FAMILIES = {
    "coalition": _("Coalitions and alliances"),
    "consolidation": _("Consolidations (mergers, takeovers, transmissions)"),
}


@dataclass(frozen=True)
class Period:
    """A calendar year, or all time (`year` None)."""

    year: int | None = None

    @classmethod
    def parse(cls, value) -> "Period":
        """From the `periode` parameter: a year between 2000 and 2100, anything else is all time."""
        text = str(value or "").strip()
        if text.isdigit() and 2000 <= int(text) <= 2100:
            return cls(int(text))
        return cls()

    @property
    def start(self) -> date | None:
        return date(self.year, 1, 1) if self.year else None

    @property
    def end(self) -> date | None:
        return date(self.year, 12, 31) if self.year else None

    @property
    def key(self) -> str:
        """The period in a URL or a job's key: "2026" or "tout"."""
        return str(self.year) if self.year else "tout"

    @property
    def param(self) -> str:
        """The value of the `periode` parameter: "2026", or empty for all time."""
        return str(self.year) if self.year else ""

    @property
    def label(self) -> str:
        return str(self.year) if self.year else str(_("All time"))


@dataclass
class Dashboard:
    donor: object
    period: Period
    figures: selectors.Figures
    over_time: list
    by_theme: list
    by_kind: list
    by_region: list
    initiatives: object
    restricted: list
    more_restricted: bool
    years: list = field(default_factory=list)

    @property
    def over_time_chart(self) -> dict:
        rows = self.over_time
        return charts.columns(
            [row["label"] for row in rows],
            [charts.Series(_("Received"), tuple(row["received"] for row in rows), charts.SERIES_COLOURS[0]),
             charts.Series(_("Allocated"), tuple(row["allocated"] for row in rows), charts.SERIES_COLOURS[1]),
             charts.Series(_("Paid"), tuple(row["paid"] for row in rows), charts.SERIES_COLOURS[2])],
        )

    @property
    def theme_chart(self) -> dict:
        return theme_chart(self.by_theme)

    @property
    def kind_chart(self) -> dict:
        return kind_chart(self.by_kind)

    @property
    def region_map(self) -> dict:
        return region_map(self.by_region)


def theme_chart(themes) -> dict:
    """Bars of `by_theme`'s rows (also drawn by the portfolio indicators)."""
    return charts.bars((theme.name, theme.total) for theme in themes)


def kind_chart(kinds) -> dict:
    return charts.bars((row["label"], row["total"]) for row in kinds)


def region_map(regions) -> dict:
    return charts.france_map((region.insee_code, region.name, region.total) for region in regions)


def _scope(donor):
    """The attributions and donations of a donor, or of the whole fund."""
    if donor is None:
        return AllocationPart.objects.all(), Donation.objects.all()
    return AllocationPart.objects.filter(donation__donor=donor), Donation.objects.filter(donor=donor)


def _in_period(parts, period: Period):
    """The attributions of the entries recorded within the period."""
    return _period(parts, "allocation__created_at__date", period.start, period.end)


def _paid_in_period(parts, period: Period):
    """The attributions of tranches paid within the period."""
    return _period(parts.filter(PAID), "allocation__tranche__paid_at__date", period.start, period.end)


def _total(parts) -> Coalesce:
    """The sum of `parts` as a subquery (an aggregate without GROUP BY), zero when there is none."""
    summed = parts.order_by().annotate(total=Func(F("amount"), function="SUM", output_field=MONEY)).values("total")
    return Coalesce(Subquery(summed[:1], output_field=MONEY), Value(ZERO), output_field=MONEY)


def figures(*, donor=None, period: Period) -> selectors.Figures:
    if donor is None:
        return selectors.fund_figures(start=period.start, end=period.end)
    return selectors.donor_figures(donor, start=period.start, end=period.end)


def money_over_time(*, donor=None, period: Period) -> list[dict]:
    """Received, allocated and paid by month of the year, or by year for all time: three queries."""
    parts, donations = _scope(donor)
    bucket = ExtractMonth if period.year else ExtractYear

    def by_bucket(queryset, date_field):
        rows = queryset.annotate(bucket=bucket(date_field)).values("bucket").annotate(total=_sum("amount")).order_by()
        return {row["bucket"]: cents(row["total"]) for row in rows}

    received = by_bucket(_period(donations, "received_on", period.start, period.end), "received_on")
    allocated = by_bucket(_in_period(parts, period), "allocation__created_at")
    paid = by_bucket(_paid_in_period(parts, period), "allocation__tranche__paid_at")
    if period.year:
        keys = range(1, 13)
        label = lambda month: str(MONTHS_3[month]).capitalize()  # noqa: E731
    else:
        seen = set(received) | set(allocated) | set(paid)
        keys = range(min(seen), max(seen) + 1) if seen else []
        label = str
    return [{"key": key, "label": label(key), "received": received.get(key, ZERO),
             "allocated": allocated.get(key, ZERO), "paid": paid.get(key, ZERO)} for key in keys]


def by_theme(*, donor=None, period: Period) -> list[Theme]:
    """The themes of the initiatives the money was allocated to, each with `total`: one query."""
    parts, _donations = _scope(donor)
    in_theme = _in_period(parts, period).filter(allocation__grant__application__themes=OuterRef("pk"))
    return list(Theme.objects.annotate(total=_total(in_theme)).filter(total__gt=0).order_by("-total", "position"))


def by_kind(*, donor=None, period: Period) -> list[dict]:
    """Allocated to coalitions and alliances, and to consolidations: one query."""
    parts, _donations = _scope(donor)
    family = Case(When(allocation__grant__application__kind__in=CONSOLIDATION_KINDS, then=Value("consolidation")),
                  default=Value("coalition"), output_field=CharField())
    rows = (_in_period(parts, period).annotate(family=family).values("family").annotate(total=_sum("amount"))
            .order_by())
    totals = {row["family"]: cents(row["total"]) for row in rows}
    return [{"family": key, "label": label, "total": totals[key]} for key, label in KIND_FAMILIES.items()
            if totals.get(key)]


def by_region(*, donor=None, period: Period) -> list[Territory]:
    """The régions where the initiatives reached run their programmes, each with `total`: one query."""
    parts, _donations = _scope(donor)
    in_region = _in_period(parts, period).filter(allocation__grant__application__in=applications_in_region())
    return list(Territory.objects.filter(kind=Territory.Kind.REGION).annotate(total=_total(in_region))
                .filter(total__gt=0).order_by("-total", "name"))


def initiatives(*, donor=None, period: Period, page=1):
    """The initiatives the money reached in the period, by name, a page of them: each grant with
    `attributed` (allocated from this money, net of reversals), `paid` (of it, in tranches paid), the
    next tranche planned (`next_due_on`, `next_amount`), its themes and régions, and `shared_report`,
    the latest approved report its team agreed to share with donors (with its indicators). An initiative
    whose allocations from this money were all reversed is not listed.
    A fixed number of queries: count, page, and one per prefetched relation."""
    parts, _donations = _scope(donor)
    in_period = _in_period(parts, period)
    own = in_period.filter(allocation__grant=OuterRef("pk"))
    paid = _paid_in_period(parts, period).filter(allocation__grant=OuterRef("pk"))
    next_tranche = Tranche.objects.filter(grant=OuterRef("pk"), status=TrancheStatus.PLANNED).order_by("due_on")
    reports = (GrantReport.objects.filter(status=ReportStatus.APPROVED, share_with_donors=True)
               .prefetch_related("indicators").order_by("-year"))
    grants = (Grant.objects.filter(pk__in=in_period.values("allocation__grant_id"))
              .select_related("application")
              .annotate(attributed=_total(own), paid=_total(paid),
                        next_due_on=Subquery(next_tranche.values("due_on")[:1]),
                        next_amount=Subquery(next_tranche.values("amount")[:1], output_field=MONEY))
              .filter(attributed__gt=0)  # money allocated then reversed in full reached nothing
              .prefetch_related("application__themes",
                                Prefetch("application__programmes__territories",
                                         queryset=Territory.objects.select_related("region")),
                                Prefetch("reports", queryset=reports, to_attr="shared_reports"))
              .order_by("application__name", "pk"))
    page_obj = Paginator(grants, INITIATIVES_PER_PAGE).get_page(page)
    for grant in page_obj.object_list:
        grant.regions = region_names(grant.application)
        grant.shared_report = grant.shared_reports[0] if grant.shared_reports else None
        grant.is_consolidation = grant.application.kind in CONSOLIDATION_KINDS
    return page_obj


def restricted_donations(*, donor=None, period: Period) -> tuple[list[Donation], bool]:
    """The donations restricted to themes, newest first, each with `honoured`: the initiatives it was
    allocated to and how much (net of reversals). Three queries."""
    _parts, donations = _scope(donor)
    rows = list(_period(donations.filter(restricted=True), "received_on", period.start, period.end)
                .select_related("donor").prefetch_related("themes").order_by("-received_on", "-pk")
                [: RESTRICTED_LIMIT + 1])
    shown = rows[:RESTRICTED_LIMIT]
    honoured = (AllocationPart.objects.filter(donation__in=shown)
                .values("donation_id", "allocation__grant_id", "allocation__grant__application__name",
                        "allocation__grant__application__reference")
                .annotate(total=_sum("amount")).filter(total__gt=0).order_by("allocation__grant__application__name"))
    by_donation = {}
    for row in honoured:
        by_donation.setdefault(row["donation_id"], []).append({
            "grant_id": row["allocation__grant_id"], "name": row["allocation__grant__application__name"],
            "reference": row["allocation__grant__application__reference"], "amount": cents(row["total"])})
    for donation in shown:
        donation.honoured = by_donation.get(donation.pk, [])
    return shown, len(rows) > RESTRICTED_LIMIT


def donations(*, donor, period: Period, limit: int) -> list[Donation]:
    """The donor's donations received in the period, newest first, with their restriction themes (for
    the tax receipts): two queries."""
    return list(_period(Donation.objects.filter(donor=donor), "received_on", period.start, period.end)
                .prefetch_related("themes").order_by("-received_on", "-pk")[:limit])


def attributions(*, donor=None, period: Period):
    """The attributions of the entries recorded in the period, oldest first, with what a line of the
    CSV names (donor, initiative, tranche)."""
    parts, _donations = _scope(donor)
    return (_in_period(parts, period)
            .select_related("donation__donor", "allocation__grant__application", "allocation__tranche")
            .order_by("allocation__created_at", "pk"))


def years_with_money(*, donor=None) -> list[int]:
    """The years to choose from, newest first: from the first donation received to this year. One query."""
    _parts, donations = _scope(donor)
    first = donations.aggregate(first=Min("received_on"))["first"]
    this_year = timezone.localdate().year
    return list(range(this_year, (first.year if first else this_year) - 1, -1))


def dashboard(*, donor=None, period: Period, page=1) -> Dashboard:
    """Everything the dashboard shows, for a donor or (None) the whole fund."""
    restricted, more_restricted = restricted_donations(donor=donor, period=period)
    return Dashboard(
        donor=donor, period=period, figures=figures(donor=donor, period=period),
        over_time=money_over_time(donor=donor, period=period),
        by_theme=by_theme(donor=donor, period=period), by_kind=by_kind(donor=donor, period=period),
        by_region=by_region(donor=donor, period=period),
        initiatives=initiatives(donor=donor, period=period, page=page),
        restricted=restricted, more_restricted=more_restricted, years=years_with_money(donor=donor),
    )


# --- The staff overview's portfolio ---------------------------------------------------------------


def portfolio() -> dict:
    """The grants portfolio, whatever the period: grants and amounts committed by year of start, by
    theme, by kind and by région (terminated grants that never received money left out). Four queries."""
    grants = supported_grants()
    by_year = list(grants.annotate(year=ExtractYear("start_date")).values("year")
                   .annotate(count=Count("pk"), committed=_sum("total_amount")).order_by("year"))
    # The public page's counts, with the amounts committed, largest first.
    themes = sorted(initiatives_by_theme(grants), key=lambda theme: (-theme.committed, theme.position))
    family = Case(When(application__kind__in=CONSOLIDATION_KINDS, then=Value("consolidation")),
                  default=Value("coalition"), output_field=CharField())
    kinds = {row["family"]: row for row in grants.annotate(family=family).values("family")
             .annotate(count=Count("pk"), committed=_sum("total_amount")).order_by()}
    by_kind = [{"label": label, "count": kinds[key]["count"], "committed": cents(kinds[key]["committed"])}
               for key, label in KIND_FAMILIES.items() if key in kinds]
    regions = sorted(initiatives_by_region(grants), key=lambda region: (-region.committed, region.name))
    return {"by_year": by_year, "by_theme": themes, "by_kind": by_kind, "by_region": regions}
