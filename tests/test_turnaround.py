"""The promised delivery date (bookings/turnaround.py): a pure module, so no database here.

The rule: the day the selection arrived is the studio's local date; a day the studio doesn't work
counts as the next working day; the turnaround's working days are counted after it. The property
tests check the result against a plain reading of that rule: a working day, with exactly the
turnaround's number of working days between the (moved) arrival day and it.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bookings.turnaround import (
    MONDAY_TO_FRIDAY,
    arrival_day,
    first_working_day,
    promised_date,
    whole_days_off,
    working_hours_by_weekday,
    working_weekdays,
)

WEEKDAYS = MONDAY_TO_FRIDAY
# Wednesday 2 December 2026; the Friday and the weekend after it.
WED, FRI, SAT, SUN = date(2026, 12, 2), date(2026, 12, 4), date(2026, 12, 5), date(2026, 12, 6)


def promised(start: date, days: int, *, weekdays=WEEKDAYS, days_off=()) -> date:
    return promised_date(start, days, working_weekdays=frozenset(weekdays), days_off=frozenset(days_off))


# --- by hand ---


def test_a_working_day_counts_from_the_next_one():
    assert promised(WED, 1) == date(2026, 12, 3)
    assert promised(WED, 2) == FRI


def test_the_count_skips_the_weekend():
    assert promised(FRI, 1) == date(2026, 12, 7)
    assert promised(WED, 10) == date(2026, 12, 16)


def test_a_selection_sent_on_a_saturday_or_sunday_counts_as_sent_on_monday():
    assert promised(SAT, 1) == date(2026, 12, 8)
    assert promised(SUN, 1) == date(2026, 12, 8)
    assert promised(SAT, 0) == date(2026, 12, 7)


def test_no_working_days_promises_the_day_itself_when_the_studio_works_then():
    assert promised(WED, 0) == WED


def test_a_week_of_time_off_moves_the_date_by_that_week():
    holiday = [date(2026, 12, 7) + timedelta(days=n) for n in range(5)]  # Monday to Friday

    assert promised(FRI, 1, days_off=holiday) == date(2026, 12, 14)
    assert promised(WED, 10, days_off=holiday) == date(2026, 12, 23)


def test_a_christmas_closure_sent_into_counts_from_the_first_day_back():
    closed = [date(2026, 12, 24) + timedelta(days=n) for n in range(10)]  # to 2 January

    assert promised(date(2026, 12, 24), 0, days_off=closed) == date(2027, 1, 4)
    assert promised(date(2026, 12, 26), 1, days_off=closed) == date(2027, 1, 5)


def test_a_studio_working_saturdays_counts_them():
    assert promised(FRI, 1, weekdays={1, 2, 3, 4, 5}) == SAT
    assert promised(date(2026, 12, 7), 0, weekdays={1, 2, 3, 4, 5}) == date(2026, 12, 8)  # closed Mondays


def test_a_studio_with_no_working_hours_set_works_monday_to_friday():
    assert working_weekdays([]) == MONDAY_TO_FRIDAY
    assert working_weekdays([0, 0, 2, 5]) == {0, 2, 5}  # two ranges on Monday count once


def test_a_weekday_out_of_range_is_refused():
    with pytest.raises(ValueError, match="0 \\(Monday\\) to 6"):
        working_weekdays([7])


def test_a_negative_or_absurd_turnaround_is_refused():
    with pytest.raises(ValueError):
        promised(WED, -1)
    with pytest.raises(ValueError):
        promised(WED, 30_000)


def test_a_studio_working_no_weekday_is_refused_rather_than_counting_for_ever():
    with pytest.raises(ValueError, match="at least one weekday"):
        promised(WED, 1, weekdays=())


# --- whole days of time off ---


def test_time_off_without_hours_takes_every_day_it_covers():
    assert whole_days_off(date(2026, 12, 7), date(2026, 12, 9), start_time=None, end_time=None) == [
        date(2026, 12, 7),
        date(2026, 12, 8),
        date(2026, 12, 9),
    ]


def test_a_day_with_only_some_hours_off_is_still_a_working_day():
    assert whole_days_off(WED, WED, start_time=time(13), end_time=time(17)) == []
    # From Monday 14:00 to Wednesday 12:00: only Tuesday is off entirely.
    assert whole_days_off(date(2026, 12, 7), date(2026, 12, 9), start_time=time(14), end_time=time(12)) == [
        date(2026, 12, 8)
    ]
    assert promised(FRI, 1, days_off=[]) == date(2026, 12, 7)


def test_time_off_by_hours_that_cover_all_of_a_days_working_hours_takes_that_day():
    # Worked 09:00 to 12:30 and 13:30 to 17:00 on weekdays.
    hours = working_hours_by_weekday([(2, time(9), time(12, 30)), (2, time(13, 30), time(17)), (3, time(10), time(16))])
    assert hours[2] == (time(9), time(17))

    assert whole_days_off(WED, WED, start_time=time(8), end_time=time(18), hours=hours) == [WED]
    assert whole_days_off(WED, WED, start_time=time(9), end_time=time(17), hours=hours) == [WED]
    assert whole_days_off(WED, WED, start_time=time(9, 30), end_time=time(17), hours=hours) == []  # 09:00 worked
    assert whole_days_off(WED, WED, start_time=time(9), end_time=time(16, 59), hours=hours) == []
    # Wednesday from 08:00 to Thursday 16:00: both days' hours are off.
    thursday = WED + timedelta(days=1)
    assert whole_days_off(WED, thursday, start_time=time(8), end_time=time(16), hours=hours) == [WED, thursday]


def test_time_off_from_an_hour_to_the_end_of_its_last_day_takes_that_last_day():
    assert whole_days_off(WED, FRI, start_time=time(12), end_time=None) == [date(2026, 12, 3), FRI]


# --- the studio's day, whatever the zone ---


def test_the_arrival_day_is_the_studios_date_not_utcs():
    auckland, los_angeles = ZoneInfo("Pacific/Auckland"), ZoneInfo("America/Los_Angeles")
    sent = datetime(2026, 12, 1, 12, 30, tzinfo=UTC)  # Wednesday 01:30 in Auckland, Tuesday 04:30 in LA

    assert arrival_day(sent, auckland) == WED
    assert arrival_day(sent, los_angeles) == date(2026, 12, 1)
    assert promised(arrival_day(sent, auckland), 1) == date(2026, 12, 3)
    assert promised(arrival_day(sent, los_angeles), 1) == WED


def test_friday_evening_in_los_angeles_is_saturday_in_utc_but_still_friday_for_the_studio():
    sent = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)  # Friday 19:00 in Los Angeles

    assert arrival_day(sent, ZoneInfo("America/Los_Angeles")) == FRI
    assert promised(FRI, 1) == date(2026, 12, 7)


def test_a_night_the_clocks_change_does_not_move_the_day():
    london, auckland = ZoneInfo("Europe/London"), ZoneInfo("Pacific/Auckland")
    # London falls back on Sunday 25 October 2026: 00:30 UTC is 01:30 BST, on the Sunday.
    assert arrival_day(datetime(2026, 10, 25, 0, 30, tzinfo=UTC), london) == date(2026, 10, 25)
    assert arrival_day(datetime(2026, 10, 24, 23, 30, tzinfo=UTC), london) == date(2026, 10, 25)  # 00:30 BST
    # Auckland springs forward on Sunday 27 September 2026 (02:00 NZST -> 03:00 NZDT).
    assert arrival_day(datetime(2026, 9, 26, 14, 30, tzinfo=UTC), auckland) == date(2026, 9, 27)  # 03:30 NZDT
    assert arrival_day(datetime(2026, 9, 26, 11, 59, tzinfo=UTC), auckland) == date(2026, 9, 26)  # 23:59 NZST
    # Sent on that Sunday (counted as Monday), 3 working days later is Thursday, as in any week.
    assert promised(date(2026, 9, 27), 3) == date(2026, 10, 1)


def test_a_naive_datetime_is_refused():
    with pytest.raises(ValueError, match="aware"):
        arrival_day(datetime(2026, 12, 2, 10, 0), ZoneInfo("Europe/London"))


# --- properties ---

days = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))
weekday_sets = st.frozensets(st.integers(0, 6), min_size=1)
days_off = st.frozensets(days, max_size=40)
turnarounds = st.integers(0, 40)
properties = settings(max_examples=150, deadline=None)


def working(day: date, weekdays, off) -> bool:
    return day.weekday() in weekdays and day not in off


@properties
@given(days, turnarounds, weekday_sets, days_off)
def test_the_promised_date_is_a_working_day_the_turnaround_after_the_counted_arrival(start, n, weekdays, off):
    result = promised_date(start, n, working_weekdays=weekdays, days_off=off)

    assert working(result, weekdays, off)
    first = start
    while not working(first, weekdays, off):
        first += timedelta(days=1)
    assert result >= first
    between = [first + timedelta(days=k) for k in range(1, (result - first).days + 1)]
    assert sum(working(d, weekdays, off) for d in between) == n


@properties
@given(days, days, turnarounds, weekday_sets, days_off)
def test_a_later_selection_is_never_promised_sooner(a, b, n, weekdays, off):
    early, late = sorted([a, b])

    assert promised_date(early, n, working_weekdays=weekdays, days_off=off) <= promised_date(
        late, n, working_weekdays=weekdays, days_off=off
    )


@properties
@given(days, turnarounds, weekday_sets, days_off)
def test_one_more_working_day_is_the_next_working_day_after(start, n, weekdays, off):
    one = promised_date(start, n, working_weekdays=weekdays, days_off=off)
    more = promised_date(start, n + 1, working_weekdays=weekdays, days_off=off)

    assert more == first_working_day(one + timedelta(days=1), working_weekdays=weekdays, days_off=off)


@properties
@given(days, turnarounds, weekday_sets, days_off, days)
def test_time_off_only_ever_pushes_the_date_later(start, n, weekdays, off, extra):
    without = promised_date(start, n, working_weekdays=weekdays, days_off=off)
    with_more = promised_date(start, n, working_weekdays=weekdays, days_off=off | {extra})

    assert with_more >= without
