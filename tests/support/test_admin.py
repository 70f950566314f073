"""The staff's admin of support: experts are created with their domains, links and weekly availability
inline (languages as checkboxes), every list and page opens for staff, bookings are read-only there."""

import pytest
from django.urls import reverse

from joinforces.core.models import AuditEvent, Territory
from support.models import Expert

from .factories import ExpertFactory, booking_row, next_weekday, plan_for

pytestmark = pytest.mark.django_db


def inline(prefix, rows):
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}
    for n, row in enumerate(rows):
        data.update({f"{prefix}-{n}-{key}": value for key, value in row.items()})
    return data


def test_staff_create_an_expert_with_domains_links_and_availability(staff_client):
    occitanie = Territory.objects.get(code="R76")
    data = {"kind": "person", "name": "Élise Fournier", "email": "elise@example.org", "active": "on",
            "territories": [occitanie.pk], "remote": "on", "languages": ["fr", "oc"], "timezone": "Europe/Paris",
            "capacity_days_per_month": "4.0", "buffer_minutes": "15", "daily_rate": "520.00",
            **inline("domains", [{"domain": "mediation", "level": "3"}]),
            **inline("links", [{"name": "Le Lien", "siren": "732829320"}]),
            **inline("availability_rules", [{"weekday": "0", "start_time": "09:00", "end_time": "12:00"}]),
            **inline("availability_exceptions", [])}
    response = staff_client.post(reverse("admin:support_expert_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    expert = Expert.objects.get(name="Élise Fournier")
    assert expert.languages == ["fr", "oc"] and list(expert.territories.all()) == [occitanie]
    assert expert.domains.get().level == 3 and expert.links.get().siren == "732829320"
    assert expert.availability_rules.count() == 1
    assert AuditEvent.objects.filter(action="support.expert_saved").exists()


def test_an_expert_without_a_rate_must_be_pro_bono(staff_client):
    data = {"kind": "person", "name": "Sans tarif", "email": "x@example.org", "timezone": "Europe/Paris",
            "capacity_days_per_month": "4.0", "buffer_minutes": "15", "remote": "on",
            **inline("domains", []), **inline("links", []), **inline("availability_rules", []),
            **inline("availability_exceptions", [])}
    response = staff_client.post(reverse("admin:support_expert_add"), data)
    assert response.status_code == 200 and not Expert.objects.exists()


def test_every_admin_page_of_support_opens_for_staff_and_bookings_are_read_only(staff_client, committee_client):
    plan = plan_for()
    expert = ExpertFactory()
    booking = booking_row(expert=expert, need=plan.needs.get(domain="mediation"), start=next_weekday())
    for name in ("expert", "resource", "supportplan", "booking", "feedback", "supportpayment"):
        assert staff_client.get(reverse(f"admin:support_{name}_changelist")).status_code == 200, name
    assert staff_client.get(reverse("admin:support_expert_change", args=[expert.pk])).status_code == 200
    assert staff_client.get(reverse("admin:support_supportplan_change", args=[plan.pk])).status_code == 200
    assert staff_client.get(reverse("admin:support_resource_add")).status_code == 200
    page = staff_client.get(reverse("admin:support_booking_change", args=[booking.pk]))
    assert page.status_code == 200 and not page.context["has_change_permission"]
    assert staff_client.get(reverse("admin:support_booking_add")).status_code == 403
    assert committee_client.get(reverse("admin:support_expert_changelist")).status_code in (302, 403)


def test_a_toolbox_file_is_checked_by_its_content_and_served_to_who_may_see_it(staff_client, expert_client,
                                                                                 applicant_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from joinforces.core.uploads import download_url
    from support.models import Resource
    from tests.applications.factories import PDF_BYTES

    data = {"title": "Charte type", "slug": "charte-type", "kind": "template", "domain": "facilitation",
            "stage": "governance", "summary": "Une charte", "body": "", "published": "on"}
    fake = staff_client.post(reverse("admin:support_resource_add"),
                             {**data, "file": SimpleUploadedFile("charte.pdf", b"not a pdf at all")})
    assert fake.status_code == 200 and not Resource.objects.exists()
    response = staff_client.post(reverse("admin:support_resource_add"),
                                 {**data, "file": SimpleUploadedFile("charte.pdf", PDF_BYTES)})
    assert response.status_code == 302
    resource = Resource.objects.get()
    url = download_url(resource, "file")
    assert expert_client.get(url).status_code == 200
    assert applicant_client.get(url).status_code == 404
