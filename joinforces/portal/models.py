"""What staff learned from the portfolio, written for the sector: the lessons of a year, in French
and English, published on the public page of the year when staff choose to."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class LessonQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True)

    def visible_to(self, user):
        """Staff read every lesson; anyone else the published ones."""
        from joinforces.accounts.rules import is_staff_member

        return self if is_staff_member(user) else self.published()


class Lesson(models.Model):
    """One lesson of a year, anonymised by its author: it names no person and no initiative that did
    not agree to be public. The English text is optional: the French one shows when it is empty."""

    year = models.PositiveSmallIntegerField(_("year"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title_fr = models.CharField(_("title (French)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    text_fr = models.TextField(_("text (French)"))
    text_en = models.TextField(_("text (English)"), blank=True)
    published = models.BooleanField(_("published"), default=False)
    published_at = models.DateTimeField(_("published on"), null=True, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = LessonQuerySet.as_manager()

    class Meta:
        verbose_name = _("lesson learned")
        verbose_name_plural = _("lessons learned")
        ordering = ["-year", "position", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100), name="lesson_year_range"),
            models.CheckConstraint(condition=Q(published=False) | Q(published_at__isnull=False),
                                   name="lesson_published_has_date"),
        ]

    def __str__(self):
        return f"{self.year} · {self.title_fr}"

    def _english(self) -> bool:
        return (get_language() or "fr").startswith("en")

    @property
    def title(self) -> str:
        return self.title_en if self._english() and self.title_en else self.title_fr

    @property
    def text(self) -> str:
        return self.text_en if self._english() and self.text_en else self.text_fr
