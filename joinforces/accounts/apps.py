from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "joinforces.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from joinforces.core.panels import Panel, register_panel

        from . import signals  # noqa: F401
        from .panels import account_panel_context

        register_panel(
            Panel(key="account", title=_("My account"), template="accounts/panel.html",
                  context=account_panel_context, order=1000)
        )
