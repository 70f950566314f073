"""The "my space" panel of events: the person's registrations (with an account), with their links.
Importing this module registers the panel (events/apps.py imports it in `ready()`)."""

from django.utils.translation import gettext_lazy as _

from joinforces.core.panels import Panel, register_panel

from . import services
from .selectors import user_registrations

PANEL_LIMIT = 10


def events_panel_context(request):
    """None for anyone with no registration: one query."""
    if not request.user.is_authenticated:
        return None
    registrations = list(user_registrations(request.user)[: PANEL_LIMIT])
    if not registrations:
        return None
    return {"registrations": [(r, services.sign(r.public_id, services.REGISTRATION_SALT)) for r in registrations]}


register_panel(Panel(key="events", title=_("My events"), template="events/panel.html",
                     context=events_panel_context, order=40))
