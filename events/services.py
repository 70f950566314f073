"""Every write of events: registrations, session choices, the waiting list and its offers, check-in,
reminders, resources and anonymisation.

Capacity is never exceeded: every write that takes or frees a place locks the event's row first and
then the rows of the sessions concerned (sorted by id), inside the transaction, and counts again
under those locks. A place is taken by a confirmed registration (a session's place by a choice of a
confirmed registration) and held by a live waiting-list offer; offers that expired are closed and the
place is offered to the next in line under the same locks.

Refusals raise `EventError` with a translated message and change nothing. Audit entries name the
registration by its number, never by the person (the audit log is kept after anonymisation).
"""

from dataclasses import dataclass
from datetime import timedelta
from itertools import pairwise

from django.conf import settings
from django.core import signing
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from joinforces.accounts.rules import is_staff_member
from joinforces.core.ics import ICS_MIMETYPE, ics_event
from joinforces.core.services import EmailAttachment, audit, job_progress, job_start, notification_send

from .models import Event, Registration, Resource, Session, SessionChoice, WaitingListEntry

Status = Registration.Status
Waiting = WaitingListEntry.Status
LIVE = (Waiting.WAITING, Waiting.OFFERED)
REMINDER_DAYS = (7, 1)


class EventError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def offer_hours() -> int:
    return int(getattr(settings, "EVENTS_OFFER_HOURS", 48))


# --- Signed links --------------------------------------------------------------------------------

REGISTRATION_SALT = "events.registration"
CHECKIN_SALT = "events.checkin"
WAITING_SALT = "events.waiting"


def sign(public_id, salt: str) -> str:
    return signing.Signer(salt=salt).sign(str(public_id))


def unsign(token: str, salt: str) -> str | None:
    try:
        return signing.Signer(salt=salt).unsign(token)
    except signing.BadSignature:
        return None


def registration_url(registration: Registration) -> str:
    return settings.SITE_URL + reverse("events:registration", args=[sign(registration.public_id, REGISTRATION_SALT)])


def confirm_url(registration: Registration) -> str:
    return settings.SITE_URL + reverse("events:confirm", args=[sign(registration.public_id, REGISTRATION_SALT)])


def checkin_url(registration: Registration) -> str:
    return settings.SITE_URL + reverse("events:checkin_scan", args=[sign(registration.public_id, CHECKIN_SALT)])


def waiting_url(entry: WaitingListEntry) -> str:
    return settings.SITE_URL + reverse("events:waiting", args=[sign(entry.public_id, WAITING_SALT)])


def event_url(event: Event) -> str:
    return settings.SITE_URL + event.get_absolute_url()


def _key(event_id, *parts) -> str:
    """Every notification key of an event starts with `events:<event id>:`, so that anonymisation
    finds them all."""
    return ":".join(["events", str(event_id), *(str(part) for part in parts)])


# --- Counting places under locks -------------------------------------------------------------------


def _lock_event(event_id) -> Event:
    return Event.objects.select_for_update().get(pk=event_id)


def _lock_sessions(event: Event, ids) -> dict[int, Session]:
    ids = sorted({int(pk) for pk in ids})
    if not ids:
        return {}
    sessions = {s.pk: s for s in Session.objects.select_for_update().filter(event=event, pk__in=ids).order_by("pk")}
    if len(sessions) != len(ids):
        raise EventError(_("Choose sessions from this event's programme."))
    return sessions


def _live_offers(now):
    return Q(status=Waiting.OFFERED, offer_expires_at__gt=now)


def event_taken(event: Event, now) -> int:
    """Places taken at the event: confirmed registrations and live offers of the event's waiting list."""
    confirmed = Registration.objects.filter(event=event, status=Status.CONFIRMED).count()
    offers = WaitingListEntry.objects.filter(_live_offers(now), event=event, session__isnull=True).count()
    return confirmed + offers


def session_taken(session: Session, now) -> int:
    chosen = SessionChoice.objects.filter(session=session, registration__status=Status.CONFIRMED).count()
    offers = WaitingListEntry.objects.filter(_live_offers(now), session=session).count()
    return chosen + offers


def _clash(sessions) -> tuple[Session, Session] | None:
    ordered = sorted(sessions, key=lambda s: (s.starts_at, s.pk))
    for first, second in pairwise(ordered):
        if first.overlaps(second):
            return first, second
    return None


def _require_no_clash(sessions) -> None:
    pair = _clash(sessions)
    if pair:
        raise EventError(_("“%(first)s” and “%(second)s” take place at the same time: choose one of them.")
                         % {"first": pair[0], "second": pair[1]})


