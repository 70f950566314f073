import json

from django import forms
from django.contrib import admin, messages
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from . import selectors, services
from .models import Criterion, Result, Screening, SelfAssessmentTally, Verdict


class ExcludedCriterionFilter(admin.SimpleListFilter):
    title = _("excluded by")
    parameter_name = "excluded_by"

    def lookups(self, request, model_admin):
        return Criterion.choices

    def queryset(self, request, queryset):
        if self.value() in Criterion.values:
            return queryset.excluded_by(self.value()).distinct()
        return queryset


class FinalVerdictFilter(admin.SimpleListFilter):
    title = _("final verdict")
    parameter_name = "final_verdict"

    def lookups(self, request, model_admin):
        return Verdict.choices

    def queryset(self, request, queryset):
        if self.value() in Verdict.values:
            return queryset.with_final_verdict(self.value())
        return queryset


class OverriddenFilter(admin.SimpleListFilter):
    title = _("overridden")
    parameter_name = "overridden"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(override_verdict="")
        if self.value() == "no":
            return queryset.filter(override_verdict="")
        return queryset


class OverrideForm(forms.ModelForm):
    """Only the override is editable; saving it goes through `screening_override` (audited)."""

    class Meta:
        model = Screening
        fields = ["override_verdict", "override_reason"]
        widgets = {"override_reason": forms.Textarea(attrs={"rows": 3})}

    def clean(self):
        cleaned = super().clean()
        verdict, reason = cleaned.get("override_verdict"), (cleaned.get("override_reason") or "").strip()
        if verdict and not reason:
            self.add_error("override_reason", _("Write why you override the verdict."))
        if reason and not verdict:
            self.add_error("override_verdict", _("Choose the verdict that replaces the computed one."))
        return cleaned


@admin.register(Screening)
class ScreeningAdmin(admin.ModelAdmin):
    form = OverrideForm
    list_display = ["name", "verdict_badge", "final_verdict_badge", "ruleset", "screened_at"]
    list_filter = [FinalVerdictFilter, "verdict", ExcludedCriterionFilter, OverriddenFilter, "ruleset"]
    search_fields = ["name"]
    date_hierarchy = "screened_at"
    list_per_page = 50
    readonly_fields = ["name", "verdict_badge", "final_verdict_badge", "ruleset", "screened_at", "screened_by",
                       "findings_table", "overridden_by", "overridden_at", "case_display"]
    fieldsets = [
        (None, {"fields": ["name", "verdict_badge", "final_verdict_badge", "ruleset", "screened_at", "screened_by"]}),
        (_("Findings"), {"fields": ["findings_table"]}),
        (_("Override the verdict"), {
            "fields": ["override_verdict", "override_reason", "overridden_by", "overridden_at"],
            "description": _("A person may replace the computed verdict with a written reason. The original "
                             "verdict and the findings are kept, and the change is recorded in the audit log."),
        }),
        (_("Screened case"), {"fields": ["case_display"], "classes": ["collapse"]}),
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user).select_related("screened_by", "overridden_by")

    @admin.display(description=_("computed verdict"), ordering="verdict")
    def verdict_badge(self, obj):
        return _badge(obj.verdict)

    @admin.display(description=_("final verdict"))
    def final_verdict_badge(self, obj):
        badge = _badge(obj.final_verdict)
        return format_html("{} <small>({})</small>", badge, _("overridden")) if obj.is_overridden else badge

    @admin.display(description=_("findings"))
    def findings_table(self, obj):
        rows = [
            {"finding": finding, "answers": selectors.finding_answers(obj, finding)}
            for finding in obj.findings.all()
        ]
        return render_to_string("admin/eligibility/findings_table.html", {"rows": rows})

    @admin.display(description=_("case"))
    def case_display(self, obj):
        return format_html("<pre class='eligibility-case'>{}</pre>", json.dumps(obj.case, indent=2, ensure_ascii=False))

    def save_model(self, request, obj, form, change):
        if not {"override_verdict", "override_reason"} & set(form.changed_data):
            return
        try:
            services.screening_override(screening=obj, verdict=form.cleaned_data["override_verdict"],
                                        reason=form.cleaned_data["override_reason"], actor=request.user)
        except services.EligibilityError as error:
            messages.error(request, str(error))


_BADGE_CLASSES = {Verdict.ELIGIBLE: "jf-ok", Verdict.INELIGIBLE: "jf-no", Verdict.NEEDS_REVIEW: "jf-review",
                  Result.PASS: "jf-ok", Result.EXCLUDE: "jf-no", Result.REVIEW: "jf-review"}


def _badge(value):
    label = Verdict(value).label if value in Verdict.values else Result(value).label
    return format_html('<span class="jf-badge {}">{}</span>', _BADGE_CLASSES.get(value, ""), label)


@admin.register(SelfAssessmentTally)
class SelfAssessmentTallyAdmin(admin.ModelAdmin):
    """The anonymous counts of the public self-assessment, with a chart of the last weeks."""

    list_display = ["week", "criterion_display", "result", "count"]
    list_filter = ["criterion", "result", "week"]
    change_list_template = "admin/eligibility/selfassessmenttally/change_list.html"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("criterion"), ordering="criterion")
    def criterion_display(self, obj):
        if obj.criterion == SelfAssessmentTally.VERDICT:
            return _("Overall verdict")
        return Criterion(obj.criterion).label if obj.criterion in Criterion.values else obj.criterion

    def changelist_view(self, request, extra_context=None):
        weeks = selectors.self_assessment_weeks(weeks=12)
        peak = max((week.total for week in weeks), default=0) or 1
        by_criterion = selectors.self_assessment_by_criterion()
        extra_context = {
            **(extra_context or {}),
            "chart_weeks": [
                {"week": w, "x": index * 60, "bars": [
                    {"code": code, "value": value, "x": position * 16, "height": round(100 * value / peak),
                     "y": 110 - round(100 * value / peak)}
                    for position, (code, value) in enumerate(
                        [("eligible", w.eligible), ("needs_review", w.needs_review), ("ineligible", w.ineligible)]
                    )
                ]} for index, w in enumerate(weeks)
            ],
            "chart_total": sum(w.total for w in weeks),
            "criteria_rows": [
                {"label": label, "pass": by_criterion.get(code, {}).get("pass", 0),
                 "review": by_criterion.get(code, {}).get("review", 0),
                 "exclude": by_criterion.get(code, {}).get("exclude", 0)}
                for code, label in Criterion.choices
            ],
        }
        return super().changelist_view(request, extra_context=extra_context)
