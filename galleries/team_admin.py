"""The photographer's side of a team day's photos: the day's shoot (upload once, split by capture
time, correct the camera's clock), the sorting screen for the photos no time covers, publishing
every person's gallery. The rules are in galleries/team_split.py; this only asks and tells."""

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from . import photos, team_split
from .models import TeamShoot

# The sorting screen lists this many photos at a time: each given away makes room for the next.
SORTING_PAGE = 60


@admin.register(TeamShoot)
class TeamShootAdmin(admin.ModelAdmin):
    change_form_template = "galleries/team/admin_shoot.html"
    list_display = ["day", "people_with_photos", "camera_offset_seconds", "created_at"]
    list_select_related = ["day"]
    search_fields = ["day__company"]

    def get_fields(self, request, obj=None):
        return ["day"] if obj is None else ["day", "shoot_gallery", "camera_offset_seconds"]

    def add_view(self, request: HttpRequest, form_url="", extra_context=None):
        """From a team day's page (`?day=`): its shoot if it has one already, else a new one for it."""
        day = request.GET.get("day", "")
        if request.method == "GET" and day.isdigit() and (shoot := TeamShoot.objects.filter(day_id=day).first()):
            return HttpResponseRedirect(reverse("admin:galleries_teamshoot_change", args=[shoot.pk]))
        return super().add_view(request, form_url, extra_context)

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["day", "shoot_gallery"]

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).annotate(n_people=Count("galleries"))

    @admin.display(description="people with photos", ordering="n_people")
    def people_with_photos(self, obj: TeamShoot) -> int:
        return obj.n_people

    @admin.display(description="the day's gallery")
    def shoot_gallery(self, obj: TeamShoot) -> str:
        return format_html(
            '<a href="{}">{}</a> (upload the whole day here)', obj.gallery.get_admin_url(), obj.gallery.title
        )

    def save_model(self, request: HttpRequest, obj: TeamShoot, form, change: bool) -> None:
        if not change:
            obj.gallery = team_split.new_shoot_gallery(obj.day)
        super().save_model(request, obj, form, change)
        if change and "camera_offset_seconds" in form.changed_data:
            self._tell_split(request, team_split.split_shoot(obj))

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context |= {
                "progress": photos.progress(obj.gallery),
                "unsorted": team_split.unsorted_photos(obj).count(),
                "people": team_split.company_summary(obj.day),
                "members": _member_choices(obj),
                "coordinator_url": settings.SITE_URL + reverse("portal:team_photos", args=[obj.day.coordinator_token]),
            }
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/sort/", wrap(self.sorting_view), name="galleries_teamshoot_sort"),
            path("<int:pk>/split/", wrap(self.split_view), name="galleries_teamshoot_split"),
            path("<int:pk>/clock/", wrap(self.clock_view), name="galleries_teamshoot_clock"),
            path("<int:pk>/publish/", wrap(self.publish_view), name="galleries_teamshoot_publish"),
            *super().get_urls(),
        ]

    def _shoot(self, request: HttpRequest, pk: int) -> TeamShoot:
        shoot = get_object_or_404(TeamShoot.objects.select_related("day", "gallery"), pk=pk)
        if not self.has_change_permission(request, shoot):
            raise PermissionDenied
        return shoot

    def _tell_split(self, request: HttpRequest, report: team_split.SplitReport) -> None:
        text = f"{report.sorted} photo{pluralize(report.sorted)} in people's galleries"
        text += f" ({report.moved} moved just now); {report.unsorted} to sort by hand."
        if report.waiting:
            text += f" {report.waiting} still being processed: split again once they are done."
        self.message_user(request, text)
        if report.duplicates:
            names = ", ".join(report.duplicates[:5])
            self.message_user(
                request, f"Left to sort: the person has the same file already: {names}.", messages.WARNING
            )

    def split_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        def split(request):
            shoot = self._shoot(request, pk)
            self._tell_split(request, team_split.split_shoot(shoot))
            return HttpResponseRedirect(reverse("admin:galleries_teamshoot_change", args=[shoot.pk]))

        return require_POST(split)(request)

    def clock_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Correct the camera's clock from one photo, named by its file name, and the person in it."""
        shoot = self._shoot(request, pk)
        name, member_id, error = "", "", ""
        if request.method == "POST":
            name, member_id = request.POST.get("photo_name", "").strip()[:255], request.POST.get("member", "")
            photo = team_split.shoot_photos(shoot).filter(original_name=name).order_by("pk").first()
            try:
                if photo is None:
                    raise team_split.TeamPhotosError(f"No photo of this day is named “{name}”.")
                self._match(request, shoot, photo.pk, member_id)
            except team_split.TeamPhotosError as exc:
                error = str(exc)
            else:
                return HttpResponseRedirect(reverse("admin:galleries_teamshoot_change", args=[shoot.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Correct the camera's clock: {shoot.day}",
            "shoot": shoot,
            "members": _member_choices(shoot),
            "photo_name": name,
            "member_id": member_id,
            "error": error,
        }
        return TemplateResponse(request, "galleries/team/admin_clock.html", context, status=400 if error else 200)

    def _match(self, request: HttpRequest, shoot: TeamShoot, photo_id, member_id) -> None:
        offset, report = team_split.match_photo(shoot, photo_id=photo_id, member_id=member_id)
        seconds = int(offset.total_seconds())
        ahead = "fast" if seconds < 0 else "slow"
        minutes, rest = divmod(abs(seconds), 60)
        if seconds:
            text = f"The camera's clock ran {minutes} min {rest} s {ahead}: every capture time is corrected by it."
        else:
            text = "The camera's clock was right: no capture time needed correcting."
        self.message_user(request, text)
        self._tell_split(request, report)

    def sorting_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The photos no time covers (or without a capture time): each given to its person with a click."""
        shoot = self._shoot(request, pk)
        error, status, failed_photo = "", 200, None
        if request.method == "POST":
            photo_id, member_id = request.POST.get("photo"), request.POST.get("member")
            try:
                if request.POST.get("action") == "clock":
                    self._match(request, shoot, photo_id, member_id)
                else:
                    gallery = team_split.give_by_hand(shoot, photo_id=photo_id, member_id=member_id)
                    self.message_user(request, f"Given to {gallery.client.name}.")
            except team_split.TeamPhotosError as exc:
                error, status, failed_photo = str(exc), 400, photo_id
            else:
                return HttpResponseRedirect(reverse("admin:galleries_teamshoot_sort", args=[shoot.pk]))
        waiting = team_split.unsorted_photos(shoot)
        zone = timezone.get_current_timezone()
        shown = [
            (photo, (photo.captured_at + shoot.offset).astimezone(zone) if photo.captured_at else None)
            for photo in waiting[:SORTING_PAGE]
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Photos to sort: {shoot.day}",
            "shoot": shoot,
            "photos": shown,
            "total": waiting.count(),
            "members": _member_choices(shoot),
            "error": error,
            "failed_photo": str(failed_photo or ""),
            "failed": photos.progress(shoot.gallery).failed,
        }
        return TemplateResponse(request, "galleries/team/admin_sort.html", context, status=status)

    def publish_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        def publish(request):
            shoot = self._shoot(request, pk)
            report = team_split.publish_day(shoot, by=request.user)
            n = len(report.published)
            self.message_user(request, f"Published {n} galler{pluralize(n, 'y,ies')}: each person has been emailed.")
            for refusal in report.refused:
                self.message_user(request, refusal, messages.ERROR)
            if report.without_photos:
                names = ", ".join(report.without_photos)
                self.message_user(request, f"No photos yet, so no gallery: {names}.", messages.WARNING)
            return HttpResponseRedirect(reverse("admin:galleries_teamshoot_change", args=[shoot.pk]))

        return require_POST(publish)(request)


def _member_choices(shoot: TeamShoot) -> list[tuple[int, str]]:
    """Each person of the day, by their time on the studio's clock."""
    zone = timezone.get_current_timezone()
    choices = []
    for member in shoot.day.members.order_by("slot_start", "name"):
        when = f"{member.slot_start.astimezone(zone):%H:%M}" if member.slot_start else "no time"
        choices.append((member.pk, f"{when} {member.name}"))
    return choices
