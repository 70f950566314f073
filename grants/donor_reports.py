"""The PDF redistribution report: a donor's (or the whole fund's) dashboard for a period, on paper for
a board. Rendered by WeasyPrint in a background job; asking twice for the same report while nothing
changed in the money returns the same job, so it is rendered once."""

from django.db.models import Max
from django.utils.translation import gettext as _

from joinforces.core.pdf import render_pdf
from joinforces.core.services import job_progress, job_start

from . import dashboards
from .models import Allocation, Donation, Donor, GrantReport, Tranche

KIND = "grants.redistribution_report"


def _fingerprint() -> str:
    """What the report is made of, in a few characters: the latest entry, donation, payment and
    report review. A new one of any of them makes a new report; otherwise the last one is reused."""
    parts = [Allocation.objects.aggregate(last=Max("pk"))["last"], Donation.objects.aggregate(last=Max("pk"))["last"],
             Tranche.objects.aggregate(last=Max("paid_at"))["last"],
             GrantReport.objects.aggregate(last=Max("reviewed_at"))["last"]]
    return "-".join(str(part.timestamp() if hasattr(part, "timestamp") else part or 0) for part in parts)


def redistribution_report_start(*, donor: Donor | None, period: dashboards.Period, owner):
    """Start (once) the report of `donor` (None: the fund) for `period`, in the owner's language."""
    from .tasks import redistribution_report_task

    language = getattr(owner, "language", "") or "fr"
    scope = str(donor.pk) if donor else "fonds"
    name = donor.name if donor else _("the JOIN FORCES fund")
    return job_start(
        kind=KIND,
        key=f"{KIND}:{owner.pk}:{_fingerprint()}:{language}:{period.key}:{scope}",
        owner=owner,
        title=_("Redistribution report of %(name)s, %(period)s") % {"name": name, "period": period.label},
        task=redistribution_report_task,
    )


def redistribution_report_build(job):
    """The work of the report job: read the dashboard, lay it out, render it."""
    *_rest, language, period_key, scope = job.key.split(":")
    donor = None if scope == "fonds" else Donor.objects.get(pk=int(scope))
    period = dashboards.Period.parse(period_key)
    job_progress(job, 10, _("Reading the figures"))
    board = dashboards.dashboard(donor=donor, period=period, page=1)
    initiatives = list(board.initiatives.object_list)
    for number in board.initiatives.paginator.page_range[1:]:  # a report is not paginated
        initiatives.extend(dashboards.initiatives(donor=donor, period=period, page=number).object_list)
    job_progress(job, 40, _("Laying out the report"))
    content = render_pdf("grants/redistribution_report_pdf.html",
                         {"board": board, "donor": donor, "initiatives": initiatives},
                         title=job.title, language=language)
    job_progress(job, 90, _("Saving the report"))
    return f"rapport-redistribution-{scope}-{period.key}.pdf", content

