"""A deposit reserves a time: paid right after the request, it holds the time until the photographer
answers; unpaid, the time is released after the hold. Declined, the deposit comes back in full;
cancelled by the client, in full inside the refund window and not at all after it."""

import html
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone
from payments import PaymentStatus

from bookings import deposits, links, services
from bookings.models import Booking, DepositStatus, Payment, Refund
from tests.factories import booking_data, local, make_deposit_studio

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_as_in_production")]

PAID = {"status": "confirmed", "fraud_status": "accept", "gateway_response": "3ds-disabled"}
REJECTED = {"status": "rejected", "fraud_status": "accept", "gateway_response": "3ds-disabled"}


@pytest.fixture(autouse=True)
def studio():
    return make_deposit_studio()


@pytest.fixture
def photographer(client):
    user = get_user_model().objects.create_superuser("sam", "sam.okafor@example.com", "pw-for-tests-only")
    client.force_login(user)
    return user


def request_a_session(client, studio, start=None, **fields):
    """Send the booking form as Priya would; the booking and the page she is sent to."""
    response = client.post("/book/", booking_data(studio, start or local(days=6, hour=11), **fields))
    booking = Booking.objects.latest("created_at")
    return booking, response


def pay(client, booking, answer=PAID):
    """Open the deposit page, answer the (dummy) provider's form and come back from the provider."""
    token = links.manage_token(booking)
    client.get(f"/bookings/{token}/deposit/")
    sent = client.post(f"/bookings/{token}/deposit/", answer)
    assert sent.status_code == 302, sent.content.decode()[:500]
    return client.get(urlsplit(sent["Location"]).path, follow=True)


def subjects() -> list[str]:
    return [m.subject for m in mail.outbox]


def test_a_request_with_a_deposit_goes_to_a_page_saying_what_is_paid_and_the_refund_rule(client, studio):
    booking, response = request_a_session(client, studio, name="Priya Raman", email="priya.raman@example.com")

    token = links.manage_token(booking)
    assert response.status_code == 302 and response["Location"].startswith(f"/bookings/{booking.reference}:")
    assert response["Location"].endswith("/deposit/")
    assert booking.status == Booking.Status.REQUESTED
    assert booking.deposit_status == DepositStatus.PENDING and booking.deposit == Decimal("60.00")
    hold = booking.lapses_at - booking.created_at
    assert timedelta(minutes=29) < hold <= timedelta(minutes=30)
    page = client.get(f"/bookings/{token}/deposit/").content.decode()
    assert "Pay £60.00" in page
    assert "up to 72 hours before your session, you get the whole deposit back" in page
    assert "America/Toronto" in page
    assert 'name="status"' in page  # the dummy provider's form, on our page
    assert "To reserve the time, please pay the deposit of £60.00" in mail.outbox[0].body


def test_paying_holds_the_time_until_the_photographer_confirms(client, studio):
    booking, _ = request_a_session(client, studio, name="Priya Raman", email="priya.raman@example.com")
    mail.outbox.clear()

    back = pay(client, booking)

    booking.refresh_from_db()
    assert booking.deposit_status == DepositStatus.PAID
    assert booking.lapses_at is None  # held until answered
    assert booking.status == Booking.Status.REQUESTED
    payment = booking.payments.get()
    assert payment.status == PaymentStatus.CONFIRMED and payment.paid_at and payment.total == Decimal("60.00")
    assert payment.currency == "GBP" and payment.variant == "dummy"
    assert back.redirect_chain[-1][0].startswith(f"/bookings/{booking.reference}:")  # her manage page
    assert "your payment of £60.00 is received" in back.content.decode()
    (receipt,) = mail.outbox
    assert receipt.to == ["priya.raman@example.com"] and receipt.subject.startswith("Receipt: £60.00")
    assert booking.reference in receipt.body and receipt.alternatives[0][1] == "text/html"
    # Nothing lapses it now, however late the sweep runs.
    assert services.lapse_overdue_requests(now=timezone.now() + timedelta(days=2)) == 0

    services.confirm_booking(booking)

    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED and booking.deposit_status == DepositStatus.PAID


