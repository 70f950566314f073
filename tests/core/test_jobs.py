"""Background jobs: idempotent start, progress, result, status fragment, sweep of stale jobs."""

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from joinforces.accounts.services import account_data_export_start
from joinforces.core.models import Job
from joinforces.core.services import job_progress, job_run, jobs_requeue_stale
from joinforces.core.uploads import download_url

pytestmark = pytest.mark.django_db


def test_the_data_export_job_reports_progress_then_its_result(applicant, django_capture_on_commit_callbacks):
    seen = []

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = account_data_export_start(user=applicant)
    assert job.status == Job.Status.PENDING and len(callbacks) == 1

    def work(job):
        job_progress(job, 40, "halfway")
        seen.append(Job.objects.values_list("progress", "message", "status").get(pk=job.pk))
        from joinforces.accounts.services import account_data_export_build

        return account_data_export_build(job)

    job = job_run(job.pk, work)
    assert seen == [(40, "halfway", Job.Status.RUNNING)]
    assert (job.status, job.progress) == (Job.Status.DONE, 100)
    data = json.loads(job.result.read())
    assert data["account"]["email"] == applicant.email
    assert data["account"]["roles"] == ["applicant"]


def test_starting_the_same_job_twice_creates_one(applicant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = account_data_export_start(user=applicant)
        second = account_data_export_start(user=applicant)
    assert first.pk == second.pk and len(callbacks) == 1


def test_running_a_finished_job_again_does_nothing(applicant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = account_data_export_start(user=applicant)  # the task runs eagerly on commit
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    calls = []
    job_run(job.pk, lambda j: calls.append(j) or ("x.json", b"{}"))
    assert calls == []


def test_a_failing_job_is_marked_failed(applicant):
    job = Job.objects.create(key="f:1", kind="t", title="t", owner=applicant, task_name="x")

    def boom(job):
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        job_run(job.pk, boom)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "disk full" in job.error


def test_the_owner_follows_the_job_and_downloads_the_result(applicant_client, applicant,
                                                           django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = applicant_client.post(reverse("accounts:data_export"))
    job = Job.objects.get(owner=applicant)
    assert response["Location"] == reverse("core:job_status", args=[job.pk])
    page = applicant_client.get(response["Location"])
    assert page.status_code == 200
    job.refresh_from_db()
    download = download_url(job, "result")
    assert download.encode() in page.content


def test_the_fragment_polls_while_the_job_runs_and_stops_when_done(applicant_client, applicant):
    job = Job.objects.create(key="p:1", kind="t", title="Export", owner=applicant, task_name="x", progress=35,
                             status=Job.Status.RUNNING, message="Ça avance")
    url = reverse("core:job_status", args=[job.pk])
    fragment = applicant_client.get(url, headers={"HX-Request": "true"})
    assert b"<html" not in fragment.content
    assert b'hx-trigger="every 2s"' in fragment.content and b'aria-valuenow="35"' in fragment.content
    assert b"w-progress-35" in fragment.content and "Ça avance".encode() in fragment.content

    Job.objects.filter(pk=job.pk).update(status=Job.Status.DONE, progress=100, finished_at=timezone.now())
    fragment = applicant_client.get(url, headers={"HX-Request": "true"})
    assert b"hx-trigger" not in fragment.content


def test_another_user_cannot_see_the_job(other_applicant_client, staff_client, donor_client, applicant):
    job = Job.objects.create(key="o:1", kind="t", title="Export", owner=applicant, task_name="x")
    for client in (other_applicant_client, staff_client, donor_client):
        assert client.get(reverse("core:job_status", args=[job.pk])).status_code == 404


def test_the_sweep_requeues_jobs_left_pending(applicant, django_capture_on_commit_callbacks):
    old = timezone.now() - timezone.timedelta(hours=1)
    stale = Job.objects.create(key="s:1", kind="t", title="t", owner=applicant, task_name="accounts.data_export",
                               enqueued_at=old)
    Job.objects.create(key="s:2", kind="t", title="t", owner=applicant, task_name="accounts.data_export",
                       enqueued_at=timezone.now())
    Job.objects.create(key="s:3", kind="t", title="t", owner=applicant, task_name="accounts.data_export",
                       enqueued_at=old, status=Job.Status.FAILED)
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs_requeue_stale(older_than_seconds=600) == 1
    stale.refresh_from_db()
    assert stale.status == Job.Status.DONE  # the eager task ran it
    assert jobs_requeue_stale(older_than_seconds=600) == 0
