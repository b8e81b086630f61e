"""A team day in a real browser: an employee picks their time on a phone from the emailed link; the
coordinator, on a laptop, sees it on their page and sends a colleague their invitation again.
(The phone fixture fails the test if any page it shows is wider than 375 px; every page is checked
with axe.)"""

import re
from datetime import time

import pytest
from django.core import mail

from bookings import team_days
from bookings.models import Availability
from tests.browser.conftest import axe_violations
from tests.factories import make_team_day

pytestmark = pytest.mark.browser


def test_an_employee_picks_a_time_on_a_phone_and_the_coordinator_sees_it_and_resends_an_invitation(studio, phone, page):
    availability = Availability.load()
    availability.time_zone = "Europe/Berlin"
    availability.save()
    day = make_team_day(
        days=9,
        company="Halden & Roe Architects",
        start=time(9),
        end=time(11),
        breaks=[(time(10), time(10, 15))],
        address="Halden & Roe Architects, Torstraße 140, 10119 Berlin",
    )
    mail.outbox.clear()
    team_days.invite_people(
        day,
        [
            team_days.Person("Priya Raman-Whitfield", "priya.raman-whitfield@haldenroe.example"),
            team_days.Person("Tomás Ó Briain", "tomas.obriain@haldenroe.example"),
        ],
    )
    invitation = next(m for m in mail.outbox if m.to == ["priya.raman-whitfield@haldenroe.example"])
    link = re.search(r"http://\S+/team/[\w-]+/", invitation.body)[0]

    # On her phone, from the email: she picks 09:20.
    phone.goto(link)
    assert "Your headshot, Priya Raman-Whitfield" in phone.locator("h1").inner_text()
    assert "10:00" not in phone.locator("#times").inner_text()  # the break
    phone.locator("#times label", has_text="09:20").click()
    phone.get_by_role("button", name="Book this time").click()
    phone.wait_for_selector("#my-time")
    assert "09:20 to 09:30" in phone.locator("#my-time").inner_text()
    assert "your time is booked" in phone.locator("main").inner_text()
    assert axe_violations(phone) == []
    confirmation = next(m for m in mail.outbox if m.subject.startswith("Your headshot"))
    assert confirmation.to == ["priya.raman-whitfield@haldenroe.example"]

    # The coordinator, on a laptop: Priya at 09:20; Tomás still to choose, sent his link again.
    page.goto(f"/team/day/{day.coordinator_token}/")
    picked = page.locator("#picked").inner_text()
    assert re.search(r"09:20\s+Priya Raman-Whitfield", picked)
    assert "Tomás Ó Briain" in page.locator("#waiting").inner_text()
    assert axe_violations(page) == []
    sent_before = len(mail.outbox)
    page.get_by_role("button", name="Send the invitation again to Tomás Ó Briain").click()
    page.wait_for_selector("text=their link again")
    assert "We've sent Tomás Ó Briain their link again." in page.locator("main").inner_text()
    resent = mail.outbox[sent_before:]
    assert [m.to for m in resent] == [["tomas.obriain@haldenroe.example"]]
    assert "/team/" in resent[0].body


def test_on_the_day_the_photographer_ticks_people_off_and_adds_a_walk_in_on_a_phone(studio, phone, site):
    from tests.browser.test_admin_front_page import sign_in_as_the_photographer

    day = make_team_day(days=1, start=time(9), end=time(10), walk_in_slots=1)
    priya, _ = team_days.invite_people(
        day,
        [
            team_days.Person("Priya Raman-Whitfield", "priya.raman-whitfield@haldenroe.example"),
            team_days.Person("Tomás Ó Briain", "tomas.obriain@haldenroe.example"),
        ],
    ).added
    team_days.pick_time(priya, team_days.slots(day)[1].start)
    sign_in_as_the_photographer(phone, site)

    phone.goto(f"/admin/bookings/teamday/{day.pk}/running-order/")
    tick = phone.get_by_role("button", name="Tick Priya Raman-Whitfield as photographed")
    assert tick.bounding_box()["height"] >= 44  # a thumb's target
    tick.click()
    phone.wait_for_selector("text=✓ Done")
    phone.get_by_label("Name").fill("Jonas Berg")
    phone.get_by_label("Email (their photos are sent there)").fill("jonas.berg@haldenroe.example")
    phone.get_by_label("Free time").select_option(label="09:50")
    phone.get_by_role("button", name="Add them").click()
    phone.wait_for_selector("text=Jonas Berg is in at 09:50.")
    rows = phone.locator(".running-order-table tbody").inner_text()
    assert re.search(r"09:10\s+Priya Raman-Whitfield", rows) and re.search(r"09:50\s+Jonas Berg", rows)
    assert axe_violations(phone) == []
    priya.refresh_from_db()
    assert priya.checked_in_at is not None


def test_the_team_days_admin_pages_fit_a_phone_with_no_axe_findings(studio, phone, site):
    from tests.browser.test_admin_front_page import sign_in_as_the_photographer

    day = make_team_day(breaks=[(time(10, 30), time(10, 45))])
    (priya,) = team_days.invite_people(
        day, [team_days.Person("Priya Raman-Whitfield", "priya.raman-whitfield@haldenroe.example")]
    ).added
    team_days.pick_time(priya, team_days.slots(day)[0].start)
    sign_in_as_the_photographer(phone, site)

    findings = {}
    for url in ["/admin/bookings/teamday/", f"/admin/bookings/teamday/{day.pk}/change/", "/admin/bookings/teamday/add/",
                f"/admin/bookings/teamday/{day.pk}/invite/"]:  # fmt: skip
        assert phone.goto(url).ok, url
        if found := axe_violations(phone):
            findings[url] = found
    assert findings == {}
