"""Writes of support: plans from activated grants, needs, bookings (never two at once for an expert),
their invitations, reminders and feedback, experts' availability, and the fund's payments to experts.

A refused action raises `SupportError` with a translated message and changes nothing. Booking takes
the expert's row lock and checks the overlap (the guard on SQLite); on PostgreSQL the exclusion
constraint `booking_expert_no_overlap` refuses an overlap whatever runs concurrently, and its refusal
becomes `SlotTaken`, which carries other free slots to offer.
"""

from datetime import datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from itertools import pairwise

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from joinforces.accounts.rules import is_staff_member
from joinforces.core.services import audit

from . import notifications
from .matching import Organisation, conflict
from .models import (
    AvailabilityException,
    AvailabilityRule,
    Booking,
    BookingStatus,
    Domain,
    Expert,
    Feedback,
    Level,
    PlanNeed,
    SupportPayment,
    SupportPlan,
)

# The window of a need copied from an application, when staff have not set one yet.
DEFAULT_WINDOW_DAYS = 90
MAX_SESSION_HOURS = 10


class SupportError(Exception):
    """A refused action of support, with a translated message for the person."""

    def __init__(self, message):
        self.message = str(message)
        super().__init__(self.message)


class SlotTaken(SupportError):
    """The expert is already booked at that time (possibly by someone a moment earlier)."""

    def __init__(self, message, *, alternatives=()):
        super().__init__(message)
        self.alternatives = list(alternatives)


def require_staff(actor) -> None:
    if not is_staff_member(actor):
        raise SupportError(_("Only the JOIN FORCES team can do this."))


# --- Plans and needs -----------------------------------------------------------------------------


def _initiative_regions(application):
    """The régions of the initiative's shared programmes (a département counts in its région)."""
    from joinforces.core.models import Territory

    codes = set()
    for territory in Territory.objects.filter(programme__application=application).select_related("region"):
        if territory.kind == Territory.Kind.REGION:
            codes.add(territory.pk)
        elif territory.region_id:
            codes.add(territory.region_id)
    return codes


@transaction.atomic
def plan_create_for_grant(*, grant, actor=None) -> SupportPlan:
    """The support plan of a funded initiative, once, started from the support needs of its
    application (copied: staff edit the plan's needs afterwards; the application stays as sent)."""
    from grants.models import Grant

    grant = Grant.objects.select_related("application").get(pk=grant.pk)
    plan, created = SupportPlan.objects.get_or_create(grant=grant)
    if not created:
        return plan
    regions = _initiative_regions(grant.application)
    today = timezone.localdate()
    start = max(today, grant.start_date)
    copied = []
    for need in grant.application.support_needs.order_by("domain"):
        plan_need = PlanNeed.objects.create(
            plan=plan, domain=need.domain, description=need.description, budget_days=need.days,
            window_start=start, window_end=start + timedelta(days=DEFAULT_WINDOW_DAYS), languages=["fr"],
            remote_allowed=True)
        plan_need.territories.set(regions)
        copied.append({"domain": need.domain, "days": str(need.days)})
    audit(actor=actor, action="support.plan_created", target=plan,
          after={"grant": grant.pk, "needs": copied})
    return plan


def _days(value) -> Decimal:
    try:
        days = Decimal(str(value).replace(",", "."))
    except (InvalidOperation, TypeError, ValueError):
        raise SupportError(_("Enter a number of days, for example 2.5.")) from None
    if not days.is_finite() or days < 0 or days > 365 or days != days.quantize(Decimal("0.1")):
        raise SupportError(_("A budget is between 0 and 365 days, in tenths of a day."))
    return days


