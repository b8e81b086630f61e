"""Calendar files for bookings: one event to attach to an email, a feed to subscribe to, a Google link.

No models here: the caller turns a booking into a `CalendarEvent` and this module writes RFC 5545
with the `icalendar` library (escaping, line folding and CRLF endings are the library's job).

Times are stored in UTC and written in the studio's zone with a TZID and a matching VTIMEZONE, so
Google, Apple and Outlook show the photographer's local time. One exception: a time in the hour the
clocks go back (01:30 GMT on a fall-back night in London) cannot be written as local time, because
RFC 5545 reads a repeated wall-clock time as its first occurrence. Such a time is written in UTC
(`…Z`), which is valid and names the right instant.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, vCalAddress, vDuration

PRODID = "-//Photostudio//Bookings//EN"
STATUSES = frozenset({"CONFIRMED", "TENTATIVE", "CANCELLED"})
# What the studio sends: PUBLISH (a copy to keep), REQUEST (an invitation), CANCEL (withdraw one).
METHODS = frozenset({"PUBLISH", "REQUEST", "CANCEL"})
REFRESH = timedelta(minutes=15)
GOOGLE_TEMPLATE_URL = "https://calendar.google.com/calendar/render"


@dataclass(frozen=True)
class CalendarEvent:
    uid: str  # stable, e.g. "booking-K7QM3PXD@photostudio": the same booking always gives the same UID
    start: datetime  # aware (any zone; stored UTC)
    end: datetime  # aware, after start
    summary: str
    location: str = ""
    description: str = ""
    status: str = "CONFIRMED"  # CONFIRMED, TENTATIVE (requested) or CANCELLED
    url: str = ""
    sequence: int = 0  # bump on reschedule so calendars update the event
    last_modified: datetime | None = None
    # Who sends the event (RFC 5546 wants an ORGANIZER for PUBLISH and CANCEL; Outlook and Apple
    # match a cancellation to the event it withdraws by UID and organizer).
    organizer_email: str = ""
    organizer_name: str = ""

    def __post_init__(self) -> None:
        if not self.uid:
            raise ValueError("an event needs a UID")
        for name in ("start", "end", "last_modified"):
            value = getattr(self, name)
            if value is None:
                continue
            if value.utcoffset() is None:
                raise ValueError(f"{name} must be an aware datetime, not {value!r}")
            # Frozen, so set through object; UTC makes equal instants compare equal whatever the input zone.
            object.__setattr__(self, name, value.astimezone(UTC))
        if self.end <= self.start:
            raise ValueError("an event must end after it starts")
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {sorted(STATUSES)}, not {self.status!r}")
        if self.sequence < 0:
            raise ValueError("sequence cannot be negative")


def event_ics(event: CalendarEvent, *, tz: ZoneInfo, calendar_name: str, method: str = "PUBLISH") -> bytes:
    """A .ics file with one VEVENT, for attaching to a confirmation email.

    DTSTART/DTEND are written in the studio's zone with TZID and a matching VTIMEZONE component (so
    Google, Apple and Outlook show the right local time).
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {sorted(METHODS)}, not {method!r}")
    calendar = _calendar([event], tz=tz, calendar_name=calendar_name)
    calendar.method = method
    return calendar.to_ical()