def _offers_refresh(event: Event, now, *, session_ids=None) -> None:
    """Under the event's lock: close the offers that expired, then offer every free place (of the event
    and of its sessions, or only of `session_ids`) to the next in line."""
    expired = list(WaitingListEntry.objects.filter(event=event, status=Waiting.OFFERED, offer_expires_at__lte=now))
    for entry in expired:
        WaitingListEntry.objects.filter(pk=entry.pk).update(status=Waiting.EXPIRED, closed_at=now)
        audit(actor=None, action="events.offer_expired", target=event,
              after={"entry": entry.pk, "session": entry.session_id})
    if now >= event.starts_at:
        return
    _offer_free_places(event, None, now)
    sessions = Session.objects.filter(event=event)
    if session_ids is not None:
        sessions = sessions.filter(pk__in=set(session_ids) | {e.session_id for e in expired if e.session_id})
    waiting = set(WaitingListEntry.objects.filter(event=event, status=Waiting.WAITING, session__isnull=False)
                  .values_list("session_id", flat=True))
    for session in sessions.filter(pk__in=waiting).select_for_update().order_by("pk"):
        _offer_free_places(event, session, now)


def _offer_free_places(event: Event, session: Session | None, now) -> None:
    queue = WaitingListEntry.objects.filter(event=event, status=Waiting.WAITING)
    queue = queue.filter(session=session) if session else queue.filter(session__isnull=True)
    if not queue.exists():
        return
    taken = session_taken(session, now) if session else event_taken(event, now)
    free = (session or event).capacity - taken
    for entry in list(queue.order_by("created_at", "pk")[: max(free, 0)]):
        _offer(entry, event, now)


def _offer(entry: WaitingListEntry, event: Event, now) -> None:
    expires = min(now + timedelta(hours=offer_hours()), event.starts_at)
    entry.status, entry.offered_at, entry.offer_expires_at = Waiting.OFFERED, now, expires
    entry.save(update_fields=["status", "offered_at", "offer_expires_at"])
    audit(actor=None, action="events.place_offered", target=event,
          after={"entry": entry.pk, "session": entry.session_id, "expires": expires.isoformat()})
    notification_send(
        to=entry.email, template="events/email/offer", language=entry.language,
        key=_key(event.pk, "offer", entry.pk, int(now.timestamp())),
        context={"entry": entry, "event": event, "session": entry.session, "expires": expires,
                 "url": waiting_url(entry), "name": entry.first_name})


# --- Registering -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    first_name: str
    last_name: str
    email: str
    organisation: str
    user: object | None
    language: str


def _person(*, user=None, first_name="", last_name="", email="", organisation="", language=None) -> Person:
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    organisation = (organisation or "").strip()[:200]
    if user is not None and user.is_authenticated:
        return Person(first_name=(first_name or user.first_name or "").strip()[:100] or user.email.split("@")[0],
                      last_name=(last_name or user.last_name or "").strip()[:100], email=user.email.lower(),
                      organisation=organisation, user=user, language=getattr(user, "language", "") or language)
    first_name, last_name, email = (first_name or "").strip(), (last_name or "").strip(), (email or "").strip()
    if not first_name or not last_name:
        raise EventError(_("Give your first and last names."))
    try:
        validate_email(email)
    except Exception:  # noqa: BLE001 - any invalid address gets the same message
        raise EventError(_("Give a valid email address.")) from None
    return Person(first_name=first_name[:100], last_name=last_name[:100], email=email.lower()[:254],
                  organisation=organisation, user=None, language=language)


def _require_open(event: Event, now) -> None:
    if not event.published:
        raise EventError(_("This event is not open for registration."))
    if now < event.registration_opens_at:
        raise EventError(_("Registration opens on %(date)s.")
                         % {"date": date_format(timezone.localtime(event.registration_opens_at), "DATETIME_FORMAT")})
    if now >= event.registration_closes_at:
        raise EventError(_("Registration for this event is closed."))


def _require_changeable(event: Event, now) -> None:
    if now >= event.starts_at:
        raise EventError(_("The event has started: registrations can no longer be changed."))


class _AlreadyRegistered(EventError):
    def __init__(self, registration_id):
        super().__init__(_("This address is already registered for this event: we have emailed its personal link "
                           "again, where you can change your sessions."))
        self.registration_id = registration_id


def registration_create(*, event: Event, sessions=(), user=None, first_name="", last_name="", email="",
                        organisation="", language=None, now=None) -> Registration:
    """Register someone for `event` with the chosen sessions (ids or sessions).

    With an account, the registration is confirmed at once. Otherwise it waits for the person to
    confirm their address through the link emailed to them; their place is taken then. An address
    already registered is refused, and its personal link is emailed to it again.
    """
    try:
        return _registration_create(event=event, sessions=sessions, user=user, first_name=first_name,
                                    last_name=last_name, email=email, organisation=organisation, language=language,
                                    now=now)
    except _AlreadyRegistered as refused:
        with transaction.atomic():
            _send_link_again(Registration.objects.select_related("event").get(pk=refused.registration_id))
        raise


