"""seed_demo adds the resource centre: about fifteen experts across the seven domains and several
régions, a dozen toolbox resources, the plans of the demo grants with their needs, and sessions past
and upcoming (two waiting for the demo expert's confirmation); the ranking of a demo need works."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from applications.models import SupportDomain
from support.models import Booking, BookingStatus, Expert, Feedback, Resource, SupportPlan
from support.selectors import ranked_experts

pytestmark = pytest.mark.django_db


def test_the_demo_resource_centre():
    call_command("seed_demo")
    experts = Expert.objects.prefetch_related("domains", "territories")
    assert 14 <= experts.count() <= 16
    assert {d.domain for e in experts for d in e.domains.all()} == set(SupportDomain.values)
    assert len({t.code for e in experts for t in e.territories.all()}) >= 5
    assert Expert.objects.get(user__email="experte@demo.joinforces.fr").name == "Alix Moreau"
    assert Resource.objects.filter(published=True).count() >= 11 and Resource.objects.count() == 12
    plans = list(SupportPlan.objects.all())
    assert len(plans) == 2 and all(plan.needs.exists() for plan in plans)
    now = timezone.now()
    assert Booking.objects.filter(end__lt=now, status=BookingStatus.DELIVERED).exists()
    assert Booking.objects.filter(start__gt=now, status=BookingStatus.CONFIRMED).exists()
    assert Booking.objects.filter(expert__name="Alix Moreau", status=BookingStatus.PROPOSED).count() == 2
    assert Feedback.objects.exists()
    mediation = plans[0].needs.get(domain="mediation") if plans[0].needs.filter(domain="mediation").exists() else \
        plans[1].needs.get(domain="mediation")
    ranked = ranked_experts(mediation)
    assert ranked and not ranked[0].match.excluded and ranked[0].slots
