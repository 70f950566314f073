from django.contrib import admin
from django.db.models import Count
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from eligibility.models import Screening, Verdict
from joinforces.core.uploads import download_url

from .models import (
    Application,
    Attachment,
    BudgetLine,
    Call,
    MemberOrganisation,
    Programme,
    SupportNeed,
    TeamMember,
)


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


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class TeamInline(ReadOnlyInline):
    model = TeamMember
    fields = ["user", "role", "joined_at"]
    readonly_fields = fields
    verbose_name_plural = _("team")


class MemberInline(ReadOnlyInline):
    model = MemberOrganisation
    fields = ["name", "legal_form", "non_profit", "general_interest", "role", "identifier",
              "identifier_missing_reason", "annual_budget", "staff_count", "voting_share", "veto_holder",
              "decision_status", "decision_date", "decision_form"]
    readonly_fields = fields


class ProgrammeInline(ReadOnlyInline):
    model = Programme
    fields = ["title", "integration", "territory_list", "beneficiaries"]
    readonly_fields = fields

    @admin.display(description=_("territories"))
    def territory_list(self, obj):
        return ", ".join(str(territory) for territory in obj.territories.all()) or "—"


class BudgetLineInline(ReadOnlyInline):
    model = BudgetLine
    fields = ["year", "category", "label", "amount", "programme_cost", "member_overhead"]
    readonly_fields = fields


class SupportNeedInline(ReadOnlyInline):
    model = SupportNeed
    fields = ["domain", "description", "days"]
    readonly_fields = fields


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = ["kind", "download", "uploaded_by", "uploaded_at"]
    readonly_fields = fields

    @admin.display(description=_("file"))
    def download(self, obj):
        return format_html('<a href="{}">{}</a>', download_url(obj, "file"), obj.file.name.rsplit("/", 1)[-1])


class VerdictFilter(admin.SimpleListFilter):
    title = _("eligibility verdict")
    parameter_name = "verdict"

    def lookups(self, request, model_admin):
        return [*Verdict.choices, ("none", _("Not screened"))]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(screening__isnull=True)
        if self.value() in Verdict.values:
            return queryset.filter(screening__in=Screening.objects.with_final_verdict(self.value()))
        return queryset


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    """Staff read an application's steps on one page, with its screening; they may screen it again."""

    list_display = ["__str__", "name", "call", "kind", "status", "verdict", "submitted_at"]
    list_filter = ["call", "status", VerdictFilter, "kind"]
    search_fields = ["reference", "name", "members__name", "members__identifier"]
    list_select_related = ["call", "screening"]
    date_hierarchy = "created_at"
    actions = ["screen_again"]
    inlines = [TeamInline, MemberInline, ProgrammeInline, BudgetLineInline, SupportNeedInline, AttachmentInline]
    fieldsets = [
        (None, {"fields": ["reference", "call", "status", "submitted_at", "withdrawn_at", "screening_link"]}),
        (_("Screening"), {"fields": ["screening_findings"]}),
        (_("1. The collective"), {"fields": ["name", "kind", "theme_list", "summary", "website", "years_together",
                                            "main_purpose", "does_advocacy", "temporary"]}),
        (_("3. Governance"), {"fields": ["governance"]}),
        (_("5. Commitment"), {"fields": ["why_together"]}),
        (_("6. Budget"), {"fields": ["years", "amount_requested", "other_funders"]}),
        (_("9. Review and submit"), {"fields": ["consent_public", "sworn_statement"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        return [field for fieldset in self.fieldsets for field in fieldset[1]["fields"]]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    @admin.display(description=_("themes"))
    def theme_list(self, obj):
        return ", ".join(str(theme) for theme in obj.themes.all()) or "—"

    @admin.display(description=_("eligibility"))
    def verdict(self, obj):
        if obj.screening is None:
            return "—"
        return obj.screening.get_final_verdict_display()

    @admin.display(description=_("screening"))
    def screening_link(self, obj):
        if obj.screening is None:
            return _("Not screened yet")
        url = reverse("admin:eligibility_screening_change", args=[obj.screening.pk])
        return format_html('<a href="{}">{} · {}</a>', url, obj.screening.get_final_verdict_display(),
                           obj.screening.ruleset)

    @admin.display(description=_("findings"))
    def screening_findings(self, obj):
        from eligibility.selectors import finding_answers

        if obj.screening is None:
            return "—"
        rows = [{"finding": finding, "answers": finding_answers(obj.screening, finding)}
                for finding in obj.screening.findings.all()]
        return render_to_string("admin/eligibility/findings_table.html", {"rows": rows})

    @admin.action(description=_("Screen again with the current rules"))
    def screen_again(self, request, queryset):
        from .services import ApplicationError, application_screen

        done = 0
        for application in queryset.exclude(status="draft"):
            try:
                application_screen(application=application, actor=request.user)
                done += 1
            except ApplicationError as error:
                self.message_user(request, f"{application}: {error}", level="error")
        self.message_user(request, _("%(count)d application(s) screened again.") % {"count": done})
