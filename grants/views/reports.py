"""The grantee's yearly report: one page to write it (saved as a draft), attach documents and submit
it; read-only once submitted. Loaded through `grant_for_team`: anyone outside the initiative's team
(and staff) gets a 404. A page in a fixed number of queries, whatever the number of lines."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from joinforces.core.models import Territory

from .. import reports
from ..models import GrantReport, ReportAttachment, ReportStatus
from ..report_forms import (
    IndicatorFormSet,
    ReadOnlyIndicatorFormSet,
    ReportAttachmentForm,
    ReportForm,
    SpendingForm,
)
from ..selectors import grant_for_team
from ..services import GrantError


def _access(request, pk, year):
    grant = grant_for_team(request.user, pk)
    if not 1 <= year <= grant.years:
        raise Http404
    report = (GrantReport.objects.filter(grant=grant, year=year)
              .prefetch_related("territories_covered", "spending", "indicators",
                                Prefetch("attachments", queryset=ReportAttachment.objects.order_by("uploaded_at")))
              .first())
    return grant, report


def _editable(grant, report) -> bool:
    return grant.status in reports.OPEN_GRANT and (report is None or report.status in reports.EDITABLE)


def _forms(request, grant, report, editable, *, bound):
    """The report's three forms: its answers, its spending and its free indicators (bound to the POST
    when `bound`, else filled with what is saved)."""
    data = request.POST if bound else None
    territories = list(Territory.objects.only("code", "name", "kind", "region_id"))
    initial = {}
    if report is not None:
        initial = {name: getattr(report, name) for name in ("narrative", "summary", "share_with_donors",
                                                              "organisations_involved", "people_reached",
                                                              "staff_shared", "governance_meetings")}
        initial["territories"] = [t.code for t in report.territories_covered.all()]
    form = ReportForm(data, initial=initial, territories=territories)
    spent = {line.category: line for line in report.spending.all()} if report is not None else {}
    spending_initial = {}
    for code, line in spent.items():
        spending_initial[f"spent_{code}"] = line.amount
        spending_initial[f"comment_{code}"] = line.comment
    from applications.models import BudgetCategory

    spending = SpendingForm(data, initial=spending_initial, categories=BudgetCategory.choices, prefix="spending")
    indicators_initial = ([{"label": i.label, "value": i.value, "unit": i.unit} for i in report.indicators.all()]
                          if report is not None else [])
    formset_class = IndicatorFormSet if editable else ReadOnlyIndicatorFormSet
    indicators = formset_class(data, initial=indicators_initial, prefix="indicators")
    return form, spending, indicators


def _render(request, grant, year, report, *, form=None, spending=None, indicators=None, attachment_form=None,
            status=200):
    editable = _editable(grant, report)
    if form is None:
        form, spending, indicators = _forms(request, grant, report, editable, bound=False)
    budget = reports.year_budget(grant, year)
    rows = reports.spending_rows(budget=budget, spending=report.spending.all() if report is not None else [])
    by_code = {row.category: row for row in rows}
    lines = [(by_code[code], amount, comment) for code, _label, amount, comment in spending.rows()]
    due_on = report.due_on if report is not None else reports.report_due_on(grant, year)
    return render(request, "grants/report_edit.html", {
        "grant": grant, "application": grant.application, "year": year, "report": report, "editable": editable,
        "grant_open": grant.status in reports.OPEN_GRANT, "due_on": due_on,
        "overdue": editable and due_on < timezone.localdate(),
        "form": form, "spending": spending, "spending_lines": lines, "indicators": indicators,
        "totals": reports.spending_totals(rows), "threshold": int(reports.DIFFERENCE_THRESHOLD * 100),
        "attachment_form": attachment_form or ReportAttachmentForm(),
        "attachments": list(report.attachments.all()) if report is not None else [],
        "missing": reports.report_missing(report) if report is not None and editable else [],
        "changes_requested": report is not None and report.status == ReportStatus.CHANGES_REQUESTED,
    }, status=status)


def _save(request, grant, year, report):
    """Validate the three forms and save them through the services, all or nothing. Returns the forms
    (with their errors) when nothing was saved, else None."""
    form, spending, indicators = _forms(request, grant, report, True, bound=True)
    if form.is_valid() & spending.is_valid() & indicators.is_valid():
        try:
            with transaction.atomic():
                report = reports.report_start(grant=grant, year=year, actor=request.user)
                reports.report_save(report=report, actor=request.user, territories=form.cleaned_data["territories"],
                                    **form.report_fields())
                reports.report_spending_set(report=report, actor=request.user, lines=spending.lines())
                reports.report_indicators_set(report=report, actor=request.user, indicators=indicators.rows())
        except GrantError as error:
            form.add_error(None, error.message)
        else:
            return None
    return form, spending, indicators


def _back(grant, year):
    return redirect("grants:report_edit", pk=grant.pk, year=year)


@login_required
def report_edit(request, pk, year):
    grant, report = _access(request, pk, year)
    if request.method != "POST":
        return _render(request, grant, year, report)
    if not _editable(grant, report):
        messages.error(request, _("This report can no longer be changed."))
        return _back(grant, year)
    if "remove" in request.POST:
        remove = request.POST["remove"]
        attachment = get_object_or_404(ReportAttachment, pk=int(remove) if remove.isdigit() else 0, report=report)
        try:
            reports.report_attachment_remove(attachment=attachment, actor=request.user)
        except GrantError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The document is removed."))
        return _back(grant, year)
    if "attach" in request.POST:
        attachment_form = ReportAttachmentForm(request.POST, request.FILES)
        if attachment_form.is_valid():
            try:
                with transaction.atomic():
                    report = reports.report_start(grant=grant, year=year, actor=request.user)
                    reports.report_attachment_add(report=report, actor=request.user,
                                                  file=attachment_form.cleaned_data["file"],
                                                  title=attachment_form.cleaned_data["title"])
            except GrantError as error:
                attachment_form.add_error(None, error.message)
            else:
                messages.success(request, _("The document is attached."))
                return _back(grant, year)
        return _render(request, grant, year, report, attachment_form=attachment_form)
    failed = _save(request, grant, year, report)
    if failed is not None:
        form, spending, indicators = failed
        return _render(request, grant, year, report, form=form, spending=spending, indicators=indicators)
    messages.success(request, _("Your report is saved. You can come back to it until you submit it."))
    return _back(grant, year)


@login_required
@require_POST
def report_submit(request, pk, year):
    """Submit the report: what the page's form holds is saved first (all or nothing), then the report
    is submitted if complete; if not, it stays a draft and the page says what is missing."""
    grant, report = _access(request, pk, year)
    if not _editable(grant, report):
        messages.error(request, _("This report can no longer be changed."))
        return _back(grant, year)
    if "narrative" in request.POST:
        failed = _save(request, grant, year, report)
        if failed is not None:
            form, spending, indicators = failed
            return _render(request, grant, year, report, form=form, spending=spending, indicators=indicators)
    try:
        with transaction.atomic():
            report = reports.report_start(grant=grant, year=year, actor=request.user)
            reports.report_submit(report=report, actor=request.user)
    except GrantError as error:
        messages.error(request, error.message)
        return _back(grant, year)
    messages.success(request, _("Your report is submitted. Thank you: the JOIN FORCES team will read it and "
                                "write to you."))
    return _back(grant, year)
