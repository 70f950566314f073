"""The grantee's page of a grant: the grant, its tranches, the agreement (download, then the signed copy),
the bank details and the yearly reports, the amendments. Only the initiative's team and staff reach it
(`grant_for_team`: anyone else gets a 404). A fixed number of queries whatever the number of tranches,
reports or amendments."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from joinforces.core.uploads import CheckedFileField

from ..agreements import agreement_sign, report_due_on, tranche_condition_text
from ..models import (
    Amendment,
    BankDetails,
    BankDetailsStatus,
    GrantAgreement,
    GrantReport,
    GrantStatus,
    ReportStatus,
    Tranche,
    TrancheStatus,
)
from ..selectors import grant_for_team
from ..services import GrantError


class AgreementUploadForm(forms.Form):
    file = CheckedFileField(label=gettext_lazy("The signed agreement (PDF)"), kinds=("pdf",))


STATUS_SENTENCES = {
    GrantStatus.AGREEMENT_PENDING: gettext_lazy(
        "Your grant is waiting for the signed agreement: download it, have it signed for the collective, and "
        "send the signed copy below. The first tranche is paid once it is received."),
    GrantStatus.ACTIVE: gettext_lazy("Your grant is active: each tranche is paid once its condition is met."),
    GrantStatus.SUSPENDED: gettext_lazy(
        "The payments of your grant are suspended. The JOIN FORCES team will write to you about it."),
    GrantStatus.COMPLETED: gettext_lazy(
        "Your grant is completed: every tranche is paid and every yearly report approved."),
    GrantStatus.TERMINATED: gettext_lazy("Your grant has been terminated."),
}


def grant_page_context(grant, *, form=None) -> dict:
    """Everything the page shows, in a fixed number of queries."""
    from django.db.models import prefetch_related_objects

    prefetch_related_objects(
        [grant],
        Prefetch("tranches", queryset=Tranche.objects.order_by("number")),
        Prefetch("reports", queryset=GrantReport.objects.order_by("year")),
        Prefetch("amendments", queryset=Amendment.objects.order_by("-created_at", "-pk")),
    )
    agreement = GrantAgreement.objects.filter(grant=grant).first()
    bank_details = {row.status: row for row in BankDetails.objects.filter(
        grant=grant, status__in=[BankDetailsStatus.APPROVED, BankDetailsStatus.PENDING])}
    tranches = [{"tranche": tranche, "condition": tranche_condition_text(tranche),
                 "met": tranche.condition == "none" or tranche.condition_met_at is not None}
                for tranche in grant.tranches.all()]
    reports_by_year = {report.year: report for report in grant.reports.all()}
    reports = [{"year": year, "report": reports_by_year.get(year),
                "due_on": reports_by_year[year].due_on if year in reports_by_year else report_due_on(grant, year)}
               for year in range(1, grant.years + 1)]
    can_sign = (agreement is not None and bool(agreement.document) and agreement.signed_at is None
                and grant.status == GrantStatus.AGREEMENT_PENDING)
    return {
        "grant": grant,
        "application": grant.application,
        "status_sentence": STATUS_SENTENCES.get(grant.status, ""),
        "agreement": agreement,
        "can_sign": can_sign,
        "form": form or (AgreementUploadForm() if can_sign else None),
        "tranches": tranches,
        "reports": reports,
        "approved": ReportStatus.APPROVED,
        "amendments": list(grant.amendments.all()),
        "bank_in_force": bank_details.get(BankDetailsStatus.APPROVED),
        "bank_pending": bank_details.get(BankDetailsStatus.PENDING),
        "paid": TrancheStatus.PAID,
    }


@login_required
def grant_detail(request, pk):
    grant = grant_for_team(request.user, pk)
    return render(request, "grants/grant_detail.html", grant_page_context(grant))


@login_required
@require_POST
def agreement_upload(request, pk):
    """The signed copy of the agreement, sent by the team (or staff): a real PDF, once."""
    grant = grant_for_team(request.user, pk)
    form = AgreementUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("The signed agreement was not received: please correct the error below."))
        return render(request, "grants/grant_detail.html", grant_page_context(grant, form=form))
    try:
        agreement_sign(grant=grant, file=form.cleaned_data["file"], actor=request.user)
    except GrantError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Thank you: the signed agreement is received and your grant is now active."))
    return redirect("grants:grant_detail", pk=grant.pk)
