"""Calls for applications: staff edit them in the admin; the public sees open and upcoming ones."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from applications.models import Call

pytestmark = pytest.mark.django_db


def make_call(slug, opens_in_days, closes_in_days, **kwargs):
    now = timezone.now()
    return Call.objects.create(
        title=kwargs.pop("title", f"Appel {slug}"), slug=slug, description="Financer le fonctionnement des coalitions.",
        opens_at=now + timedelta(days=opens_in_days), closes_at=now + timedelta(days=closes_in_days),
        budget_envelope=Decimal("1250000.00"), **kwargs,
    )


def test_the_public_page_lists_open_and_upcoming_calls_not_closed_ones(client):
    make_call("ouvert", -10, 20, title="Appel 2027 — Coalitions")
    make_call("a-venir", 30, 90, title="Appel 2028")
    make_call("clos", -90, -1, title="Appel 2025")
    page = client.get("/appels/").content.decode()
    assert "Appel 2027 — Coalitions" in page and "Appel 2028" in page and "Appel 2025" not in page
    assert "Ouvert" in page and "À venir" in page
    assert "1\u00a0250\u00a0000,00\u00a0€" in page


def test_the_home_page_shows_the_current_call(client):
    make_call("ouvert", -10, 20, title="Appel 2027 — Coalitions")
    page = client.get("/").content.decode()
    assert "Appel 2027 — Coalitions" in page and "/appels/ouvert/" in page


def test_without_a_call_the_pages_say_what_to_do(client):
    assert "Aucun appel à candidatures" in client.get("/appels/").content.decode()
    assert "Aucun appel à candidatures n’est ouvert" in client.get("/").content.decode()


def test_a_closed_call_says_it_is_closed(client):
    make_call("clos", -90, -1)
    assert "Cet appel est clos." in client.get("/appels/clos/").content.decode()
    assert client.get("/appels/inconnu/").status_code == 404


def test_the_database_refuses_a_call_that_closes_before_it_opens():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_call("absurde", 10, 5)


def test_staff_create_calls_in_the_admin_with_their_committee(staff_client, make_user):
    """The call is created with its committee (inline): the chair gets the committee role."""
    chair = make_user()
    response = staff_client.post("/admin/applications/call/add/", {
        "title": "Appel 2027", "slug": "appel-2027", "description": "Pour les coalitions.",
        "opens_at_0": "01/02/2027", "opens_at_1": "09:00", "closes_at_0": "30/04/2027", "closes_at_1": "18:00",
        "budget_envelope": "500000", "max_years": "3",
        "committee-TOTAL_FORMS": "1", "committee-INITIAL_FORMS": "0",
        "committee-0-user": str(chair.pk), "committee-0-is_chair": "on",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    call = Call.objects.get(slug="appel-2027")
    assert list(call.committee.values_list("user", "is_chair")) == [(chair.pk, True)]
    assert chair.has_role("committee")
    assert timezone.localtime(call.closes_at).hour == 18
    assert "Appel 2027" in staff_client.get("/admin/applications/call/?state=upcoming").content.decode()
    assert "Appel 2027" not in staff_client.get("/admin/applications/call/?state=open").content.decode()


def test_the_call_list_query_count_is_pinned(client, django_assert_max_num_queries):
    for index in range(12):
        make_call(f"appel-{index}", -1, 10 + index)
    with django_assert_max_num_queries(4):
        assert client.get("/appels/").status_code == 200
