"""One wall time everywhere: the studio's own time zone drives every page, email and admin field.

The studio is in New York while the server's TIME_ZONE stays Europe/London, and the session falls
in the days between the US's and the UK's clock changes, when the two are four hours apart
instead of five: a page or email that uses the wrong zone, or a fixed offset, shows another time.
The client books 10:30; every place that shows that session must say 10:30.
"""

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from celery import shared_task
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from bookings import links
from bookings.models import Availability, Booking
from photostudio.models import OutgoingEmail
from tests.admin_pages import form_data
from tests.factories import make_booking, make_session_type, open_every_day

pytestmark = pytest.mark.django_db

STUDIO = ZoneInfo("America/New_York")
SERVER = ZoneInfo("Europe/London")
WALL = time(10, 30)


def next_day_between_clock_changes(after: date) -> date:
    """The first weekday after `after` on which New York and London are not their usual five hours
    apart (one has changed its clocks for the season, the other not yet)."""
    day = after
    while True:
        day += timedelta(days=1)
        noon = datetime.combine(day, time(12), UTC)
        gap = noon.astimezone(SERVER).utcoffset() - noon.astimezone(STUDIO).utcoffset()
        if gap != timedelta(hours=5) and day.weekday() < 5:
            return day


@pytest.fixture
def studio_in_new_york(settings):
    settings.TIME_ZONE = "Europe/London"
    today = datetime.now(STUDIO).date()
    day = next_day_between_clock_changes(today + timedelta(days=2))
    open_every_day(time_zone="America/New_York", horizon_days=(day - today).days + 14, min_notice_hours=24)
    session = make_session_type(kind="headshot", name="Business headshot", slug="headshot", duration_minutes=45)
    return session, day


@pytest.fixture
def photographer(client):
    return get_user_model().objects.create_superuser("sam", "sam@northlight.example", "a-test-only-password")


