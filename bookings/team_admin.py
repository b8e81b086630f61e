"""Team days in the admin: the day with its breaks and people, inviting a list, and the running
order the photographer works from on the day (a tick per person, walk-ins added on the spot)."""

from datetime import UTC, datetime

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from . import team_days
from .models import Booking, SessionType, TeamBreak, TeamDay, TeamMember

MAX_CSV_BYTES = 2 * 1024 * 1024


class TeamDayForm(forms.ModelForm):
    class Meta:
        model = TeamDay
        fields = "__all__"

    def clean_reminder_days(self) -> str:
        value = self.cleaned_data.get("reminder_days", "")
        try:
            numbers = team_days.reminder_day_numbers(value)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
        return ",".join(str(n) for n in numbers)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("location") == Booking.Location.ON_LOCATION and not (data.get("address") or "").strip():
            self.add_error("address", "Write the company's address: the team's emails tell them where to go.")
        day, start, end, minutes = data.get("date"), data.get("start"), data.get("end"), data.get("slot_minutes")
        if day and start and end and minutes:
            if end <= start:
                self.add_error("end", "The day must end after it starts.")
                return data
            times = team_days.slot_times(
                day, start, end, minutes=minutes, breaks=[], walk_ins=0, tz=team_days.studio_zone()
            )
            walk_ins = data.get("walk_in_slots") or 0
            if not times:
                self.add_error("slot_minutes", "Not even one person's time fits between the start and the end.")
            elif walk_ins >= len(times):
                self.add_error(
                    "walk_in_slots",
                    f"The day has {len(times)} times: keep fewer than that for walk-ins, or nobody can pick one.",
                )
        if day and not self.instance.pk and day < timezone.now().astimezone(team_days.studio_zone()).date():
            self.add_error("date", "That day has passed.")
        return data


class TeamBreakFormSet(BaseInlineFormSet):
    """Breaks inside the day, not overlapping each other; and the day's times, breaks taken out,
    still leave room for invitees and for everyone who already picked a time."""

    def clean(self) -> None:
        super().clean()
        day = self.instance
        if any(form.errors for form in self.forms) or not (day.date and day.start and day.end and day.slot_minutes):
            return
        if day.end <= day.start:
            return
        breaks = []
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            start, end = form.cleaned_data.get("start"), form.cleaned_data.get("end")
            if not (start and end):
                continue
            if end <= start:
                raise ValidationError(f"The break at {start:%H:%M} must end after it starts.")
            if start < day.start or end > day.end:
                raise ValidationError(
                    f"The break {start:%H:%M}–{end:%H:%M} is outside the day's hours "
                    f"({day.start:%H:%M}–{day.end:%H:%M})."
                )
            breaks.append((start, end))
        breaks.sort()
        for (_, first_end), (second_start, _) in zip(breaks, breaks[1:], strict=False):
            if second_start < first_end:
                raise ValidationError(f"Two breaks overlap at {second_start:%H:%M}.")
        times = team_days.slot_times(
            day.date,
            day.start,
            day.end,
            minutes=day.slot_minutes,
            breaks=breaks,
            walk_ins=day.walk_in_slots or 0,
            tz=team_days.studio_zone(),
        )
        if not [t for t in times if not t.for_walk_ins]:
            raise ValidationError(
                f"With these breaks the day has {len(times)} times, all kept for walk-ins: "
                "nobody invited could pick one."
            )
        if day.pk:
            fitting = {t.start.astimezone(UTC) for t in times}
            stranded = [m for m in day.members.exclude(slot_start=None) if m.slot_start.astimezone(UTC) not in fitting]
            if stranded:
                tz = team_days.studio_zone()
                names = ", ".join(f"{m.name} ({m.slot_start.astimezone(tz):%H:%M})" for m in stranded[:10])
                raise ValidationError(
                    f"These people's times would no longer be among the day's times: {names}. "
                    "Keep the day's shape, or ask them to pick again first."
                )


class TeamBreakInline(admin.TabularInline):
    model = TeamBreak
    formset = TeamBreakFormSet
    extra = 0


class TeamMemberFormSet(BaseInlineFormSet):
    """One email once per day, in any case: among the rows sent and those already on the day."""

    def clean(self) -> None:
        super().clean()
        seen: dict[str, str] = {}
        for form in self.forms:
            if not getattr(form, "cleaned_data", None) or form.cleaned_data.get("DELETE"):
                continue
            email = (form.cleaned_data.get("email") or "").lower()
            if not email:
                continue
            if email in seen:
                raise ValidationError(f"{form.cleaned_data['email']} is listed twice: keep one row per person.")
            seen[email] = form.cleaned_data.get("name", "")
        if self.instance.pk:
            others = self.instance.members.exclude(pk__in=[f.instance.pk for f in self.forms if f.instance.pk])
            clash = [m for m in others if m.email.lower() in seen]
            if clash:
                raise ValidationError(f"{clash[0].email} is on the day already.")


