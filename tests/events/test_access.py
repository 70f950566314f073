"""A registrant sees only their registration: through their signed link or their account; any other
link or account gets a 404 (never a 403 that confirms it exists)."""

import pytest
from django.urls import reverse

from events import services
from events.models import Registration
from events.selectors import user_registrations

from .factories import EventFactory, register

pytestmark = pytest.mark.django_db


def links(registration):
    return (services.sign(registration.public_id, services.REGISTRATION_SALT),
            services.sign(registration.public_id, services.CHECKIN_SALT),
            services.sign(registration.public_id, services.WAITING_SALT))


def test_a_signed_link_opens_its_own_registration_only(client):
    event = EventFactory()
    mine = register(event, first_name="Léa", last_name="Arnaud")
    other = register(event, first_name="Marc", last_name="Blanc")
    personal, checkin, waiting = links(mine)
    page = client.get(reverse("events:registration", args=[personal])).content.decode()
    assert "Léa Arnaud" in page and "Marc Blanc" not in page and other.email not in page
    forged = personal.rsplit(":", 1)[0] + ":" + links(other)[0].rsplit(":", 1)[1]
    for bad in (forged, f"{other.public_id}", checkin, waiting, "nimporte-quoi"):
        assert client.get(reverse("events:registration", args=[bad])).status_code == 404
        assert client.post(reverse("events:registration", args=[bad]), {"action": "cancel"}).status_code == 404
        assert client.get(reverse("events:registration_ics", args=[bad])).status_code == 404
        assert client.get(reverse("events:waiting", args=[bad])).status_code == 404
    other.refresh_from_db()
    assert other.status == Registration.Status.CONFIRMED


def test_with_an_account_my_space_lists_only_my_registrations(applicant, other_applicant, other_applicant_client):
    event = EventFactory(title="Journée 2027")
    mine = services.registration_create(event=event, user=applicant)
    assert list(user_registrations(applicant)) == [mine]
    assert list(user_registrations(other_applicant)) == []
    assert list(Registration.objects.visible_to(other_applicant)) == []
    assert "Journée 2027" not in other_applicant_client.get("/mon-espace/").content.decode()


def test_staff_see_every_registration_and_anonymous_visitors_none(staff):
    from django.contrib.auth.models import AnonymousUser

    event = EventFactory()
    registrations = [register(event), register(event)]
    assert set(Registration.objects.visible_to(staff)) == set(registrations)
    assert list(Registration.objects.visible_to(AnonymousUser())) == []
