"""Calendar files (bookings/calendar.py): a pure module, so no database here.

Every test parses the output back with icalendar, as a calendar app would, and compares instants in
UTC: Python compares two datetimes of one zone by wall clock and ignores `fold`.
"""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar, Event

from bookings.calendar import CalendarEvent, event_ics, feed_ics, google_calendar_url

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
STUDIO = "Photostudio"
ADDRESS = "Zoë's studio; 2nd floor, N1"


def session(code: str = "K7QM3PXD", start: datetime | None = None, minutes: int = 60, **fields) -> CalendarEvent:
    """Alice's headshot session: booking `code`, starting at `start` (10:00 London on 12 June 2026)."""
    start = start or datetime(2026, 6, 12, 10, 0, tzinfo=LONDON)
    fields = {"summary": "Headshot session with Alice", "location": "Photostudio, 12 Example Street, London", **fields}
    return CalendarEvent(
        uid=f"booking-{code}@photostudio", start=start, end=start + timedelta(minutes=minutes), **fields
    )


def parse(ics: bytes) -> Calendar:
    return Calendar.from_ical(ics)


def only_event(ics: bytes) -> Event:
    (event,) = parse(ics).walk("VEVENT")
    return event


def london_ics(event: CalendarEvent, **kwargs) -> bytes:
    return event_ics(event, tz=LONDON, calendar_name=STUDIO, **kwargs)


def test_it_writes_start_and_end_in_the_studio_zone_with_a_tzid():
    event = session()

    vevent = only_event(london_ics(event))

    assert vevent["DTSTART"].params["TZID"] == "Europe/London"
    assert vevent["DTEND"].params["TZID"] == "Europe/London"
    assert vevent.start == datetime(2026, 6, 12, 10, 0, tzinfo=LONDON)
    assert vevent.start.astimezone(UTC) == event.start
    assert vevent.end.astimezone(UTC) == event.end


def test_it_converts_a_start_given_in_another_zone_to_the_studio_zone():
    event = session(start=datetime(2026, 6, 12, 5, 0, tzinfo=NEW_YORK))

    vevent = only_event(london_ics(event))

    assert vevent["DTSTART"].to_ical() == b"20260612T100000"
    assert vevent.start.astimezone(UTC) == datetime(2026, 6, 12, 9, 0, tzinfo=UTC)


def test_it_stores_times_in_utc():
    event = session(start=datetime(2026, 6, 12, 10, 0, tzinfo=LONDON))

    assert event.start == datetime(2026, 6, 12, 9, 0, tzinfo=UTC)
    assert event.start.tzinfo is UTC


def test_it_includes_a_vtimezone_for_the_tzid_it_uses():
    calendar = parse(london_ics(session()))

    assert [timezone.tz_name for timezone in calendar.timezones] == ["Europe/London"]
    assert calendar.get_missing_tzids() == set()
    assert calendar.subcomponents[0].name == "VTIMEZONE"


def test_its_vtimezone_alone_gives_the_right_instant():
    # Outlook reads the VTIMEZONE in the file rather than its own zone database: build the zone from
    # the component itself (no lookup by name) and check it agrees with the event's instant.
    event = session(start=datetime(2026, 10, 25, 9, 0, tzinfo=LONDON))
    calendar = parse(london_ics(event))
    embedded = calendar.timezones[0].to_tz(lookup_tzid=False)
    vevent = calendar.walk("VEVENT")[0]

    for prop, instant in (("DTSTART", event.start), ("DTEND", event.end)):
        wall_clock = vevent[prop].dt.replace(tzinfo=None)
        assert wall_clock.replace(tzinfo=embedded).astimezone(UTC) == instant


def test_it_has_the_calendar_properties():
    calendar = parse(london_ics(session()))

    assert calendar["PRODID"] == "-//Photostudio//Bookings//EN"
    assert calendar["VERSION"] == "2.0"
    assert calendar["CALSCALE"] == "GREGORIAN"
    assert calendar["METHOD"] == "PUBLISH"
    assert calendar["X-WR-CALNAME"] == STUDIO
    calendar.validate()


def test_it_writes_every_required_event_property():
    vevent = only_event(london_ics(session(description="Bring two shirts.", url="https://example.com/b/K7QM3PXD")))

    for prop in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "SEQUENCE", "STATUS"):
        assert prop in vevent, prop
    assert vevent["UID"] == "booking-K7QM3PXD@photostudio"
    assert vevent["SUMMARY"] == "Headshot session with Alice"
    assert vevent["LOCATION"] == "Photostudio, 12 Example Street, London"
    assert vevent["DESCRIPTION"] == "Bring two shirts."
    assert vevent["URL"] == "https://example.com/b/K7QM3PXD"
    assert vevent["SEQUENCE"] == 0
    assert vevent["STATUS"] == "CONFIRMED"
    assert vevent.DTSTAMP.tzinfo is not None
    assert vevent.DTSTAMP.utcoffset() == timedelta(0)


