"""Celery tasks of core: they take primary keys, load, and call one service."""

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from . import services
from .models import Notification


@shared_task(
    name="core.notification_deliver",
    autoretry_for=(OSError,),
    retry_backoff=30,
    max_retries=5,
)
def notification_deliver_task(notification_id: int) -> str:
    return services.notification_deliver(notification_id=notification_id).status


@shared_task(name="core.notifications_send_pending")
def notifications_send_pending_task() -> int:
    """Beat sweep: deliver notifications left pending (the broker or the mail server was away)."""
    limit = timezone.now() - timezone.timedelta(seconds=settings.JOB_STALE_AFTER_SECONDS)
    ids = list(
        Notification.objects.filter(status__in=["pending", "failed"], attempts__lt=5, created_at__lt=limit)
        .values_list("pk", flat=True)[:500]
    )
    for pk in ids:
        notification_deliver_task.delay(pk)
    return len(ids)


@shared_task(name="core.jobs_requeue_stale")
def jobs_requeue_stale_task() -> int:
    return services.jobs_requeue_stale()
