"""Access to pages by role: one decorator, used by every app's staff, committee or expert pages.

    @role_required(is_staff_member)
    def staff_home(request): ...

Anonymous visitors are sent to log in; people without the role get a 403 (the page's existence
is no secret, unlike an object's); roles that need MFA are sent to set it up first.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse

from .middleware import mfa_setup_required
from .rules import is_staff_member


def role_required(predicate):
    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not predicate(request.user):
                raise PermissionDenied
            if mfa_setup_required(request.user):
                return redirect(f"{reverse('mfa_activate_totp')}?next={request.path}")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


staff_required = role_required(is_staff_member)
