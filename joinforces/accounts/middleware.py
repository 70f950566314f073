import zoneinfo

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .rules import needs_mfa


class UserPreferencesMiddleware:
    """A signed-in person sees the site in their own language and time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if user.language:
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.timezone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)


def mfa_setup_required(user) -> bool:
    return needs_mfa(user) and not is_mfa_enabled(user)


class RequireMFAMiddleware:
    """Sends staff and committee members without MFA to its set-up before any admin or staff page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if any(path.startswith(prefix) for prefix in settings.MFA_REQUIRED_PATH_PREFIXES):
            user = request.user
            if user.is_authenticated and mfa_setup_required(user):
                messages.warning(
                    request,
                    _("Please set up two-factor authentication before opening this page: it protects the "
                      "applications and the money that JOIN FORCES handles."),
                )
                return redirect(f"{reverse('mfa_activate_totp')}?next={path}")
        return self.get_response(request)
