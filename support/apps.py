from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupportConfig(AppConfig):
    name = "support"
    verbose_name = _("Support")

    def ready(self):
        from . import panels, receivers, rules  # noqa: F401  (signal handlers, permissions, "my space" panels)
