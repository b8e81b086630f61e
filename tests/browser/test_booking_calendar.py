"""Booking through the calendar in a real browser: a month of free days, the day's times beside it
on a laptop and under it on a phone, months and days swapped in without a reload (nothing typed is
lost), and the same journey with JavaScript off."""

from datetime import date, datetime, timedelta

import pytest

from bookings.models import Availability, Booking, TimeOff
from tests.browser.conftest import BYPASS_CSP, axe_violations, save_screenshot
from tests.factories import local, make_session_type, open_every_day

pytestmark = pytest.mark.browser


@pytest.fixture
def headshot(site):
    open_every_day(horizon_days=75, min_notice_hours=0)
    return make_session_type(kind="headshot", slug="headshot", name="Headshot session", duration_minutes=60)


def next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def box(page, selector: str) -> dict:
    return page.locator(selector).bounding_box()


@pytest.mark.parametrize("width", [1280, 375])
def test_a_client_books_through_the_calendar(page, new_phone, headshot, width):
    web = page if width == 1280 else new_phone()
    off = local(days=2).date()
    TimeOff.objects.create(first_day=off, last_day=off, note="Teaching a workshop")
    # Today closed and no notice asked (the fixture): tomorrow is the first free day whatever the hour
    # of the run (with a day's notice, tomorrow had no time left after four in the afternoon).
    today = local(days=0).date()
    TimeOff.objects.create(first_day=today, last_day=today, note="Editing day")
    first_free = local(days=1).date()

    web.goto("/book/?type=headshot")

    # The first free day is chosen on arrival, its times shown; time off is plainly not a link.
    assert web.locator("#calendar-month").get_attribute("data-selected") == first_free.isoformat()
    assert web.locator(f'a[data-day="{first_free}"]').get_attribute("aria-current") == "true"
    assert web.locator(f'a[data-day="{off}"]').count() == 0
    assert web.locator("#times input[name=start]").count() > 0
    month, times = box(web, "#calendar-month"), box(web, "#day-times")
    if width == 1280:  # beside the month
        assert times["x"] >= month["x"] + month["width"] and times["y"] < month["y"] + month["height"]
    else:  # under it, and the month fits the phone
        assert times["y"] >= month["y"] + month["height"]
        assert month["width"] <= 375
    assert axe_violations(web) == []
    save_screenshot(web, f"booking-calendar-{width}.png")

    # Details typed first survive moving to the next month and choosing a day there.
    web.fill("#id_name", "Maximiliana Oyelaran-Fitzgerald")
    later = next_month(first_free)
    web.locator("a[rel=next]").click()
    web.locator("#calendar-title", has_text=f"{later:%B %Y}").wait_for()
    assert web.url.endswith("/book/?type=headshot")  # no reload
    assert web.locator("a[rel=prev]").is_visible()
    chosen = later + timedelta(days=2)
    web.locator(f'a[data-day="{chosen}"]').click()
    web.locator(f'#calendar-month[data-selected="{chosen}"]').wait_for()
    assert web.input_value("#id_date") == chosen.isoformat()
    assert web.locator("#day-title").inner_text() == f"{chosen:%A %-d %B}"
    assert web.locator("#calendar-status").text_content() == f"Free times: {chosen:%A %-d %B}"  # read out
    web.locator("#times label", has_text="10:00").click()
    assert axe_violations(web) == []

    # The address only when the session is on location.
    assert web.locator("#id_address").is_hidden()
    web.get_by_label("On location").check()
    web.fill("#id_address", "Oyelaran-Fitzgerald Partners, 14 Canal Wharf, Leeds LS11 5PS")
    web.get_by_label("In the studio").check()
    assert web.locator("#id_address").is_hidden()

    assert web.input_value("#id_name") == "Maximiliana Oyelaran-Fitzgerald"
    web.fill("#id_email", "maximiliana.oyelaran-fitzgerald@oyelaran-partners.co.uk")
    web.get_by_role("button", name="Send booking request").click()
    web.wait_for_url("**/book/requested/**")
    booking = Booking.objects.get()
    tz = Availability.load().tz
    assert booking.start == datetime.combine(chosen, datetime.min.time().replace(hour=10), tz)
    assert booking.location == Booking.Location.STUDIO and booking.address == ""


