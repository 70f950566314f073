from django.utils import timezone

from joinforces.accounts.rules import is_applicant

from .models import Call
from .selectors import team_applications

PANEL_LIMIT = 10


def applications_panel_context(request):
    """The team's applications with status, deadline and next step; open calls to start one."""
    user = request.user
    applications = list(team_applications(user)[: PANEL_LIMIT + 1])
    if not applications and not is_applicant(user):
        return None
    now = timezone.now()
    return {
        "applications": applications[:PANEL_LIMIT],
        "more": len(applications) > PANEL_LIMIT,
        "open_calls": list(Call.objects.open_at(now).order_by("closes_at")[:3]),
        "now": now,
    }