def feed_ics(events: Iterable[CalendarEvent], *, tz: ZoneInfo, calendar_name: str) -> bytes:
    """A subscribable feed: one VEVENT per event, the studio's VTIMEZONE, name and refresh interval.

    The VTIMEZONE is there even when there are no events, so an empty feed is still a valid calendar
    (RFC 5545 wants at least one component).
    """
    calendar = _calendar(list(events), tz=tz, calendar_name=calendar_name)
    calendar.add("X-WR-TIMEZONE", _tzid(tz))
    # RFC 7986 asks for VALUE=DURATION to be spelled out; X-PUBLISHED-TTL is the same hint for Outlook.
    calendar.add("REFRESH-INTERVAL", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", vDuration(REFRESH))
    return calendar.to_ical()


def google_calendar_url(event: CalendarEvent, *, tz: ZoneInfo) -> str:
    """A link that opens Google Calendar's "add event" page filled in; builds the URL, no network.

    The dates are in UTC; `ctz` makes Google show them in the studio's zone. Google's template has no
    URL field, so the booking's link goes at the end of the details.
    """
    details = "\n\n".join(part for part in (event.description, event.url) if part)
    params = {
        "action": "TEMPLATE",
        "text": event.summary,
        "dates": f"{_utc_stamp(event.start)}/{_utc_stamp(event.end)}",
        "details": details,
        "location": event.location,
        "ctz": _tzid(tz),
    }
    query = urlencode({key: value for key, value in params.items() if value})
    return f"{GOOGLE_TEMPLATE_URL}?{query}"


def _calendar(events: list[CalendarEvent], *, tz: ZoneInfo, calendar_name: str) -> Calendar:
    tzid = _tzid(tz)
    uids = [event.uid for event in events]
    if len(set(uids)) != len(uids):
        raise ValueError("two events share a UID; calendars would keep only one of them")

    calendar = Calendar()
    calendar.prodid = PRODID
    calendar.version = "2.0"
    calendar.calscale = "GREGORIAN"
    calendar.calendar_name = calendar_name  # NAME (RFC 7986) and X-WR-CALNAME (Google, Apple, Outlook)

    stamp = datetime.now(UTC).replace(microsecond=0)
    # A VTIMEZONE covering only the years in use: the whole 1970-2038 default is six times the size
    # for every email attachment. Local years, because the UTC year can differ at New Year.
    years = [moment.astimezone(tz).year for event in events for moment in (event.start, event.end)]
    years = years or [stamp.astimezone(tz).year]
    first_date, last_date = date(min(years), 1, 1), date(max(years) + 1, 1, 1)
    # Before the events, as some readers want a zone defined before its first use.
    calendar.add_component(Timezone.from_tzid(tzid, first_date=first_date, last_date=last_date))
    for event in events:
        calendar.add_component(_vevent(event, tz=tz, stamp=stamp))
    # Every TZID written is the studio's, so this finds nothing; it keeps the file valid if that changes.
    calendar.add_missing_timezones(first_date=first_date, last_date=last_date)
    return calendar


def _vevent(event: CalendarEvent, *, tz: ZoneInfo, stamp: datetime) -> Event:
    return Event.new(
        uid=event.uid,
        stamp=stamp,
        start=_local_or_utc(event.start, tz),
        end=_local_or_utc(event.end, tz),
        summary=event.summary,
        sequence=event.sequence,
        status=event.status,
        location=event.location or None,
        description=event.description or None,
        url=event.url or None,
        last_modified=event.last_modified.replace(microsecond=0) if event.last_modified else None,
        organizer=_organizer(event),
    )


def _organizer(event: CalendarEvent) -> vCalAddress | None:
    if not event.organizer_email:
        return None
    address = vCalAddress(f"mailto:{event.organizer_email}")
    if event.organizer_name:
        address.params["CN"] = event.organizer_name
    return address


def _local_or_utc(moment: datetime, tz: ZoneInfo) -> datetime:
    """The moment in the studio's zone, unless its wall-clock time would be read back as another instant."""
    local = moment.astimezone(tz)
    # Written without fold, a repeated time reads back as its first occurrence. Compare in UTC: Python
    # compares datetimes of one zone by wall clock, ignoring fold.
    if local.replace(fold=0).astimezone(UTC) != moment.astimezone(UTC):
        return moment.astimezone(UTC)
    return local


def _utc_stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _tzid(tz: ZoneInfo) -> str:
    if not tz.key:
        raise ValueError("the studio's zone needs an IANA key such as 'Europe/London'")
    return tz.key
