"""The annual report: a PDF for the board and the yearly Journée, written by the platform from its own
records for any year, in French or English, as a background job.

Everything in it is bound to the year (nothing "as of today"), so a report asked again later gives the
same figures. Asking twice while the records did not change returns the same job (the key holds a
fingerprint of the records: the latest ledger entry, donation, payment, report review, application
submitted, decision published, session and lesson); any of them changing makes a new report."""

import hashlib

from django import forms
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications.models import Application, Call, Decision
from eligibility.models import Screening, SelfAssessmentTally
from grants.dashboards import Period
from grants.donor_reports import _fingerprint as money_fingerprint
from grants.models import Grant
from grants.selectors import MONEY, ZERO, _sum
from joinforces.core.pdf import render_pdf
from joinforces.core.services import job_progress, job_start
from support.models import Booking

from . import indicators
from .models import Lesson

KIND = "portal.annual_report"
LANGUAGES = [("fr", gettext_lazy("French")), ("en", gettext_lazy("English"))]
STORIES_SHOWN = 30
YEARS_OFFERED = 10


class AnnualReportForm(forms.Form):
    year = forms.TypedChoiceField(label=gettext_lazy("Year"), coerce=int, choices=())
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=LANGUAGES, initial="fr")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # This year and the ones before, without a query: the staff home includes this form.
        this_year = timezone.localdate().year
        self.fields["year"].choices = [(year, str(year)) for year in range(this_year, this_year - YEARS_OFFERED, -1)]


def _fingerprint() -> str:
    """The grants' fingerprint (entries, donations, payments, report reviews) and the rest of what the
    report reads: applications submitted, decisions published, screenings and their overrides, the
    self-assessment's counts, sessions booked, delivered or cancelled, lessons written."""
    screenings = Screening.objects.aggregate(screened=Max("screened_at"), overridden=Max("overridden_at"))
    bookings = Booking.objects.aggregate(last=Max("pk"), delivered=Max("feedback_requested_at"),
                                         cancelled=Max("cancelled_at"))
    parts = [Application.objects.aggregate(last=Max("submitted_at"))["last"],
             Decision.objects.aggregate(last=Max("published_at"))["last"],
             *screenings.values(), SelfAssessmentTally.objects.aggregate(total=Sum("count"))["total"],
             *bookings.values(), Lesson.objects.aggregate(last=Max("updated_at"))["last"]]
    own = "-".join(str(part.timestamp() if hasattr(part, "timestamp") else part or 0) for part in parts)
    return hashlib.sha256(f"{money_fingerprint()}-{own}".encode()).hexdigest()[:24]


def annual_report_start(*, year: int, language: str, owner):
    """Start (once per state of the records) the annual report of `year` in `language`, for `owner`
    (a job is followed by the person who asked for it)."""
    from .tasks import annual_report_task

    language = language if language in dict(LANGUAGES) else "fr"
    with translation.override(language):
        title = _("JOIN FORCES annual report %(year)s") % {"year": year}
    return job_start(kind=KIND, key=f"{KIND}:{owner.pk}:{_fingerprint()}:{language}:{year}", owner=owner, title=title,
                     task=annual_report_task)


def report_context(year: int) -> dict:
    """What the report says about `year`: a fixed number of queries."""
    period = Period(year)
    ind = indicators.indicators(period)
    calls = list(Call.objects.filter(Q(opens_at__year=year) | Q(closes_at__year=year))
                 .annotate(received=Count("applications", filter=Q(applications__submitted_at__isnull=False)))
                 .order_by("opens_at"))
    decisions = dict(Decision.objects.filter(published_at__year=year).values("outcome")
                     .annotate(n=Count("pk")).order_by().values_list("outcome", "n"))
    grants = Grant.objects.filter(created_at__year=year).aggregate(count=Count("pk"), committed=_sum("total_amount"))
    stories = list(
        indicators.approved_reports(period).filter(grant__application__consent_public=True, share_with_donors=True)
        .exclude(summary="").select_related("grant__application").order_by("grant__application__name", "year")
        [:STORIES_SHOWN])
    lessons = list(Lesson.objects.published().filter(year=year))
    money = ind.money
    waiting_at_end = (money.received_to_end or ZERO) - (money.allocated_to_end or ZERO)
    return {"ind": ind, "year": year, "calls": calls, "decisions": decisions,
            "decisions_total": sum(decisions.values()), "grants": grants, "stories": stories,
            "lessons": lessons, "waiting_at_end": waiting_at_end,
            "indicator_totals": _free_indicators(period)}


def _free_indicators(period: Period) -> list:
    """The free indicators of the year's approved reports, added up by label and unit: one query."""
    from grants.models import ReportIndicator

    rows = (ReportIndicator.objects.filter(report__in=indicators.approved_reports(period))
            .values("label", "unit").annotate(total=Sum("value", output_field=MONEY), initiatives=Count(
                "report__grant", distinct=True)).order_by("label", "unit"))
    return list(rows)


def annual_report_build(job):
    """The work of the report job: read the year, lay it out, render it."""
    *_rest, language, year = job.key.split(":")
    job_progress(job, 10, _("Reading the year's records"))
    context = report_context(int(year))
    job_progress(job, 50, _("Laying out the report"))
    content = render_pdf("portal/annual_report_pdf.html", context, title=job.title, language=language)
    job_progress(job, 90, _("Saving the report"))
    return f"joinforces-rapport-annuel-{year}-{language}-{timezone.localdate():%Y%m%d}.pdf", content