def test_an_abandoned_payment_releases_the_time_after_the_hold_and_tells_the_client(client, studio):
    start = local(days=6, hour=11)
    booking, _ = request_a_session(client, studio, start, name="Priya Raman", email="priya.raman@example.com")
    client.get(f"/bookings/{links.manage_token(booking)}/deposit/")  # opened, never paid
    mail.outbox.clear()

    assert services.lapse_overdue_requests(now=timezone.now() + timedelta(minutes=20)) == 0
    assert services.lapse_overdue_requests(now=timezone.now() + timedelta(minutes=31)) == 1

    booking.refresh_from_db()
    assert booking.status == Booking.Status.LAPSED and booking.deposit_status == DepositStatus.UNPAID
    assert booking.payments.get().status == PaymentStatus.CANCELLED
    (message,) = mail.outbox
    assert message.subject == f"The time you asked for has been released ({booking.reference})"
    assert "We kept this time for you for the deposit of £60.00, but no payment arrived in time" in message.body
    assert "time is free again" in message.alternatives[0][0]
    # The time is free for someone else.
    other, response = request_a_session(client, studio, start, name="Tom Hale", email="tom.hale@example.com")
    assert other.pk != booking.pk and response.status_code == 302


def test_a_pending_deposit_holds_the_time_against_another_request(client, studio):
    start = local(days=6, hour=11)
    request_a_session(client, studio, start, name="Priya Raman", email="priya.raman@example.com")

    taken = client.post("/book/", booking_data(studio, start, name="Tom Hale", email="tom.hale@example.com"))

    assert taken.status_code == 409
    assert Booking.objects.count() == 1


def test_a_failed_payment_leaves_the_deposit_to_pay_and_a_new_try_works(client, studio):
    booking, _ = request_a_session(client, studio, name="Priya Raman", email="priya.raman@example.com")

    failed = pay(client, booking, REJECTED)

    page = html.unescape(failed.content.decode())
    assert "The payment didn't go through and nothing was charged" in page
    assert "Pay the deposit" in page
    booking.refresh_from_db()
    assert booking.deposit_status == DepositStatus.PENDING

    pay(client, booking)

    booking.refresh_from_db()
    assert booking.deposit_status == DepositStatus.PAID
    assert sorted(booking.payments.values_list("status", flat=True)) == ["confirmed", "rejected"]


def test_cancelling_inside_the_refund_window_refunds_the_deposit_in_full(client, studio):
    booking, _ = request_a_session(client, studio, local(days=6, hour=11))
    pay(client, booking)
    services.confirm_booking(booking)
    mail.outbox.clear()
    token = links.manage_token(booking)

    page = client.get(f"/bookings/{token}/cancel/").content.decode()
    assert "If you cancel now, your deposit of £60.00 is refunded in full" in page
    client.post(f"/bookings/{token}/cancel/", {"reason": "My flight moved."})

    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED and booking.deposit_status == DepositStatus.REFUNDED
    refund = Refund.objects.get()
    assert (refund.status, refund.amount) == (Refund.Status.REFUNDED, Decimal("60.00"))
    assert refund.reason == "cancelled by the client in time"
    assert refund.payment.status == PaymentStatus.REFUNDED and refund.payment.captured_amount == 0
    assert f"Your deposit is being refunded ({booking.reference})" in subjects()


def test_cancelling_after_the_refund_window_keeps_the_deposit_records_why_and_says_so(client, studio):
    # Two days ahead: inside the 72 hours of no refund, outside the 24 hours of no online changes.
    booking, _ = request_a_session(client, studio, local(days=2, hour=11))
    pay(client, booking)
    services.confirm_booking(booking)
    mail.outbox.clear()
    token = links.manage_token(booking)

    page = client.get(f"/bookings/{token}/cancel/").content.decode()
    assert "If you cancel now, your deposit of £60.00 is not refunded" in page
    client.post(f"/bookings/{token}/cancel/", {"reason": ""})

    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED and booking.deposit_status == DepositStatus.KEPT
    refund = Refund.objects.get()
    assert (refund.status, refund.amount) == (Refund.Status.REFUSED, Decimal(0))
    assert refund.reason == "cancelled less than 72 hours before the session"
    assert refund.payment.status == PaymentStatus.CONFIRMED
    (kept,) = [m for m in mail.outbox if m.subject.startswith("About your deposit")]
    assert "the deposit of £60.00 is not refunded" in kept.body


def test_declining_a_paid_request_refunds_the_deposit_in_full(client, studio):
    booking, _ = request_a_session(client, studio)
    pay(client, booking)
    mail.outbox.clear()

    services.decline_booking(booking, reason="I'm away that week, sorry.")

    booking.refresh_from_db()
    assert booking.status == Booking.Status.DECLINED and booking.deposit_status == DepositStatus.REFUNDED
    refund = Refund.objects.get()
    assert (refund.status, refund.amount) == (Refund.Status.REFUNDED, Decimal("60.00"))
    # The refund is asked of the provider once the decline is saved: its email follows the decline's.
    assert "We've refunded your deposit of £60.00" in mail.outbox[-1].body
    assert any("declined" in s.lower() or "couldn't" in s.lower() or booking.reference in s for s in subjects())


