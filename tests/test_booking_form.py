"""The booking form at /book/: free times, a stored request, and every kind of bad input."""

from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from bookings.models import Booking, Client
from photostudio.models import OutgoingEmail
from tests.factories import booking_data, local, make_booking, make_session_type, open_every_day

pytestmark = pytest.mark.django_db


@pytest.fixture
def headshot(db):
    open_every_day()
    return make_session_type(kind="headshot", slug="headshot", duration_minutes=60, buffer_before_minutes=15)


@pytest.fixture
def studio_only(db):
    return make_session_type(kind="portrait", slug="studio-portrait", location="studio")


def post(client, data):
    return client.post("/book/", data)


def test_the_form_preselects_the_session_type_from_the_link(client, headshot, studio_only):
    response = client.get("/book/?type=studio-portrait")

    assert response.status_code == 200
    assert response.context["form"]["session_type"].value() == "studio-portrait"


def test_the_form_opens_on_the_first_day_with_free_times(client, headshot):
    response = client.get("/book/?type=headshot")

    first = response.context["day"]
    times = [datetime.fromisoformat(value) for value, _ in response.context["times"]]
    assert times
    assert min(times) >= timezone.now() + timedelta(hours=24)  # the default notice
    day_before = client.get(f"/book/times/?type=headshot&date={first - timedelta(days=1)}").json()
    assert day_before["times"] == []


def test_a_day_shows_its_free_times_without_javascript(client, headshot):
    day = local(days=5).date()

    response = client.get(f"/book/?type=headshot&date={day}")

    labels = [label for _, label in response.context["times"]]
    # Open 09:00–17:00, every half hour, a 60-minute session: the last start is 16:00.
    assert labels == [f"{h:02d}:{m:02d}" for h in range(9, 17) for m in (0, 30)][:-1]


def test_the_show_times_button_keeps_what_was_typed(client, headshot):
    day = local(days=5).date()
    data = booking_data(headshot, local(days=5)) | {"show_times": "1", "date": day.isoformat(), "name": "Alice"}

    response = post(client, data)

    assert response.status_code == 200
    assert response.context["form"]["name"].value() == "Alice"
    assert response.context["times"]
    assert Booking.objects.count() == 0


def test_the_json_endpoint_gives_the_free_times_of_a_day(client, headshot):
    day = local(days=5).date()
    make_booking(headshot, local(days=5, hour=10))  # holds 09:45–11:00

    data = client.get(f"/book/times/?type=headshot&date={day}").json()

    labels = [t["label"] for t in data["times"]]
    assert data["zone"] == "Europe/London"
    # Held 09:45–11:00; a new session holds 15 minutes before it, so 09:00 and 11:00 would overlap.
    assert labels[:2] == ["11:30", "12:00"]
    assert not {"09:00", "09:30", "10:00", "10:30", "11:00"} & set(labels)


def test_the_json_endpoint_refuses_bad_parameters_plainly(client, headshot):
    assert client.get("/book/times/?type=headshot&date=not-a-date").status_code == 400
    assert client.get("/book/times/?type=nope&date=2030-01-01").status_code == 400
    assert "error" in client.get("/book/times/").json()


def test_a_day_with_no_times_points_to_the_next_free_day(client, headshot, settings):
    from bookings.models import TimeOff

    day = local(days=5).date()
    TimeOff.objects.create(first_day=day, last_day=day + timedelta(days=1))

    data = client.get(f"/book/times/?type=headshot&date={day}").json()

    assert data["times"] == []
    assert data["next_free_day"] == (day + timedelta(days=2)).isoformat()


def test_a_booking_request_is_stored_held_and_answered_with_its_reference(
    client, headshot, django_capture_on_commit_callbacks
):
    start = local(days=4, hour=11)

    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, booking_data(headshot, start))

    assert response.status_code == 302
    booking = Booking.objects.get()
    assert booking.status == Booking.Status.REQUESTED
    assert booking.start == start
    assert booking.end == start + timedelta(minutes=60)
    assert booking.held_start == start - timedelta(minutes=15)
    page = client.get(response["Location"])
    assert booking.reference in page.content.decode()
    assert "What happens next" in page.content.decode()
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.com", "hello@northlight.example"]