def test_it_leaves_out_location_description_and_url_when_not_given():
    vevent = only_event(london_ics(session(location="")))

    for prop in ("LOCATION", "DESCRIPTION", "URL", "LAST-MODIFIED"):
        assert prop not in vevent, prop


def test_it_writes_last_modified_in_utc_when_given():
    changed = datetime(2026, 6, 1, 15, 30, 12, 345678, tzinfo=LONDON)

    vevent = only_event(london_ics(session(last_modified=changed)))

    assert vevent["LAST-MODIFIED"].to_ical() == b"20260601T143012Z"


def test_the_same_booking_keeps_its_uid_across_files():
    first = only_event(london_ics(session("K7QM3PXD")))
    again = only_event(london_ics(session("K7QM3PXD", start=datetime(2026, 7, 1, 14, 0, tzinfo=LONDON))))
    other = only_event(london_ics(session("B2RT9WNC")))

    assert first["UID"] == again["UID"] == "booking-K7QM3PXD@photostudio"
    assert other["UID"] != first["UID"]


def test_a_rescheduled_session_carries_its_sequence():
    rescheduled = session(start=datetime(2026, 6, 19, 10, 0, tzinfo=LONDON), sequence=2)

    vevent = only_event(london_ics(rescheduled))

    assert vevent["SEQUENCE"] == 2
    assert vevent.start == datetime(2026, 6, 19, 10, 0, tzinfo=LONDON)


@pytest.mark.parametrize("status", ["CONFIRMED", "TENTATIVE", "CANCELLED"])
def test_it_writes_the_status(status):
    assert only_event(london_ics(session(status=status)))["STATUS"] == status


def test_a_cancellation_can_be_sent_with_method_cancel():
    calendar = parse(london_ics(session(status="CANCELLED", sequence=1), method="CANCEL"))

    assert calendar["METHOD"] == "CANCEL"
    assert calendar.walk("VEVENT")[0]["STATUS"] == "CANCELLED"


@pytest.mark.parametrize(
    "start, end",
    [
        # Spring forward, 29 March 2026: 01:00 GMT becomes 02:00 BST.
        (datetime(2026, 3, 29, 10, 0, tzinfo=LONDON), datetime(2026, 3, 29, 11, 0, tzinfo=LONDON)),
        (datetime(2026, 3, 29, 0, 30, tzinfo=UTC), datetime(2026, 3, 29, 1, 30, tzinfo=UTC)),  # 00:30 GMT–02:30 BST
        # Fall back, 25 October 2026: 02:00 BST becomes 01:00 GMT, so 01:00–02:00 happens twice.
        (datetime(2026, 10, 25, 10, 0, tzinfo=LONDON), datetime(2026, 10, 25, 11, 0, tzinfo=LONDON)),
        (datetime(2026, 10, 24, 23, 30, tzinfo=UTC), datetime(2026, 10, 25, 1, 30, tzinfo=UTC)),  # 00:30 BST–01:30 GMT
        (datetime(2026, 10, 25, 0, 30, tzinfo=UTC), datetime(2026, 10, 25, 1, 15, tzinfo=UTC)),  # 01:30 BST–01:15 GMT
    ],
)
def test_a_session_on_a_clock_change_day_round_trips_to_the_right_instant(start, end):
    event = CalendarEvent("booking-DST@photostudio", start=start, end=end, summary="Headshot session")

    vevent = only_event(london_ics(event))

    assert vevent.start.astimezone(UTC) == start.astimezone(UTC)
    assert vevent.end.astimezone(UTC) == end.astimezone(UTC)
    assert vevent.end.astimezone(UTC) - vevent.start.astimezone(UTC) == end.astimezone(UTC) - start.astimezone(UTC)


def test_a_time_in_the_repeated_hour_after_the_first_is_written_in_utc():
    # 01:30 GMT on 25 October 2026 would read back as 01:30 BST, an hour early, if written as local time.
    second_half_past_one = datetime(2026, 10, 25, 1, 30, tzinfo=LONDON, fold=1)
    event = CalendarEvent(
        "booking-FOLD@photostudio", second_half_past_one, second_half_past_one + timedelta(hours=1), "X"
    )

    vevent = only_event(london_ics(event))

    assert vevent["DTSTART"].to_ical() == b"20261025T013000Z"
    assert "TZID" not in vevent["DTSTART"].params
    assert vevent.start == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert vevent["DTEND"].params["TZID"] == "Europe/London"  # 02:30 GMT happens once
    assert vevent.end.astimezone(UTC) == datetime(2026, 10, 25, 2, 30, tzinfo=UTC)


