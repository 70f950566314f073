from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GrantsConfig(AppConfig):
    name = "grants"
    verbose_name = _("Grants and the redistribution ledger")

    def ready(self):
        from . import receivers, rules  # noqa: F401  (signal handlers and permissions)
        from .panels import donor_panel_context  # noqa: F401  (importing it registers the donor's panel)
