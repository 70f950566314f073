"""Celery tasks of support: they take primary keys, load, and call one service; safe to run twice."""

from celery import shared_task

from . import services


@shared_task(name="support.plan_from_grant")
def plan_from_grant_task(grant_id: int) -> int:
    """Open the support plan of a grant that became active (once)."""
    from grants.models import Grant

    return services.plan_create_for_grant(grant=Grant.objects.get(pk=grant_id)).pk


@shared_task(name="support.booking_reminders")
def booking_reminders_task() -> int:
    """Remind the expert and the team of the sessions of the next 24 hours, once each."""
    return services.booking_reminders_send()


@shared_task(name="support.feedback_requests")
def feedback_requests_task() -> int:
    """Ask both sides for feedback on the sessions that ended, once each."""
    return services.feedback_requests_send()
