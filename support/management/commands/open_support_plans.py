"""Open the support plan of every active grant that has none yet (grants activated before support was
deployed, or while its task could not run). Safe to run again: a plan is opened once."""

from django.core.management.base import BaseCommand

from grants.models import Grant, GrantStatus
from support.services import plan_create_for_grant


class Command(BaseCommand):
    help = "Open the support plan of each active grant that has none (idempotent)."

    def handle(self, *args, **options):
        grants = Grant.objects.filter(status=GrantStatus.ACTIVE, support_plan__isnull=True).order_by("pk")
        opened = [plan_create_for_grant(grant=grant) for grant in grants]
        self.stdout.write(f"{len(opened)} support plan(s) opened.")
