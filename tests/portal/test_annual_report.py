"""The annual report: started from the form once for the same records (same key, same job), rendered
by the job with the year's totals (read back with pdftotext) in French and in English, idempotent,
a new one once the records changed; for staff only."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from grants import services
from joinforces.core.formats import euros
from joinforces.core.models import Job
from joinforces.portal.models import Lesson
from joinforces.portal.tasks import annual_report_task
from tests.grants.factories import THIS_YEAR
from tests.pdf import pdf_text

from .portfolio import build_portfolio

pytestmark = pytest.mark.django_db

D = Decimal
URL = reverse("portal:annual_report_start")
KIND = "portal.annual_report"


@pytest.fixture
def portfolio(staff):
    return build_portfolio(staff)


def ask(client, year=THIS_YEAR, language="fr"):
    return client.post(URL, {"year": year, "language": language})


def render(client, **kwargs) -> tuple[Job, str]:
    ask(client, **kwargs)
    job = Job.objects.filter(kind=KIND).order_by("-created_at").first()
    assert annual_report_task(str(job.pk)) == Job.Status.DONE
    job.refresh_from_db()
    return job, pdf_text(job.result.read())


def amount(value: str) -> str:
    return euros(D(value)).replace("\u00a0", " ").replace("\u202f", " ")


def test_the_same_request_twice_starts_one_job(portfolio, staff_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        first, second = ask(staff_client), ask(staff_client)
    job = Job.objects.get(kind=KIND)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == reverse("core:job_status", args=[job.pk])
    assert len(callbacks) == 1  # enqueued once
    assert str(THIS_YEAR) in job.title
    ask(staff_client, language="en")  # another language is another report
    assert Job.objects.filter(kind=KIND).count() == 2


def test_the_french_report_holds_the_years_totals_and_is_rendered_once(portfolio, staff_client):
    job, text = render(staff_client)
    assert f"Rapport annuel JOIN FORCES {THIS_YEAR}" in text
    assert f"Ce que JOIN FORCES a fait en {THIS_YEAR}," in text
    for value in ("1500.00", "1300.00", "1000.00", "200.00"):  # received, redistributed, paid, waiting
        assert amount(value) in text
    assert "Candidatures reçues 3" in text
    assert "Jours d’accompagnement réalisés 1,5" in text
    assert "Personnes touchées 250" in text and "Organisations impliquées 10" in text
    assert "Repas servis 2 000 repas 1" in text  # free indicators added up
    assert "Une cantine partagée." in text  # the consented initiative's shared summary
    assert "Collectif Discret" not in text and "Résumé confidentiel" not in text
    assert "Fondation Secrète" not in text  # an anonymous donor never appears
    assert "La gouvernance de Candidat Deux" not in text
    assert "100 %" in text and "Source : IGN" in text
    finished, name = job.finished_at, job.result.name
    assert annual_report_task(str(job.pk)) == Job.Status.DONE  # a second run renders nothing
    job.refresh_from_db()
    assert (job.finished_at, job.result.name) == (finished, name)


def test_the_english_report(portfolio, staff_client):
    _job, text = render(staff_client, language="en")
    assert f"JOIN FORCES annual report {THIS_YEAR}" in text
    assert "Applications received 3" in text and "People reached 250" in text
    assert "€1,500.00" in text or "1,500.00" in text


def test_a_new_report_once_the_records_changed(portfolio, staff_client, staff):
    ask(staff_client)
    services.ledger_record_support_spending(grant=portfolio["open"], amount="10.00", reference="EXP-9", actor=staff)
    ask(staff_client)
    assert Job.objects.filter(kind=KIND).count() == 2


def test_a_new_report_once_a_session_was_delivered_or_a_lesson_written(portfolio, staff_client, staff):
    from support.models import Booking, BookingStatus

    ask(staff_client)
    booking = Booking.objects.filter(status=BookingStatus.CANCELLED).first()
    Booking.objects.filter(pk=booking.pk).update(feedback_requested_at=timezone.now())
    ask(staff_client)
    Lesson.objects.create(year=THIS_YEAR, title_fr="Nouvelle leçon", text_fr="—")
    ask(staff_client)
    assert Job.objects.filter(kind=KIND).count() == 3


def test_each_staff_member_follows_their_own_job(portfolio, staff_client):
    from tests.conftest import _client_for, give_totp
    from tests.factories import StaffFactory

    ask(staff_client)
    colleague = StaffFactory()
    give_totp(colleague)
    other = _client_for(colleague)
    response = ask(other)
    job = Job.objects.get(kind=KIND, owner=colleague)
    assert response["Location"] == reverse("core:job_status", args=[job.pk])
    assert other.get(response["Location"]).status_code == 200
    mine = Job.objects.exclude(owner=colleague).get(kind=KIND)
    assert other.get(reverse("core:job_status", args=[mine.pk])).status_code == 404


def test_a_year_out_of_range_changes_nothing(portfolio, staff_client):
    response = ask(staff_client, year=1990)
    assert response.status_code == 400 and not Job.objects.filter(kind=KIND).exists()
    response = ask(staff_client, language="de")
    assert response.status_code == 400


@pytest.mark.parametrize("name", ["applicant_client", "donor_client", "expert_client"])
def test_only_staff_ask_for_it(name, request):
    assert ask(request.getfixturevalue(name)).status_code == 403
    assert not Job.objects.filter(kind=KIND).exists()


def test_the_form_can_be_included_as_it_is_in_the_staff_home(rf, staff, django_assert_num_queries):
    """The staff home includes the form without giving it anything: a fresh form for this year, and
    no query (the staff home's count stays pinned)."""
    from django.template import Context, Template

    request = rf.get("/equipe/")
    request.user = staff
    with django_assert_num_queries(0):
        html = Template('{% include "portal/includes/annual_report_form.html" %}').render(
            Context({"request": request}))
    assert 'action="/equipe/rapport-annuel/"' in html
    assert f'<option value="{THIS_YEAR}" selected>{THIS_YEAR}</option>' in html
    assert '<option value="fr" selected>' in html and '<option value="en">' in html
    assert 'href="/equipe/indicateurs/"' in html
