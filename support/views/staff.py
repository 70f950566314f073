"""The staff's pages of support, under /equipe/accompagnement/ (staff with MFA): the plans, a plan with
its needs and figures, the matching page of a need (ranked experts with their reasons and free slots in
the staff's time zone), booking a slot, a booking (move, cancel), the agenda by expert or initiative,
and the experts' load for a month. Thin: access → form → service → message → redirect."""

from datetime import date, datetime, time, timedelta

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from joinforces.accounts.decorators import staff_required

from .. import selectors, services
from ..forms import DURATIONS, BookingForm, CancelForm, NeedForm, PaymentForm, RescheduleForm, SlotRescheduleForm
from ..models import ACTIVE_STATUSES, Booking, BookingStatus, Expert, SupportPlan


def _plan(user, pk) -> SupportPlan:
    return get_object_or_404(SupportPlan.objects.visible_to(user).select_related("grant__application"), pk=pk)


def _booking(user, pk) -> Booking:
    return get_object_or_404(Booking.objects.visible_to(user).select_related(
        "expert", "need__plan__grant__application"), pk=pk)


@staff_required
def plan_list(request):
    return render(request, "support/staff/plan_list.html", {"rows": selectors.plans_overview()})


def _plan_context(plan, *, need_form=None, payment_form=None):
    figures = selectors.plan_figures(plan)
    paid_experts = Expert.objects.filter(bookings__need__plan=plan, pro_bono=False).distinct().order_by("name")
    return {"plan": plan, "application": plan.grant.application, "grant": plan.grant, "figures": figures,
            "need_form": need_form or NeedForm(), "payment_form": payment_form or PaymentForm(experts=paid_experts),
            "active": ACTIVE_STATUSES}


@staff_required
def plan_detail(request, pk):
    plan = _plan(request.user, pk)
    return render(request, "support/staff/plan_detail.html", _plan_context(plan))


def _save_need(request, plan, need=None):
    form = NeedForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The need was not saved: please correct the errors below."))
        return None, form
    data = form.cleaned_data
    try:
        saved = services.need_save(plan=plan, need=need, actor=request.user, domain=data["domain"],
                                   budget_days=data["budget_days"], description=data["description"],
                                   window_start=data["window_start"], window_end=data["window_end"],
                                   territories=data["territories"], languages=data["languages"],
                                   remote_allowed=data["remote_allowed"], minimum_level=data["minimum_level"])
    except services.SupportError as error:
        messages.error(request, error.message)
        return None, form
    messages.success(request, _("The need is saved."))
    return saved, form


@staff_required
@require_POST
def need_add(request, pk):
    plan = _plan(request.user, pk)
    saved, form = _save_need(request, plan)
    if saved is None:
        return render(request, "support/staff/plan_detail.html", _plan_context(plan, need_form=form), status=400)
    return redirect("support:plan_detail", pk=plan.pk)


@staff_required
def need_edit(request, pk):
    need = selectors.need_for_staff(request.user, pk)
    if request.method == "POST":
        saved, form = _save_need(request, need.plan, need)
        if saved is not None:
            return redirect("support:plan_detail", pk=need.plan_id)
    else:
        form = NeedForm(initial={
            "domain": need.domain, "budget_days": need.budget_days, "description": need.description,
            "window_start": need.window_start, "window_end": need.window_end,
            "territories": [t.pk for t in need.territories.all()], "languages": need.languages,
            "remote_allowed": need.remote_allowed, "minimum_level": need.minimum_level})
    return render(request, "support/staff/need_edit.html", {"need": need, "plan": need.plan, "form": form})


def _duration(request) -> timedelta:
    try:
        minutes = int(request.GET.get("duree") or request.POST.get("duration") or 120)
    except ValueError:
        minutes = 120
    if minutes not in {value for value, _label in DURATIONS}:
        minutes = 120
    return timedelta(minutes=minutes)


