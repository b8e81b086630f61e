"""When a booking changes, the client's calendar and pages follow: a cancellation removes the event,
a deleted booking is explained, a lost time keeps what was typed, a move to the same time is no
move, and cancelling takes a confirmation."""

import re
from datetime import datetime, timedelta
from html import unescape

import icalendar
import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from bookings import links, services
from bookings.models import Availability, Booking
from photostudio.models import OutgoingEmail
from tests.factories import booking_data, local, make_booking, make_session_type, open_every_day

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_as_in_production")]


@pytest.fixture(autouse=True)
def headshot():
    open_every_day()
    return make_session_type(kind="headshot", slug="headshot", duration_minutes=60, buffer_before_minutes=15)


@pytest.fixture
def photographer(client):
    user = get_user_model().objects.create_superuser("sam", "sam@example.com", "pw-for-tests-only")
    client.force_login(user)
    return user


def bob_booking(**fields) -> Booking:
    return make_booking(name="Bob Mensah", email="bob.mensah@example.com", **fields)


def only_event(ics: bytes):
    calendar = icalendar.Calendar.from_ical(ics)
    (event,) = calendar.walk("VEVENT")
    return calendar, event


def attachment(message, content_type="text/calendar") -> bytes:
    (content,) = [content for _, content, mimetype in message.attachments if mimetype == content_type]
    return content if isinstance(content, bytes) else content.encode()


def to_bob(outbox):
    return [m for m in outbox if m.to == ["bob.mensah@example.com"]]


# --- the calendar cancellation ---


@pytest.mark.parametrize("moved_first", [False, True], ids=["as confirmed", "after a move"])
def test_a_cancellation_email_removes_the_event_from_the_clients_calendar(moved_first):
    booking = services.confirm_booking(bob_booking(start=local(days=5, hour=10)))
    if moved_first:
        booking = services.reschedule_booking(booking, new_start=local(days=6, hour=15), by_client=False)
    last_sent = to_bob(mail.outbox)[-1]
    _, sent_event = only_event(attachment(last_sent))
    mail.outbox.clear()

    services.cancel_booking(booking, by_client=True)

    (message,) = to_bob(mail.outbox)
    calendar, event = only_event(attachment(message))
    assert calendar["METHOD"] == "CANCEL"
    assert str(event["UID"]) == str(sent_event["UID"]) == f"booking-{booking.reference}@photostudio"
    assert int(event["SEQUENCE"]) > int(sent_event["SEQUENCE"])
    assert event["STATUS"] == "CANCELLED"
    assert event.decoded("DTSTART") == sent_event.decoded("DTSTART")
    assert str(event["ORGANIZER"]) == "mailto:hello@northlight.example"
    assert "removes it from your calendar" in message.body


def test_cancelling_a_request_sends_no_calendar_file_as_none_was_ever_sent():
    booking = bob_booking()
    mail.outbox.clear()

    services.cancel_booking(booking, by_client=True)

    (message,) = to_bob(mail.outbox)
    assert message.attachments == []
    assert "calendar" not in message.body


def test_the_photographer_cancelling_from_the_admin_also_sends_the_calendar_cancellation(client, photographer):
    booking = services.confirm_booking(bob_booking())
    mail.outbox.clear()

    client.post("/admin/bookings/booking/", {"action": "cancel_selected", "_selected_action": [booking.pk]})

    (message,) = to_bob(mail.outbox)
    calendar, event = only_event(attachment(message))
    assert (calendar["METHOD"], event["STATUS"], int(event["SEQUENCE"])) == ("CANCEL", "CANCELLED", 1)


# --- deleting a booking in the admin ---


def delete_with_the_delete_view(client, booking):
    page = client.get(f"/admin/bookings/booking/{booking.pk}/delete/")
    assert page.status_code == 200
    return client.post(f"/admin/bookings/booking/{booking.pk}/delete/", {"post": "yes"})


def delete_with_the_action(client, booking):
    changelist = "/admin/bookings/booking/"
    ask = {"action": "delete_selected", "_selected_action": [booking.pk]}
    assert "Are you sure" in client.post(changelist, ask).content.decode()
    return client.post(changelist, ask | {"post": "yes"})


