"""Stripe's webhook: a genuine event (signed with the endpoint's secret, checked offline) is applied
once however often it is delivered; anything else is refused with 400 and changes nothing.
No network: the events are made and signed here, as Stripe signs them."""

import hashlib
import hmac
import json
import time
from decimal import Decimal

import pytest
import stripe
from django.core import mail
from payments import PaymentStatus

from bookings import deposits, links, services
from bookings.models import Booking, DepositStatus, Payment, PaymentEvent, Refund
from tests.factories import local, make_session_type, open_every_day

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_as_in_production")]

SECRET = "whsec_test_northlight_webhook_secret"
URL = "/payments/webhook/stripe/"


@pytest.fixture(autouse=True)
def stripe_configured(settings):
    settings.PAYMENT_VARIANT = "stripe"
    settings.PAYMENT_VARIANTS = {
        "stripe": ("payments.stripe.StripeProviderV3", {"api_key": "sk_test_not_used", "endpoint_secret": SECRET})
    }


@pytest.fixture
def waiting_deposit() -> Payment:
    """Priya's request, its deposit payment started at Stripe (the checkout session made)."""
    open_every_day(time_zone="Australia/Sydney")
    session = make_session_type(kind="portrait", slug="portrait", deposit=Decimal("75.00"))
    booking = services.request_booking(
        services.BookingRequest(
            session_type=session, start=local(days=8, hour=14), name="Priya Raman", email="priya.raman@example.com"
        )
    )
    payment = deposits.deposit_payment(booking)
    payment.transaction_id = "cs_test_a1B2c3D4e5"
    payment.save()
    mail.outbox.clear()
    return payment


def checkout_event(payment: Payment, *, event_id="evt_1QxY2zNorthlight", kind="checkout.session.completed", **session):
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "api_version": "2024-06-20",
            "created": int(time.time()),
            "type": kind,
            "data": {
                "object": {
                    "id": payment.transaction_id,
                    "object": "checkout.session",
                    "client_reference_id": payment.token,
                    "amount_total": 7500,
                    "currency": "gbp",
                    "payment_intent": "pi_3QxY2zNorthlight",
                    "customer_email": "priya.raman@example.com",
                    "status": "complete",
                    "payment_status": "paid",
                }
                | session
            },
        }
    )


