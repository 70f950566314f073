"""The expansion of an expert's weekly availability into UTC ranges (pure, no database): the wall
clock of the expert's time zone is kept across daylight-saving changes, days off are removed, and
free slots avoid other bookings and their buffers."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from support.availability import DayOff, Rule, expand, free_slots, merge, subtract


def utc(*args):
    return datetime(*args, tzinfo=UTC)


MONDAY_MORNING = [Rule(0, time(9), time(12))]


def test_a_paris_monday_morning_is_8_utc_in_winter_and_7_utc_in_summer():
    """Summer time starts on Sunday 28 March 2027 in Paris (UTC+1 → UTC+2)."""
    ranges = expand(rules=MONDAY_MORNING, days_off=[], tz="Europe/Paris", start=date(2027, 3, 22),
                    end=date(2027, 3, 29))
    assert ranges == [(utc(2027, 3, 22, 8), utc(2027, 3, 22, 11)), (utc(2027, 3, 29, 7), utc(2027, 3, 29, 10))]


def test_the_end_of_summer_time_gives_back_the_hour():
    """Winter time starts on Sunday 31 October 2027 (UTC+2 → UTC+1)."""
    ranges = expand(rules=MONDAY_MORNING, days_off=[], tz="Europe/Paris", start=date(2027, 10, 25),
                    end=date(2027, 11, 1))
    assert ranges == [(utc(2027, 10, 25, 7), utc(2027, 10, 25, 10)), (utc(2027, 11, 1, 8), utc(2027, 11, 1, 11))]


def test_a_slot_across_the_night_of_the_change_is_one_hour_shorter():
    """Sunday 28 March 2027, 1:00–5:00 in Paris: 2:00–3:00 does not exist, so 3 hours in UTC."""
    ranges = expand(rules=[Rule(6, time(1), time(5))], days_off=[], tz="Europe/Paris", start=date(2027, 3, 28),
                    end=date(2027, 3, 28))
    assert ranges == [(utc(2027, 3, 28, 0), utc(2027, 3, 28, 3))]


@pytest.mark.parametrize(("tz", "expected_start"), [
    ("Europe/Paris", utc(2027, 1, 4, 8)),
    ("America/Cayenne", utc(2027, 1, 4, 12)),  # Guyane, UTC−3, no daylight-saving time
    ("Indian/Reunion", utc(2027, 1, 4, 5)),  # La Réunion, UTC+4
    ("Pacific/Noumea", utc(2027, 1, 3, 22)),  # Nouvelle-Calédonie, UTC+11: the previous UTC day
])
def test_each_expert_s_time_zone_is_their_own(tz, expected_start):
    ranges = expand(rules=MONDAY_MORNING, days_off=[], tz=tz, start=date(2027, 1, 4), end=date(2027, 1, 4))
    assert ranges == [(expected_start, expected_start + timedelta(hours=3))]


def test_days_off_are_removed_and_each_day_of_the_period_counts():
    rules = [Rule(d, time(9), time(17)) for d in range(5)]
    ranges = expand(rules=rules, days_off=[DayOff(date(2027, 1, 5), date(2027, 1, 7))], tz="Europe/Paris",
                    start=date(2027, 1, 4), end=date(2027, 1, 10))
    assert [r[0].date() for r in ranges] == [date(2027, 1, 4), date(2027, 1, 8)]


def test_overlapping_rules_are_merged():
    rules = [Rule(0, time(9), time(12)), Rule(0, time(11), time(14))]
    assert expand(rules=rules, days_off=[], tz="UTC", start=date(2027, 1, 4), end=date(2027, 1, 4)) == [
        (utc(2027, 1, 4, 9), utc(2027, 1, 4, 14))]


def test_subtract_and_merge():
    day = [(utc(2027, 1, 4, 9), utc(2027, 1, 4, 17))]
    busy = [(utc(2027, 1, 4, 10), utc(2027, 1, 4, 11)), (utc(2027, 1, 4, 10, 30), utc(2027, 1, 4, 12))]
    assert merge(busy) == [(utc(2027, 1, 4, 10), utc(2027, 1, 4, 12))]
    assert subtract(day, busy) == [(utc(2027, 1, 4, 9), utc(2027, 1, 4, 10)),
                                   (utc(2027, 1, 4, 12), utc(2027, 1, 4, 17))]


def test_free_slots_keep_the_buffer_from_other_bookings():
    """9:00–17:00; another booking blocks 11:45–14:15 (its own buffers included); a 2-hour session with
    15 minutes of buffer must end by 11:30 before it, and start from 14:30 after it (on the half hour)."""
    day = [(utc(2027, 1, 4, 9), utc(2027, 1, 4, 17))]
    busy = [(utc(2027, 1, 4, 11, 45), utc(2027, 1, 4, 14, 15))]
    slots = free_slots(day, busy=busy, duration=timedelta(hours=2), buffer=timedelta(minutes=15))
    starts = [s.strftime("%H:%M") for s, _e in slots]
    assert starts == ["09:00", "09:30", "14:30", "15:00"]


def test_free_slots_start_no_earlier_than_asked_and_stop_at_the_limit():
    day = [(utc(2027, 1, 4, 9), utc(2027, 1, 4, 17))]
    slots = free_slots(day, busy=[], duration=timedelta(hours=1), step=timedelta(hours=1),
                       not_before=utc(2027, 1, 4, 10, 10), limit=3)
    assert [s.hour for s, _e in slots] == [11, 12, 13]
