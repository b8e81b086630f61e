"""Paying for the photos chosen beyond the package (galleries' side of bookings.Payment).

A selection over the limit is sent at once, and its extras are then asked to be paid: the client's
choice is never lost to a card that fails or a tab that closes, and the photographer can start on
the photos the package includes, seeing in the admin which extras are paid and which are not (a
photographer delivers the extras once they are paid, as they would chase an unpaid invoice)."""

from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.template.defaultfilters import pluralize
from payments import PaymentStatus

from bookings import paying
from bookings.models import Payment

from .models import Gallery, Selection


class NothingToPay(Exception):
    """The gallery's selection has no extras waiting to be paid."""


def unpaid_selection(gallery: Gallery) -> Selection | None:
    """The gallery's sent selection whose extras still have to be paid, if there is one."""
    if not paying.online_payments():
        return None  # no provider: the studio invoices the extras itself
    selection = gallery.selections.filter(reopened_at__isnull=True).select_related("payment").first()
    if selection is None or amount_asked(selection) <= 0 or is_paid(selection):
        return None
    return selection


def amount_asked(selection: Selection) -> Decimal:
    """What the client pays after sending: the extra photos plus the crops and retouching ordered."""
    return selection.extras_price + selection.orders_price


def is_paid(selection: Selection) -> bool:
    payment = selection.payment
    return payment is not None and payment.status in (PaymentStatus.CONFIRMED, PaymentStatus.REFUNDED)


def extras_payment(gallery: Gallery) -> Payment:
    """The payment for the selection's extras the client is paying: the one still open, or a new one
    (after a payment that failed or was abandoned)."""
    with transaction.atomic():
        Gallery.objects.select_for_update().filter(pk=gallery.pk).first()
        selection = unpaid_selection(gallery)
        if selection is None:
            raise NothingToPay("There is nothing to pay for this gallery.")
        if selection.payment is not None and selection.payment.status in paying.OPEN:
            return selection.payment
        selection.payment = paying.start_payment(
            purpose=Payment.Purpose.EXTRAS,
            client=gallery.client,
            booking=gallery.booking,
            amount=amount_asked(selection),
            description=_description(selection, gallery),
            return_path=gallery.get_absolute_url(),
        )
        selection.save(update_fields=["payment"])
        return selection.payment


def _description(selection: Selection, gallery: Gallery) -> str:
    parts = []
    if selection.extras_price > 0:
        parts.append(f"{selection.extras} extra photo{pluralize(selection.extras)}")
    if selection.orders_price > 0:
        parts.append("crops and retouching")
    what = " and ".join(parts)
    return f"{what[:1].upper()}{what[1:]} chosen in {gallery.title}"


def what_is_paid(selection: Selection) -> str:
    """The extras in a sentence, as the client reads it before paying."""
    gallery = selection.gallery
    money = settings.CURRENCY_SYMBOL
    sentences = []
    if selection.extras_price > 0:
        sentences.append(
            f"Your selection has {selection.extras} photo{pluralize(selection.extras)} beyond the "
            f"{gallery.selection_limit} your package includes, at {money}{gallery.price_per_extra} each."
        )
    if selection.orders_price > 0:
        sentences.append(f"The crops and retouching you ordered come to {money}{selection.orders_price}.")
    return " ".join(sentences)