def test_the_booked_wall_time_is_the_same_on_every_page_email_and_admin_field(
    client, studio_in_new_york, photographer, django_capture_on_commit_callbacks
):
    session, day = studio_in_new_york
    wanted = datetime.combine(day, WALL, STUDIO)
    london = f"{wanted.astimezone(SERVER):%H:%M}"  # what a page in the server's zone would say
    assert london != "10:30" and london != "15:30"  # the days when the zones are 4 hours apart
    mail.outbox.clear()
    wrong: list[str] = []  # every place that shows another time, reported together

    def shows(place: str, text: str) -> None:
        if "10:30" not in text or london in text:
            wrong.append(f"{place} does not say 10:30" + (f" (it says {london})" if london in text else ""))

    # The booking page offers 10:30 on that day.
    page = client.get(f"/book/?type=headshot&date={day.isoformat()}").content.decode()
    offered = re.search(rf'value="{re.escape(wanted.isoformat())}"[^>]*>\s*<label[^>]*>([^<]+)</label>', page)
    shows("the booking page's time for that start", offered.group(1) if offered else "")

    # The client books it.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/book/",
            {
                "session_type": "headshot",
                "date": day.isoformat(),
                "start": wanted.isoformat(),
                "name": "Bob Mensah",
                "email": "bob.mensah@example.com",
                "phone": "+1 212 555 0142",
                "company": "Mensah & Cole",
                "location": "studio",
                "address": "",
                "purpose": "LinkedIn and our team page",
                "people": "1",
                "message": "",
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    booking = Booking.objects.get()
    assert booking.start == wanted  # the instant held is the one chosen

    # The thank-you page and the manage page.
    thanks = client.get(response["Location"]).content.decode()
    shows("the thank-you page", thanks)
    manage = client.get(reverse("manage_booking", args=[links.manage_token(booking)])).content.decode()
    shows("the manage page", manage)

    # The photographer: the front page (the studio's day), the list, the month, the change form.
    client.force_login(photographer)
    front = client.get("/admin/").content.decode()
    shows("the admin front page", _row_with(front, booking.reference))
    listing = client.get("/admin/bookings/booking/").content.decode()
    shows("the admin booking list", _row_with(listing, booking.reference))
    month = client.get(f"/admin/bookings/booking/calendar/?month={day:%Y-%m}").content.decode()
    entry = re.search(r">\s*(\d\d:\d\d) Bob Mensah\s*<", month)
    shows("the admin month view", entry.group(1) if entry else "")
    change_url = f"/admin/bookings/booking/{booking.pk}/change/"
    form = form_data(client.get(change_url).content.decode())
    assert form["start_0"] == day.strftime("%d/%m/%Y")
    shows("the admin change form's Start field", form["start_1"][:5])

    # Saving the form unchanged leaves the session where it is; confirming sends the calendar file.
    with django_capture_on_commit_callbacks(execute=True):
        saved = client.post(change_url, form | {"_save": "Save"})
        assert saved.status_code == 302, saved.content.decode()[:2000]
        booking.refresh_from_db()
        assert booking.start == wanted
        client.post(change_url, form_data(client.get(change_url).content.decode()) | {"_confirm": "Confirm"})
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED and booking.start == wanted

    # Every email, in every part: the request's copies, the studio's notice, the confirmation.
    kinds = set(OutgoingEmail.objects.values_list("kind", flat=True))
    assert {"booking_requested", "booking_new_request", "booking_confirmed"} <= kinds
    assert len(mail.outbox) == OutgoingEmail.objects.count()
    for message in mail.outbox:
        html = next(content for content, kind in message.alternatives if kind == "text/html")
        for part, text in (("subject", message.subject), ("text", message.body), ("HTML", html)):
            if part == "subject" and not re.search(r"\d\d:\d\d", text):
                continue  # a subject without a time
            shows(f"the {part} of the email {message.subject!r}", text)
    confirmation = next(m for m in mail.outbox if m.subject.startswith("Confirmed"))
    shows("the confirmation's subject", confirmation.subject)

    # The calendar file names the same moment, on the studio's clock.
    ics = next(content for name, content, kind in confirmation.attachments if name.endswith(".ics"))
    event = next(c for c in Calendar.from_ical(ics).walk("VEVENT"))
    start = event.decoded("DTSTART")
    assert start == wanted
    shows("the .ics DTSTART", f"{start.astimezone(STUDIO):%H:%M}")
    assert event["DTSTART"].params.get("TZID", "America/New_York") == "America/New_York"

    assert not wrong, "\n".join(wrong)


def test_changing_the_studio_zone_takes_effect_on_the_next_page(client, studio_in_new_york, photographer):
    """The zone is cached for speed; saving Availability must not leave pages on the old one."""
    session, day = studio_in_new_york
    client.force_login(photographer)
    wanted = datetime.combine(day, WALL, STUDIO)
    booking = make_booking(session, wanted, name="Bob Mensah", email="bob.mensah@example.com")
    change_url = f"/admin/bookings/booking/{booking.pk}/change/"
    assert form_data(client.get(change_url).content.decode())["start_1"].startswith("10:30")

    availability = Availability.load()
    availability.time_zone = "Europe/Paris"
    availability.save()

    paris = f"{wanted.astimezone(ZoneInfo('Europe/Paris')):%H:%M}"
    assert form_data(client.get(change_url).content.decode())["start_1"].startswith(paris)


def _row_with(html: str, text: str) -> str:
    """The table row (or list item) of a page that holds `text`."""
    at = html.index(text)
    start = max(html.rfind("<tr", 0, at), html.rfind("<li", 0, at))
    ends = [e for e in (html.find("</tr>", at), html.find("</li>", at)) if e != -1]
    return html[start : min(ends)]


@shared_task
def _zone_of_a_background_job() -> str:
    return timezone.get_current_timezone_name()


def test_a_background_job_reads_times_on_the_studios_clock(studio_in_new_york):
    assert _zone_of_a_background_job.apply().get() == "America/New_York"
    assert timezone.get_current_timezone_name() == "Europe/London"  # and leaves the caller's zone alone
