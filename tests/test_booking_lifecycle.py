"""The life of a booking: confirm, decline, cancel, complete, reschedule; the manage link; reminders."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.core import mail, signing
from django.utils import timezone

from bookings import links, services
from bookings.models import Booking
from tests.factories import local, make_booking, make_session_type, open_every_day

# Each email is handed to its (in-process) task the moment its change commits.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_as_in_production")]


@pytest.fixture(autouse=True)
def studio():
    open_every_day()
    return make_session_type(kind="headshot", slug="headshot", duration_minutes=60)


@pytest.fixture
def sent():
    return mail.outbox


def subjects(outbox) -> list[str]:
    return [m.subject for m in outbox]


def test_a_request_tells_the_client_and_the_photographer(sent):
    booking = make_booking()

    assert [m.to for m in sent] == [["alice@example.com"], ["hello@northlight.example"]]
    assert booking.reference in sent[0].subject
    assert "New booking request" in sent[1].subject
    assert f"/admin/bookings/booking/{booking.pk}/change/" in sent[1].body
    assert "Europe/London time" in sent[0].body


def test_confirming_emails_the_client_a_calendar_file_and_a_google_link(sent):
    booking = make_booking()
    sent.clear()

    services.confirm_booking(booking)

    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    (message,) = sent
    assert message.subject.startswith("Confirmed:")
    assert "calendar.google.com/calendar/render" in message.body
    assert links.manage_url(booking).split("/bookings/")[0] in message.body
    filename, content, mimetype = message.attachments[0]
    assert (filename, mimetype) == (f"{booking.reference}.ics", "text/calendar")
    event = icalendar.Calendar.from_ical(content).walk("VEVENT")[0]
    assert event.decoded("DTSTART") == booking.start
    assert str(event["UID"]) == f"booking-{booking.reference}@photostudio"
    assert message.alternatives[0].mimetype == "text/html"


def test_declining_sends_the_reason_and_a_link_to_book_again(sent):
    booking = make_booking()
    sent.clear()

    services.decline_booking(booking, reason="We're away that week.")

    booking.refresh_from_db()
    assert booking.status == Booking.Status.DECLINED
    assert not booking.holds_time
    assert "We're away that week." in sent[0].body
    assert "/book/?type=headshot" in sent[0].body


def test_a_declined_or_cancelled_booking_frees_its_time(studio):
    first = make_booking(start=local(days=4, hour=10))
    services.decline_booking(first, reason="")

    second = make_booking(start=local(days=4, hour=10), email="bob@example.com")

    assert second.status == Booking.Status.REQUESTED


@pytest.mark.parametrize(
    ("start_status", "step"),
    [
        ("declined", lambda b: services.confirm_booking(b)),
        ("cancelled", lambda b: services.confirm_booking(b)),
        ("confirmed", lambda b: services.decline_booking(b, reason="")),
        ("requested", lambda b: services.complete_booking(b)),
        ("completed", lambda b: services.cancel_booking(b, by_client=False)),
        ("declined", lambda b: services.cancel_booking(b, by_client=False)),
    ],
)
def test_steps_out_of_order_are_refused_plainly(start_status, step):
    booking = make_booking()
    Booking.objects.filter(pk=booking.pk).update(status=start_status)

    with pytest.raises(services.BookingError):
        step(booking)

    booking.refresh_from_db()
    assert booking.status == start_status


def test_repeating_a_step_is_harmless(sent):
    booking = make_booking()
    services.confirm_booking(booking)
    sent.clear()

    services.confirm_booking(booking)

    assert sent == []


def test_a_confirmed_session_can_be_completed():
    booking = services.confirm_booking(make_booking())

    assert services.complete_booking(booking).status == Booking.Status.COMPLETED


# --- the manage link ---


def test_the_client_can_cancel_through_the_link_in_their_email(client, sent):
    booking = make_booking()
    token = links.manage_token(booking)
    sent.clear()

    assert f'href="/bookings/{token}/cancel/"' in client.get(f"/bookings/{token}/").content.decode()
    response = client.post(f"/bookings/{token}/cancel/", {"reason": ""}, follow=True)

    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert "Your session is cancelled" in response.content.decode()
    assert sorted(m.to[0] for m in sent) == ["alice@example.com", "hello@northlight.example"]


def test_cancelling_inside_the_policy_window_is_refused(client):
    booking = make_booking(start=timezone.now() + timedelta(hours=5))

    page = client.get(f"/bookings/{links.manage_token(booking)}/")
    response = client.post(f"/bookings/{links.manage_token(booking)}/cancel/", {"reason": ""})

    assert "too close to the session" in page.content.decode()
    assert response.status_code == 409
    booking.refresh_from_db()
    assert booking.status == Booking.Status.REQUESTED


def test_a_forged_link_is_a_404(client):
    booking = make_booking()
    token = links.manage_token(booking)

    assert client.get(f"/bookings/{token[:-2]}xx/").status_code == 404
    assert client.get(f"/bookings/{booking.reference}/").status_code == 404
    assert client.get("/bookings/anything/reschedule/").status_code == 404


def test_a_link_cannot_be_pointed_at_another_booking(client):
    mine, theirs = make_booking(), make_booking(start=local(days=5), email="bob@example.com")
    token = links.manage_token(mine)
    forged = token.replace(mine.reference, theirs.reference, 1)

    assert client.get(f"/bookings/{forged}/").status_code == 404
    assert "bob@example.com" not in client.get(f"/bookings/{token}/").content.decode()


def test_an_old_link_shows_a_plain_expired_page(client, monkeypatch):
    booking = make_booking()
    token = signing.TimestampSigner(salt=links.SALT).sign(booking.reference)
    monkeypatch.setattr(links, "LINK_LIFETIME", timedelta(seconds=-1))

    response = client.get(f"/bookings/{token}/")

    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()


def test_rescheduling_offers_the_free_times_and_moves_the_booking(client, sent):
    booking = services.confirm_booking(make_booking(start=local(days=4, hour=10)))
    url = f"/bookings/{links.manage_token(booking)}/reschedule/"
    new_day = local(days=6).date()
    sent.clear()

    page = client.get(url, {"date": new_day.isoformat()})
    times = dict((label, value) for value, label in page.context["times"])
    response = client.post(url, {"date": new_day.isoformat(), "start": times["14:00"]})

    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.start == local(days=6, hour=14)
    assert booking.sequence == 1
    assert booking.status == Booking.Status.CONFIRMED
    assert sorted(m.to[0] for m in sent) == ["alice@example.com", "hello@northlight.example"]
    ics = next(m for m in sent if m.to == ["alice@example.com"]).attachments[0][1]
    assert icalendar.Calendar.from_ical(ics).walk("VEVENT")[0]["SEQUENCE"] == 1


def test_rescheduling_to_a_taken_time_is_refused_with_the_nearest_times(client):
    booking = make_booking(start=local(days=4, hour=10))
    make_booking(start=local(days=6, hour=14), email="bob@example.com")
    url = f"/bookings/{links.manage_token(booking)}/reschedule/"

    response = client.post(url, {"date": local(days=6).date().isoformat(), "start": local(days=6, hour=14).isoformat()})

    assert response.status_code == 409
    assert response.context["nearest"]
    booking.refresh_from_db()
    assert booking.start == local(days=4, hour=10)


# --- reminders ---


def test_the_day_before_each_confirmed_client_is_reminded_once(sent):
    soon = services.confirm_booking(make_booking(start=timezone.now() + timedelta(hours=20)))
    later = services.confirm_booking(make_booking(start=local(days=5), email="bob@example.com"))
    make_booking(start=timezone.now() + timedelta(hours=22), email="carol@example.com")  # requested only
    sent.clear()

    assert services.send_reminders() == 1
    assert services.send_reminders() == 0

    assert [m.to for m in sent] == [["alice@example.com"]]
    assert "See you tomorrow" in sent[0].subject
    soon.refresh_from_db()
    later.refresh_from_db()
    assert soon.reminder_sent_at is not None and later.reminder_sent_at is None


def test_beat_sends_the_reminders_hourly(sent):
    from bookings.tasks import send_booking_reminders
    from photostudio.celery import app

    services.confirm_booking(make_booking(start=timezone.now() + timedelta(hours=20)))
    sent.clear()

    schedule = app.conf.beat_schedule["send-booking-reminders"]
    assert schedule["task"] == send_booking_reminders.name
    assert schedule["schedule"] <= 3600
    assert send_booking_reminders.delay().get() == 1
    assert len(sent) == 1


def test_every_email_about_a_booking_is_recorded_against_it(sent):
    booking = services.confirm_booking(make_booking())

    from photostudio.models import OutgoingEmail

    records = OutgoingEmail.objects.filter(about_id=str(booking.pk))
    assert sorted(r.kind for r in records) == ["booking_confirmed", "booking_new_request", "booking_requested"]
    assert all(r.status == OutgoingEmail.Status.SENT and r.sent_at for r in records)


@pytest.mark.parametrize(
    ("zone", "start", "hours_on_the_clock"),
    [
        ("America/New_York", (2027, 3, 14, 1, 0), 3),  # clocks go forward at 02:00: 01:00 → 04:00
        ("Europe/London", (2026, 10, 25, 0, 30), 1),  # clocks go back at 02:00: 00:30 → 01:30 GMT
    ],
)
def test_a_session_across_a_change_of_the_clocks_lasts_what_it_says(zone, start, hours_on_the_clock):
    open_every_day(time_zone=zone)
    session = make_session_type(
        slug="long-headshot", duration_minutes=120, buffer_before_minutes=15, buffer_after_minutes=15
    )
    begins = datetime(*start, tzinfo=ZoneInfo(zone))

    booking = make_booking(session, begins)

    assert booking.end.astimezone(UTC) - booking.start.astimezone(UTC) == timedelta(hours=2)
    assert booking.held_end.astimezone(UTC) - booking.held_start.astimezone(UTC) == timedelta(hours=2, minutes=30)
    assert booking.end.astimezone(ZoneInfo(zone)).hour == begins.hour + hours_on_the_clock
