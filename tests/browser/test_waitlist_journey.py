"""The waitlist in a real browser on a 375 px phone: a full day's link to its waitlist, joining, and
taking a freed time with one click from the offer's email. Every page is checked by axe and for its
width (the guards in conftest.py)."""

from urllib.parse import urlsplit

import pytest
from django.core import mail

from bookings import services
from bookings.models import Booking, WaitlistEntry
from tests.browser.realistic import LONG_EMAIL, LONG_NAME
from tests.factories import local, make_booking, make_session_type, open_every_day

pytestmark = pytest.mark.browser


def test_a_client_on_a_phone_joins_a_full_days_waitlist_and_books_the_time_that_frees_up(phone, site):
    open_every_day(time_zone="Europe/Dublin")
    session = make_session_type(kind="headshot", slug="headshot", name="Business headshot", duration_minutes=60)
    hours = range(9, 17)  # the whole day booked
    booked = {hour: make_booking(session, local(days=4, hour=hour), email=f"c{hour}@example.org") for hour in hours}
    day = local(days=4).date()

    phone.goto(f"/book/?type=headshot&date={day.isoformat()}")
    phone.get_by_role("link", name="Join the waitlist").click()
    phone.get_by_label("Your name").fill(LONG_NAME)
    phone.get_by_label("Email").fill(LONG_EMAIL)
    phone.get_by_role("button", name="Join the waitlist").click()
    phone.get_by_role("heading", name="Your place on the waitlist").wait_for()

    assert WaitlistEntry.objects.get().day_list == [day]
    mail.outbox.clear()
    services.cancel_booking(booked[11], by_client=False)
    (offer,) = [m for m in mail.outbox if m.subject.startswith("A time has freed up")]
    link = next(word for word in offer.body.split() if "/waitlist/offers/" in word)

    phone.goto(urlsplit(link).path)
    phone.get_by_role("button", name="Book this time").click()
    phone.wait_for_url("**/book/requested/**")

    booking = Booking.objects.get(client__email=LONG_EMAIL)
    assert booking.start == local(days=4, hour=11) and booking.status == Booking.Status.REQUESTED
    assert "your request is in" in phone.content()
