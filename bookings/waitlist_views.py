"""The waitlist's pages: joining it for full days, one's place on it (and leaving), and an offer of
a freed time, reached through the signed link in its email."""

from datetime import date
from functools import wraps

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from photostudio.rate_limits import count_submission
from photostudio.studio_zone import studio_zone

from . import links, scheduling, services, waitlist
from .models import SessionType, WaitlistEntry, WaitlistOffer
from .waitlist_forms import WaitlistForm

# Joining sends an email, so few may be sent: per client address and per email (any case).
JOINS_PER_ADDRESS = "5/h"
JOINS_PER_EMAIL = "3/d"


def _limit_joins(request: HttpRequest) -> None:
    """Count a waitlist entry about to be stored; over either limit, the plain 429 page."""
    count_submission(request, "waitlist", per_address=JOINS_PER_ADDRESS, per_email=JOINS_PER_EMAIL)


@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate="30/m", method="POST", block=True)
def join_waitlist(request: HttpRequest) -> HttpResponse:
    """The form (?type=<slug>&date=YYYY-MM-DD fill it in, as the booking page's link does); its
    POST puts the client on the waitlist and shows their place on it."""
    rules = scheduling.load_rules()
    first_day, last_day = scheduling.booking_days(rules)
    sessions = list(SessionType.objects.filter(is_active=True))
    bounds = {"sessions": sessions, "min_day": first_day, "max_day": last_day}
    if request.method == "POST":
        form = WaitlistForm(request.POST, **bounds)
        if form.is_valid():
            if form.is_bot():
                return render(request, "bookings/waitlist_joined_quietly.html")
            _limit_joins(request)
            entry = waitlist.join_waitlist(
                session_type=form.cleaned_data["session_type"],
                days=form.days,
                name=form.cleaned_data["name"],
                email=form.cleaned_data["email"],
                address=form.cleaned_data["address"].strip(),
            )
            messages.success(request, "You're on the waitlist. We've emailed you a confirmation.")
            return redirect("waitlist_entry", token=waitlist.entry_token(entry))
        return _render_form(request, form, status=400)
    slug, day = request.GET.get("type", ""), request.GET.get("date", "")
    session = next((s for s in sessions if s.slug == slug), sessions[0] if sessions else None)
    initial = {"session_type": session.slug if session else None}
    if _is_day(day):
        initial["day"] = day
    return _render_form(request, WaitlistForm(initial=initial, **bounds))


def _is_day(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


def _render_form(request: HttpRequest, form: WaitlistForm, *, status: int = 200) -> HttpResponse:
    context = {"form": form, "zone": studio_zone().key}
    return render(request, "bookings/waitlist_join.html", context, status=status)


def _signed_link(load):
    """For views behind a signed waitlist link: passes the entry or offer in. A forged link is a
    404; a genuine one that is too old, a plain 410."""

    def decorator(view):
        @wraps(view)
        def wrapper(request: HttpRequest, token: str) -> HttpResponse:
            try:
                found = load(token)
            except (WaitlistEntry.DoesNotExist, WaitlistOffer.DoesNotExist):
                raise Http404("Nothing here. The link may be incomplete.") from None
            except waitlist.LinkExpired:
                return render(request, "bookings/waitlist_link_expired.html", status=410)
            return view(request, token, found)

        return wrapper

    return decorator


@require_http_methods(["GET"])
@_signed_link(waitlist.entry_for_token)
def waitlist_entry(request: HttpRequest, token: str, entry: WaitlistEntry) -> HttpResponse:
    return render(request, "bookings/waitlist_entry.html", _entry_context(entry, token))


@require_http_methods(["GET", "POST"])
@_signed_link(waitlist.entry_for_token)
def leave_waitlist(request: HttpRequest, token: str, entry: WaitlistEntry) -> HttpResponse:
    """GET asks "Leave the waitlist?" (a mail scanner opening the link changes nothing); POST leaves."""
    if request.method == "POST":
        if waitlist.leave_waitlist(entry):
            messages.success(request, "You've left the waitlist. We won't offer you any more times.")
        return redirect("waitlist_entry", token=token)
    return render(request, "bookings/waitlist_leave.html", _entry_context(entry, token))


def _entry_context(entry: WaitlistEntry, token: str) -> dict:
    return {"entry": entry, "token": token, "days": entry.day_list, "session": entry.session_type}


@require_http_methods(["GET", "POST"])
@_signed_link(waitlist.offer_for_token)
def waitlist_offer(request: HttpRequest, token: str, offer: WaitlistOffer) -> HttpResponse:
    """The offer: take it with one click (a booking request is made) or decline it."""
    status, error = 200, ""
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "take":
            try:
                booking = waitlist.take_offer(offer)
            except (services.BookingError, waitlist.WaitlistError) as exc:
                error, status = str(exc), 409
            else:
                return redirect("booking_requested", token=links.manage_token(booking))
        elif action == "decline":
            if waitlist.decline_offer(offer):
                messages.info(request, "Thank you for letting us know. The time goes to the next person waiting.")
                return redirect("waitlist_offer", token=token)
            error, status = waitlist.why_offer_is_closed(offer.pk) or "This offer can no longer be declined.", 409
        else:
            error, status = "Please choose to take the time or to decline it.", 400
        offer = WaitlistOffer.objects.select_related("entry__session_type").filter(pk=offer.pk).first()
        if offer is None:  # its entry was deleted a moment ago
            raise Http404("Nothing here any more.")
    tz = studio_zone()
    context = {
        "offer": offer,
        "token": token,
        "entry": offer.entry,
        "session": offer.entry.session_type,
        "start": offer.start.astimezone(tz),
        "end": offer.end.astimezone(tz),
        "held_until": offer.expires_at.astimezone(tz),
        "zone": tz.key,
        "closed": waitlist.offer_closed_reason(offer),
        "error": error,
        "entry_token": waitlist.entry_token(offer.entry),
    }
    return render(request, "bookings/waitlist_offer.html", context, status=status)
