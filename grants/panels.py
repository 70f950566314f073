"""The donor's panel of "my space": for each donor the person is a contact of, its figures, its latest
donations (with their tax receipts) and its pledges. A fixed number of queries per donor, whatever the
number of donations (themes are prefetched, the content type of the receipt link is cached).

Importing this module registers the panel (grants/apps.py imports it in `ready()`)."""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from joinforces.core.models import Theme
from joinforces.core.panels import Panel, register_panel

from .models import Donation, DonorContact, Pledge
from .selectors import donor_figures

PANEL_LIMIT = 10


def donor_panel_context(request):
    """None for anyone who is not a donor's contact."""
    user = request.user
    if not user.is_authenticated:
        return None
    contacts = list(DonorContact.objects.filter(user=user).select_related("donor").order_by("donor__name"))
    if not contacts:
        return None
    themes = Prefetch("themes", queryset=Theme.objects.order_by("position", "code"))
    donors = []
    for contact in contacts:
        donor = contact.donor
        donations = list(Donation.objects.filter(donor=donor).prefetch_related(themes)
                         .order_by("-received_on", "-pk")[: PANEL_LIMIT + 1])
        pledges = list(Pledge.objects.filter(donor=donor).prefetch_related(themes)
                       .order_by("-pledged_on", "-pk")[: PANEL_LIMIT + 1])
        donors.append({
            "donor": donor,
            "figures": donor_figures(donor),
            "donations": donations[:PANEL_LIMIT],
            "more_donations": len(donations) > PANEL_LIMIT,
            "pledges": pledges[:PANEL_LIMIT],
            "more_pledges": len(pledges) > PANEL_LIMIT,
        })
    return {"donors": donors}


register_panel(Panel(key="donor", title=_("My donations"), template="grants/panel.html",
                     context=donor_panel_context, order=20))


# --- The grantee's panel ----------------------------------------------------------------------------

GRANTEE_PANEL_LIMIT = 5


def _next_report(grant):
    """The earliest year whose report is not approved, with its due date (the anniversary of the start
    when no report of that year exists yet); None when every report is approved."""
    from .agreements import report_due_on
    from .models import ReportStatus

    reports = {report.year: report for report in grant.reports.all()}
    for year in range(1, grant.years + 1):
        report = reports.get(year)
        if report is None:
            return {"year": year, "due_on": report_due_on(grant, year), "report": None}
        if report.status != ReportStatus.APPROVED:
            return {"year": year, "due_on": report.due_on, "report": report}
    return None


def grantee_panel_context(request):
    """The grants of the person's teams (the five latest): total, status, next tranche, next report due
    and the agreement; None for anyone in no grant's team. Three queries whatever the number of grants,
    tranches or reports."""
    from applications.models import TeamMember

    from .models import Grant, GrantReport, Tranche, TrancheStatus

    user = request.user
    if not user.is_authenticated:
        return None
    grants = list(
        Grant.objects.filter(application__in=TeamMember.objects.filter(user=user).values("application_id"))
        .select_related("application", "agreement")
        .prefetch_related(Prefetch("tranches", queryset=Tranche.objects.order_by("number")),
                          Prefetch("reports", queryset=GrantReport.objects.order_by("year")))
        .order_by("-start_date", "-pk")[: GRANTEE_PANEL_LIMIT + 1])
    if not grants:
        return None
    entries = []
    for grant in grants[:GRANTEE_PANEL_LIMIT]:
        try:
            agreement = grant.agreement
        except Grant.agreement.RelatedObjectDoesNotExist:
            agreement = None
        tranches = list(grant.tranches.all())
        entries.append({
            "grant": grant,
            "next_tranche": next((t for t in tranches if t.status == TrancheStatus.PLANNED), None),
            "paid_count": sum(1 for t in tranches if t.status == TrancheStatus.PAID),
            "tranche_count": len(tranches),
            "next_report": _next_report(grant),
            "agreement": agreement,
        })
    return {"grants": entries, "more": len(grants) > GRANTEE_PANEL_LIMIT}


register_panel(Panel(key="grantee", title=_("My grants"), template="grants/grantee_panel.html",
                     context=grantee_panel_context, order=15))
