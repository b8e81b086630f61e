"""Taking and giving back money through django-payments: starting a payment, the provider's form or
redirect, refunds, and the provider's webhook events. What a payment is for (a deposit, extra
photos) and what follows from it being paid is decided in bookings/deposits.py."""

import json
from dataclasses import dataclass
from decimal import Decimal

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from payments import PaymentError, PaymentStatus, RedirectNeeded
from payments.core import provider_factory

from .models import Booking, Client, Payment, PaymentEvent, Refund

# Statuses in which the client may still pay: the provider's form has not been sent through yet.
OPEN = (PaymentStatus.WAITING, PaymentStatus.INPUT)


class PaymentFailed(Exception):
    """The provider could not start or refund a payment; the message is meant for the person who tried."""


class WebhookRefused(Exception):
    """A webhook call that is not a genuine event from the provider (bad signature, bad body)."""


def online_payments() -> bool:
    """Whether clients can pay online here (a provider is configured)."""
    return bool(settings.PAYMENT_VARIANT)


def start_payment(
    *,
    purpose: str,
    client: Client,
    amount: Decimal,
    description: str,
    return_path: str,
    booking: Booking | None = None,
) -> Payment:
    """A payment waiting for the client, through the configured provider, in the studio's currency."""
    first, _, last = client.name.partition(" ")
    return Payment.objects.create(
        variant=settings.PAYMENT_VARIANT,
        purpose=purpose,
        client=client,
        booking=booking,
        total=amount,
        currency=settings.PAYMENT_CURRENCY,
        description=description,
        billing_first_name=first[:256],
        billing_last_name=last[:256],
        billing_email=client.email,
        return_path=return_path,
    )


@dataclass(frozen=True)
class ProviderStep:
    """What the client sees next: the provider's form on our page, or the provider's own page."""

    form: object | None = None
    redirect_url: str = ""


def provider_step(payment: Payment, data=None) -> ProviderStep:
    """The provider's form for `payment` (with `data`, the form as the client sent it), or where to
    send the client: Stripe's hosted checkout, or back to us once the form has been answered."""
    try:
        return ProviderStep(form=payment.get_form(data=data))
    except RedirectNeeded as redirect:
        return ProviderStep(redirect_url=str(redirect))
    except (PaymentError, OSError) as exc:  # refused, or the provider could not be reached
        raise PaymentFailed("The payment could not be started. Please try again in a few minutes.") from exc


def refresh_status(payment: Payment) -> None:
    """Ask the provider how a payment it still has open went (the client is back from Stripe's page
    before its webhook arrives). Left as it is when the provider can't say or can't be reached."""
    if payment.status != PaymentStatus.WAITING or not payment.transaction_id or payment.is_manual:
        return
    try:
        with transaction.atomic():
            provider = provider_factory(payment.variant, payment)
            locked = Payment.objects.select_for_update().get(pk=payment.pk)
            if locked.status == PaymentStatus.WAITING:
                provider.status(locked)
    except (PaymentError, OSError, ValueError, AttributeError, NotImplementedError, stripe.StripeError):
        return


def refund(payment: Payment, *, amount: Decimal, reason: str) -> Refund:
    """Give `amount` back and record it. A payment recorded by hand is paid back by hand: the refund
    is recorded for the photographer to do. Raises PaymentFailed when the provider refuses."""
    if payment.is_manual:
        payment.captured_amount -= amount
        payment.status = PaymentStatus.REFUNDED if payment.captured_amount <= 0 else payment.status
        payment.save(update_fields=["captured_amount", "status", "modified"])
        return Refund.objects.create(payment=payment, amount=amount, status=Refund.Status.BY_HAND, reason=reason)
    try:
        payment.refund(amount)
    except (PaymentError, ValueError) as exc:
        raise PaymentFailed(f"The refund of {amount} {payment.currency} could not be made: {exc}") from exc
    return Refund.objects.create(
        payment=payment,
        amount=amount,
        status=Refund.Status.REFUNDED,
        reason=reason,
        transaction_id=_provider_refund_id(payment),
    )


