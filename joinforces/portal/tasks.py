"""Celery tasks of the portal: they take primary keys, load, and call one service; safe to run twice."""

from celery import shared_task


@shared_task(name="portal.annual_report", autoretry_for=(OSError,), max_retries=3, retry_backoff=True)
def annual_report_task(job_id: str) -> str:
    """Render an annual report (once: a job already done is left as it is)."""
    from joinforces.core.services import job_run

    from .annual_report import annual_report_build

    return job_run(job_id, annual_report_build).status
