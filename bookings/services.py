"""Operations that change the studio's data: each runs in one transaction, checks the state it
starts from, and queues the emails that tell people about it (sent after commit, by Celery)."""

import ipaddress
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from photostudio import history, imaging
from photostudio.outbox import queue_email
from photostudio.queueing import send_after_commit

from . import deposits, emails, scheduling, slots
from .models import (
    Availability,
    Booking,
    Client,
    ContactMessage,
    DepositStatus,
    IntakeAnswer,
    SessionType,
    SessionTypePhoto,
    TeamDay,
    TermsAcceptance,
    TermsDocument,
)


class BookingError(Exception):
    """A booking operation that cannot happen; the message is meant for the person who tried."""


class SameTime(BookingError):
    """A move to the time the session already has: nothing changes and nobody is emailed."""


class TimeTaken(BookingError):
    """The chosen time is no longer free (taken by someone else a moment ago, or never free)."""

    def __init__(self, message: str, *, nearest: list[datetime]) -> None:
        super().__init__(message)
        self.nearest = nearest


@dataclass(frozen=True)
class BookingRequest:
    session_type: SessionType
    start: datetime
    name: str
    email: str
    phone: str = ""
    company: str = ""
    location: str = Booking.Location.STUDIO
    address: str = ""
    purpose: str = ""
    people: int = 1
    message: str = ""
    intake_answers: tuple = ()  # of bookings.intake.Answer
    accepted_terms: TermsDocument | None = None  # the version the client ticked, if any
    client_address: str = ""  # where they ticked it from (photostudio.client_address.client_ip)


@transaction.atomic
def receive_contact_message(*, name: str, email: str, phone: str, message: str) -> ContactMessage:
    contact = ContactMessage.objects.create(name=name, email=email, phone=phone, message=message)
    queue_email(
        "contact_message", to=settings.STUDIO_EMAIL, reply_to=email, context={"contact": contact}, about=contact
    )
    return contact


def request_booking(request: BookingRequest, *, by_studio: bool = False, by=None) -> Booking:
    """Store a booking request, holding its time, or raise TimeTaken with the nearest free times.

    A client gets only the free times; the studio (booking for a client from the admin) may book
    outside its hours, but never onto another booking. `by` is the staff user booking for them."""
    try:
        with transaction.atomic():
            # The check and the insert share one transaction. On SQLite it holds the write lock from
            # its start; on PostgreSQL the exclusion constraint catches a race the check cannot see.
            if not by_studio and not scheduling.is_free(request.session_type, request.start):
                raise _not_free(request.session_type, request.start)
            if by_studio:
                _refuse_time_the_studio_is_busy(request.session_type, request.start)
            client = _client_for(request)
            booking = Booking(
                client=client,
                session_type=request.session_type,
                location=request.location,
                address=request.address if request.location == Booking.Location.ON_LOCATION else "",
                purpose=request.purpose,
                people=request.people,
                message=request.message,
            )
            _set_times(booking, request.start)
            booking.lapses_at = lapse_time(request.start)
            if not by_studio:  # booked by the studio for a client: any deposit is taken by hand
                deposits.ask_for_deposit(booking)
            booking.save()
            _keep_answers_and_terms(booking, request)
            history.record_change(
                booking, before="", after=booking.status, by=by if by_studio else history.client(client)
            )
            emails.booking_requested(booking)
            emails.new_booking_request(booking)
    except IntegrityError as exc:
        if "booking_held_times_never_overlap" in str(exc):
            raise _time_taken(request.session_type, request.start) from exc
        raise
    return booking


@transaction.atomic
def confirm_booking(booking: Booking, *, by=None) -> Booking:
    booking = _locked(booking)
    if booking.status == Booking.Status.CONFIRMED:
        return booking  # confirming twice is harmless
    if booking.status != Booking.Status.REQUESTED:
        raise BookingError(f"Only a requested booking can be confirmed; {booking.reference} is {booking.status}.")
    if booking.deposit_status == DepositStatus.PENDING:
        raise BookingError(f"{booking.reference}'s deposit isn't paid yet: mark it paid or waive it first.")
    _record(booking, Booking.Status.CONFIRMED, by=by)
    booking.status = Booking.Status.CONFIRMED
    booking.lapses_at = None
    booking.save(update_fields=["status", "lapses_at", "updated_at"])
    emails.booking_confirmed(booking)
    return booking


