"""The coordinator's downloads of a team day: a CSV for the spreadsheet and an .ics for the calendar,
each matching the day (names, times on the studio's clock, one event per person with a time)."""

import csv
import io
from datetime import datetime, time

import icalendar
import pytest
from django.urls import reverse

from bookings import team_days
from bookings.models import Availability
from tests.factories import make_session_type, make_team_day, open_every_day

pytestmark = pytest.mark.django_db

ZONE = "Australia/Sydney"


@pytest.fixture
def day():
    open_every_day(time_zone=ZONE)
    make_session_type(kind="headshot", slug="headshot")
    day = make_team_day(
        company="Okafor Dental", start=time(13), end=time(15), breaks=[(time(14), time(14, 10))], walk_in_slots=1
    )
    people = [
        ("Amara Okafor", "amara@okafordental.example"),
        ("Lena Fischer", "lena.fischer@okafordental.example"),
        ('=HYPERLINK("http://evil.example")', "eve@okafordental.example"),
        ("Jonas Berg", "jonas.berg@okafordental.example"),
    ]
    amara, lena, eve, jonas = team_days.invite_people(day, [team_days.Person(*p) for p in people]).added
    tz = Availability.load().tz
    team_days.pick_time(lena, datetime.combine(day.date, time(13, 0), tz))
    team_days.pick_time(amara, datetime.combine(day.date, time(14, 10), tz))
    team_days.pick_time(eve, datetime.combine(day.date, time(13, 50), tz))
    return day


def test_the_csv_lists_everyone_in_time_order_on_the_studios_clock_then_those_without_a_time(client, day):
    response = client.get(reverse("team_schedule_csv", args=[day.coordinator_token]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f"headshots-{day.date.isoformat()}.csv" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["start"], r["end"], r["name"]) for r in rows] == [
        ("13:00", "13:10", "Lena Fischer"),
        ("13:50", "14:00", '\'=HYPERLINK("http://evil.example")'),  # shown as text, never run
        ("14:10", "14:20", "Amara Okafor"),
        ("", "", "Jonas Berg"),
    ]
    assert {r["date"] for r in rows} == {day.date.isoformat()}
    assert rows[0]["email"] == "lena.fischer@okafordental.example"


def test_the_ics_has_one_event_per_person_with_a_time_in_the_studios_zone(client, day):
    response = client.get(reverse("team_schedule_ics", args=[day.coordinator_token]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    events = sorted(calendar.walk("VEVENT"), key=lambda e: e.decoded("DTSTART"))
    tz = Availability.load().tz
    assert [(str(e["SUMMARY"]), e.decoded("DTSTART"), e.decoded("DTEND")) for e in events] == [
        (
            "Headshot: Lena Fischer",
            datetime.combine(day.date, time(13), tz),
            datetime.combine(day.date, time(13, 10), tz),
        ),
        (
            'Headshot: =HYPERLINK("http://evil.example")',
            datetime.combine(day.date, time(13, 50), tz),
            datetime.combine(day.date, time(14), tz),
        ),
        (
            "Headshot: Amara Okafor",
            datetime.combine(day.date, time(14, 10), tz),
            datetime.combine(day.date, time(14, 20), tz),
        ),
    ]
    assert all(e["DTSTART"].params["TZID"] == ZONE for e in events)
    assert [c["TZID"] for c in calendar.walk("VTIMEZONE")] == [ZONE]
    assert len({str(e["UID"]) for e in events}) == 3
    assert all(str(e["LOCATION"]) == day.address for e in events)


def test_a_day_nobody_has_picked_for_yet_gives_an_empty_but_valid_calendar_and_a_header_only_csv(client):
    open_every_day(time_zone=ZONE)
    make_session_type(kind="headshot", slug="headshot")
    empty = make_team_day()

    ics = client.get(reverse("team_schedule_ics", args=[empty.coordinator_token])).content
    rows = list(
        csv.reader(
            io.StringIO(client.get(reverse("team_schedule_csv", args=[empty.coordinator_token])).content.decode())
        )
    )

    assert icalendar.Calendar.from_ical(ics).walk("VEVENT") == []
    assert rows == [["date", "start", "end", "name", "email", "walk-in"]]