class TeamMemberInline(admin.TabularInline):
    model = TeamMember
    formset = TeamMemberFormSet
    extra = 0
    fields = ["name", "email", "notes", "their_time", "invited_at", "checked_in_at"]
    readonly_fields = ["their_time", "invited_at", "checked_in_at"]
    ordering = ["slot_start", "name"]

    @admin.display(description="time")
    def their_time(self, member: TeamMember) -> str:
        if not member.slot_start:
            return "not chosen yet"
        return f"{timezone.localtime(member.slot_start):%H:%M}" + (" (walk-in)" if member.walk_in else "")


@admin.register(TeamDay)
class TeamDayAdmin(admin.ModelAdmin):
    form = TeamDayForm
    inlines = [TeamBreakInline, TeamMemberInline]
    list_display = ["company", "date", "start", "end", "people", "with_a_time"]
    list_filter = ["date"]
    search_fields = ["company", "coordinator_name", "coordinator_email", "members__name", "members__email"]
    date_hierarchy = "date"
    readonly_fields = ["links"]
    fieldsets = [
        ("The company", {"fields": ["company", "coordinator_name", "coordinator_email", "billing_reference"]}),
        (
            "The day",
            {
                "fields": [
                    "session_type",
                    "date",
                    "start",
                    "end",
                    "slot_minutes",
                    "walk_in_slots",
                    "location",
                    "address",
                ]
            },
        ),
        ("People's times", {"fields": ["changes_until_hours", "reminder_days"]}),
        ("Photos", {"fields": ["photos_each", "extra_price", "extras_paid_by", "coordinator_sees_photos"]}),
        ("Links", {"fields": ["links"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                people_count=Count("members", distinct=True),
                picked_count=Count("members", filter=Q(members__slot_start__isnull=False), distinct=True),
            )
        )

    @admin.display(description="people", ordering="people_count")
    def people(self, day: TeamDay) -> int:
        return day.people_count

    @admin.display(description="with a time", ordering="picked_count")
    def with_a_time(self, day: TeamDay) -> int:
        return day.picked_count

    @admin.display(description="links")
    def links(self, day: TeamDay) -> str:
        if not day.pk:
            return "Save the day first: then invite people and open its running order from here."
        # The day's photos are the galleries' (named by URL only: bookings never imports galleries).
        return format_html(
            '<a href="{}">Invite people</a> · <a href="{}">Running order and check-in</a> · '
            '<a href="{}?day={}">The day\'s photos</a><br>'
            '<span class="help">The coordinator\'s page (send it to {}): <code>{}</code></span>',
            reverse("admin:bookings_teamday_invite", args=[day.pk]),
            reverse("admin:bookings_teamday_running_order", args=[day.pk]),
            reverse("admin:galleries_teamshoot_add"),
            day.pk,
            day.coordinator_name,
            team_days.coordinator_url(day),
        )

    def get_changeform_initial_data(self, request: HttpRequest) -> dict:
        initial = super().get_changeform_initial_data(request)
        headshot = SessionType.objects.filter(kind=SessionType.Kind.HEADSHOT).order_by("-is_active", "order").first()
        if headshot and "session_type" not in initial:
            initial["session_type"] = headshot.pk
        return initial

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/invite/", wrap(self.invite_view), name="bookings_teamday_invite"),
            path("<int:pk>/running-order/", wrap(self.running_order_view), name="bookings_teamday_running_order"),
            path("<int:pk>/running-order/check-in/", wrap(self.check_in_view), name="bookings_teamday_check_in"),
            path("<int:pk>/running-order/walk-in/", wrap(self.walk_in_view), name="bookings_teamday_walk_in"),
            *super().get_urls(),
        ]

    def _day(self, request: HttpRequest, pk: int) -> TeamDay:
        day = get_object_or_404(TeamDay, pk=pk)
        if not self.has_change_permission(request, day):
            raise PermissionDenied
        return day

    def _page(self, request: HttpRequest, template: str, day: TeamDay, title: str, status: int = 200, **extra):
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "original": day,
            "day": day,
            **extra,
        }
        return TemplateResponse(request, f"admin/bookings/teamday/{template}", context, status=status)

    # --- inviting a list ---

    def invite_view(self, request: HttpRequest, pk: int):
        day = self._day(request, pk)
        problems: list[str] = []
        pasted = ""
        added_any = False
        if request.method == "POST":
            if request.POST.get("action") == "uninvited":
                waiting = list(day.members.filter(invited_at=None))
                for member in waiting:
                    team_days.send_invitation(member)
                self.message_user(request, f"Sent {len(waiting)} invitation{'s' if len(waiting) != 1 else ''}.")
                return HttpResponseRedirect(request.path)
            pasted = request.POST.get("people", "")[:200_000]
            parsed = team_days.parse_people(pasted)
            upload = request.FILES.get("csv")
            if upload is not None:
                if upload.size > MAX_CSV_BYTES:
                    parsed.problems.append(f"{upload.name}: larger than 2 MB, so not a list of names.")
                else:
                    from_file = team_days.parse_csv(upload.read())
                    known = {p.email.lower() for p in parsed.people}
                    for person in from_file.people:
                        if person.email.lower() in known:
                            parsed.repeated.append(person.email)
                        else:
                            known.add(person.email.lower())
                            parsed.people.append(person)
                    parsed.problems += [f"{upload.name}, {p[0].lower()}{p[1:]}" for p in from_file.problems]
                    parsed.repeated += from_file.repeated
            invited = team_days.invite_people(day, parsed.people)
            problems = parsed.problems
            if invited.added:
                self.message_user(request, f"Invited {len(invited.added)}: each has been emailed their link.")
            if invited.already:
                self.message_user(request, f"Already on the day: {', '.join(invited.already)}.", messages.INFO)
            if parsed.repeated:
                self.message_user(request, f"Listed twice, invited once: {', '.join(parsed.repeated)}.", messages.INFO)
            if not problems and (invited.added or invited.already):
                return HttpResponseRedirect(request.path)
            if not problems:
                problems = ["Paste at least one person, or choose a CSV file."]
            if invited.added:
                added_any = True
                pasted = ""  # those are in; what is left to fix is listed below
        uninvited = day.members.filter(invited_at=None).count()
        return self._page(
            request,
            "invite.html",
            day,
            f"Invite people to {day}",
            status=400 if problems and not added_any else 200,
            problems=problems,
            pasted=pasted,
            uninvited=uninvited,
            members=day.members.count(),
        )

    # --- on the day ---

    def running_order_view(self, request: HttpRequest, pk: int, *, status: int = 200, error: str = ""):
        day = self._day(request, pk)
        tz = team_days.studio_zone()
        members = team_days.in_running_order(day.members.all())
        # Any free time of the day, even one gone by: a walk-in fills whatever gap the day has.
        free = team_days.free_slots(day, walk_ins=True, now=datetime.min.replace(tzinfo=UTC))
        return self._page(
            request,
            "running_order.html",
            day,
            f"Running order: {day}",
            status=status,
            rows=[(m, m.slot_start.astimezone(tz) if m.slot_start else None) for m in members],
            free=[(s.start.isoformat(), f"{s.start:%H:%M}") for s in free],
            checked=sum(1 for m in members if m.checked_in_at),
            error=error,
            zone=tz.key,
            where=team_days.place(day),
        )

    def check_in_view(self, request: HttpRequest, pk: int):
        day = self._day(request, pk)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        member_id = request.POST.get("member", "")
        if not member_id.isascii() or not member_id.isdigit() or len(member_id) > 18:
            return self.running_order_view(request, pk, status=400, error="Choose someone from the list.")
        member = get_object_or_404(TeamMember, day=day, pk=int(member_id))
        team_days.set_checked_in(member, request.POST.get("checked") == "1")
        return HttpResponseRedirect(reverse("admin:bookings_teamday_running_order", args=[day.pk]) + f"#m{member.pk}")

    def walk_in_view(self, request: HttpRequest, pk: int):
        day = self._day(request, pk)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        form = WalkInForm(request.POST)
        if not form.is_valid():
            error = " ".join(e for errors in form.errors.values() for e in errors)
            return self.running_order_view(request, pk, status=400, error=error)
        try:
            member = team_days.add_walk_in(day, **form.cleaned_data)
        except team_days.TeamDayError as exc:
            return self.running_order_view(request, pk, status=409, error=str(exc))
        self.message_user(request, f"{member.name} is in at {timezone.localtime(member.slot_start):%H:%M}.")
        return HttpResponseRedirect(reverse("admin:bookings_teamday_running_order", args=[day.pk]) + f"#m{member.pk}")


class WalkInForm(forms.Form):
    name = forms.CharField(max_length=120)
    # Needed: their private gallery is sent there after the day.
    email = forms.EmailField(max_length=254)
    start = forms.CharField(max_length=40)
    notes = forms.CharField(max_length=300, required=False)

    def clean_start(self) -> datetime:
        moment = team_days.parse_start(self.cleaned_data["start"])
        if moment is None:
            raise ValidationError("Choose one of the free times.")
        return moment
