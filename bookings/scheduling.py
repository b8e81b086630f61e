"""Free times for the booking form: loads the studio's rules and busy time, asks `slots` for starts.

The queries live here; the arithmetic lives in the pure `bookings.slots` module.
"""

from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta

from django.db import models
from django.utils import timezone

from . import slots
from .models import Availability, Booking, SessionType, TeamDay, TimeOff, WaitlistOffer


def session_shape(session_type: SessionType) -> slots.SessionShape:
    return slots.SessionShape(
        duration=timedelta(minutes=session_type.duration_minutes),
        buffer_before=timedelta(minutes=session_type.buffer_before_minutes),
        buffer_after=timedelta(minutes=session_type.buffer_after_minutes),
    )


def load_rules(availability: Availability | None = None) -> slots.Rules:
    availability = availability or Availability.load()
    tz = availability.tz
    days_off: set[date] = set()
    hours_off: list[slots.Interval] = []
    for time_off in TimeOff.objects.all():
        if time_off.whole_days:  # the quick path: a day off is skipped without looking at its times
            first, last = time_off.first_day, time_off.last_day
            days_off.update(first + timedelta(days=n) for n in range((last - first).days + 1))
        else:
            start, end = time_off.span(tz)
            if end.astimezone(UTC) > start.astimezone(UTC):  # not an hour the clocks skip
                hours_off.append(slots.Interval(start, end))
    # A team day's hours: the photographer is at the company then. Part of the rules (and so of
    # their cache, forgotten when a team day is saved) rather than one more query per visit.
    hours_off += team_day_hours(timezone.now().astimezone(tz).date() - timedelta(days=1), tz)
    return slots.Rules(
        tz=tz,
        working_hours=tuple(
            slots.WorkingRange(weekday=h.weekday, start=h.start, end=h.end) for h in availability.working_hours.all()
        ),
        days_off=frozenset(days_off),
        hours_off=tuple(hours_off),
        min_notice=timedelta(hours=availability.min_notice_hours),
        horizon=timedelta(days=availability.horizon_days),
        step=timedelta(minutes=availability.step_minutes),
        max_per_day=availability.max_sessions_per_day,
    )


def free_starts(
    session_type: SessionType,
    first_day: date,
    last_day: date,
    *,
    rules: slots.Rules | None = None,
    now: datetime | None = None,
    ignoring: Booking | None = None,
) -> list[datetime]:
    """Start times (aware, in the studio's zone) a client may choose between two local dates.

    `ignoring` leaves one booking's own time out of the busy time (to offer times for moving it).
    """
    rules = rules or load_rules()
    tz = rules.tz
    # One day of margin either side: buffers and zone offsets can reach across midnight.
    window_start = datetime.combine(first_day - timedelta(days=1), datetime.min.time(), tz)
    window_end = datetime.combine(last_day + timedelta(days=2), datetime.min.time(), tz)
    holding = Booking.objects.filter(
        status__in=Booking.HOLDING, held_start__lt=window_end, held_end__gt=window_start
    ).exclude(pk=ignoring.pk if ignoring else None)
    now = now or timezone.now()
    busy = []
    per_day: Counter[date] = Counter()
    # Bookings and open waitlist offers hold time alike; one query reads both.
    columns = ("held_start", "held_end", "start")
    held = (
        holding.order_by()
        .values_list(*columns)
        .union(offers_holding(window_start, window_end, now).order_by().values_list(*columns), all=True)
    )
    for held_start, held_end, start in held:
        busy.append(slots.Interval(held_start, held_end))
        per_day[start.astimezone(tz).date()] += 1
    return slots.free_starts(
        session_shape(session_type),
        rules,
        first_day,
        last_day,
        now=now,
        busy=busy,
        sessions_per_day=per_day,
    )


def free_days(
    session_type: SessionType, first_day: date, last_day: date, *, rules: slots.Rules | None = None
) -> dict[date, list[datetime]]:
    """The free starts of each local day between two dates that has any (the booking calendar's month)."""
    rules = rules or load_rules()
    days: defaultdict[date, list[datetime]] = defaultdict(list)
    for start in free_starts(session_type, first_day, last_day, rules=rules):
        days[start.astimezone(rules.tz).date()].append(start)
    return dict(days)


