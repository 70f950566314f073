"""Load the demo data: one account per role, then each app's demo data, in dependency order."""

from dataclasses import dataclass, field
from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings
from django.utils import translation

# Lower apps first: each app's demo may use what the apps before it created.
DEMO_MODULES = [
    "joinforces.accounts.demo",
    "eligibility.demo",
    "applications.demo",
    "grants.demo",
    "support.demo",
    "events.demo",
    "joinforces.portal.demo",  # last: the history the indicators and the annual report read
]


DUMMY_EMAIL = "django.core.mail.backends.dummy.EmailBackend"


@dataclass
class DemoContext:
    users: dict = field(default_factory=dict)
    accounts: list = field(default_factory=list)
    stdout: object = None


class Command(BaseCommand):
    help = "Load demo data (one account per role). Running it twice changes nothing."

    def handle(self, *args, **options):
        from joinforces.accounts.demo import DEMO_PASSWORD

        context = DemoContext(stdout=self.stdout)
        # Demo emails are recorded as notifications but not printed: the console stays readable.
        with translation.override("fr"), override_settings(EMAIL_BACKEND=DUMMY_EMAIL), transaction.atomic():
            for module in DEMO_MODULES:
                import_module(module).seed(context)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Demo accounts (password: {DEMO_PASSWORD}):"))
        for role, email in context.accounts:
            self.stdout.write(f"  {role:<22} {email}")
        self.stdout.write("Staff and committee members are asked to set up two-factor authentication first.")
