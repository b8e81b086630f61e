"""Team days: a company's day of short times at one set-up, each person picking their own.

The day's times are worked out from its hours, its length per person and its breaks, on the
studio's clock. The database guarantees no two people share a time (the unique constraint on
day and start); everything here turns that guarantee into plain answers for people.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from photostudio.outbox import queue_email
from photostudio.spreadsheets import inert_cell
from photostudio.studio_zone import studio_zone

from . import calendar
from .models import Booking, TeamDay, TeamMember

MAX_PEOPLE_PER_LIST = 500  # a pasted list longer than a company's headcount is a mistake


class TeamDayError(Exception):
    """A change a person asked for that cannot be made; the message says why, in their words."""


class TimeTaken(TeamDayError):
    def __init__(self, message: str, *, free: list[datetime]) -> None:
        super().__init__(message)
        self.free = free


@dataclass(frozen=True)
class Slot:
    start: datetime  # aware, on the studio's clock
    end: datetime
    for_walk_ins: bool


# --- the day's times ---


def day_span(day: TeamDay, tz=None) -> tuple[datetime, datetime]:
    tz = tz or studio_zone()
    return datetime.combine(day.date, day.start, tz), datetime.combine(day.date, day.end, tz)


def slot_times(
    day_date: date,
    start: time,
    end: time,
    *,
    minutes: int,
    breaks: list[tuple[time, time]],
    walk_ins: int,
    tz,
) -> list[Slot]:
    """Each time of the day, from its start to its end, `minutes` long, none overlapping a break;
    the last `walk_ins` are kept for people who turn up without one. Arithmetic is done in UTC so
    a slot is always `minutes` of real time, whatever the wall clock does."""
    length = timedelta(minutes=minutes)
    day_start = datetime.combine(day_date, start, tz).astimezone(UTC)
    day_end = datetime.combine(day_date, end, tz).astimezone(UTC)
    pauses = sorted(
        (datetime.combine(day_date, b_start, tz).astimezone(UTC), datetime.combine(day_date, b_end, tz).astimezone(UTC))
        for b_start, b_end in breaks
    )
    starts = []
    moment = day_start
    while moment + length <= day_end:
        clash = next((p for p in pauses if p[0] < moment + length and p[1] > moment), None)
        if clash:
            moment = max(clash[1], moment + timedelta(minutes=1))
            continue
        starts.append(moment)
        moment += length
    first_walk_in = max(len(starts) - walk_ins, 0)
    return [
        Slot(s.astimezone(tz), (s + length).astimezone(tz), for_walk_ins=n >= first_walk_in)
        for n, s in enumerate(starts)
    ]


def slots(day: TeamDay, tz=None, breaks: list[tuple[time, time]] | None = None) -> list[Slot]:
    if breaks is None:
        breaks = [(b.start, b.end) for b in day.breaks.all()]
    return slot_times(
        day.date,
        day.start,
        day.end,
        minutes=day.slot_minutes,
        breaks=breaks,
        walk_ins=day.walk_in_slots,
        tz=tz or studio_zone(),
    )


def taken_starts(day: TeamDay, *, ignoring: TeamMember | None = None) -> set[datetime]:
    taken = day.members.exclude(slot_start=None).exclude(pk=ignoring.pk if ignoring else None)
    return {s.astimezone(UTC) for s in taken.values_list("slot_start", flat=True)}


def free_slots(day: TeamDay, *, walk_ins: bool = False, ignoring: TeamMember | None = None, now=None) -> list[Slot]:
    """The times nobody holds yet and that are still ahead. Invitees are offered the day's times
    less those kept for walk-ins; on the day, the photographer may give a walk-in any free one."""
    now = now or timezone.now()
    taken = taken_starts(day, ignoring=ignoring)
    return [
        s
        for s in slots(day)
        if (walk_ins or not s.for_walk_ins) and s.start.astimezone(UTC) not in taken and s.start > now
    ]


def parse_start(value: str) -> datetime | None:
    """A chosen time as sent by a form (ISO, with its offset), in UTC; None for anything else
    (junk, a wall time without zone, a year out of range)."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except (ValueError, OverflowError):
        return None
    if moment.utcoffset() is None:
        return None
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        return None


