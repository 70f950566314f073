"""Celery tasks of grants: they take primary keys, load, and call one service; safe to run twice."""

from celery import shared_task

from . import services


@shared_task(name="grants.grant_from_decision")
def grant_from_decision_task(decision_id: int) -> int:
    """Prepare the grant of a published selection (once)."""
    from applications.models import Decision

    return services.grant_create_from_decision(decision=Decision.objects.get(pk=decision_id)).pk


@shared_task(name="grants.donation_receipt", autoretry_for=(OSError,), max_retries=3, retry_backoff=True)
def donation_receipt_task(donation_id: int) -> int:
    """Number and render the tax receipt of a received donation (once)."""
    return services.donation_receipt_issue(donation_id=donation_id).pk


@shared_task(name="grants.agreement_render", autoretry_for=(OSError,), max_retries=3, retry_backoff=True)
def agreement_render_task(grant_id: int) -> int:
    """Produce the grant agreement PDF in the grantee's language (once)."""
    from .agreements import agreement_render

    return agreement_render(grant_id=grant_id).pk


@shared_task(name="grants.report_reminders")
def report_reminders_task() -> int:
    """Remind grantees of reports due in 30 and 7 days, and overdue: once each."""
    from django.utils import timezone

    from .reports import report_reminders_send

    return report_reminders_send(now=timezone.now())


@shared_task(name="grants.redistribution_report", autoretry_for=(OSError,), max_retries=3, retry_backoff=True)
def redistribution_report_task(job_id: str) -> str:
    """Render a redistribution report (once: a job already done is left as it is)."""
    from joinforces.core.services import job_run

    from .donor_reports import redistribution_report_build

    return job_run(job_id, redistribution_report_build).status
