"""The pages reached from the signed links of the emails, without logging in: the expert or a person of
the team cancels or moves a session (to one of the expert's free slots), or gives their feedback. A link
that was altered or has expired, or whose person is no longer concerned, is a 404."""

from datetime import timedelta

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .. import selectors, services
from ..forms import CancelForm, FeedbackForm, SlotRescheduleForm
from ..links import read_token
from ..models import Booking, BookingStatus, Feedback
from ..notifications import recipients


def _from_token(token, purpose):
    data = read_token(token, purpose=purpose)
    if data is None:
        raise Http404
    booking = (Booking.objects.select_related("expert", "need__plan__grant__application")
               .filter(pk=data["booking"]).first())
    if booking is None or (data["side"], data["email"]) not in {(s, e.lower()) for s, e in recipients(booking)}:
        raise Http404
    return booking, data


def link_manage(request, token):
    booking, data = _from_token(token, "manage")
    planned = booking.status in (BookingStatus.PROPOSED, BookingStatus.CONFIRMED)
    by = f"{data['side']}:{data['email']}"
    if request.method == "POST" and planned:
        if request.POST.get("action") == "confirm" and data["side"] == "expert":
            try:
                services.booking_confirm(booking=booking, actor=None, by_link=by)
            except services.SupportError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("Thank you: the session is confirmed."))
            return redirect("support:link_manage", token=token)
        if request.POST.get("action") == "cancel":
            form = CancelForm(request.POST)
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            try:
                services.booking_cancel(booking=booking, actor=None, reason=reason, by_link=by)
            except services.SupportError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("The session is cancelled: everyone concerned is told."))
            return redirect("support:link_manage", token=token)
        form = SlotRescheduleForm(request.POST)
        if form.is_valid():
            start = form.cleaned_data["start"]
            try:
                services.booking_reschedule(booking=booking, start=start, end=start + (booking.end - booking.start),
                                            actor=None, by_link=by)
            except services.SupportError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("The session is moved: everyone has the updated invitation."))
                return redirect("support:link_manage", token=token)
        else:
            messages.error(request, _("Choose one of the slots offered."))
    slots = selectors.expert_free_slots(booking.expert, start=booking.start, duration=booking.end - booking.start,
                                        limit=8) if planned else []
    return render(request, "support/link_manage.html", {
        "booking": booking, "application": booking.need.plan.grant.application, "planned": planned,
        "slots": slots, "cancel_form": CancelForm(), "side": data["side"], "token": token,
        "to_confirm": data["side"] == "expert" and booking.status == BookingStatus.PROPOSED,
        "duration": booking.end - booking.start or timedelta(0)})


def link_feedback(request, token):
    booking, data = _from_token(token, "feedback")
    given = Feedback.objects.filter(booking=booking, side=data["side"]).first()
    form = FeedbackForm(request.POST or None)
    if request.method == "POST" and given is None:
        if form.is_valid():
            try:
                services.feedback_give(booking=booking, side=data["side"], email=data["email"],
                                       rating=form.cleaned_data["rating"], comment=form.cleaned_data["comment"])
            except services.SupportError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("Thank you for your feedback."))
            return redirect("support:link_feedback", token=token)
        messages.error(request, _("Give a rating from 1 to 5."))
    return render(request, "support/link_feedback.html", {
        "booking": booking, "application": booking.need.plan.grant.application, "form": form, "given": given,
        "delivered": booking.status == BookingStatus.DELIVERED})
