"""The photographer runs bookings from the admin: the day, the list, the actions, the month."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from bookings.models import Availability, Booking
from tests.factories import local, make_booking, make_session_type, open_every_day

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_as_in_production")]


@pytest.fixture
def photographer(client):
    user = get_user_model().objects.create_superuser("sam", "sam@example.com", "pw-for-tests-only")
    client.force_login(user)
    open_every_day()
    make_session_type(kind="headshot", slug="headshot")
    return user


def test_the_front_page_is_the_studios_day(client, photographer):
    waiting = make_booking(start=local(days=3, hour=10))

    html = client.get("/admin/").content.decode()

    assert "Requests waiting for your answer (1)" in html
    assert waiting.reference in html
    assert "Month view" in html


def test_confirming_from_the_list(client, photographer):
    booking = make_booking()
    mail.outbox.clear()

    client.post(
        "/admin/bookings/booking/", {"action": "confirm_selected", "_selected_action": [booking.pk]}, follow=True
    )

    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    assert mail.outbox[0].subject.startswith("Confirmed:")


def test_declining_from_the_list_asks_for_a_reason_then_sends_it(client, photographer):
    booking = make_booking()
    mail.outbox.clear()
    url = "/admin/bookings/booking/"

    ask = client.post(url, {"action": "decline_selected", "_selected_action": [booking.pk]})
    client.post(
        url,
        {"action": "decline_selected", "_selected_action": [booking.pk], "apply": "1", "reason": "Fully booked."},
    )

    assert "Reason (shown to the client)" in ask.content.decode()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.DECLINED
    assert "Fully booked." in mail.outbox[0].body


def test_confirming_and_declining_from_the_bookings_page(client, photographer):
    first, second = make_booking(), make_booking(start=local(days=5), email="bob@example.com")
    page = client.get(f"/admin/bookings/booking/{first.pk}/change/").content.decode()
    assert 'name="_confirm"' in page

    form = _change_form(client, first) | {"_confirm": "Confirm"}
    client.post(f"/admin/bookings/booking/{first.pk}/change/", form)
    form = _change_form(client, second) | {"decline_reason": "Away that day.", "_decline": "Decline"}
    client.post(f"/admin/bookings/booking/{second.pk}/change/", form)

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Booking.Status.CONFIRMED
    assert (second.status, second.decline_reason) == (Booking.Status.DECLINED, "Away that day.")


def test_the_admin_cannot_move_a_booking_onto_another(client, photographer):
    make_booking(start=local(days=4, hour=10))
    second = make_booking(start=local(days=4, hour=14), email="b@x.io")
    form = _change_form(client, second) | {"start_0": local(days=4).strftime("%d/%m/%Y"), "start_1": "10:00:00"}

    response = client.post(f"/admin/bookings/booking/{second.pk}/change/", form)

    assert "overlaps another booking" in response.content.decode()
    second.refresh_from_db()
    assert second.start == local(days=4, hour=14)


def test_the_booking_page_lists_every_email_sent_about_it(client, photographer):
    booking = make_booking()

    html = client.get(f"/admin/bookings/booking/{booking.pk}/change/").content.decode()

    assert "We&#x27;ve received your booking request" in html
    assert "New booking request" in html


def test_the_month_view_shows_sessions_by_day(client, photographer):
    booking = make_booking(start=local(days=3, hour=10))

    html = client.get(f"/admin/bookings/booking/calendar/?month={booking.start:%Y-%m}").content.decode()

    assert "10:00 Alice Byrne" in html
    assert client.get("/admin/bookings/booking/calendar/?month=garbage").status_code == 200


def test_the_availability_page_shows_the_calendar_address_and_can_reset_it(client, photographer):
    availability = Availability.load()
    old = availability.calendar_token

    page = client.get(f"/admin/bookings/availability/{availability.pk}/change/").content.decode()

    assert f"/calendar/{old}.ics" in page


def test_clients_cannot_reach_the_admin(client):
    assert client.get("/admin/bookings/booking/").status_code == 302


def _change_form(client, booking) -> dict:
    """The fields the admin's change form would post back unchanged."""
    response = client.get(f"/admin/bookings/booking/{booking.pk}/change/")
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if name == "start":
            local_start = booking.start.astimezone(Availability.load().tz)
            data["start_0"], data["start_1"] = local_start.strftime("%d/%m/%Y"), local_start.strftime("%H:%M:%S")
        elif value is not None:
            data[name] = value
    for prefix in ("photostudio-outgoingemail-about_type-about_id",):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    return data
