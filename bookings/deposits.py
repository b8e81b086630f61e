"""Deposits that reserve a time, the cancellation rule that says when they come back, and what
follows from a payment being received (a deposit or extra photos).

A booking whose session takes a deposit stays *requested* (so it holds its time, and the database's
no-overlap rule covers it) with deposit_status *pending*: it lapses after
Availability.deposit_hold_minutes unless paid. Paid, it no longer lapses: a paid booking is held until
the photographer confirms or declines it. Declined, its deposit is refunded in full; cancelled by the
client through their link, in full up to SessionType.refund_until_hours before the session, and not
at all after (recorded as refused, with the reason).
"""

from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from payments import PaymentStatus

from photostudio import history
from photostudio.queueing import send_after_commit

from . import emails, links, paying
from .models import Availability, Booking, DepositStatus, Payment, Refund, SessionType


class DepositError(Exception):
    """Something that can't be done to a deposit now; the message says why, to whoever tried."""


def refund_due(start: datetime, *, now: datetime, refund_until_hours: int) -> bool:
    """Whether cancelling at `now` gets the deposit back: up to `refund_until_hours` before `start`."""
    return now <= start - timedelta(hours=refund_until_hours)


def refund_rule(session_type: SessionType) -> str:
    """The cancellation rule in a sentence, as the client reads it before paying and when cancelling."""
    hours = session_type.refund_until_hours
    if hours == 0:
        return "If you cancel before your session starts, you get the whole deposit back."
    return (
        f"If you cancel up to {hours} hours before your session, you get the whole deposit back; "
        "after that, the deposit is not refunded."
    )


def ask_for_deposit(booking: Booking, *, now: datetime | None = None) -> None:
    """On a new request (before it is saved): ask for the session's deposit, holding the time for the
    payment only (a shorter hold than an answered request's)."""
    deposit = booking.session_type.deposit or Decimal(0)
    if deposit <= 0 or not paying.online_payments():
        return
    hold = timedelta(minutes=Availability.load().deposit_hold_minutes)
    booking.deposit = deposit
    booking.deposit_status = DepositStatus.PENDING
    booking.lapses_at = min(booking.lapses_at or booking.start, (now or timezone.now()) + hold)


def awaiting_deposit(booking: Booking) -> bool:
    """Whether the booking is a request whose deposit is still to be paid."""
    return booking.status == Booking.Status.REQUESTED and booking.deposit_status == DepositStatus.PENDING


def deposit_payment(booking: Booking) -> Payment:
    """The deposit payment the client is paying: the one still open, or a new one."""
    with transaction.atomic():
        booking = _locked(booking.pk)
        if not awaiting_deposit(booking):
            raise DepositError("This booking has no deposit waiting to be paid.")
        open_payment = booking.payments.filter(
            purpose=Payment.Purpose.DEPOSIT, status__in=paying.OPEN, variant=settings.PAYMENT_VARIANT
        ).first()
        if open_payment is not None:
            return open_payment
        return paying.start_payment(
            purpose=Payment.Purpose.DEPOSIT,
            client=booking.client,
            booking=booking,
            amount=booking.deposit,
            description=f"Deposit for {booking.session_type.name}, booking {booking.reference}",
            return_path=reverse("manage_booking", args=[links.manage_token(booking)]),
        )


def settle_payment(payment_id: int, *, now: datetime | None = None) -> bool:
    """Apply a payment the provider has confirmed, once: the client's receipt, and for a deposit the
    booking held until answered. A deposit paid for a time already released (paid after the hold, or
    after cancelling) is refunded in full at once. True if it was applied now; safe to call again."""
    now = now or timezone.now()
    with transaction.atomic():
        payment = Payment.objects.select_for_update().filter(pk=payment_id).first()
        if payment is None or payment.status != PaymentStatus.CONFIRMED or payment.paid_at:
            return False
        payment.paid_at = now
        # Neither provider takes part of a payment: confirmed means the whole amount.
        payment.captured_amount = payment.captured_amount or payment.total
        payment.save(update_fields=["paid_at", "captured_amount", "modified"])
        if payment.purpose == Payment.Purpose.DEPOSIT and payment.booking_id:
            booking = _locked(payment.booking_id)
            if awaiting_deposit(booking):
                _deposit_paid(booking, by=history.client(booking.client), how="paid online")
            else:
                emails.payment_receipt(payment)
                _refund_whole(booking, payment, reason="paid after the time was released")
                return True
        emails.payment_receipt(payment)
    return True


def release_unpaid(booking: Booking) -> None:
    """The hold ran out before the deposit was paid (called as the request lapses): no payment may
    finish now, and the client is told the time is free again."""
    _close_open_payments(booking)
    _mark_unpaid(booking)
    emails.deposit_released(booking)


def settle_on_decline(booking: Booking) -> None:
    """A declined request gives back its whole deposit (called inside the decline's transaction)."""
    _close_open_payments(booking)
    if booking.deposit_status == DepositStatus.PENDING:
        _mark_unpaid(booking)
    elif booking.deposit_status == DepositStatus.PAID:
        _refund_whole(booking, _paid_deposit(booking), reason="the photographer declined the booking")


def settle_on_cancel(booking: Booking, *, by_client: bool, now: datetime | None = None) -> None:
    """Cancelling: a client cancelling by their link inside the refund window, or the studio
    cancelling, gives the whole deposit back; a client cancelling later gets none of it, recorded as
    refused with the reason."""
    _close_open_payments(booking)
    if booking.deposit_status == DepositStatus.PENDING:
        _mark_unpaid(booking)
        return
    if booking.deposit_status != DepositStatus.PAID:
        return
    payment = _paid_deposit(booking)
    if by_client and not will_refund_on_cancel(booking, now=now):
        hours = booking.session_type.refund_until_hours
        refusal = paying.refuse_refund(payment, reason=f"cancelled less than {hours} hours before the session")
        booking.deposit_status = DepositStatus.KEPT
        booking.save(update_fields=["deposit_status", "updated_at"])
        emails.deposit_refund(booking, payment=payment, refund=refusal)
        return
    _refund_whole(
        booking, payment, reason="cancelled by the client in time" if by_client else "cancelled by the studio"
    )


