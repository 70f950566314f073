"""An expert's free time, as a pure function of plain data (no ORM): weekly rules written in the
expert's own time zone, days off, and the ranges already blocked by bookings.

    windows = expand(rules=[Rule(0, time(9), time(12))], days_off=[], tz="Europe/Paris",
                     start=date(2027, 3, 22), end=date(2027, 4, 4))
    slots = free_slots(windows, busy=[(s, e), ...], duration=timedelta(hours=2),
                       buffer=timedelta(minutes=15))

Every datetime returned is aware and in UTC. A rule "Monday 9:00–12:00" stays 9:00–12:00 on the
expert's wall clock whatever the daylight-saving time (so it is 8:00 UTC in winter, 7:00 UTC in summer
in Paris). A wall-clock time that does not exist (skipped by the change to summer time) is moved to the
same UTC offset as before the change (zoneinfo's `fold=0`), as calendars do.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Rule:
    weekday: int  # Monday is 0
    start: time
    end: time


@dataclass(frozen=True)
class DayOff:
    start: date
    end: date  # included


def _days(start: date, end: date):
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)


def expand(*, rules, days_off, tz: str, start: date, end: date) -> list[tuple[datetime, datetime]]:
    """The expert's available ranges between the local dates `start` and `end` (included), in UTC,
    sorted, days off removed."""
    zone = ZoneInfo(tz)
    off = [(d.start, d.end) for d in days_off]
    by_day: dict[int, list[Rule]] = {}
    for rule in rules:
        by_day.setdefault(rule.weekday, []).append(rule)
    ranges = []
    for day in _days(start, end):
        if any(first <= day <= last for first, last in off):
            continue
        for rule in sorted(by_day.get(day.weekday(), ()), key=lambda r: r.start):
            local_start = datetime.combine(day, rule.start, tzinfo=zone)
            local_end = datetime.combine(day, rule.end, tzinfo=zone)
            utc_start, utc_end = local_start.astimezone(UTC), local_end.astimezone(UTC)
            if utc_end > utc_start:
                ranges.append((utc_start, utc_end))
    return merge(ranges)


def merge(ranges) -> list[tuple[datetime, datetime]]:
    """Overlapping or touching ranges merged, sorted."""
    merged: list[list[datetime]] = []
    for first, last in sorted(ranges):
        if merged and first <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], last)
        else:
            merged.append([first, last])
    return [(first, last) for first, last in merged]


def subtract(ranges, busy) -> list[tuple[datetime, datetime]]:
    """`ranges` without the `busy` ranges."""
    result = []
    busy = merge(busy)
    for first, last in ranges:
        cursor = first
        for busy_first, busy_last in busy:
            if busy_last <= cursor or busy_first >= last:
                continue
            if busy_first > cursor:
                result.append((cursor, busy_first))
            cursor = max(cursor, busy_last)
            if cursor >= last:
                break
        if cursor < last:
            result.append((cursor, last))
    return result


def free_slots(windows, *, busy, duration: timedelta, buffer: timedelta = timedelta(0),
               step: timedelta = timedelta(minutes=30), not_before: datetime | None = None,
               limit: int | None = None) -> list[tuple[datetime, datetime]]:
    """Sessions of `duration` that fit in the available `windows` once the `busy` ranges (other
    bookings with their buffers) are removed, each keeping `buffer` free before and after it from any
    busy range. Starts are on multiples of `step` past the hour (in UTC, which is also the case of
    every whole-hour time zone), not before `not_before`; at most `limit`."""
    widened_busy = [(first - buffer, last + buffer) for first, last in busy]
    free = subtract(windows, widened_busy)
    slots = []
    step_seconds = int(step.total_seconds())
    for first, last in free:
        if not_before is not None and first < not_before:
            first = not_before
        # Round the start up to the next multiple of `step`.
        epoch = int(first.timestamp())
        remainder = epoch % step_seconds
        start = first + timedelta(seconds=(step_seconds - remainder) % step_seconds)
        start = start.replace(microsecond=0)
        while start + duration <= last:
            slots.append((start, start + duration))
            if limit is not None and len(slots) >= limit:
                return slots
            start += step
    return slots


def hours_between(first: datetime, last: datetime) -> float:
    return (last - first).total_seconds() / 3600
