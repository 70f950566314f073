"""A real Celery worker on Redis delivers the welcome email (DESIGN §2: real-worker tests)."""

import os

import pytest
from django.core import mail

from joinforces.core.models import Notification

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def celery_worker_on_redis():
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        yield None  # the autouse marker fixture skips (or fails in CI) each test
        return
    from celery.contrib.testing.worker import start_worker

    from joinforces.celery import app

    url = redis_url.rsplit("/", 1)[0] + "/15"  # a Redis database of its own
    saved = {k: app.conf[k] for k in ("broker_url", "result_backend", "task_always_eager")}
    app.conf.update(broker_url=url, result_backend=url, task_always_eager=False)
    try:
        with start_worker(app, perform_ping_check=False, concurrency=1, pool="solo", loglevel="WARNING",
                          shutdown_timeout=10):
            yield app
    finally:
        app.conf.update(saved)


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