def reminder_day_numbers(text: str) -> list[int]:
    """ "3,1" as [3, 1]: the days before the day to remind people. Raises ValueError with a reason."""
    parts = [p.strip() for p in re.split(r"[,\s]+", text.strip()) if p.strip()]
    numbers = []
    for part in parts:
        if not part.isascii() or not part.isdigit():
            raise ValueError(f"“{part}” is not a number of days. Write whole numbers separated by commas, e.g. 3,1.")
        number = int(part)
        if not 1 <= number <= 60:
            raise ValueError(f"{number} days: reminders go between 1 and 60 days before the day.")
        numbers.append(number)
    return sorted(set(numbers), reverse=True)


# --- lists of people ---


@dataclass(frozen=True)
class Person:
    name: str
    email: str


@dataclass
class PeopleList:
    people: list[Person] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # "Line 4: ... " each
    repeated: list[str] = field(default_factory=list)  # emails given more than once (kept once)


ANGLE = re.compile(r"^(?P<name>.*?)\s*<(?P<email>[^<>]+)>$")


def parse_people(text: str) -> PeopleList:
    """People from a pasted list, one a line: "Name <email>", "Name, email", "email, name" or just
    "email". Bad lines are named with the reason; the good ones are kept; an email given twice
    (in any case) is kept once."""
    return _collect(enumerate(text.splitlines(), start=1), _split_line)


