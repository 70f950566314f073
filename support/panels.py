"""The panels of support in "my space": an expert's coming sessions (to confirm or decline), and an
initiative team's support plan with its sessions. A fixed number of queries whatever the number of
bookings.

Importing this module registers the panels (support/apps.py imports it in `ready()`)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from joinforces.core.panels import Panel, register_panel

from .models import Booking, BookingStatus, Expert, SupportPlan

PANEL_LIMIT = 5


def expert_panel_context(request):
    """None for anyone who is not an expert of the resource centre with an account (no query for
    people without the expert role)."""
    from joinforces.accounts.rules import is_expert

    user = request.user
    if not is_expert(user):
        return None
    expert = Expert.objects.filter(user=user).first()
    if expert is None:
        return None
    coming = list(Booking.objects.filter(expert=expert, end__gte=timezone.now(),
                                         status__in=[BookingStatus.PROPOSED, BookingStatus.CONFIRMED])
                  .select_related("need__plan__grant__application").order_by("start")[: PANEL_LIMIT + 1])
    return {"expert": expert, "bookings": coming[:PANEL_LIMIT], "more": len(coming) > PANEL_LIMIT,
            "to_answer": sum(1 for b in coming if b.status == BookingStatus.PROPOSED)}


def initiative_panel_context(request):
    """None for anyone in no supported initiative's team."""
    user = request.user
    if not user.is_authenticated:
        return None
    plans = list(SupportPlan.objects.visible_to(user).filter(grant__application__team__user=user)
                 .select_related("grant__application").order_by("-created_at")[:3])
    if not plans:
        return None
    coming = list(Booking.objects.filter(need__plan__in=plans, end__gte=timezone.now(),
                                         status__in=[BookingStatus.PROPOSED, BookingStatus.CONFIRMED])
                  .select_related("expert", "need").order_by("start")[:PANEL_LIMIT])
    return {"plans": plans, "bookings": coming}


register_panel(Panel(key="expert", title=_("My support sessions"), template="support/expert_panel.html",
                     context=expert_panel_context, order=25))
register_panel(Panel(key="support", title=_("Our support"), template="support/initiative_panel.html",
                     context=initiative_panel_context, order=17))