def test_the_first_booking_makes_a_client_and_later_ones_attach_to_it_whatever_the_case(client, headshot):
    post(client, booking_data(headshot, local(days=4, hour=9)))
    post(client, booking_data(headshot, local(days=4, hour=14), email="ALICE@Example.COM", company="New Co"))

    assert Client.objects.count() == 1
    alice = Client.objects.get()
    assert alice.bookings.count() == 2
    assert alice.company == "New Co"


def test_a_taken_time_is_refused_with_the_nearest_free_times(client, headshot):
    start = local(days=4, hour=11)
    make_booking(headshot, start, email="bob@example.com")

    response = post(client, booking_data(headshot, start + timedelta(minutes=30)))

    assert response.status_code == 409
    html = response.content.decode()
    assert "was just taken by someone else" in html
    assert response.context["nearest"]
    assert Booking.objects.count() == 1
    assert Client.objects.filter(email="alice@example.com").count() == 0


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"session_type": "nope"}, "session_type", "That session isn't available to book."),
        ({"email": "alice-at-example"}, "email", "Enter a valid email address."),
        ({"name": ""}, "name", "This field is required."),
        ({"name": "A" * 121}, "name", "Ensure this value has at most 120 characters"),
        ({"message": "x" * 3001}, "message", "Ensure this value has at most 3000 characters"),
        ({"people": "0"}, "people", "Ensure this value is greater than or equal to 1."),
        ({"people": "500"}, "people", "Ensure this value is less than or equal to 50."),
        ({"start": ""}, "start", "Please choose a start time."),
        ({"start": "tomorrow at ten"}, "start", "Please choose one of the start times shown."),
        ({"start": "2030-01-01T10:00:00"}, "start", "Please choose one of the start times shown."),
        ({"date": "2001-01-01"}, "date", "That day has passed."),
        ({"date": "2999-01-01"}, "date", "We take bookings up to"),
        ({"date": "31/02/2026"}, "date", "Enter a date like 2026-03-14."),
        ({"location": "on_location", "address": ""}, "address", "Please tell us where the session should take place."),
        ({"location": "the moon"}, "location", "Select a valid choice."),
    ],
)
def test_bad_input_gets_a_clear_message_and_stores_nothing(client, headshot, change, field, message):
    response = post(client, booking_data(headshot, local(days=4, hour=11)) | change)

    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert Booking.objects.count() == 0
    assert Client.objects.count() == 0
    assert OutgoingEmail.objects.count() == 0


def test_an_inactive_session_type_cannot_be_booked(client, headshot):
    headshot.is_active = False
    headshot.save()

    response = post(client, booking_data(headshot, local(days=4, hour=11)))

    assert response.status_code == 400
    assert Booking.objects.count() == 0


def test_on_location_is_refused_for_a_studio_only_session(client, headshot, studio_only):
    data = booking_data(studio_only, local(days=4, hour=11), location="on_location", address="1 High St")

    response = post(client, data)

    assert response.status_code == 400
    assert "takes place in the studio only" in " ".join(response.context["form"].errors["location"])


@pytest.mark.parametrize(
    ("when", "why"),
    [
        (lambda: local(days=-1, hour=10), "in the past"),
        (lambda: local(days=0, hour=23), "inside the notice period"),
        (lambda: local(days=200, hour=10), "past the horizon"),
        (lambda: local(days=4, hour=7), "before opening"),
        (lambda: local(days=4, hour=16, minute=30), "ending after closing"),
        (lambda: local(days=4, hour=10, minute=10), "off the start grid"),
    ],
)
def test_a_time_that_is_not_offered_is_refused_even_if_posted_by_hand(client, headshot, when, why):
    start = when()
    data = booking_data(headshot, start) | {"date": local(days=4).date().isoformat()}

    response = post(client, data)

    assert response.status_code == 409, why
    assert "isn&#x27;t open for booking" in response.content.decode()
    assert Booking.objects.count() == 0


def test_script_in_any_field_is_shown_escaped(client, headshot):
    script = "<script>alert(1)</script>"
    response = post(client, booking_data(headshot, local(days=4, hour=11)) | {"name": script, "email": script})

    assert script not in response.content.decode()


def test_an_on_location_booking_keeps_its_address(client, headshot):
    post(client, booking_data(headshot, local(days=4, hour=11), location="on_location", address="1 High St, Leeds"))

    assert Booking.objects.get().address == "1 High St, Leeds"
