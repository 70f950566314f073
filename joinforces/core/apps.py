from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    default = True
    name = "joinforces.core"
    label = "core"
    verbose_name = _("Shared services")


class JoinForcesAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "joinforces.core.admin_site.JoinForcesAdminSite"
