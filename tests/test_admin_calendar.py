"""The photographer's calendar in the admin: a month of whole weeks (the ends of the months either
side included) or a week, each session with its time, client and session type; bookings that no
longer hold their time are hidden until asked for."""

import re
from datetime import date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model

from bookings import services, studio_calendar
from bookings.models import Availability
from tests.factories import make_booking, make_session_type, open_every_day

TORONTO = ZoneInfo("America/Toronto")
URL = "/admin/bookings/booking/calendar/"


# --- which days are shown (no database) ---


def test_a_month_is_shown_as_whole_weeks_from_monday_to_sunday():
    assert studio_calendar.month_span(date(2027, 4, 1)) == (date(2027, 3, 29), date(2027, 5, 2))
    assert studio_calendar.month_span(date(2026, 12, 1)) == (date(2026, 11, 30), date(2027, 1, 3))
    assert studio_calendar.month_span(date(2027, 2, 1)) == (date(2027, 2, 1), date(2027, 2, 28))  # four whole weeks


@pytest.mark.parametrize(
    ("asked", "monday"),
    [
        ("2027-04-15", date(2027, 4, 12)),
        ("2027-04-12", date(2027, 4, 12)),
        ("2027-04-18", date(2027, 4, 12)),  # a Sunday ends its week
        ("2027-02-30", date(2026, 11, 30)),  # no such day: this week
        ("garbage", date(2026, 11, 30)),
        ("", date(2026, 11, 30)),
        ("9999-12-31", date(2026, 11, 30)),  # the next week would be past the last date Python knows
        ("0001-01-01", date(2026, 11, 30)),
        ("２０２７-04-15", date(2026, 11, 30)),  # other scripts' digits are not a date here
        ("2027-04-15" + "0" * 5000, date(2026, 11, 30)),
    ],
)
def test_a_week_is_asked_for_by_any_of_its_days(asked, monday):
    assert studio_calendar.parse_week(asked, today=date(2026, 12, 2)) == monday


def test_a_month_far_outside_any_studios_life_is_this_month():
    today = date(2026, 12, 2)
    assert studio_calendar.parse_month("9999-12", today=today) == date(2026, 12, 1)
    assert studio_calendar.parse_month("2027-04", today=today) == date(2027, 4, 1)


def test_a_calendar_address_names_its_period_and_the_ones_around_it():
    today = date(2026, 12, 2)

    week = studio_calendar.period({"week": "2027-04-15", "show": "all"}, today=today)
    assert (week.kind, week.span, week.month) == ("week", (date(2027, 4, 12), date(2027, 4, 18)), None)
    assert week.title == "Sessions from Mon 12 Apr to Sun 18 Apr 2027"
    assert (week.previous, week.next, week.here) == (
        ("week", "2027-04-05"),
        ("week", "2027-04-19"),
        ("week", "2027-04-12"),
    )
    assert (week.current, week.other) == (("week", "2026-12-02"), ("month", "2027-04"))

    month = studio_calendar.period({"month": "2027-01"}, today=today)
    assert (month.kind, month.month, month.span) == ("month", date(2027, 1, 1), (date(2026, 12, 28), date(2027, 1, 31)))
    assert (month.previous, month.next, month.other) == (
        ("month", "2026-12"),
        ("month", "2027-02"),
        ("week", "2027-01-01"),
    )
    this_month = studio_calendar.period({}, today=today)
    assert (this_month.title, this_month.other) == ("Sessions in December 2026", ("week", "2026-12-02"))


def test_a_session_is_on_the_day_it_starts_in_the_studios_zone():
    # 23:30 in Toronto on 14 April is 03:30 on the 15th in UTC.
    late = SimpleNamespace(
        start=datetime(2027, 4, 15, 3, 30, tzinfo=ZoneInfo("UTC")),
        end=datetime(2027, 4, 15, 4, 30, tzinfo=ZoneInfo("UTC")),
    )
    days = studio_calendar.days(studio_calendar.week_span(date(2027, 4, 12)), [late], TORONTO, today=date(2027, 4, 14))

    by_date = {day.date: day for day in days}
    assert [entry[2] for entry in by_date[date(2027, 4, 14)].bookings] == [late]
    assert by_date[date(2027, 4, 14)].bookings[0][0].hour == 23
    assert by_date[date(2027, 4, 14)].is_today
    assert not by_date[date(2027, 4, 15)].bookings
    assert len(days) == 7 and all(day.in_range for day in days)


# --- the pages ---


@pytest.fixture
def photographer(client, db):
    user = get_user_model().objects.create_superuser("sam", "sam.carter@northlight.example", "pw-for-tests-only")
    client.force_login(user)
    open_every_day()
    return user