@transaction.atomic
def need_save(*, plan, actor, domain, budget_days, description="", window_start=None, window_end=None,
              territories=None, languages=("fr",), remote_allowed=True, minimum_level=Level.ONE,
              need=None) -> PlanNeed:
    """Add a need to a plan, or change one (staff)."""
    require_staff(actor)
    if domain not in Domain.values:
        raise SupportError(_("Choose one of the seven domains."))
    budget = _days(budget_days)
    if window_start and window_end and window_end < window_start:
        raise SupportError(_("The wanted window ends before it starts."))
    if need is None and PlanNeed.objects.filter(plan=plan, domain=domain).exists():
        raise SupportError(_("This plan already has a need in this domain: change it instead."))
    before = None
    if need is None:
        need = PlanNeed(plan=plan)
    else:
        need = PlanNeed.objects.select_for_update().get(pk=need.pk, plan=plan)
        before = {"domain": need.domain, "budget_days": str(need.budget_days),
                  "window": [str(need.window_start), str(need.window_end)]}
        if domain != need.domain and PlanNeed.objects.filter(plan=plan, domain=domain).exists():
            raise SupportError(_("This plan already has a need in this domain: change it instead."))
    need.domain, need.budget_days, need.description = domain, budget, description.strip()
    need.window_start, need.window_end = window_start, window_end
    need.languages = sorted(set(languages)) or ["fr"]
    need.remote_allowed, need.minimum_level = bool(remote_allowed), int(minimum_level)
    need.save()
    if territories is not None:
        need.territories.set(territories)
    audit(actor=actor, action="support.need_saved", target=plan, before=before,
          after={"need": need.pk, "domain": domain, "budget_days": str(budget),
                 "window": [str(window_start), str(window_end)]})
    return need


# --- Bookings --------------------------------------------------------------------------------------


def _members(application) -> list[Organisation]:
    return [Organisation(name=m.name, siren=m.identifier if len(m.identifier) == 9 else "")
            for m in application.members.all()]


def _links(expert) -> list[Organisation]:
    return [Organisation(name=link.name, siren=link.siren) for link in expert.links.all()]


def _check_times(start: datetime, end: datetime, *, now) -> None:
    if start is None or end is None or timezone.is_naive(start) or timezone.is_naive(end):
        raise SupportError(_("Choose a start and an end."))
    if end <= start:
        raise SupportError(_("The session must end after it starts."))
    if end - start > timedelta(hours=MAX_SESSION_HOURS):
        raise SupportError(_("A session lasts at most %(hours)s hours.") % {"hours": MAX_SESSION_HOURS})
    if start <= now:
        raise SupportError(_("A session is booked in the future."))


def _alternatives(expert, start, end):
    from .selectors import expert_free_slots

    return expert_free_slots(expert, start=start - timedelta(days=1), duration=end - start, limit=5)


def _taken(expert, start, end) -> SlotTaken:
    return SlotTaken(_("%(expert)s is already booked at that time (perhaps a moment ago, by someone else). "
                       "Nothing was booked: choose another slot.") % {"expert": expert.name},
                     alternatives=_alternatives(expert, start, end))


def _write_times(booking: Booking, *, expert, start, end) -> None:
    buffer = timedelta(minutes=expert.buffer_minutes)
    booking.start, booking.end = start, end
    booking.buffer_before = booking.buffer_after = expert.buffer_minutes
    booking.blocked_start, booking.blocked_end = start - buffer, end + buffer


def _save_guarded(booking: Booking, *, expert, exclude_pk=None) -> None:
    """Save the booking unless another active booking of the expert meets its blocked range; the
    expert's row is locked by the caller. On PostgreSQL the exclusion constraint is the last word."""
    clash = Booking.objects.overlapping(expert_id=expert.pk, start=booking.blocked_start, end=booking.blocked_end)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise _taken(expert, booking.start, booking.end)
    try:
        with transaction.atomic():
            booking.save()
    except IntegrityError as error:
        if "booking_expert_no_overlap" in str(error):
            raise _taken(expert, booking.start, booking.end) from None
        raise


