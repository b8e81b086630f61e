"""Free start times (bookings/slots.py): a pure module, so no database here.

The property tests check every offered start against an independent reading of the rules: busy time
by a plain scan, and the end of a working range by walking the clock minute by minute.
"""

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bookings.slots import (
    Interval,
    Rules,
    SessionShape,
    WorkingRange,
    free_starts,
    free_starts_on,
    held,
)

LONDON = ZoneInfo("Europe/London")
# Each zone with the 2026 nights its clocks change (all Sundays), so generated weeks often include one.
CLOCK_CHANGES = {
    LONDON: [date(2026, 3, 29), date(2026, 10, 25)],
    ZoneInfo("America/New_York"): [date(2026, 3, 8), date(2026, 11, 1)],
    ZoneInfo("Australia/Sydney"): [date(2026, 4, 5), date(2026, 10, 4)],
    ZoneInfo("UTC"): [],
}
ZONES = list(CLOCK_CHANGES)
MINUTE = timedelta(minutes=1)


def minutes(n: int) -> timedelta:
    return timedelta(minutes=n)


def london(day: date, hour: int, minute: int = 0, fold: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute, fold=fold), tzinfo=LONDON)


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def weekdays(*ranges: tuple[str, str], days: Iterable[int] = range(7)) -> tuple[WorkingRange, ...]:
    return tuple(WorkingRange(d, time.fromisoformat(a), time.fromisoformat(b)) for d in days for a, b in ranges)


def studio(**changes) -> Rules:
    """The photographer's usual rules in London: weekdays 09:00–17:00, half-hour grid, a day's notice."""
    return Rules(**{"tz": LONDON, "working_hours": weekdays(("09:00", "17:00"), days=range(5)), **changes})


def clock(starts: list[datetime]) -> list[str]:
    return [s.strftime("%H:%M %Z") for s in starts]


# --- an independent reading of the rules, for the property tests ---------------------------------


@lru_cache(maxsize=4096)
def clock_reaches(day: date, clock_time: time, tz: ZoneInfo) -> datetime:
    """The first instant of local `day` at which the clock reads `clock_time` or later, found by
    walking the clock a minute at a time (every time in these tests is on a whole minute)."""
    midnight = utc(datetime.combine(day, time(0), tzinfo=tz))
    moment = max(midnight, utc(datetime.combine(day, clock_time, tzinfo=tz)) - timedelta(hours=3))
    while True:
        local = moment.astimezone(tz)
        if (local.date(), local.time()) >= (day, clock_time):
            return moment
        moment += MINUTE


def exists_locally(start: datetime) -> bool:
    """A local time that survives a trip through UTC: not skipped, and the right one of a repeated pair."""
    back = utc(start).astimezone(start.tzinfo)
    return (back.replace(tzinfo=None), back.fold) == (start.replace(tzinfo=None), start.fold)


def fits_a_working_range(start: datetime, shape: SessionShape, rules: Rules) -> bool:
    day, wall = start.date(), start.replace(tzinfo=None, fold=0)
    for working in rules.working_hours:
        opens = datetime.combine(day, working.start)
        if (
            working.weekday == day.weekday()
            and opens <= wall < datetime.combine(day, working.end)
            and (wall - opens) % rules.step == timedelta(0)
            and utc(start) + shape.duration <= clock_reaches(day, working.end, rules.tz)
        ):
            return True
    return False


def overlaps_busy(start: datetime, shape: SessionShape, busy: list[Interval]) -> bool:
    hold = held(start, shape)
    return any(utc(hold.start) < utc(b.end) and utc(b.start) < utc(hold.end) for b in busy)


def day_is_open(day: date, rules: Rules, sessions_per_day: dict[date, int]) -> bool:
    at_limit = rules.max_per_day is not None and sessions_per_day.get(day, 0) >= rules.max_per_day
    return day not in rules.days_off and not at_limit


def within_notice_and_horizon(start: datetime, rules: Rules, now: datetime) -> bool:
    return utc(now) + rules.min_notice <= utc(start) <= utc(now) + rules.horizon


