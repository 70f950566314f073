"""Factories of grants: donors, and grants as a published selection makes them (rows for the
application and its decision, then the service that creates the grant and its tranches)."""

import itertools
from datetime import date, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from applications.models import Decision, Outcome, ReviewRound, Status
from grants import services
from grants.models import Donor
from joinforces.core.models import Theme
from tests.applications.factories import ApplicationFactory, CallFactory

REFERENCES = itertools.count(9000)


THIS_YEAR = timezone.localdate().year
LAST_YEAR = THIS_YEAR - 1


class DonorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Donor

    kind = Donor.Kind.FOUNDATION
    name = factory.Sequence(lambda n: f"Fondation n° {n}")
    public = True
    consent_recorded_at = factory.LazyFunction(timezone.now)


def grant_for(*, amount_per_year="30000.00", years=3, themes=("food",), call=None, published_at=None):
    """A grant from a published selection of a new application with `themes` (rows, then the service)."""
    call = call or CallFactory()
    application = ApplicationFactory(call=call, status=Status.SELECTED, reference=f"JF-2026-{next(REFERENCES):04d}",
                                     submitted_at=timezone.now() - timedelta(days=60))
    application.themes.set(Theme.objects.filter(code__in=themes))
    review_round = ReviewRound.objects.create(call=call, title="Tour", deadline=timezone.now() + timedelta(days=1))
    review_round.applications.add(application)
    decision = Decision.objects.create(application=application, round=review_round, outcome=Outcome.SELECTED,
                                       amount_per_year=Decimal(amount_per_year), years=years, rationale="Oui.",
                                       decided_at=timezone.now(),
                                       published_at=published_at or timezone.now())
    return services.grant_create_from_decision(decision=decision)


def receive(donor, amount, *, staff, on=None, themes=()):
    """A donation received through the service (restricted to the `themes` codes, if any)."""
    return services.donation_receive(donor=donor, amount=Decimal(amount), received_on=on or date.today(),
                                     actor=staff, themes=list(Theme.objects.filter(code__in=themes)))


def initiative(name, *, consent=True, themes=("food",), territories=("31",), amount_per_year="1000.00", years=3,
               kind="coalition"):
    """A grant of an initiative called `name`, of `kind`, with a programme in `territories` (codes)."""
    from applications.models import Integration, Programme
    from joinforces.core.models import Territory

    grant = grant_for(amount_per_year=amount_per_year, themes=themes, years=years)
    application = grant.application
    application.name, application.consent_public, application.kind = name, consent, kind
    application.save(update_fields=["name", "consent_public", "kind"])
    programme = Programme.objects.create(application=application, title="Programme", integration=Integration.JOINT)
    programme.territories.set(Territory.objects.filter(code__in=territories))
    return grant


def pay(tranche, *, at=None):
    """Mark a fully funded tranche paid (the payment run's end state), now or `at`."""
    from grants.models import Tranche, TrancheStatus

    Tranche.objects.filter(pk=tranche.pk).update(status=TrancheStatus.PAID, paid_at=at or timezone.now())
