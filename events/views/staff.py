"""The staff's pages of the day (under /equipe/, so MFA applies): the check-in list with its search
(htmx), the page a QR code opens, the badges PDF (a background job) and the CSV exports."""

import csv

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from joinforces.accounts.decorators import staff_required

from .. import selectors, services
from ..models import Event, Registration
from ..services import EventError

PAGE_SIZE = 50
EXPORTS = {"inscrits": selectors.registrants_rows, "sessions": selectors.sessions_rows,
           "pointages": selectors.checkins_rows}


def _event(request, slug) -> Event:
    return get_object_or_404(Event.objects.visible_to(request.user), slug=slug)


@staff_required
def checkin_list(request, slug):
    event = _event(request, slug)
    query = request.GET.get("q", "").strip()[:100]
    page = Paginator(selectors.checkin_list(event, query), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"event": event, "page": page, "query": query, "counts": services.counts(event)}
    if request.htmx:
        return render(request, "events/staff/checkin_rows.html", context)
    return render(request, "events/staff/checkin_list.html", context)


@staff_required
@require_POST
def checkin(request, slug, pk):
    event = _event(request, slug)
    registration = get_object_or_404(Registration.objects.visible_to(request.user), event=event, pk=pk)
    try:
        registration, new = services.registration_check_in(registration=registration, actor=request.user)
    except EventError as error:
        if request.htmx:
            return render(request, "events/staff/checkin_row.html",
                          {"event": event, "registration": registration, "error": error.message})
        messages.error(request, error.message)
        return redirect("events:checkin_list", event.slug)
    if request.htmx:
        return render(request, "events/staff/checkin_row.html",
                      {"event": event, "registration": registration, "just_checked": new})
    messages.success(request, _("%(name)s is checked in.") % {"name": registration.full_name})
    return redirect("events:checkin_list", event.slug)


@staff_required
def checkin_scan(request, token):
    """The page a registrant's QR code opens on a staff member's phone: who it is, and one button."""
    registration = selectors.registration_for_checkin(token)
    if registration is None:
        raise Http404
    new = None
    error = None
    if request.method == "POST":
        try:
            registration, new = services.registration_check_in(registration=registration, actor=request.user)
        except EventError as refused:
            error = refused.message
    return render(request, "events/staff/scan.html", {"registration": registration, "event": registration.event,
                                                      "new": new, "error": error})


@staff_required
def badges(request, slug):
    event = _event(request, slug)
    if request.method == "POST":
        job = services.badges_start(event=event, actor=request.user)
        return redirect("core:job_status", job.pk)
    return render(request, "events/staff/badges.html", {"event": event, "counts": services.counts(event)})


class _Echo:
    def write(self, value):
        return value


@staff_required
def export(request, slug, kind):
    event = _event(request, slug)
    if kind not in EXPORTS:
        raise Http404
    writer = csv.writer(_Echo(), delimiter=";")

    def lines():
        yield "\ufeff"  # a BOM, so that spreadsheets read the accents
        for row in EXPORTS[kind](event):
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{event.slug}-{kind}.csv"'
    return response
