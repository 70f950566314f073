"""The staff's pages of the day (under /equipe/, so MFA applies): the check-in list with its search
(htmx), the page a QR code opens, the badges PDF and the CSV exports (background jobs)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from joinforces.accounts.decorators import staff_required

from .. import selectors, services
from ..models import Event, Registration
from ..services import EventError

PAGE_SIZE = 50


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


@staff_required
def exports(request, slug):
    """The event's CSV exports, each written in the background (a page shows its progress)."""
    event = _event(request, slug)
    if request.method == "POST":
        try:
            job = services.export_start(event=event, kind=request.POST.get("kind", ""), actor=request.user)
        except EventError as error:
            messages.error(request, error.message)
            return redirect("events:exports", event.slug)
        return redirect("core:job_status", job.pk)
    return render(request, "events/staff/exports.html", {"event": event, "counts": services.counts(event)})
