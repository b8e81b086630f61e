"""One function per message about a booking. Each renders templates/emails/<name>.* and queues the
message in the outbox (sent by Celery after the transaction commits)."""

import dataclasses
from datetime import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from photostudio.outbox import queue_email

from . import calendar, links
from .models import Availability, Booking, StudioProfile


def booking_requested(booking: Booking) -> None:
    _to_client("booking_requested", booking)


def new_booking_request(booking: Booking) -> None:
    _to_studio("booking_new_request", booking)


def booking_confirmed(booking: Booking) -> None:
    _to_client("booking_confirmed", booking, attachments=[_ics_attachment(booking)])


def booking_declined(booking: Booking) -> None:
    _to_client("booking_declined", booking)


def booking_reminder(booking: Booking) -> None:
    _to_client("booking_reminder", booking)


def booking_cancelled(booking: Booking, *, by_client: bool, withdraw_calendar_event: bool = True) -> None:
    attachments = [_cancel_attachment(booking)] if withdraw_calendar_event else []
    _to_client(
        "booking_cancelled", booking, attachments=attachments, by_client=by_client, calendar_file=bool(attachments)
    )
    _to_studio("booking_cancelled_studio", booking, by_client=by_client)


def booking_lapsed(booking: Booking) -> None:
    _to_client("booking_lapsed", booking)


def booking_withdrawn(booking: Booking) -> None:
    """The studio deleted a booking the client still expects. A request never had a calendar file;
    a confirmed session did, so it gets the cancellation."""
    confirmed = booking.status == Booking.Status.CONFIRMED
    _to_client("booking_withdrawn", booking, attachments=[_cancel_attachment(booking)] if confirmed else [])


def booking_rescheduled(booking: Booking, *, old_start: datetime, by_client: bool) -> None:
    tz = Availability.load().tz
    extra = {"old_start": old_start.astimezone(tz), "by_client": by_client}
    attachments = [_ics_attachment(booking)] if booking.status == Booking.Status.CONFIRMED else []
    _to_client("booking_rescheduled", booking, attachments=attachments, **extra)
    _to_studio("booking_rescheduled_studio", booking, **extra)


# --- shared ---


def calendar_event(booking: Booking) -> calendar.CalendarEvent:
    """The client's calendar entry: the studio, where, and the link to manage the booking."""
    url = links.manage_url(booking)
    return _event(
        booking,
        summary=f"{booking.session_type.name} with {settings.STUDIO_NAME}",
        description=f"Booking {booking.reference}. Manage it: {url}",
        url=url,
        location=where(booking),
        organizer=(settings.STUDIO_EMAIL, settings.STUDIO_NAME),
    )


def studio_calendar_event(booking: Booking, *, studio_address: str | None = None) -> calendar.CalendarEvent:
    """The photographer's view of a booking in their calendar feed: who, and a link to the admin.
    A feed passes `studio_address` (read once), so it reads the studio's profile once, not per event."""
    admin_url = settings.SITE_URL + reverse("admin:bookings_booking_change", args=[booking.pk])
    state = "" if booking.status == Booking.Status.CONFIRMED else " (requested)"
    return _event(
        booking,
        summary=f"{booking.session_type.name}: {booking.client.name}{state}",
        description=f"{booking.client.email} {booking.client.phone}\n{booking.purpose}\n{admin_url}".strip(),
        url=admin_url,
        location=where(booking, studio_address),
    )


def _event(
    booking: Booking,
    *,
    summary: str,
    description: str,
    url: str,
    location: str,
    organizer: tuple[str, str] = ("", ""),
) -> calendar.CalendarEvent:
    status = {Booking.Status.CONFIRMED: "CONFIRMED", Booking.Status.REQUESTED: "TENTATIVE"}.get(
        booking.status, "CANCELLED"
    )
    return calendar.CalendarEvent(
        uid=f"booking-{booking.reference}@photostudio",  # the same for a booking's every version
        start=booking.start,
        end=booking.end,
        summary=summary,
        location=location,
        description=description,
        status=status,
        url=url,
        sequence=booking.sequence,
        last_modified=booking.updated_at,
        organizer_email=organizer[0],
        organizer_name=organizer[1],
    )


def where(booking: Booking, studio_address: str | None = None) -> str:
    """Where the session takes place: its own address on location, else the studio's."""
    if booking.location == Booking.Location.ON_LOCATION:
        return booking.address
    return studio_address_line() if studio_address is None else studio_address


