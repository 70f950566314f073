"""The staff's full admin site. `is_staff` only means "may open an admin site"; this one is for
the staff role. Login goes through allauth (rate limits and MFA), see joinforces/urls.py."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _


class JoinForcesAdminSite(admin.AdminSite):
    site_header = _("JOIN FORCES administration")
    site_title = _("JOIN FORCES")
    index_title = _("Staff administration")

    def has_permission(self, request):
        from joinforces.accounts.rules import is_staff_member

        user = request.user
        return user.is_active and (user.is_superuser or is_staff_member(user))
