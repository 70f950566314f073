"""Signed links in the emails of a booking: the expert or a person of the initiative's team cancels or
moves the session, or gives their feedback, without logging in. A link names the booking, the side and
the person's email, is signed with the site's secret (Django's signing) and expires.

    url = manage_url(booking, side="expert", email=expert.email)
    data = read_token(token, purpose="manage")   # {"booking": 12, "side": "expert", "email": "..."} or None
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "support.booking-link"
MAX_AGE = {"manage": 60 * 60 * 24 * 120, "feedback": 60 * 60 * 24 * 60}


def make_token(booking, *, side: str, email: str, purpose: str) -> str:
    return signing.dumps({"b": booking.pk, "s": side, "e": email.lower(), "p": purpose}, salt=SALT, compress=True)


def read_token(token: str, *, purpose: str) -> dict | None:
    """The link's content, or None if it was altered, has expired or is for another purpose."""
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE[purpose])
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("p") != purpose:
        return None
    return {"booking": data.get("b"), "side": data.get("s"), "email": data.get("e")}


def manage_url(booking, *, side: str, email: str) -> str:
    token = make_token(booking, side=side, email=email, purpose="manage")
    return f"{settings.SITE_URL}{reverse('support:link_manage', args=[token])}"


def feedback_url(booking, *, side: str, email: str) -> str:
    token = make_token(booking, side=side, email=email, purpose="feedback")
    return f"{settings.SITE_URL}{reverse('support:link_feedback', args=[token])}"