def test_a_request_cannot_be_confirmed_while_its_deposit_is_unpaid(client, studio):
    booking, _ = request_a_session(client, studio)

    with pytest.raises(services.BookingError, match="deposit isn't paid yet"):
        services.confirm_booking(booking)


def test_the_photographer_marks_a_deposit_paid_by_hand_in_the_admin(client, studio, photographer):
    booking, _ = request_a_session(client, studio, name="Priya Raman", email="priya.raman@example.com")
    mail.outbox.clear()

    client.post("/admin/bookings/booking/", {"action": "mark_deposit_paid_selected", "_selected_action": [booking.pk]})

    booking.refresh_from_db()
    assert booking.deposit_status == DepositStatus.PAID and booking.lapses_at is None
    payment = booking.payments.get(variant=Payment.MANUAL)
    assert payment.status == PaymentStatus.CONFIRMED and payment.total == Decimal("60.00")
    assert mail.outbox[0].subject.startswith("Receipt: £60.00")
    assert "recorded as paid by hand" in client.get(f"/admin/bookings/booking/{booking.pk}/change/").content.decode()
    # Declined later, a deposit paid by hand is to be paid back by hand.
    services.decline_booking(booking, reason="Fully booked.")
    assert Refund.objects.get().status == Refund.Status.BY_HAND


def test_the_photographer_waives_a_deposit_in_the_admin(client, studio, photographer):
    booking, _ = request_a_session(client, studio)
    client.get(f"/bookings/{links.manage_token(booking)}/deposit/")  # a payment opened, then not needed

    page = client.post(
        "/admin/bookings/booking/",
        {"action": "waive_deposit_selected", "_selected_action": [booking.pk]},
        follow=True,
    )

    booking.refresh_from_db()
    assert booking.deposit_status == DepositStatus.WAIVED and booking.lapses_at is None
    assert booking.payments.get().status == PaymentStatus.CANCELLED
    assert "1 deposit waived." in page.content.decode()
    services.confirm_booking(booking)


def test_a_deposit_paid_after_the_time_was_released_is_refunded_at_once(client, studio):
    booking, _ = request_a_session(client, studio)
    token = links.manage_token(booking)
    client.get(f"/bookings/{token}/deposit/")
    payment = booking.payments.get()
    services.lapse_overdue_requests(now=timezone.now() + timedelta(hours=1))
    mail.outbox.clear()
    # The provider confirms it late (its webhook, or the client's tab coming back).
    Payment.objects.filter(pk=payment.pk).update(status=PaymentStatus.CONFIRMED)

    assert deposits.settle_payment(payment.pk)
    assert not deposits.settle_payment(payment.pk)  # once

    refund = Refund.objects.get()
    assert (refund.status, refund.amount, refund.reason) == (
        Refund.Status.REFUNDED,
        Decimal("60.00"),
        "paid after the time was released",
    )
    assert len([s for s in subjects() if s.startswith("Your deposit is being refunded")]) == 1


def test_a_session_without_a_deposit_books_as_before(client, studio):
    studio.deposit = Decimal(0)
    studio.save()

    booking, response = request_a_session(client, studio)

    assert response["Location"].startswith(f"/book/requested/{booking.reference}:")
    assert booking.deposit_status == DepositStatus.NONE
    assert client.get(f"/bookings/{links.manage_token(booking)}/deposit/").status_code == 302


def test_the_deposit_page_is_404_for_a_forged_link(client, studio):
    request_a_session(client, studio)

    assert client.get("/bookings/NOT-A-REAL-LINK:abc:def/deposit/").status_code == 404


@pytest.mark.parametrize(("hours_before", "refunded"), [(73, True), (72, True), (71.9, False), (1, False)], ids=str)
def test_the_refund_window_ends_exactly_n_hours_before_the_session(hours_before, refunded):
    start = timezone.now() + timedelta(days=10)

    now = start - timedelta(hours=hours_before)

    assert deposits.refund_due(start, now=now, refund_until_hours=72) is refunded


def test_without_a_payment_provider_no_deposit_is_asked_online(client, studio, settings):
    settings.PAYMENT_VARIANT, settings.PAYMENT_VARIANTS = "", {}  # production without Stripe

    booking, response = request_a_session(client, studio)

    assert response["Location"].startswith(f"/book/requested/{booking.reference}:")
    assert booking.deposit_status == DepositStatus.NONE and not Payment.objects.exists()
