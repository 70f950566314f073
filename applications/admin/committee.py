"""The selection committee's admin site at /comite/: only what a reviewer needs.

Its list is the committee's list (`lists.CommitteeListMixin`); an application opens on one readable
page (every step, attachments, the screening and its findings) once the reviewer has declared their
interests; the review is scored on a page of its own; the chair records decisions there too.

For an application a reviewer declared a conflict with, every page here answers exactly as for an
application that does not exist (404), and it is absent from the lists, the export and the counts.
"""

from django.contrib import admin, messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from joinforces.accounts.rules import is_committee_member, is_staff_member
from joinforces.core.admin import ReadOnlyAdmin

from .. import services
from ..models import (
    Application,
    CommitteeMembership,
    ConflictDeclaration,
    Decision,
    Outcome,
    Review,
    ReviewAssignment,
    ReviewRound,
    ReviewStatus,
    reviewable_applications,
)
from ..selectors import (
    application_parts,
    budget_by_year,
    call_envelope,
    committee_applications,
    describe_change,
    info_request_changes,
)
from .forms import ConflictForm, DecisionForm, ReviewForm
from .lists import CommitteeListMixin


class CommitteeAdminSite(admin.AdminSite):
    site_header = _("JOIN FORCES — selection committee")
    site_title = _("Selection committee")
    index_title = _("My reviews")
    index_template = "admin/applications/committee_index.html"
    enable_nav_sidebar = False

    def has_permission(self, request):
        return request.user.is_active and is_committee_member(request.user)

    def index(self, request, extra_context=None):
        from ..selectors import round_progress

        user = request.user
        rounds = []
        for review_round in ReviewRound.objects.visible_to(user).select_related("call").order_by("deadline"):
            mine = [row for row in round_progress(review_round) if row.reviewer.pk == user.pk]
            rounds.append({"round": review_round, "mine": mine[0] if mine else None,
                           "chair": CommitteeMembership.objects.filter(call=review_round.call, user=user,
                                                                       is_chair=True).exists()})
        return super().index(request, {"rounds": rounds, **(extra_context or {})})


committee_site = CommitteeAdminSite(name="committee")


class CommitteeReadOnlyAdmin(ReadOnlyAdmin):
    """A committee member reads here; every write goes through the committee's own pages."""

    def has_module_permission(self, request):
        return is_committee_member(request.user)

    def has_view_permission(self, request, obj=None):
        return is_committee_member(request.user)


def access_review_application(user, pk) -> Application:
    """The application `pk` with all its parts if `user` may read it (staff; a reviewer who declared
    no conflict), else 404 — for a conflicted reviewer exactly as for an application that does not
    exist."""
    return get_object_or_404(application_parts().visible_to(user).exclude(status="draft"), pk=pk)


def access_declarable_application(user, pk) -> Application:
    """An application `user` reviews and has not declared a conflict with (declared or not yet)."""
    return get_object_or_404(
        Application.objects.filter(pk__in=reviewable_applications(user)).select_related("call"), pk=pk)


def latest_assignment(application, user):
    return (ReviewAssignment.objects.visible_to(user).filter(application=application, reviewer=user)
            .select_related("round").order_by("-round__opened_at").first())


def _is_chair(user, application) -> bool:
    return CommitteeMembership.objects.filter(call=application.call_id, user=user, is_chair=True).exists()


def can_decide(user, application) -> bool:
    return is_staff_member(user) or _is_chair(user, application)