def queue_refund(payment: Payment, *, amount: Decimal, reason: str) -> Refund:
    """Record a refund to be made: by hand at once for a payment recorded by hand, else waiting for
    `send_refund` (a Celery task, after the change that caused it is saved)."""
    if payment.is_manual:
        return refund(payment, amount=amount, reason=reason)
    return Refund.objects.create(payment=payment, amount=amount, status=Refund.Status.PENDING, reason=reason)


def send_refund(refund_id: int) -> Refund | None:
    """Ask the provider for a waiting refund, once: claimed by a conditional UPDATE, so a second run
    (or a second worker) finds nothing to send. A refusal leaves it to be paid back by hand, with the
    provider's words. None when there was nothing to send."""
    if not Refund.objects.filter(pk=refund_id, status=Refund.Status.PENDING).update(status=Refund.Status.SENDING):
        return None
    queued = Refund.objects.select_related("payment").get(pk=refund_id)
    payment = queued.payment
    try:
        payment.refund(queued.amount)
    except (PaymentError, ValueError, OSError, stripe.StripeError) as exc:  # refused, or not reached
        queued.status = Refund.Status.BY_HAND
        queued.reason = f"{queued.reason}; the provider refused: {exc}"[:300]
        queued.save(update_fields=["status", "reason"])
        return queued
    queued.status = Refund.Status.REFUNDED
    queued.transaction_id = _provider_refund_id(payment)
    queued.save(update_fields=["status", "transaction_id"])
    return queued


def refuse_refund(payment: Payment, *, reason: str) -> Refund:
    """Record that nothing is given back, and why (the cancellation rule)."""
    return Refund.objects.create(payment=payment, amount=Decimal(0), status=Refund.Status.REFUSED, reason=reason)


def cancel_open_payment(payment: Payment) -> None:
    """Stop a payment nobody finished, so it can no longer be paid (Stripe expires its checkout)."""
    if payment.status not in OPEN:
        return
    try:
        payment.cancel()
    except (PaymentError, ValueError):
        # The provider could not be told; the payment is cancelled on our side all the same, and a
        # late payment of it is refunded when it arrives (deposits.settle_payment).
        payment.change_status(PaymentStatus.CANCELLED)


def apply_webhook_event(request: HttpRequest, variant: str) -> Payment | None:
    """Apply the provider's event to its payment, through the provider's own processing (for Stripe:
    its signature checked offline with STRIPE_WEBHOOK_SECRET). Each event is applied once: its id is
    stored in the same transaction. The payment it changed, or None (an event seen before, or for no
    payment of ours). Raises WebhookRefused for anything not signed by the provider."""
    try:
        provider = provider_factory(variant)
    except ValueError:
        raise WebhookRefused("No such payment provider.") from None
    if not hasattr(provider, "return_event_payload"):
        raise WebhookRefused("This payment provider sends no webhooks.")
    try:
        event = provider.return_event_payload(request)
        event_id, kind = str(event["id"]), str(event["type"])
    except (PaymentError, ValueError, KeyError, TypeError, stripe.SignatureVerificationError) as exc:
        raise WebhookRefused("The event's signature or body is not valid.") from exc
    with transaction.atomic():
        try:
            with transaction.atomic():
                PaymentEvent.objects.create(event_id=event_id[:255], kind=kind[:100])
        except IntegrityError:
            return None  # delivered again: it was applied the first time
        token = _payment_token(event)
        payment = Payment.objects.select_for_update().filter(token=token, variant=variant).first() if token else None
        if payment is None:
            return None
        try:
            provider.process_data(payment, request)
        except PaymentError as exc:
            raise WebhookRefused(str(exc)) from exc
        return payment


def _payment_token(event) -> str:
    try:
        return str(event["data"]["object"].get("client_reference_id") or "")
    except (KeyError, TypeError, AttributeError):
        return ""


def _provider_refund_id(payment: Payment) -> str:
    """Stripe's id of the refund it just made (the provider keeps the refund in the payment's attrs)."""
    try:
        return str(json.loads(payment.attrs.refund).get("id", ""))[:255]
    except (AttributeError, TypeError, ValueError):
        return ""
