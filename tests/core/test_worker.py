"""A real Celery worker on Redis delivers the welcome email (DESIGN §2: real-worker tests)."""

import os

import pytest
from django.core import mail

from joinforces.core.models import Notification

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(scope="module")
def celery_worker_on_redis():
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        yield None  # the autouse marker fixture skips (or fails in CI) each test
        return
    from celery.contrib.testing.worker import start_worker

    from joinforces.celery import app

    # The test settings point the broker and the results at a Redis database of their own (15).
    assert app.conf.broker_url.endswith("/15") and app.conf.result_backend.endswith("/15")
    app.conf.task_always_eager = False
    try:
        with start_worker(app, perform_ping_check=False, concurrency=1, pool="solo", loglevel="WARNING",
                          shutdown_timeout=10):
            yield app
    finally:
        app.conf.task_always_eager = True


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
