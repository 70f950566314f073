"""The clash rule, a pure function of the sessions' slots: a pair is found if and only if two slots
overlap (a session starting as another ends does not clash)."""

from datetime import datetime, timedelta

from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from events.models import Session
from events.services import _clash

BASE = timezone.make_aware(datetime(2027, 2, 1, 9, 0))
slots = st.lists(st.tuples(st.integers(0, 40), st.integers(1, 12)), max_size=8)


def sessions(rows):
    return [Session(pk=n + 1, title=f"S{n}", starts_at=BASE + timedelta(minutes=15 * start),
                    ends_at=BASE + timedelta(minutes=15 * (start + length)), capacity=1)
            for n, (start, length) in enumerate(rows)]


@given(slots)
def test_a_clash_is_found_exactly_when_two_slots_overlap(rows):
    items = sessions(rows)
    any_overlap = any(a.overlaps(b) for i, a in enumerate(items) for b in items[i + 1:])
    pair = _clash(items)
    assert (pair is not None) == any_overlap
    if pair:
        assert pair[0].overlaps(pair[1]) and pair[0] is not pair[1]


def test_back_to_back_sessions_do_not_clash():
    assert _clash(sessions([(0, 4), (4, 4), (8, 2)])) is None
    assert _clash(sessions([(0, 4), (3, 4)])) is not None


def test_the_beat_schedule_runs_the_reminders_and_the_offers_expiry():
    from django.conf import settings

    from joinforces.celery import app

    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"events.reminders", "events.offers_expire"} <= tasks
    app.loader.import_default_modules()
    assert {"events.reminders", "events.offers_expire", "events.badges_render"} <= set(app.tasks)
