"""No email is lost: a booking made while Redis is down succeeds at once, and its emails go out
through a real Celery worker once a broker is reachable, exactly once."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.db.models import F

from bookings.models import Booking
from photostudio.celery import EMAIL_QUEUE
from photostudio.models import OutgoingEmail
from photostudio.tasks import ping, send_pending_emails
from tests.conftest import database_url_for_subprocess
from tests.factories import booking_data, local, make_session_type, open_every_day
from tests.helpers import closed_port, time_a_booking_on_a_real_server

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_booking_made_while_redis_is_down_succeeds_and_its_emails_go_out_once_it_is_back(celery_worker, mail_sink):
    open_every_day()
    session = make_session_type(kind="headshot", slug="headshot", duration_minutes=60)
    status, html, took = time_a_booking_on_a_real_server(
        ROOT,
        database_url_for_subprocess(),
        f"redis://127.0.0.1:{closed_port()}/0",  # nothing listens there
        booking_data(session, local(days=4, hour=11)),
        EMAIL_URL=mail_sink.url,
    )

    assert status == 200 and "your request is in" in html  # after the redirect
    assert took < 2, f"the client waited {took:.2f} s"
    booking = Booking.objects.get()
    pending = OutgoingEmail.objects.filter(status=OutgoingEmail.Status.PENDING)
    assert sorted(pending.values_list("to", flat=True)) == ["alice@example.com", "hello@northlight.example"]
    mail_sink.messages.clear()

    # Later: the broker is back. Beat's sweep (run twice here, as a slow minute might) hands the
    # waiting emails to the real worker, which sends each once.
    OutgoingEmail.objects.update(created_at=F("created_at") - timedelta(minutes=2))
    send_pending_emails.delay()
    send_pending_emails.delay()

    received = mail_sink.wait_for(2)
    # A duplicate would be queued before both were sent: once a ping behind them on the same queue
    # is answered, any duplicate has reached the mail server too.
    ping.apply_async(queue=EMAIL_QUEUE).get(timeout=60)
    assert sorted(m["To"] for m in received) == ["alice@example.com", "hello@northlight.example"]
    assert len(mail_sink.messages) == 2
    assert all(booking.reference in m["Subject"] or booking.session_type.name in m["Subject"] for m in received)
    assert set(OutgoingEmail.objects.values_list("status", flat=True)) == {OutgoingEmail.Status.SENT}
    assert set(OutgoingEmail.objects.values_list("attempts", flat=True)) == {1}


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_with_redis_up_the_worker_sends_the_email_of_a_contact_message(celery_worker, mail_sink, client):
    mail_sink.messages.clear()

    client.post("/contact/", {"name": "Bob", "email": "bob@example.com", "message": "Team headshots?"})

    (message,) = mail_sink.wait_for(1)
    assert message["Reply-To"] == "bob@example.com"
    assert "Question from Bob" in message["Subject"]
