"""The booking page's month: free days marked, the horizon explained, the first free day chosen,
months kept within the bookable window, and hostile ?month= values answered plainly."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from bookings import month_calendar
from bookings.models import Availability, TimeOff
from bookings.month_calendar import DayState
from tests.factories import local, make_booking, make_session_type, open_every_day

# --- the pure month ---


def days_of(month: month_calendar.BookingMonth) -> dict[date, month_calendar.Day]:
    return {d.date: d for week in month.weeks for d in week if d is not None}


def test_each_day_is_free_full_past_or_beyond_the_horizon():
    bookable = (date(2026, 12, 10), date(2026, 12, 20))
    free = {date(2026, 12, 11), date(2026, 12, 18)}

    month = month_calendar.booking_month(
        date(2026, 12, 1), free_days=free, bookable=bookable, selected=date(2026, 12, 11)
    )

    days = days_of(month)
    assert len(days) == 31
    assert days[date(2026, 12, 9)].state is DayState.PAST
    assert days[date(2026, 12, 10)].state is DayState.FULL  # today: bookable, nothing free
    assert days[date(2026, 12, 11)].state is DayState.FREE and days[date(2026, 12, 11)].selected
    assert days[date(2026, 12, 18)].state is DayState.FREE and not days[date(2026, 12, 18)].selected
    assert days[date(2026, 12, 20)].state is DayState.FULL
    assert days[date(2026, 12, 21)].state is DayState.BEYOND
    assert month.has_beyond and month.free_days == 2
    assert month.previous is None and month.next is None  # the whole window is in December


def test_weeks_start_on_monday_and_leave_other_months_days_empty():
    month = month_calendar.booking_month(
        date(2026, 12, 1), free_days=set(), bookable=(date(2026, 12, 1), date(2027, 3, 1))
    )

    # 1 December 2026 is a Tuesday: the first week starts with an empty Monday.
    assert month.weeks[0][0] is None
    assert month.weeks[0][1].date == date(2026, 12, 1)
    assert all(len(week) == 7 for week in month.weeks)
    assert month.weeks[-1][3].date == date(2026, 12, 31) and month.weeks[-1][4] is None
    assert [short for _, short in month.weekdays] == ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"]


def test_previous_and_next_stay_within_the_bookable_months():
    bookable = (date(2026, 11, 28), date(2027, 2, 25))

    first = month_calendar.booking_month(date(2026, 11, 1), free_days=set(), bookable=bookable)
    middle = month_calendar.booking_month(date(2026, 12, 1), free_days=set(), bookable=bookable)
    last = month_calendar.booking_month(date(2027, 2, 1), free_days=set(), bookable=bookable)

    assert (first.previous, first.next) == (None, date(2026, 12, 1))
    assert (middle.previous, middle.next) == (date(2026, 11, 1), date(2027, 1, 1))  # across the new year
    assert (last.previous, last.next) == (date(2027, 1, 1), None)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2027-01", date(2027, 1, 1)),
        ("1999-01", date(2026, 11, 1)),  # before the window: its first month
        ("9999-12", date(2027, 2, 1)),  # after it: its last
        ("2026-13", None),
        ("2026-00", None),
        ("0000-01", None),
        ("2026-1", None),
        ("12026-01", None),
        ("٢٠٢٦-١٢", None),  # other scripts' digits
        ("9" * 10_000, None),
        ("", None),
        (None, None),
    ],
)
def test_a_month_asked_for_is_brought_within_the_window_or_is_none(value, expected):
    assert month_calendar.month_to_show(value, (date(2026, 11, 28), date(2027, 2, 25))) == expected


def test_the_admins_month_falls_back_to_this_month_on_nonsense():
    today = date(2026, 12, 2)

    assert month_calendar.parse_month("99999999999999999999-01", today=today) == date(2026, 12, 1)
    assert month_calendar.parse_month("2027-03", today=today) == date(2027, 3, 1)


# --- the booking page ---


@pytest.fixture
def headshot(db):
    open_every_day(start=time(9), end=time(17), horizon_days=40)
    return make_session_type(kind="headshot", slug="headshot", duration_minutes=60)


def page_days(response) -> dict[date, month_calendar.Day]:
    return days_of(response.context["calendar"])


@pytest.mark.django_db
def test_the_page_opens_on_the_first_free_day_with_its_times_beside_the_month(client, headshot):
    response = client.get("/book/?type=headshot")

    html = response.content.decode()
    day = response.context["day"]
    # 24 hours' notice: today has nothing left; tomorrow has, unless it is past 16:00 (the last start).
    assert day in (local(days=1).date(), local(days=2).date())
    assert page_days(response)[day].selected
    assert response.context["calendar"].month == day.replace(day=1)
    assert f'data-day="{day:%Y-%m-%d}" aria-current="true"' in html
    assert f'href="/book/?type=headshot&amp;date={day:%Y-%m-%d}"' in html  # a plain link without JavaScript
    starts = [datetime.fromisoformat(value) for value, _ in response.context["times"]]
    first = starts[0]
    notice_ends = timezone.now() + timedelta(hours=24)
    assert first.date() == day
    # Half an hour apart (late in the afternoon, tomorrow may have only its last start left).
    assert all(later - earlier == timedelta(minutes=30) for earlier, later in zip(starts, starts[1:], strict=False))
    # The first time on the half-hour grid once the notice has run, whatever the hour the test runs at.
    assert first.time() == time(9) or notice_ends <= first < notice_ends + timedelta(minutes=30)


@pytest.mark.django_db
def test_days_without_free_times_are_plain_text_not_links(client, headshot):
    off = local(days=3).date()
    TimeOff.objects.create(first_day=off, last_day=off, note="Wedding in Bath")

    response = client.get(f"/book/?type=headshot&month={off:%Y-%m}")

    html = response.content.decode()
    assert page_days(response)[off].state is DayState.FULL
    assert f'data-day="{off:%Y-%m-%d}"' not in html
    assert page_days(response)[local(days=4).date()].state is DayState.FREE


@pytest.mark.django_db
def test_a_fully_booked_day_is_not_marked_free(client, headshot):
    day = local(days=5).date()
    Availability.objects.update(max_sessions_per_day=1)
    make_booking(headshot, local(days=5, hour=11))

    response = client.get(f"/book/?type=headshot&date={day}")

    assert page_days(response)[day].state is DayState.FULL
    assert response.context["times"] == []
    assert response.context["next_day"] == day + timedelta(days=1)


@pytest.mark.django_db
def test_days_past_the_horizon_say_how_far_ahead_one_may_book(client, headshot):
    # A horizon that ends mid-month, so its month holds days beyond it.
    horizon = next(n for n in range(35, 70) if local(days=n).date().day < 28)
    Availability.objects.update(horizon_days=horizon)
    last = local(days=horizon).date()

    response = client.get(f"/book/?type=headshot&month={last:%Y-%m}")

    html = response.content.decode()
    days = page_days(response)
    assert response.context["calendar"].next is None
    assert days[last + timedelta(days=1)].state is DayState.BEYOND
    assert days[last - timedelta(days=1)].state is DayState.FREE
    assert f"Bookable up to {horizon} days ahead, so until {last:%A %-d %B}." in html
    assert 'rel="next"' not in html


@pytest.mark.django_db
def test_a_later_month_opens_on_its_first_free_day(client, headshot):
    later = (local(days=1).date().replace(day=1) + timedelta(days=32)).replace(day=1)

    response = client.get(f"/book/?type=headshot&month={later:%Y-%m}")

    assert response.context["day"] == later
    assert response.context["calendar"].previous == local(days=0).date().replace(day=1)
    assert all(value.startswith(later.isoformat()) for value, _ in response.context["times"])


@pytest.mark.django_db
@pytest.mark.parametrize("month", ["2026-13", "garbage", "1999-01", "9999-12", "0000-00", "9" * 10_000, "-2026-12"])
def test_a_hostile_month_falls_back_to_a_bookable_one(client, headshot, month):
    response = client.get("/book/?type=headshot", {"month": month})

    assert response.status_code == 200
    shown = response.context["calendar"].month
    first, last = local(days=0).date().replace(day=1), local(days=40).date().replace(day=1)
    assert first <= shown <= last


@pytest.mark.django_db
def test_the_fragment_gives_the_month_and_the_days_times(client, headshot):
    day = local(days=6).date()

    response = client.get(f"/book/times/calendar/?type=headshot&date={day}")

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="calendar-month"' in html and 'id="day-times"' in html and 'id="session-summary"' in html
    assert "<html" not in html
    assert f'data-selected="{day:%Y-%m-%d}"' in html
    assert f'value="{local(days=6, hour=9).isoformat()}"' in html


@pytest.mark.django_db
def test_the_fragment_refuses_a_missing_or_unknown_session_plainly(client, headshot):
    assert client.get("/book/times/calendar/?type=nope").status_code == 400
    assert client.get("/book/times/calendar/").status_code == 400
    assert client.get("/book/times/calendar/?type=headshot&month=2026-99").status_code == 200


@pytest.mark.django_db
def test_the_month_follows_the_studios_days_not_the_servers(client, settings):
    settings.TIME_ZONE = "UTC"
    open_every_day(start=time(9), end=time(17), time_zone="Pacific/Auckland")
    make_session_type(kind="headshot", slug="headshot", duration_minutes=60)

    # A week ahead in Auckland: a whole day of free times, whatever the hour of the run (on the first
    # free day, the day's notice can leave only its later hours).
    week_ahead = local(days=7).date()
    response = client.get(f"/book/?type=headshot&date={week_ahead}")

    # Every start offered on the selected day is on that day in Auckland.
    day = response.context["day"]
    assert response.context["times"]
    auckland = ZoneInfo("Pacific/Auckland")
    starts = [datetime.fromisoformat(value) for value, _ in response.context["times"]]
    assert all(start.astimezone(auckland).date() == day for start in starts)
    assert starts[0].astimezone(auckland).time() == time(9)
