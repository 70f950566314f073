"""A real Celery worker screens a submitted application (DESIGN §2: real-worker tests)."""

import time

import pytest

from applications import services
from applications.models import Application, Status
from tests.conftest import ensure_static_data

from .factories import complete_application

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_real_worker_screens_the_submitted_application(celery_worker_on_redis, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    ensure_static_data()
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
