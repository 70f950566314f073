from django.contrib import admin, messages
from django.db.models import Count, Prefetch, Value
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from joinforces.core.admin import ReadOnlyAdmin
from joinforces.core.models import Territory
from joinforces.core.uploads import download_url

from .. import services
from ..models import (
    Application,
    Attachment,
    BudgetLine,
    Call,
    CommitteeMembership,
    ConflictDeclaration,
    Decision,
    MemberOrganisation,
    Programme,
    Review,
    ReviewAssignment,
    ReviewRound,
    SupportNeed,
    TeamMember,
)
from ..selectors import call_envelope, round_progress, with_review_aggregates
from ..services import STEP_NUMBERS
from .committee import ApplicationPagesMixin
from .forms import InfoRequestForm
from .lists import CommitteeListMixin


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


class CommitteeMembershipInline(admin.TabularInline):
    """The call's committee; changes go through the services (role granted, one chair, audit)."""

    model = CommitteeMembership
    extra = 1
    fields = ["user", "is_chair", "added_at"]
    readonly_fields = ["added_at"]
    autocomplete_fields = ["user"]
    verbose_name_plural = _("selection committee")


def _no_saved_objects(formset):
    """The admin's change message reads what `formset.save()` saved; here the services save."""
    formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []


def _save_committee(request, formset):
    _no_saved_objects(formset)
    for form in formset.forms:
        if not form.has_changed() and form.instance.pk is None:
            continue
        membership = form.instance
        if formset.can_delete and form.cleaned_data.get("DELETE") and membership.pk:
            services.committee_member_remove(membership=membership, actor=request.user)
        elif form.cleaned_data.get("user"):
            services.committee_member_add(call=formset.instance, user=form.cleaned_data["user"], actor=request.user,
                                          is_chair=form.cleaned_data.get("is_chair", False))


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ["title", "state", "opens_at", "closes_at", "budget_envelope", "max_years", "application_count"]
    list_filter = [CallStateFilter, "themes"]
    search_fields = ["title", "description"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["themes"]
    date_hierarchy = "opens_at"
    inlines = [CommitteeMembershipInline]
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

    def save_formset(self, request, form, formset, change):
        _save_committee(request, formset)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except services.ApplicationError as error:
            self.message_user(request, error.message, level=messages.ERROR)
            return redirect(request.path)


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


@admin.register(Application)
class ApplicationAdmin(ApplicationPagesMixin, CommitteeListMixin, admin.ModelAdmin):
    """Staff see the committee's list (scores, progress, export), read an application's steps on one
    page with its screening and reviews, screen it again, ask the team for more information and
    record decisions."""

    date_hierarchy = "created_at"
    actions = ["screen_again", "ask_for_information"]
    reading_page = "read"
    inlines = [TeamInline, MemberInline, ProgrammeInline, BudgetLineInline, SupportNeedInline, AttachmentInline]
    fieldsets = [
        (None, {"fields": ["reference", "call", "status", "submitted_at", "withdrawn_at", "screening_link",
                           "committee_links"]}),
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
        queryset = super().get_queryset(request).visible_to(request.user).annotate(cleared=Value(True))
        return with_review_aggregates(queryset).select_related("call", "screening").prefetch_related(
            "themes", Prefetch("programmes", queryset=Programme.objects.prefetch_related(
                Prefetch("territories", queryset=Territory.objects.select_related("region")))))

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/lecture/", wrap(self.application_page), name=f"{prefix}_read"),
            path("<int:pk>/informations/", wrap(self.info_request_view), name=f"{prefix}_info_request"),
            *self.review_page_urls(),
            *super().get_urls(),
        ]

    @admin.display(description=_("committee"))
    def committee_links(self, obj):
        return format_html('<a href="{}">{}</a> · <a href="{}">{}</a> · <a href="{}">{}</a>',
                           self._url("read", obj.pk), _("Readable page with the reviews"),
                           self._url("decision", obj.pk), _("Record the decision"),
                           self._url("info_request", obj.pk), _("Ask the team for more information"))

    @admin.action(description=_("Ask the team for more information"))
    def ask_for_information(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Choose one application at a time."), level=messages.WARNING)
            return None
        return redirect(self._url("info_request", queryset.get().pk))

    def info_request_view(self, request, pk):
        from ..views import STEPS

        application = get_object_or_404(Application.objects.visible_to(request.user), pk=pk)
        form = InfoRequestForm(request.POST or None, steps=[(number, f"{number}. {label}")
                                                             for number, label in STEPS if number in STEP_NUMBERS])
        if request.method == "POST" and form.is_valid():
            try:
                services.info_request(application=application, steps=form.cleaned_data["steps"],
                                      message=form.cleaned_data["message"], actor=request.user)
            except services.ApplicationError as error:
                form.add_error(None, error.message)
            else:
                self.message_user(request, _("The request is sent to the team; the steps chosen are open again."))
                return redirect(self._url("change", pk))
        return TemplateResponse(request, "admin/applications/info_request_form.html", self._context(
            request, _("Ask for more information — %(application)s") % {"application": application},
            application=application, form=form, page_url=self._url("change", pk)))

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
        from ..services import ApplicationError, application_screen

        done = 0
        for application in queryset.exclude(status="draft"):
            try:
                application_screen(application=application, actor=request.user)
                done += 1
            except ApplicationError as error:
                self.message_user(request, f"{application}: {error}", level="error")
        self.message_user(request, _("%(count)d application(s) screened again.") % {"count": done})


# --- The committee, on the staff's side ---------------------------------------------------------------


class ReviewAssignmentInline(admin.TabularInline):
    """Reviewers of the round's applications, one by one; through the services (never a conflict)."""

    model = ReviewAssignment
    extra = 1
    fields = ["application", "reviewer", "review_state", "assigned_by", "assigned_at"]
    readonly_fields = ["review_state", "assigned_by", "assigned_at"]
    autocomplete_fields = ["application", "reviewer"]
    verbose_name_plural = _("assignments")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("application", "reviewer", "assigned_by", "review")

    @admin.display(description=_("review"))
    def review_state(self, obj):
        review = getattr(obj, "review", None) if obj.pk else None
        return review.get_status_display() if review else _("Not started")


class RoundStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("open", _("Reviews under way")), ("late", _("Deadline passed")), ("published", _("Published"))]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "open":
            return queryset.filter(deadline__gt=now, published_at__isnull=True)
        if self.value() == "late":
            return queryset.filter(deadline__lte=now, published_at__isnull=True)
        if self.value() == "published":
            return queryset.filter(published_at__isnull=False)
        return queryset


@admin.register(ReviewRound)
class ReviewRoundAdmin(admin.ModelAdmin):
    """Staff open a round on a call (its submitted applications join it), assign reviewers one by one
    or balanced, follow progress against the deadline, decline the ineligible and publish."""

    list_display = ["title", "call", "deadline", "application_total", "decision_total", "published_at"]
    list_filter = [RoundStateFilter, "call"]
    search_fields = ["title", "call__title"]
    list_select_related = ["call"]
    actions = ["assign_balanced", "notify_reviewers", "decline_ineligible", "publish_decisions"]
    inlines = [ReviewAssignmentInline]
    readonly_fields = ["progress_table", "envelope_summary", "opened_by", "opened_at", "published_at"]

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ["call", "title", "deadline", "reviewers_per_application"]})]
        return [(None, {"fields": ["call", "title", "deadline", "reviewers_per_application", "opened_by",
                                   "opened_at", "published_at"]}),
                (_("Progress"), {"fields": ["progress_table", "envelope_summary"]})]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "call"] if obj else self.readonly_fields

    def get_inlines(self, request, obj):
        return self.inlines if obj else []

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            applications_total=Count("applications", distinct=True), decisions_total=Count("decisions", distinct=True))

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        created = services.review_round_open(call=obj.call, title=obj.title, deadline=obj.deadline, actor=request.user,
                                             reviewers_per_application=obj.reviewers_per_application)
        obj.pk, obj.opened_at, obj.opened_by = created.pk, created.opened_at, created.opened_by
        obj._state.adding = False

    def save_formset(self, request, form, formset, change):
        round_ = form.instance
        _no_saved_objects(formset)
        for inline_form in formset.forms:
            data = getattr(inline_form, "cleaned_data", {})
            if not data:
                continue
            if data.get("DELETE") and inline_form.instance.pk:
                services.review_unassign(assignment=inline_form.instance, actor=request.user)
            elif inline_form.instance.pk is None and data.get("application") and data.get("reviewer"):
                services.review_assign(review_round=round_, application=data["application"],
                                       reviewer=data["reviewer"], actor=request.user)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except services.ApplicationError as error:
            self.message_user(request, error.message, level=messages.ERROR)
            return redirect(request.path)

    @admin.display(description=_("applications"), ordering="applications_total")
    def application_total(self, obj):
        return obj.applications_total

    @admin.display(description=_("decisions"), ordering="decisions_total")
    def decision_total(self, obj):
        return obj.decisions_total

    @admin.display(description=_("reviewers"))
    def progress_table(self, obj):
        return render_to_string("admin/applications/round_progress.html",
                                {"rows": round_progress(obj), "round": obj, "now": timezone.now()})

    @admin.display(description=_("envelope of the call"))
    def envelope_summary(self, obj):
        envelope = call_envelope(obj.call)
        return render_to_string("admin/applications/envelope.html", {"envelope": envelope})

    @admin.action(description=_("Assign reviewers, balancing the load (never a declared conflict)"))
    def assign_balanced(self, request, queryset):
        for review_round in queryset:
            created, short = services.review_assign_balanced(review_round=review_round, actor=request.user)
            self.message_user(request, _("%(round)s: %(count)d assignment(s) added.")
                              % {"round": review_round, "count": len(created)})
            if short:
                self.message_user(request, _("%(round)s: %(count)d application(s) lack reviewers (conflicts or too "
                                             "few committee members).") % {"round": review_round, "count": len(short)},
                                  level=messages.WARNING)

    @admin.action(description=_("Email the reviewers their lists"))
    def notify_reviewers(self, request, queryset):
        sent = sum(services.round_reviewers_notify(review_round=review_round) for review_round in queryset)
        self.message_user(request, _("%(count)d reviewer(s) written to (a list already sent is not sent again).")
                          % {"count": sent})

    @admin.action(description=_("Decline the applications found not eligible (exclusion criteria as reasons)"))
    def decline_ineligible(self, request, queryset):
        for review_round in queryset:
            decisions = services.decisions_decline_ineligible(review_round=review_round, actor=request.user)
            self.message_user(request, _("%(round)s: %(count)d decline(s) recorded, to publish.")
                              % {"round": review_round, "count": len(decisions)})

    @admin.action(description=_("Publish the decisions (letters to the teams)"))
    def publish_decisions(self, request, queryset):
        if request.POST.get("confirm") != "yes":
            rounds = [(review_round, review_round.decisions.pending().select_related("application"))
                      for review_round in queryset]
            return TemplateResponse(request, "admin/applications/publish_confirm.html", {
                **self.admin_site.each_context(request), "opts": self.opts, "rounds": rounds,
                "queryset": queryset, "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                "title": _("Publish the decisions?"),
            })
        for review_round in queryset:
            published = services.round_publish(review_round=review_round, actor=request.user)
            self.message_user(request, _("%(round)s: %(count)d decision(s) published; the letters are on their way.")
                              % {"round": review_round, "count": len(published)})
        return None


