"""What support does when grants activates a grant: the initiative's support plan is opened. The
handler only enqueues the task (DESIGN §3); the service does the work."""

from django.dispatch import receiver

from grants.signals import grant_activated


@receiver(grant_activated, dispatch_uid="support.plan_from_grant")
def open_support_plan(sender, grant, **kwargs):
    from .tasks import plan_from_grant_task

    plan_from_grant_task.delay(grant.pk)