@transaction.atomic
def decline_booking(booking: Booking, *, reason: str, by=None) -> Booking:
    booking = _locked(booking)
    if booking.status == Booking.Status.DECLINED:
        return booking
    if booking.status != Booking.Status.REQUESTED:
        raise BookingError(f"Only a requested booking can be declined; {booking.reference} is {booking.status}.")
    with _deposit_errors():
        deposits.settle_on_decline(booking)
    _record(booking, Booking.Status.DECLINED, by=by, reason=reason)
    booking.status = Booking.Status.DECLINED
    booking.decline_reason = reason.strip()
    booking.save(update_fields=["status", "decline_reason", "updated_at"])
    emails.booking_declined(booking)
    _time_freed(booking.start)
    return booking


@transaction.atomic
def complete_booking(booking: Booking, *, by=None) -> Booking:
    booking = _locked(booking)
    if booking.status == Booking.Status.COMPLETED:
        return booking
    if booking.status != Booking.Status.CONFIRMED:
        raise BookingError(f"Only a confirmed booking can be completed; {booking.reference} is {booking.status}.")
    _record(booking, Booking.Status.COMPLETED, by=by)
    booking.status = Booking.Status.COMPLETED
    booking.save(update_fields=["status", "updated_at"])
    return booking


@transaction.atomic
def cancel_booking(
    booking: Booking, *, by_client: bool, reason: str = "", now: datetime | None = None, by=None
) -> Booking:
    """Cancel and free the time. A confirmed session's email carries a calendar cancellation (the
    same event with a higher sequence), so it leaves the client's calendar too. `by` is the staff
    user cancelling (by_client: the booking's client, through their link)."""
    booking = _locked(booking)
    if booking.status == Booking.Status.CANCELLED:
        return booking
    if not booking.holds_time:
        raise BookingError(f"This booking is {booking.get_status_display().lower()} and can no longer be cancelled.")
    if by_client:
        _check_change_window(booking, now)
    had_calendar_file = booking.status == Booking.Status.CONFIRMED  # a request was never sent one
    with _deposit_errors():
        deposits.settle_on_cancel(booking, by_client=by_client, now=now)
    booking.cancel_reason = reason.strip()[:1000] if by_client else ""
    _record(
        booking,
        Booking.Status.CANCELLED,
        by=history.client(booking.client) if by_client else by,
        reason=booking.cancel_reason,
    )
    booking.status = Booking.Status.CANCELLED
    booking.lapses_at = None
    booking.sequence += 1
    booking.save(update_fields=["status", "cancel_reason", "lapses_at", "sequence", "updated_at"])
    emails.booking_cancelled(booking, by_client=by_client, withdraw_calendar_event=had_calendar_file)
    _time_freed(booking.start)
    return booking


def lapse_time(start: datetime, now: datetime | None = None) -> datetime:
    """When a request made now lapses if nobody confirms it: after the studio's set period, and
    never later than the session's start (a request must not hold a time that has gone)."""
    hours = Availability.load().request_lapse_hours
    return min((now or timezone.now()) + timedelta(hours=hours), start)