def booking_create(*, need: PlanNeed, expert: Expert, start: datetime, end: datetime, actor, mode=Booking.Mode.REMOTE,
                   location: str = "", notes: str = "", now=None) -> Booking:
    """Book a session of `expert` for `need` (staff). The expert and the initiative's team receive an
    invitation with its .ics; the expert confirms or declines it."""
    require_staff(actor)
    now = now or timezone.now()
    _check_times(start, end, now=now)
    if mode not in Booking.Mode.values:
        raise SupportError(_("Choose remote or on site."))
    try:
        with transaction.atomic():
            expert = Expert.objects.select_for_update().get(pk=expert.pk)
            need = PlanNeed.objects.select_related("plan__grant__application").get(pk=need.pk)
            if not expert.active:
                raise SupportError(_("This expert is no longer active."))
            if mode == Booking.Mode.ON_SITE and expert.remote_only:
                raise SupportError(_("This expert works remotely only."))
            if mode == Booking.Mode.REMOTE and not expert.remote:
                raise SupportError(_("This expert works on site only."))
            member = conflict(_need_for_conflict(need), _expert_for_conflict(expert))
            if member is not None:
                raise SupportError(_("%(expert)s is linked to %(organisation)s, a member of the initiative: "
                                     "a conflict of interest.") % {"expert": expert.name,
                                                                   "organisation": member.name})
            booking = Booking(expert=expert, need=need, mode=mode, location=location.strip()[:300],
                              notes=notes.strip(), created_by=actor, status=BookingStatus.PROPOSED)
            _write_times(booking, expert=expert, start=start, end=end)
            _save_guarded(booking, expert=expert)
            audit(actor=actor, action="support.booking_created", target=booking,
                  after={"expert": expert.pk, "need": need.pk, "start": start.isoformat(), "end": end.isoformat(),
                         "mode": mode})
            notifications.invitations_send(booking)
    except IntegrityError as error:  # the exclusion constraint, raised at the commit of a deferred check
        if "booking_expert_no_overlap" in str(error):
            raise _taken(expert, start, end) from None
        raise
    return booking


def _need_for_conflict(need):
    from .matching import NeedFacts

    return NeedFacts(domain=need.domain, regions=frozenset(), members=tuple(_members(need.plan.grant.application)))


def _expert_for_conflict(expert):
    from .matching import ExpertFacts

    return ExpertFacts(id=expert.pk, name=expert.name, domains={}, links=tuple(_links(expert)))


def _open(booking_id) -> Booking:
    booking = (Booking.objects.select_for_update(of=("self",))
               .select_related("expert", "need__plan__grant__application").get(pk=booking_id))
    if booking.status not in (BookingStatus.PROPOSED, BookingStatus.CONFIRMED):
        raise SupportError(_("This session is no longer planned."))
    return booking


def _may_change(actor, booking, *, by_link) -> None:
    if by_link or is_staff_member(actor):
        return
    raise SupportError(_("Only the JOIN FORCES team can do this."))


@transaction.atomic
def booking_reschedule(*, booking: Booking, start: datetime, end: datetime, actor, by_link: str = "",
                       now=None) -> Booking:
    """Move a planned session (staff, or the expert or the team through their signed link): the
    calendars get the update (a higher SEQUENCE), and the expert confirms the new time."""
    _may_change(actor, booking, by_link=by_link)
    now = now or timezone.now()
    _check_times(start, end, now=now)
    Expert.objects.select_for_update().get(pk=booking.expert_id)
    booking = _open(booking.pk)
    before = {"start": booking.start.isoformat(), "end": booking.end.isoformat(), "status": booking.status}
    _write_times(booking, expert=booking.expert, start=start, end=end)
    booking.sequence += 1
    booking.status, booking.confirmed_at, booking.reminder_sent_at = BookingStatus.PROPOSED, None, None
    _save_guarded(booking, expert=booking.expert, exclude_pk=booking.pk)
    audit(actor=actor, action="support.booking_rescheduled", target=booking, before=before,
          after={"start": start.isoformat(), "end": end.isoformat(), "sequence": booking.sequence,
                 "by_link": by_link})
    notifications.invitations_send(booking)
    return booking


@transaction.atomic
def booking_cancel(*, booking: Booking, actor, reason: str = "", by_link: str = "") -> Booking:
    """Cancel a planned session (staff, or through a signed link): the calendars get METHOD:CANCEL."""
    _may_change(actor, booking, by_link=by_link)
    booking = _open(booking.pk)
    before = {"status": booking.status}
    booking.status, booking.cancelled_at = BookingStatus.CANCELLED, timezone.now()
    booking.cancel_reason = reason.strip()[:300]
    booking.sequence += 1
    booking.save(update_fields=["status", "cancelled_at", "cancel_reason", "sequence"])
    audit(actor=actor, action="support.booking_cancelled", target=booking, before=before,
          after={"status": booking.status, "reason": booking.cancel_reason, "by_link": by_link})
    notifications.cancellations_send(booking)
    return booking


