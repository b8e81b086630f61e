"""The waitlist of full days: clients wait for a day with no free time, and when a held time on it
frees up (a booking cancelled, declined, lapsed or moved away), the first of them whose session
fits is offered it by email. The time is kept for them for Availability.waitlist_offer_hours; if
they decline or let it run out, the next one is offered it, and when nobody is left it is free.

One offer is taken once: taking it is a conditional UPDATE of the offer's row, and the booking it
makes goes through `services.request_booking` (on PostgreSQL, the exclusion constraint on held
times). Offers are made one transaction at a time (the studio's Availability row is locked while
one is made), and on PostgreSQL two open offers can never hold overlapping times either.
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from photostudio.outbox import queue_email
from photostudio.queueing import send_after_commit
from photostudio.studio_zone import studio_zone

from . import scheduling, services, slots
from .models import Availability, Booking, SessionType, WaitlistDay, WaitlistEntry, WaitlistOffer

log = logging.getLogger(__name__)

ENTRY_SALT = "bookings.waitlist-entry"
OFFER_SALT = "bookings.waitlist-offer"
ENTRY_LINK_LIFETIME = timedelta(days=400)  # longer than any horizon: an entry expires after its last day anyway
OFFER_LINK_LIFETIME = timedelta(days=7)  # an offer is held for hours; the link only has to say how it ended


class WaitlistError(Exception):
    """A waitlist step that cannot happen; the message is meant for the client who tried."""


class OfferGone(WaitlistError):
    """The offer can no longer be taken: taken already, declined, or its hold ran out."""


class LinkExpired(Exception):
    pass


# --- joining and leaving ---


def why_day_cannot_wait(session_type: SessionType, day: date, *, now: datetime | None = None) -> str | None:
    """Why a client can't join the waitlist of `day` for this session, or None if they can: it must
    be a bookable day on which the studio works, with no free time left to book right now."""
    now = now or timezone.now()
    rules = scheduling.load_rules()
    today, last = now.astimezone(rules.tz).date(), (now + rules.horizon).astimezone(rules.tz).date()
    if day < today:
        return f"{day:%A %-d %B} has passed. Please choose a day from today on."
    if day > last:
        return f"We take bookings up to {last:%-d %B %Y}, so a waitlist can't go further. Please choose an earlier day."
    if scheduling.free_starts(session_type, day, day, rules=rules, now=now):
        return f"{day:%A %-d %B} still has free times: you can book one now instead of waiting."
    # Full only because of bookings (and offers): with none, would the day have had a time?
    if not day_has_sessions(session_type, day, rules, now=now):
        return f"We have no sessions to offer on {day:%A %-d %B} (the studio is closed or it is too soon)."
    return None


def day_has_sessions(session_type: SessionType, day: date, rules: slots.Rules, *, now: datetime | None = None) -> bool:
    """Whether the studio would have a time for this session on `day` if nothing were booked (no
    queries): a day with no free time that passes this is full, and worth waiting for."""
    now = now or timezone.now()
    return bool(slots.free_starts(scheduling.session_shape(session_type), rules, day, day, now=now))


@transaction.atomic
def join_waitlist(
    *, session_type: SessionType, days: list[date], name: str, email: str, address: str = ""
) -> WaitlistEntry:
    """Put a client on the waitlist of each day (checked by the form with `why_day_cannot_wait`)
    and email them a confirmation with the link to leave it."""
    days = sorted(set(days))
    if not days:
        raise WaitlistError("Please choose at least one day.")
    entry = WaitlistEntry.objects.create(
        session_type=session_type, name=name, email=email, address=address, last_day=days[-1]
    )
    WaitlistDay.objects.bulk_create(WaitlistDay(entry=entry, day=day) for day in days)
    _email_joined(entry, days)
    return entry


def leave_waitlist(entry: WaitlistEntry) -> bool:
    """Take a client off the waitlist: no more offers. An offer they hold now is passed on at once.
    True if they were waiting; leaving twice is harmless."""
    now = timezone.now()
    with transaction.atomic():
        left = WaitlistEntry.objects.filter(pk=entry.pk, status=WaitlistEntry.Status.WAITING).update(
            status=WaitlistEntry.Status.LEFT
        )
        open_offers = list(
            WaitlistOffer.objects.filter(entry=entry, status=WaitlistOffer.Status.OFFERED).select_for_update()
        )
        WaitlistOffer.objects.filter(pk__in=[offer.pk for offer in open_offers]).update(
            status=WaitlistOffer.Status.DECLINED, answered_at=now
        )
        for offer in open_offers:
            _pass_on_after_commit(offer)
    return bool(left)


# --- offering a freed time ---


def offer_freed_time(freed_start: datetime, *, now: datetime | None = None) -> list[WaitlistOffer]:
    """A held time starting at `freed_start` was freed: offer the free times of its day to the
    clients waiting for it."""
    tz = Availability.load().tz
    return offer_free_times(freed_start.astimezone(tz).date(), now=now)


def offer_free_times(day: date, *, now: datetime | None = None) -> list[WaitlistOffer]:
    """Offer each free time of `day` to the first waiting client whose session fits it, in the
    order they joined. A client offered a time on that day before, or who has booked since
    joining, is passed over. Safe to run twice: an open offer holds its time, so a second run
    finds nothing free (or nobody left) and does nothing."""
    now = now or timezone.now()
    availability = Availability.load()
    if day < now.astimezone(availability.tz).date():
        return []
    made: list[WaitlistOffer] = []
    with transaction.atomic():
        # One offering at a time, so a time found free here is still free when its offer is stored.
        Availability.objects.select_for_update().filter(pk=availability.pk).first()
        _end_overdue_offers(now, day=day)
        rules = scheduling.load_rules(availability)
        for entry in _waiting_for(day):
            if _booked_since_joining(entry):
                WaitlistEntry.objects.filter(pk=entry.pk).update(status=WaitlistEntry.Status.BOOKED)
                continue
            starts = scheduling.free_starts(entry.session_type, day, day, rules=rules, now=now)
            if not starts:
                continue  # nothing free for a session this long: the next client's may fit
            offer = _make_offer(entry, day, starts[0], now=now, availability=availability)
            if offer is not None:
                made.append(offer)
    return made


def pass_on_expired_offers(*, now: datetime | None = None) -> int:
    """Offers whose hold ran out go to the next waiting client (Celery beat, every few minutes).
    Returns how many new offers were made. Safe to run twice."""
    now = now or timezone.now()
    overdue = WaitlistOffer.objects.filter(status=WaitlistOffer.Status.OFFERED, expires_at__lte=now)
    days = set(overdue.values_list("day", flat=True))
    overdue.update(status=WaitlistOffer.Status.EXPIRED, answered_at=now)  # a past day's too: nothing to pass on
    return sum(len(offer_free_times(day, now=now)) for day in sorted(days))


def expire_past_entries(*, now: datetime | None = None) -> int:
    """Entries whose last day has passed expire: they are offered nothing more."""
    now = now or timezone.now()
    today = now.astimezone(Availability.load().tz).date()
    return WaitlistEntry.objects.filter(status=WaitlistEntry.Status.WAITING, last_day__lt=today).update(
        status=WaitlistEntry.Status.EXPIRED
    )


def offer_waiting_days(*, now: datetime | None = None) -> int:
    """Offer any free time on a day someone is waiting for: finishes what a lost task left (the
    broker down when a time was freed) and catches times freed another way (new working hours)."""
    now = now or timezone.now()
    today = now.astimezone(Availability.load().tz).date()
    days = set(
        WaitlistDay.objects.filter(entry__status=WaitlistEntry.Status.WAITING, day__gte=today).values_list(
            "day", flat=True
        )
    )
    return sum(len(offer_free_times(day, now=now)) for day in sorted(days))


@dataclass(frozen=True)
class Tidied:
    expired_entries: int
    offers_passed_on: int
    offers_made: int


def tidy_waitlist(*, now: datetime | None = None) -> Tidied:
    """The beat task's round: expire past entries, pass on offers not taken in time, offer what is free."""
    now = now or timezone.now()
    return Tidied(
        expired_entries=expire_past_entries(now=now),
        offers_passed_on=pass_on_expired_offers(now=now),
        offers_made=offer_waiting_days(now=now),
    )