def studio_address_line(profile: StudioProfile | None = None) -> str:
    """The studio's address on one line (its name when no address is set)."""
    profile = profile or StudioProfile.load()
    return ", ".join(profile.address_lines) or settings.STUDIO_NAME


def _ics_attachment(booking: Booking) -> tuple[str, str, bytes]:
    tz = Availability.load().tz
    ics = calendar.event_ics(calendar_event(booking), tz=tz, calendar_name=settings.STUDIO_NAME, method="PUBLISH")
    return (f"{booking.reference}.ics", "text/calendar", ics)


def _cancel_attachment(booking: Booking) -> tuple[str, str, bytes]:
    """METHOD:CANCEL for the event the client was sent: same UID, the booking's (bumped) sequence."""
    tz = Availability.load().tz
    event = dataclasses.replace(calendar_event(booking), status="CANCELLED")
    ics = calendar.event_ics(event, tz=tz, calendar_name=settings.STUDIO_NAME, method="CANCEL")
    return (f"{booking.reference}-cancelled.ics", "text/calendar", ics)


def _context(booking: Booking, **extra) -> dict:
    tz = Availability.load().tz
    profile = StudioProfile.load()
    in_studio = booking.location == Booking.Location.STUDIO
    return {
        "booking": booking,
        "client": booking.client,
        "session": booking.session_type,
        "start": booking.start.astimezone(tz),
        "end": booking.end.astimezone(tz),
        "zone": tz.key,
        "where": where(booking, studio_address_line(profile)),
        # How to find the studio, for a session there (an on-location session happens at the client's).
        "studio_profile": profile if in_studio else None,
        "manage_url": links.manage_url(booking),
        "book_url": settings.SITE_URL + reverse("book"),
        "admin_url": settings.SITE_URL + reverse("admin:bookings_booking_change", args=[booking.pk]),
        "google_url": calendar.google_calendar_url(calendar_event(booking), tz=tz),
        "lapses_at": booking.lapses_at.astimezone(tz) if booking.lapses_at else None,
        "site_url": settings.SITE_URL,
        "currency_symbol": settings.CURRENCY_SYMBOL,
        **extra,
    }


def _to_client(name: str, booking: Booking, attachments=(), **extra) -> None:
    queue_email(
        name,
        to=booking.client.email,
        reply_to=settings.STUDIO_EMAIL,
        context=_context(booking, **extra),
        about=booking,
        attachments=list(attachments),
    )


def _to_studio(name: str, booking: Booking, **extra) -> None:
    queue_email(
        name, to=settings.STUDIO_EMAIL, reply_to=booking.client.email, context=_context(booking, **extra), about=booking
    )


# --- payments ---


def payment_receipt(payment) -> None:
    """The client's receipt for a deposit or extra photos, whichever way it was paid."""
    context = {
        "client": payment.client,
        "payment": payment,
        "paid_at": timezone.localtime(payment.paid_at, Availability.load().tz) if payment.paid_at else None,
        "currency_symbol": settings.CURRENCY_SYMBOL,
        "site_url": settings.SITE_URL,
        "return_url": settings.SITE_URL + payment.return_path if payment.return_path else "",
    }
    if payment.booking_id and payment.purpose == payment.Purpose.DEPOSIT:
        context = _context(payment.booking) | context
    queue_email(
        "payment_receipt", to=payment.client.email, reply_to=settings.STUDIO_EMAIL, context=context, about=payment
    )


def deposit_released(booking: Booking) -> None:
    """The deposit was not paid within the hold: the time is free again."""
    _to_client("deposit_released", booking, currency_symbol=settings.CURRENCY_SYMBOL)


def deposit_refund(booking: Booking, *, payment, refund) -> None:
    """What happens to a paid deposit as a booking ends: refunded (and how), or kept, with why."""
    from .models import Refund

    _to_client(
        "deposit_refund",
        booking,
        payment=payment,
        refund=refund,
        refunded=refund.status != Refund.Status.REFUSED,
        by_hand=refund.status == Refund.Status.BY_HAND,
        currency_symbol=settings.CURRENCY_SYMBOL,
    )


def refund_refused_by_provider(booking: Booking, *, refund) -> None:
    """The studio's note that a deposit must be paid back by hand: the provider refused the refund."""
    _to_studio("refund_refused", booking, refund=refund, currency_symbol=settings.CURRENCY_SYMBOL)