@pytest.mark.parametrize("delete", [delete_with_the_delete_view, delete_with_the_action], ids=["view", "action"])
@pytest.mark.parametrize("confirmed", [False, True], ids=["request", "confirmed"])
def test_deleting_a_booking_in_the_admin_tells_the_client_and_their_link_explains(
    client, photographer, delete, confirmed
):
    booking = bob_booking(start=local(days=5, hour=11))
    if confirmed:
        booking = services.confirm_booking(booking)
    token = links.manage_token(booking)
    mail.outbox.clear()

    response = delete(client, booking)

    assert response.status_code == 302
    notes = [str(m) for m in client.get(response["Location"]).context["messages"]]
    assert any("emailed" in note and "withdrawn" in note for note in notes), notes

    assert not Booking.objects.filter(pk=booking.pk).exists()
    (message,) = mail.outbox
    assert message.to == ["bob.mensah@example.com"]
    assert message.subject.startswith("Withdrawn:")
    assert booking.reference in message.body and "no longer exists" in message.body
    assert message.alternatives[0][1] == "text/html"
    assert OutgoingEmail.objects.filter(kind="booking_withdrawn", status=OutgoingEmail.Status.SENT).count() == 1
    if confirmed:
        calendar, event = only_event(attachment(message))
        assert (calendar["METHOD"], str(event["UID"])) == ("CANCEL", f"booking-{booking.reference}@photostudio")
        assert int(event["SEQUENCE"]) == 1
    else:
        assert message.attachments == []
    client.logout()
    for page in (f"/bookings/{token}/", f"/bookings/{token}/reschedule/", f"/bookings/{token}/cancel/"):
        response = client.get(page)
        assert response.status_code == 410, page
        assert "This booking no longer exists" in response.content.decode()


def test_deleting_a_past_or_finished_booking_emails_nobody(client, photographer):
    done = services.complete_booking(services.confirm_booking(bob_booking(start=local(days=5))))
    declined = make_booking(start=local(days=6), name="Priya Raman", email="priya.raman@example.org")
    services.decline_booking(declined, reason="Fully booked that week.")
    mail.outbox.clear()

    client.post(
        "/admin/bookings/booking/",
        {"action": "delete_selected", "_selected_action": [done.pk, declined.pk], "post": "yes"},
    )

    assert not Booking.objects.exists()
    assert mail.outbox == []


def test_a_forged_link_is_still_a_404_not_the_withdrawn_page(client):
    booking = bob_booking()
    token = links.manage_token(booking)

    assert client.get(f"/bookings/{token[:-3]}abc/").status_code == 404


# --- losing a time to someone else ---


def test_picking_one_of_the_nearest_times_keeps_everything_typed_and_puts_nothing_personal_in_a_url(client, headshot):
    wanted = local(days=4, hour=11)
    make_booking(headshot, wanted, name="Priya Raman", email="priya.raman@example.org")
    typed = booking_data(
        headshot,
        wanted,
        name="Bob Mensah",
        email="bob.mensah@example.com",
        phone="+44 7700 900 456",
        company="Mensah & Daughters",
        purpose="Speaker photo for the Leeds conference",
        people="2",
        message="My colleague Ama joins for a joint photo.",
    )

    lost = client.post("/book/", typed)

    assert lost.status_code == 409
    html = lost.content.decode()
    picks = re.findall(r'<button type="submit" form="booking-form" name="pick" value="([^"]+)"', html)
    assert len(picks) == len(lost.context["nearest"]) > 0
    assert 'id="booking-form"' in html and 'method="post"' in html
    assert "#}" not in html  # no template note leaks into the page
    hrefs = " ".join(unescape(h) for h in re.findall(r'href="([^"]*)"', html))
    assert "bob" not in hrefs.lower() and "mensah" not in hrefs.lower() and "7700" not in hrefs

    pick = unescape(picks[0])
    page = client.post("/book/", typed | {"pick": pick})

    assert page.status_code == 200
    form = page.context["form"]
    for field in ("name", "email", "phone", "company", "purpose", "people", "message"):
        assert str(form[field].value()) == typed[field], field
    assert re.search(rf'value="{re.escape(pick)}"\s+checked', page.content.decode())
    assert page.context["day"].isoformat() == pick[:10]
    assert Booking.objects.count() == 1

    booked = client.post("/book/", typed | {"start": pick, "date": pick[:10]})

    assert booked.status_code == 302
    mine = Booking.objects.get(client__email="bob.mensah@example.com")
    assert (mine.client.phone, mine.people, mine.message) == ("+44 7700 900 456", 2, typed["message"])
    assert mine.start == datetime.fromisoformat(pick)