@transaction.atomic
def _registration_create(*, event, sessions, user, first_name, last_name, email, organisation, language, now):
    now = now or timezone.now()
    person = _person(user=user, first_name=first_name, last_name=last_name, email=email,
                     organisation=organisation, language=language)
    event = _lock_event(event.pk)
    _require_open(event, now)
    _offers_refresh(event, now)
    chosen = _lock_sessions(event, [getattr(s, "pk", s) for s in sessions])
    _require_no_clash(chosen.values())
    existing = Registration.objects.filter(event=event, email__iexact=person.email).active().first()
    if existing is not None:
        raise _AlreadyRegistered(existing.pk)
    if event_taken(event, now) >= event.capacity:
        raise EventError(_("The event is full. You can join its waiting list: if a place frees up, it is offered "
                           "to you by email."))
    for session in chosen.values():
        if session_taken(session, now) >= session.capacity:
            raise EventError(_("“%(session)s” is full. Choose another session; once registered, you can join "
                               "its waiting list from your personal page.") % {"session": session})
    registration = Registration.objects.create(
        event=event, user=person.user, first_name=person.first_name, last_name=person.last_name,
        email=person.email, organisation=person.organisation, language=person.language)
    SessionChoice.objects.bulk_create([SessionChoice(registration=registration, session=s) for s in chosen.values()])
    audit(actor=user, action="events.registered", target=registration,
          after={"event": event.pk, "sessions": sorted(chosen), "account": bool(person.user)})
    if person.user is not None:
        _confirm(registration, event, now)
    else:
        notification_send(to=person.email, template="events/email/confirm_address", language=person.language,
                          key=_key(event.pk, "confirm_address", registration.pk),
                          context={"event": event, "registration": registration, "url": confirm_url(registration),
                                   "name": person.first_name})
    return registration


def _send_link_again(registration: Registration) -> None:
    stamp = timezone.now().strftime("%Y%m%d%H")
    if registration.status == Status.PENDING:
        notification_send(to=registration.email, template="events/email/confirm_address",
                          language=registration.language,
                          key=_key(registration.event_id, "confirm_address", registration.pk, stamp),
                          context={"event": registration.event, "registration": registration,
                                   "url": confirm_url(registration), "name": registration.first_name})
    else:
        notification_send(to=registration.email, template="events/email/link", language=registration.language,
                          key=_key(registration.event_id, "link", registration.pk, stamp),
                          context={"event": registration.event, "registration": registration,
                                   "url": registration_url(registration), "name": registration.first_name})


@transaction.atomic
def registration_confirm(*, registration: Registration, now=None) -> Registration:
    """The person confirmed their address: their place is taken now (once; confirming again changes
    nothing). A chosen session that filled up meanwhile moves them to its waiting list."""
    now = now or timezone.now()
    event = _lock_event(registration.event_id)
    locked = Registration.objects.select_for_update().get(pk=registration.pk)
    if locked.status == Status.CONFIRMED:
        return locked
    if locked.status == Status.CANCELLED:
        raise EventError(_("This registration was cancelled. You can register again from the event's page."))
    if now >= event.registration_closes_at:
        raise EventError(_("Registration for this event is closed."))
    _offers_refresh(event, now)
    if event_taken(event, now) >= event.capacity:
        raise EventError(_("The event filled up before you confirmed your address. You can join its waiting "
                           "list from the event's page."))
    _confirm(locked, event, now)
    return locked


def _confirm(registration: Registration, event: Event, now) -> None:
    """Take the place (the caller holds the event's lock and checked there is one), keep the chosen
    sessions that still have room and put the person on the waiting list of the others."""
    registration.status, registration.confirmed_at = Status.CONFIRMED, now
    registration.save(update_fields=["status", "confirmed_at"])
    choices = list(SessionChoice.objects.filter(registration=registration).select_related("session"))
    sessions = _lock_sessions(event, [c.session_id for c in choices])
    moved = []
    for choice in choices:
        session = sessions[choice.session_id]
        # The registration now counts as confirmed: its own choice is among the taken places.
        if session_taken(session, now) > session.capacity:
            choice.delete()
            _waiting_create(event=event, session=session, registration=registration, now=now)
            moved.append(session.pk)
    audit(actor=registration.user, action="events.registration_confirmed", target=registration,
          before={"status": Status.PENDING}, after={"status": Status.CONFIRMED, "moved_to_waiting_list": moved})
    _confirmation_send(registration, event)


