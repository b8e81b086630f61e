"""The studio's wall clock: one time zone for every page, email and admin field.

The zone is the one set in the admin (Availability → time zone), which may differ from
settings.TIME_ZONE. Django shows and reads aware datetimes in the *current* time zone (templates'
`date`/`time` filters, form fields, `timezone.localdate()`), so the studio's zone is made current
for every request (`StudioTimeZoneMiddleware`), every Celery task and every email rendered.

The zone's name is cached (one shared cache for every process), and forgotten when Availability
is saved.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

log = logging.getLogger(__name__)

CACHE_KEY = "studio:time-zone"
# A safety net only: saving Availability forgets the cached name at once.
CACHE_SECONDS = 10 * 60


def studio_zone() -> ZoneInfo:
    name = cache.get(CACHE_KEY)
    if name is None:
        from bookings.models import Availability

        try:  # read only: Availability.load() would store the row on a page's first visit
            row = Availability.objects.filter(pk=Availability.SINGLETON_ID).values_list("time_zone", flat=True)
            name = row.first() or settings.TIME_ZONE
        except DatabaseError:
            # A page that can answer without the database (/healthz, the 503 page) still gets a zone.
            log.warning("studio time zone unavailable, using TIME_ZONE", exc_info=True)
            return ZoneInfo(settings.TIME_ZONE)
        cache.set(CACHE_KEY, name, CACHE_SECONDS)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def forget_studio_zone(**kwargs) -> None:
    cache.delete(CACHE_KEY)


@contextmanager
def studio_time() -> Iterator[ZoneInfo]:
    """Show and read times in the studio's zone inside the block (restoring the previous zone)."""
    zone = studio_zone()
    with timezone.override(zone):
        yield zone


class StudioTimeZoneMiddleware:
    """Every request shows and reads times on the studio's wall clock."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with studio_time():
            return self.get_response(request)


# --- Celery: each task runs on the studio's wall clock too ---

_task_overrides: dict[str, timezone.override] = {}


def _task_starts(task_id: str, **kwargs) -> None:
    override = timezone.override(studio_zone())
    override.__enter__()
    _task_overrides[task_id] = override


def _task_ends(task_id: str, **kwargs) -> None:
    override = _task_overrides.pop(task_id, None)
    if override is not None:
        override.__exit__(None, None, None)


def connect() -> None:
    """Called once from the app's ready(): forget the cached zone when Availability changes, and
    run tasks in the studio's zone."""
    from celery.signals import task_postrun, task_prerun

    post_save.connect(forget_studio_zone, sender="bookings.Availability", dispatch_uid="studio-zone-saved")
    post_delete.connect(forget_studio_zone, sender="bookings.Availability", dispatch_uid="studio-zone-deleted")
    task_prerun.connect(_task_starts, dispatch_uid="studio-zone-task-starts", weak=False)
    task_postrun.connect(_task_ends, dispatch_uid="studio-zone-task-ends", weak=False)
