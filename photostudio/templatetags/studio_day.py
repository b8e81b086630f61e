"""The admin's front page: the studio's day at a glance."""

from datetime import datetime, timedelta

from django import template
from django.utils import timezone

from bookings.models import Booking
from galleries.models import Gallery
from photostudio.studio_zone import studio_zone

register = template.Library()


@register.simple_tag
def studio_day() -> dict:
    tz = studio_zone()
    today = timezone.now().astimezone(tz).date()
    day_start = datetime.combine(today, datetime.min.time(), tz)
    tomorrow = day_start + timedelta(days=1)
    upcoming = (
        Booking.objects.filter(status__in=Booking.HOLDING)
        .select_related("client", "session_type")
        .prefetch_related("intake_answers")  # one query a list, not one a booking
    )

    def at_studio_time(bookings) -> list:
        return [(b.start.astimezone(tz), b) for b in bookings]

    galleries = Gallery.objects.select_related("client")
    return {
        "zone": tz.key,
        "today": at_studio_time(upcoming.filter(start__gte=day_start, start__lt=tomorrow).order_by("start")),
        "week": at_studio_time(
            upcoming.filter(start__gte=tomorrow, start__lt=day_start + timedelta(days=7)).order_by("start")
        ),
        "galleries_with_client": galleries.filter(status=Gallery.Status.PROOFING),
        "galleries_to_deliver": galleries.filter(status=Gallery.Status.SELECTION_SUBMITTED),
        "waiting": at_studio_time(upcoming.filter(status=Booking.Status.REQUESTED).order_by("created_at")),
    }