def every_grid_start(rules: Rules, first_day: date, last_day: date) -> list[datetime]:
    """Each real instant the clock reads a grid time of a working range (both readings when repeated)."""
    found = []
    day = first_day
    while day <= last_day:
        for working in rules.working_hours:
            if working.weekday != day.weekday():
                continue
            wall, stop = datetime.combine(day, working.start), datetime.combine(day, working.end)
            while wall < stop:
                found += [s for fold in (0, 1) if exists_locally(s := wall.replace(tzinfo=rules.tz, fold=fold))]
                wall += rules.step
        day += timedelta(days=1)
    return found


# --- generated scenarios --------------------------------------------------------------------------


@st.composite
def working_hours(draw: st.DrawFn) -> tuple[WorkingRange, ...]:
    """A few daily ranges, each on several weekdays, as a studio's week looks."""
    week = []
    for _ in range(draw(st.integers(1, 3))):
        # Early starts half the time: the clocks change between 00:00 and 03:00.
        start = draw(st.integers(0, 48) | st.integers(0, 285)) * 5
        end = min(start + draw(st.integers(1, 120)) * 5, 23 * 60 + 55)
        days = draw(st.sets(st.integers(0, 6), min_size=1)) | {6}  # Sunday is when the clocks change
        week += [WorkingRange(day, time(*divmod(start, 60)), time(*divmod(end, 60))) for day in sorted(days)]
    return tuple(week)


class Scenario(NamedTuple):
    shape: SessionShape
    rules: Rules
    first_day: date
    last_day: date
    now: datetime
    busy: list[Interval]
    sessions_per_day: dict[date, int]


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    tz = draw(st.sampled_from(ZONES))
    first_day = draw(st.sampled_from([*CLOCK_CHANGES[tz], date(2026, 6, 16)])) + timedelta(
        days=draw(st.integers(-3, 1))
    )
    last_day = first_day + timedelta(days=draw(st.integers(0, 5)))
    window = [first_day + timedelta(days=i) for i in range((last_day - first_day).days + 1)]
    rules = Rules(
        tz=tz,
        working_hours=draw(working_hours()),
        days_off=frozenset(draw(st.lists(st.sampled_from(window), max_size=1))),
        min_notice=minutes(draw(st.integers(0, 36 * 4)) * 15),
        horizon=draw(
            st.sampled_from([timedelta(days=90), timedelta(days=7)])
            | st.builds(minutes, st.integers(24 * 60, 10 * 24 * 60))
        ),
        step=minutes(draw(st.sampled_from([5, 10, 15, 20, 30, 45, 60, 90]))),
        max_per_day=draw(st.sampled_from([None, None, None, 0, 1, 2, 3])),
    )
    shape = SessionShape(
        duration=minutes(draw(st.integers(1, 48)) * 5),
        buffer_before=minutes(draw(st.sampled_from([0, 0, 5, 15, 30, 60]))),
        buffer_after=minutes(draw(st.sampled_from([0, 0, 5, 15, 30, 60]))),
    )
    origin = utc(datetime.combine(first_day, time(0), tzinfo=tz))
    # Mostly before the dates asked, as when a client books ahead; sometimes during them.
    ahead = draw(st.integers(0, 3 * 24 * 60) | st.integers(-24 * 60, 0))
    now = (origin - minutes(ahead)).astimezone(draw(st.sampled_from(ZONES)))
    busy = []
    for _ in range(draw(st.integers(0, 20))):
        # Five-minute boundaries, like the grid, so busy time often touches a candidate session.
        begin = origin + minutes(draw(st.integers(-12, len(window) * 24 * 12)) * 5)
        end = begin + minutes(draw(st.integers(1, 72)) * 5)
        shown_in = draw(st.sampled_from([tz, UTC, ZONES[1]]))
        busy.append(Interval(begin.astimezone(shown_in), end.astimezone(shown_in)))
    sessions_per_day = draw(st.dictionaries(st.sampled_from(window), st.integers(0, 3), max_size=2))
    return Scenario(shape, rules, first_day, last_day, now, busy, sessions_per_day)