def _require_own_expert(actor, booking, *, by_link: str = "") -> None:
    if by_link.startswith("expert:"):
        return  # the expert's own signed link
    if not (is_staff_member(actor) or (actor is not None and actor.is_authenticated
                                       and booking.expert.user_id == actor.pk)):
        raise SupportError(_("Only the expert of this session can answer it."))


@transaction.atomic
def booking_confirm(*, booking: Booking, actor, by_link: str = "") -> Booking:
    """The expert confirms a proposed session (from their space, or their signed link)."""
    booking = _open(booking.pk)
    _require_own_expert(actor, booking, by_link=by_link)
    if booking.status == BookingStatus.CONFIRMED:
        return booking
    booking.status, booking.confirmed_at = BookingStatus.CONFIRMED, timezone.now()
    booking.save(update_fields=["status", "confirmed_at"])
    audit(actor=actor, action="support.booking_confirmed", target=booking, before={"status": "proposed"},
          after={"status": booking.status, "by_link": by_link})
    notifications.answer_send(booking)
    return booking


@transaction.atomic
def booking_decline(*, booking: Booking, actor, reason: str = "") -> Booking:
    """The expert declines a proposed session: the time is free again, staff are told."""
    booking = _open(booking.pk)
    _require_own_expert(actor, booking)
    before = {"status": booking.status}
    booking.status, booking.cancel_reason = BookingStatus.DECLINED, reason.strip()[:300]
    booking.sequence += 1
    booking.save(update_fields=["status", "cancel_reason", "sequence"])
    audit(actor=actor, action="support.booking_declined", target=booking, before=before,
          after={"status": booking.status, "reason": booking.cancel_reason})
    notifications.answer_send(booking)
    notifications.cancellations_send(booking)
    return booking


def booking_reminders_send(*, now=None) -> int:
    """Remind the expert and the team of each planned session starting in the next 24 hours, once (a
    reschedule asks for a new reminder). Safe to run twice: the conditional update claims each booking."""
    now = now or timezone.now()
    due = Booking.objects.filter(status__in=[BookingStatus.PROPOSED, BookingStatus.CONFIRMED],
                                 start__gt=now, start__lte=now + timedelta(hours=24), reminder_sent_at__isnull=True)
    sent = 0
    for booking_id in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            if not Booking.objects.filter(pk=booking_id, reminder_sent_at__isnull=True).update(reminder_sent_at=now):
                continue
            booking = Booking.objects.select_related("expert", "need__plan__grant__application").get(pk=booking_id)
            notifications.reminders_send(booking)
            sent += 1
    return sent


def feedback_requests_send(*, now=None) -> int:
    """Sessions that ended: a confirmed one is delivered, and the expert and the team are asked for
    their feedback, once."""
    now = now or timezone.now()
    ended = Booking.objects.filter(status=BookingStatus.CONFIRMED, end__lte=now, feedback_requested_at__isnull=True)
    sent = 0
    for booking_id in list(ended.values_list("pk", flat=True)):
        with transaction.atomic():
            if not Booking.objects.filter(pk=booking_id, status=BookingStatus.CONFIRMED,
                                          feedback_requested_at__isnull=True).update(
                    status=BookingStatus.DELIVERED, feedback_requested_at=now):
                continue
            booking = Booking.objects.select_related("expert", "need__plan__grant__application").get(pk=booking_id)
            audit(actor=None, action="support.booking_delivered", target=booking, before={"status": "confirmed"},
                  after={"status": "delivered"})
            notifications.feedback_requests_send(booking)
            sent += 1
    return sent


@transaction.atomic
def feedback_give(*, booking: Booking, side: str, email: str, rating, comment: str = "") -> Feedback:
    """The feedback of one side (the expert or the initiative) on a delivered session, once."""
    if side not in Feedback.Side.values:
        raise SupportError(_("Unknown side."))
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        raise SupportError(_("Give a rating from 1 to 5.")) from None
    if not 1 <= rating <= 5:
        raise SupportError(_("Give a rating from 1 to 5."))
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    if booking.status != BookingStatus.DELIVERED:
        raise SupportError(_("Feedback is given once the session has taken place."))
    if Feedback.objects.filter(booking=booking, side=side).exists():
        raise SupportError(_("Feedback has already been given for this session. Thank you!"))
    feedback = Feedback.objects.create(booking=booking, side=side, author_email=email, rating=rating,
                                       comment=comment.strip()[:4000])
    audit(actor=None, action="support.feedback_given", target=booking,
          after={"side": side, "rating": rating, "by": email})
    return feedback


