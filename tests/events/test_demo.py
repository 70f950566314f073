"""seed_demo adds the next Journée with its programme, registrations, a full workshop with a waiting
list, and last year's edition with its resources."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from events import selectors
from events.models import Event, Registration, Resource, WaitingListEntry

pytestmark = pytest.mark.django_db


def test_the_demo_has_the_next_journee_and_last_years_edition(client):
    call_command("seed_demo")
    upcoming, past = selectors.public_events()
    [journee] = upcoming
    assert journee.starts_at > timezone.now() and journee.registration_open()
    _event, sessions, _resources = selectors.event_page(journee.slug, _anonymous())
    assert len(sessions) == 8
    full = [s for s in sessions if s.places_left == 0]
    assert [s.title for s in full] == ["Gouverner à égalité : consentement et sociocratie"]
    assert WaitingListEntry.objects.filter(session=full[0], status="waiting").count() == 2
    assert Registration.objects.filter(event=journee, status="confirmed").count() == 21
    assert Registration.objects.filter(event=journee, status="pending").count() == 1
    assert Registration.objects.filter(event=journee, user__email="candidat@demo.joinforces.fr").exists()

    [last_year] = past
    assert Resource.objects.published().filter(event=last_year).count() == 3
    assert Registration.objects.filter(event=last_year, checked_in_at__isnull=False).count() == 12
    assert Event.objects.get(pk=last_year.pk).resources_announced_at is not None
    assert client.get(journee.get_absolute_url()).status_code == 200
    assert "Diaporama de la plénière" in client.get(last_year.get_absolute_url()).content.decode()


def _anonymous():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()
