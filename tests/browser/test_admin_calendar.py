"""The photographer finds a session in the admin's calendar, by month and by week, on a laptop and
on a phone (no page wider than the screen: see the `phone` fixture)."""

import pytest

from bookings import services
from tests.browser.conftest import axe_violations
from tests.browser.realistic import LONG_EMAIL, LONG_NAME
from tests.browser.test_admin_front_page import sign_in_as_the_photographer
from tests.factories import local, make_booking, make_session_type, open_every_day

pytestmark = pytest.mark.browser


@pytest.fixture
def sessions(site) -> dict:
    open_every_day()
    portrait = make_session_type(kind="portrait", name="Personal branding portrait", slug="portrait")
    headshot = make_session_type(kind="headshot", name="Business headshot", slug="headshot")
    confirmed = services.confirm_booking(
        make_booking(portrait, local(days=0, hour=10), name=LONG_NAME, email=LONG_EMAIL)
    )
    waiting = make_booking(headshot, local(days=0, hour=14), name="Bob Mensah", email="bob@mensah.example")
    declined = make_booking(headshot, local(days=0, hour=16), name="Aisha Bello", email="aisha@bello.example")
    services.decline_booking(declined, reason="Away that afternoon.")
    return {"confirmed": confirmed, "waiting": waiting, "declined": declined}


@pytest.mark.parametrize("size", ["laptop", "phone"])
def test_the_photographer_finds_todays_sessions_by_month_and_by_week(request, site, sessions, size):
    page = request.getfixturevalue("page" if size == "laptop" else "phone")
    sign_in_as_the_photographer(page, site)

    page.goto("/admin/bookings/booking/calendar/")
    month = page.locator(".studio-calendar")
    assert LONG_NAME in month.inner_text() and "Bob Mensah" in month.inner_text()
    assert "Aisha Bello" not in month.inner_text()
    assert page.locator(".status-requested", has_text="Bob Mensah").is_visible()
    assert axe_violations(page) == []

    page.get_by_role("link", name="Show it").click()
    assert page.locator(".status-declined", has_text="Aisha Bello").is_visible()

    page.get_by_role("link", name="Week").click()
    today = page.locator(".week-day", has_text=LONG_NAME)
    text = today.inner_text()
    assert "Personal branding portrait" in text and "Business headshot" in text and "Aisha Bello" in text
    assert axe_violations(page) == []

    today.get_by_role("link", name=f"10:00 {LONG_NAME}", exact=False).click()
    assert page.url.endswith(f"/admin/bookings/booking/{sessions['confirmed'].pk}/change/")
