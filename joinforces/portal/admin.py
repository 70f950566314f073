import rules
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from joinforces.accounts.rules import is_staff_member

from . import lessons
from .models import Lesson

# Staff write, publish and withdraw the lessons learned (registered here, with the admin that uses them).
rules.add_perm("portal", is_staff_member)
for action in ("view", "add", "change", "delete"):
    rules.add_perm(f"portal.{action}_lesson", is_staff_member)


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    list_display = ["title_fr", "year", "published", "published_at", "author"]
    list_filter = ["year", "published"]
    search_fields = ["title_fr", "title_en", "text_fr", "text_en"]
    fields = ["year", "position", "title_fr", "text_fr", "title_en", "text_en", "published", "published_at",
              "author"]
    readonly_fields = ["published_at", "author"]
    actions = ["publish", "withdraw"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")

    def save_model(self, request, obj, form, change):
        lessons.lesson_save(lesson=obj, actor=request.user, created=not change)

    @admin.action(description=_("Publish on the public page of their year"))
    def publish(self, request, queryset):
        for lesson in queryset:
            lessons.lesson_publish(lesson=lesson, actor=request.user, published=True)
        self.message_user(request, ngettext("%(n)d lesson published.", "%(n)d lessons published.",
                                            queryset.count()) % {"n": queryset.count()}, messages.SUCCESS)

    @admin.action(description=_("Withdraw from the public page"))
    def withdraw(self, request, queryset):
        for lesson in queryset:
            lessons.lesson_publish(lesson=lesson, actor=request.user, published=False)
        self.message_user(request, ngettext("%(n)d lesson withdrawn.", "%(n)d lessons withdrawn.",
                                            queryset.count()) % {"n": queryset.count()}, messages.SUCCESS)
