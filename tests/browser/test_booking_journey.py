"""The whole life of a booking in a real browser: request, confirm in the admin, cancel by link."""

import re
from datetime import datetime

import icalendar
import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from bookings.models import Booking
from tests.browser.conftest import BYPASS_CSP, axe_violations
from tests.factories import local, make_booking, make_session_type, open_every_day

pytestmark = pytest.mark.browser


def test_book_confirm_in_the_admin_then_cancel_through_the_emailed_link(browser, page, site):
    open_every_day()
    make_session_type(kind="headshot", slug="headshot", name="Headshot session", duration_minutes=60)
    get_user_model().objects.create_superuser("sam", "sam@example.com", "a-long-test-password")
    day = local(days=4).date()

    # The client books: the free times of the chosen day appear without a reload.
    page.goto("/book/?type=headshot")
    page.fill("#id_date", day.isoformat())
    with page.expect_response("**/book/times/**"):
        page.dispatch_event("#id_date", "change")
    page.wait_for_function("!document.getElementById('times').hasAttribute('aria-busy')")  # redrawn
    page.locator("#times label", has_text="10:00").click()
    page.fill("#id_name", "Alice Byrne")
    page.fill("#id_email", "alice@example.com")
    page.fill("#id_purpose", "LinkedIn")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Send booking request").click()
    page.wait_for_url("**/book/requested/**")
    booking = Booking.objects.get()
    assert booking.reference in page.locator("main").inner_text()
    assert booking.start == local(days=4, hour=10)

    # The photographer confirms it from the booking's page in the admin.
    admin = browser.new_context(base_url=site, **BYPASS_CSP).new_page()
    admin.goto("/admin/login/")
    admin.fill("#id_username", "sam")
    admin.fill("#id_password", "a-long-test-password")
    admin.get_by_role("button", name="Log in").click()
    assert booking.reference in admin.locator("#content").inner_text()  # waiting on the front page
    assert axe_violations(admin) == []
    admin.goto(f"/admin/bookings/booking/{booking.pk}/change/")
    assert axe_violations(admin) == []
    admin.get_by_role("button", name="Confirm the booking").click()
    assert "is now confirmed" in admin.locator(".messagelist").inner_text()
    assert axe_violations(admin) == []
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED

    # The confirmation email holds the calendar file and the link to manage the booking.
    confirmation = next(m for m in mail.outbox if m.subject.startswith("Confirmed:"))
    assert confirmation.to == ["alice@example.com"]
    filename, ics, mimetype = confirmation.attachments[0]
    event = icalendar.Calendar.from_ical(ics).walk("VEVENT")[0]
    assert event.decoded("DTSTART") == booking.start
    manage_link = re.search(rf"{re.escape(site)}/bookings/[^/\s]+/", confirmation.body).group(0)

    # The client cancels through that link.
    page.goto(manage_link)
    assert "Confirmed" in page.locator(".booking-summary").inner_text()
    assert axe_violations(page) == []
    page.get_by_role("link", name="Move to another time").click()
    assert page.locator("#times input[type=radio]").count() > 0  # the same free times as the form
    assert axe_violations(page) == []
    page.get_by_role("link", name="Keep the current time").click()
    # Cancelling asks first (no script needed), with room for a word to the photographer.
    page.get_by_role("link", name="Cancel the session").click()
    assert "Cancel your session on" in page.locator("h1").inner_text()
    assert axe_violations(page) == []
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    page.get_by_label("Anything you'd like to tell us? (optional)").fill("A board meeting moved to that morning.")
    page.get_by_role("button", name="Yes, cancel the session").click()
    assert "Your session is cancelled" in page.locator("main").inner_text()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert any(m.subject.startswith("Cancelled:") and m.to == ["alice@example.com"] for m in mail.outbox)


def test_a_client_who_loses_a_time_picks_a_nearest_one_without_retyping(page, site):
    open_every_day()
    session = make_session_type(kind="headshot", slug="headshot", name="Headshot session", duration_minutes=60)
    day = local(days=4).date()

    page.goto(f"/book/?type=headshot&date={day.isoformat()}")
    page.locator("#times label", has_text="10:00").click()
    page.fill("#id_name", "Bob Mensah")
    page.fill("#id_email", "bob.mensah@example.com")
    page.fill("#id_phone", "+44 7700 900 456")
    page.fill("#id_message", "My colleague Ama joins for a joint photo.")
    # Meanwhile someone else takes 10:00.
    make_booking(session, local(days=4, hour=10), name="Priya Raman", email="priya.raman@example.org")
    page.get_by_role("button", name="Send booking request").click()

    assert "was just taken by someone else" in page.locator("main").inner_text()
    assert axe_violations(page) == []
    nearest = page.locator("#nearest button").first
    chosen = nearest.get_attribute("value")
    nearest.click()

    assert page.url == f"{site}/book/"  # what was typed travels in the form, never in an address
    assert page.input_value("#id_name") == "Bob Mensah"
    assert page.input_value("#id_email") == "bob.mensah@example.com"
    assert page.input_value("#id_phone") == "+44 7700 900 456"
    assert page.input_value("#id_message") == "My colleague Ama joins for a joint photo."
    assert page.locator(f'#times input[value="{chosen}"]').is_checked()
    page.get_by_role("button", name="Send booking request").click()
    page.wait_for_url("**/book/requested/**")
    mine = Booking.objects.get(client__email="bob.mensah@example.com")
    assert mine.start == datetime.fromisoformat(chosen)


def test_choosing_another_day_quickly_shows_that_days_times_even_if_the_first_answer_comes_last(page, site):
    open_every_day()
    make_session_type(kind="headshot", slug="headshot", name="Headshot session", duration_minutes=60)
    first, second = local(days=4).date(), local(days=5).date()

    def slow_for_the_first_day(route):
        if f"date={first.isoformat()}" in route.request.url:
            page.wait_for_timeout(800)  # the first day's answer arrives after the second's
        route.continue_()

    page.route("**/book/times/**", slow_for_the_first_day)
    page.goto("/book/?type=headshot")
    with page.expect_response(lambda r: f"date={first.isoformat()}" in r.url):
        page.fill("#id_date", first.isoformat())
        page.fill("#id_date", second.isoformat())
    page.wait_for_function("!document.getElementById('times').hasAttribute('aria-busy')")

    values = page.locator("#times input[name=start]").evaluate_all("inputs => inputs.map(i => i.value)")
    assert values, "no times shown"
    assert all(v.startswith(second.isoformat()) for v in values), values
