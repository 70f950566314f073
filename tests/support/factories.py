"""Factories of support: experts with their domains and weekly availability (rows), and plans opened
the way the product opens them (a grant, its agreement signed, the plan created by the service)."""

from datetime import time, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from applications.models import MemberOrganisation, Programme, SupportNeed
from joinforces.core.models import Territory
from support import services
from support.models import AvailabilityRule, Booking, BookingStatus, Expert, ExpertDomain, ExpertLink
from tests.grants.factories import grant_for


class ExpertFactory(factory.django.DjangoModelFactory):
    """An expert paid 600 € a day, in Paris, working remotely and in Occitanie."""

    class Meta:
        model = Expert
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Experte {n:03d}")
    email = factory.Sequence(lambda n: f"experte{n}@experts.example.org")
    languages = factory.LazyFunction(lambda: ["fr"])
    daily_rate = Decimal("600.00")
    capacity_days_per_month = Decimal("4.0")
    buffer_minutes = 15

    @factory.post_generation
    def domains(self, create, extracted, **kwargs):
        if create:
            for domain, level in (extracted or {"mediation": 3}).items():
                ExpertDomain.objects.create(expert=self, domain=domain, level=level)

    @factory.post_generation
    def regions(self, create, extracted, **kwargs):
        if create:
            self.territories.set(Territory.objects.filter(code__in=extracted if extracted is not None else ["R76"]))

    @factory.post_generation
    def weekdays(self, create, extracted, **kwargs):
        """Available 9:00–17:00 on weekdays (Monday to Friday) unless told otherwise."""
        if create:
            for weekday in extracted if extracted is not None else range(5):
                AvailabilityRule.objects.create(expert=self, weekday=weekday, start_time=time(9),
                                                end_time=time(17))

    @factory.post_generation
    def linked(self, create, extracted, **kwargs):
        if create:
            for name, siren in extracted or ():
                ExpertLink.objects.create(expert=self, name=name, siren=siren)


def supported_grant(*, needs=(("mediation", "3.0"), ("finance", "2.0")), territories=("31", "34"),
                    members=(("Association Le Lien", "732829320"),)):
    """A grant whose application has support needs, shared programmes in `territories` (Occitanie by
    default) and member organisations (name, SIREN)."""
    grant = grant_for(years=2)
    application = grant.application
    for position, (name, siren) in enumerate(members):
        MemberOrganisation.objects.create(application=application, position=position, name=name,
                                          legal_form="association", non_profit=True, role="member",
                                          identifier=siren)
    programme = Programme.objects.create(application=application, title="Programme commun", integration="joint")
    programme.territories.set(Territory.objects.filter(code__in=territories))
    for domain, days in needs:
        SupportNeed.objects.create(application=application, domain=domain, days=Decimal(days),
                                   description=f"Besoin en {domain}")
    return grant


def plan_for(**kwargs):
    grant = supported_grant(**kwargs)
    return services.plan_create_for_grant(grant=grant)


def next_weekday(weekday=1, *, hour=10, weeks=1):
    """An aware datetime on the next `weekday` (Tuesday by default) at least `weeks` weeks ahead, at
    `hour` in Paris."""
    day = timezone.localdate() + timedelta(weeks=weeks)
    while day.weekday() != weekday:
        day += timedelta(days=1)
    return timezone.make_aware(timezone.datetime.combine(day, time(hour)))


def booking_row(*, expert, need, start, hours=2, status=BookingStatus.CONFIRMED, **kwargs):
    """A booking row (no service, no email), its blocked range with the expert's buffers."""
    buffer = timedelta(minutes=expert.buffer_minutes)
    end = start + timedelta(hours=hours)
    extra = {"confirmed_at": timezone.now()} if status == BookingStatus.CONFIRMED else {}
    if status == BookingStatus.CANCELLED:
        extra["cancelled_at"] = timezone.now()
    return Booking.objects.create(expert=expert, need=need, start=start, end=end, blocked_start=start - buffer,
                                  blocked_end=end + buffer, buffer_before=expert.buffer_minutes,
                                  buffer_after=expert.buffer_minutes, status=status, **{**extra, **kwargs})
