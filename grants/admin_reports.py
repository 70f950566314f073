"""The staff's admin of yearly reports: the list (due, overdue, to review), a readable page per report
(narrative, indicators, spending against the year's budget with the differences pointed out, the
documents) and the review actions: approve (which meets the condition of the tranche waiting for the
report) or ask for changes with a message. Reports are written by the teams: nothing here edits them;
`grants.reports` reviews them, audited."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import Q
from django.template.defaultfilters import linebreaksbr
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from joinforces.core.admin import ReadOnlyAdmin
from joinforces.core.formats import euros
from joinforces.core.uploads import download_url

from . import reports
from .models import GrantReport, ReportStatus
from .services import GrantError


def _number(value) -> str:
    """A value in the locale's format, without decimals when it is a whole number."""
    if value == value.to_integral_value():
        value = value.quantize(1)
    return number_format(value, use_l10n=True, force_grouping=True)


class ApproveReportForm(forms.Form):
    message = forms.CharField(label=_("Message to the team (optional)"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))


class RequestChangesForm(forms.Form):
    message = forms.CharField(label=_("What should the team change? (they will read it)"),
                              widget=forms.Textarea(attrs={"rows": 5}))


class OverdueFilter(admin.SimpleListFilter):
    title = _("due date")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Overdue (due date passed, not submitted)")), ("no", _("Not overdue"))]

    def queryset(self, request, queryset):
        late = Q(due_on__lt=timezone.localdate(), status__in=reports.EDITABLE)
        if self.value() == "yes":
            return queryset.filter(late)
        if self.value() == "no":
            return queryset.exclude(late)
        return queryset