def registration_ics_build(registration: Registration, event: Event, *, cancelled=False, sequence=0) -> bytes:
    sessions = [c.session for c in SessionChoice.objects.filter(registration=registration).select_related("session")]
    with translation.override(registration.language):
        lines = [f"{timezone.localtime(s.starts_at):%H:%M} {s}" + (f" ({s.room})" if s.room else "")
                 for s in sessions]
        description = "\n".join([event.local("description")[:1000], "", *lines, "", registration_url(registration)])
        return ics_event(uid=f"event-{event.pk}-registration-{registration.pk}@joinforces", start=event.starts_at,
                         end=event.ends_at, summary=str(event), description=description,
                         location=event.place or event.online_url, url=event_url(event), sequence=sequence,
                         cancelled=cancelled)


def _confirmation_send(registration: Registration, event: Event) -> None:
    from .qr import qr_png

    ics = registration_ics_build(registration, event)
    notification_send(
        to=registration.email, template="events/email/confirmed", language=registration.language,
        key=_key(event.pk, "confirmed", registration.pk),
        context={"event": event, "registration": registration, "url": registration_url(registration),
                 "name": registration.first_name,
                 "sessions": [c.session for c in registration.choices.select_related("session")]},
        attachments=[EmailAttachment("invitation.ics", ics, ICS_MIMETYPE),
                     EmailAttachment("qr-code-accueil.png", qr_png(checkin_url(registration)), "image/png")])


# --- Changing and cancelling -----------------------------------------------------------------------


@transaction.atomic
def session_choices_set(*, registration: Registration, sessions, now=None) -> Registration:
    """Replace the registrant's sessions by `sessions` (ids or sessions): no two at the same time,
    each with a place; the places left are offered to the next in line."""
    now = now or timezone.now()
    event = _lock_event(registration.event_id)
    locked = Registration.objects.select_for_update().get(pk=registration.pk)
    if locked.status == Status.CANCELLED:
        raise EventError(_("This registration was cancelled."))
    _require_changeable(event, now)
    wanted_ids = {int(getattr(s, "pk", s)) for s in sessions}
    current = {c.session_id: c for c in SessionChoice.objects.filter(registration=locked)}
    locked_sessions = _lock_sessions(event, wanted_ids | set(current))
    wanted = [locked_sessions[pk] for pk in wanted_ids]
    _require_no_clash(wanted)
    added = wanted_ids - set(current)
    removed = set(current) - wanted_ids
    if not added and not removed:
        return locked
    _offers_refresh(event, now)
    if locked.status == Status.CONFIRMED:
        for pk in sorted(added):
            session = locked_sessions[pk]
            if session_taken(session, now) >= session.capacity:
                raise EventError(_("“%(session)s” is full: you can join its waiting list instead.")
                                 % {"session": session})
    SessionChoice.objects.filter(registration=locked, session_id__in=removed).delete()
    SessionChoice.objects.bulk_create([SessionChoice(registration=locked, session_id=pk) for pk in sorted(added)])
    # A session chosen is no longer waited for.
    WaitingListEntry.objects.filter(registration=locked, session_id__in=added, status__in=LIVE).update(
        status=Waiting.WITHDRAWN, closed_at=now)
    audit(actor=locked.user, action="events.sessions_changed", target=locked,
          before={"sessions": sorted(current)}, after={"sessions": sorted(wanted_ids)})
    if removed:
        _offers_refresh(event, now, session_ids=removed)
    return locked


@transaction.atomic
def registration_cancel(*, registration: Registration, actor=None, now=None) -> Registration:
    """Cancel a registration (by its person or by staff): its places go to the next in line."""
    now = now or timezone.now()
    event = _lock_event(registration.event_id)
    locked = Registration.objects.select_for_update().get(pk=registration.pk)
    if locked.status == Status.CANCELLED:
        return locked
    if now >= event.starts_at and not is_staff_member(actor):
        raise EventError(_("The event has started: registrations can no longer be changed."))
    before = locked.status
    locked.status, locked.cancelled_at = Status.CANCELLED, now
    locked.save(update_fields=["status", "cancelled_at"])
    sessions = list(locked.choices.values_list("session_id", flat=True))
    # A place offered to this person in another session goes to the next in line too.
    offered = WaitingListEntry.objects.filter(registration=locked, status=Waiting.OFFERED, session__isnull=False)
    sessions += list(offered.values_list("session_id", flat=True))
    WaitingListEntry.objects.filter(registration=locked, status__in=LIVE).update(status=Waiting.WITHDRAWN,
                                                                                  closed_at=now)
    audit(actor=actor, action="events.registration_cancelled", target=locked, before={"status": before},
          after={"status": Status.CANCELLED})
    if before == Status.CONFIRMED:
        with translation.override(locked.language):
            ics = registration_ics_build(locked, event, cancelled=True, sequence=1)
        notification_send(to=locked.email, template="events/email/cancelled", language=locked.language,
                          key=_key(event.pk, "cancelled", locked.pk),
                          context={"event": event, "registration": locked, "name": locked.first_name,
                                   "event_url": event_url(event)},
                          attachments=[EmailAttachment("annulation.ics", ics, ICS_MIMETYPE)])
        _offers_refresh(event, now, session_ids=sessions)
    return locked