def offered(scenario: Scenario) -> list[datetime]:
    shape, rules, first_day, last_day, now, busy, sessions_per_day = scenario
    return free_starts(shape, rules, first_day, last_day, now=now, busy=busy, sessions_per_day=sessions_per_day)


# Each property sees its own examples, so together they cover a few hundred weeks in a few seconds.
properties = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@properties
@given(scenarios())
def test_every_start_exists_as_a_local_time_in_the_studio_zone(scenario):
    for start in offered(scenario):
        assert start.tzinfo is scenario.rules.tz
        assert exists_locally(start), start


@properties
@given(scenarios())
def test_no_start_overlaps_a_busy_interval_plus_buffers(scenario):
    for start in offered(scenario):
        assert not overlaps_busy(start, scenario.shape, scenario.busy), start


@properties
@given(scenarios())
def test_every_session_fits_inside_a_working_range_of_its_local_weekday(scenario):
    for start in offered(scenario):
        assert fits_a_working_range(start, scenario.shape, scenario.rules), start


@properties
@given(scenarios())
def test_notice_and_horizon_are_honoured(scenario):
    for start in offered(scenario):
        assert within_notice_and_horizon(start, scenario.rules, scenario.now), start


@properties
@given(scenarios())
def test_no_start_is_on_a_day_off_a_day_at_its_limit_or_outside_the_dates_asked(scenario):
    for start in offered(scenario):
        assert scenario.first_day <= start.date() <= scenario.last_day
        assert day_is_open(start.date(), scenario.rules, scenario.sessions_per_day), start


@properties
@given(scenarios())
def test_starts_are_sorted_and_each_instant_is_offered_once(scenario):
    instants = [utc(s) for s in offered(scenario)]  # by instant: same-zone comparison ignores fold
    assert instants == sorted(set(instants))


@settings(properties, max_examples=150)
@given(scenarios())
def test_every_grid_start_that_obeys_the_rules_is_offered(scenario):
    shape, rules, first_day, last_day, now, busy, sessions_per_day = scenario
    expected = {
        utc(start)
        for start in every_grid_start(rules, first_day, last_day)
        if day_is_open(start.date(), rules, sessions_per_day)
        and within_notice_and_horizon(start, rules, now)
        and fits_a_working_range(start, shape, rules)
        and not overlaps_busy(start, shape, busy)
    }
    assert expected - {utc(s) for s in offered(scenario)} == set()


# --- explicit days --------------------------------------------------------------------------------

TUESDAY = date(2026, 6, 16)
A_WEEK_BEFORE = london(date(2026, 6, 9), 12)
HOUR = SessionShape(duration=minutes(60))


def test_a_normal_day_offers_the_grid_of_each_range_where_the_whole_session_fits():
    rules = studio(working_hours=weekdays(("09:00", "12:00"), ("13:00", "16:30"), days=range(5)))

    starts = free_starts_on(TUESDAY, SessionShape(duration=minutes(90)), rules, now=A_WEEK_BEFORE)

    assert clock(starts) == [
        "09:00 BST", "09:30 BST", "10:00 BST", "10:30 BST",
        "13:00 BST", "13:30 BST", "14:00 BST", "14:30 BST", "15:00 BST",
    ]  # fmt: skip


def test_spring_forward_offers_no_start_in_the_skipped_hour_and_counts_real_minutes():
    sunday = date(2026, 3, 29)  # 01:00 GMT becomes 02:00 BST
    rules = studio(working_hours=weekdays(("00:00", "04:00"), days=[6]))

    starts = free_starts_on(sunday, HOUR, rules, now=london(date(2026, 3, 20), 12))

    assert clock(starts) == ["00:00 GMT", "00:30 GMT", "02:00 BST", "02:30 BST", "03:00 BST"]
    assert clock([held(starts[1], HOUR).end]) == ["02:30 BST"]  # 60 real minutes after 00:30 GMT


def test_a_skipped_grid_time_is_dropped_not_moved_past_the_jump():
    sunday = date(2026, 3, 29)
    rules = studio(working_hours=weekdays(("00:00", "04:00"), days=[6]), step=minutes(45))

    starts = free_starts_on(sunday, SessionShape(duration=minutes(45)), rules, now=london(date(2026, 3, 20), 12))

    assert clock(starts) == ["00:00 GMT", "00:45 GMT", "02:15 BST", "03:00 BST"]  # not 02:30 BST for 01:30


