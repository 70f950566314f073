"""Celery tasks of events: they take primary keys (or nothing), load and call one service; safe to
run twice (reminders and emails have idempotency keys, offers are counted under row locks)."""

from celery import shared_task

from joinforces.core.services import job_run

from . import services


@shared_task(name="events.reminders")
def reminders_task() -> int:
    """Remind registrants 7 days and 1 day before their event (once each)."""
    return services.reminders_send()


@shared_task(name="events.offers_expire")
def offers_expire_task() -> int:
    """Close the waiting-list offers past their deadline and offer the places to the next in line."""
    return services.offers_expire()


@shared_task(name="events.badges_render", autoretry_for=(OSError,), max_retries=3, retry_backoff=True)
def badges_render_task(job_id: str) -> str:
    return job_run(job_id, services.badges_build).status


@shared_task(name="events.export_render")
def export_render_task(job_id: str) -> str:
    return job_run(job_id, services.export_build).status
