"""The donor's panel of "my space": for each donor the person is a contact of, its figures, its latest
donations (with their tax receipts) and its pledges. A fixed number of queries per donor, whatever the
number of donations (themes are prefetched, the content type of the receipt link is cached).

Importing this module registers the panel (grants/apps.py imports it in `ready()`)."""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from joinforces.core.models import Theme
from joinforces.core.panels import Panel, register_panel

from .models import Donation, DonorContact, Pledge
from .selectors import donor_figures

PANEL_LIMIT = 10


def donor_panel_context(request):
    """None for anyone who is not a donor's contact."""
    user = request.user
    if not user.is_authenticated:
        return None
    contacts = list(DonorContact.objects.filter(user=user).select_related("donor").order_by("donor__name"))
    if not contacts:
        return None
    themes = Prefetch("themes", queryset=Theme.objects.order_by("position", "code"))
    donors = []
    for contact in contacts:
        donor = contact.donor
        donations = list(Donation.objects.filter(donor=donor).prefetch_related(themes)
                         .order_by("-received_on", "-pk")[: PANEL_LIMIT + 1])
        pledges = list(Pledge.objects.filter(donor=donor).prefetch_related(themes)
                       .order_by("-pledged_on", "-pk")[: PANEL_LIMIT + 1])
        donors.append({
            "donor": donor,
            "figures": donor_figures(donor),
            "donations": donations[:PANEL_LIMIT],
            "more_donations": len(donations) > PANEL_LIMIT,
            "pledges": pledges[:PANEL_LIMIT],
            "more_pledges": len(pledges) > PANEL_LIMIT,
        })
    return {"donors": donors}


register_panel(Panel(key="donor", title=_("My donations"), template="grants/panel.html",
                     context=donor_panel_context, order=20))