def _match_context(request, need, *, duration, taken=None, form=None):
    ranked = selectors.ranked_experts(need, duration=duration)
    start, end = selectors.need_window(need, today=timezone.localdate())
    return {"need": need, "plan": need.plan, "application": need.plan.grant.application, "ranked": ranked,
            "window": (start, end), "duration": int(duration.total_seconds() // 60), "durations": DURATIONS,
            "taken": taken, "form": form, "modes": Booking.Mode.choices,
            "user_time_zone": timezone.get_current_timezone_name()}


@staff_required
def need_match(request, pk):
    need = selectors.need_for_staff(request.user, pk)
    return render(request, "support/staff/need_match.html", _match_context(request, need, duration=_duration(request)))


@staff_required
@require_POST
def book(request, pk):
    """Book the slot chosen on the matching page. If the expert was booked meanwhile (by someone else, a
    moment ago), the page comes back with the message and the expert's next free slots."""
    need = selectors.need_for_staff(request.user, pk)
    form = BookingForm(request.POST)
    duration = _duration(request)
    if not form.is_valid():
        messages.error(request, _("Nothing was booked: choose a slot, a duration and a mode."))
        return render(request, "support/staff/need_match.html",
                      _match_context(request, need, duration=duration, form=form), status=400)
    expert = get_object_or_404(Expert.objects.visible_to(request.user), pk=form.cleaned_data["expert"])
    try:
        booking = services.booking_create(
            need=need, expert=expert, start=form.cleaned_data["start"], end=form.end, actor=request.user,
            mode=form.cleaned_data["mode"], location=form.cleaned_data["location"], notes=form.cleaned_data["notes"])
    except services.SlotTaken as taken:
        messages.error(request, taken.message)
        return render(request, "support/staff/need_match.html",
                      _match_context(request, need, duration=duration,
                                     taken={"expert": expert, "alternatives": taken.alternatives}), status=409)
    except services.SupportError as error:
        messages.error(request, error.message)
        return render(request, "support/staff/need_match.html", _match_context(request, need, duration=duration),
                      status=400)
    messages.success(request, _("The session is booked: %(expert)s and the initiative's team have their invitation; "
                                "the expert is asked to confirm it.") % {"expert": expert.name})
    return redirect("support:booking_detail", pk=booking.pk)


@staff_required
def booking_detail(request, pk):
    booking = _booking(request.user, pk)
    local = timezone.localtime(booking.start)
    minutes = int((booking.end - booking.start).total_seconds() // 60)
    reschedule = RescheduleForm(initial={"start": local.replace(tzinfo=None), "duration": minutes})
    planned = booking.status in (BookingStatus.PROPOSED, BookingStatus.CONFIRMED)
    slots = selectors.expert_free_slots(booking.expert, start=booking.start, duration=booking.end - booking.start,
                                        limit=6) if planned else []
    return render(request, "support/staff/booking_detail.html", {
        "booking": booking, "application": booking.need.plan.grant.application,
        "reschedule_form": reschedule, "cancel_form": CancelForm(), "planned": planned, "slots": slots,
        "feedback": list(booking.feedback.all())})


@staff_required
@require_POST
def booking_reschedule(request, pk):
    booking = _booking(request.user, pk)
    if "slot" in request.POST:  # one of the expert's free slots, same length
        slot_form = SlotRescheduleForm({"start": request.POST.get("slot", "")})
        if not slot_form.is_valid():
            messages.error(request, _("Choose one of the slots offered."))
            return redirect("support:booking_detail", pk=booking.pk)
        start, end = slot_form.cleaned_data["start"], None
    else:
        form = RescheduleForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("The session was not moved: give a new start and a duration."))
            return redirect("support:booking_detail", pk=booking.pk)
        start = form.cleaned_data["start"]
        if timezone.is_naive(start):
            start = timezone.make_aware(start)
        end = start + timedelta(minutes=form.cleaned_data["duration"])
    end = end or start + (booking.end - booking.start)
    try:
        services.booking_reschedule(booking=booking, start=start, end=end, actor=request.user)
    except services.SlotTaken as taken:
        slots = ", ".join(timezone.localtime(s).strftime("%d/%m %H:%M") for s, _e in taken.alternatives)
        messages.error(request, f"{taken.message} {_('Free slots:')} {slots}" if slots else taken.message)
    except services.SupportError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The session is moved: everyone has the updated invitation."))
    return redirect("support:booking_detail", pk=booking.pk)


@staff_required
@require_POST
def booking_cancel(request, pk):
    booking = _booking(request.user, pk)
    form = CancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.booking_cancel(booking=booking, actor=request.user, reason=reason)
    except services.SupportError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The session is cancelled: everyone is told and the calendars updated."))
    return redirect("support:booking_detail", pk=booking.pk)


@staff_required
@require_POST
def payment_record(request, pk):
    plan = _plan(request.user, pk)
    experts = Expert.objects.filter(bookings__need__plan=plan, pro_bono=False).distinct()
    form = PaymentForm(request.POST, experts=experts)
    if not form.is_valid():
        messages.error(request, _("The payment was not recorded: please correct the errors below."))
        return render(request, "support/staff/plan_detail.html", _plan_context(plan, payment_form=form), status=400)
    try:
        services.payment_record(plan=plan, expert=form.cleaned_data["expert"], amount=form.cleaned_data["amount"],
                                reference=form.cleaned_data["reference"], actor=request.user)
    except services.SupportError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The payment is recorded in the ledger as support for this initiative."))
    return redirect("support:plan_detail", pk=plan.pk)


AGENDA_DAYS = 28


def _parse_day(value) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@staff_required
def agenda(request):
    """The bookings of four weeks, by day, for one expert or one initiative (or all)."""
    first = _parse_day(request.GET.get("du")) or timezone.localdate()
    try:
        expert_id = int(request.GET.get("expert") or 0) or None
        plan_id = int(request.GET.get("plan") or 0) or None
    except ValueError:
        raise Http404 from None
    start = timezone.make_aware(datetime.combine(first, time(0)))
    end = start + timedelta(days=AGENDA_DAYS)
    bookings = list(selectors.agenda(start=start, end=end, expert_id=expert_id, plan_id=plan_id))
    days = {}
    for booking in bookings:
        days.setdefault(timezone.localdate(booking.start), []).append(booking)
    return render(request, "support/staff/agenda.html", {
        "days": sorted(days.items()), "first": first, "last": first + timedelta(days=AGENDA_DAYS - 1),
        "previous": first - timedelta(days=AGENDA_DAYS), "next": first + timedelta(days=AGENDA_DAYS),
        "experts": Expert.objects.order_by("name").only("pk", "name"),
        "plans": SupportPlan.objects.select_related("grant__application").order_by("grant__application__name"),
        "expert_id": expert_id, "plan_id": plan_id, "count": len(bookings)})


@staff_required
def load(request):
    """Each expert's hours booked in a month against their capacity."""
    value = request.GET.get("mois", "")
    try:
        month = datetime.strptime(value, "%Y-%m").date() if value else timezone.localdate().replace(day=1)
    except ValueError:
        month = timezone.localdate().replace(day=1)
    previous = (month - timedelta(days=1)).replace(day=1)
    following = (month + timedelta(days=32)).replace(day=1)
    return render(request, "support/staff/load.html", {
        "month": month, "rows": selectors.experts_load(month), "previous": previous, "next": following,
        "agenda_url": reverse("support:agenda")})