# --- answering an offer ---


def take_offer(offer: WaitlistOffer, *, now: datetime | None = None) -> Booking:
    """Book the offered time for the client, as the booking form would (with its emails). Raises
    OfferGone if it was taken, declined or ran out first, and services.BookingError if the time
    can't be booked after all."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            # The claim: of two clicks racing, the second waits on this row and then updates nothing.
            claimed = WaitlistOffer.objects.filter(
                pk=offer.pk, status=WaitlistOffer.Status.OFFERED, expires_at__gt=now
            ).update(status=WaitlistOffer.Status.TAKEN, answered_at=now)
            if not claimed:
                raise OfferGone(why_offer_is_closed(offer.pk, now=now))
            offer = WaitlistOffer.objects.select_related("entry__session_type").get(pk=offer.pk)
            entry = offer.entry
            session_type = entry.session_type
            on_location = not session_type.allows_studio
            booking = services.request_booking(
                services.BookingRequest(
                    session_type=session_type,
                    start=offer.start,
                    name=entry.name,
                    email=entry.email,
                    location=Booking.Location.ON_LOCATION if on_location else Booking.Location.STUDIO,
                    address=entry.address if on_location else "",
                    message="Booked from the waitlist.",
                )
            )
            WaitlistOffer.objects.filter(pk=offer.pk).update(booking=booking)
            WaitlistEntry.objects.filter(pk=entry.pk).update(status=WaitlistEntry.Status.BOOKED)
    except services.TimeTaken as exc:
        # Booked by someone else in the instant before the offer was made: nothing left to hold.
        WaitlistOffer.objects.filter(pk=offer.pk, status=WaitlistOffer.Status.OFFERED).update(
            status=WaitlistOffer.Status.EXPIRED, answered_at=now
        )
        raise OfferGone(
            "Sorry, this time can no longer be booked: someone took it a moment before we could keep it for you, "
            "or our hours changed. You're still on the waitlist: we'll email you if another time frees up."
        ) from exc
    return booking


def decline_offer(offer: WaitlistOffer, *, now: datetime | None = None) -> bool:
    """The client doesn't want the time: it goes to the next waiting client at once. True if
    declined now; declining twice is harmless."""
    now = now or timezone.now()
    with transaction.atomic():
        declined = WaitlistOffer.objects.filter(
            pk=offer.pk, status=WaitlistOffer.Status.OFFERED, expires_at__gt=now
        ).update(status=WaitlistOffer.Status.DECLINED, answered_at=now)
        if declined:
            _pass_on_after_commit(offer)
    return bool(declined)


def why_offer_is_closed(offer_id: int, *, now: datetime | None = None) -> str:
    """What to tell a client whose offer can't be taken any more, read afresh from the database."""
    offer = WaitlistOffer.objects.filter(pk=offer_id).first()
    if offer is None:
        return "This offer no longer exists."
    return offer_closed_reason(offer, now=now)


