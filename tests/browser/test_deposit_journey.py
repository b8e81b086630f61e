"""On a 375 px phone, a client books a headshot that asks a deposit: they answer the session's
questions, accept the terms, send the request and pay the deposit (the dummy provider, which lets
the payer choose the outcome); the time is then held for the photographer's answer, and the
photographer, on their own phone, reads the answers and the terms accepted on the booking's page."""

from decimal import Decimal

import pytest

from bookings.models import Booking, DepositStatus, SessionType
from photostudio import demo
from tests.browser.conftest import assert_fits_the_phone, axe_violations
from tests.browser.test_admin_front_page import sign_in_as_the_photographer

pytestmark = pytest.mark.browser


@pytest.fixture
def deposit_studio(studio):
    demo.seed_intake_and_terms()
    SessionType.objects.filter(slug="headshot").update(deposit=Decimal("40.00"), refund_until_hours=48)


def test_a_client_on_a_phone_answers_accepts_the_terms_and_pays_the_deposit(phone, new_phone, site, deposit_studio):
    phone.goto("/book/?type=headshot")
    phone.locator("#times label").first.click()
    phone.fill("#id_name", "Kwame Asante-Whitfield")
    phone.fill("#id_email", "kwame.asante@asante-law.example")
    phone.get_by_label("Is there a date you need the photos by?").fill("Before the partners' dinner on 12 March")
    phone.get_by_role("group", name="Which backdrop would you like?").get_by_label("Charcoal").check()
    phone.get_by_role("group", name="Do you wear glasses?").get_by_label("Yes").check()
    phone.get_by_label("I have read and accept the terms").check()
    phone.get_by_role("button", name="Send booking request").click()

    # Straight on to the deposit: what is paid, how long the time is held, the refund rule.
    phone.wait_for_url("**/deposit/")
    text = phone.locator("main").inner_text()
    assert "Pay £40.00" in text
    assert "We're holding the time for you until" in text
    assert "48 hours" in text
    assert_fits_the_phone(phone)
    assert axe_violations(phone) == []
    booking = Booking.objects.get()
    assert booking.deposit_status == DepositStatus.PENDING and booking.lapses_at is not None

    phone.locator("#id_status").select_option("confirmed")
    phone.get_by_role("button", name="Pay £40.00").click()
    phone.wait_for_url("**/bookings/*/")
    assert "Deposit: £40.00, paid" in phone.locator("main").inner_text()
    assert_fits_the_phone(phone)

    booking.refresh_from_db()
    assert booking.deposit_status == DepositStatus.PAID
    assert booking.lapses_at is None  # held until the photographer answers
    assert booking.status == Booking.Status.REQUESTED

    # The photographer reads the answers and the terms accepted on the booking's page.
    admin = new_phone()  # the photographer's own phone
    sign_in_as_the_photographer(admin, site)
    admin.goto(f"/admin/bookings/booking/{booking.pk}/change/")
    page_text = admin.locator("#content").inner_text()
    assert "Before the partners' dinner on 12 March" in page_text
    assert "Charcoal" in page_text
    assert "Booking terms" in page_text and "version 1" in page_text
    assert "40.00" in page_text
    assert_fits_the_phone(admin)