def test_text_with_punctuation_newlines_and_accents_survives():
    description = "Bring two shirts, one dark; one light.\nParking: ask at the desk — café next door."
    event = session(summary="Headshots: Zoë & Łukasz, 2 people; 1 hour", location=ADDRESS, description=description)

    ics = london_ics(event)
    vevent = only_event(ics)

    assert vevent["SUMMARY"] == "Headshots: Zoë & Łukasz, 2 people; 1 hour"
    assert vevent["LOCATION"] == ADDRESS
    assert vevent["DESCRIPTION"] == description
    assert b"LOCATION:Zo\xc3\xab's studio\\; 2nd floor\\, N1\r\n" in ics


def test_it_uses_crlf_line_endings_and_folds_long_lines():
    ics = london_ics(session(description="A long description. " * 20))

    assert ics.count(b"\n") == ics.count(b"\r\n")
    assert max(len(line) for line in ics.split(b"\r\n")) <= 75
    assert only_event(ics)["DESCRIPTION"] == "A long description. " * 20


def test_a_feed_has_one_event_per_session_with_name_and_refresh_interval():
    events = [session(code, start=datetime(2026, 6, day, 10, 0, tzinfo=LONDON)) for code, day in [("A", 1), ("B", 2)]]
    events.append(session("C", start=datetime(2027, 1, 8, 9, 0, tzinfo=LONDON)))

    ics = feed_ics(iter(events), tz=LONDON, calendar_name="Photostudio bookings")
    calendar = parse(ics)

    vevents = calendar.walk("VEVENT")
    assert len(vevents) == 3
    assert [vevent["UID"] for vevent in vevents] == [event.uid for event in events]
    assert [vevent.start.astimezone(UTC) for vevent in vevents] == [event.start for event in events]
    assert calendar["X-WR-CALNAME"] == "Photostudio bookings"
    assert calendar["X-WR-TIMEZONE"] == "Europe/London"
    assert calendar.refresh_interval == timedelta(minutes=15)
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT15M\r\n" in ics
    assert b"X-PUBLISHED-TTL:PT15M\r\n" in ics
    assert "METHOD" not in calendar
    assert [timezone.tz_name for timezone in calendar.timezones] == ["Europe/London"]
    assert calendar.get_missing_tzids() == set()


def test_an_empty_feed_is_still_a_valid_calendar():
    calendar = parse(feed_ics([], tz=LONDON, calendar_name="Photostudio bookings"))

    assert calendar.walk("VEVENT") == []
    assert calendar["X-WR-CALNAME"] == "Photostudio bookings"
    assert calendar.refresh_interval == timedelta(minutes=15)
    assert [timezone.tz_name for timezone in calendar.timezones] == ["Europe/London"]
    calendar.validate()  # PRODID, VERSION and at least one component


def test_a_feed_refuses_two_events_with_the_same_uid():
    with pytest.raises(ValueError, match="share a UID"):
        feed_ics([session("K7QM3PXD"), session("K7QM3PXD")], tz=LONDON, calendar_name=STUDIO)


def test_google_calendar_url_has_utc_dates_and_encoded_text():
    description = "Bring two shirts, one dark; one light.\nCafé next door & parking."
    event = session(
        summary="Headshots: Zoë & co #1", location=ADDRESS, description=description, url="https://example.com/b/K7"
    )

    url = google_calendar_url(event, tz=LONDON)
    parts = urlsplit(url)
    query = parse_qs(parts.query, strict_parsing=True)

    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://calendar.google.com/calendar/render"
    assert query == {
        "action": ["TEMPLATE"],
        "text": ["Headshots: Zoë & co #1"],
        "dates": ["20260612T090000Z/20260612T100000Z"],  # 10:00–11:00 BST
        "details": [description + "\n\nhttps://example.com/b/K7"],
        "location": [ADDRESS],
        "ctz": ["Europe/London"],
    }
    assert " " not in url and "\n" not in url and "ë" not in url


def test_google_calendar_url_leaves_out_empty_fields():
    query = parse_qs(urlsplit(google_calendar_url(session(location=""), tz=LONDON)).query)

    assert set(query) == {"action", "text", "dates", "ctz"}


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"start": datetime(2026, 6, 12, 10, 0)}, "aware"),
        ({"end": datetime(2026, 6, 12, 9, 0, tzinfo=UTC)}, "end after it starts"),
        ({"status": "confirmed"}, "status"),
        ({"sequence": -1}, "sequence"),
        ({"uid": ""}, "UID"),
    ],
)
def test_an_event_refuses_nonsense(fields, message):
    with pytest.raises(ValueError, match=message):
        replace(session(), **fields)


def test_event_ics_refuses_an_unknown_method():
    with pytest.raises(ValueError, match="method"):
        london_ics(session(), method="REPLY")
