import json

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent, Job, Notification, Territory, Theme


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written only by services: the admin shows them and never changes them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Territory)
class TerritoryAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "kind", "region"]
    list_filter = ["kind", "region"]
    search_fields = ["code", "name"]
    list_select_related = ["region"]


@admin.register(Theme)
class ThemeAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_fr", "name_en", "position"]
    search_fields = ["code", "name_fr", "name_en"]


def _pretty(value):
    if value is None:
        return "—"
    return format_html("<pre class='audit-json'>{}</pre>", json.dumps(value, indent=2, ensure_ascii=False))


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "action", "actor_repr", "target_repr"]
    list_filter = ["action", ("target_type", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["action", "actor_repr", "target_repr", "target_id"]
    date_hierarchy = "created_at"
    list_select_related = ["target_type"]
    fields = ["created_at", "action", "actor", "actor_repr", "target_type", "target_id", "target_repr",
              "before_display", "after_display"]
    readonly_fields = fields

    @admin.display(description=_("before"))
    def before_display(self, obj):
        return _pretty(obj.before)

    @admin.display(description=_("after"))
    def after_display(self, obj):
        return _pretty(obj.after)


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "to", "subject", "status", "attempts", "sent_at"]
    list_filter = ["status", "language", "template"]
    search_fields = ["to", "subject", "key"]
    date_hierarchy = "created_at"
    readonly_fields = ["key", "to", "language", "template", "subject", "body_text", "status", "attempts",
                       "error", "created_at", "sent_at"]
    exclude = ["body_html", "attachments"]


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "title", "kind", "owner", "status", "progress"]
    list_filter = ["status", "kind"]
    search_fields = ["title", "key", "owner__email"]
    list_select_related = ["owner"]
    exclude = ["result"]
    readonly_fields = ["id", "key", "kind", "title", "owner", "task_name", "status", "progress", "message", "error",
                       "created_at", "enqueued_at", "started_at", "finished_at"]
