"""Months laid out on weeks (Monday first), with no queries here: reading and stepping months (the
admin's calendar, bookings/studio_calendar.py, uses these too), and the booking page's month of free days."""

import calendar
import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

# ASCII digits only: int() also reads other scripts' digits, and a year past 9999 is no month.
MONTH = re.compile(r"(\d{4})-(\d{2})", re.ASCII)


def month_or_none(value: str | None) -> date | None:
    """'2026-03' → 1 March 2026; None for anything else (2026-13, 0000-01, 10 KB of digits)."""
    match = MONTH.fullmatch(value or "")
    if match is None:
        return None
    try:
        return date(int(match[1]), int(match[2]), 1)
    except ValueError:
        return None


def parse_month(value: str | None, *, today: date) -> date:
    """'2026-03' → 1 March 2026; anything else → the first of this month."""
    return month_or_none(value) or today.replace(day=1)


def month_bounds(month: date) -> tuple[date, date]:
    return month, month.replace(day=calendar.monthrange(month.year, month.month)[1])


def shift(month: date, months: int) -> str:
    """The month `months` away, as a `?month=` asks for it ('2027-04')."""
    moved = _month_after(month, months)
    return f"{moved.year:04d}-{moved.month:02d}"


# --- the booking page's month ---


# The grid's column heads, Monday first: the full name for screen readers, two letters on screen.
WEEKDAYS = [(name, name[:2]) for name in calendar.day_name]


class DayState(StrEnum):
    FREE = "free"  # has a free time: a link
    FULL = "full"  # bookable, but nothing free (closed, time off, fully booked, too soon)
    PAST = "past"  # before today
    BEYOND = "beyond"  # after the last day the horizon allows


@dataclass(frozen=True)
class Day:
    date: date
    state: DayState
    selected: bool = False

    @property
    def is_free(self) -> bool:
        return self.state is DayState.FREE


@dataclass(frozen=True)
class BookingMonth:
    """One month of the booking calendar: weeks of days (None outside the month), and the months a
    client may move to (None past either end of the bookable days)."""

    month: date
    weeks: list[list[Day | None]]
    previous: date | None
    next: date | None
    last_day: date
    has_beyond: bool
    free_days: int
    weekdays = WEEKDAYS


def bookable_months(bookable: tuple[date, date]) -> tuple[date, date]:
    """The first and last months that hold a bookable day."""
    return bookable[0].replace(day=1), bookable[1].replace(day=1)


def month_to_show(value: str | None, bookable: tuple[date, date]) -> date | None:
    """The month a link asks for, brought within the bookable months (so ?month=1999-01 shows the
    first one); None when it names no month at all."""
    month = month_or_none(value)
    if month is None:
        return None
    first, last = bookable_months(bookable)
    return min(max(month, first), last)


def booking_month(
    month: date, *, free_days: set[date], bookable: tuple[date, date], selected: date | None = None
) -> BookingMonth:
    """`month` (its first day) with each day marked free, full, past or beyond the horizon."""
    first, last = bookable

    def state(day: date) -> DayState:
        if day < first:
            return DayState.PAST
        if day > last:
            return DayState.BEYOND
        return DayState.FREE if day in free_days else DayState.FULL

    grid = [
        [Day(day, state(day), day == selected) if day.month == month.month else None for day in week]
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)
    ]
    first_month, last_month = bookable_months(bookable)
    days = [d for week in grid for d in week if d is not None]
    return BookingMonth(
        month=month,
        weeks=grid,
        previous=_month_after(month, -1) if month > first_month else None,
        next=_month_after(month, 1) if month < last_month else None,
        last_day=last,
        has_beyond=any(d.state is DayState.BEYOND for d in days),
        free_days=sum(d.is_free for d in days),
    )


def _month_after(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)