def test_a_range_ending_in_the_skipped_hour_ends_when_the_clocks_jump():
    sunday = date(2026, 3, 29)
    rules = studio(working_hours=weekdays(("00:00", "01:30"), days=[6]), step=minutes(15))

    starts = free_starts_on(sunday, SessionShape(duration=minutes(30)), rules, now=london(date(2026, 3, 20), 12))

    assert clock(starts) == ["00:00 GMT", "00:15 GMT", "00:30 GMT"]  # the last one ends at the jump, 01:00 GMT


def test_fall_back_offers_each_instant_of_the_repeated_hour_once_in_real_order():
    sunday = date(2026, 10, 25)  # 02:00 BST becomes 01:00 GMT
    rules = studio(working_hours=weekdays(("00:00", "04:00"), days=[6]))

    starts = free_starts_on(sunday, HOUR, rules, now=london(date(2026, 10, 20), 12))

    assert clock(starts) == [
        "00:00 BST", "00:30 BST", "01:00 BST", "01:30 BST",
        "01:00 GMT", "01:30 GMT", "02:00 GMT", "02:30 GMT", "03:00 GMT",
    ]  # fmt: skip
    assert [s.fold for s in starts] == [0, 0, 0, 0, 1, 1, 0, 0, 0]
    first = utc(london(sunday, 0))  # 23:00 UTC on Saturday
    assert [utc(s) for s in starts] == [first + minutes(30 * i) for i in range(9)]  # every half hour, once
    assert utc(held(starts[-1], HOUR).end) == utc(london(sunday, 4))  # the 04:00 close, in real time


def test_held_time_is_the_session_plus_buffers_in_real_time():
    shape = SessionShape(duration=minutes(60), buffer_before=minutes(15), buffer_after=minutes(30))

    hold = held(london(date(2026, 3, 29), 0, 30), shape)

    assert clock([hold.start, hold.end]) == ["00:15 GMT", "03:00 BST"]  # 105 real minutes across the jump
    assert utc(hold.end) - utc(hold.start) == minutes(105)


def test_held_time_may_end_at_an_earlier_wall_clock_time_on_a_fall_back_night():
    hold = held(london(date(2026, 10, 25), 1, 50), SessionShape(duration=minutes(20)))

    assert clock([hold.start, hold.end]) == ["01:50 BST", "01:10 GMT"]
    assert utc(hold.end) - utc(hold.start) == minutes(20)


def test_buffers_of_a_busy_booking_push_slots_away():
    shape = SessionShape(duration=minutes(60), buffer_before=minutes(30), buffer_after=minutes(30))
    existing = held(london(TUESDAY, 11), shape)  # 10:30–12:30 with its buffers

    starts = free_starts_on(TUESDAY, shape, studio(), now=A_WEEK_BEFORE, busy=[existing])

    assert clock(starts) == [
        "09:00 BST",
        "13:00 BST", "13:30 BST", "14:00 BST", "14:30 BST", "15:00 BST", "15:30 BST", "16:00 BST",
    ]  # fmt: skip


def test_a_session_may_touch_busy_time_given_in_any_zone():
    busy = [Interval(utc(london(TUESDAY, 10)), utc(london(TUESDAY, 11)))]

    starts = free_starts_on(TUESDAY, HOUR, studio(), now=A_WEEK_BEFORE, busy=busy)

    assert "09:00 BST" in clock(starts)  # ends as the busy time begins
    assert "11:00 BST" in clock(starts)  # begins as it ends
    assert not {"09:30 BST", "10:00 BST", "10:30 BST"} & set(clock(starts))