def parse_csv(data: bytes) -> PeopleList:
    """People from a CSV file: columns name and email (a header row is recognised and skipped)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")  # what Excel on Windows saves as "CSV"
        except UnicodeDecodeError:
            return PeopleList(problems=["The file is not text: save it from your spreadsheet as CSV."])
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = csv.reader(io.StringIO(text), dialect)
    try:
        numbered = list(enumerate(rows, start=1))
    except csv.Error as exc:
        return PeopleList(problems=[f"The file could not be read as CSV ({exc})."])
    if numbered and _is_header(numbered[0][1]):
        numbered = numbered[1:]
    return _collect(numbered, _split_row)


def _is_header(row: list[str]) -> bool:
    cells = {c.strip().lower() for c in row}
    return bool(cells & {"email", "e-mail", "email address"}) and "@" not in "".join(row)


def _split_line(line: str) -> tuple[str, str] | None:
    line = line.strip()
    if not line:
        return None
    if match := ANGLE.match(line):
        return match["name"].strip().strip('"'), match["email"].strip()
    if "," in line or "\t" in line or ";" in line:
        return _split_row(re.split(r"[,\t;]", line))
    return ("", line) if "@" in line else (line, "")


def _split_row(row: list[str]) -> tuple[str, str] | None:
    cells = [c.strip() for c in row if c.strip()]
    if not cells:
        return None
    emails = [c for c in cells if "@" in c]
    if not emails:
        return " ".join(cells), ""
    email = emails[0]
    name = " ".join(c for c in cells if c is not email)
    return name, email


def _collect(lines, split) -> PeopleList:
    result = PeopleList()
    seen: set[str] = set()
    for number, raw in lines:
        if len(result.people) >= MAX_PEOPLE_PER_LIST:
            result.problems.append(f"Line {number} and after: at most {MAX_PEOPLE_PER_LIST} people at a time.")
            break
        parts = split(raw)
        if parts is None:
            continue
        name, email = parts
        shown = raw if isinstance(raw, str) else ", ".join(raw)
        if not email:
            result.problems.append(f"Line {number} ({shown.strip()[:80]}): no email address.")
            continue
        try:
            validate_email(email)
        except ValidationError:
            result.problems.append(f"Line {number} ({shown.strip()[:80]}): “{email[:80]}” is not an email address.")
            continue
        if len(email) > 254 or len(name) > 120:
            result.problems.append(f"Line {number}: too long for a name and an email address.")
            continue
        key = email.lower()
        if key in seen:
            result.repeated.append(email)
            continue
        seen.add(key)
        result.people.append(Person(name=name or _name_from_email(email), email=email))
    return result


def _name_from_email(email: str) -> str:
    """ "priya.raman@acme.example" -> "Priya Raman": something to greet them by until they say."""
    local_part = email.split("@", 1)[0]
    words = [w for w in re.split(r"[._\-+]+", local_part) if w]
    return " ".join(w.capitalize() for w in words)[:120] or email[:120]


# --- inviting ---


@dataclass
class Invited:
    added: list[TeamMember] = field(default_factory=list)
    already: list[str] = field(default_factory=list)  # emails on the day already


def invite_people(day: TeamDay, people: list[Person], *, now: datetime | None = None) -> Invited:
    """Adds each person not on the day yet (email in any case) and emails them their link."""
    now = now or timezone.now()
    result = Invited()
    tz, where = studio_zone(), place(day)  # the same for everyone on the list
    with transaction.atomic():
        TeamDay.objects.select_for_update().get(pk=day.pk)  # two lists pasted at once never both add someone
        existing = set(day.members.annotate(lower=Lower("email")).values_list("lower", flat=True))
        for person in people:
            if person.email.lower() in existing:
                result.already.append(person.email)
                continue
            existing.add(person.email.lower())
            member = TeamMember.objects.create(day=day, name=person.name, email=person.email, invited_at=now)
            _invitation(member, tz=tz, where=where)
            result.added.append(member)
    return result


def send_invitation(member: TeamMember, *, now: datetime | None = None) -> None:
    """(Again) the email with their link; for someone added without one, or who lost it."""
    with transaction.atomic():
        TeamMember.objects.filter(pk=member.pk).update(invited_at=now or timezone.now())
        _invitation(member)


def _invitation(member: TeamMember, **day_parts) -> None:
    _to_member("team_invitation", member, **day_parts)


# --- picking, moving, cancelling ---


def change_deadline(member: TeamMember) -> datetime | None:
    if member.slot_start is None:
        return None
    return member.slot_start - timedelta(hours=member.day.changes_until_hours)


def can_change(member: TeamMember, now: datetime | None = None) -> bool:
    """Whether they may still move or cancel the time they hold."""
    deadline = change_deadline(member)
    return deadline is not None and (now or timezone.now()) < deadline


def day_is_over(day: TeamDay, now: datetime | None = None) -> bool:
    return (now or timezone.now()) >= day_span(day)[1]


def pick_time(member: TeamMember, start: datetime, *, now: datetime | None = None) -> TeamMember:
    """Gives them `start` (moving them from a time they held). Raises TeamDayError, or TimeTaken
    with the times still free when someone else got there first."""
    now = now or timezone.now()
    with transaction.atomic():
        member = TeamMember.objects.select_for_update().select_related("day").get(pk=member.pk)
        day = member.day
        _check_can_choose(member, now)
        wanted = start.astimezone(UTC)
        if member.slot_start and member.slot_start.astimezone(UTC) == wanted:
            return member
        offered = {s.start.astimezone(UTC) for s in slots(day) if not s.for_walk_ins and s.start > now}
        if wanted not in offered:
            raise TeamDayError("That is not one of the day's times. Please choose one of the times shown.")
        moved_from = member.slot_start
        member.slot_start = wanted
        try:
            with transaction.atomic():
                member.save(update_fields=["slot_start"])
        except IntegrityError:
            raise TimeTaken(
                "Someone else took that time a moment ago. Here are the times still free.",
                free=[s.start for s in free_slots(day, ignoring=member, now=now)],
            ) from None
        _to_member("team_time_confirmed", member, attachments=[_ics_attachment(member)], moved_from=moved_from)
    return member


def cancel_time(member: TeamMember, *, now: datetime | None = None) -> TeamMember:
    """Frees the time they held, so they (or someone else) can pick another."""
    now = now or timezone.now()
    with transaction.atomic():
        member = TeamMember.objects.select_for_update().select_related("day").get(pk=member.pk)
        if member.slot_start is None:
            raise TeamDayError("You have no time to cancel.")
        _check_can_choose(member, now)
        old = member.slot_start
        member.slot_start = None
        member.save(update_fields=["slot_start"])
        _to_member("team_time_cancelled", member, old_start=old.astimezone(studio_zone()))
    return member


def _check_can_choose(member: TeamMember, now: datetime) -> None:
    if day_is_over(member.day, now):
        raise TeamDayError("This team day is over, so times can no longer be chosen.")
    if member.checked_in_at:
        raise TeamDayError("You have been photographed already.")
    if member.slot_start is not None and not can_change(member, now):
        hours = member.day.changes_until_hours
        raise TeamDayError(
            f"Your time can no longer be changed online: changes close {hours} hours before it. "
            f"Please speak to {member.day.coordinator_name}, who can reach us."
        )


# --- reminders ---


def reminder_moments(day: TeamDay, tz=None) -> list[datetime]:
    """When each reminder is due: so many days before the day, at the hour the day starts."""
    tz = tz or studio_zone()
    try:
        numbers = reminder_day_numbers(day.reminder_days)
    except ValueError:
        numbers = []  # the admin refuses such a value; an old row with one sends no reminders
    return [datetime.combine(day.date - timedelta(days=n), day.start, tz) for n in numbers]


def send_reminders(*, now: datetime | None = None) -> int:
    """Emails each person who has not picked a time when one of their day's reminders is due; a
    reminder is sent once (the last one due is recorded), however often this runs. Returns how many."""
    now = now or timezone.now()
    tz = studio_zone()
    today = now.astimezone(tz).date()
    sent = 0
    for day in TeamDay.objects.filter(date__gte=today).prefetch_related("breaks"):
        due = [m for m in reminder_moments(day, tz) if m <= now]
        if not due or day_span(day, tz)[0] <= now:
            continue
        latest = max(due)
        if not free_slots(day, now=now):
            continue  # nothing left to pick: a reminder would only frustrate
        where = place(day)
        waiting = day.members.filter(slot_start=None, walk_in=False, invited_at__lt=latest, checked_in_at=None)
        for member in waiting.exclude(reminded_at__gte=latest):
            with transaction.atomic():
                # Claimed by a conditional update: two runs at once never both send it.
                claimed = (
                    TeamMember.objects.filter(pk=member.pk, slot_start=None)
                    .exclude(reminded_at__gte=latest)
                    .update(reminded_at=now)
                )
                if claimed:
                    _to_member("team_reminder", member, tz=tz, where=where)
                    sent += 1
    return sent


# --- on the day ---


def add_walk_in(day: TeamDay, *, name: str, email: str, start: datetime, notes: str = "") -> TeamMember:
    """Someone who turns up without a time gets a free one on the spot (any of the day's times)."""
    with transaction.atomic():
        if day.members.filter(email__iexact=email).exists():
            raise TeamDayError(f"{email} is on the day already: find them in the list.")
        wanted = start.astimezone(UTC)
        if wanted not in {s.start.astimezone(UTC) for s in slots(day)}:
            raise TeamDayError("That is not one of the day's times.")
        try:
            with transaction.atomic():
                return TeamMember.objects.create(
                    day=day, name=name, email=email, notes=notes, slot_start=wanted, walk_in=True
                )
        except IntegrityError:
            raise TeamDayError("That time was taken a moment ago: choose another.") from None


def set_checked_in(member: TeamMember, checked_in: bool, *, now: datetime | None = None) -> None:
    TeamMember.objects.filter(pk=member.pk).update(checked_in_at=(now or timezone.now()) if checked_in else None)


# --- the schedule, for the coordinator ---


@dataclass(frozen=True)
class ScheduleRow:
    start: datetime | None
    end: datetime | None
    name: str
    email: str
    notes: str
    walk_in: bool


def in_running_order(members) -> list[TeamMember]:
    """Those with a time, earliest first, then those without; by name where that leaves a tie."""
    return sorted(
        members, key=lambda m: (m.slot_start is None, m.slot_start.timestamp() if m.slot_start else 0, m.name)
    )


def schedule(day: TeamDay) -> list[ScheduleRow]:
    """Everyone on the day: those with a time in order, then those without."""
    tz = studio_zone()
    minutes = timedelta(minutes=day.slot_minutes)
    members = in_running_order(day.members.all())
    return [
        ScheduleRow(
            start=m.slot_start.astimezone(tz) if m.slot_start else None,
            end=(m.slot_start + minutes).astimezone(tz) if m.slot_start else None,
            name=m.name,
            email=m.email,
            notes=m.notes,
            walk_in=m.walk_in,
        )
        for m in members
    ]


def schedule_csv(day: TeamDay) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["date", "start", "end", "name", "email", "walk-in"])
    for row in schedule(day):
        writer.writerow(
            [
                day.date.isoformat(),
                f"{row.start:%H:%M}" if row.start else "",
                f"{row.end:%H:%M}" if row.end else "",
                inert_cell(row.name),
                inert_cell(row.email),
                "yes" if row.walk_in else "",
            ]
        )
    return out.getvalue()


