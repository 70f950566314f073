"""The public transparency page's reads: what the fund received and redistributed, the initiatives it
supports by theme and by région, those that agreed to be listed, the donors who agreed to be named.

Nothing anonymous or unconsented is ever read here: donors are named only if `public` with a recorded
consent, initiatives are listed only if their application's `consent_public` is True. Every figure is
computed in the database (aggregates over the stored attributions and tranches), in a fixed number of
queries whatever the number of donations, grants and entries."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, F, Func, OuterRef, Prefetch, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from applications.models import Programme
from joinforces.core.models import Territory, Theme

from .models import Allocation, Donation, Donor, Grant, GrantStatus, Tranche, TrancheStatus, cents
from .selectors import MONEY, SUPPORT, ZERO, _sum


def supported_grants():
    """The grants that count as initiatives supported: every grant except one terminated before any
    of its tranches was paid (it never received money)."""
    paid = Tranche.objects.filter(grant=OuterRef("pk"), status=TrancheStatus.PAID)
    return Grant.objects.exclude(Q(status=GrantStatus.TERMINATED) & ~Exists(paid))


@dataclass(frozen=True)
class PublicFigures:
    received: Decimal
    redistributed: Decimal
    support: Decimal
    paid: Decimal
    initiatives: int

    @property
    def waiting(self) -> Decimal:
        """Received and not yet redistributed: it waits in the pool for the tranches to come."""
        return self.received - self.redistributed

    @property
    def redistribution_rate(self) -> Decimal | None:
        """The share of what was received that is already redistributed (no fee is ever taken)."""
        if not self.received:
            return None
        return (self.redistributed / self.received * 100).quantize(Decimal("0.1"))


def public_figures() -> PublicFigures:
    """Received (donations), redistributed (ledger entries net of reversals, support spending
    included), paid (tranches paid) and the number of initiatives supported: four queries."""
    received = Donation.objects.aggregate(total=_sum("amount"))["total"]
    entries = Allocation.objects.aggregate(total=_sum("amount"), support=_sum_filtered(SUPPORT))
    paid = Tranche.objects.filter(status=TrancheStatus.PAID).aggregate(total=_sum("amount"))["total"]
    return PublicFigures(received=cents(received), redistributed=cents(entries["total"]),
                         support=cents(entries["support"]), paid=cents(paid),
                         initiatives=supported_grants().count())


def _sum_filtered(condition):
    return Coalesce(Sum("amount", filter=condition), Value(ZERO), output_field=MONEY)


def initiatives_by_theme(grants=None) -> list[Theme]:
    """The themes of the initiatives supported (or of `grants`), each with `initiatives` (grants
    counted once) and `committed` (their total amounts), in the themes' order: one query."""
    grants = supported_grants() if grants is None else grants
    return list(Theme.objects.filter(application__grant__in=grants)
                .annotate(initiatives=Count("application__grant", distinct=True),
                          committed=_sum("application__grant__total_amount"))
                .order_by("position", "code"))


def applications_in_region():
    """The applications with a programme in the région of the outer query: in the région itself or in
    one of its départements (for a subquery of a query over régions, one level further out)."""
    region = OuterRef(OuterRef("pk"))
    return Programme.objects.filter(Q(territories=region) | Q(territories__region=region)).values("application_id")


def initiatives_by_region(grants=None) -> list[Territory]:
    """The régions where the initiatives supported (or `grants`) run their programmes (a département
    counts for its région, an initiative once), each with `initiatives` and `committed`, by name: one
    query."""
    grants = supported_grants() if grants is None else grants
    in_region = Grant.objects.filter(pk__in=grants.values("pk"), application__in=applications_in_region()).order_by()
    counted = in_region.annotate(n=Func(F("pk"), function="COUNT")).values("n")
    summed = in_region.annotate(total=Func(F("total_amount"), function="SUM", output_field=MONEY)).values("total")
    return list(Territory.objects.filter(kind=Territory.Kind.REGION)
                .annotate(initiatives=Subquery(counted[:1]),
                          committed=Coalesce(Subquery(summed[:1], output_field=MONEY), Value(ZERO), output_field=MONEY))
                .filter(initiatives__gt=0).order_by("name"))


def region_names(application) -> list[str]:
    """The names of the régions of an application's programmes (from prefetched rows)."""
    names = set()
    for programme in application.programmes.all():
        for territory in programme.territories.all():
            region = territory if territory.kind == Territory.Kind.REGION else territory.region
            if region is not None:
                names.add(region.name)
    return sorted(names)


def public_initiatives() -> list[Grant]:
    """The initiatives supported whose team agreed to be listed (`consent_public` is True), with their
    themes and régions (`public_regions`), newest first: four queries."""
    territories = Territory.objects.select_related("region")
    grants = list(supported_grants().filter(application__consent_public=True)
                  .select_related("application")
                  .prefetch_related("application__themes",
                                    Prefetch("application__programmes__territories", queryset=territories))
                  .order_by("-start_date", "application__name", "pk"))
    for grant in grants:
        grant.public_regions = region_names(grant.application)
    return grants


def public_donors() -> list[str]:
    """The names of the donors who agreed to be named (public, consent recorded) and gave: one query.
    Never an amount per donor."""
    gave = Donation.objects.filter(donor=OuterRef("pk"), amount__gt=0)
    return list(Donor.objects.filter(public=True, consent_recorded_at__isnull=False).filter(Exists(gave))
                .order_by("name").values_list("name", flat=True))
