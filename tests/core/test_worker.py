"""A real Celery worker on Redis delivers the welcome email (DESIGN §2: real-worker tests)."""


import pytest
from django.core import mail

from joinforces.core.models import Notification

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_welcome_email_is_sent_by_a_real_worker(celery_worker_on_redis, make_user):
    from joinforces.accounts.services import account_welcome
    from joinforces.core.tasks import notification_deliver_task

    user = make_user()
    notification = account_welcome(user=user)  # enqueued on commit, to the worker
    # Wait for the worker through a second delivery of the same notification: it finds it sent.
    result = notification_deliver_task.delay(notification.pk)
    assert result.get(timeout=20) == "sent"
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert [m.to for m in mail.outbox] == [[user.email]]