# --- Waiting list ----------------------------------------------------------------------------------


def _waiting_create(*, event, session, registration=None, person: Person | None = None, now, notify=True):
    if person is None:
        person = Person(first_name=registration.first_name, last_name=registration.last_name,
                        email=registration.email, organisation=registration.organisation, user=registration.user,
                        language=registration.language)
    existing = WaitingListEntry.objects.filter(event=event, session=session, email__iexact=person.email,
                                               status__in=LIVE).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            entry = WaitingListEntry.objects.create(
                event=event, session=session, registration=registration, user=person.user,
                first_name=person.first_name, last_name=person.last_name, email=person.email,
                organisation=person.organisation, language=person.language, created_at=now)
    except IntegrityError:
        return WaitingListEntry.objects.get(event=event, session=session, email__iexact=person.email,
                                            status__in=LIVE)
    audit(actor=person.user, action="events.waiting_list_joined", target=event,
          after={"entry": entry.pk, "session": session.pk if session else None})
    if notify:
        notification_send(to=person.email, template="events/email/waiting", language=person.language,
                          key=_key(event.pk, "waiting", entry.pk),
                          context={"event": event, "session": session, "entry": entry, "url": waiting_url(entry),
                                   "name": person.first_name})
    return entry


@transaction.atomic
def waitlist_join(*, event: Event, user=None, first_name="", last_name="", email="", organisation="",
                  language=None, now=None) -> WaitingListEntry:
    """Join the event's waiting list (only when it is full). Joining again returns the same entry."""
    now = now or timezone.now()
    person = _person(user=user, first_name=first_name, last_name=last_name, email=email,
                     organisation=organisation, language=language)
    event = _lock_event(event.pk)
    _require_open(event, now)
    _offers_refresh(event, now)
    if Registration.objects.filter(event=event, email__iexact=person.email).active().exists():
        raise EventError(_("This address is already registered for this event."))
    already = WaitingListEntry.objects.filter(event=event, session__isnull=True, email__iexact=person.email,
                                              status__in=LIVE).first()
    if already is not None:
        return already
    if event_taken(event, now) < event.capacity:
        raise EventError(_("There are still places: register directly."))
    return _waiting_create(event=event, session=None, person=person, now=now)


@transaction.atomic
def session_waitlist_join(*, registration: Registration, session: Session, now=None) -> WaitingListEntry:
    """A registrant joins a full session's waiting list."""
    now = now or timezone.now()
    event = _lock_event(registration.event_id)
    locked = Registration.objects.select_for_update().get(pk=registration.pk)
    if locked.status != Status.CONFIRMED:
        raise EventError(_("Confirm your registration first."))
    _require_changeable(event, now)
    session = _lock_sessions(event, [session.pk])[session.pk]
    if SessionChoice.objects.filter(registration=locked, session=session).exists():
        raise EventError(_("You already have a place in this session."))
    _offers_refresh(event, now, session_ids=[session.pk])
    already = WaitingListEntry.objects.filter(session=session, registration=locked, status__in=LIVE).first()
    if already is not None:
        return already
    if session_taken(session, now) < session.capacity:
        raise EventError(_("“%(session)s” still has places: choose it directly.") % {"session": session})
    return _waiting_create(event=event, session=session, registration=locked, now=now)


def _lock_entry(entry) -> tuple[Event, WaitingListEntry]:
    event = _lock_event(entry.event_id)
    return event, WaitingListEntry.objects.select_for_update(of=("self",)).select_related("session").get(pk=entry.pk)


@transaction.atomic
def waitlist_leave(*, entry: WaitingListEntry, now=None) -> WaitingListEntry:
    now = now or timezone.now()
    event, locked = _lock_entry(entry)
    if locked.status not in LIVE:
        return locked
    was_offered = locked.status == Waiting.OFFERED
    locked.status, locked.closed_at = Waiting.WITHDRAWN, now
    locked.save(update_fields=["status", "closed_at"])
    audit(actor=locked.user, action="events.waiting_list_left", target=event, after={"entry": locked.pk})
    if was_offered:
        _offers_refresh(event, now, session_ids=[locked.session_id] if locked.session_id else [])
    return locked


