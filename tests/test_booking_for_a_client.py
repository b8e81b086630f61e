"""A booking request comes from the public form or from the photographer booking for a client in
the admin: both forms hand the booking service the same kind of request, built in one place."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from bookings import services
from bookings.forms import BookingForm
from bookings.models import Booking, Client
from photostudio.models import OutgoingEmail
from tests.factories import booking_data, make_booking, make_session_type, make_team_day, open_every_day

pytestmark = pytest.mark.django_db

TORONTO = ZoneInfo("America/Toronto")  # the studio's zone; the server's default is Europe/London
EMAIL_INLINE = "photostudio-outgoingemail-about_type-about_id"


@pytest.fixture
def portrait(db):
    open_every_day(time(9), time(17), time_zone="America/Toronto")
    return make_session_type(
        kind="portrait", slug="portrait", name="Portrait", duration_minutes=90, buffer_before_minutes=15,
        buffer_after_minutes=30,
    )  # fmt: skip


@pytest.fixture
def bob(db) -> Client:
    return Client.objects.create(
        name="Bob Mensah", email="bob.mensah@example.com", phone="+1 416 555 0142", company="Mensah Architects"
    )


@pytest.fixture
def photographer(client):
    user = get_user_model().objects.create_superuser("sam", "sam@northlight.example", None)  # no hashing
    client.force_login(user)
    return user


def in_a_week(hour: int, minute: int = 0) -> datetime:
    day = timezone.now().astimezone(TORONTO).date() + timedelta(days=7)
    return datetime.combine(day, time(hour, minute), TORONTO)


def admin_add(browser, **fields):
    data = {
        "location": "studio",
        "address": "",
        "purpose": "",
        "people": "1",
        "message": "",
        "decline_reason": "",
        f"{EMAIL_INLINE}-TOTAL_FORMS": "0",
        f"{EMAIL_INLINE}-INITIAL_FORMS": "0",
    } | fields
    return browser.post("/admin/bookings/booking/add/", data)


def test_the_photographer_books_a_known_client_before_opening_hours_as_a_held_request(
    client, photographer, portrait, bob
):
    start = in_a_week(7, 30)  # before the studio opens: the photographer may, a client may not

    response = admin_add(
        client,
        client=bob.pk,
        session_type=portrait.pk,
        start_0=f"{start:%Y-%m-%d}",
        start_1="07:30:00",  # the studio's wall clock
        location="on_location",
        address="Mensah Architects, 88 Queen Street West, Toronto",
        purpose="Portraits for the partners' page",
        people="3",
        message="Parking behind the building.",
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    booking = Booking.objects.get()
    assert (booking.client, booking.session_type, booking.status) == (bob, portrait, Booking.Status.REQUESTED)
    assert booking.start == start
    assert (booking.held_start, booking.held_end) == (start - timedelta(minutes=15), start + timedelta(minutes=120))
    assert booking.location == "on_location"
    assert booking.address == "Mensah Architects, 88 Queen Street West, Toronto"
    assert (booking.purpose, booking.people, booking.message) == (
        "Portraits for the partners' page",
        3,
        "Parking behind the building.",
    )
    assert booking.lapses_at is not None
    assert sorted(OutgoingEmail.objects.values_list("kind", "to")) == [
        ("booking_new_request", "hello@northlight.example"),
        ("booking_requested", "bob.mensah@example.com"),
    ]
    bob.refresh_from_db()
    assert (bob.name, bob.phone, bob.company) == ("Bob Mensah", "+1 416 555 0142", "Mensah Architects")


def test_the_photographer_cannot_book_a_client_onto_another_booking(client, photographer, portrait, bob):
    held = make_booking(portrait, in_a_week(10), name="Priya Raman", email="priya.raman@example.org")

    response = admin_add(
        client, client=bob.pk, session_type=portrait.pk, start_0=f"{held.start:%Y-%m-%d}", start_1="11:00:00"
    )

    assert response.status_code == 200
    assert "overlaps another booking" in response.content.decode()
    assert list(Booking.objects.all()) == [held]


def test_the_photographer_cannot_book_a_client_into_a_team_day_nor_move_a_session_onto_one(
    client, photographer, portrait, bob
):
    team_day = make_team_day(7, session_type=portrait, start=time(9), end=time(12), company="Halden & Roe Architects")
    clash = (
        f"That time overlaps the team day at Halden &amp; Roe Architects on {team_day.date:%A %-d %B} (09:00 to 12:00)."
    )

    response = admin_add(
        client, client=bob.pk, session_type=portrait.pk, start_0=f"{team_day.date:%Y-%m-%d}", start_1="12:10:00"
    )  # its 15 minutes of set-up reach back into the team day's last minutes

    assert response.status_code == 200
    assert clash in response.content.decode()
    assert not Booking.objects.exists()
    # After the team day, buffers included, the photographer may.
    after = admin_add(
        client, client=bob.pk, session_type=portrait.pk, start_0=f"{team_day.date:%Y-%m-%d}", start_1="12:15:00"
    )
    assert after.status_code == 302, after.content.decode()[:2000]
    # Moving a session onto it from the studio's side is refused the same way, saying why.
    booking = Booking.objects.get()
    with pytest.raises(services.TimeTaken, match="overlaps the team day at Halden & Roe Architects"):
        services.reschedule_booking(booking, new_start=in_a_week(10), by_client=False)


def test_the_public_form_asks_for_what_the_client_typed_and_nothing_else(portrait):
    start = in_a_week(14)
    data = booking_data(
        portrait,
        start,
        name="  Chloé   Dubois ",
        email="chloe.dubois@example.fr",
        phone="+33 6 12 34 56 78",
        company="Atelier Dubois",
        location="on_location",
        address="12 rue des Lilas, Montréal",
        purpose="Press kit",
        people="2",
        message="Two of us, one after the other.",
    )
    day = start.date()
    form = BookingForm(data, times=[(start.isoformat(), "14:00")], min_day=day - timedelta(days=7), max_day=day)
    assert form.is_valid(), form.errors

    assert form.booking_request() == services.BookingRequest(
        session_type=portrait,
        start=start,
        name="Chloé Dubois",
        email="chloe.dubois@example.fr",
        phone="+33 6 12 34 56 78",
        company="Atelier Dubois",
        location="on_location",
        address="12 rue des Lilas, Montréal",
        purpose="Press kit",
        people=2,
        message="Two of us, one after the other.",
    )
