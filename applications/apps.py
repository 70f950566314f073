from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = _("Applications")

    def ready(self):
        from joinforces.core.panels import Panel, register_panel

        from .panels import applications_panel_context

        register_panel(Panel(key="applications", title=_("My applications"), template="applications/panel.html",
                             context=applications_panel_context, order=10))
