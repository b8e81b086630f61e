"""The admin's front page: the studio's day at a glance."""

from datetime import datetime, timedelta

from django import template
from django.utils import timezone

from bookings.models import Availability, Booking
from galleries.models import Gallery

register = template.Library()


@register.simple_tag
def studio_day() -> dict:
    tz = Availability.load().tz
    today = timezone.now().astimezone(tz).date()
    day_start = datetime.combine(today, datetime.min.time(), tz)
    week_end = day_start + timedelta(days=7)
    upcoming = Booking.objects.filter(status__in=Booking.HOLDING).select_related("client", "session_type")
    return {
        "zone": tz.key,
        "today": [
            (b.start.astimezone(tz), b)
            for b in upcoming.filter(start__gte=day_start, start__lt=day_start + timedelta(days=1)).order_by("start")
        ],
        "week": [
            (b.start.astimezone(tz), b)
            for b in upcoming.filter(start__gte=day_start + timedelta(days=1), start__lt=week_end).order_by("start")
        ],
        "galleries_with_client": Gallery.objects.filter(status=Gallery.Status.PROOFING).select_related("client"),
        "galleries_to_deliver": Gallery.objects.filter(status=Gallery.Status.SELECTION_SUBMITTED).select_related(
            "client"
        ),
        "waiting": [
            (b.start.astimezone(tz), b) for b in upcoming.filter(status=Booking.Status.REQUESTED).order_by("created_at")
        ],
    }
