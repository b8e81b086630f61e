"""The admin's calendar of sessions: which days a month or a week view shows, and the bookings on
each, in the studio's zone (no queries here: the view fetches the bookings of `span` and passes them)."""

import calendar
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from . import month_calendar

# Far enough either way for any studio, and far from the ends of Python's dates (9999-12-31 + 1 day
# would be an error rather than a page).
EARLIEST, LATEST = date(1900, 1, 1), date(2999, 12, 31)
DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)


@dataclass(frozen=True)
class CalendarDay:
    date: date
    in_range: bool  # in the month shown (a neighbouring month's day is shown greyed)
    is_today: bool
    bookings: list  # [(local start, local end, booking)], by start


def _sane(day: date) -> bool:
    return EARLIEST <= day <= LATEST


def parse_month(value: str | None, *, today: date) -> date:
    """The month a `?month=2026-03` asks for (its first day); this month for anything else."""
    month = month_calendar.parse_month(value, today=today)
    return month if _sane(month) else today.replace(day=1)


def parse_week(value: str | None, *, today: date) -> date:
    """The Monday of the week holding a `?week=2026-12-09`; this week's for anything else."""
    match = DAY.fullmatch(value or "")
    try:
        day = date(int(match[1]), int(match[2]), int(match[3])) if match else today
    except ValueError:
        day = today
    if not _sane(day):
        day = today
    return day - timedelta(days=day.weekday())


def month_span(month: date) -> tuple[date, date]:
    """The first and last day the month's grid shows: whole weeks, Monday to Sunday, so the ends
    of the neighbouring months are shown too."""
    grid = calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)
    return grid[0][0], grid[-1][-1]


def week_span(monday: date) -> tuple[date, date]:
    return monday, monday + timedelta(days=6)


def instants(span: tuple[date, date], tz: ZoneInfo) -> tuple[datetime, datetime]:
    """From the first day's midnight to the midnight after the last day, in the studio's zone."""
    return datetime.combine(span[0], time.min, tz), datetime.combine(span[1] + timedelta(days=1), time.min, tz)


def days(span: tuple[date, date], bookings, tz: ZoneInfo, *, today: date, month: date | None = None):
    """Each day of `span` with its bookings (a booking belongs to the day it starts on, in `tz`)."""
    by_day = defaultdict(list)
    for booking in bookings:
        start, end = booking.start.astimezone(tz), booking.end.astimezone(tz)
        by_day[start.date()].append((start, end, booking))
    first, last = span
    return [
        CalendarDay(
            date=day,
            in_range=month is None or (day.year, day.month) == (month.year, month.month),
            is_today=day == today,
            bookings=sorted(by_day[day], key=lambda entry: entry[0]),
        )
        for day in (first + timedelta(days=n) for n in range((last - first).days + 1))
    ]


def as_weeks(days_shown: list[CalendarDay]) -> list[list[CalendarDay]]:
    return [days_shown[n : n + 7] for n in range(0, len(days_shown), 7)]


def shift_week(monday: date, weeks: int) -> str:
    return (monday + timedelta(weeks=weeks)).isoformat()


@dataclass(frozen=True)
class Period:
    """The month or week a calendar address asks for, and the addresses (as query pairs) of the
    periods around it: ("month", "2027-04") or ("week", "2027-04-12")."""

    kind: str  # "month" or "week"
    span: tuple[date, date]  # the days shown
    month: date | None  # the month's first day; None for a week
    title: str
    here: tuple[str, str]
    previous: tuple[str, str]
    next: tuple[str, str]
    current: tuple[str, str]  # the period holding today
    other: tuple[str, str]  # the week view of this month, or the month of this week


def period(query, *, today: date) -> Period:
    """`?week=<a day>` asks for that day's week; anything else for a month (`?month=2027-04`)."""
    if "week" in query:
        monday = parse_week(query["week"], today=today)
        sunday = monday + timedelta(days=6)
        return Period(
            kind="week",
            span=(monday, sunday),
            month=None,
            title=f"Sessions from {monday:%a} {monday.day} {monday:%b} to {sunday:%a} {sunday.day} {sunday:%b %Y}",
            here=("week", monday.isoformat()),
            previous=("week", shift_week(monday, -1)),
            next=("week", shift_week(monday, 1)),
            current=("week", today.isoformat()),
            other=("month", f"{monday:%Y-%m}"),
        )
    month = parse_month(query.get("month"), today=today)
    in_month = (today.year, today.month) == (month.year, month.month)
    return Period(
        kind="month",
        span=month_span(month),
        month=month,
        title=f"Sessions in {month:%B %Y}",
        here=("month", f"{month:%Y-%m}"),
        previous=("month", month_calendar.shift(month, -1)),
        next=("month", month_calendar.shift(month, 1)),
        current=("month", f"{today:%Y-%m}"),
        other=("week", (today if in_month else month).isoformat()),
    )
