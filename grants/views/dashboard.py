"""The donor dashboard: where a donor's money went, for a period, with its downloads (the PDF
redistribution report as a background job, the CSV of attributions, 360Giving JSON, tax receipts).

A donor is reached only through `Donor.objects.visible_to(user)`: its contact persons (a donor with
several contacts shares one dashboard) and staff; anyone else gets a 404. The fund's own report and
CSV, for staff, are here too, beside the staff overview in the admin."""

import csv

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from joinforces.accounts.decorators import staff_required

from .. import dashboards, donor_reports
from ..models import Donor

DONATIONS_SHOWN = 50


def _donor(request, pk) -> Donor:
    return get_object_or_404(Donor.objects.visible_to(request.user), pk=pk)


@login_required
def donor_home(request):
    """The person's donor dashboard; a list to choose from when they follow several donors."""
    donors = list(Donor.objects.visible_to(request.user).order_by("name")[:201])
    if not donors:
        raise Http404
    if len(donors) == 1:
        return donor_dashboard(request, donors[0].pk)
    return render(request, "grants/dashboard_choose.html", {"donors": donors[:200], "more": len(donors) > 200})


@login_required
def donor_dashboard(request, pk):
    donor = _donor(request, pk)
    period = dashboards.Period.parse(request.GET.get("periode"))
    board = dashboards.dashboard(donor=donor, period=period, page=request.GET.get("page"))
    donations = dashboards.donations(donor=donor, period=period, limit=DONATIONS_SHOWN + 1)
    return render(request, "grants/dashboard.html", {
        "board": board, "donor": donor, "donations": donations[:DONATIONS_SHOWN],
        "more_donations": len(donations) > DONATIONS_SHOWN,
    })


def _start_report(request, donor):
    period = dashboards.Period.parse(request.POST.get("periode"))
    job = donor_reports.redistribution_report_start(donor=donor, period=period, owner=request.user)
    return redirect("core:job_status", job.pk)


@login_required
@require_POST
def donor_report(request, pk):
    """Start (once) the PDF redistribution report of the period; the job's page follows it."""
    return _start_report(request, _donor(request, pk))


@staff_required
@require_POST
def fund_report(request):
    return _start_report(request, None)


def _attributions_csv(donor, period, name):
    """Each attribution of the period: which donation funded which initiative's entry, and how much."""
    parts = dashboards.attributions(donor=donor, period=period)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{name}-{period.key}-{timezone.localdate():%Y-%m-%d}.csv"')
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow([_("Recorded on"), _("Donor"), _("Donation received on"), _("Initiative reference"),
                     _("Initiative"), _("Entry"), _("Tranche"), _("Tranche paid on"), _("Amount (€)")])
    for part in parts.iterator(chunk_size=2000):
        entry, tranche = part.allocation, part.allocation.tranche
        writer.writerow([
            timezone.localtime(entry.created_at).date().isoformat(), part.donation.donor.name,
            part.donation.received_on.isoformat(), entry.grant.application.reference, entry.grant.application.name,
            entry.get_kind_display(), tranche.number if tranche else "",
            timezone.localtime(tranche.paid_at).date().isoformat() if tranche and tranche.paid_at else "",
            f"{part.amount:.2f}",
        ])
    return response


@login_required
def donor_attributions_csv(request, pk):
    donor = _donor(request, pk)
    return _attributions_csv(donor, dashboards.Period.parse(request.GET.get("periode")), "attributions")


@staff_required
def fund_attributions_csv(request):
    return _attributions_csv(None, dashboards.Period.parse(request.GET.get("periode")), "joinforces-attributions")

