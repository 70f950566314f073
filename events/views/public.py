"""Public pages of events: the list, an event with its programme and registration form, and the
pages a person reaches through the signed links of their emails (no account needed): confirming the
address, their registration (change sessions, join a session's waiting list, cancel, calendar file,
QR code) and their place on a waiting list (take the place offered). A link that does not verify is
a 404, like someone else's registration."""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from joinforces.core.ics import ics_response
from joinforces.core.ratelimit import ratelimit

from .. import selectors, services
from ..forms import IdentityForm, RegistrationForm, SessionsForm
from ..models import Registration, Resource, WaitingListEntry
from ..qr import qr_svg
from ..services import EventError

Status = Registration.Status


def event_list(request):
    upcoming, past = selectors.public_events()
    return render(request, "events/list.html", {"upcoming": upcoming, "past": past})


def _event_or_404(request, slug):
    event, sessions, resources = selectors.event_page(slug, request.user)
    if event is None:
        raise Http404
    return event, sessions, resources


def _detail(request, event, sessions, resources, *, form=None, waiting_form=None, status=200):
    now = timezone.now()
    user_sessions = [s for s in sessions if s.places_left > 0]
    return render(request, "events/detail.html", {
        "event": event, "sessions": sessions, "resources": resources, "now": now,
        "registration_open": event.registration_open(now),
        "full": event.places_left <= 0,
        "form": form or RegistrationForm(user=request.user, sessions=user_sessions),
        "waiting_form": waiting_form or IdentityForm(user=request.user, prefix="waiting"),
        "slots": _slots(sessions),
    }, status=status)


def _slots(sessions):
    """Sessions grouped by their start, for the programme."""
    slots = []
    for session in sessions:
        if slots and slots[-1][0] == session.starts_at:
            slots[-1][1].append(session)
        else:
            slots.append((session.starts_at, [session]))
    return slots


@ratelimit("events.register", limit=20, period=3600)
def event_detail(request, slug):
    event, sessions, resources = _event_or_404(request, slug)
    if request.method != "POST":
        return _detail(request, event, sessions, resources)
    form = RegistrationForm(request.POST, user=request.user, sessions=sessions)
    if not form.is_valid():
        return _detail(request, event, sessions, resources, form=form, status=400)
    data = form.cleaned_data
    try:
        registration = services.registration_create(
            event=event, sessions=data["sessions"], user=request.user if request.user.is_authenticated else None,
            first_name=data.get("first_name", ""), last_name=data.get("last_name", ""), email=data.get("email", ""),
            organisation=data.get("organisation", ""))
    except EventError as error:
        messages.error(request, error.message)
        return _detail(request, event, sessions, resources, form=form, status=400)
    if registration.status == Status.CONFIRMED:
        messages.success(request, _("You are registered. A confirmation with the calendar invitation is on its way."))
        return redirect("events:registration", services.sign(registration.public_id, services.REGISTRATION_SALT))
    return render(request, "events/check_email.html", {"event": event, "email": registration.email})


@require_POST
@ratelimit("events.register", limit=20, period=3600)
def event_waitlist(request, slug):
    event, sessions, resources = _event_or_404(request, slug)
    form = IdentityForm(request.POST, user=request.user, prefix="waiting")
    if not form.is_valid():
        return _detail(request, event, sessions, resources, waiting_form=form, status=400)
    data = form.cleaned_data
    try:
        entry = services.waitlist_join(
            event=event, user=request.user if request.user.is_authenticated else None,
            first_name=data.get("first_name", ""), last_name=data.get("last_name", ""), email=data.get("email", ""),
            organisation=data.get("organisation", ""))
    except EventError as error:
        messages.error(request, error.message)
        return _detail(request, event, sessions, resources, waiting_form=form, status=400)
    messages.success(request, _("You are on the waiting list. If a place frees up, it is offered to you by email."))
    return redirect("events:waiting", services.sign(entry.public_id, services.WAITING_SALT))


def resource_download(request, slug, pk):
    resource = get_object_or_404(Resource.objects.visible_to(request.user).select_related("event"), pk=pk,
                                 event__slug=slug)
    if not resource.file:
        raise Http404
    response = FileResponse(resource.file.open("rb"), as_attachment=True,
                            filename=resource.file.name.rsplit("/", 1)[-1])
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Through the signed links -----------------------------------------------------------------------


def _registration_or_404(token):
    registration = selectors.registration_from_token(token)
    if registration is None:
        raise Http404
    return registration