def waitlist_accept(*, entry: WaitingListEntry, now=None):
    """Take the place offered. After its deadline the offer is refused (the place goes to the next in
    line, which is kept although the refusal changes nothing else). For a session, a session of the
    person's at the same time is released. Returns the registration."""
    now = now or timezone.now()
    with transaction.atomic():
        event, locked = _lock_entry(entry)
        if locked.status == Waiting.OFFERED and locked.offer_expires_at <= now:
            _offers_refresh(event, now, session_ids=[locked.session_id] if locked.session_id else [])
    return _waitlist_accept(entry=entry, now=now)


@transaction.atomic
def _waitlist_accept(*, entry, now):
    event, locked = _lock_entry(entry)
    if locked.status == Waiting.ACCEPTED:
        return locked.registration
    if locked.status == Waiting.EXPIRED:
        raise EventError(_("This offer expired on %(date)s: the place was offered to the next person in line. You "
                           "can join the waiting list again.")
                         % {"date": date_format(timezone.localtime(locked.offer_expires_at), "DATETIME_FORMAT")})
    if locked.status != Waiting.OFFERED:
        raise EventError(_("No place is offered to you at the moment: you are still on the waiting list.")
                         if locked.status == Waiting.WAITING else _("You left this waiting list."))
    # Closed first: from here on the place is counted as the registration's, not as an offer.
    locked.status, locked.closed_at = Waiting.ACCEPTED, now
    locked.save(update_fields=["status", "closed_at"])
    if locked.session_id is None:
        registration = _accept_event_place(event, locked, now)
    else:
        registration = _accept_session_place(event, locked, now)
    if locked.registration_id != registration.pk:
        locked.registration = registration
        locked.save(update_fields=["registration"])
    audit(actor=locked.user, action="events.offer_accepted", target=registration,
          after={"entry": locked.pk, "session": locked.session_id})
    return registration


def _accept_event_place(event, entry, now) -> Registration:
    if Registration.objects.filter(event=event, email__iexact=entry.email, status=Status.CONFIRMED).exists():
        raise EventError(_("This address is already registered for this event."))
    registration = Registration.objects.filter(event=event, email__iexact=entry.email, status=Status.PENDING).first()
    if registration is None:
        registration = Registration.objects.create(
            event=event, user=entry.user, first_name=entry.first_name, last_name=entry.last_name, email=entry.email,
            organisation=entry.organisation, language=entry.language)
    # The offer held the place: it becomes the registration's (the entry is closed by the caller).
    _confirm(registration, event, now)
    return registration


def _accept_session_place(event, entry, now) -> Registration:
    registration = Registration.objects.select_for_update().get(pk=entry.registration_id)
    if registration.status != Status.CONFIRMED:
        raise EventError(_("This registration was cancelled."))
    chosen = list(SessionChoice.objects.filter(registration=registration).select_related("session"))
    sessions = _lock_sessions(event, [entry.session_id, *(c.session_id for c in chosen)])
    session = sessions[entry.session_id]
    released = [c.session_id for c in chosen if c.session_id != session.pk and sessions[c.session_id].overlaps(session)]
    SessionChoice.objects.filter(registration=registration, session_id__in=released).delete()
    SessionChoice.objects.get_or_create(registration=registration, session=session)
    # The entry's offer is closed by the caller in the same transaction; the place stays counted once.
    notification_send(to=registration.email, template="events/email/session_place", language=registration.language,
                      key=_key(event.pk, "session_place", entry.pk),
                      context={"event": event, "session": session, "registration": registration,
                               "released": [sessions[pk] for pk in released], "name": registration.first_name,
                               "url": registration_url(registration)})
    if released:
        _offers_refresh(event, now, session_ids=released)
    return registration


@transaction.atomic
def event_places_refresh(*, event: Event, now=None) -> None:
    """Offer the places that are free (after staff enlarged the event or a session) to the waiting list."""
    _offers_refresh(_lock_event(event.pk), now or timezone.now())


def offers_expire(*, now=None) -> int:
    """Close the offers past their deadline and offer their places to the next in line (beat task)."""
    now = now or timezone.now()
    events = list(WaitingListEntry.objects.filter(status=Waiting.OFFERED, offer_expires_at__lte=now)
                  .values_list("event_id", flat=True).distinct())
    for event_id in events:
        with transaction.atomic():
            _offers_refresh(_lock_event(event_id), now)
    return len(events)


# --- The day ---------------------------------------------------------------------------------------