class ApplicationPagesMixin:
    """The readable page of an application, the declaration of interests, the review and the decision:
    shared by the committee's site and the staff's admin."""

    reading_page = "change"  # the URL name of the readable page (the staff's admin keeps "change" for its own)

    def review_page_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/interets/", wrap(self.declare_view), name=f"{prefix}_declare"),
            path("<int:pk>/avis/", wrap(self.review_view), name=f"{prefix}_review"),
            path("<int:pk>/decision/", wrap(self.decision_view), name=f"{prefix}_decision"),
            path("export.csv", wrap(self.export_view), name=f"{prefix}_export"),
        ]

    def _url(self, name, pk=None):
        return reverse(f"{self.admin_site.name}:applications_application_{name}",
                       args=[pk] if pk is not None else [])

    def _context(self, request, title, **extra):
        return {**self.admin_site.each_context(request), "opts": self.opts, "title": title, **extra}

    def application_page(self, request, pk):
        user = request.user
        try:
            application = access_review_application(user, pk)
        except Http404:
            if not is_staff_member(user) and Application.objects.filter(
                    pk=pk, pk__in=reviewable_applications(user)).exists():
                return redirect(self._url("declare", pk))
            raise
        # Readable means staff, or a reviewer who declared no conflict: the aggregates are theirs to see.
        aggregates = committee_applications(user).get(pk=application.pk)
        from eligibility.selectors import finding_answers

        findings = []
        if application.screening is not None:
            findings = [{"finding": finding, "answers": finding_answers(application.screening, finding)}
                        for finding in application.screening.findings.all()]
        years, budget_total = budget_by_year(application)
        assignment = latest_assignment(application, user)
        my_review = Review.objects.filter(assignment=assignment).first() if assignment else None
        reviews = (Review.objects.visible_to(user).filter(assignment__application=application)
                   .exclude(pk=getattr(my_review, "pk", None))
                   .select_related("assignment__reviewer").order_by("submitted_at"))
        info_requests = [(item, [describe_change(event) for event in info_request_changes(item)])
                         for item in application.info_requests.all()]
        return TemplateResponse(request, "admin/applications/application_review_page.html", self._context(
            request, str(application),
            application=application, aggregates=aggregates, findings=findings, budget_years=years,
            budget_total=budget_total, assignment=assignment, my_review=my_review, reviews=reviews,
            declaration=ConflictDeclaration.objects.filter(application=application, reviewer=user).first(),
            decisions=Decision.objects.visible_to(user).filter(application=application).order_by("-decided_at"),
            can_decide=can_decide(user, application), info_requests=info_requests,
            envelope=call_envelope(application.call),
            review_url=self._url("review", application.pk), decision_url=self._url("decision", application.pk),
            declare_url=self._url("declare", application.pk),
        ))

    def declare_view(self, request, pk):
        user = request.user
        application = access_declarable_application(user, pk)
        declaration = ConflictDeclaration.objects.filter(application=application, reviewer=user).first()
        members = application.members.order_by("position", "id")
        form = ConflictForm(request.POST or None, members=members, only_conflict=declaration is not None)
        if request.method == "POST" and form.is_valid():
            try:
                services.conflict_declare(application=application, reviewer=user,
                                          has_conflict=form.cleaned_data["has_conflict"],
                                          organisations=form.cleaned_data["organisations"],
                                          details=form.cleaned_data["details"])
            except services.ApplicationError as error:
                form.add_error(None, error.message)
            else:
                if form.cleaned_data["has_conflict"]:
                    messages.success(request, gettext(
                        "Your conflict of interest is recorded: this application is withdrawn from your list."))
                    return redirect(self._url("changelist"))
                messages.success(request, gettext("Thank you. You can now read the application."))
                return redirect(self._url(self.reading_page, pk))
        return TemplateResponse(request, "admin/applications/declare.html", self._context(
            request, gettext("Declaration of interests — %(application)s") % {"application": application},
            application=application, members=members, form=form, declaration=declaration,
            back_url=self._url(self.reading_page, pk) if declaration else self._url("changelist")))

    def review_view(self, request, pk):
        user = request.user
        application = access_review_application(user, pk)
        assignment = latest_assignment(application, user)
        if assignment is None:
            raise Http404
        review = Review.objects.filter(assignment=assignment).first()
        initial = {name: getattr(review, name) for name in services.REVIEW_FIELDS} if review else {}
        form = ReviewForm(request.POST or None, initial=initial)
        editable = review is None or review.status == ReviewStatus.DRAFT
        if request.method == "POST" and editable and form.is_valid():
            try:
                review = review or services.review_start(assignment=assignment, actor=user)
                services.review_save(review=review, actor=user, **form.cleaned_data)
                if "_submit" in request.POST:
                    services.review_submit(review=review, actor=user)
            except services.ApplicationError as error:
                form.add_error(None, error.message)
            else:
                if "_submit" in request.POST:
                    messages.success(request, gettext("Your review is submitted. Thank you."))
                    return redirect(self._url("changelist"))
                messages.success(request, gettext("Your draft review is saved."))
                return redirect(self._url("review", pk))
        return TemplateResponse(request, "admin/applications/review_form.html", self._context(
            request, gettext("My review — %(application)s") % {"application": application},
            application=application, form=form, review=review, editable=editable,
            page_url=self._url(self.reading_page, pk)))

    def decision_view(self, request, pk):
        user = request.user
        application = access_review_application(user, pk)
        if not can_decide(user, application):
            raise Http404
        review_round = application.review_rounds.order_by("-opened_at").first()
        pending = application.decisions.pending().first()
        initial = {"excluded_criteria": services.excluded_criteria_of(application)}
        if pending is not None:
            initial = {name: getattr(pending, name) for name in
                       ("outcome", "amount_per_year", "years", "excluded_criteria", "reasons", "rationale")}
        form = DecisionForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            if review_round is None:
                form.add_error(None, gettext("This application is in no review round."))
            else:
                data = form.cleaned_data
                try:
                    services.decision_record(
                        application=application, review_round=review_round, outcome=data["outcome"], actor=user,
                        amount_per_year=data["amount_per_year"], years=data["years"],
                        excluded_criteria=data["excluded_criteria"], reasons=data["reasons"],
                        rationale=data["rationale"])
                except services.ApplicationError as error:
                    form.add_error(None, error.message)
                else:
                    envelope = call_envelope(application.call)
                    messages.success(request, gettext(
                        "The decision is recorded. It will reach the team when the round's decisions are published."))
                    if envelope.exceeded:
                        messages.warning(request, gettext("The selections now exceed the call's envelope."))
                    return redirect(self._url(self.reading_page, pk))
        return TemplateResponse(request, "admin/applications/decision_form.html", self._context(
            request, gettext("Decision — %(application)s") % {"application": application},
            application=application, form=form, pending=pending, review_round=review_round,
            envelope=call_envelope(application.call), outcomes=Outcome,
            aggregates=committee_applications(user).get(pk=application.pk), page_url=self._url(self.reading_page, pk)))


