"""Signed links that let a client manage their booking from an email, without signing in.

A link carries the booking's reference, signed with SECRET_KEY and timestamped: it cannot be
forged or pointed at another booking, and it stops working after LINK_LIFETIME.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

from .models import Booking

SALT = "bookings.manage-link"
LINK_LIFETIME = timedelta(days=180)


class LinkExpired(Exception):
    pass


class BookingGone(Exception):
    """A genuine link (its signature checks) whose booking no longer exists: the studio deleted it,
    or the client asked to be forgotten."""


def manage_token(booking: Booking) -> str:
    return signing.TimestampSigner(salt=SALT).sign(booking.reference)


def manage_url(booking: Booking) -> str:
    return settings.SITE_URL + reverse("manage_booking", args=[manage_token(booking)])


def booking_for_token(token: str) -> Booking:
    """The booking a link is for. Raises Booking.DoesNotExist for a forged link, LinkExpired for one
    that is too old and BookingGone for a genuine one whose booking was deleted."""
    try:
        reference = signing.TimestampSigner(salt=SALT).unsign(token, max_age=LINK_LIFETIME)
    except signing.SignatureExpired as exc:
        raise LinkExpired from exc
    except signing.BadSignature as exc:
        raise Booking.DoesNotExist from exc
    try:
        return Booking.objects.select_related("client", "session_type").get(reference=reference)
    except Booking.DoesNotExist:
        # Only the studio signs links, so a valid one names a booking that existed.
        raise BookingGone from None
