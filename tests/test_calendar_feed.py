"""The photographer's private calendar feed."""

import icalendar
import pytest

from bookings import services
from bookings.models import Availability
from tests.factories import local, make_booking, make_session_type, open_every_day

pytestmark = pytest.mark.django_db


@pytest.fixture
def feed_url(db) -> str:
    open_every_day()
    make_session_type(kind="headshot", slug="headshot", duration_minutes=45)
    return f"/calendar/{Availability.load().calendar_token}.ics"


def test_the_feed_has_requested_and_confirmed_sessions_with_times_zone_and_stable_uids(client, feed_url):
    requested = make_booking(start=local(days=3, hour=10))
    confirmed = services.confirm_booking(make_booking(start=local(days=4, hour=14), email="bob@example.com"))
    declined = services.decline_booking(make_booking(start=local(days=5, hour=9), email="c@example.com"), reason="")

    response = client.get(feed_url)

    assert response["Content-Type"].startswith("text/calendar")
    cal = icalendar.Calendar.from_ical(response.content)
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {f"booking-{b.reference}@photostudio" for b in (requested, confirmed)}
    event = events[f"booking-{confirmed.reference}@photostudio"]
    assert event.decoded("DTSTART") == confirmed.start
    assert event.decoded("DTEND") == confirmed.end
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    assert str(event["SUMMARY"]) == "Headshot session: Alice Byrne"
    assert str(event["LOCATION"]) == "Northlight Studio"  # the studio's address, when it has one
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(events[f"booking-{requested.reference}@photostudio"]["STATUS"]) == "TENTATIVE"
    assert cal.walk("VTIMEZONE")[0]["TZID"] == "Europe/London"
    assert declined.reference not in response.content.decode()
    assert client.get(feed_url).content.count(b"BEGIN:VEVENT") == 2  # same UIDs on every fetch


def test_a_wrong_or_reset_token_is_a_404(client, feed_url):
    assert client.get("/calendar/guess.ics").status_code == 404

    availability = Availability.load()
    from bookings.models import new_secret

    availability.calendar_token = new_secret()
    availability.save()

    assert client.get(feed_url).status_code == 404
    assert client.get(f"/calendar/{availability.calendar_token}.ics").status_code == 200
