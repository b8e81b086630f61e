"""Booking requests cannot squat the calendar: few per address and per email, and an unanswered
request lapses after the studio's set period, freeing its time and telling the client."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone

from bookings import services
from bookings.models import Availability, Booking
from photostudio.models import OutgoingEmail
from tests.factories import booking_data, local, make_booking, make_session_type, open_every_day

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_as_in_production")]

VISITORS = [
    ("Bob Mensah", "bob.mensah@example.com"),
    ("Priya Raman", "priya.raman@example.org"),
    ("Tomás Ó Briain", "tomas@obriain.example"),
    ("Chen Wei", "chen.wei@example.net"),
    ("Amara Okafor", "amara@okafor-studio.example"),
    ("Lena Fischer", "lena.fischer@example.de"),
    ("Jonas Berg", "jonas.berg@example.se"),
]


@pytest.fixture(autouse=True)
def headshot():
    open_every_day()
    return make_session_type(kind="headshot", slug="headshot", duration_minutes=60)


def request_times(count: int) -> list:
    return [local(days=3 + n // 6, hour=9 + n % 6) for n in range(count)]


# --- how many requests ---


def test_one_address_cannot_hold_more_than_five_times_with_different_emails(client, headshot):
    outcomes = []
    for (name, email), start in zip(VISITORS, request_times(len(VISITORS)), strict=True):
        data = booking_data(headshot, start, name=name, email=email)
        outcomes.append(client.post("/book/", data, REMOTE_ADDR="198.51.100.23").status_code)

    assert outcomes == [302] * 5 + [429, 429]
    assert Booking.objects.filter(status__in=Booking.HOLDING).count() == 5
    # No email goes to the addresses the refused requests named.
    assert not OutgoingEmail.objects.filter(to__in=[email for _, email in VISITORS[5:]]).exists()
    # Another visitor is not held back by the first one.
    other = booking_data(headshot, local(days=9, hour=10), name="Nadia Haddad", email="nadia@example.com")
    assert client.post("/book/", other, REMOTE_ADDR="203.0.113.77").status_code == 302


def test_one_email_gets_three_requests_a_day_whatever_the_address_or_case(client, headshot):
    emails = ["bob.mensah@example.com", "Bob.Mensah@Example.com", " BOB.MENSAH@EXAMPLE.COM ", "bob.mensah@example.com"]
    outcomes = [
        client.post(
            "/book/", booking_data(headshot, start, name="Bob Mensah", email=email), REMOTE_ADDR=f"192.0.2.{n + 10}"
        ).status_code
        for n, (email, start) in enumerate(zip(emails, request_times(4), strict=True))
    ]

    assert outcomes == [302, 302, 302, 429]
    assert Booking.objects.count() == 3


def test_the_refusal_is_the_plain_too_many_attempts_page(client, headshot):
    for n, start in enumerate(request_times(5)):
        client.post("/book/", booking_data(headshot, start, email=f"guest{n}@example.com"), REMOTE_ADDR="198.51.100.5")

    response = client.post(
        "/book/", booking_data(headshot, local(days=9), email="late@example.com"), REMOTE_ADDR="198.51.100.5"
    )

    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()


def test_showing_free_times_without_javascript_does_not_use_up_requests(client, headshot):
    day = local(days=5).date().isoformat()
    for _ in range(8):
        shown = client.post("/book/", booking_data(headshot, local(days=5)) | {"show_times": "1", "date": day})
        assert shown.status_code == 200

    assert client.post("/book/", booking_data(headshot, local(days=5, hour=10))).status_code == 302


# --- lapsing ---


def test_a_request_lapses_after_72_hours_by_default_freeing_its_time_and_telling_the_client():
    start = local(days=10, hour=11)
    booking = make_booking(start=start, name="Bob Mensah", email="bob.mensah@example.com")
    mail.outbox.clear()

    assert Availability.load().request_lapse_hours == 72
    assert abs(booking.lapses_at - (timezone.now() + timedelta(hours=72))) < timedelta(minutes=1)
    assert services.lapse_overdue_requests(now=booking.lapses_at - timedelta(minutes=1)) == 0
    assert services.lapse_overdue_requests(now=booking.lapses_at + timedelta(minutes=1)) == 1

    booking.refresh_from_db()
    assert booking.status == Booking.Status.LAPSED
    assert not booking.holds_time
    (message,) = mail.outbox
    assert message.to == ["bob.mensah@example.com"]
    assert "lapsed" in message.subject and booking.reference in message.subject
    assert "the time is free again" in message.body
    assert "/book/?type=headshot" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and "Choose a time" in html
    assert OutgoingEmail.objects.filter(kind="booking_lapsed", about_id=str(booking.pk)).exists()
    # Someone else can now have the time.
    assert make_booking(start=start, name="Priya Raman", email="priya.raman@example.org").holds_time


@pytest.mark.postgres
def test_on_postgresql_the_database_itself_lets_a_lapsed_requests_time_be_booked_again(client, headshot):
    start = local(days=6, hour=14)
    first = make_booking(start=start, email="bob.mensah@example.com")
    services.lapse_overdue_requests(now=first.lapses_at)

    response = client.post("/book/", booking_data(headshot, start, email="priya.raman@example.org"))

    assert response.status_code == 302
    assert Booking.objects.get(status=Booking.Status.REQUESTED).client.email == "priya.raman@example.org"


def test_lapsing_twice_emails_once_and_leaves_answered_requests_alone():
    waiting = make_booking(start=local(days=5, hour=10), email="bob.mensah@example.com")
    confirmed = services.confirm_booking(make_booking(start=local(days=5, hour=12), email="priya.raman@example.org"))
    declined = make_booking(start=local(days=5, hour=14), email="chen.wei@example.net")
    services.decline_booking(declined, reason="We're away that day.")
    mail.outbox.clear()
    later = timezone.now() + timedelta(days=4)

    assert services.lapse_overdue_requests(now=later) == 1
    assert services.lapse_overdue_requests(now=later) == 0
    assert services.lapse_request(waiting.pk, now=later) is False

    assert [m.to for m in mail.outbox] == [["bob.mensah@example.com"]]
    statuses = dict(Booking.objects.values_list("pk", "status"))
    assert statuses == {
        waiting.pk: Booking.Status.LAPSED,
        confirmed.pk: Booking.Status.CONFIRMED,
        declined.pk: Booking.Status.DECLINED,
    }
    with pytest.raises(services.BookingError):
        services.confirm_booking(waiting)


def test_the_period_is_set_in_the_admin_and_a_request_never_outlives_its_session():
    Availability.objects.filter(pk=Availability.load().pk).update(request_lapse_hours=24)
    far = make_booking(start=local(days=10), email="bob.mensah@example.com")
    soon = make_booking(start=timezone.now() + timedelta(hours=30), email="priya.raman@example.org")
    Availability.objects.filter(pk=Availability.load().pk).update(request_lapse_hours=72)

    assert abs(far.lapses_at - (timezone.now() + timedelta(hours=24))) < timedelta(minutes=1)
    soon_with_72 = make_booking(start=timezone.now() + timedelta(hours=40), email="chen.wei@example.net")
    assert soon_with_72.lapses_at == soon_with_72.start
    assert soon.lapses_at < soon.start


def test_beat_lapses_overdue_requests_every_few_minutes_through_a_task():
    from bookings.tasks import lapse_overdue_requests
    from photostudio.celery import app

    booking = make_booking(start=local(days=5), email="bob.mensah@example.com")
    Booking.objects.filter(pk=booking.pk).update(lapses_at=timezone.now() - timedelta(minutes=1))

    schedule = app.conf.beat_schedule["lapse-overdue-requests"]
    assert schedule["task"] == lapse_overdue_requests.name
    assert schedule["schedule"] <= 15 * 60
    assert lapse_overdue_requests.delay().get() == 1
    assert lapse_overdue_requests.delay().get() == 0
    booking.refresh_from_db()
    assert booking.status == Booking.Status.LAPSED


def test_the_photographer_is_told_when_a_request_will_lapse(client):
    booking = make_booking(start=local(days=10, hour=11), name="Bob Mensah", email="bob.mensah@example.com")
    lapses = booking.lapses_at.astimezone(Availability.load().tz)
    when = f"{lapses:%A} {lapses.day} {lapses:%B}, {lapses:%H:%M}"

    new_request = next(m for m in mail.outbox if m.to == ["hello@northlight.example"])
    assert f"If you haven't answered by {when}" in new_request.body
    assert when in new_request.alternatives[0][0]
    # The client knows too.
    requested = next(m for m in mail.outbox if m.to == ["bob.mensah@example.com"])
    assert f"If we haven't confirmed it by {when}, the request lapses" in requested.body

    admin = get_user_model().objects.create_superuser("sam", "sam@example.com", "pw-for-tests-only")
    client.force_login(admin)
    admin_when = f"{lapses:%a %d %b %Y %H:%M}"
    assert admin_when in client.get("/admin/bookings/booking/").content.decode()
    assert admin_when in client.get(f"/admin/bookings/booking/{booking.pk}/change/").content.decode()
    assert "lapses in 2\xa0days, 23\xa0hours" in client.get("/admin/").content.decode()  # the studio's day
    availability_url = f"/admin/bookings/availability/{Availability.load().pk}/change/"
    assert 'name="request_lapse_hours"' in client.get(availability_url).content.decode()


def test_a_lapsed_requests_link_says_what_happened(client):
    from bookings import links

    booking = make_booking(start=local(days=5), email="bob.mensah@example.com")
    services.lapse_overdue_requests(now=booking.lapses_at)

    html = client.get(f"/bookings/{links.manage_token(booking)}/").content.decode()

    assert "Lapsed" in html
    assert "couldn't confirm this request in time" in html
    assert "/book/?type=headshot" in html


def test_a_period_of_zero_hours_is_refused_with_a_clear_message():
    from django.core.exceptions import ValidationError

    availability = Availability.load()
    availability.request_lapse_hours = 0

    with pytest.raises(ValidationError) as refused:
        availability.full_clean()

    assert refused.value.message_dict["request_lapse_hours"] == ["Give at least 1 hour."]


@pytest.mark.django_db(transaction=True)  # the worker reads what the test commits
@pytest.mark.celery_worker
@pytest.mark.postgres
def test_a_real_worker_lapses_an_overdue_request_once_when_beat_fires_twice(celery_worker, mail_sink):
    from bookings.tasks import lapse_overdue_requests
    from photostudio.tasks import ping

    mail_sink.messages.clear()
    booking = make_booking(start=local(days=6, hour=10), name="Bob Mensah", email="bob.mensah@example.com")
    mail_sink.wait_for(2)  # the request's own emails (client and studio)
    mail_sink.messages.clear()
    Booking.objects.filter(pk=booking.pk).update(lapses_at=timezone.now() - timedelta(minutes=1))

    lapse_overdue_requests.delay()
    lapse_overdue_requests.delay()
    ping.delay().get(timeout=60)  # the same queue, after both: once it answers, both runs are done

    booking.refresh_from_db()
    assert booking.status == Booking.Status.LAPSED
    assert OutgoingEmail.objects.filter(kind="booking_lapsed").count() == 1
    (message,) = mail_sink.wait_for(1)
    assert message["To"] == "bob.mensah@example.com"
    assert "lapsed" in message["Subject"]
    assert {part.get_content_type() for part in message.walk()} >= {"text/plain", "text/html"}
