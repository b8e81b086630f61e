"""How long free start times take (bookings/slots.py), and how that grows with the bookings.

Run from the repo root: .venv/bin/python bench/bench_slots.py

Each size is measured against a peer in the same run: a straightforward implementation that checks
every candidate against every busy interval. Both must give the same starts, or the run fails.
"""

import gc
import random
import statistics
import sys
import time as clock
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bookings.slots import Interval, Rules, SessionShape, WorkingRange, free_starts, held  # noqa: E402

TZ = ZoneInfo("Europe/London")
WEEK = tuple(
    [WorkingRange(day, time(9), time(13)) for day in range(5)]
    + [WorkingRange(day, time(14), time(18)) for day in range(5)]
    + [WorkingRange(5, time(10), time(16))]
)
RULES = Rules(tz=TZ, working_hours=WEEK, min_notice=timedelta(hours=24), horizon=timedelta(days=90))
SHAPE = SessionShape(
    duration=timedelta(minutes=60), buffer_before=timedelta(minutes=15), buffer_after=timedelta(minutes=15)
)
NOW = datetime(2026, 3, 1, 9, tzinfo=TZ)
FIRST_DAY = date(2026, 3, 2)  # the 60 days cross the change to summer time (29 March)
LAST_DAY = FIRST_DAY + timedelta(days=59)
SIZES = [0, 30, 300, 3_000, 30_000]
BUDGET_SECONDS = 4.0  # per size and implementation, at most; the baseline at 30 000 is the slow one


def existing_bookings(count: int, *, per_day: int | None = None, seed: int = 2026) -> list[Interval]:
    """Held times of `count` bookings at random quarter hours from 08:00 to 18:45, in UTC as the
    database returns them: all within the 60 days, or at about `per_day` a day over as many days as
    that takes, centred on the 60 (the rest before and after, as if the caller passed every booking)."""
    rng = random.Random(seed)
    span = max(60, count // per_day) if per_day else 60
    busy = []
    for _ in range(count):
        day = FIRST_DAY + timedelta(days=rng.randrange(span) - (span - 60) // 2)
        start = datetime.combine(day, time(*divmod(8 * 60 + 15 * rng.randrange(44), 60)), tzinfo=TZ)
        length = timedelta(minutes=rng.choice([30, 60, 90, 120]))
        shape = SessionShape(duration=length, buffer_before=SHAPE.buffer_before, buffer_after=SHAPE.buffer_after)
        busy.append(held(start.astimezone(UTC), shape))
    return busy


def baseline_free_starts(
    shape: SessionShape,
    rules: Rules,
    first_day: date,
    last_day: date,
    *,
    now: datetime,
    busy: Sequence[Interval] = (),
    sessions_per_day: Mapping[date, int] | None = None,
) -> list[datetime]:
    """The obvious loop: every grid time of every day, checked against every busy interval."""
    busy_utc = [(b.start.astimezone(UTC), b.end.astimezone(UTC)) for b in busy]  # fair: converted once
    now = now.astimezone(UTC)
    earliest, latest = now + rules.min_notice, now + rules.horizon
    booked = sessions_per_day or {}
    found = []
    day = first_day
    while day <= last_day:
        at_limit = rules.max_per_day is not None and booked.get(day, 0) >= rules.max_per_day
        for working in rules.working_hours:
            if working.weekday != day.weekday() or day in rules.days_off or at_limit:
                continue
            closes = datetime.combine(day, working.end, tzinfo=rules.tz).astimezone(UTC)  # no range ends in a gap here
            wall, stop = datetime.combine(day, working.start), datetime.combine(day, working.end)
            while wall < stop:
                for fold in (0, 1):
                    start = wall.replace(tzinfo=rules.tz, fold=fold).astimezone(UTC)
                    local = start.astimezone(rules.tz)
                    if (local.replace(tzinfo=None), local.fold) != (wall, fold):
                        continue  # skipped by the clocks, or fold=1 of a time that happens once
                    if not earliest <= start <= latest or start + shape.duration > closes:
                        continue
                    hold_start, hold_end = start - shape.buffer_before, start + shape.duration + shape.buffer_after
                    if any(hold_start < end and begin < hold_end for begin, end in busy_utc):
                        continue
                    found.append(start)
                wall += rules.step
        day += timedelta(days=1)
    return [start.astimezone(rules.tz) for start in sorted(set(found))]


def median_ms(run: Callable[[], object], at_least: int = 5, at_most: int = 41) -> tuple[float, int]:
    """Median wall time of `run` in milliseconds, over as many repeats as the budget allows."""
    times = []
    deadline = clock.perf_counter() + BUDGET_SECONDS
    while len(times) < at_most and (len(times) < at_least or clock.perf_counter() < deadline):
        gc.collect()
        began = clock.perf_counter()
        run()
        times.append((clock.perf_counter() - began) * 1000)
    return statistics.median(times), len(times)


def ours(busy: list[Interval]) -> list[datetime]:
    return free_starts(SHAPE, RULES, FIRST_DAY, LAST_DAY, now=NOW, busy=busy)


def baseline(busy: list[Interval]) -> list[datetime]:
    return baseline_free_starts(SHAPE, RULES, FIRST_DAY, LAST_DAY, now=NOW, busy=busy)


def table(title: str, make_busy: Callable[[int], list[Interval]]) -> list[tuple[int, int, float, int, float]]:
    print(title)
    print(f"{'bookings':>9}  {'free starts':>11}  {'ours ms':>9}  {'baseline ms':>11}  {'baseline/ours':>13}")
    rows = []
    for size in SIZES:
        busy = make_busy(size)
        mine, theirs = ours(busy), baseline(busy)
        if [s.astimezone(UTC) for s in mine] != [s.astimezone(UTC) for s in theirs]:
            raise SystemExit(f"ours and the baseline disagree with {size} bookings")
        ours_ms, ours_runs = median_ms(lambda busy=busy: ours(busy))
        base_ms, _ = median_ms(lambda busy=busy: baseline(busy), at_least=3)
        print(f"{size:>9,}  {len(mine):>11,}  {ours_ms:>9.2f}  {base_ms:>11.2f}  {base_ms / ours_ms:>12.1f}x")
        rows.append((size, len(mine), ours_ms, ours_runs, base_ms))
    print()
    return rows


def main() -> None:
    print(f"Free start times for 60 days ({FIRST_DAY} to {LAST_DAY}, {TZ.key}): Mon–Fri 09–13 and 14–18,")
    print("Sat 10–16, a 30-minute grid, 60-minute sessions with 15-minute buffers. Baseline: the same rules,")
    print("every candidate checked against every busy interval. Times are medians of repeated runs,")
    print(f"Python {sys.version.split()[0]}.")
    print()
    median_ms(lambda: (ours(existing_bookings(300)), baseline(existing_bookings(300))), at_least=10)  # warm up

    crowded = table("Bookings all within the 60 days (from 3,000 on, every start is taken):", existing_bookings)
    table(
        "Bookings at 5 a day, centred on the 60 days (300 inside them, the rest before and after):",
        lambda size: existing_bookings(size, per_day=5),
    )
    size, free, ours_ms, runs, base_ms = next(row for row in crowded if row[0] == 300)
    print(f"60 days with {size} bookings: {ours_ms:.2f} ms (median of {runs} runs), {free} free starts.")


if __name__ == "__main__":
    main()