@admin.register(ConflictDeclaration)
class ConflictDeclarationAdmin(ReadOnlyAdmin):
    list_display = ["declared_at", "reviewer", "application", "has_conflict", "organisation_list", "updated_at"]
    list_filter = ["has_conflict", "application__call"]
    search_fields = ["reviewer__email", "reviewer__last_name", "application__reference", "application__name"]
    list_select_related = ["reviewer", "application"]
    fields = ["reviewer", "application", "has_conflict", "organisation_list", "details", "declared_at", "updated_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("organisations")

    @admin.display(description=_("organisations concerned"))
    def organisation_list(self, obj):
        return ", ".join(org.name for org in obj.organisations.all()) or "—"


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    """Every review, read-only; staff may reopen a submitted one for its reviewer."""

    list_display = ["application", "reviewer", "status", "mean_display", "recommendation", "suggested_amount",
                    "submitted_at"]
    list_filter = ["status", "recommendation", "assignment__round"]
    search_fields = ["assignment__application__reference", "assignment__application__name",
                     "assignment__reviewer__email"]
    list_select_related = ["assignment__application", "assignment__reviewer"]
    actions = ["reopen"]
    exclude = ["assignment"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.opts.concrete_fields if field.name != "assignment"]

    @admin.display(description=_("application"), ordering="assignment__application__reference")
    def application(self, obj):
        return obj.assignment.application

    @admin.display(description=_("reviewer"), ordering="assignment__reviewer__email")
    def reviewer(self, obj):
        return obj.assignment.reviewer

    @admin.display(description=_("mean"))
    def mean_display(self, obj):
        return "—" if obj.mean is None else f"{obj.mean:.1f}"

    @admin.action(description=_("Reopen the submitted reviews for their reviewers"))
    def reopen(self, request, queryset):
        done = 0
        for review in queryset:
            try:
                services.review_reopen(review=review, actor=request.user)
                done += 1
            except services.ApplicationError as error:
                self.message_user(request, f"{review}: {error.message}", level=messages.WARNING)
        self.message_user(request, _("%(count)d review(s) reopened.") % {"count": done})


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    """Decisions, read-only here: they are recorded from the application's page and published from
    the round."""

    list_display = ["application", "round", "outcome", "amount_per_year", "years", "decided_by", "decided_at",
                    "published_at"]
    list_filter = ["outcome", ("published_at", admin.EmptyFieldListFilter), "round"]
    search_fields = ["application__reference", "application__name"]
    list_select_related = ["application", "round", "decided_by"]
    date_hierarchy = "decided_at"

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.opts.concrete_fields]