def lapse_request(booking_id: int, *, now: datetime | None = None) -> bool:
    """Mark one unanswered request lapsed, free its time and tell the client. True if it lapsed now;
    a request confirmed, declined or cancelled meanwhile (or lapsed by another run) is left alone."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = (
            Booking.objects.select_for_update()
            .select_related("client", "session_type")
            .filter(pk=booking_id, status=Booking.Status.REQUESTED, lapses_at__lte=now)
            .first()
        )
        if booking is None:
            return False
        unpaid = booking.deposit_status == DepositStatus.PENDING
        _record(
            booking,
            Booking.Status.LAPSED,
            by=None,
            reason="deposit not paid in time" if unpaid else _why_lapsed(booking),
        )
        booking.status = Booking.Status.LAPSED
        booking.save(update_fields=["status", "updated_at"])
        if unpaid:
            deposits.release_unpaid(booking)
        else:
            emails.booking_lapsed(booking)
        _time_freed(booking.start)
    return True


def lapse_overdue_requests(*, now: datetime | None = None) -> int:
    """Lapse every request whose time to be answered has passed (Celery beat). Safe to run twice."""
    now = now or timezone.now()
    due = Booking.objects.filter(status=Booking.Status.REQUESTED, lapses_at__lte=now).values_list("pk", flat=True)
    return sum(lapse_request(pk, now=now) for pk in list(due))


@transaction.atomic
def withdraw_booking(booking: Booking, *, now: datetime | None = None) -> bool:
    """Delete a booking from the admin. A client still expecting the session is told (with a
    calendar cancellation if it was confirmed); their manage link then says it was withdrawn.
    True if the client was emailed."""
    booking = Booking.objects.select_for_update().select_related("client", "session_type").filter(pk=booking.pk).first()
    if booking is None:
        return False  # deleted a moment ago
    expected = booking.holds_time and booking.start > (now or timezone.now())
    if expected:
        booking.sequence += 1  # the calendar cancellation must outrank the confirmation's event
        emails.booking_withdrawn(booking)
    booking.delete()
    if expected:
        _time_freed(booking.start)
    return expected


def reschedule_booking(booking: Booking, *, new_start: datetime, by_client: bool, now=None, by=None) -> Booking:
    """Move a session (by its client through their link, or by the staff user `by`)."""
    try:
        with transaction.atomic():
            booking = _locked(booking)
            if not booking.holds_time:
                raise BookingError(f"This booking is {booking.get_status_display().lower()} and can't be moved.")
            if by_client:
                _check_change_window(booking, now)
            if new_start == booking.start:
                when = booking.start.astimezone(Availability.load().tz)
                raise SameTime(f"Your session is already at {when:%H:%M} on {when:%A %-d %B}; nothing has changed.")
            # Clients choose from the free times; the studio may also move a session outside its
            # hours, but never onto another booking.
            if by_client and not scheduling.is_free(booking.session_type, new_start, ignoring=booking):
                raise _not_free(booking.session_type, new_start, ignoring=booking)
            _refuse_time_the_studio_is_busy(booking.session_type, new_start, ignoring=booking)
            old_start = booking.start
            _set_times(booking, new_start)
            if booking.lapses_at:
                booking.lapses_at = min(booking.lapses_at, new_start)
            booking.sequence += 1
            booking.reminder_sent_at = None
            booking.save()
            history.record_change(
                booking,
                before=booking.status,
                after=booking.status,
                by=history.client(booking.client) if by_client else by,
                for_client=booking.client,
                reason="moved from {} to {}".format(*_studio_times(old_start, new_start)),
            )
            emails.booking_rescheduled(booking, old_start=old_start, by_client=by_client)
            _time_freed(old_start)
    except IntegrityError as exc:
        if "booking_held_times_never_overlap" in str(exc):
            raise _time_taken(booking.session_type, new_start, ignoring=booking) from exc
        raise
    return booking


def send_reminders(*, now: datetime | None = None) -> int:
    """Queue the day-before reminder for each confirmed session starting in the next 24 hours.
    Each booking is claimed by a conditional update, so two runs never remind twice."""
    now = now or timezone.now()
    due = Booking.objects.filter(
        status=Booking.Status.CONFIRMED, reminder_sent_at__isnull=True, start__gt=now, start__lte=now + timedelta(1)
    ).values_list("pk", flat=True)
    sent = 0
    for pk in due:
        with transaction.atomic():
            if Booking.objects.filter(pk=pk, reminder_sent_at__isnull=True).update(reminder_sent_at=now):
                emails.booking_reminder(Booking.objects.select_related("client", "session_type").get(pk=pk))
                sent += 1
    return sent


def can_client_change(booking: Booking, now: datetime | None = None) -> bool:
    try:
        _check_change_window(booking, now)
    except BookingError:
        return False
    return booking.holds_time


# --- helpers ---


def _time_freed(start: datetime) -> None:
    """Once the change commits, the waitlist of the freed time's day is offered what is free on it."""
    send_after_commit("bookings.tasks.offer_freed_time", start.isoformat())


def _set_times(booking: Booking, start: datetime) -> None:
    """The session's end and the time it holds, summed in real time (slots.held): a session across
    a change of the clocks lasts what it says, as the free times that offered it assumed."""
    shape = scheduling.session_shape(booking.session_type)
    booking.start = start
    booking.end = slots.held(start, slots.SessionShape(shape.duration)).end
    held = slots.held(start, shape)
    booking.held_start, booking.held_end = held.start, held.end


def find_or_make_client(*, email: str, name: str, phone: str = "", company: str = "") -> tuple[Client, bool]:
    """The client with this email (any case), and whether they were made just now (a first booking,
    a first team day)."""
    client = Client.objects.filter(email__iexact=email).first()
    if client is not None:
        return client, False
    try:
        with transaction.atomic():
            return Client.objects.create(name=name, email=email, phone=phone, company=company), True
    except IntegrityError:  # the same person's other request made them a moment ago
        return Client.objects.get(email__iexact=email), False


def _client_for(request: BookingRequest) -> Client:
    """The client with this email (any case), made on their first booking; details kept up to date."""
    client, made = find_or_make_client(
        email=request.email, name=request.name, phone=request.phone, company=request.company
    )
    if made:
        return client
    changed = {
        k: v for k, v in (("phone", request.phone), ("company", request.company)) if v and v != getattr(client, k)
    }
    if changed:
        Client.objects.filter(pk=client.pk).update(**changed)
    return client