def test_busy_time_outside_working_hours_still_blocks_through_buffers():
    shape = SessionShape(duration=minutes(60), buffer_before=minutes(60), buffer_after=minutes(30))
    busy = [
        Interval(london(TUESDAY, 7, 30), london(TUESDAY, 8, 30)),  # before opening: 09:00's buffer reaches it
        Interval(london(TUESDAY, 17), london(TUESDAY, 18)),  # after closing: 16:00's buffer reaches it
    ]
    rules = studio(horizon=timedelta(hours=31))  # notice and horizon end at 09:00 and 16:00 on Tuesday

    starts = free_starts_on(TUESDAY, shape, rules, now=london(TUESDAY - timedelta(days=1), 9), busy=busy)

    assert clock(starts)[0] == "09:30 BST"
    assert clock(starts)[-1] == "15:30 BST"


def test_overlapping_busy_intervals_block_their_union():
    busy = [
        Interval(london(TUESDAY, 9, 30), london(TUESDAY, 13)),
        Interval(london(TUESDAY, 10), london(TUESDAY, 11)),  # inside the first: must not hide its end
        Interval(london(TUESDAY, 12, 30), london(TUESDAY, 14, 30)),
    ]

    starts = free_starts_on(TUESDAY, HOUR, studio(), now=A_WEEK_BEFORE, busy=busy)

    assert clock(starts) == ["14:30 BST", "15:00 BST", "15:30 BST", "16:00 BST"]


def test_a_day_off_offers_nothing():
    rules = studio(days_off=frozenset({TUESDAY}))

    assert free_starts_on(TUESDAY, HOUR, rules, now=A_WEEK_BEFORE) == []
    assert free_starts_on(TUESDAY + timedelta(days=1), HOUR, rules, now=A_WEEK_BEFORE) != []


def test_a_day_at_its_session_limit_offers_nothing():
    rules = studio(max_per_day=2)

    full = free_starts_on(TUESDAY, HOUR, rules, now=A_WEEK_BEFORE, sessions_per_day={TUESDAY: 2})
    one_left = free_starts_on(TUESDAY, HOUR, rules, now=A_WEEK_BEFORE, sessions_per_day={TUESDAY: 1})

    assert full == []
    assert len(one_left) == 15


def test_notice_and_horizon_cut_at_their_exact_instants():
    rules = studio(min_notice=timedelta(hours=24), horizon=timedelta(hours=30))

    starts = free_starts_on(TUESDAY, HOUR, rules, now=london(TUESDAY - timedelta(days=1), 10))

    assert clock(starts) == ["10:00 BST", "10:30 BST", "11:00 BST", "11:30 BST", "12:00 BST", "12:30 BST", "13:00 BST",
                             "13:30 BST", "14:00 BST", "14:30 BST", "15:00 BST", "15:30 BST", "16:00 BST"]  # fmt: skip
    later = free_starts_on(TUESDAY, HOUR, rules, now=london(TUESDAY - timedelta(days=1), 9, 30))
    assert clock(later)[0] == "09:30 BST" and clock(later)[-1] == "15:30 BST"


def test_overlapping_working_ranges_offer_each_start_once():
    rules = studio(working_hours=weekdays(("09:00", "12:00"), ("11:00", "13:00"), days=range(5)))

    starts = free_starts_on(TUESDAY, HOUR, rules, now=A_WEEK_BEFORE)

    assert clock(starts) == ["09:00 BST", "09:30 BST", "10:00 BST", "10:30 BST", "11:00 BST", "11:30 BST", "12:00 BST"]


def test_free_starts_spans_days_in_order():
    starts = free_starts(HOUR, studio(), TUESDAY, TUESDAY + timedelta(days=5), now=A_WEEK_BEFORE)

    assert sorted({s.date() for s in starts}) == [TUESDAY + timedelta(days=i) for i in range(4)]  # Tue–Fri
    assert len(starts) == 4 * 15


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="aware"):
        free_starts_on(TUESDAY, HOUR, studio(), now=datetime(2026, 6, 9, 12))
    with pytest.raises(ValueError, match="aware"):
        Interval(datetime(2026, 6, 16, 10), datetime(2026, 6, 16, 11))


def test_shapes_and_ranges_that_make_no_sense_are_refused():
    with pytest.raises(ValueError):
        SessionShape(duration=timedelta(0))
    with pytest.raises(ValueError):
        WorkingRange(1, time(17), time(9))
    with pytest.raises(ValueError):
        studio(step=timedelta(0))