def test_a_nonsense_pick_just_shows_the_form_again(client, headshot):
    for pick in ["tomorrow", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00", "2026-12-03T10:00:00"]:
        response = client.post("/book/", booking_data(headshot, local(days=4)) | {"pick": pick})
        assert response.status_code == 200, pick
        assert response.context["form"]["name"].value() == "Alice Byrne"
    assert Booking.objects.count() == 0


# --- moving ---


def test_the_reschedule_page_does_not_offer_the_current_time_as_free(client):
    booking = services.confirm_booking(bob_booking(start=local(days=4, hour=10)))

    page = client.get(f"/bookings/{links.manage_token(booking)}/reschedule/", {"date": local(days=4).date()})

    offered = [datetime.fromisoformat(value) for value, _ in page.context["times"]]
    assert offered and booking.start not in offered
    assert "10:00" not in [label for _, label in page.context["times"]]
    assert "10:30" in [label for _, label in page.context["times"]]  # its own buffer no longer blocks nearby times


def test_moving_to_the_same_time_changes_nothing_and_sends_no_moved_email(client):
    booking = services.confirm_booking(bob_booking(start=local(days=4, hour=10)))
    url = f"/bookings/{links.manage_token(booking)}/reschedule/"
    before = Booking.objects.get(pk=booking.pk)
    mail.outbox.clear()

    response = client.post(url, {"date": local(days=4).date(), "start": booking.start.isoformat()}, follow=True)

    assert response.status_code == 200
    assert "Your session is already at 10:00" in response.content.decode()
    assert "nothing has changed" in response.content.decode()
    after = Booking.objects.get(pk=booking.pk)
    assert (after.start, after.sequence, after.updated_at) == (before.start, before.sequence, before.updated_at)
    assert mail.outbox == []
    assert not OutgoingEmail.objects.filter(kind__startswith="booking_rescheduled").exists()


# --- cancelling takes a confirmation ---


def test_the_old_one_tap_cancel_no_longer_cancels(client):
    booking = bob_booking()
    token = links.manage_token(booking)
    mail.outbox.clear()

    response = client.post(f"/bookings/{token}/", {"action": "cancel"})

    assert response.status_code == 302
    assert response["Location"] == f"/bookings/{token}/cancel/"
    booking.refresh_from_db()
    assert booking.status == Booking.Status.REQUESTED
    assert mail.outbox == []
    manage = client.get(f"/bookings/{token}/").content.decode()
    assert 'value="cancel"' not in manage and "data-confirm" not in manage
    assert f'href="/bookings/{token}/cancel/"' in manage


def test_the_cancel_link_asks_first_and_only_its_post_cancels_with_the_clients_reason(client):
    booking = services.confirm_booking(bob_booking(start=local(days=5, hour=14)))
    token = links.manage_token(booking)
    start = booking.start.astimezone(Availability.load().tz)
    mail.outbox.clear()

    question = client.get(f"/bookings/{token}/cancel/")

    html = question.content.decode()
    assert question.status_code == 200
    assert f"Cancel your session on {start:%A} {start.day} {start:%B}?" in html
    assert f'<form method="post" action="/bookings/{token}/cancel/"' in html
    assert 'name="reason"' in html and "No, keep it" in html
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED

    done = client.post(f"/bookings/{token}/cancel/", {"reason": "My flight home was moved to that afternoon."})

    assert done.status_code == 302 and done["Location"] == f"/bookings/{token}/"
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert booking.cancel_reason == "My flight home was moved to that afternoon."
    studio = next(m for m in mail.outbox if m.to == ["hello@northlight.example"])
    assert "My flight home was moved to that afternoon." in studio.body
    assert "My flight home was moved to that afternoon." in studio.alternatives[0][0]
    # The page of a cancelled booking just says so.
    assert client.get(f"/bookings/{token}/cancel/")["Location"] == f"/bookings/{token}/"


def test_cancelling_too_close_to_the_session_is_refused_at_the_confirmation_step(client):
    from django.utils import timezone

    booking = bob_booking(start=timezone.now() + timedelta(hours=5))
    token = links.manage_token(booking)

    assert client.get(f"/bookings/{token}/cancel/")["Location"] == f"/bookings/{token}/"
    response = client.post(f"/bookings/{token}/cancel/", {"reason": ""})

    assert response.status_code == 409
    assert "until 24 hours before" in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.REQUESTED


def test_a_reason_too_long_is_refused_plainly(client):
    booking = bob_booking()

    response = client.post(f"/bookings/{links.manage_token(booking)}/cancel/", {"reason": "x" * 1001})

    assert response.status_code == 400
    assert "at most 1000 characters" in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.REQUESTED
