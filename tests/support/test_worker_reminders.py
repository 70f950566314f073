"""A real Celery worker runs the beat task of reminders twice: each session of the next day is reminded
once (DESIGN §2: real-worker tests)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from joinforces.core.models import Notification
from support.models import Booking
from support.tasks import booking_reminders_task
from tests.conftest import ensure_static_data

from .factories import ExpertFactory, booking_row, plan_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_real_worker_reminds_tomorrow_s_session_once(celery_worker_on_redis, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.TAX_RECEIPTS_ENABLED = False
    ensure_static_data()
    plan = plan_for()
    booking = booking_row(expert=ExpertFactory(), need=plan.needs.get(domain="mediation"),
                          start=timezone.now() + timedelta(hours=20))

    first = booking_reminders_task.delay().get(timeout=20)
    second = booking_reminders_task.delay().get(timeout=20)

    assert (first, second) == (1, 0)
    assert Booking.objects.get(pk=booking.pk).reminder_sent_at is not None
    assert Notification.objects.filter(key__startswith=f"support.booking_reminder:{booking.pk}:").count() == 2