def confirm(request, token):
    """The link of the confirmation email: a button (a mail scanner that opens links confirms nothing)."""
    registration = _registration_or_404(token)
    if registration.status == Status.CONFIRMED:
        return redirect("events:registration", token)
    if request.method == "POST":
        try:
            services.registration_confirm(registration=registration)
        except EventError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Your address is confirmed: you are registered."))
            return redirect("events:registration", token)
    return render(request, "events/confirm.html", {"registration": registration, "event": registration.event})


def registration_page(request, token):
    registration = _registration_or_404(token)
    event = registration.event
    if request.method == "POST":
        try:
            _registration_action(request, registration)
        except EventError as error:
            messages.error(request, error.message)
        return redirect("events:registration", token)
    sessions = list(selectors.sessions_with_places(event))
    chosen = {choice.session_id for choice in registration.choices.all()}
    waiting = list(WaitingListEntry.objects.filter(registration=registration, status__in=services.LIVE)
                   .select_related("session"))
    waiting_for = {entry.session_id: entry for entry in waiting}
    for session in sessions:
        session.places_left = selectors.places_left(session)
        session.is_chosen = session.pk in chosen
        session.waiting_entry = waiting_for.get(session.pk)
        if session.waiting_entry:
            session.waiting_token = services.sign(session.waiting_entry.public_id, services.WAITING_SALT)
    now = timezone.now()
    confirmed = registration.status == Status.CONFIRMED
    return render(request, "events/registration.html", {
        "registration": registration, "event": event, "token": token, "sessions": sessions,
        "slots": _slots(sessions), "confirmed": confirmed, "changeable": now < event.starts_at and confirmed,
        "form": SessionsForm(initial={"sessions": sorted(chosen)}, sessions=sessions),
        # The SVG is drawn by the qrcode library from our own signed URL: paths only, nothing to escape.
        "qr": mark_safe(qr_svg(services.checkin_url(registration))) if confirmed else "",
    })


def _registration_action(request, registration):
    action = request.POST.get("action")
    if action == "sessions":
        event = registration.event
        form = SessionsForm(request.POST, sessions=list(event.sessions.all()))
        if not form.is_valid():
            raise EventError(_("Choose sessions from this event's programme."))
        services.session_choices_set(registration=registration, sessions=form.cleaned_data["sessions"])
        messages.success(request, _("Your sessions are saved."))
    elif action == "wait":
        session = registration.event.sessions.filter(pk=_int(request.POST.get("session"))).first()
        if session is None:
            raise EventError(_("Choose sessions from this event's programme."))
        services.session_waitlist_join(registration=registration, session=session)
        messages.success(request, _("You are on the waiting list of “%(session)s”.") % {"session": session})
    elif action == "leave":
        entry = WaitingListEntry.objects.filter(registration=registration, pk=_int(request.POST.get("entry"))).first()
        if entry is None:
            raise EventError(_("You are not on this waiting list."))
        services.waitlist_leave(entry=entry)
        messages.success(request, _("You left the waiting list."))
    elif action == "cancel":
        services.registration_cancel(registration=registration)
        messages.success(request, _("Your registration is cancelled. Thank you for freeing your place."))
    else:
        raise EventError(_("Nothing was changed."))


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def registration_ics(request, token):
    registration = _registration_or_404(token)
    if registration.status != Status.CONFIRMED:
        raise Http404
    return ics_response(services.registration_ics_build(registration, registration.event), filename="invitation.ics")


def waiting_page(request, token):
    entry = selectors.waiting_entry_from_token(token)
    if entry is None:
        raise Http404
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "accept":
                registration = services.waitlist_accept(entry=entry)
                messages.success(request, _("The place is yours."))
                return redirect("events:registration",
                                services.sign(registration.public_id, services.REGISTRATION_SALT))
            if action == "leave":
                services.waitlist_leave(entry=entry)
                messages.success(request, _("You left the waiting list."))
        except EventError as error:
            messages.error(request, error.message)
        return redirect("events:waiting", token)
    now = timezone.now()
    registration_token = (services.sign(entry.registration.public_id, services.REGISTRATION_SALT)
                          if entry.registration_id else None)
    return render(request, "events/waiting.html", {
        "entry": entry, "event": entry.event, "token": token, "position": selectors.waiting_position(entry),
        "offer_live": entry.offer_live(now),
        "offer_expired": entry.status == WaitingListEntry.Status.EXPIRED
        or (entry.status == WaitingListEntry.Status.OFFERED and not entry.offer_live(now)),
        "registration_token": registration_token,
    })
