from django.contrib import admin
from django.db.models import Count
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import Call


class CallStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("open", _("Open")), ("upcoming", _("Upcoming")), ("closed", _("Closed"))]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "open":
            return queryset.open_at(now)
        if self.value() == "upcoming":
            return queryset.upcoming(now)
        if self.value() == "closed":
            return queryset.filter(closes_at__lte=now)
        return queryset


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ["title", "state", "opens_at", "closes_at", "budget_envelope", "max_years", "application_count"]
    list_filter = [CallStateFilter, "themes"]
    search_fields = ["title", "description"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["themes"]
    date_hierarchy = "opens_at"
    fieldsets = [
        (None, {"fields": ["title", "slug", "description", "themes"]}),
        (_("Dates"), {"fields": ["opens_at", "closes_at"]}),
        (_("Funding"), {"fields": ["budget_envelope", "max_years"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(applications_total=Count("applications"))

    @admin.display(description=_("state"))
    def state(self, obj):
        now = timezone.now()
        if obj.is_open(now):
            return format_html('<span class="jf-badge jf-ok">{}</span>', _("Open"))
        if obj.opens_at > now:
            return format_html('<span class="jf-badge jf-review">{}</span>', _("Upcoming"))
        return format_html('<span class="jf-badge jf-no">{}</span>', _("Closed"))

    @admin.display(description=_("applications"), ordering="applications_total")
    def application_count(self, obj):
        return obj.applications_total
