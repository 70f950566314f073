"""The donor dashboard, the public transparency page and the fund's overview, on the demo data and
then on a larger fund: 100 donors giving twice a year over two years, 60 initiatives funded (the
issue's "fixed number of queries whatever the data", seen here in time)."""

from datetime import date
from decimal import Decimal

from django.test import Client
from django.utils import timezone

DONORS, INITIATIVES = 100, 60


def build():
    """Donors, donations and grants with their first tranche funded, through the ledger's services."""
    from applications.models import Integration, Programme
    from grants import services
    from grants.models import Donor, Tranche, TrancheStatus
    from joinforces.accounts.models import Role, User
    from joinforces.core.models import Territory, Theme
    from tests.grants.factories import grant_for

    staff = User.objects.filter(role_assignments__role=Role.STAFF).first()
    themes = list(Theme.objects.all())
    regions = list(Territory.objects.filter(kind=Territory.Kind.REGION))
    for n in range(DONORS):
        donor = Donor.objects.create(kind=Donor.Kind.FOUNDATION, name=f"Fondation banc n° {n}")
        for year in (2025, 2026):
            for month in (3, 9):
                services.donation_receive(donor=donor, amount=Decimal("5000.00"), received_on=date(year, month, 1),
                                          actor=staff)
    for n in range(INITIATIVES):
        grant = grant_for(amount_per_year="20000.00", years=3, themes=[themes[n % len(themes)].code])
        Programme.objects.create(application=grant.application, title="Programme", integration=Integration.JOINT
                                 ).territories.set([regions[n % len(regions)]])
        tranche = grant.tranches.get(number=1)
        services.ledger_allocate(tranche=tranche, actor=staff)
        if n % 2:
            Tranche.objects.filter(pk=tranche.pk).update(status=TrancheStatus.PAID, paid_at=timezone.now())


def run(measure):
    from joinforces.accounts.models import User

    donor = Client()
    donor.force_login(User.objects.get(email="donateur@demo.joinforces.fr"))
    anonymous = Client()
    measure("GET /mes-dons/ (demo donor)", lambda: donor.get("/mes-dons/"), repeat=50)
    measure("GET /transparence/ (demo)", lambda: anonymous.get("/transparence/"), repeat=50)
    build()
    from grants.models import Donor, DonorContact

    DonorContact.objects.get_or_create(donor=Donor.objects.get(name="Fondation banc n° 0"),
                                       user=User.objects.get(email="donateur@demo.joinforces.fr"))
    measure(f"GET /mes-dons/<id>/ ({DONORS} donors, {INITIATIVES} grants)",
            lambda: donor.get(f"/mes-dons/{Donor.objects.get(name='Fondation banc n° 0').pk}/"), repeat=50)
    measure(f"GET /transparence/ ({INITIATIVES} more grants)", lambda: anonymous.get("/transparence/"), repeat=50)
    from grants import dashboards

    measure("dashboards.dashboard(fund, all time)",
            lambda: dashboards.dashboard(donor=None, period=dashboards.Period()), repeat=50)