def will_refund_on_cancel(booking: Booking, *, now: datetime | None = None) -> bool | None:
    """For the cancel page: True if cancelling now gives the deposit back, False if it doesn't, None
    when there is no paid deposit to speak of."""
    if booking.deposit_status != DepositStatus.PAID:
        return None
    hours = booking.session_type.refund_until_hours
    return refund_due(booking.start, now=now or timezone.now(), refund_until_hours=hours)


def mark_paid_by_hand(booking: Booking, *, by=None, now: datetime | None = None) -> Booking:
    """The photographer received the deposit another way (bank transfer, cash): recorded as a manual
    payment, the client sent a receipt, and the booking held until answered."""
    with transaction.atomic():
        booking = _locked(booking.pk)
        if not awaiting_deposit(booking):
            raise DepositError(f"{booking.reference} has no deposit waiting to be paid.")
        _close_open_payments(booking)
        payment = Payment.objects.create(
            variant=Payment.MANUAL,
            purpose=Payment.Purpose.DEPOSIT,
            client=booking.client,
            booking=booking,
            total=booking.deposit,
            captured_amount=booking.deposit,
            currency=settings.PAYMENT_CURRENCY,
            status=PaymentStatus.CONFIRMED,
            description=f"Deposit for {booking.session_type.name}, booking {booking.reference} (recorded by hand)",
            billing_email=booking.client.email,
            paid_at=now or timezone.now(),
        )
        _deposit_paid(booking, by=by, how="recorded as paid by hand")
        emails.payment_receipt(payment)
        return booking


def waive_deposit(booking: Booking, *, by=None) -> Booking:
    """No deposit after all: the booking is held until answered, like a paid one."""
    with transaction.atomic():
        booking = _locked(booking.pk)
        if not awaiting_deposit(booking):
            raise DepositError(f"{booking.reference} has no deposit waiting to be paid.")
        _close_open_payments(booking)
        _set_deposit(booking, DepositStatus.WAIVED, by=by, reason="deposit waived")
        booking.lapses_at = None
        booking.save(update_fields=["deposit_status", "lapses_at", "updated_at"])
        return booking


# --- helpers ---


def _locked(booking_id: int) -> Booking:
    return Booking.objects.select_for_update().select_related("client", "session_type").get(pk=booking_id)


def _deposit_paid(booking: Booking, *, by, how: str) -> None:
    _set_deposit(booking, DepositStatus.PAID, by=by, reason=f"deposit {how}")
    booking.lapses_at = None  # held until the photographer confirms or declines
    booking.save(update_fields=["deposit_status", "lapses_at", "updated_at"])


def _set_deposit(booking: Booking, to: str, *, by, reason: str) -> None:
    # The booking's own status stays as it is; the history says what happened to its deposit.
    history.record_change(
        booking, before=booking.status, after=booking.status, by=by, for_client=booking.client, reason=reason
    )
    booking.deposit_status = to


def _paid_deposit(booking: Booking) -> Payment:
    return booking.payments.filter(purpose=Payment.Purpose.DEPOSIT, status=PaymentStatus.CONFIRMED).latest("created")


def _refund_whole(booking: Booking, payment: Payment, *, reason: str) -> None:
    """Give the whole payment back: by hand, recorded and told now; through the provider, by a task
    once this change is saved (`send_refund`), so no request waits on the provider or fails with it."""
    refund = paying.queue_refund(payment, amount=payment.captured_amount, reason=reason)
    if payment.booking_id == booking.pk and booking.deposit_status in (DepositStatus.PAID, DepositStatus.PENDING):
        booking.deposit_status = DepositStatus.REFUNDED
        booking.save(update_fields=["deposit_status", "updated_at"])
    if refund.status == Refund.Status.PENDING:
        send_after_commit("bookings.tasks.send_refund", refund.pk)
    else:
        emails.deposit_refund(booking, payment=payment, refund=refund)


def send_refund(refund_id: int) -> bool:
    """Make a waiting refund through the provider and tell the client how their money comes back;
    a refusal is paid back by hand, and the studio is told why. True if it was sent now."""
    refund = paying.send_refund(refund_id)
    if refund is None:
        return False
    payment = refund.payment
    booking = payment.booking
    with transaction.atomic():
        if booking is not None:
            emails.deposit_refund(booking, payment=payment, refund=refund)
            if refund.status == Refund.Status.BY_HAND:
                emails.refund_refused_by_provider(booking, refund=refund)
    return True


def send_waiting_refunds(*, older_than: timedelta = timedelta(minutes=5)) -> int:
    """Refunds whose task was lost (the broker down when their change was saved): sent now. Those
    left *sending* by a worker that died are not sent again: only the provider's records can say
    whether they went through, so the admin shows them for the photographer to check."""
    waiting = Refund.objects.filter(status=Refund.Status.PENDING, created_at__lt=timezone.now() - older_than)
    return sum(send_refund(pk) for pk in waiting.values_list("pk", flat=True))


def _mark_unpaid(booking: Booking) -> None:
    booking.deposit_status = DepositStatus.UNPAID
    booking.save(update_fields=["deposit_status", "updated_at"])


def _close_open_payments(booking: Booking) -> None:
    for payment in booking.payments.filter(status__in=paying.OPEN):
        paying.cancel_open_payment(payment)
