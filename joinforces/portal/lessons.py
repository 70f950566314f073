"""Writes of the lessons learned: saved, published and withdrawn by staff, each audited."""

from django.db import transaction
from django.utils import timezone

from joinforces.core.services import audit

from .models import Lesson

FIELDS = ("year", "position", "title_fr", "title_en", "text_fr", "text_en")


@transaction.atomic
def lesson_save(*, lesson: Lesson, actor, created: bool) -> Lesson:
    """Save a lesson written in the admin (its author is who wrote it first)."""
    if created and lesson.author_id is None:
        lesson.author = actor
    if lesson.published and lesson.published_at is None:
        lesson.published_at = timezone.now()
    if not lesson.published:
        lesson.published_at = None
    lesson.full_clean()
    lesson.save()
    audit(actor=actor, action="portal.lesson_created" if created else "portal.lesson_changed", target=lesson,
          after={name: getattr(lesson, name) for name in FIELDS} | {"published": lesson.published})
    return lesson


@transaction.atomic
def lesson_publish(*, lesson: Lesson, actor, published: bool = True) -> Lesson:
    """Publish a lesson on the public page of its year, or withdraw it (no change if already so)."""
    lesson = Lesson.objects.select_for_update().get(pk=lesson.pk)
    if lesson.published == published:
        return lesson
    lesson.published = published
    lesson.published_at = timezone.now() if published else None
    lesson.save(update_fields=["published", "published_at", "updated_at"])
    audit(actor=actor, action="portal.lesson_published" if published else "portal.lesson_withdrawn",
          target=lesson, before={"published": not published}, after={"published": published})
    return lesson
