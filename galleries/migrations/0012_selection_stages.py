"""Selections sent before the work had stages: those of delivered galleries are delivered (when the
gallery was); the rest are received, promised by the date their session type's turnaround gives from
the day they were sent (as galleries.progress does for a new one). The counting is copied here, as a
migration must not change when the app's code does."""

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import migrations

DEFAULT_TURNAROUND_DAYS = 10


def _whole_days_off(TimeOff) -> set[date]:
    days = set()
    for t in TimeOff.objects.all():
        day = t.first_day
        while day <= t.last_day:
            if not (day == t.first_day and t.start_time is not None) and not (day == t.last_day and t.end_time is not None):
                days.add(day)
            day += timedelta(days=1)
    return days


def _promised(start: date, working_days: int, weekdays: set[int], days_off: set[date]) -> date:
    def working(day: date) -> bool:
        return day.weekday() in weekdays and day not in days_off

    day = start
    while not working(day):
        day += timedelta(days=1)
    for _ in range(min(working_days, 2000)):
        day += timedelta(days=1)
        while not working(day):
            day += timedelta(days=1)
    return day


def forwards(apps, schema_editor):
    Selection = apps.get_model("galleries", "Selection")
    SessionType = apps.get_model("bookings", "SessionType")
    Availability = apps.get_model("bookings", "Availability")
    WorkingHours = apps.get_model("bookings", "WorkingHours")
    TimeOff = apps.get_model("bookings", "TimeOff")

    rows = Selection.objects.select_related("gallery__booking__session_type")
    if not rows.exists():
        return
    availability = Availability.objects.first()
    try:
        zone = ZoneInfo(availability.time_zone if availability else settings.TIME_ZONE)
    except (KeyError, ValueError):
        zone = ZoneInfo(settings.TIME_ZONE)
    weekdays = set(WorkingHours.objects.values_list("weekday", flat=True)) or set(range(5))
    days_off = _whole_days_off(TimeOff)
    quickest = min(SessionType.objects.filter(is_active=True).values_list("turnaround_days", flat=True), default=None)
    default_days = DEFAULT_TURNAROUND_DAYS if quickest is None else quickest

    for selection in rows:
        gallery = selection.gallery
        if gallery.status == "delivered":
            selection.stage = "delivered"
            selection.delivered_at = gallery.delivered_at
            selection.save(update_fields=["stage", "delivered_at"])
            continue
        booking = gallery.booking
        days = booking.session_type.turnaround_days if booking is not None else default_days
        sent_on = selection.submitted_at.astimezone(zone).date()
        selection.stage = "received"
        selection.promised_on = _promised(sent_on, days, weekdays, days_off)
        selection.save(update_fields=["stage", "promised_on"])


class Migration(migrations.Migration):
    dependencies = [
        ("galleries", "0011_near_duplicates_orders_and_progress"),
        ("bookings", "0011_turnaround"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
