"""The admin's front page: the studio's day at a glance."""

from datetime import datetime, timedelta

from django import template
from django.db.models import prefetch_related_objects
from django.utils import timezone

from bookings.models import Booking
from galleries import progress
from galleries.models import Gallery
from photostudio.studio_zone import studio_zone

register = template.Library()


@register.simple_tag
def studio_day() -> dict:
    tz = studio_zone()
    today = timezone.now().astimezone(tz).date()
    day_start = datetime.combine(today, datetime.min.time(), tz)
    tomorrow = day_start + timedelta(days=1)
    upcoming = Booking.objects.filter(status__in=Booking.HOLDING).select_related("client", "session_type")
    lists = {
        "today": list(upcoming.filter(start__gte=day_start, start__lt=tomorrow).order_by("start")),
        "week": list(upcoming.filter(start__gte=tomorrow, start__lt=day_start + timedelta(days=7)).order_by("start")),
        "waiting": list(upcoming.filter(status=Booking.Status.REQUESTED).order_by("created_at")),
    }
    # The clients' answers to the intake questions, for every list in one query (not one a booking).
    prefetch_related_objects([b for bookings in lists.values() for b in bookings], "intake_answers")
    galleries = Gallery.objects.select_related("client")
    return {
        "zone": tz.key,
        **{name: [(b.start.astimezone(tz), b) for b in bookings] for name, bookings in lists.items()},
        "galleries_with_client": galleries.filter(status=Gallery.Status.PROOFING),
        "galleries_to_deliver": galleries.filter(status=Gallery.Status.SELECTION_SUBMITTED),
        "work": progress.work_in_progress(),
    }