def offer_closed_reason(offer: WaitlistOffer, *, now: datetime | None = None) -> str:
    """Why this offer, as loaded, can't be taken any more; "" while it is open."""
    now = now or timezone.now()
    if offer.status == WaitlistOffer.Status.TAKEN:
        return "This time has already been booked through this offer. Look for the email with your booking request."
    if offer.status == WaitlistOffer.Status.DECLINED:
        return "You declined this time, so it has gone to the next person on the waitlist."
    if offer.status == WaitlistOffer.Status.EXPIRED or offer.expires_at <= now:
        held_until = offer.expires_at.astimezone(studio_zone())
        return (
            f"We kept this time for you until {held_until:%H:%M on %A %-d %B}; it has now gone to the next "
            "person on the waitlist."
        )
    return ""


# --- signed links ---


def entry_token(entry: WaitlistEntry) -> str:
    return signing.TimestampSigner(salt=ENTRY_SALT).sign(str(entry.pk))


def offer_token(offer: WaitlistOffer) -> str:
    return signing.TimestampSigner(salt=OFFER_SALT).sign(str(offer.pk))


def entry_for_token(token: str) -> WaitlistEntry:
    """The entry a link is for. Raises WaitlistEntry.DoesNotExist for a forged link (or one whose
    entry was deleted) and LinkExpired for one that is too old."""
    pk = _unsign(token, ENTRY_SALT, ENTRY_LINK_LIFETIME, WaitlistEntry.DoesNotExist)
    return WaitlistEntry.objects.select_related("session_type").get(pk=pk)


def offer_for_token(token: str) -> WaitlistOffer:
    pk = _unsign(token, OFFER_SALT, OFFER_LINK_LIFETIME, WaitlistOffer.DoesNotExist)
    return WaitlistOffer.objects.select_related("entry__session_type").get(pk=pk)