def signature(payload: str, secret: str = SECRET, at: int | None = None) -> str:
    """The Stripe-Signature header: HMAC-SHA256 of "{t}.{payload}" with the endpoint's secret."""
    at = at or int(time.time())
    digest = hmac.new(secret.encode(), f"{at}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={at},v1={digest}"


def deliver(client, payload: str, header: str | None):
    headers = {"Stripe-Signature": header} if header is not None else {}
    return client.post(URL, payload, content_type="application/json", headers=headers)


def test_a_completed_checkout_marks_the_deposit_paid_once_however_often_it_arrives(client, waiting_deposit):
    payload = checkout_event(waiting_deposit)

    first = deliver(client, payload, signature(payload))
    again = deliver(client, payload, signature(payload))

    assert first.status_code == again.status_code == 200
    payment = Payment.objects.get(pk=waiting_deposit.pk)
    assert payment.status == PaymentStatus.CONFIRMED and payment.captured_amount == Decimal("75.00")
    assert payment.attrs.session["payment_intent"] == "pi_3QxY2zNorthlight"  # kept for a refund
    booking = payment.booking
    assert booking.deposit_status == DepositStatus.PAID and booking.lapses_at is None
    assert [m.subject for m in mail.outbox] == ["Receipt: £75.00 paid to Northlight Studio"]
    assert list(PaymentEvent.objects.values_list("event_id", "kind")) == [
        ("evt_1QxY2zNorthlight", "checkout.session.completed")
    ]


def test_the_same_payment_confirmed_by_a_second_event_changes_nothing_more(client, waiting_deposit):
    first, second = checkout_event(waiting_deposit), checkout_event(waiting_deposit, event_id="evt_2Other")

    deliver(client, first, signature(first))
    deliver(client, second, signature(second))

    assert len(mail.outbox) == 1  # one receipt
    assert PaymentEvent.objects.count() == 2
    assert Booking.objects.get().deposit_status == DepositStatus.PAID


@pytest.mark.parametrize(
    "header",
    [
        pytest.param(lambda p: signature(p, secret="whsec_someone_elses"), id="signed with another secret"),
        pytest.param(lambda p: signature(p + " "), id="signature of another body"),
        pytest.param(lambda p: signature(p, at=int(time.time()) - 3600), id="an hour old"),
        pytest.param(lambda p: "t=1,v1=0000", id="made up"),
        pytest.param(lambda p: None, id="no signature"),
    ],
)
def test_an_event_without_a_genuine_signature_is_refused_and_changes_nothing(client, waiting_deposit, header):
    payload = checkout_event(waiting_deposit)

    response = deliver(client, payload, header(payload))

    assert response.status_code == 400
    payment = Payment.objects.get(pk=waiting_deposit.pk)
    assert payment.status == PaymentStatus.WAITING and payment.paid_at is None
    assert payment.booking.deposit_status == DepositStatus.PENDING
    assert not PaymentEvent.objects.exists()
    assert mail.outbox == []
    # The genuine event still applies afterwards.
    assert deliver(client, payload, signature(payload)).status_code == 200
    assert Booking.objects.get().deposit_status == DepositStatus.PAID


def test_a_body_that_is_not_an_event_is_refused(client, waiting_deposit):
    payload = "not json at all"

    assert deliver(client, payload, signature(payload)).status_code == 400
    assert not PaymentEvent.objects.exists()


def test_an_expired_checkout_leaves_the_time_to_lapse_with_the_hold(client, waiting_deposit):
    payload = checkout_event(
        waiting_deposit, kind="checkout.session.expired", status="expired", payment_status="unpaid"
    )

    assert deliver(client, payload, signature(payload)).status_code == 200

    payment = Payment.objects.get(pk=waiting_deposit.pk)
    assert payment.status == PaymentStatus.REJECTED
    assert payment.booking.deposit_status == DepositStatus.PENDING and payment.booking.lapses_at
    assert mail.outbox == []


def test_an_event_for_no_payment_of_ours_is_acknowledged_and_ignored(client, waiting_deposit):
    stranger = Payment(token="3f1c2b7e-0000-4000-8000-000000000000", transaction_id="cs_test_elsewhere")
    payload = checkout_event(stranger)

    assert deliver(client, payload, signature(payload)).status_code == 200

    assert Payment.objects.get(pk=waiting_deposit.pk).status == PaymentStatus.WAITING


def test_a_provider_without_webhooks_refuses_them(client, waiting_deposit, settings):
    settings.PAYMENT_VARIANTS = {"dummy": ("payments.dummy.DummyProvider", {})}
    payload = checkout_event(waiting_deposit)

    assert client.post("/payments/webhook/dummy/", payload, content_type="application/json").status_code == 400
    assert client.post("/payments/webhook/nothing/", payload, content_type="application/json").status_code == 400
    assert client.get(URL).status_code == 405


def test_the_webhook_needs_no_csrf_token(waiting_deposit):
    from django.test import Client

    payload = checkout_event(waiting_deposit)
    strict = Client(enforce_csrf_checks=True)

    assert deliver(strict, payload, signature(payload)).status_code == 200


# --- the rest of the Stripe journey, with Stripe's API calls stood in for (no network) ---


class StripeStandIn:
    """Records the calls the provider makes to Stripe's API and answers as Stripe does."""

    def __init__(self, monkeypatch):
        self.sessions, self.refunds = [], []
        monkeypatch.setattr(stripe.checkout.Session, "create", self.create_session)
        monkeypatch.setattr(stripe.Refund, "create", self.create_refund)

    def create_session(self, **data):
        self.sessions.append(data)
        return {"id": "cs_test_a1B2c3D4e5", "url": "https://checkout.stripe.com/c/pay/cs_test_a1B2c3D4e5"}

    def create_refund(self, **data):
        self.refunds.append(data)
        return {"id": "re_3QxY2zNorthlight", "object": "refund", "status": "succeeded", **data}


def test_the_deposit_page_says_what_is_paid_then_continues_to_stripe(client, monkeypatch):
    stand_in = StripeStandIn(monkeypatch)
    open_every_day(time_zone="Australia/Sydney")
    session = make_session_type(kind="portrait", slug="portrait", deposit=Decimal("75.00"))
    booking = services.request_booking(
        services.BookingRequest(
            session_type=session, start=local(days=8, hour=14), name="Priya Raman", email="priya.raman@example.com"
        )
    )
    url = f"/bookings/{links.manage_token(booking)}/deposit/"

    page = client.get(url)
    sent = client.post(url)

    assert page.status_code == 200 and "Continue to pay £75.00" in page.content.decode()
    assert sent.status_code == 302 and sent["Location"] == "https://checkout.stripe.com/c/pay/cs_test_a1B2c3D4e5"
    (created,) = stand_in.sessions  # made once, reused on the second step
    payment = booking.payments.get()
    assert created["client_reference_id"] == payment.token and created["customer_email"] == "priya.raman@example.com"
    price = created["line_items"][0]["price_data"]
    assert (price["currency"], price["unit_amount"]) == ("gbp", 7500)  # pence, from the Decimal
    assert created["success_url"].endswith(f"/payments/{payment.token}/return/")


def test_declining_a_deposit_paid_at_stripe_refunds_it_through_stripe(client, waiting_deposit, monkeypatch):
    stand_in = StripeStandIn(monkeypatch)
    payload = checkout_event(waiting_deposit)
    deliver(client, payload, signature(payload))

    services.decline_booking(waiting_deposit.booking, reason="I'm away that week, sorry.")

    assert stand_in.refunds == [
        {"payment_intent": "pi_3QxY2zNorthlight", "amount": 7500, "reason": "requested_by_customer"}
    ]
    refund = Refund.objects.get()
    assert (refund.status, refund.amount, refund.transaction_id) == (
        "refunded",
        Decimal("75.00"),
        "re_3QxY2zNorthlight",
    )
    assert Booking.objects.get().deposit_status == DepositStatus.REFUNDED
