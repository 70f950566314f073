"""Learning from the portfolio: the staff's indicators page and its CSV, the annual report (a
background job started from a form), and the public page of what we learned each year.

Staff pages use `staff_required` (log in, staff role, MFA). The public pages read only what
`joinforces.portal.learned` lets out: figures that are neither personal nor confidential, and the
lessons staff published."""

import csv

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from joinforces.accounts.decorators import staff_required

from .. import annual_report, indicators, learned
from ..annual_report import AnnualReportForm


def _period(request):
    return indicators.parse_year(request.GET.get("annee"), default=timezone.localdate().year)


@staff_required
def indicators_page(request):
    period = _period(request)
    return render(request, "portal/indicators.html", {
        "ind": indicators.indicators(period), "years": indicators.years(),
        "report_form": AnnualReportForm(initial={"year": period.year or timezone.localdate().year}),
    })


@staff_required
def indicators_csv(request):
    """Every figure of the page, one a line (section; item; value; unit), for a spreadsheet."""
    period = _period(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="joinforces-indicateurs-{period.key}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow([_("Section"), _("Item"), _("Value"), _("Unit")])
    for row in indicators.csv_rows(indicators.indicators(period)):
        writer.writerow([str(cell) for cell in row])
    return response


@staff_required
@require_POST
def annual_report_start(request):
    """Start (once per state of the records) the annual report of a year; the job's page follows it."""
    form = AnnualReportForm(request.POST)
    if not form.is_valid():
        return render(request, "portal/indicators.html", {
            "ind": indicators.indicators(_period(request)), "years": indicators.years(), "report_form": form,
        }, status=400)
    job = annual_report.annual_report_start(year=form.cleaned_data["year"], language=form.cleaned_data["language"],
                                            owner=request.user)
    return redirect("core:job_status", job.pk)


def learned_index(request):
    return render(request, "portal/learned_index.html", {"years": learned.public_years()})


def learned_year(request, year):
    if year not in learned.public_years():
        raise Http404
    return render(request, "portal/learned_year.html", learned.public_year(year))
