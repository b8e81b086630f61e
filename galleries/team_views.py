"""The coordinator's page of a team day's photos: who has how many, who has chosen, what the
company will be invoiced, and the same as a CSV. Reached by the day's coordinator link (no
sign-in), so it shows photos only when the day allows the coordinator to see them."""

import csv

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_ratelimit.decorators import ratelimit

from bookings.models import TeamDay
from photostudio.spreadsheets import inert_cell

from . import team_split
from .models import Photo

CSV_COLUMNS = ["name", "email", "time", "photos", "chosen", "selection sent", "extras", "extras price", "delivered"]

# Coordinator links carry 256-bit tokens; anything longer is not one.
TOKEN_MAX_CHARS = 64


def _day_or_404(token: str) -> TeamDay:
    """The day whose coordinator link this is; 404 for any other token."""
    day = None
    if 0 < len(token) <= TOKEN_MAX_CHARS:
        day = TeamDay.objects.filter(coordinator_token=token).first()
    if day is None:
        raise Http404("No such team day.")
    return day


@never_cache
@require_GET
@ratelimit(group="portal:team-link", key="ip", rate="60/m", block=True)
def team_photos(request: HttpRequest, token: str) -> HttpResponse:
    day = _day_or_404(token)
    people = team_split.company_summary(day)
    photos_of = {}
    if day.coordinator_sees_photos:
        gallery_ids = [row.gallery.pk for row in people if row.gallery]
        shown = Photo.objects.filter(gallery__in=gallery_ids, state=Photo.State.DONE, is_final=False)
        for photo in shown.order_by(*Photo.ORDER):
            photos_of.setdefault(photo.gallery_id, []).append(photo)
    rows = [(row, photos_of.get(row.gallery.pk, []) if row.gallery else []) for row in people]
    context = {
        "day": day,
        "rows": rows,
        "totals": _totals(people),
        "currency": settings.CURRENCY_SYMBOL,
        "company_pays": day.extras_paid_by == TeamDay.ExtrasPaidBy.COMPANY,
    }
    return render(request, "galleries/team/photos.html", context)


@never_cache
@require_GET
@ratelimit(group="portal:team-link", key="ip", rate="60/m", block=True)
def team_summary(request: HttpRequest, token: str) -> HttpResponse:
    """Per person: chosen, extras, what the extras cost the company, delivered; for the invoice."""
    day = _day_or_404(token)
    people = team_split.company_summary(day)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="team-day-{day.date:%Y-%m-%d}.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    zone = timezone.get_current_timezone()
    for row in people:
        when = f"{row.member.slot_start.astimezone(zone):%H:%M}" if row.member.slot_start else ""
        writer.writerow(
            [inert_cell(row.member.name), inert_cell(row.member.email), when, row.photos, row.chosen,
             "yes" if row.sent else "no", row.extras, f"{row.extras_price:.2f}", row.delivered]
        )  # fmt: skip
    return response


def _totals(people) -> dict:
    return {
        "photos": sum(r.photos for r in people),
        "chosen": sum(r.chosen for r in people),
        "extras": sum(r.extras for r in people),
        "extras_price": sum((r.extras_price for r in people), start=0),
        "delivered": sum(r.delivered for r in people),
    }