# --- Experts' availability -------------------------------------------------------------------------


def _require_expert_or_staff(actor, expert) -> None:
    if not (is_staff_member(actor) or (actor.is_authenticated and expert.user_id == actor.pk)):
        raise SupportError(_("Only the expert or the JOIN FORCES team can change this availability."))


@transaction.atomic
def availability_set(*, expert: Expert, actor, rules, days_off=None) -> Expert:
    """Replace the expert's weekly availability (`rules`: (weekday, start, end) in the expert's time
    zone) and, when given, their days off ((first, last, reason))."""
    _require_expert_or_staff(actor, expert)
    clean = []
    for weekday, start, end in rules:
        if not (isinstance(start, time) and isinstance(end, time)) or not 0 <= int(weekday) <= 6:
            raise SupportError(_("Each slot has a day, a start and an end."))
        if end <= start:
            raise SupportError(_("A slot must end after it starts."))
        clean.append((int(weekday), start, end))
    clean.sort()
    for (day_a, _start_a, end_a), (day_b, start_b, _end_b) in pairwise(clean):
        if day_a == day_b and start_b < end_a:
            raise SupportError(_("Two slots of the same day overlap."))
    expert = Expert.objects.select_for_update().get(pk=expert.pk)
    before = [[r.weekday, r.start_time.isoformat("minutes"), r.end_time.isoformat("minutes")]
              for r in expert.availability_rules.all()]
    AvailabilityRule.objects.filter(expert=expert).delete()
    AvailabilityRule.objects.bulk_create([AvailabilityRule(expert=expert, weekday=d, start_time=s, end_time=e)
                                          for d, s, e in clean])
    after = {"rules": [[d, s.isoformat("minutes"), e.isoformat("minutes")] for d, s, e in clean]}
    if days_off is not None:
        rows = []
        for first, last, reason in days_off:
            if last < first:
                raise SupportError(_("A period of days off ends before it starts."))
            rows.append(AvailabilityException(expert=expert, start_date=first, end_date=last,
                                              reason=(reason or "").strip()[:200]))
        AvailabilityException.objects.filter(expert=expert).delete()
        AvailabilityException.objects.bulk_create(rows)
        after["days_off"] = [[str(r.start_date), str(r.end_date)] for r in rows]
    audit(actor=actor, action="support.availability_set", target=expert, before={"rules": before}, after=after)
    return expert


# --- Valuation and payments --------------------------------------------------------------------------


@transaction.atomic
def payment_record(*, plan: SupportPlan, expert: Expert, amount, reference: str, actor) -> SupportPayment:
    """The fund pays an expert for the initiative's support: recorded in the ledger as support spending
    for that initiative (so that the redistribution figures stay true), and kept beside the plan."""
    from grants.services import GrantError, ledger_record_support_spending

    require_staff(actor)
    if expert.pro_bono:
        raise SupportError(_("%(expert)s works pro bono: the fund pays nothing.") % {"expert": expert.name})
    if not reference.strip():
        raise SupportError(_("Give the reference of the payment (invoice)."))
    plan = SupportPlan.objects.select_related("grant").get(pk=plan.pk)
    try:
        entry = ledger_record_support_spending(grant=plan.grant, amount=amount,
                                               reference=f"{reference.strip()} · {expert.name}"[:140], actor=actor)
    except GrantError as error:
        raise SupportError(error.message) from None
    payment = SupportPayment.objects.create(plan=plan, expert=expert, amount=entry.amount,
                                            reference=reference.strip()[:100], entry=entry, created_by=actor)
    audit(actor=actor, action="support.payment_recorded", target=plan,
          after={"expert": expert.pk, "amount": str(entry.amount), "entry": entry.pk,
                 "reference": payment.reference})
    return payment
