"""Free start times for a session: a pure function of the studio's rules, busy time and the clock.

No models here: the caller loads availability and existing bookings, this module does the arithmetic
(benchmarked in bench/bench_slots.py).

Two kinds of time, kept apart on purpose:
- Working hours, days off and the start grid are local wall-clock times in `Rules.tz`.
- Durations, buffers, notice and horizon are real elapsed time, so every sum is done in UTC.

Results are aware datetimes in `Rules.tz`. Compare them by instant (`.astimezone(UTC)`): Python
compares two datetimes of the same zone by wall clock and ignores `fold`, so in the repeated hour of a
fall-back night 01:30 BST and 01:30 GMT would compare equal.
"""

from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

ZERO = timedelta(0)
ONE_DAY = timedelta(days=1)
ONE_MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True)
class SessionShape:
    duration: timedelta
    buffer_before: timedelta = ZERO
    buffer_after: timedelta = ZERO

    def __post_init__(self) -> None:
        if self.duration <= ZERO:
            raise ValueError("a session must last some time")
        if self.buffer_before < ZERO or self.buffer_after < ZERO:
            raise ValueError("buffers cannot be negative")


@dataclass(frozen=True)
class WorkingRange:
    weekday: int  # 0 = Monday … 6 = Sunday
    start: time  # local wall-clock time in the studio's zone
    end: time  # local, > start (no ranges over midnight)

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), not {self.weekday}")
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("working hours are wall-clock times in Rules.tz, without a tzinfo")
        if self.end <= self.start:
            raise ValueError("a working range must end after it starts, on the same day")


@dataclass(frozen=True)
class Rules:
    tz: ZoneInfo
    working_hours: tuple[WorkingRange, ...]  # several ranges a day allowed
    days_off: frozenset[date] = frozenset()  # whole local dates off (time off)
    hours_off: tuple["Interval", ...] = ()  # time off by the hour: no held time may overlap it
    min_notice: timedelta = timedelta(hours=24)
    horizon: timedelta = timedelta(days=90)  # how far ahead from `now` a session may start
    step: timedelta = timedelta(minutes=30)  # start-time grid inside each working range
    max_per_day: int | None = None  # sessions per local date

    def __post_init__(self) -> None:
        if self.step <= ZERO:
            raise ValueError("the start-time step must be positive")
        if self.max_per_day is not None and self.max_per_day < 0:
            raise ValueError("max_per_day cannot be negative")


@dataclass(frozen=True)
class Interval:
    start: datetime  # aware
    end: datetime  # aware, > start

    def __post_init__(self) -> None:
        _require_aware(self.start, "Interval.start")
        _require_aware(self.end, "Interval.end")
        # By instant: in one zone Python compares wall clocks, and 01:10 GMT comes after 01:50 BST.
        if self.end.astimezone(UTC) <= self.start.astimezone(UTC):
            raise ValueError("an interval must end after it starts")


def held(start: datetime, shape: SessionShape) -> Interval:
    """The time a booking holds: its session plus buffers before and after (real time).

    Returned in `start`'s zone; the sums are done in UTC so a night when the clocks change still
    holds exactly `duration` plus buffers.
    """
    _require_aware(start, "start")
    tz = start.tzinfo
    at = start.astimezone(UTC)
    return Interval(
        (at - shape.buffer_before).astimezone(tz),
        (at + shape.duration + shape.buffer_after).astimezone(tz),
    )


