"""The committee's list of applications, shared by the committee's site and the staff's admin:
columns, filters, search and CSV export, over `selectors.committee_applications` (a fixed number of
queries whatever the number of applications, reviews or members)."""

import csv

from django.contrib import admin
from django.db.models import F, Q
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from eligibility.models import Screening, Verdict
from joinforces.core.models import Territory

from ..models import Outcome
from ..selectors import application_regions, awaiting_screening_review


class VerdictFilter(admin.SimpleListFilter):
    title = _("eligibility verdict")
    parameter_name = "verdict"
    TO_REVIEW = "to_review"

    def lookups(self, request, model_admin):
        return [*Verdict.choices, ("none", _("Not screened")),
                (self.TO_REVIEW, _("Screening to review (not overridden, no outcome yet)"))]

    def queryset(self, request, queryset):
        if self.value() == self.TO_REVIEW:
            return awaiting_screening_review(queryset)
        if self.value() == "none":
            return queryset.filter(screening__isnull=True)
        if self.value() in Verdict.values:
            return queryset.filter(screening__in=Screening.objects.with_final_verdict(self.value()))
        return queryset


class RegionFilter(admin.SimpleListFilter):
    title = _("région")
    parameter_name = "region"

    def lookups(self, request, model_admin):
        return list(Territory.objects.filter(kind=Territory.Kind.REGION).order_by("name").values_list("code", "name"))

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        return queryset.filter(Q(programmes__territories__code=self.value())
                               | Q(programmes__territories__region__code=self.value()))


class ReviewProgressFilter(admin.SimpleListFilter):
    title = _("review progress")
    parameter_name = "progress"

    def lookups(self, request, model_admin):
        return [("unassigned", _("No reviewer yet")), ("none", _("No review submitted")),
                ("partial", _("Some reviews submitted")), ("complete", _("All reviews submitted"))]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "unassigned":
            return queryset.filter(reviews_assigned=0)
        if value == "none":
            return queryset.filter(reviews_assigned__gt=0, reviews_done=0)
        if value == "partial":
            return queryset.filter(reviews_done__gt=0, reviews_done__lt=F("reviews_assigned"))
        if value == "complete":
            return queryset.filter(reviews_assigned__gt=0, reviews_done__gte=F("reviews_assigned"))
        return queryset


def _score(value):
    return "—" if value is None else number_format(value, 1)


class CommitteeListMixin:
    """Columns, filters, search, ordering by average score and CSV export of the committee's list."""

    list_display = ["reference_link", "name", "kind", "theme_list", "region_list", "amount_requested",
                    "verdict", "review_progress", "average_score", "score_spread_display", "status_display"]
    list_display_links = None
    list_filter = [("call", admin.RelatedOnlyFieldListFilter), "status", VerdictFilter, "kind", "themes", RegionFilter,
                   ReviewProgressFilter]
    search_fields = ["reference", "name", "members__name", "members__identifier"]
    search_help_text = _("Reference, name of the collective, member organisation, SIREN or RNA number")
    list_per_page = 50
    ordering = ["reference"]
    sortable_by = ["reference_link", "name", "amount_requested", "average_score", "score_spread_display",
                   "review_progress"]
    change_list_template = "admin/applications/committee_change_list.html"

    @admin.display(description=_("reference"), ordering="reference")
    def reference_link(self, obj):
        page = getattr(self, "reading_page", "change")
        url = reverse(f"{self.admin_site.name}:applications_application_{page}", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.reference or "—")

    @admin.display(description=_("themes"))
    def theme_list(self, obj):
        return ", ".join(str(theme) for theme in obj.themes.all()) or "—"

    @admin.display(description=_("régions"))
    def region_list(self, obj):
        return ", ".join(region.name for region in application_regions(obj)) or "—"

    @admin.display(description=_("eligibility"))
    def verdict(self, obj):
        if obj.screening is None:
            return "—"
        final = obj.screening.final_verdict
        css = {"eligible": "jf-ok", "ineligible": "jf-no"}.get(final, "jf-review")
        return format_html('<span class="jf-badge {}">{}</span>', css, obj.screening.get_final_verdict_display())

    @admin.display(description=_("reviews done / assigned"), ordering="reviews_done")
    def review_progress(self, obj):
        return f"{obj.reviews_done} / {obj.reviews_assigned}"

    @admin.display(description=_("average score"), ordering=F("score_avg").desc(nulls_last=True))
    def average_score(self, obj):
        return _score(obj.score_avg)

    @admin.display(description=_("spread"), ordering="score_spread")
    def score_spread_display(self, obj):
        return _score(obj.score_spread)

    @admin.display(description=_("status"), ordering="status")
    def status_display(self, obj):
        if obj.pending_outcome:
            return format_html('{}<br><small>{}</small>', obj.get_status_display(),
                               gettext("Decision recorded, not published: %(outcome)s")
                               % {"outcome": Outcome(obj.pending_outcome).label})
        return obj.get_status_display()

    # --- CSV export of the filtered list ----------------------------------------------------------

    def csv_rows(self, queryset):
        yield [gettext("Reference"), gettext("Collective"), gettext("Call"), gettext("Kind"), gettext("Themes"),
               gettext("Régions"), gettext("Amount requested (€)"), gettext("Eligibility"), gettext("Reviews done"),
               gettext("Reviews assigned"), gettext("Average score"), gettext("Lowest score"),
               gettext("Highest score"), gettext("Status"), gettext("Decision not published")]
        for obj in queryset:
            yield [
                obj.reference, obj.name, obj.call.title, obj.get_kind_display(),
                ", ".join(str(theme) for theme in obj.themes.all()),
                ", ".join(region.name for region in application_regions(obj)),
                "" if obj.amount_requested is None else number_format(obj.amount_requested, 2),
                obj.screening.get_final_verdict_display() if obj.screening else "",
                obj.reviews_done, obj.reviews_assigned,
                "" if obj.score_avg is None else number_format(obj.score_avg, 2),
                "" if obj.score_min is None else number_format(obj.score_min, 2),
                "" if obj.score_max is None else number_format(obj.score_max, 2),
                obj.get_status_display(),
                Outcome(obj.pending_outcome).label if obj.pending_outcome else "",
            ]

    def export_view(self, request):
        """The filtered, searched and sorted list as CSV (all pages), with the scores."""
        changelist = self.get_changelist_instance(request)
        queryset = changelist.get_queryset(request)

        class Echo:
            def write(self, value):
                return value

        writer = csv.writer(Echo(), delimiter=";")
        response = StreamingHttpResponse(
            ("\ufeff" if index == 0 else "") + writer.writerow([str(cell) for cell in row])
            for index, row in enumerate(self.csv_rows(queryset)))
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Type"] = "text/csv; charset=utf-8"
        response["Content-Disposition"] = f'attachment; filename="candidatures-{stamp}.csv"'
        return response