@admin.register(GrantReport)
class GrantReportAdmin(ReadOnlyAdmin):
    list_display = ["grant", "year", "due_on", "status", "submitted_at", "reviewed_at"]
    list_filter = ["status", OverdueFilter, "due_on"]
    search_fields = ["grant__application__reference", "grant__application__name"]
    list_select_related = ["grant__application"]
    ordering = ["due_on", "pk"]
    date_hierarchy = "due_on"
    actions = ["approve", "request_changes"]
    change_form_template = "admin/grants/grantreport_change_form.html"
    fieldsets = [
        (None, {"fields": ["grant", "year", "due_on", "status", "submitted_at", "submitted_by", "reviewed_at",
                           "reviewed_by", "review_message"]}),
        (_("What the collective achieved"), {"fields": ["narrative_text", "summary_text", "share_with_donors"]}),
        (_("Indicators of collective impact"), {"fields": ["organisations_involved", "territories",
                                                           "people_reached", "staff_shared", "governance_meetings",
                                                           "free_indicators"]}),
        (_("Spending against the approved budget"), {"fields": ["spending_table"]}),
        (_("Documents"), {"fields": ["documents"]}),
    ]
    readonly_fields = ["grant", "year", "due_on", "status", "submitted_at", "submitted_by", "reviewed_at",
                       "reviewed_by", "review_message", "narrative_text", "summary_text", "share_with_donors",
                       "organisations_involved", "territories", "people_reached", "staff_shared",
                       "governance_meetings", "free_indicators", "spending_table", "documents"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.resolver_match and request.resolver_match.url_name.endswith("_change"):
            queryset = queryset.select_related("grant__application", "submitted_by", "reviewed_by").prefetch_related(
                "territories_covered", "spending", "indicators", "attachments")
        return queryset

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "action_checkbox_name": ACTION_CHECKBOX_NAME}
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("what the collective achieved this year"))
    def narrative_text(self, obj):
        return linebreaksbr(obj.narrative or "—", autoescape=True)

    @admin.display(description=_("summary (may be shared)"))
    def summary_text(self, obj):
        return linebreaksbr(obj.summary or "—", autoescape=True)

    @admin.display(description=_("territories covered"))
    def territories(self, obj):
        return ", ".join(f"{t.name} ({t.code})" for t in obj.territories_covered.all()) or "—"

    @admin.display(description=_("other indicators"))
    def free_indicators(self, obj):
        indicators = list(obj.indicators.all())
        if not indicators:
            return "—"
        rows = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                                ((i.label, _number(i.value), i.unit) for i in indicators))
        return format_html("<table><thead><tr><th scope='col'>{}</th><th scope='col'>{}</th><th scope='col'>{}</th>"
                           "</tr></thead><tbody>{}</tbody></table>", _("Indicator"), _("Value"), _("Unit"), rows)

    @admin.display(description=_("spending of the year"))
    def spending_table(self, obj):
        rows = reports.spending_against_budget(obj)
        if not rows:
            return _("No budget and no spending for this year.")
        totals = reports.spending_totals(rows)
        threshold = int(reports.DIFFERENCE_THRESHOLD * 100)

        def flag(row):
            if not row.flagged:
                return ""
            if not row.budgeted:
                return str(_("⚠ not in the budget"))
            return str(_("⚠ more than %(threshold)d %% off the budget") % {"threshold": threshold})

        body = format_html_join("", "<tr><th scope='row'>{}</th><td>{}</td><td>{}</td><td>{}{}</td><td>{}</td>"
                                    "<td><strong>{}</strong></td></tr>", (
            (row.label, euros(row.budget) if row.budgeted else "—",
             euros(row.spent) if row.spent is not None else "—", euros(row.difference),
             f" ({row.percent} %)" if row.percent is not None else "", row.comment, flag(row)) for row in rows))
        return format_html(
            "<table class='jf-spending'><thead><tr><th scope='col'>{}</th><th scope='col'>{}</th><th scope='col'>{}"
            "</th><th scope='col'>{}</th><th scope='col'>{}</th><th scope='col'>{}</th></tr></thead><tbody>{}</tbody>"
            "<tfoot><tr><th scope='row'>{}</th><td>{}</td><td>{}</td><td>{}</td><td></td><td></td></tr></tfoot>"
            "</table>",
            _("Category"), _("Budget of the year"), _("Spent"), _("Difference"), _("Comment"), _("Point to check"),
            body, _("Total"), euros(totals["budget"]), euros(totals["spent"]), euros(totals["difference"]))

    @admin.display(description=_("documents"))
    def documents(self, obj):
        attachments = list(obj.attachments.all())
        if not attachments:
            return "—"
        return format_html("<ul>{}</ul>", format_html_join(
            "", "<li><a href='{}'>{}</a></li>", ((download_url(a, "file"), a.title) for a in attachments)))

    # --- Review ---------------------------------------------------------------------------------

    def _review(self, request, queryset, *, action, form_class, review, title, intro, submit, done_message):
        form = form_class(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            done = 0
            for report in queryset.select_related("grant__application"):
                try:
                    review(report=report, actor=request.user, message=form.cleaned_data["message"])
                    done += 1
                except GrantError as error:
                    self.message_user(request, f"{report}: {error.message}", level=messages.ERROR)
            if done:
                self.message_user(request, done_message % {"count": done})
            return None
        selected = list(queryset.select_related("grant__application"))
        return TemplateResponse(request, "admin/grants/grantreport_review.html", {
            **self.admin_site.each_context(request), "opts": self.opts, "form": form, "title": title,
            "intro": intro, "submit": submit, "action": action, "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "selected": selected,
            "some_not_submitted": any(report.status != ReportStatus.SUBMITTED for report in selected),
        })

    @admin.action(description=_("Approve the reports"))
    def approve(self, request, queryset):
        return self._review(
            request, queryset, action="approve", form_class=ApproveReportForm, review=reports.report_approve,
            title=_("Approve reports"), submit=_("Approve"),
            done_message=_("%(count)d report(s) approved."),
            intro=_("Approving a report meets the condition of the tranche that waits for it: that tranche can "
                    "then be paid. The team is told by email."))

    @admin.action(description=_("Ask for changes (with a message)"))
    def request_changes(self, request, queryset):
        return self._review(
            request, queryset, action="request_changes", form_class=RequestChangesForm,
            review=reports.report_request_changes, title=_("Ask for changes to reports"),
            submit=_("Send the request"), done_message=_("%(count)d report(s) sent back for changes."),
            intro=_("The report opens again for the team, with your message; they submit it again once changed."))