@transaction.atomic
def registration_check_in(*, registration: Registration, actor, now=None) -> tuple[Registration, bool]:
    """Check a registrant in (staff). Checking in again changes nothing: returns (registration, new)."""
    if not is_staff_member(actor):
        raise EventError(_("Only the JOIN FORCES team checks people in."))
    now = now or timezone.now()
    locked = Registration.objects.select_for_update(of=("self",)).select_related("event").get(pk=registration.pk)
    if locked.status == Status.CANCELLED:
        raise EventError(_("This registration was cancelled."))
    if locked.status == Status.PENDING:
        raise EventError(_("This person never confirmed their address: register them again at the desk."))
    if locked.checked_in_at is not None:
        return locked, False
    locked.checked_in_at, locked.checked_in_by = now, actor
    locked.save(update_fields=["checked_in_at", "checked_in_by"])
    audit(actor=actor, action="events.checked_in", target=locked, after={"at": now.isoformat()})
    return locked, True


def _reminder_kind(event: Event, registration: Registration, now) -> int | None:
    """7 from seven days before the event, 1 from the day before; a reminder whose moment came before
    the person registered is not sent (their confirmation has just told them)."""
    left = event.starts_at - now
    if left <= timedelta(0):
        return None
    for days in sorted(REMINDER_DAYS):
        mark = event.starts_at - timedelta(days=days)
        if now >= mark:
            return days if registration.confirmed_at and registration.confirmed_at < mark else None
    return None


def reminders_send(*, now=None) -> int:
    """Remind each confirmed registrant, by their address, 7 days and 1 day before: once each (the
    notification key holds the registration and the kind). Returns the number of new notifications."""
    from joinforces.core.models import Notification

    now = now or timezone.now()
    events = Event.objects.filter(starts_at__gt=now, starts_at__lte=now + timedelta(days=max(REMINDER_DAYS)))
    count = 0
    for event in events:
        registrations = list(Registration.objects.filter(event=event, status=Status.CONFIRMED)
                             .prefetch_related("choices__session"))
        planned = []
        for registration in registrations:
            kind = _reminder_kind(event, registration, now)
            if kind is not None:
                planned.append((_key(event.pk, "reminder", kind, registration.pk), kind, registration))
        sent = set(Notification.objects.filter(key__in=[p[0] for p in planned]).values_list("key", flat=True))
        for key, kind, registration in planned:
            if key in sent:
                continue
            notification_send(to=registration.email, template="events/email/reminder", language=registration.language,
                              key=key, context={"event": event, "registration": registration, "days": kind,
                                                "sessions": [c.session for c in registration.choices.all()],
                                                "url": registration_url(registration), "name": registration.first_name})
            count += 1
    return count


def badges_start(*, event: Event, actor):
    """Render the badges of every confirmed registrant as one PDF, in the background."""
    if not is_staff_member(actor):
        raise EventError(_("Only the JOIN FORCES team prints badges."))
    from .tasks import badges_render_task

    stamp = timezone.now().strftime("%Y%m%d%H%M")
    return job_start(kind="events.badges", key=f"events.badges:{event.pk}:{actor.pk}:{stamp}", owner=actor,
                     title=_("Badges of %(event)s") % {"event": event}, task=badges_render_task)


def badges_build(job) -> tuple[str, bytes]:
    from joinforces.core.pdf import render_pdf

    from .selectors import badge_rows

    event_id = int(job.key.split(":")[1])
    event = Event.objects.get(pk=event_id)
    job_progress(job, 20, _("Collecting the registrants"))
    rows = badge_rows(event)
    job_progress(job, 50, _("Drawing the badges"))
    content = render_pdf("events/badges_pdf.html", {"event": event, "badges": rows},
                         title=_("Badges of %(event)s") % {"event": event})
    return f"badges-{event.slug}.pdf", content


EXPORT_KINDS = ("inscrits", "sessions", "pointages")


def export_start(*, event: Event, kind: str, actor):
    """Write one of the event's CSV exports (registrants, sessions, check-ins) in the background."""
    if not is_staff_member(actor):
        raise EventError(_("Only the JOIN FORCES team exports registrants."))
    if kind not in EXPORT_KINDS:
        raise EventError(_("Choose an export from the list."))
    from .tasks import export_render_task

    stamp = timezone.now().strftime("%Y%m%d%H%M")
    return job_start(kind="events.export", key=f"events.export:{event.pk}:{kind}:{actor.pk}:{stamp}", owner=actor,
                     title=_("Export of %(event)s (%(kind)s)") % {"event": event, "kind": kind},
                     task=export_render_task)


