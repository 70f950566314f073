"""`python manage.py check_ledger`: recompute every balance from the ledger's rows; print each
difference and exit non-zero on any."""

from django.core.management.base import BaseCommand, CommandError

from grants.services import ledger_differences


class Command(BaseCommand):
    help = "Recompute donations, tranches, entries, grants and the pool from the ledger's rows."

    def handle(self, *args, **options):
        problems = ledger_differences()
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(f"{len(problems)} difference(s) in the ledger.")
        self.stdout.write(self.style.SUCCESS("Ledger sound: every balance matches its rows."))
