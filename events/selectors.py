"""Reads of events, each in a fixed number of queries whatever the number of registrants."""

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from . import services
from .models import Event, Registration, Resource, Session, SessionChoice, WaitingListEntry

Status = Registration.Status
Waiting = WaitingListEntry.Status


def _count(queryset, field: str):
    """A correlated count (0 when there is none), grouped by `field`."""
    return Coalesce(Subquery(queryset.order_by().values(field).annotate(n=Count("pk")).values("n")[:1],
                             output_field=IntegerField()), Value(0))


def sessions_with_places(event: Event, now=None):
    """The event's sessions with `taken` (confirmed choices and live offers) and `waiting` (in line)."""
    now = now or timezone.now()
    chosen = SessionChoice.objects.filter(session=OuterRef("pk"), registration__status=Status.CONFIRMED)
    offered = WaitingListEntry.objects.filter(session=OuterRef("pk"), status=Waiting.OFFERED, offer_expires_at__gt=now)
    waiting = WaitingListEntry.objects.filter(session=OuterRef("pk"), status=Waiting.WAITING)
    return (Session.objects.filter(event=event)
            .annotate(chosen=_count(chosen, "session"), offered=_count(offered, "session"),
                      waiting=_count(waiting, "session"))
            .order_by("starts_at", "title", "pk"))


def with_places(queryset, now=None):
    """Events with `taken` places (confirmed registrations and live offers) and `waiting`."""
    now = now or timezone.now()
    confirmed = Registration.objects.filter(event=OuterRef("pk"), status=Status.CONFIRMED)
    offered = WaitingListEntry.objects.filter(event=OuterRef("pk"), session__isnull=True, status=Waiting.OFFERED,
                                              offer_expires_at__gt=now)
    waiting = WaitingListEntry.objects.filter(event=OuterRef("pk"), session__isnull=True, status=Waiting.WAITING)
    return queryset.annotate(confirmed=_count(confirmed, "event"), offered=_count(offered, "event"),
                             waiting_count=_count(waiting, "event"))


def places_left(obj) -> int:
    return max(obj.capacity - obj.chosen - obj.offered, 0) if isinstance(obj, Session) else \
        max(obj.capacity - obj.confirmed - obj.offered, 0)


def public_events(now=None):
    """Upcoming and past published events (two queries)."""
    now = now or timezone.now()
    upcoming = list(with_places(Event.objects.upcoming(now)))
    past = list(Event.objects.past(now)[:10])
    for event in upcoming:
        event.places_left = places_left(event)
    return upcoming, past


def event_page(slug: str, user, now=None):
    """The event (visible to `user`), its sessions with their places, and its published resources."""
    now = now or timezone.now()
    event = with_places(Event.objects.visible_to(user).filter(slug=slug)).first()
    if event is None:
        return None, [], []
    event.places_left = places_left(event)
    sessions = list(sessions_with_places(event, now))
    for session in sessions:
        session.places_left = places_left(session)
    resources = list(Resource.objects.published().filter(event=event).select_related("session"))
    return event, sessions, resources


def registration_from_token(token: str):
    public_id = services.unsign(token, services.REGISTRATION_SALT)
    if public_id is None:
        return None
    try:
        return (Registration.objects.select_related("event").prefetch_related(
            Prefetch("choices", queryset=SessionChoice.objects.select_related("session")))
            .filter(public_id=public_id).first())
    except Exception:  # noqa: BLE001 - a signed value that is not a UUID: not found
        return None


def registration_for_checkin(token: str):
    public_id = services.unsign(token, services.CHECKIN_SALT)
    if public_id is None:
        return None
    try:
        return Registration.objects.select_related("event", "checked_in_by").filter(public_id=public_id).first()
    except Exception:  # noqa: BLE001
        return None


def waiting_entry_from_token(token: str):
    public_id = services.unsign(token, services.WAITING_SALT)
    if public_id is None:
        return None
    try:
        return WaitingListEntry.objects.select_related("event", "session").filter(public_id=public_id).first()
    except Exception:  # noqa: BLE001
        return None


def waiting_position(entry: WaitingListEntry) -> int | None:
    """1 for the first in line (only for those still waiting)."""
    if entry.status != Waiting.WAITING:
        return None
    ahead = WaitingListEntry.objects.filter(event_id=entry.event_id, session_id=entry.session_id,
                                            status=Waiting.WAITING).filter(
        Q(created_at__lt=entry.created_at) | Q(created_at=entry.created_at, pk__lt=entry.pk))
    return ahead.count() + 1


def checkin_list(event: Event, query: str = ""):
    """Confirmed registrants, searched by name, email or organisation, in name order."""
    registrations = (Registration.objects.filter(event=event, status=Status.CONFIRMED)
                     .select_related("checked_in_by").order_by("last_name", "first_name", "pk"))
    for word in (query or "").split()[:5]:
        registrations = registrations.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word)
                                             | Q(email__icontains=word) | Q(organisation__icontains=word))
    return registrations


def badge_rows(event: Event) -> list[dict]:
    from .qr import qr_svg

    registrations = (Registration.objects.filter(event=event, status=Status.CONFIRMED)
                     .order_by("last_name", "first_name", "pk"))
    return [{"registration": r, "qr": qr_svg(services.checkin_url(r), size_mm=26)} for r in registrations]


def user_registrations(user):
    return (Registration.objects.visible_to(user).filter(user=user).active().select_related("event")
            .order_by("-event__starts_at"))


# --- Exports (CSV) -------------------------------------------------------------------------------


def _local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def registrants_rows(event: Event):
    from django.utils.translation import gettext as _

    yield [_("Last name"), _("First name"), _("Email"), _("Organisation"), _("Status"), _("Registered"),
           _("Confirmed"), _("Sessions"), _("Checked in")]
    registrations = (Registration.objects.filter(event=event).order_by("last_name", "first_name", "pk")
                     .prefetch_related(Prefetch("choices", queryset=SessionChoice.objects.select_related("session"))))
    for r in registrations.iterator(chunk_size=500):
        yield [r.last_name, r.first_name, r.email, r.organisation, r.get_status_display(), _local(r.created_at),
               _local(r.confirmed_at), " | ".join(str(c.session) for c in r.choices.all()), _local(r.checked_in_at)]


def sessions_rows(event: Event):
    from django.utils.translation import gettext as _

    yield [_("Session"), _("Starts"), _("Ends"), _("Room"), _("Speaker"), _("Capacity"), _("Registered"),
           _("Waiting"), _("Checked in")]
    checked = SessionChoice.objects.filter(session=OuterRef("pk"), registration__status=Status.CONFIRMED,
                                           registration__checked_in_at__isnull=False)
    for s in sessions_with_places(event).annotate(checked=_count(checked, "session")):
        yield [str(s), _local(s.starts_at), _local(s.ends_at), s.room, s.speaker, s.capacity, s.chosen, s.waiting,
               s.checked]


def checkins_rows(event: Event):
    from django.utils.translation import gettext as _

    yield [_("Last name"), _("First name"), _("Organisation"), _("Checked in"), _("Checked in by")]
    registrations = (Registration.objects.filter(event=event, checked_in_at__isnull=False)
                     .select_related("checked_in_by").order_by("checked_in_at", "pk"))
    for r in registrations:
        yield [r.last_name, r.first_name, r.organisation, _local(r.checked_in_at),
               r.checked_in_by.email if r.checked_in_by else ""]
