"""Pages that list bookings run a fixed number of queries, however many bookings they show.

The studio's rules and profile are one row each: read once per request and handed down, never once
per row. Each page is measured with 3 and then 30 bookings of three session types, five clients and
every state, spread over a month, in a studio whose zone (Toronto) is not the server's (London).
Each count is taken after one warm-up visit, so the studio's zone is already cached, as it is for a
photographer working through the admin.
"""

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bookings.models import Availability, Booking, Client, StudioProfile
from tests.factories import make_session_type, open_every_day

pytestmark = pytest.mark.django_db

STUDIO_ZONE = "America/Toronto"  # settings.TIME_ZONE is Europe/London
STUDIO_ADDRESS = "Unit 4, Canal Works\n12 Wharf Road\nToronto ON M5V 1A1"
ON_LOCATION_ADDRESS = "Mensah Architects, 88 Queen Street West, Toronto"

CLIENTS = [
    ("Bob Mensah", "bob.mensah@example.com", "Mensah Architects"),
    ("Priya Raman", "priya.raman@example.org", ""),
    ("Chloé Dubois", "chloe.dubois@example.fr", "Atelier Dubois"),
    ("Tomasz Nowak", "t.nowak@example.com", "Nowak & Partners"),
    ("Aisha Bello", "aisha@bello.example", ""),
]
PAST = [Booking.Status.COMPLETED, Booking.Status.CONFIRMED, Booking.Status.CANCELLED, Booking.Status.LAPSED]
AHEAD = [Booking.Status.REQUESTED, Booking.Status.CONFIRMED, Booking.Status.DECLINED, Booking.Status.REQUESTED]


@pytest.fixture
def studio(db) -> dict:
    open_every_day(time(8), time(19), time_zone=STUDIO_ZONE)
    StudioProfile.objects.create(address=STUDIO_ADDRESS, phone="+1 416 555 0100")
    return {
        "sessions": [
            make_session_type(kind="headshot", slug="headshot", name="Headshot", duration_minutes=45),
            make_session_type(kind="portrait", slug="portrait", name="Portrait", duration_minutes=90,
                              price=Decimal("420.00"), images_included=10),
            make_session_type(kind="both", slug="team-day", name="Team headshots", duration_minutes=120),
        ],
        "clients": [
            Client.objects.create(name=name, email=email, company=company, phone="+1 416 555 0142")
            for name, email, company in CLIENTS
        ],
    }  # fmt: skip


def add_bookings(studio: dict, numbers: range) -> list[Booking]:
    """Bookings number n of a month around today: today, yesterday, tomorrow, then further out.
    Past ones were done, cancelled or lapsed (a few not yet marked done); those ahead are waiting,
    confirmed or declined; every fourth is on location."""
    tz = Availability.load().tz
    today = timezone.now().astimezone(tz).date()
    bookings = []
    for n in numbers:
        day = today + timedelta(days=(n + 1) // 2 * (1 if n % 2 else -1))  # 0, +1, -1, +2, -2, ...
        session = studio["sessions"][n % 3]
        start = datetime.combine(day, time(9 + n % 8, 30 * (n % 2)), tz)
        end = start + timedelta(minutes=session.duration_minutes)
        status = (PAST if start < timezone.now() else AHEAD)[n % 4]
        on_location = n % 4 == 3 and session.allows_on_location
        bookings.append(
            Booking(
                client=studio["clients"][n % len(CLIENTS)],
                session_type=session,
                start=start,
                end=end,
                held_start=start - timedelta(minutes=15),
                held_end=end + timedelta(minutes=15),
                status=status,
                location=Booking.Location.ON_LOCATION if on_location else Booking.Location.STUDIO,
                address=ON_LOCATION_ADDRESS if on_location else "",
                purpose=["Speaker page for a conference", "LinkedIn", "Our new website"][n % 3],
                people=1 + n % 3,
                lapses_at=min(start, timezone.now() + timedelta(hours=72)) if status == "requested" else None,
            )
        )
    return Booking.objects.bulk_create(bookings)


def queries_at_3_and_30(client, studio: dict, url) -> tuple[int, int]:
    """How many queries one visit of the page runs with 3 bookings, then with 30."""
    counts = []
    for numbers in (range(3), range(3, 30)):
        add_bookings(studio, numbers)
        page = url() if callable(url) else url
        assert client.get(page).status_code == 200  # warm-up
        with CaptureQueriesContext(connection) as queries:
            response = client.get(page)
        assert response.status_code == 200
        counts.append(len(queries))
    assert Booking.objects.count() == 30
    return counts[0], counts[1]


@pytest.fixture
def photographer(client):
    user = get_user_model().objects.create_superuser("sam", "sam@northlight.example", None)  # no hashing
    client.force_login(user)
    return user


def feed_url() -> str:
    return f"/calendar/{Availability.load().calendar_token}.ics"


def test_the_bookings_changelist_runs_as_many_queries_for_30_bookings_as_for_3(client, photographer, studio):
    three, thirty = queries_at_3_and_30(client, studio, "/admin/bookings/booking/")

    assert three == thirty
    html = client.get("/admin/bookings/booking/").content.decode()
    waiting = Booking.objects.filter(status=Booking.Status.REQUESTED).order_by("start").first()
    # When a request lapses reads on the studio's wall clock, as its start does.
    assert f"{waiting.lapses_at.astimezone(ZoneInfo(STUDIO_ZONE)):%a %d %b %Y %H:%M}" in html
    assert f"{waiting.start.astimezone(ZoneInfo(STUDIO_ZONE)):%a %d %b %Y %H:%M}" in html


def test_the_calendar_feed_runs_three_queries_however_many_sessions_it_holds(client, studio):
    three, thirty = queries_at_3_and_30(client, studio, feed_url)

    assert three == thirty == 3  # the rules (token and zone), the studio's address, the bookings
    events = icalendar.Calendar.from_ical(client.get(feed_url()).content).walk("VEVENT")
    recent = timezone.now() - timedelta(days=60)
    assert len(events) == Booking.objects.filter(status__in=Booking.HOLDING, end__gte=recent).count()
    places = {str(event["LOCATION"]) for event in events}
    assert places == {"Unit 4, Canal Works, 12 Wharf Road, Toronto ON M5V 1A1", ON_LOCATION_ADDRESS}


def test_the_month_view_runs_as_many_queries_for_30_bookings_as_for_3(client, photographer, studio):
    three, thirty = queries_at_3_and_30(client, studio, "/admin/bookings/booking/calendar/")

    assert three == thirty


def test_the_studios_day_on_the_admin_front_page_runs_as_many_queries_for_30_bookings_as_for_3(
    client, photographer, studio
):
    three, thirty = queries_at_3_and_30(client, studio, "/admin/")

    assert three == thirty


def test_a_clients_admin_page_lists_their_bookings_without_a_query_for_each(client, photographer, studio):
    bob = studio["clients"][0]

    three, thirty = queries_at_3_and_30(client, studio, f"/admin/bookings/client/{bob.pk}/change/")

    assert three == thirty
    assert bob.bookings.count() == 6
