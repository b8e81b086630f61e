"""The pages of a team day behind private links: each person's page to pick their time, and the
coordinator's page of who has picked what. No sign-in: the unguessable token is the key, and a
token that names nothing is a 404."""

from datetime import datetime

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.decorators import ratelimit

from . import team_days
from .models import TeamDay, TeamMember

MAX_PASTE = 100_000  # characters: a few thousand lines of names
UNREADABLE_FORM = "That form could not be read. Please reload the page and try again."  # a form not sent by our pages


def _member_or_404(token: str) -> TeamMember:
    return get_object_or_404(TeamMember.objects.select_related("day"), token=token)


def _day_or_404(token: str) -> TeamDay:
    return get_object_or_404(TeamDay, coordinator_token=token)


@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate="30/m", method="POST", block=True)
def member_page(request: HttpRequest, token: str) -> HttpResponse:
    member = _member_or_404(token)
    status, error, free = 200, "", None
    if request.method == "POST":
        action = request.POST.get("action", "pick")
        try:
            if action == "cancel":
                team_days.cancel_time(member)
                messages.success(request, "Your time is cancelled. Choose another below if you'd still like a photo.")
                return redirect("team_member", token=token)
            if action != "pick":
                raise team_days.TeamDayError(UNREADABLE_FORM)
            start = team_days.parse_start(request.POST.get("start", ""))
            if start is None:
                raise team_days.TeamDayError("Please choose one of the times shown.")
            team_days.pick_time(member, start)
        except team_days.TimeTaken as taken:
            error, status, free = str(taken), 409, taken.free
        except team_days.TeamDayError as exc:
            error, status = str(exc), 400
        else:
            messages.success(request, "Done: your time is booked. We've emailed you the details and a calendar file.")
            return redirect("team_member", token=token)
        member.refresh_from_db()
    return render(request, "bookings/team/member.html", _member_context(member, free) | {"error": error}, status=status)


def _member_context(member: TeamMember, free: list[datetime] | None = None) -> dict:
    day = member.day
    tz = team_days.studio_zone()
    if free is None:
        free = [s.start for s in team_days.free_slots(day, ignoring=member)]
    start, end = team_days.day_span(day, tz)
    mine = member.slot_start.astimezone(tz) if member.slot_start else None
    return {
        "member": member,
        "day": day,
        "day_start": start,
        "day_end": end,
        "mine": mine,
        "mine_end": member.slot_end.astimezone(tz) if mine else None,
        "times": [(s.isoformat(), f"{s.astimezone(tz):%H:%M}") for s in free if s != member.slot_start],
        "can_change": team_days.can_change(member),
        "over": team_days.day_is_over(day),
        "deadline": team_days.change_deadline(member).astimezone(tz) if mine else None,
        "zone": tz.key,
        "where": team_days.place(day),
    }


@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate="30/m", method="POST", block=True)
def coordinator_page(request: HttpRequest, token: str) -> HttpResponse:
    day = _day_or_404(token)
    status, problems, pasted = 200, [], ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "resend":
            member = _day_member_or_404(day, request.POST.get("member", ""))
            team_days.send_invitation(member)
            messages.success(request, f"We've sent {member.name} their link again.")
            return redirect("team_coordinator", token=token)
        if action == "add":
            pasted = request.POST.get("people", "")[:MAX_PASTE]
            parsed = team_days.parse_people(pasted)
            invited = team_days.invite_people(day, parsed.people)
            problems = parsed.problems
            if invited.added or (not problems and parsed.people):
                _report_invited(request, invited, parsed)
                for problem in problems:
                    messages.warning(request, problem)
                return redirect("team_coordinator", token=token)
            status = 400
            if not problems:
                problems = ["Paste at least one person: a name and an email address on each line."]
        else:
            status, problems = 400, [UNREADABLE_FORM]
    return render(request, "bookings/team/coordinator.html", _coordinator_context(day, problems, pasted), status=status)


def _day_member_or_404(day: TeamDay, member_id: str) -> TeamMember:
    if not member_id.isascii() or not member_id.isdigit() or len(member_id) > 18:
        raise Http404
    return get_object_or_404(TeamMember.objects.select_related("day"), day=day, pk=int(member_id))


def _report_invited(request: HttpRequest, invited: team_days.Invited, parsed: team_days.PeopleList) -> None:
    if invited.added:
        count = len(invited.added)
        people = "person" if count == 1 else "people"
        messages.success(request, f"Invited {count} {people}: we've emailed each their own link.")
    if invited.already:
        messages.info(request, f"Already invited, so left as they were: {', '.join(invited.already)}.")
    if parsed.repeated:
        messages.info(request, f"Listed twice, invited once: {', '.join(parsed.repeated)}.")


def _coordinator_context(day: TeamDay, problems: list[str], pasted: str) -> dict:
    tz = team_days.studio_zone()
    start, end = team_days.day_span(day, tz)
    members = list(day.members.all())
    picked = [m for m in members if m.slot_start]
    waiting = sorted((m for m in members if not m.slot_start), key=lambda m: m.name.lower())
    picked.sort(key=lambda m: m.slot_start)
    return {
        "day": day,
        "day_start": start,
        "day_end": end,
        "picked": [(m, m.slot_start.astimezone(tz)) for m in picked],
        "waiting": waiting,
        "total": len(members),
        "free_count": len(team_days.free_slots(day)),
        "problems": problems,
        "pasted": pasted,
        "zone": tz.key,
        "where": team_days.place(day),
    }


@require_GET
def schedule_csv(request: HttpRequest, token: str) -> HttpResponse:
    day = _day_or_404(token)
    response = HttpResponse(team_days.schedule_csv(day), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="headshots-{day.date.isoformat()}.csv"'
    return response


@require_GET
def schedule_ics(request: HttpRequest, token: str) -> HttpResponse:
    day = _day_or_404(token)
    response = HttpResponse(team_days.schedule_ics(day), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="headshots-{day.date.isoformat()}.ics"'
    return response