def free_starts(
    shape: SessionShape,
    rules: Rules,
    first_day: date,
    last_day: date,
    *,
    now: datetime,
    busy: Sequence[Interval] = (),
    sessions_per_day: Mapping[date, int] | None = None,
) -> list[datetime]:
    """Aware datetimes in rules.tz, sorted ascending, for local dates first_day..last_day inclusive.

    A start is offered when it is on the wall-clock grid of one of the day's working ranges, the
    session (real time) ends by the range's end, the held time (buffers included) overlaps no busy
    interval nor hours off (touching is fine), it respects notice and horizon, and its date is neither a day off
    nor at `max_per_day`.
    """
    _require_aware(now, "now")
    tz = rules.tz
    at = now.astimezone(UTC)
    earliest = at + rules.min_notice
    latest = at + rules.horizon
    if earliest > latest:
        return []
    # Only days near [earliest, latest] can hold a start; the day of margin covers zones whose
    # clocks fall back across midnight.
    first_day = max(first_day, earliest.astimezone(tz).date() - ONE_DAY)
    last_day = min(last_day, latest.astimezone(tz).date() + ONE_DAY)

    before, duration = shape.buffer_before, shape.duration
    session_and_after = duration + shape.buffer_after
    # Only busy time a held interval could reach matters, and callers may pass much more: filter
    # before converting and sorting. (Ordering comparisons across zones are by instant.)
    reach_from = earliest - before
    reach_to = min(latest, _end_of(last_day, tz)) + session_and_after
    relevant = [b for b in (*busy, *rules.hours_off) if b.start < reach_to and b.end > reach_from]
    # Sorted once; each candidate then costs two bisections, however many busy intervals there are.
    busy_starts = sorted([b.start.astimezone(UTC) for b in relevant])
    busy_ends = sorted([b.end.astimezone(UTC) for b in relevant])

    # The grid of each range is the same wall-clock times every week: work it out once.
    grids: list[list[tuple[time, list[tuple[time, time]]]]] = [[] for _ in range(7)]
    for working in rules.working_hours:
        grids[working.weekday].append((working.end, _grid(working, rules.step)))
    limit = rules.max_per_day
    booked = sessions_per_day or {}

    found: list[datetime] = []  # UTC instants
    day = first_day
    while day <= last_day:
        ranges = grids[day.weekday()]
        if not ranges or day in rules.days_off or (limit is not None and booked.get(day, 0) >= limit):
            day += ONE_DAY
            continue
        for end, grid in ranges:
            last_start = min(_clock_reaches(day, end, tz) - duration, latest)
            for clock, clock_again in grid:
                for start in _instants(day, clock, clock_again, tz):
                    if start < earliest or start > last_start:
                        continue
                    # Busy intervals overlapping the held time = those starting before it ends, less
                    # those ending by the time it begins (they started before it ends too). Touching
                    # is not overlapping: bisect_left and bisect_right leave equal instants out.
                    if bisect_left(busy_starts, start + session_and_after) > bisect_right(busy_ends, start - before):
                        continue
                    found.append(start)
        day += ONE_DAY

    # Ranges of one day may overlap, and the repeated hour interleaves with the next grid times.
    return [start.astimezone(tz) for start in sorted(set(found))]


def free_starts_on(
    day: date,
    shape: SessionShape,
    rules: Rules,
    *,
    now: datetime,
    busy: Sequence[Interval] = (),
    sessions_per_day: Mapping[date, int] | None = None,
) -> list[datetime]:
    """The free starts of one local date (what the booking page shows when a client picks a day)."""
    return free_starts(shape, rules, day, day, now=now, busy=busy, sessions_per_day=sessions_per_day)


def _require_aware(moment: datetime, name: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime, not {moment!r}")


def _end_of(day: date, tz: ZoneInfo) -> datetime:
    """A UTC instant no earlier than every instant of local `day`: the next local midnight.

    If that midnight is skipped, fold=0 gives the instant after the jump; if it repeats, its first
    occurrence; either way `day` is over.
    """
    return datetime.combine(day + ONE_DAY, time(0), tz).astimezone(UTC)


def _grid(working: WorkingRange, step: timedelta) -> list[tuple[time, time]]:
    """The range's start times on the wall clock, each paired with its second reading (fold=1)."""
    wall, stop = datetime.combine(date.min, working.start), datetime.combine(date.min, working.end)
    grid = []
    while wall < stop:
        grid.append((wall.time(), wall.time().replace(fold=1)))
        wall += step
    return grid


def _instants(day: date, clock: time, clock_again: time, tz: ZoneInfo) -> tuple[datetime, ...]:
    """The real instants (UTC) at which the studio's clock reads `clock` on `day`.

    `clock_again` is the same time with fold=1. Called for every candidate, so the usual case (one
    offset for both readings: the time happens once) costs two offset look-ups and no conversions.
    """
    offset = tz.utcoffset(datetime.combine(day, clock))
    if offset == tz.utcoffset(datetime.combine(day, clock_again)):
        return (datetime.combine(day, clock, UTC) - offset,)
    first = datetime.combine(day, clock, tz).astimezone(UTC)
    if first.astimezone(tz).replace(tzinfo=None) == datetime.combine(day, clock):
        # The repeated hour of a fall-back night: both are real, distinct instants while the studio
        # is open, so both are offered, each once, in order of instant (their offsets tell them apart).
        return (first, datetime.combine(day, clock_again, tz).astimezone(UTC))
    return ()  # skipped when the clocks go forward: nobody can turn up at a time that never happens


def _clock_reaches(day: date, clock: time, tz: ZoneInfo) -> datetime:
    """The first instant (UTC) of local `day` at which the clock reads `clock` or later.

    That is the end of a working range: the earlier one when `clock` happens twice, and the moment
    of the jump when the clocks skip over it.
    """
    wall = datetime.combine(day, clock)
    first = wall.replace(tzinfo=tz).astimezone(UTC)
    if first.astimezone(tz).replace(tzinfo=None) == wall:
        return first
    # Skipped: the jump lies in (lo, hi], where the clock reads before `clock` at lo and after it
    # at hi. Rare (a range ending inside the gap), so a bisection to the microsecond is fine.
    lo, hi = sorted((first, wall.replace(tzinfo=tz, fold=1).astimezone(UTC)))
    while hi - lo > ONE_MICROSECOND:
        mid = lo + (hi - lo) // 2
        if mid.astimezone(tz).replace(tzinfo=None) >= wall:
            hi = mid
        else:
            lo = mid
    return hi