def _unsign(token: str, salt: str, lifetime: timedelta, missing: type[Exception]) -> int:
    try:
        value = signing.TimestampSigner(salt=salt).unsign(token, max_age=lifetime)
    except signing.SignatureExpired as exc:
        raise LinkExpired from exc
    except signing.BadSignature as exc:
        raise missing from exc
    if not value.isdigit() or len(value) > 18:  # only the studio signs these, but never trust a parse
        raise missing
    return int(value)


def entry_url(entry: WaitlistEntry) -> str:
    return settings.SITE_URL + reverse("waitlist_entry", args=[entry_token(entry)])


def leave_url(entry: WaitlistEntry) -> str:
    return settings.SITE_URL + reverse("leave_waitlist", args=[entry_token(entry)])


def offer_url(offer: WaitlistOffer) -> str:
    return settings.SITE_URL + reverse("waitlist_offer", args=[offer_token(offer)])


# --- helpers ---


def _waiting_for(day: date):
    """Entries waiting for `day` and not yet offered a time on it, first joined first."""
    return (
        WaitlistEntry.objects.filter(
            status=WaitlistEntry.Status.WAITING, days__day=day, session_type__is_active=True, last_day__gte=day
        )
        .exclude(offers__day=day)
        .select_related("session_type")
        .order_by("created_at", "pk")
    )


def _booked_since_joining(entry: WaitlistEntry) -> bool:
    return Booking.objects.filter(
        client__email__iexact=entry.email, status__in=Booking.HOLDING, created_at__gte=entry.created_at
    ).exists()


def _end_overdue_offers(now: datetime, *, day: date) -> int:
    """Open offers on `day` whose hold ran out become expired, freeing their time for the next."""
    return WaitlistOffer.objects.filter(day=day, status=WaitlistOffer.Status.OFFERED, expires_at__lte=now).update(
        status=WaitlistOffer.Status.EXPIRED, answered_at=now
    )


def _make_offer(
    entry: WaitlistEntry, day: date, start: datetime, *, now: datetime, availability: Availability
) -> WaitlistOffer | None:
    shape = scheduling.session_shape(entry.session_type)
    held = slots.held(start, shape)
    # Held for the studio's set time, and never past the moment the minimum notice would forbid
    # booking it, so a client who takes it in time always can.
    expires_at = min(
        now + timedelta(hours=availability.waitlist_offer_hours),
        start - timedelta(hours=availability.min_notice_hours),
    )
    try:
        with transaction.atomic():
            offer = WaitlistOffer.objects.create(
                entry=entry,
                day=day,
                start=start,
                end=slots.held(start, slots.SessionShape(shape.duration)).end,
                held_start=held.start,
                held_end=held.end,
                expires_at=expires_at,
            )
            _email_offer(offer, availability)
    except IntegrityError:
        # Another run offered this client this day, or another offer holds the time: theirs stands.
        log.info("waitlist: offer to entry %s on %s made elsewhere", entry.pk, day)
        return None
    return offer


def _pass_on_after_commit(offer: WaitlistOffer) -> None:
    send_after_commit("bookings.tasks.offer_freed_time", offer.start.isoformat())


# --- emails ---


def _email_joined(entry: WaitlistEntry, days: list[date]) -> None:
    tz = Availability.load().tz
    queue_email(
        "waitlist_joined",
        to=entry.email,
        reply_to=settings.STUDIO_EMAIL,
        context={
            "entry": entry,
            "session": entry.session_type,
            "days": days,
            "zone": tz.key,
            "entry_url": entry_url(entry),
            "leave_url": leave_url(entry),
            "site_url": settings.SITE_URL,
        },
        about=entry,
    )


def _email_offer(offer: WaitlistOffer, availability: Availability) -> None:
    tz = availability.tz
    entry = offer.entry
    queue_email(
        "waitlist_offer",
        to=entry.email,
        reply_to=settings.STUDIO_EMAIL,
        context={
            "entry": entry,
            "offer": offer,
            "session": entry.session_type,
            "start": offer.start.astimezone(tz),
            "end": offer.end.astimezone(tz),
            "held_until": offer.expires_at.astimezone(tz),
            "zone": tz.key,
            "offer_url": offer_url(offer),
            "leave_url": leave_url(entry),
            "site_url": settings.SITE_URL,
        },
        about=offer,
    )
