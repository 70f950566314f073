"""The PDF redistribution report: started once for the same request, rendered by the job with the
right totals (read back with pdftotext), idempotent, a new one once the money moved; for a donor's
contacts and staff only."""

from decimal import Decimal

import pytest
from django.urls import reverse

from grants import services
from grants.tasks import redistribution_report_task
from joinforces.core.formats import euros
from joinforces.core.models import Job
from tests.pdf import pdf_text

from .factories import LAST_YEAR, THIS_YEAR

pytestmark = pytest.mark.django_db

D = Decimal


def ask(client, donor, period=""):
    return client.post(reverse("grants:donor_report", args=[donor.pk]), {"periode": period})


def test_the_same_request_twice_starts_one_job(donor_case, donor_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        first = ask(donor_client, donor_case["alpha"])
        second = ask(donor_client, donor_case["alpha"])
    job = Job.objects.get(kind="grants.redistribution_report")
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == reverse("core:job_status", args=[job.pk])
    assert len(callbacks) == 1  # enqueued once
    assert "Fondation Alpha" in job.title
    # Another period is another report.
    ask(donor_client, donor_case["alpha"], str(LAST_YEAR))
    assert Job.objects.filter(kind="grants.redistribution_report").count() == 2


def test_the_report_holds_the_right_totals_and_is_rendered_once(donor_case, donor_client):
    ask(donor_client, donor_case["alpha"], str(THIS_YEAR))
    job = Job.objects.get(kind="grants.redistribution_report")
    assert redistribution_report_task(str(job.pk)) == Job.Status.DONE
    job.refresh_from_db()
    text = pdf_text(job.result.read())
    for amount in ("600.00", "950.00", "50.00", "650.00"):  # received, allocated, support, waiting
        assert euros(D(amount)).replace("\u00a0", " ").replace("\u202f", " ") in text
    assert "Fondation Alpha" in text and "Collectif Nourrir" in text and "Fusion Logis" in text
    assert "Fondation Bêta" not in text and "Alliance Santé" not in text
    assert "Aucun frais" in text and "59,4 %" in text and "Source : IGN" in text  # 950 ÷ 1 600 to date
    finished, name = job.finished_at, job.result.name
    assert redistribution_report_task(str(job.pk)) == Job.Status.DONE  # a second run renders nothing
    job.refresh_from_db()
    assert (job.finished_at, job.result.name) == (finished, name)


def test_a_new_report_once_the_money_moved(donor_case, donor_client, staff):
    ask(donor_client, donor_case["alpha"])
    services.ledger_record_support_spending(grant=donor_case["logis"], amount="10.00", reference="EXP-8", actor=staff)
    ask(donor_client, donor_case["alpha"])
    assert Job.objects.filter(kind="grants.redistribution_report").count() == 2


def test_only_the_donors_contacts_and_staff_ask_for_it(donor_case, donor_client, applicant_client, staff_client):
    assert ask(donor_client, donor_case["beta"]).status_code == 404
    assert ask(applicant_client, donor_case["alpha"]).status_code == 404
    assert donor_client.get(reverse("grants:donor_report", args=[donor_case["alpha"].pk])).status_code == 405
    assert donor_client.post(reverse("grants:fund_report")).status_code == 403
    response = staff_client.post(reverse("grants:fund_report"), {"periode": ""})
    job = Job.objects.get(kind="grants.redistribution_report")
    assert response.status_code == 302 and job.key.endswith(":fonds")
    redistribution_report_task(str(job.pk))
    job.refresh_from_db()
    text = pdf_text(job.result.read())
    assert euros(D("2500.00")).replace("\u00a0", " ").replace("\u202f", " ") in text  # the fund received
    assert "Fondation Bêta" in text or "Collectif Nourrir" in text