def _keep_answers_and_terms(booking: Booking, request: BookingRequest) -> None:
    """The intake answers (with each question's wording as asked) and the terms accepted, if any."""
    IntakeAnswer.objects.bulk_create(
        IntakeAnswer(
            booking=booking, question_id=answer.question_id, question_text=answer.question_text,
            answer=answer.answer, order=n,
        )
        for n, answer in enumerate(request.intake_answers)
    )  # fmt: skip
    if request.accepted_terms is not None:
        TermsAcceptance.objects.create(
            booking=booking,
            terms=request.accepted_terms,
            accepted_at=timezone.now(),
            accepted_from=_ip_address_or_none(request.client_address),
        )


def _ip_address_or_none(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def _record(booking: Booking, to: str, *, by, reason: str = "") -> None:
    history.record_change(booking, before=booking.status, after=to, by=by, for_client=booking.client, reason=reason)


def _studio_times(*moments: datetime) -> list[str]:
    """The moments on the studio's clock (its zone read once)."""
    tz = Availability.load().tz
    return [f"{moment.astimezone(tz):%a %d %b %Y %H:%M}" for moment in moments]


def _why_lapsed(booking: Booking) -> str:
    if booking.lapses_at and booking.lapses_at >= booking.start:
        return "not confirmed before the session was due to start"
    hours = round((booking.lapses_at - booking.created_at).total_seconds() / 3600) if booking.lapses_at else 0
    return f"no answer within {hours} hours" if hours > 0 else "not confirmed in time"


@contextmanager
def _deposit_errors():
    """A deposit that can't be changed now stops the change, saying why. (Refunds no longer can: the
    provider is asked by a task once the change is saved.)"""
    try:
        yield
    except deposits.DepositError as exc:
        raise BookingError(str(exc)) from exc


def _locked(booking: Booking) -> Booking:
    return Booking.objects.select_for_update().select_related("client", "session_type").get(pk=booking.pk)


def _check_change_window(booking: Booking, now: datetime | None) -> None:
    hours = Availability.load().change_notice_hours
    if (now or timezone.now()) > booking.start - timedelta(hours=hours):
        raise BookingError(
            f"Sessions can be changed online until {hours} hours before they start. "
            f"Please call or email the studio instead."
        )


def _refuse_time_the_studio_is_busy(
    session_type: SessionType, start: datetime, *, ignoring: Booking | None = None
) -> None:
    """The studio may book outside its hours, but never onto another booking or a team day."""
    if scheduling.overlaps_holding(session_type, start, ignoring=ignoring):
        raise _time_taken(session_type, start, ignoring=ignoring)
    team_day = scheduling.team_day_during(session_type, start)
    if team_day is not None:
        raise TimeTaken(
            team_day_clash(team_day), nearest=scheduling.nearest_free_starts(session_type, start, ignoring=ignoring)
        )


def team_day_clash(team_day: TeamDay) -> str:
    return (
        f"That time overlaps the team day at {team_day.company} on {team_day.date:%A %-d %B} "
        f"({team_day.start:%H:%M} to {team_day.end:%H:%M}). Please choose another time."
    )


def _time_taken(session_type: SessionType, start: datetime, ignoring: Booking | None = None) -> TimeTaken:
    when = start.astimezone(Availability.load().tz)
    return TimeTaken(
        f"Sorry, {when:%H:%M} on {when:%A %-d %B} was just taken by someone else. Please choose another time.",
        nearest=scheduling.nearest_free_starts(session_type, start, ignoring=ignoring),
    )


def _not_free(session_type: SessionType, start: datetime, ignoring: Booking | None = None) -> TimeTaken:
    """Why a time can't be had: another booking holds it, or it was never open (past, too soon, closed)."""
    if scheduling.overlaps_holding(session_type, start, ignoring=ignoring):
        return _time_taken(session_type, start, ignoring=ignoring)
    return TimeTaken(
        "That time isn't open for booking: it may be in the past, too soon, or outside our hours. "
        "Please choose one of the times shown.",
        nearest=scheduling.nearest_free_starts(session_type, start, ignoring=ignoring),
    )


def prepare_example_photo(photo_id: int) -> None:
    """Make the web copy of a session type's example photo (no metadata, long edge 960 px).
    Safe to run twice: a photo that has its copy is left alone."""
    photo = SessionTypePhoto.objects.filter(pk=photo_id).select_related("session_type").first()
    if photo is None or photo.image or not photo.original:
        return
    try:
        with photo.original.open("rb") as original:
            renditions = imaging.make_renditions(original)
    except imaging.ImageRejected as exc:
        SessionTypePhoto.objects.filter(pk=photo_id).update(error=str(exc))
        return
    photo.image.save(f"{photo.session_type.slug}-{photo.pk}.jpg", ContentFile(renditions.thumb_2x), save=False)
    photo.width, photo.height = renditions.thumb_2x_size
    photo.error = ""
    photo.save(update_fields=["image", "width", "height", "error"])