@pytest.fixture
def april(photographer, on_commit_as_in_production) -> dict:
    """Sessions of April 2027 and the days either side of it that its weeks show."""
    headshot = make_session_type(kind="headshot", name="Business headshot", slug="headshot", duration_minutes=45)
    portrait = make_session_type(kind="portrait", name="Personal branding portrait", slug="portrait")
    london = Availability.load().tz

    def at(day: int, hour: int, month: int = 4) -> datetime:
        return datetime(2027, month, day, hour, 0, tzinfo=london)

    bookings = {
        "march": make_booking(portrait, at(30, 10, month=3), name="Chloé Dubois", email="chloe@dubois.example"),
        "mid": make_booking(headshot, at(15, 11), name="Bob Mensah", email="bob@mensah.example"),
        "may": make_booking(headshot, at(2, 14, month=5), name="Tomasz Nowak", email="t.nowak@example.com"),
        "declined": make_booking(headshot, at(16, 9), name="Aisha Bello", email="aisha@bello.example"),
        "cancelled": make_booking(portrait, at(16, 13), name="Priya Raman", email="priya.raman@example.org"),
    }
    services.confirm_booking(bookings["mid"])
    services.decline_booking(bookings["declined"], reason="Away that day.")
    services.cancel_booking(bookings["cancelled"], by_client=True)
    return bookings


def cell(html: str, day: str) -> str:
    """The month grid's cell of a day, found by its label (e.g. "Tue 30 Mar")."""
    weekday, number, month = day.split()
    match = re.search(
        rf'<td class="([^"]*)"[^>]*>\s*<span class="day"><span class="weekday">{weekday} </span>{number}'
        rf'<span class="month-name[^"]*"> {month}</span></span>(.*?)</td>',
        html,
        re.S,
    )
    assert match, f"no cell for {day}"
    return match[1] + match[2]


def test_the_month_shows_the_ends_of_the_months_either_side_with_their_sessions(client, april):
    html = client.get(URL + "?month=2027-04").content.decode()

    assert "Sessions in April 2027" in html
    march = cell(html, "Tue 30 Mar")
    assert "out" in march and "10:00 Chloé Dubois" in march and "Personal branding portrait" in march
    may = cell(html, "Sun 2 May")
    assert "out" in may and "14:00 Tomasz Nowak" in may
    mid = cell(html, "Thu 15 Apr")
    assert "out" not in mid.split(">")[0] and "11:00 Bob Mensah" in mid and "Business headshot" in mid
    assert "status-confirmed" in mid and "status-requested" in march


def test_the_month_hides_declined_and_cancelled_bookings_until_asked(client, april):
    html = client.get(URL + "?month=2027-04").content.decode()

    assert "Aisha Bello" not in html and "Priya Raman" not in html
    assert "2 cancelled, declined or lapsed bookings hidden" in html
    assert 'href="?month=2027-04&amp;show=all"' in html

    everything = client.get(URL + "?month=2027-04&show=all").content.decode()
    day = cell(everything, "Fri 16 Apr")
    assert "09:00 Aisha Bello" in day and "status-declined" in day
    assert "13:00 Priya Raman" in day and "status-cancelled" in day
    assert 'href="?month=2027-05&amp;show=all"' in everything  # moving on keeps them shown
    assert "Hide them" in everything


def test_the_legend_names_every_state_in_its_colour(client, april):
    html = client.get(URL + "?month=2027-04").content.decode()

    legend = html.split('class="calendar-legend"')[1].split("</ul>")[0]
    for state in ["Requested", "Confirmed", "Declined", "Cancelled", "Completed", "Lapsed"]:
        assert f'status-{state.lower()}">{state}<' in legend


def test_the_week_lists_each_day_with_its_sessions_times_clients_and_types(client, april):
    html = client.get(URL + "?week=2027-04-15").content.decode()

    assert "Sessions from Mon 12 Apr to Sun 18 Apr 2027" in html
    assert html.count('class="week-day') == 7
    assert "Thursday 15 Apr" in html
    thursday = html.split("Thursday 15 Apr")[1].split("</li>")[0]
    assert "11:00 Bob Mensah" in thursday and "until 11:45" in thursday and "Business headshot" in thursday
    assert "Chloé Dubois" not in html and "Aisha Bello" not in html
    assert 'href="?week=2027-04-05"' in html and 'href="?week=2027-04-19"' in html
    assert 'href="?month=2027-04"' in html  # back to the month the week is in


def test_the_month_links_to_its_first_week_and_the_neighbouring_months(client, april):
    html = client.get(URL + "?month=2027-04").content.decode()

    assert 'href="?week=2027-04-01"' in html
    assert 'href="?month=2027-03"' in html and 'href="?month=2027-05"' in html


@pytest.mark.parametrize(
    "query", ["?week=garbage", "?week=9999-12-31", "?month=9999-12", "?month=0000-00", "?week=", "?show=everything"]
)
def test_a_calendar_address_that_makes_no_sense_shows_the_current_period(client, photographer, query):
    assert client.get(URL + query).status_code == 200


def test_the_calendar_is_for_staff_only(client, db):
    assert client.get(URL).status_code == 302
