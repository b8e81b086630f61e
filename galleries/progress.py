"""The work after the client's choice, as the client follows it: received -> in editing -> ready ->
delivered, and the date the finished photos are promised by.

The date comes from the session type's turnaround in working days (bookings/turnaround.py counts;
this module reads the studio's working hours and time off). A gallery without a booking is promised
the quickest turnaround among the session types on offer (10 working days when there are none).

Each move is a service: one transaction with its email to the client, refused out of order, and
harmless when repeated (the second time changes nothing and sends nothing). Delivering the gallery
(delivery.deliver) moves its selection to delivered itself; its email is the delivery's own.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Min, Prefetch, QuerySet
from django.utils import timezone

from bookings import turnaround
from bookings.models import Availability, SessionType, TimeOff
from photostudio import history
from photostudio.studio_zone import studio_zone

from . import emails
from .models import Gallery, Selection

DEFAULT_TURNAROUND_DAYS = 10
DUE_SOON_WORKING_DAYS = 3
Stage = Selection.Stage
# The order the work goes through, as the client's step indicator shows it.
STAGES = [Stage.RECEIVED, Stage.EDITING, Stage.READY, Stage.DELIVERED]
# What each stage is called in the history and on the client's page.
STAGE_WORDS = {
    Stage.RECEIVED: "selection received",
    Stage.EDITING: "in editing",
    Stage.READY: "ready",
    Stage.DELIVERED: "delivered",
}

# Where the work is, when a move is refused.
WHERE_IT_IS = {
    Stage.RECEIVED: "not in editing yet",
    Stage.EDITING: "already in editing",
    Stage.READY: "already ready",
    Stage.DELIVERED: "already delivered",
}


class ProgressError(Exception):
    """A move the work can't make now; the message says why, for the photographer."""


# --- the studio's working days ---


@dataclass(frozen=True)
class WorkingDays:
    """The studio's working weekdays and whole days off, from the admin's availability and time off."""

    zone: ZoneInfo
    weekdays: frozenset[int]
    days_off: frozenset[date]

    def promised_date(self, start: date, working_days: int) -> date:
        return turnaround.promised_date(start, working_days, working_weekdays=self.weekdays, days_off=self.days_off)

    def today(self) -> date:
        return turnaround.arrival_day(timezone.now(), self.zone)


def working_days(*, from_day: date | None = None) -> WorkingDays:
    """Read the studio's working days: two queries (hours, time off), time off from `from_day` on."""
    availability = Availability.load()
    ranges = list(availability.working_hours.values_list("weekday", "start", "end"))
    weekdays = turnaround.working_weekdays(weekday for weekday, _, _ in ranges)
    hours = turnaround.working_hours_by_weekday(ranges)
    time_off = TimeOff.objects.all()
    if from_day is not None:
        time_off = time_off.filter(last_day__gte=from_day)
    days_off: set[date] = set()
    for t in time_off:
        days_off.update(
            turnaround.whole_days_off(
                t.first_day, t.last_day, start_time=t.start_time, end_time=t.end_time, hours=hours
            )
        )
    return WorkingDays(availability.tz, weekdays, frozenset(days_off))


def turnaround_days_for(gallery: Gallery) -> int:
    """The gallery's booking's session type's turnaround; without a booking, the quickest of the
    session types on offer, or DEFAULT_TURNAROUND_DAYS when the studio offers none."""
    if gallery.booking_id:
        return gallery.booking.session_type.turnaround_days
    quickest = SessionType.objects.filter(is_active=True).aggregate(days=Min("turnaround_days"))["days"]
    return DEFAULT_TURNAROUND_DAYS if quickest is None else quickest


def promise_for(gallery: Gallery, submitted_at: datetime) -> date:
    """The date promised for a selection of `gallery` sent at `submitted_at`."""
    calendar = working_days(from_day=submitted_at.date() - timedelta(days=1))
    start = turnaround.arrival_day(submitted_at, calendar.zone)
    days = min(turnaround_days_for(gallery), turnaround.MAX_WORKING_DAYS)
    return calendar.promised_date(start, days)


def set_promise(selection: Selection) -> Selection:
    """Give a selection just sent its promised date (called by submit_selection, in its transaction)."""
    selection.promised_on = promise_for(selection.gallery, selection.submitted_at)
    selection.save(update_fields=["promised_on"])
    return selection


# --- the moves ---


def start_editing(selection: Selection, *, by=None) -> bool:
    """Received -> in editing, telling the client. True if it moved now (False: it already had)."""
    return _move(
        selection, Stage.RECEIVED, Stage.EDITING, at="editing_at", email=emails.selection_editing, by=by,
        refusal="only a selection just received can go into editing",
    )  # fmt: skip


def mark_ready(selection: Selection, *, by=None) -> bool:
    """In editing -> ready (being prepared for delivery), telling the client. True if it moved now."""
    return _move(
        selection, Stage.EDITING, Stage.READY, at="ready_at", email=emails.selection_ready, by=by,
        refusal="start editing it first, then mark it ready",
    )  # fmt: skip


MOVES = {Stage.EDITING: start_editing, Stage.READY: mark_ready}