def is_free(session_type: SessionType, start: datetime, *, ignoring: Booking | None = None) -> bool:
    rules = load_rules()
    day = start.astimezone(rules.tz).date()
    wanted = start.astimezone(UTC)
    return any(s.astimezone(UTC) == wanted for s in free_starts(session_type, day, day, rules=rules, ignoring=ignoring))


def nearest_free_starts(
    session_type: SessionType, around: datetime, *, count: int = 5, ignoring: Booking | None = None
) -> list[datetime]:
    """The free starts closest to a wanted time: what to offer when that time was just taken."""
    rules = load_rules()
    day = around.astimezone(rules.tz).date()
    candidates = free_starts(
        session_type, day - timedelta(days=7), day + timedelta(days=14), rules=rules, ignoring=ignoring
    )
    # Compare instants in UTC: within one zone Python compares wall clocks, which is ambiguous
    # in the repeated hour of a fall-back night.
    wanted = around.astimezone(UTC)
    nearest = sorted(candidates, key=lambda s: abs(s.astimezone(UTC) - wanted))[:count]
    return sorted(nearest, key=lambda s: s.astimezone(UTC))


def booking_days(rules: slots.Rules) -> tuple[date, date]:
    """The first and last local dates a client may book: today, and the day the horizon ends."""
    now = timezone.now()
    return now.astimezone(rules.tz).date(), (now + rules.horizon).astimezone(rules.tz).date()


def first_free_day(
    session_type: SessionType, *, after: date | None = None, rules: slots.Rules | None = None
) -> date | None:
    """The first day with a free time: from today, or from the day after `after`."""
    rules = rules or load_rules()
    first, last = booking_days(rules)
    if after is not None:
        first = after + timedelta(days=1)
    starts = free_starts(session_type, first, last, rules=rules)
    return starts[0].astimezone(rules.tz).date() if starts else None


def overlaps_holding(session_type: SessionType, start: datetime, *, ignoring: Booking | None = None) -> bool:
    """Whether a session starting then would overlap a requested or confirmed booking."""
    held = slots.held(start, session_shape(session_type))
    return (
        Booking.objects.filter(status__in=Booking.HOLDING, held_start__lt=held.end, held_end__gt=held.start)
        .exclude(pk=ignoring.pk if ignoring else None)
        .exists()
    )


def team_day_during(session_type: SessionType, start: datetime) -> TeamDay | None:
    """The team day whose hours a session starting then (with its buffers) would overlap: the
    photographer is at that company then, whoever books."""
    held = slots.held(start, session_shape(session_type))
    tz = Availability.load().tz
    first, last = held.start.astimezone(tz).date(), held.end.astimezone(tz).date()
    for day in TeamDay.objects.filter(date__range=(first, last)).order_by("date", "start"):
        starts, ends = datetime.combine(day.date, day.start, tz), datetime.combine(day.date, day.end, tz)
        if starts < held.end and ends > held.start:
            return day
    return None


def holding_during(time_off: TimeOff) -> models.QuerySet[Booking]:
    """Requested and confirmed sessions that overlap time off (its days, or its hours)."""
    start, end = time_off.span(Availability.load().tz)
    return (
        Booking.objects.filter(status__in=Booking.HOLDING, start__lt=end, end__gt=start)
        .select_related("client", "session_type")
        .order_by("start")
    )


def offers_holding(window_start: datetime, window_end: datetime, now: datetime) -> models.QuerySet[WaitlistOffer]:
    """Waitlist offers still open at `now` whose held time falls in the window: a time offered to a
    waiting client is kept for them, like a booking's, until they answer or the offer runs out."""
    return WaitlistOffer.objects.filter(
        status=WaitlistOffer.Status.OFFERED, expires_at__gt=now, held_start__lt=window_end, held_end__gt=window_start
    )


def team_day_hours(first_day: date, tz) -> list[slots.Interval]:
    """The hours of each team day from a local date on."""
    days = TeamDay.objects.filter(date__gte=first_day).values_list("date", "start", "end")
    return [slots.Interval(datetime.combine(d, start, tz), datetime.combine(d, end, tz)) for d, start, end in days]
