"""What grants does when applications publishes a decision: a selection becomes a grant. The handler
only enqueues the task (DESIGN §3); the service does the work."""

from django.dispatch import receiver

from applications.models import Outcome
from applications.signals import decision_published


@receiver(decision_published, dispatch_uid="grants.grant_from_decision")
def prepare_grant(sender, decision, **kwargs):
    from .tasks import grant_from_decision_task

    if decision.outcome == Outcome.SELECTED:
        grant_from_decision_task.delay(decision.pk)
