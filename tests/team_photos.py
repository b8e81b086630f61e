"""Rows for a team day's photos in tests: the day and its people (times set directly, as the day's
own pages would set them), its shoot, and photos as the pipeline leaves them."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from bookings.models import SessionType, TeamBreak, TeamDay, TeamMember
from galleries import team_split
from galleries.models import Photo, TeamShoot
from tests.factories import make_session_type, open_every_day, processed_row

FIRST_NAMES = (
    "Amara", "Bob", "Chiara", "Dan", "Elif", "Farid", "Grace", "Hiroshi", "Ines", "Jonas", "Kemi", "Lars",
    "Maya", "Niamh", "Oskar", "Priya", "Quentin", "Rosa", "Sipho", "Tomasz",
)  # fmt: skip
LAST_NAMES = ("Okafor", "Mensah", "Rossi-Whitfield", "Lindqvist", "Nakamura", "Byrne", "Haddad", "Kowalski")


def people(count: int) -> list[tuple[str, str]]:
    """`count` real-looking names with work addresses, Bob Mensah second."""
    named = []
    for n in range(count):
        first, last = FIRST_NAMES[n % len(FIRST_NAMES)], LAST_NAMES[(n + n // len(FIRST_NAMES)) % len(LAST_NAMES)]
        email = f"{first}.{last}{'' if n < len(FIRST_NAMES) else n}@harbourline.example".lower()
        named.append((f"{first} {last}", email))
    return named


def make_team_day(
    *,
    people_count: int = 40,
    slot_minutes: int = 10,
    start: time = time(9),
    lunch: tuple[time, time] | None = (time(12), time(13)),
    on: date | None = None,
    zone: str = "America/Toronto",
    **fields,
) -> TeamDay:
    """A company's day with everyone given a time, one after another, skipping the lunch break."""
    availability = open_every_day(time_zone=zone)
    tz = availability.tz
    on = on or timezone.now().astimezone(tz).date() + timedelta(days=14)
    session = SessionType.objects.filter(slug="team-headshot").first() or make_session_type(
        kind="headshot", name="Team headshot", slug="team-headshot"
    )
    times = []
    moment = datetime.combine(on, start, tz)
    while len(times) < people_count:
        if lunch and datetime.combine(on, lunch[0], tz) <= moment < datetime.combine(on, lunch[1], tz):
            moment = datetime.combine(on, lunch[1], tz)
            continue
        times.append(moment)
        moment += timedelta(minutes=slot_minutes)
    defaults = {
        "company": "Harbourline Logistics",
        "coordinator_name": "Ines Haddad",
        "coordinator_email": "ines.haddad@harbourline.example",
        "session_type": session,
        "date": on,
        "start": start,
        "end": moment.time(),
        "slot_minutes": slot_minutes,
        "photos_each": 2,
        "extra_price": Decimal("25.00"),
    }
    day = TeamDay.objects.create(**(defaults | fields))
    if lunch:
        TeamBreak.objects.create(day=day, start=lunch[0], end=lunch[1], label="Lunch")
    for (name, email), slot_start in zip(people(people_count), times, strict=True):
        TeamMember.objects.create(day=day, name=name, email=email, slot_start=slot_start)
    return day


def add_shoot_photos(shoot: TeamShoot, captures: list[datetime | None], *, first: int = 0) -> list[Photo]:
    """Processed photos in the day's gallery taken at `captures` (the camera's clock), rows only."""
    rows = [processed_row(shoot.gallery, n, content_hash=f"team-{shoot.pk}-{n}", captured_at=captured)
            for n, captured in enumerate(captures, start=first)]  # fmt: skip
    return Photo.objects.bulk_create(rows)


def member(day: TeamDay, name: str) -> TeamMember:
    return day.members.get(name=name)


def published_day(**fields) -> tuple[TeamDay, TeamShoot]:
    """A small day (six people) whose photos are split and every gallery published: three each."""
    day = make_team_day(people_count=6, lunch=None, **fields)
    shoot = team_split.start_shoot(day)
    captures = [m.slot_start + timedelta(minutes=2 + 2 * k) for m in day.members.all() for k in range(3)]
    add_shoot_photos(shoot, captures)
    team_split.split_shoot(shoot)
    team_split.publish_day(shoot)
    return day, shoot