@admin.register(Application, site=committee_site)
class CommitteeApplicationAdmin(ApplicationPagesMixin, CommitteeListMixin, CommitteeReadOnlyAdmin):
    list_display = ["my_part", *CommitteeListMixin.list_display]

    def get_queryset(self, request):
        return committee_applications(request.user)

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [*self.review_page_urls(),
                path("<int:pk>/change/", self.admin_site.admin_view(self.application_page),
                     name=f"{prefix}_change"),
                path("", self.admin_site.admin_view(self.changelist_view), name=f"{prefix}_changelist")]

    @admin.display(description=_("my part"))
    def my_part(self, obj):
        if not obj.cleared:
            return format_html('<a class="jf-badge jf-review" href="{}">{}</a>', self._url("declare", obj.pk),
                               gettext("Declare my interests"))
        return format_html('<a href="{}">{}</a>', self._url("review", obj.pk), gettext("My review"))


@admin.register(Review, site=committee_site)
class CommitteeReviewAdmin(CommitteeReadOnlyAdmin):
    """The reviewer's own reviews, each opening on its review page."""

    list_display = ["application_link", "application_name", "status", "mean_display", "recommendation",
                    "updated_at", "submitted_at"]
    list_display_links = None
    list_filter = ["status", "recommendation"]
    list_per_page = 50

    def get_queryset(self, request):
        return (Review.objects.visible_to(request.user).filter(assignment__reviewer=request.user)
                .select_related("assignment__application"))

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [path("", self.admin_site.admin_view(self.changelist_view), name=f"{prefix}_changelist")]

    @admin.display(description=_("application"), ordering="assignment__application__reference")
    def application_link(self, obj):
        url = reverse(f"{self.admin_site.name}:applications_application_review", args=[obj.assignment.application_id])
        return format_html('<a href="{}">{}</a>', url, obj.assignment.application.reference)

    @admin.display(description=_("collective"))
    def application_name(self, obj):
        return obj.assignment.application.name

    @admin.display(description=_("mean of the scores"))
    def mean_display(self, obj):
        return "—" if obj.mean is None else f"{obj.mean:.1f}"