def export_build(job) -> tuple[str, bytes]:
    """The CSV of a job started by `export_start`: `;`-separated, with a BOM for spreadsheets."""
    import csv
    import io

    from . import selectors

    _prefix, event_id, kind, *_rest = job.key.split(":")
    event = Event.objects.get(pk=int(event_id))
    rows = {"inscrits": selectors.registrants_rows, "sessions": selectors.sessions_rows,
            "pointages": selectors.checkins_rows}[kind](event)
    job_progress(job, 30, _("Writing the file"))
    buffer = io.StringIO()
    buffer.write("\ufeff")
    csv.writer(buffer, delimiter=";").writerows(rows)
    return f"{event.slug}-{kind}.csv", buffer.getvalue().encode("utf-8")


# --- After the day ---------------------------------------------------------------------------------


@transaction.atomic
def resources_publish(*, resources, actor, now=None) -> int:
    """Publish resources on their event's page. The first time an event's resources are published,
    its confirmed registrants are told by email (once per event). Returns the number of emails."""
    if not is_staff_member(actor):
        raise EventError(_("Only the JOIN FORCES team publishes resources."))
    now = now or timezone.now()
    resources = list(Resource.objects.select_for_update().filter(pk__in=[r.pk for r in resources]).order_by("pk"))
    event_ids = set()
    for resource in resources:
        event_ids.add(resource.event_id)
        if not resource.published:
            Resource.objects.filter(pk=resource.pk).update(published=True, published_at=now)
            audit(actor=actor, action="events.resource_published", target=resource)
    sent = 0
    for event_id in sorted(event_ids):
        sent += _resources_announce(_lock_event(event_id), actor, now)
    return sent


def _resources_announce(event: Event, actor, now) -> int:
    if event.resources_announced_at is not None or not event.published or event.anonymised_at is not None:
        return 0
    event.resources_announced_at = now
    event.save(update_fields=["resources_announced_at"])
    registrations = list(Registration.objects.filter(event=event, status=Status.CONFIRMED, anonymised=False))
    for registration in registrations:
        notification_send(to=registration.email, template="events/email/resources", language=registration.language,
                          key=_key(event.pk, "resources", registration.pk),
                          context={"event": event, "url": event_url(event) + "#ressources",
                                   "name": registration.first_name})
    audit(actor=actor, action="events.resources_announced", target=event, after={"emails": len(registrations)})
    return len(registrations)


def anonymise_after(event: Event):
    return event.ends_at + timedelta(days=event.retention_days)


@transaction.atomic
def event_anonymise(*, event: Event, actor, now=None) -> int:
    """Erase the registrants' names, addresses and organisations once the retention period after the
    event is over (counts, sessions and check-in times stay for the statistics); the emails sent
    about the event are emptied too. Returns the number of registrations anonymised."""
    from django.db.models import CharField, Value

    from joinforces.core.models import Notification

    if not is_staff_member(actor):
        raise EventError(_("Only the JOIN FORCES team anonymises registrants."))
    now = now or timezone.now()
    event = _lock_event(event.pk)
    if now < anonymise_after(event):
        raise EventError(_("Registrants' details are kept until %(date)s (%(days)d days after the event): they "
                           "can be anonymised from then on.")
                         % {"date": date_format(timezone.localtime(anonymise_after(event)), "DATE_FORMAT"),
                            "days": event.retention_days})
    text = CharField()
    count = Registration.objects.filter(event=event, anonymised=False).update(
        first_name="—", last_name="", organisation="", user=None, anonymised=True,
        email=Concat(Value("anonyme-"), Cast("pk", text), Value("@anonyme.invalid"), output_field=text))
    WaitingListEntry.objects.filter(event=event).update(
        first_name="—", last_name="", organisation="", user=None,
        email=Concat(Value("anonyme-attente-"), Cast("pk", text), Value("@anonyme.invalid"), output_field=text))
    Notification.objects.filter(key__startswith=_key(event.pk, "")).update(
        to="anonyme@anonyme.invalid", subject="—", body_text="", body_html="", attachments=[])
    first = event.anonymised_at is None
    event.anonymised_at = event.anonymised_at or now
    event.save(update_fields=["anonymised_at"])
    if first or count:
        audit(actor=actor, action="events.anonymised", target=event, after={"registrations": count})
    return count


def counts(event: Event) -> dict:
    """Registered, pending, cancelled, checked in and waiting, in one query each."""
    rows = Registration.objects.filter(event=event).aggregate(
        confirmed=Count("pk", filter=Q(status=Status.CONFIRMED)),
        pending=Count("pk", filter=Q(status=Status.PENDING)),
        cancelled=Count("pk", filter=Q(status=Status.CANCELLED)),
        checked_in=Count("pk", filter=Q(checked_in_at__isnull=False, status=Status.CONFIRMED)))
    rows["waiting"] = WaitingListEntry.objects.filter(event=event, status__in=LIVE).count()
    return rows
