"""The date a client's finished photos are promised by: a pure function of the day the selection
arrived, the session type's turnaround and the studio's working days. No models here: the caller
reads the working hours and the time off (galleries/progress.py), this module counts.

The rule, in the studio's words:
- The day the selection arrived is the studio's local date when it was sent (a selection sent at
  00:30 in Auckland arrived that Auckland day, though it was still yesterday in UTC).
- A selection that arrives on a day the studio does not work counts as arriving on the next working
  day: one sent on a Saturday counts from Monday, as if it had arrived on Monday.
- The turnaround is counted in working days *after* that day: the day of arrival is never one of
  them, whatever the hour. With 1 working day (a studio working Monday to Friday): sent on
  Monday, promised for Tuesday; sent on Friday, for Monday; sent on Saturday or Sunday (counted as
  Monday), for Tuesday. So a later selection is never promised sooner than an earlier one.
- 0 working days promises the day of arrival (itself moved to the next working day if need be).
- A working day is a weekday on which the studio has working hours, and which is not a whole day of
  time off: time off without hours on that day, or whose hours cover all of that day's working
  hours (off from 08:00 on a day worked 09:00 to 17:00). A day with only some hours off still counts
  as a working day. A studio that has set no working hours at all works Monday to Friday.

Only dates here, never times: a change of the clocks (daylight saving) cannot move a date, and the
only place a zone matters is `arrival_day`, which reads the instant on the studio's clock.
"""

from collections.abc import Collection, Iterable, Mapping
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

ONE_DAY = timedelta(days=1)
MONDAY_TO_FRIDAY = frozenset(range(5))
# A turnaround longer than this is a typing slip (the admin's field allows up to 32,767), and
# counting it would walk a century of dates: the arithmetic refuses it rather than hang.
MAX_WORKING_DAYS = 2_000


def working_weekdays(hours_weekdays: Iterable[int]) -> frozenset[int]:
    """The weekdays (0 = Monday ... 6 = Sunday) the studio works: those with working hours, or
    Monday to Friday when no hours are set at all."""
    days = frozenset(hours_weekdays)
    for day in days:
        if not 0 <= day <= 6:
            raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), not {day}")
    return days or MONDAY_TO_FRIDAY


def whole_days_off(
    first_day: date,
    last_day: date,
    *,
    start_time: time | None,
    end_time: time | None,
    hours: Mapping[int, tuple[time, time]] | None = None,
) -> list[date]:
    """The dates a stretch of time off covers entirely: the days between its first and last, the
    first day if it starts at the day's beginning (no start time) or before that weekday's working
    hours begin, the last if it runs to the day's end (no end time) or past that weekday's working
    hours. `hours`: each weekday's first start and last end of work. A day with only some of its
    working hours off is not among them."""
    if last_day < first_day:
        return []
    hours = hours or {}
    days = []
    day = first_day
    while day <= last_day:
        opens, closes = hours.get(day.weekday(), (None, None))
        starts_in_it = day == first_day and start_time is not None and (opens is None or start_time > opens)
        ends_in_it = day == last_day and end_time is not None and (closes is None or end_time < closes)
        if not starts_in_it and not ends_in_it:
            days.append(day)
        day += ONE_DAY
    return days


def working_hours_by_weekday(ranges: Iterable[tuple[int, time, time]]) -> dict[int, tuple[time, time]]:
    """Each weekday's first start and last end of work, from its working ranges (weekday, start, end)."""
    hours: dict[int, tuple[time, time]] = {}
    for weekday, start, end in ranges:
        opens, closes = hours.get(weekday, (start, end))
        hours[weekday] = (min(opens, start), max(closes, end))
    return hours


def is_working_day(day: date, *, working_weekdays: Collection[int], days_off: Collection[date]) -> bool:
    return day.weekday() in working_weekdays and day not in days_off


def first_working_day(day: date, *, working_weekdays: Collection[int], days_off: Collection[date]) -> date:
    """`day` if the studio works that day, else the next day it does."""
    _require_some_weekday(working_weekdays)
    while not is_working_day(day, working_weekdays=working_weekdays, days_off=days_off):
        day += ONE_DAY
    return day


def promised_date(
    start: date, working_days: int, *, working_weekdays: Collection[int], days_off: Collection[date]
) -> date:
    """The `working_days`-th working day after `start` (the day the selection arrived, on the
    studio's clock), `start` counting as the next working day when the studio does not work on it.
    `working_days` = 0 gives that working day itself."""
    if working_days < 0:
        raise ValueError("a turnaround cannot be negative")
    if working_days > MAX_WORKING_DAYS:
        raise ValueError(f"a turnaround of more than {MAX_WORKING_DAYS} working days is not a real promise")
    day = first_working_day(start, working_weekdays=working_weekdays, days_off=days_off)
    for _ in range(working_days):
        day = first_working_day(day + ONE_DAY, working_weekdays=working_weekdays, days_off=days_off)
    return day


def arrival_day(moment: datetime, tz: ZoneInfo) -> date:
    """The studio's local date at an aware instant: the day a selection sent then arrived."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("arrival_day needs an aware datetime")
    return moment.astimezone(tz).date()


def _require_some_weekday(weekdays: Collection[int]) -> None:
    # Days off are finite, so with one working weekday a working day always comes; with none it never would.
    if not weekdays:
        raise ValueError("the studio must work on at least one weekday (see working_weekdays)")
