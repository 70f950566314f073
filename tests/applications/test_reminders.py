"""Draft reminders 7 days and 1 day before the call closes, once each, even when the task runs twice."""

from datetime import timedelta

import pytest
from django.utils import timezone

from applications import services
from applications.models import Status
from applications.tasks import draft_reminders_task
from joinforces.core.models import Notification

from .factories import ApplicationFactory, CallFactory

pytestmark = pytest.mark.django_db


def draft_closing_in(delta, **kwargs):
    now = timezone.now()
    call = CallFactory(opens_at=now - timedelta(days=60), closes_at=now + delta)
    application = ApplicationFactory(call=call, **kwargs)
    # Started well before the reminders' marks.
    type(application).objects.filter(pk=application.pk).update(created_at=now - timedelta(days=30))
    return application


def keys():
    return sorted(Notification.objects.filter(key__startswith="applications.reminder:").values_list("key", flat=True))


def test_seven_day_reminder_once_to_each_team_member(user_factory):
    co_applicant = user_factory()
    application = draft_closing_in(timedelta(days=6, hours=23), team=[co_applicant])
    draft_reminders_task()
    draft_reminders_task()
    assert keys() == sorted(f"applications.reminder:{application.pk}:7:{user.pk}"
                            for user in (application.created_by, co_applicant))


def test_one_day_reminder_once():
    application = draft_closing_in(timedelta(hours=20))
    services.draft_reminders_send()
    services.draft_reminders_send()
    assert keys() == [f"applications.reminder:{application.pk}:1:{application.created_by.pk}"]


def test_both_reminders_over_time():
    application = draft_closing_in(timedelta(days=6, hours=12))
    services.draft_reminders_send()
    services.draft_reminders_send(now=timezone.now() + timedelta(days=5, hours=18))
    services.draft_reminders_send(now=timezone.now() + timedelta(days=5, hours=19))
    assert [key.split(":")[2] for key in keys()] == ["1", "7"]
    assert Notification.objects.filter(key__startswith=f"applications.reminder:{application.pk}:").count() == 2


@pytest.mark.parametrize("delta", [timedelta(days=8), timedelta(hours=-1), timedelta(days=30)])
def test_no_reminder_outside_the_windows(delta):
    draft_closing_in(delta)
    services.draft_reminders_send()
    assert keys() == []


def test_no_reminder_for_a_submitted_application():
    application = draft_closing_in(timedelta(days=3))
    type(application).objects.filter(pk=application.pk).update(
        status=Status.SUBMITTED, reference="JF-2026-0001", submitted_at=timezone.now())
    services.draft_reminders_send()
    assert keys() == []


def test_a_draft_started_after_the_mark_is_not_reminded_of_it():
    application = draft_closing_in(timedelta(days=3))
    type(application).objects.filter(pk=application.pk).update(created_at=timezone.now())
    services.draft_reminders_send()
    assert keys() == []


def test_the_reminder_is_in_the_recipients_language():
    application = draft_closing_in(timedelta(hours=20))
    application.created_by.language = "en"
    application.created_by.save()
    services.draft_reminders_send()
    assert Notification.objects.get().subject.endswith("The call closes tomorrow: your application is not submitted")
