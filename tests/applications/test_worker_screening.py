"""A real Celery worker screens a submitted application (DESIGN §2: real-worker tests)."""

import os
import time

import pytest

from applications import services
from applications.models import Application, Status

from .factories import complete_application, ensure_reference_data

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(scope="module")
def celery_worker_on_redis():
    if not os.environ.get("REDIS_URL"):
        yield None  # the autouse marker fixture skips (or fails in CI) each test
        return
    from celery.contrib.testing.worker import start_worker

    from joinforces.celery import app

    assert app.conf.broker_url.endswith("/15") and app.conf.result_backend.endswith("/15")
    app.conf.task_always_eager = False
    try:
        with start_worker(app, perform_ping_check=False, concurrency=1, pool="solo", loglevel="WARNING",
                          shutdown_timeout=10):
            yield app
    finally:
        app.conf.task_always_eager = True


def test_a_real_worker_screens_the_submitted_application(celery_worker_on_redis, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    ensure_reference_data()
    application = complete_application()
    services.application_submit(application=application, actor=application.created_by)  # tasks on commit

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        application.refresh_from_db()
        if application.status == Status.SCREENED:
            break
        time.sleep(0.2)
    assert application.status == Status.SCREENED
    assert application.screening is not None and application.screening.verdict == "eligible"
    assert Application.objects.get(pk=application.pk).screening_id == application.screening_id
