"""The admin's month view: bookings laid out on the weeks of a month (no queries here)."""

import calendar
from collections import defaultdict
from datetime import date
from zoneinfo import ZoneInfo


def parse_month(value: str | None, *, today: date) -> date:
    """'2026-03' → 1 March 2026; anything else → the first of this month."""
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        return date(year, month, 1)
    except ValueError:
        return today.replace(day=1)


def month_bounds(month: date) -> tuple[date, date]:
    return month, month.replace(day=calendar.monthrange(month.year, month.month)[1])


def shift(month: date, months: int) -> str:
    index = month.year * 12 + month.month - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def weeks(month: date, bookings, tz: ZoneInfo) -> list[list[dict]]:
    """Weeks (Monday first) of days: {'date', 'in_month', 'bookings': [(local start, booking)]}."""
    by_day = defaultdict(list)
    for booking in bookings:
        local = booking.start.astimezone(tz)
        by_day[local.date()].append((local, booking))
    return [
        [
            {"date": day, "in_month": day.month == month.month, "bookings": sorted(by_day[day], key=lambda x: x[0])}
            for day in week
        ]
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)
    ]
