"""No double booking: whatever the path, two holding bookings never overlap."""

import threading
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.test import Client

from bookings.models import Booking
from tests.factories import booking_data, local, make_booking, make_session_type, open_every_day

pytestmark = pytest.mark.django_db(transaction=True)

RACERS = 20


def test_twenty_clients_racing_for_one_time_get_one_booking_and_a_plain_answer_each():
    open_every_day()
    session = make_session_type(kind="headshot", slug="headshot", duration_minutes=60, buffer_after_minutes=15)
    start = local(days=4, hour=10)
    barrier = threading.Barrier(RACERS)
    results: list[tuple[int, str]] = []

    def attempt(n: int) -> None:
        try:
            browser = Client()
            barrier.wait()  # all requests leave at the same moment
            data = booking_data(session, start, email=f"racer{n}@example.com")
            # Twenty different clients, each from their own address (one address has a lower limit).
            response = browser.post("/book/", data, REMOTE_ADDR=f"198.51.100.{n + 1}")
            results.append((response.status_code, response.content.decode()))
        finally:
            connections.close_all()  # each thread had its own database connection

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(RACERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert Booking.objects.count() == 1, f"on {connection.vendor}"
    codes = sorted(code for code, _ in results)
    assert codes == [302] + [409] * (RACERS - 1)
    losers = [html for code, html in results if code == 409]
    assert all("was just taken by someone else" in html for html in losers)
    assert all('id="nearest"' in html for html in losers)  # and shown the nearest free times


@pytest.mark.postgres
@pytest.mark.django_db  # one connection: the test's own transaction will do
def test_the_database_itself_refuses_overlapping_holding_bookings():
    open_every_day()
    session = make_session_type(kind="headshot", slug="headshot", duration_minutes=60)
    booking = make_booking(session, local(days=4, hour=10))
    clash = Booking(
        client=booking.client,
        session_type=session,
        start=booking.start + timedelta(minutes=30),
        end=booking.end + timedelta(minutes=30),
        held_start=booking.held_start + timedelta(minutes=30),
        held_end=booking.held_end + timedelta(minutes=30),
    )

    with pytest.raises(IntegrityError, match="booking_held_times_never_overlap"), transaction.atomic():
        clash.save()

    clash.status = Booking.Status.DECLINED  # bookings that hold no time may overlap
    clash.save()
    touching = Booking(
        client=booking.client,
        session_type=session,
        start=booking.held_end,
        end=booking.held_end + timedelta(hours=1),
        held_start=booking.held_end,
        held_end=booking.held_end + timedelta(hours=1),
    )
    touching.save()  # one ending as the next begins is not an overlap
    assert Booking.objects.filter(status__in=Booking.HOLDING).count() == 2