def schedule_ics(day: TeamDay) -> bytes:
    tz = studio_zone()
    where = place(day)
    events = [
        calendar.CalendarEvent(
            uid=f"team-{day.pk}-{m.pk}@photostudio",
            start=m.slot_start,
            end=m.slot_end,
            summary=f"Headshot: {m.name}",
            location=where,
            description=f"{day.company}, {settings.STUDIO_NAME}",
        )
        for m in day.members.exclude(slot_start=None).select_related("day")
    ]
    return calendar.feed_ics(events, tz=tz, calendar_name=f"{day.company} headshots, {day.date:%d %b %Y}")


def place(day: TeamDay) -> str:
    if day.location == Booking.Location.ON_LOCATION:
        return day.address
    from .emails import studio_address_line

    return studio_address_line()


# --- links and emails ---


def member_url(member: TeamMember) -> str:
    return settings.SITE_URL + reverse("team_member", args=[member.token])


def coordinator_url(day: TeamDay) -> str:
    return settings.SITE_URL + reverse("team_coordinator", args=[day.coordinator_token])


def member_event(member: TeamMember) -> calendar.CalendarEvent:
    day = member.day
    url = member_url(member)
    return calendar.CalendarEvent(
        uid=f"team-{day.pk}-{member.pk}@photostudio",
        start=member.slot_start,
        end=member.slot_end,
        summary=f"Your headshot with {settings.STUDIO_NAME}",
        location=place(day),
        description=f"{day.company} team photos. Change or cancel your time: {url}",
        url=url,
        organizer_email=settings.STUDIO_EMAIL,
        organizer_name=settings.STUDIO_NAME,
    )


def _ics_attachment(member: TeamMember) -> tuple[str, str, bytes]:
    ics = calendar.event_ics(member_event(member), tz=studio_zone(), calendar_name=settings.STUDIO_NAME)
    return ("headshot.ics", "text/calendar", ics)


def _to_member(name: str, member: TeamMember, *, attachments=(), tz=None, where: str | None = None, **extra) -> None:
    """Queues one email to them; `tz` and `where`, when given, save looking them up per person
    when a whole list is emailed."""
    day = member.day
    tz = tz or studio_zone()
    start, end = day_span(day, tz)
    queue_email(
        name,
        to=member.email,
        reply_to=settings.STUDIO_EMAIL,
        context={
            "member": member,
            "day": day,
            "day_start": start,
            "day_end": end,
            "start": member.slot_start.astimezone(tz) if member.slot_start else None,
            "end": member.slot_end.astimezone(tz) if member.slot_start else None,
            "zone": tz.key,
            "where": place(day) if where is None else where,
            "link": member_url(member),
            **extra,
        },
        about=member,
        attachments=list(attachments),
    )
