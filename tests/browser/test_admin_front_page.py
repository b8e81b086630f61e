"""The photographer opens the admin to the studio's day and answers a request from there, on a
laptop and on a phone (where no page may be wider than the screen: see the `phone` fixture)."""

import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client as DjangoClient

from bookings import services
from bookings.models import Booking
from tests.browser.conftest import axe_violations, save_screenshot
from tests.browser.realistic import LONG_EMAIL, LONG_NAME
from tests.factories import local, make_booking, make_session_type, open_every_day

pytestmark = pytest.mark.browser


@pytest.fixture
def day(site) -> dict:
    """A studio day: a session today, one tomorrow, and requests from clients with long names."""
    open_every_day()
    headshot = make_session_type(kind="headshot", name="Business headshot", slug="headshot")
    portrait = make_session_type(kind="portrait", name="Personal branding portrait", slug="portrait")
    services.confirm_booking(
        make_booking(headshot, local(days=0, hour=23), name="Bob Mensah", email="bob@mensah.example")
    )
    services.confirm_booking(
        make_booking(portrait, local(days=1, hour=9), name="Chloé Dubois", email="chloe@dubois.example")
    )
    return {
        "long": make_booking(portrait, local(days=5, hour=14), name=LONG_NAME, email=LONG_EMAIL),
        "priya": make_booking(headshot, local(days=6, hour=10), name="Priya Raman", email="priya.raman@example.org"),
    }


def sign_in_as_the_photographer(page, site: str) -> None:
    user = get_user_model().objects.create_superuser("sam", "sam.carter@northlight.example", None)
    django = DjangoClient()
    django.force_login(user)
    cookie = django.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": site}])


def test_the_photographer_confirms_a_request_from_the_front_page_on_a_laptop(page, site, day):
    sign_in_as_the_photographer(page, site)
    page.goto("/admin/")

    waiting = page.locator("#waiting")
    assert "Requests waiting for your answer (2)" in waiting.inner_text()
    today = page.locator("#today").inner_text()
    assert "Bob Mensah" in today and "Business headshot" in today
    assert "Chloé Dubois" in page.locator("#coming").inner_text()
    assert page.locator(".for-developers").is_visible()
    assert axe_violations(page) == []
    save_screenshot(page, "admin-front-page-1280.png")
    mail.outbox.clear()

    waiting.get_by_role("button", name=re.compile(f"^Confirm {LONG_NAME}")).click()

    assert f"{day['long'].reference} is confirmed" in page.locator(".messagelist").inner_text()
    assert "Requests waiting for your answer (1)" in page.locator("#waiting").inner_text()
    assert LONG_NAME in page.locator("#coming").inner_text() or day["long"].start > local(days=7, hour=0)
    day["long"].refresh_from_db()
    assert day["long"].status == Booking.Status.CONFIRMED
    assert [m.to for m in mail.outbox] == [[LONG_EMAIL]]


def test_the_photographer_confirms_one_request_and_declines_another_on_a_phone(phone, site, day):
    sign_in_as_the_photographer(phone, site)
    phone.goto("/admin/")

    confirm = phone.get_by_role("button", name=re.compile("^Confirm Priya Raman"))
    box = confirm.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    assert box["height"] >= 32  # a thumb can hit it
    assert axe_violations(phone) == []
    save_screenshot(phone, "admin-front-page-375.png")

    confirm.click()
    assert f"{day['priya'].reference} is confirmed" in phone.locator(".messagelist").inner_text()

    phone.get_by_role("link", name=re.compile(f"^Decline… {LONG_NAME}")).click()
    assert axe_violations(phone) == []
    phone.get_by_label("Reason (shown to the client)").fill("I'm away that week; could we find a day in the next?")
    phone.get_by_role("button", name=f"Decline and email {LONG_NAME}").click()

    assert phone.url.endswith("/admin/")
    assert f"{day['long'].reference} is declined" in phone.locator(".messagelist").inner_text()
    assert "Nothing waiting." in phone.locator("#waiting").inner_text()
    statuses = dict(Booking.objects.filter(pk__in=[day["priya"].pk, day["long"].pk]).values_list("pk", "status"))
    assert statuses == {day["priya"].pk: Booking.Status.CONFIRMED, day["long"].pk: Booking.Status.DECLINED}