def _move(selection: Selection, after: str, to: str, *, at: str, email, by, refusal: str) -> bool:
    with transaction.atomic():
        selection = Selection.objects.select_for_update().select_related("gallery__client").get(pk=selection.pk)
        gallery = selection.gallery
        if selection.stage == to:
            return False
        if selection.reopened_at is not None or gallery.status != Gallery.Status.SELECTION_SUBMITTED:
            raise ProgressError(f"“{gallery.title}”: this selection is no longer the one being worked on.")
        if selection.stage != after:
            raise ProgressError(f"“{gallery.title}” is {WHERE_IT_IS[selection.stage]}: {refusal}.")
        before = selection.stage
        selection.stage = to
        setattr(selection, at, timezone.now())
        selection.save(update_fields=["stage", at])
        history.record_change(
            gallery,
            before=gallery.status,
            after=gallery.status,
            by=by,
            reason=f"The work on the selection: {STAGE_WORDS[before]} → {STAGE_WORDS[to]}",
        )
        email(gallery, selection=selection, late=is_late(selection))
        return True


def mark_delivered(gallery: Gallery) -> Selection | None:
    """Move the gallery's current selection to delivered as the gallery is delivered (called by
    delivery.deliver inside its transaction; the delivery's email tells the client). From any stage:
    delivering is the photographer's call. None when the gallery was delivered without a selection."""
    selection = current_selection(gallery)
    if selection is None or selection.stage == Stage.DELIVERED:
        return selection
    selection.stage = Stage.DELIVERED
    selection.delivered_at = gallery.delivered_at or timezone.now()
    selection.save(update_fields=["stage", "delivered_at"])
    return selection


def change_promise(selection: Selection, promised_on: date | None, *, by=None) -> bool:
    """The photographer moves the promised date (the client sees it on their page and in the next
    email). Kept in the gallery's history. True if it changed."""
    with transaction.atomic():
        selection = Selection.objects.select_for_update().select_related("gallery").get(pk=selection.pk)
        if selection.promised_on == promised_on:
            return False
        before = selection.promised_on
        selection.promised_on = promised_on
        selection.save(update_fields=["promised_on"])
        gallery = selection.gallery
        history.record_change(
            gallery,
            before=gallery.status,
            after=gallery.status,
            by=by,
            reason=f"Delivery promised by {_day(promised_on)} (was {_day(before)})",
        )
        return True


def _day(value: date | None) -> str:
    return f"{value:%A} {value.day} {value:%B %Y}" if value else "no date"


# --- reading it ---


def current_selection(gallery: Gallery) -> Selection | None:
    """The selection the work is on: the latest sent and not reopened since."""
    return gallery.selections.filter(reopened_at__isnull=True).order_by("-submitted_at").first()


def is_late(selection: Selection, *, today: date | None = None) -> bool:
    """Past its promised date and not yet delivered."""
    if selection.promised_on is None or selection.stage == Stage.DELIVERED:
        return False
    today = today or timezone.localdate(timezone=studio_zone())
    return selection.promised_on < today


@dataclass(frozen=True)
class WorkItem:
    selection: Selection
    late: bool
    due_soon: bool

    @property
    def gallery(self) -> Gallery:
        return self.selection.gallery


def work_in_progress() -> list[WorkItem]:
    """Every selection being worked on and not yet delivered: late ones first (promised date passed),
    then those due within DUE_SOON_WORKING_DAYS working days, then the rest; soonest first in each,
    the undated last. Three queries, however many there are."""
    calendar = working_days(from_day=timezone.now().date() - timedelta(days=1))
    today = calendar.today()
    soon = calendar.promised_date(today, DUE_SOON_WORKING_DAYS)
    selections = (
        Selection.objects.filter(reopened_at__isnull=True, gallery__status=Gallery.Status.SELECTION_SUBMITTED)
        .exclude(stage=Stage.DELIVERED)
        .select_related("gallery__client")
    )
    items = [
        WorkItem(
            s,
            late=is_late(s, today=today),
            due_soon=s.promised_on is not None and today <= s.promised_on <= soon,
        )
        for s in selections
    ]

    def order(item: WorkItem):
        group = 0 if item.late else 1 if item.due_soon else 2
        return (group, item.selection.promised_on is None, item.selection.promised_on or date.max, item.selection.pk)

    return sorted(items, key=order)


def steps(selection: Selection) -> list[dict]:
    """The client's step indicator: each stage with whether it is done, current or to come."""
    current = STAGES.index(selection.stage)
    return [
        {"stage": stage, "label": stage.label, "done": n < current, "current": n == current}
        for n, stage in enumerate(STAGES)
    ]


@dataclass(frozen=True)
class ClientProgress:
    """What the client's page shows of the work on their selection."""

    selection: Selection
    steps: list[dict]
    late: bool

    @property
    def stage(self) -> str:
        return self.selection.stage

    @property
    def promised_on(self) -> date | None:
        return self.selection.promised_on


def with_progress(galleries: QuerySet) -> list[Gallery]:
    """The galleries, each with `.progress` (a ClientProgress, or None while the client is still
    choosing): the selections of them all in one query. Today is the current zone's (the studio's,
    on every request)."""
    sent = Selection.objects.filter(reopened_at__isnull=True).order_by("-submitted_at")
    galleries = list(galleries.prefetch_related(Prefetch("selections", queryset=sent, to_attr="sent_selections")))
    today = timezone.localdate()
    showing = {Gallery.Status.SELECTION_SUBMITTED, Gallery.Status.DELIVERED}
    for gallery in galleries:
        selection = gallery.sent_selections[0] if gallery.sent_selections and gallery.status in showing else None
        gallery.progress = (
            ClientProgress(selection, steps(selection), is_late(selection, today=today)) if selection else None
        )
    return galleries
