"""The staff's admin of support: experts with their domains, linked organisations, weekly availability
and days off inline; the toolbox; plans with their needs; bookings (read-only: they are made, moved and
cancelled from the staff's pages, which send the invitations), feedback and payments (read-only: a
payment is recorded from the plan's page, through the ledger)."""

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from joinforces.core.services import audit
from joinforces.core.uploads import DOCUMENT_KINDS, CheckedFileField

from .models import (
    AvailabilityException,
    AvailabilityRule,
    Booking,
    Expert,
    ExpertDomain,
    ExpertLink,
    Feedback,
    Language,
    PlanNeed,
    Resource,
    SupportPayment,
    SupportPlan,
)


class LanguagesField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        super().__init__(choices=Language.choices, required=False, label=_("languages"), **kwargs)


class ExpertForm(forms.ModelForm):
    languages = LanguagesField()

    class Meta:
        model = Expert
        fields = ["kind", "name", "email", "phone", "user", "active", "bio", "territories", "remote", "remote_only",
                  "languages", "timezone", "capacity_days_per_month", "buffer_minutes", "pro_bono", "daily_rate"]


class PlanNeedForm(forms.ModelForm):
    languages = LanguagesField()

    class Meta:
        model = PlanNeed
        fields = ["domain", "description", "budget_days", "window_start", "window_end", "territories", "languages",
                  "remote_allowed", "minimum_level"]


class ResourceForm(forms.ModelForm):
    """A toolbox file is checked by its content and size, like every upload."""

    file = CheckedFileField(label=_("file"), kinds=DOCUMENT_KINDS, required=False, widget=forms.ClearableFileInput)

    class Meta:
        model = Resource
        fields = ["title", "slug", "kind", "domain", "stage", "summary", "body", "file", "published"]


class ExpertDomainInline(admin.TabularInline):
    model = ExpertDomain
    extra = 1


class ExpertLinkInline(admin.TabularInline):
    model = ExpertLink
    extra = 1


class AvailabilityRuleInline(admin.TabularInline):
    model = AvailabilityRule
    extra = 1


class AvailabilityExceptionInline(admin.TabularInline):
    model = AvailabilityException
    extra = 1


class AuditedAdmin(admin.ModelAdmin):
    """Saves from the admin are recorded in the audit log."""

    audit_action = ""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit(actor=request.user, action=self.audit_action, target=obj,
              after={"changed": form.changed_data if change else ["created"]})


@admin.register(Expert)
class ExpertAdmin(AuditedAdmin):
    audit_action = "support.expert_saved"
    form = ExpertForm
    list_display = ("name", "kind", "domain_list", "remote_only", "capacity_days_per_month", "rate", "active")
    list_filter = ("active", "kind", "pro_bono", "remote_only", "domains__domain", "territories")
    search_fields = ("name", "email", "bio", "links__name", "links__siren")
    filter_horizontal = ("territories",)
    autocomplete_fields = ("user",)
    inlines = [ExpertDomainInline, ExpertLinkInline, AvailabilityRuleInline, AvailabilityExceptionInline]
    fieldsets = (
        (None, {"fields": ("kind", "name", "email", "phone", "user", "active", "bio")}),
        (_("Where and how"), {"fields": ("territories", "remote", "remote_only", "languages", "timezone")}),
        (_("Capacity and rate"), {"fields": ("capacity_days_per_month", "buffer_minutes", "pro_bono", "daily_rate")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("domains")

    def save_model(self, request, obj, form, change):
        """An expert's account holds the expert role, so that it reaches the expert's pages."""
        super().save_model(request, obj, form, change)
        if obj.user_id:
            from joinforces.accounts.models import Role
            from joinforces.accounts.services import role_grant

            role_grant(user=obj.user, role=Role.EXPERT, actor=request.user)

    @admin.display(description=_("domains"))
    def domain_list(self, obj):
        return ", ".join(str(d) for d in obj.domains.all())

    @admin.display(description=_("rate"))
    def rate(self, obj):
        if obj.pro_bono:
            return _("pro bono")
        return f"{obj.daily_rate} €" if obj.daily_rate is not None else "—"


@admin.register(Resource)
class ResourceAdmin(AuditedAdmin):
    audit_action = "support.resource_saved"
    form = ResourceForm
    list_display = ("title", "kind", "domain", "stage", "published", "updated_at")
    list_filter = ("published", "kind", "domain", "stage")
    search_fields = ("title", "summary", "body")
    prepopulated_fields = {"slug": ("title",)}
    actions = ["publish", "unpublish"]

    @admin.action(description=_("Publish the selected resources"))
    def publish(self, request, queryset):
        queryset.update(published=True)

    @admin.action(description=_("Unpublish the selected resources"))
    def unpublish(self, request, queryset):
        queryset.update(published=False)


class PlanNeedInline(admin.StackedInline):
    model = PlanNeed
    form = PlanNeedForm
    extra = 0
    filter_horizontal = ("territories",)


@admin.register(SupportPlan)
class SupportPlanAdmin(admin.ModelAdmin):
    list_display = ("__str__", "reference", "created_at", "staff_page")
    search_fields = ("grant__application__name", "grant__application__reference")
    readonly_fields = ("grant", "created_at")
    inlines = [PlanNeedInline]

    def has_add_permission(self, request):
        return False  # a plan opens when a grant becomes active

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("grant__application")

    @admin.display(description=_("reference"))
    def reference(self, obj):
        return obj.grant.application.reference

    @admin.display(description=_("staff page"))
    def staff_page(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("support:plan_detail", args=[obj.pk]), _("Open"))


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Booking)
class BookingAdmin(ReadOnlyAdmin):
    list_display = ("start", "end", "expert", "initiative", "domain", "mode", "status", "staff_page")
    list_filter = ("status", "mode", "need__domain", "expert")
    date_hierarchy = "start"
    search_fields = ("expert__name", "need__plan__grant__application__name", "notes")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("expert", "need__plan__grant__application")

    @admin.display(description=_("initiative"))
    def initiative(self, obj):
        return obj.need.plan

    @admin.display(description=_("domain"))
    def domain(self, obj):
        return obj.need.get_domain_display()

    @admin.display(description=_("staff page"))
    def staff_page(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("support:booking_detail", args=[obj.pk]), _("Open"))


@admin.register(Feedback)
class FeedbackAdmin(ReadOnlyAdmin):
    list_display = ("booking", "side", "rating", "created_at")
    list_filter = ("side", "rating")
    list_select_related = ("booking__expert", "booking__need__plan__grant__application")


@admin.register(SupportPayment)
class SupportPaymentAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "expert", "plan", "amount", "reference", "entry")
    list_select_related = ("expert", "plan__grant__application", "entry")