def test_the_calendar_works_without_javascript(browser, site, headshot):
    context = browser.new_context(java_script_enabled=False, base_url=site, **BYPASS_CSP)
    web = context.new_page()
    first_free = local(days=1).date()
    later = next_month(first_free)

    web.goto("/book/?type=headshot")
    web.locator("a[rel=next]").click()
    web.wait_for_url(f"**/book/?type=headshot&month={later:%Y-%m}")
    assert web.locator("#calendar-title").inner_text() == f"{later:%B %Y}"
    assert web.locator("#calendar-month").get_attribute("data-selected") == later.isoformat()  # its first free day
    chosen = later + timedelta(days=3)
    web.locator(f'a[data-day="{chosen}"]').click()
    web.wait_for_url(f"**/book/?type=headshot&date={chosen}")
    web.locator("#times label", has_text="11:30").click()
    web.fill("#id_name", "Bob Mensah")
    web.fill("#id_email", "bob.mensah@example.com")
    web.get_by_role("button", name="Send booking request").click()
    web.wait_for_url("**/book/requested/**")

    tz = Availability.load().tz
    assert Booking.objects.get().start == datetime.combine(chosen, datetime.min.time().replace(hour=11, minute=30), tz)
    context.close()


def test_choosing_another_session_redraws_its_month_and_where_it_can_happen(page, headshot):
    make_session_type(
        kind="portrait", slug="studio-portrait", name="Studio portrait", location="studio", duration_minutes=90
    )
    make_session_type(
        kind="both", slug="team-day", name="Team day at your office", location="on_location", duration_minutes=120
    )

    # A day a week ahead: the first free day of a 1-hour headshot can be too late today for a 2-hour day.
    page.goto(f"/book/?type=headshot&date={local(days=7).date()}")
    assert page.locator("#location-choice").is_visible()
    assert page.locator("#id_address").is_hidden()  # until "On location" is chosen

    with page.expect_response("**/book/times/calendar/**"):
        page.select_option("#id_session_type", "studio-portrait")
    page.locator("#session-summary", has_text="1 hour 30 minutes").wait_for()
    assert page.locator("#location-choice").is_hidden() and page.locator("#id_address").is_hidden()

    page.select_option("#id_session_type", "team-day")
    page.locator("#session-summary", has_text="2 hours").wait_for()
    assert page.locator("#location-choice").is_hidden()
    assert page.locator("#id_address").is_visible()
    assert axe_violations(page) == []

    page.locator("#times label").first.click()
    page.fill("#id_address", "Mensah Architects, 3rd floor, 88 Queen Street West, Toronto")
    page.fill("#id_name", "Bob Mensah")
    page.fill("#id_email", "bob.mensah@example.com")
    page.fill("#id_people", "9")
    page.get_by_role("button", name="Send booking request").click()
    page.wait_for_url("**/book/requested/**")
    booking = Booking.objects.get()
    assert booking.session_type.slug == "team-day"
    assert booking.location == Booking.Location.ON_LOCATION
    assert booking.address == "Mensah Architects, 3rd floor, 88 Queen Street West, Toronto"


def test_a_client_reads_why_the_times_did_not_load_and_never_an_error_page(page, headshot):
    page.goto("/book/?type=headshot")
    later = page.locator("#calendar-month a[data-day]").nth(1)

    # A proxy in between answers with its own error page: the client gets a sentence, not its HTML.
    page.route(
        "**/book/times/calendar/**",
        lambda route: route.fulfill(
            status=502, content_type="text/html", body="<html><body><h1>502 Bad Gateway</h1>nginx</body></html>"
        ),
    )
    later.click()
    page.locator("#times", has_text="Could not load the free times.").wait_for()
    assert "Bad Gateway" not in page.locator("#times").inner_text()
    page.unroute("**/book/times/calendar/**")

    # The session was withdrawn since the page loaded: the studio's own sentence says what to do.
    headshot.is_active = False
    headshot.save()
    page.locator("#calendar-month a[data-day]").nth(2).click()
    page.locator("#times", has_text="That session is no longer offered.").wait_for()
    assert page.get_by_role("button", name="Show free times").is_visible()
