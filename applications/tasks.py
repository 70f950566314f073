"""Celery tasks of applications: they take primary keys, load, and call one service; safe to run twice."""

from celery import shared_task
from django.utils import timezone

from joinforces.core.services import job_run

from . import services
from .models import Application, ReviewRound, Status


@shared_task(name="applications.screen")
def application_screen_task(application_id: int) -> int | None:
    """Screen a submitted application; an application already screened on the same case is left as is."""
    application = Application.objects.filter(pk=application_id).first()
    if application is None or application.status in (Status.DRAFT, Status.WITHDRAWN):
        return None
    return services.application_screen(application=application, actor=None, only_if_changed=True).pk


@shared_task(name="applications.dossier")
def application_dossier_task(job_id: str) -> str:
    return job_run(job_id, services.application_dossier_build).status


@shared_task(name="applications.draft_reminders")
def draft_reminders_task() -> int:
    return services.draft_reminders_send(now=timezone.now())


@shared_task(name="applications.round_reviewers_notify")
def round_reviewers_notify_task(round_id: int) -> int:
    review_round = ReviewRound.objects.filter(pk=round_id).first()
    return services.round_reviewers_notify(review_round=review_round) if review_round else 0


@shared_task(name="applications.review_reminders")
def review_reminders_task() -> int:
    return services.review_reminders_send(now=timezone.now())


@shared_task(name="applications.decision_letter", autoretry_for=(OSError,), max_retries=3, retry_backoff=True)
def decision_letter_task(decision_id: int) -> int:
    """Render the decision letter once and email it to the team; safe to run twice."""
    return services.decision_letter_send(decision_id=decision_id).pk
