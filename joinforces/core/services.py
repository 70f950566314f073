"""Shared writes: the audit log, notifications and background jobs.

Every app uses these and never writes its own:

    audit(actor=user, action="applications.submitted", target=application, before={...}, after={...})
    notification_send(to="x@example.org", template="accounts/email/welcome", context={...},
                      key=f"accounts.welcome:{user.pk}")
    job_start(kind="accounts.data_export", key=..., owner=user, title=..., task=data_export_task)
"""

import base64
import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import AuditEvent, Job, Notification

logger = logging.getLogger(__name__)


# --- Audit log -------------------------------------------------------------------------------


def audit(*, actor, action: str, target=None, before=None, after=None) -> AuditEvent:
    """Record that `actor` did `action` (namespaced, e.g. "accounts.role_granted") on `target`."""
    if "." not in action:
        raise ValueError("Audit actions are namespaced: 'app.verb'.")
    actor = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=actor,
        actor_repr=(actor.email if actor else "système")[:254],
        action=action,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:200] if target is not None else "",
        before=before,
        after=after,
    )


# --- Notifications ---------------------------------------------------------------------------


@dataclass(frozen=True)
class EmailAttachment:
    filename: str
    content: bytes
    mimetype: str


def recipient_language(email: str, default: str | None = None) -> str:
    """The language of the account that owns `email`, else `default`, else the active language."""
    from django.contrib.auth import get_user_model

    language = (
        get_user_model().objects.filter(email__iexact=email).values_list("language", flat=True).first()
    )
    return language or default or translation.get_language() or settings.LANGUAGE_CODE


def _render_text(name: str, context: dict) -> str:
    """A plain-text template rendered without HTML escaping: "L'Alliance", not "L&#x27;Alliance"."""
    from django.template import Context
    from django.template.loader import get_template

    return get_template(name).template.render(Context(context, autoescape=False))


def _render(template: str, context: dict) -> tuple[str, str, str]:
    subject = _render_text(f"{template}_subject.txt", context).strip()
    subject = " ".join(subject.splitlines())
    text = _render_text(f"{template}_message.txt", context).strip() + "\n"
    try:
        html = render_to_string(f"{template}_message.html", context)
    except TemplateDoesNotExist:
        # Every email goes out in HTML too: a text-only template is laid out in the branded frame.
        html = render_to_string("core/email/from_text.html", {**context, "text": text})
    return subject, text, html


def notification_send(
    *, to: str, template: str, context: dict, key: str, language: str | None = None, attachments=()
) -> Notification:
    """Render `template` for `to` in their language and send it once per `key`.

    `template` names three files like allauth's: `<template>_subject.txt`, `<template>_message.txt`
    and, optionally, `<template>_message.html`. Sending the same key twice sends one email.
    """
    existing = Notification.objects.filter(key=key).first()
    if existing is not None:
        return existing
    language = recipient_language(to, default=language)
    with translation.override(language):
        subject, text, html = _render(template, {"site_name": settings.SITE_NAME, "site_url": settings.SITE_URL,
                                                 **context})
    subject = f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}"[:250]
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                key=key,
                to=to,
                language=language,
                template=template,
                subject=subject,
                body_text=text,
                body_html=html,
                attachments=[
                    {"filename": a.filename, "mimetype": a.mimetype, "content": base64.b64encode(a.content).decode()}
                    for a in attachments
                ],
            )
    except IntegrityError:
        # Another process created the same notification at the same time: it will send it.
        return Notification.objects.get(key=key)
    from .tasks import notification_deliver_task

    transaction.on_commit(lambda: notification_deliver_task.delay(notification.pk))
    return notification


def notification_deliver(*, notification_id: int) -> Notification:
    """Send a pending notification; a sent one is never sent again (safe to run twice).

    The row is locked while sending, so two workers never send the same email. A failure is
    recorded (outside the rolled-back block) for the retry and the beat sweep.
    """
    try:
        with transaction.atomic():
            notification = Notification.objects.select_for_update().get(pk=notification_id)
            if notification.status == Notification.Status.SENT:
                return notification
            _email_for(notification).send()
            notification.status = Notification.Status.SENT
            notification.sent_at = timezone.now()
            notification.attempts += 1
            notification.error = ""
            notification.save(update_fields=["status", "sent_at", "error", "attempts"])
    except OSError as exc:
        Notification.objects.filter(pk=notification_id).update(
            status=Notification.Status.FAILED, error=str(exc)[:2000], attempts=F("attempts") + 1
        )
        raise
    return notification


def _email_for(notification: Notification) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=notification.subject,
        body=notification.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.to],
        headers={"X-JoinForces-Key": notification.key},
    )
    if notification.body_html:
        message.attach_alternative(notification.body_html, "text/html")
    for attachment in notification.attachments:
        message.attach(attachment["filename"], base64.b64decode(attachment["content"]), attachment["mimetype"])
    return message


# --- Background jobs -------------------------------------------------------------------------


def job_start(*, kind: str, key: str, owner, title: str, task) -> Job:
    """Create the job for `key` (once) and enqueue `task(job_id)` after commit.

    Asking again for the same key returns the existing job, so a double click starts nothing new.
    """
    job, created = Job.objects.get_or_create(
        key=key, defaults={"kind": kind, "owner": owner, "title": title, "task_name": task.name}
    )
    if created:
        _job_enqueue(job)
    return job


def _job_enqueue(job: Job) -> None:
    from .celery_utils import send_task_by_name

    Job.objects.filter(pk=job.pk).update(enqueued_at=timezone.now())
    transaction.on_commit(lambda: send_task_by_name(job.task_name, job.pk))


def job_progress(job: Job, percent: int, message: str = "") -> None:
    """Report progress from inside a task; the status fragment shows it on its next poll."""
    percent = max(0, min(99, int(percent)))
    Job.objects.filter(pk=job.pk).update(progress=percent, message=message[:250])
    job.progress, job.message = percent, message


def job_run(job_id, work) -> Job:
    """Run `work(job) -> (filename, bytes)` for a job and store its result. Safe to run twice."""
    job = Job.objects.get(pk=job_id)
    if job.status == Job.Status.DONE:
        return job
    job.status, job.started_at, job.error = Job.Status.RUNNING, timezone.now(), ""
    job.save(update_fields=["status", "started_at", "error"])
    try:
        filename, content = work(job)
    except Exception as exc:
        logger.exception("Job %s failed", job.pk)
        job.status, job.error, job.finished_at = Job.Status.FAILED, str(exc)[:2000], timezone.now()
        job.save(update_fields=["status", "error", "finished_at"])
        raise
    job.result.save(filename, ContentFile(content), save=False)
    job.status, job.progress, job.finished_at = Job.Status.DONE, 100, timezone.now()
    job.save(update_fields=["result", "status", "progress", "finished_at"])
    return job


def jobs_requeue_stale(*, older_than_seconds: int | None = None) -> int:
    """Enqueue again the jobs still waiting long after they were queued (the broker was away)."""
    seconds = older_than_seconds if older_than_seconds is not None else settings.JOB_STALE_AFTER_SECONDS
    limit = timezone.now() - timezone.timedelta(seconds=seconds)
    stale = list(Job.objects.filter(status=Job.Status.PENDING, enqueued_at__lt=limit)[:500])
    for job in stale:
        _job_enqueue(job)
    return len(stale)
