"""The pages of an expert (their sessions to confirm or decline, their availability) and of an
initiative's team (its support plan and sessions). Each loads its objects through `visible_to`: an
expert sees only their bookings, a team only its own plan; anyone else gets a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from joinforces.accounts.decorators import role_required
from joinforces.accounts.rules import is_expert

from .. import selectors, services
from ..forms import AvailabilityForm, DayOffFormSet, DeclineForm
from ..models import Booking, BookingStatus, Expert, SupportPlan


def _own_expert(user) -> Expert:
    expert = Expert.objects.visible_to(user).filter(user=user).first()
    if expert is None:
        raise Http404
    return expert


@role_required(is_expert)
def expert_bookings(request):
    expert = _own_expert(request.user)
    bookings = list(Booking.objects.visible_to(request.user).filter(expert=expert)
                    .select_related("need__plan__grant__application").order_by("-start")[:100])
    now = timezone.now()
    return render(request, "support/expert_bookings.html", {
        "expert": expert, "coming": sorted((b for b in bookings if b.end >= now), key=lambda b: b.start),
        "past": [b for b in bookings if b.end < now], "proposed": BookingStatus.PROPOSED,
        "decline_form": DeclineForm()})


def _expert_booking(user, pk) -> Booking:
    return get_object_or_404(Booking.objects.visible_to(user).filter(expert__user=user)
                             .select_related("expert", "need__plan__grant__application"), pk=pk)


@role_required(is_expert)
@require_POST
def booking_confirm(request, pk):
    booking = _expert_booking(request.user, pk)
    try:
        services.booking_confirm(booking=booking, actor=request.user)
    except services.SupportError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Thank you: the session is confirmed."))
    return redirect("support:expert_bookings")


@role_required(is_expert)
@require_POST
def booking_decline(request, pk):
    booking = _expert_booking(request.user, pk)
    form = DeclineForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.booking_decline(booking=booking, actor=request.user, reason=reason)
    except services.SupportError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The session is declined: the JOIN FORCES team is told."))
    return redirect("support:expert_bookings")


@role_required(is_expert)
def expert_availability(request):
    expert = _own_expert(request.user)
    rules = list(expert.availability_rules.order_by("weekday", "start_time"))
    days_off = [{"start_date": e.start_date, "end_date": e.end_date, "reason": e.reason}
                for e in expert.availability_exceptions.order_by("start_date")]
    if request.method == "POST":
        form = AvailabilityForm(request.POST, rules=rules)
        formset = DayOffFormSet(request.POST, prefix="conges")
        if form.is_valid() and formset.is_valid():
            periods = [(f.cleaned_data["start_date"], f.cleaned_data["end_date"], f.cleaned_data.get("reason", ""))
                       for f in formset.forms
                       if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("start_date")]
            try:
                services.availability_set(expert=expert, actor=request.user, rules=form.cleaned_data["rules"],
                                          days_off=periods)
            except services.SupportError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("Your availability is saved."))
                return redirect("support:expert_availability")
        else:
            messages.error(request, _("Your availability was not saved: please correct the errors below."))
    else:
        form = AvailabilityForm(rules=rules)
        formset = DayOffFormSet(initial=days_off, prefix="conges")
    return render(request, "support/expert_availability.html",
                  {"expert": expert, "form": form, "formset": formset})


@login_required
def team_plan(request, pk):
    """The initiative's own view of its plan: needs, days used against the budget, sessions."""
    plan = get_object_or_404(SupportPlan.objects.visible_to(request.user).select_related("grant__application"), pk=pk)
    figures = selectors.plan_figures(plan)
    return render(request, "support/team_plan.html", {"plan": plan, "application": plan.grant.application,
                                                      "figures": figures})
