import dataclasses
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.functional import cached_property
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit
from payments import PaymentStatus
from payments.urls import process_data

from photostudio.cache import BOOKING_RULES_KEY, SESSION_TYPES_KEY, remembered
from photostudio.client_address import client_ip
from photostudio.page_cache import rendered_once
from photostudio.rate_limits import count_submission

from . import (
    calendar,
    deposits,
    emails,
    intake,
    links,
    month_calendar,
    paying,
    scheduling,
    services,
    slots,
    terms,
    waitlist,
)
from .forms import BookingForm, CancelForm, ContactForm, GuideForm, parse_start
from .guide import Place
from .models import Availability, Booking, DepositStatus, Payment, SessionType, TermsDocument, ready_photos
from .payment_pages import provider_page


@require_GET
def session_type(request: HttpRequest, slug: str) -> HttpResponse:
    session = get_object_or_404(SessionType.objects.filter(is_active=True).prefetch_related(ready_photos()), slug=slug)
    others = SessionType.objects.filter(is_active=True).exclude(pk=session.pk).prefetch_related(ready_photos())
    return render(request, "bookings/session_type.html", {"session": session, "others": others})


@require_GET
def guide(request: HttpRequest) -> HttpResponse:
    answered = bool(request.GET)
    form = GuideForm(request.GET if answered else None)
    recommendation = session = None
    book_query = QueryDict(mutable=True)
    if answered and form.is_valid():
        recommendation = form.recommendation()
        session = next((s for s in _offered_sessions() if s.kind == recommendation.kind), None)
        if session:
            book_query["type"] = session.slug
            # "At my workplace" carries into the booking form as on location, when it can be.
            if form.cleaned_data["place"] == Place.WORKPLACE and session.allows_on_location:
                book_query["location"] = Booking.Location.ON_LOCATION
    context = {"form": form, "recommendation": recommendation, "session": session, "book_query": book_query.urlencode()}
    return render(request, "bookings/guide.html", context)


@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate="5/m", method="POST", block=True)
@ratelimit(key="ip", rate="30/d", method="POST", block=True)
@ratelimit(key="post:email", rate="5/h", method="POST", block=True)
def contact(request: HttpRequest) -> HttpResponse:
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not form.is_bot():
            services.receive_contact_message(**form.cleaned_data)
        return redirect("contact_thanks")
    return render(request, "bookings/contact.html", {"form": form}, status=400 if form.errors else 200)


@require_GET
def contact_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "bookings/contact_thanks.html")


# --- booking ---


def _time_choices(session: SessionType | None, day: date | None, rules) -> list[tuple[str, str]]:
    if session is None or day is None:
        return []
    return [(s.isoformat(), f"{s:%H:%M}") for s in scheduling.free_starts(session, day, day, rules=rules)]


def _parse_day(value: str | None, within: tuple[date, date] | None = None) -> date | None:
    """The day a form or link asks for; None if it is no date (2026-02-30, 10 KB of digits) or falls
    outside `within` (0001-01-01 and 9999-12-31 would overflow the date arithmetic after it)."""
    try:
        day = date.fromisoformat(value) if value else None
    except ValueError:
        return None
    if day is not None and within is not None and not within[0] <= day <= within[1]:
        return None
    return day


def _offered_sessions() -> tuple[SessionType, ...]:
    """The active session types in the site's order, from the shared cache: saving or deleting one
    in the admin forgets the cached list at once (photostudio/cache.py)."""
    return remembered(SESSION_TYPES_KEY, lambda: tuple(SessionType.objects.filter(is_active=True)))


def _booking_rules() -> slots.Rules:
    """The studio's hours, time off and booking rules, from the shared cache: saving Availability, its
    hours or time off forgets them at once. The free times are worked out afresh from them on every
    visit, and the booking service checks a request against the rules read from the database."""
    return remembered(BOOKING_RULES_KEY, scheduling.load_rules)


def _active_session(slug: str | None, offered: tuple[SessionType, ...] | None = None) -> SessionType | None:
    if not slug:
        return None
    offered = _offered_sessions() if offered is None else offered
    return next((s for s in offered if s.slug == slug), None)


# A request holds its time until answered or lapsed, so few may be sent: per client address (the
# real one behind the proxy: key="ip") and per email, whatever the case it is typed in.
REQUESTS_PER_ADDRESS = "5/h"
REQUESTS_PER_EMAIL = "3/d"


def _limit_booking_requests(request: HttpRequest) -> None:
    """Count a booking request about to be stored; over either limit, the plain 429 page."""
    count_submission(request, "book", per_address=REQUESTS_PER_ADDRESS, per_email=REQUESTS_PER_EMAIL)


def _picked_time(request: HttpRequest, tz, first_day: date, last_day: date) -> datetime | None:
    """One of "the nearest free times" chosen after losing a time, in the studio's zone; None unless
    it falls on a bookable day. It comes in the same POST as everything the client typed, so nothing
    personal goes into a URL."""
    picked = parse_start(request.POST.get("pick", ""), first_day, last_day)
    if picked is None:
        return None
    picked = picked.astimezone(tz)
    return picked if first_day <= picked.date() <= last_day else None


def _time_labels(starts: list[datetime], tz) -> list[tuple[str, str, str]]:
    """(value, day, label) of each time, in the studio's zone."""
    return [(s.isoformat(), f"{s:%Y-%m-%d}", f"{s:%A %-d %B}, {s:%H:%M}") for s in (t.astimezone(tz) for t in starts)]


@dataclass(frozen=True)
class _BookingPage:
    """What the booking page shows: a session, a month of its free days, a day and that day's free
    times, within the days a client may book (today to the horizon)."""

    rules: slots.Rules
    bookable: tuple[date, date]
    offered: tuple[SessionType, ...]  # the active session types
    session: SessionType | None
    day: date | None
    month: date | None = None  # the month asked for (the day's, when there is one)

    @classmethod
    def asked(cls, source: QueryDict, rules: slots.Rules, *, day: date | None = None) -> "_BookingPage":
        """The session, day and month a form or link asks for (or `day`); a day no one may book is no
        day, and a month outside the bookable ones is the nearest that is."""
        bookable = scheduling.booking_days(rules)
        offered = _offered_sessions()
        session = _active_session(source.get("session_type") or source.get("type"), offered)
        day = day or _parse_day(source.get("date"), within=bookable)
        month = day.replace(day=1) if day else month_calendar.month_to_show(source.get("month"), bookable)
        return cls(rules, bookable, offered, session, day, month)

    def settled(self) -> "_BookingPage":
        """With no day asked for: the first free day of the month asked for, else the first free
        day from today; with no session asked for, the first one offered."""
        page = self
        if page.session is None:
            page = dataclasses.replace(page, session=next(iter(page.offered), None))
        if page.session is None or page.day is not None:
            return page
        if page.free:
            chosen = dataclasses.replace(page, day=min(page.free))
            chosen.__dict__["free"] = page.free  # the same session and month: no need to ask again
            return chosen
        if self.month is not None:
            return page  # a month with nothing free says so
        day = scheduling.first_free_day(page.session, rules=page.rules)
        return dataclasses.replace(page, day=day, month=day.replace(day=1) if day else None)

    @property
    def shown_month(self) -> date:
        return self.month or self.bookable[0].replace(day=1)

    # Django's cached_property, not functools': that one (before Python 3.12) holds one lock for all
    # instances while it computes, so one request's free times kept every other thread waiting.
    @cached_property
    def free(self) -> dict[date, list[datetime]]:
        """The free starts of each day of the month shown (the calendar and the day's times)."""
        if self.session is None:
            return {}
        first, last = month_calendar.month_bounds(self.shown_month)
        first, last = max(first, self.bookable[0]), min(last, self.bookable[1])
        return scheduling.free_days(self.session, first, last, rules=self.rules) if first <= last else {}

    @cached_property
    def times(self) -> list[tuple[str, str]]:
        if self.session is None or self.day is None:
            return []
        if self.day.replace(day=1) == self.shown_month:
            return [(s.isoformat(), f"{s:%H:%M}") for s in self.free.get(self.day, [])]
        return _time_choices(self.session, self.day, self.rules)

    @cached_property
    def calendar(self) -> month_calendar.BookingMonth | None:
        if self.session is None:
            return None
        return month_calendar.booking_month(
            self.shown_month, free_days=set(self.free), bookable=self.bookable, selected=self.day
        )

    @property
    def month_key(self) -> str:
        """Everything the month's markup shows, to cache it under: the session, the month, the day
        chosen, the bookable days (past and beyond the horizon) and the free days."""
        free = ",".join(f"{day:%d}" for day in sorted(self.free))
        first, last = self.bookable
        horizon = self.rules.horizon.days
        slug = self.session.slug if self.session else ""
        return f"{slug}|{self.shown_month:%Y-%m}|{self.day}|{first}|{last}|{horizon}|{free}"

    @cached_property
    def questions(self) -> tuple:
        """The session's intake questions (from the shared cache)."""
        return intake.questions_for(self.session)

    @cached_property
    def terms(self) -> TermsDocument | None:
        """The version of the terms a client booking this session accepts (from the shared cache)."""
        return terms.current_terms(self.session)

    @property
    def intake_key(self) -> str:
        """What the session's questions and terms show, to key the cached "your details" part by."""
        return intake.fingerprint(self.questions, self.terms.pk if self.terms else None)

    def form(self, data: QueryDict | None = None, *, typed: dict | None = None) -> BookingForm:
        """The form filled in (`data`), or showing this session and day over what was `typed`."""
        bounds = {
            "times": self.times,
            "min_day": self.bookable[0],
            "max_day": self.bookable[1],
            "sessions": self.offered,
            "questions": self.questions,
            "terms": self.terms,
        }
        if data is not None:
            return BookingForm(data, **bounds)
        shown = {"session_type": self.session.slug if self.session else None, "date": self.day}
        if self.session and not self.session.allows_studio:
            shown["location"] = Booking.Location.ON_LOCATION  # its only place: the choice is not shown
        return BookingForm(initial=(typed or {}) | shown, **bounds)

    def context(self) -> dict:
        """What the month, the day's times and the session's summary need (the page and its fragment)."""
        return self._context

    @cached_property
    def _context(self) -> dict:
        return {
            "session": self.session,
            "day": self.day,
            "times": self.times,
            "calendar": self.calendar,
            "month_key": self.month_key,
            "horizon_days": self.rules.horizon.days,
            "zone": self.rules.tz.key,
            "next_day": scheduling.first_free_day(self.session, after=self.day, rules=self.rules)
            if self.session and self.day and not self.times
            else None,
            # A full day (taken, not closed) offers its waitlist.
            "can_wait": bool(self.session and self.day and not self.times)
            and waitlist.day_has_sessions(self.session, self.day, self.rules),
        }

    def shows(self, form: BookingForm, details_key: str) -> str:
        """Everything an untyped form's page shows beyond the shared details, as one string: the
        session, the month and its free days, the day and its free times, what follows a full day,
        the form's preset values and its "your details" part."""
        context = self.context()
        session = context["session"]
        return repr(
            (
                session.pk if session else None,
                context["month_key"],
                context["times"],
                context["horizon_days"],
                context["zone"],
                context["next_day"],
                context["can_wait"],
                sorted((name, str(value)) for name, value in form.initial.items()),
                details_key,
            )
        )

    def render(
        self, request: HttpRequest, form: BookingForm, *, status: int = 200, nearest=(), details_key: str = ""
    ) -> HttpResponse:
        """`details_key`: set only for a form nobody has typed in, whose "your details" part is then
        the same for every visitor and kept in the cache under it."""
        context = self.context() | {
            "form": form,
            "nearest": _time_labels(nearest, self.rules.tz),
            "pick_in_form": True,
            "details_key": "" if form.is_bound else details_key,
        }
        return render(request, "bookings/book.html", context, status=status)


@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate="30/m", method="POST", block=True)
def book(request: HttpRequest) -> HttpResponse:
    """One address, three kinds of request: the form (?type=, ?date=, ?month=YYYY-MM), another day's
    times without JavaScript (or a nearest time picked after losing one), and the request itself."""
    if request.method == "GET":
        return _show_booking_form(request)
    if "show_times" in request.POST or "pick" in request.POST:
        return _show_times_keeping_what_was_typed(request)
    return _send_booking_request(request)


def _show_booking_form(request: HttpRequest) -> HttpResponse:
    """The session and day in the link (?type=headshot&date=2026-11-20), else the first session on
    its first free day."""
    page = _BookingPage.asked(request.GET, _booking_rules()).settled()
    form = page.form(typed=_preselected(request.GET, page.session))
    # Nothing typed yet: the details differ only by the place preselected and where the session can be.
    details_key = f"{form['location'].value()}|{page.session.location if page.session else ''}|{page.intake_key}"
    # The same page for everyone who would see the same free times: drawn once, each visitor's CSRF
    # token put in (the free times themselves are worked out afresh above, on every visit).
    return rendered_once(
        request, page.shows(form, details_key), lambda: page.render(request, form, details_key=details_key)
    )


def _preselected(query: QueryDict, session: SessionType | None) -> dict:
    """What a link may fill in beyond the session and day: on location (the guide's "at my
    workplace"), when the session can happen there."""
    if query.get("location") == Booking.Location.ON_LOCATION and session and session.allows_on_location:
        return {"location": Booking.Location.ON_LOCATION}
    return {}


def _show_times_keeping_what_was_typed(request: HttpRequest) -> HttpResponse:
    """The form again for another session or day ("show free times"), or with one of the nearest
    times picked: everything typed is kept (in a POST, so nothing personal goes into a URL)."""
    rules = _booking_rules()
    first_day, last_day = scheduling.booking_days(rules)
    picked = _picked_time(request, rules.tz, first_day, last_day)
    page = _BookingPage.asked(request.POST, rules, day=picked.date() if picked else None)
    # Several ticks of one question come as a list; every other field as its one value.
    typed = {name: values if len(values) > 1 else values[0] for name, values in request.POST.lists()}
    typed |= {"start": picked.isoformat()} if picked else {}
    return page.render(request, page.form(typed=typed))


def _send_booking_request(request: HttpRequest) -> HttpResponse:
    """Store the request and show its page; 400 with what to correct; 409 with the nearest free
    times when the time was taken a moment ago. A bot is answered as if stored, and nothing is."""
    page = _BookingPage.asked(request.POST, _booking_rules())
    form = page.form(request.POST)
    if not form.is_valid():
        return page.render(request, form, status=400)
    if form.is_bot():
        return render(request, "bookings/requested_quietly.html")
    _limit_booking_requests(request)
    try:
        booking = services.request_booking(form.booking_request(client_address=client_ip(request)))
    except services.TimeTaken as taken:
        form.add_error("start", str(taken))
        return page.render(request, form, status=409, nearest=taken.nearest)
    if booking.deposit_status == DepositStatus.PENDING:
        return redirect("pay_deposit", token=links.manage_token(booking))
    return redirect("booking_requested", token=links.manage_token(booking))


@require_GET
def booking_calendar(request: HttpRequest) -> HttpResponse:
    """The month, the chosen day's times and the session's summary, as the booking form shows them:
    the form's JavaScript swaps them in when a day, a month or the session changes."""
    page = _BookingPage.asked(request.GET, _booking_rules())
    if page.session is None:
        # The form's JavaScript shows this text to the client, on a phone as often as not.
        message = "That session is no longer offered. Reload the page to see the sessions you can book."
        return HttpResponse(message, status=400, content_type="text/plain")
    page = page.settled()
    context = page.context()
    if request.GET.get("intake"):  # another session chosen: its questions and terms replace the last one's
        context["intake_form"] = page.form()
    return render(request, "bookings/_calendar.html", context)


# Primary keys are 32-bit integers: a larger number in the address names no row (and must not reach the database).
LARGEST_KEY = 2**31 - 1


@require_GET
def terms_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One version of the terms, as the client read it; a newer version, if any, is linked."""
    if pk > LARGEST_KEY:
        raise Http404
    version = get_object_or_404(TermsDocument.objects.select_related("session_type"), pk=pk)
    context = {"terms": version, "newer": terms.newer_version(version)}
    return render(request, "bookings/terms.html", context)


@require_GET
def free_times(request: HttpRequest) -> JsonResponse:
    """The free start times of one day, as JSON (the booking form itself fetches its calendar's
    parts as HTML from `booking_calendar`)."""
    session = _active_session(request.GET.get("type"))
    day = _parse_day(request.GET.get("date"))
    if session is None or day is None:
        return JsonResponse({"error": "Give an active session type (type=) and a day (date=YYYY-MM-DD)."}, status=400)
    rules = _booking_rules()
    first_day, last_day = scheduling.booking_days(rules)
    if first_day <= day <= last_day:
        times = _time_choices(session, day, rules)
        next_day = scheduling.first_free_day(session, after=day, rules=rules) if not times else None
    else:  # a day no one may book (however far off): no times, and the first free day if it is ahead
        times = []
        next_day = scheduling.first_free_day(session, rules=rules) if day < first_day else None
    return JsonResponse(
        {
            "date": day.isoformat(),
            "zone": rules.tz.key,
            "times": [{"value": v, "label": label} for v, label in times],
            "next_free_day": next_day.isoformat() if next_day else None,
        }
    )


def _booking_link(view):
    """For views behind a client's signed booking link: passes the booking in. A forged link is a
    404; a genuine one that can no longer show its booking (too old, or withdrawn) a plain 410."""

    @wraps(view)
    def wrapper(request: HttpRequest, token: str) -> HttpResponse:
        try:
            booking = links.booking_for_token(token)
        except Booking.DoesNotExist:
            raise Http404("No booking here. The link may be incomplete.") from None
        except links.BookingGone:
            return render(request, "bookings/booking_gone.html", status=410)
        except links.LinkExpired:
            return render(request, "bookings/link_expired.html", status=410)
        return view(request, token, booking)

    return wrapper


@require_GET
@_booking_link
def booking_requested(request: HttpRequest, token: str, booking: Booking) -> HttpResponse:
    return render(request, "bookings/requested.html", _manage_context(booking, token))


@require_http_methods(["GET", "POST"])
@_booking_link
def manage_booking(request: HttpRequest, token: str, booking: Booking) -> HttpResponse:
    status = 200
    error = ""
    if request.method == "POST" and request.POST.get("action") == "cancel":
        # A cancel button from an older page: cancelling needs the confirmation step.
        return redirect("cancel_booking", token=token)
    if request.method == "POST":
        error, status = "Unknown action.", 400
    return render(request, "bookings/manage.html", _manage_context(booking, token) | {"error": error}, status=status)


@require_http_methods(["GET", "POST"])
@_booking_link
def cancel_booking(request: HttpRequest, token: str, booking: Booking) -> HttpResponse:
    """The confirmation step: GET asks "Cancel your session on ...?", only its POST cancels."""
    if request.method == "GET" and not services.can_client_change(booking):
        return redirect("manage_booking", token=token)  # cancelled already, or too late: that page says so
    form = CancelForm(request.POST or None)
    status, error = 200, ""
    if request.method == "POST":
        if form.is_valid():
            try:
                services.cancel_booking(booking, by_client=True, reason=form.cleaned_data["reason"])
            except services.BookingError as exc:
                error, status = str(exc), 409
            else:
                messages.success(request, "Your session is cancelled. We've sent you an email to confirm.")
                return redirect("manage_booking", token=token)
        else:
            status = 400
    context = _manage_context(booking, token) | {"form": form, "error": error}
    context["refund_on_cancel"] = deposits.will_refund_on_cancel(booking)
    return render(request, "bookings/cancel.html", context, status=status)


@require_http_methods(["GET", "POST"])
@_booking_link
def reschedule_booking(request: HttpRequest, token: str, booking: Booking) -> HttpResponse:
    rules = scheduling.load_rules()
    first_day, last_day = scheduling.booking_days(rules)
    source = request.POST if request.method == "POST" else request.GET
    day = _parse_day(source.get("date")) or booking.start.astimezone(rules.tz).date()
    day = min(max(day, first_day), last_day)
    status, error, nearest = 200, "", []
    if not services.can_client_change(booking):
        error, status = "This session can no longer be moved online. Please call or email the studio.", 409
    elif request.method == "POST":
        new_start = parse_start(request.POST.get("start", ""), first_day, last_day)
        if new_start is None:
            error, status = "Please choose one of the start times shown.", 400
        else:
            try:
                services.reschedule_booking(booking, new_start=new_start, by_client=True)
            except services.SameTime as same:
                messages.info(request, str(same))
                return redirect("manage_booking", token=token)
            except services.TimeTaken as taken:
                error, status = str(taken), 409
                nearest = [t for t in taken.nearest if t != booking.start]
            except services.BookingError as exc:
                error, status = str(exc), 409
            else:
                messages.success(request, "Your session has moved. We've emailed you the new time.")
                return redirect("manage_booking", token=token)
    # Its own time is not "free" to move to: it is simply where the session already is.
    times = [
        (s.isoformat(), f"{s:%H:%M}")
        for s in scheduling.free_starts(booking.session_type, day, day, rules=rules, ignoring=booking)
        if s != booking.start
    ]
    context = _manage_context(booking, token) | {
        "day": day,
        "times": times,
        "error": error,
        "nearest": _time_labels(nearest, rules.tz),
        "min_day": first_day,
        "max_day": last_day,
        "zone": rules.tz.key,
    }
    return render(request, "bookings/reschedule.html", context, status=status)


def _manage_context(booking: Booking, token: str) -> dict:
    availability = Availability.load()
    tz = availability.tz
    return {
        "booking": booking,
        "token": token,
        "start": booking.start.astimezone(tz),
        "end": booking.end.astimezone(tz),
        "zone": tz.key,
        "where": emails.where(booking),
        "can_change": services.can_client_change(booking),
        "change_hours": availability.change_notice_hours,
    }


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The photographer's private calendar: requested and confirmed sessions, for subscription."""
    availability = Availability.load()
    if not constant_time_compare(token, availability.calendar_token):
        raise Http404
    since = timezone.now() - timedelta(days=60)
    bookings = Booking.objects.filter(status__in=Booking.HOLDING, end__gte=since).select_related(
        "client", "session_type"
    )
    studio_address = emails.studio_address_line()  # once, not once per studio session
    events = [emails.studio_calendar_event(b, studio_address=studio_address) for b in bookings]
    ics = calendar.feed_ics(events, tz=availability.tz, calendar_name=f"{settings.STUDIO_NAME} sessions")
    return HttpResponse(ics, content_type="text/calendar; charset=utf-8")


# --- paying ---


@require_http_methods(["GET", "POST"])
@_booking_link
def pay_deposit(request: HttpRequest, token: str, booking: Booking) -> HttpResponse:
    """What the deposit is, the cancellation rule, then the provider's form (the dummy provider's,
    on this page) or its own page (Stripe's checkout)."""
    if not deposits.awaiting_deposit(booking):
        return redirect("manage_booking", token=token)  # paid, waived or released: that page says which
    try:
        payment = deposits.deposit_payment(booking)
        step = paying.provider_step(payment, request.POST if request.method == "POST" else None)
    except (deposits.DepositError, paying.PaymentFailed) as exc:
        messages.error(request, str(exc))
        return redirect("manage_booking", token=token)

    def context() -> dict:
        shown = _manage_context(booking, token)
        studio_tz = shown["start"].tzinfo  # the studio's zone, already loaded for the booking's times
        return shown | {
            "what": f"A deposit of {settings.CURRENCY_SYMBOL}{payment.total} reserves this time.",
            "rule": deposits.refund_rule(booking.session_type),
            "hold_until": booking.lapses_at.astimezone(studio_tz) if booking.lapses_at else None,
            "back_url": reverse("manage_booking", args=[token]),
        }

    return provider_page(request, payment, step, context)


@require_GET
def payment_return(request: HttpRequest, token: uuid.UUID) -> HttpResponse:
    """Where the provider sends the client back: the payment applied if it went through (a webhook
    may have done it already), then the page the payment was started from, saying how it went."""
    payment = get_object_or_404(Payment, token=str(token))
    paying.refresh_status(payment)
    deposits.settle_payment(payment.pk)
    payment.refresh_from_db()
    if payment.status == PaymentStatus.CONFIRMED:
        messages.success(
            request, f"Thank you: your payment of {settings.CURRENCY_SYMBOL}{payment.total} is received. "
            "We've emailed you a receipt.",
        )  # fmt: skip
    elif payment.status in paying.OPEN:
        messages.info(request, "We're waiting to hear from the payment provider; we'll email you a receipt.")
    else:
        messages.error(request, "The payment didn't go through and nothing was charged. You can try again.")
    return redirect(payment.return_path or "home")


@require_GET
def payment_process(request: HttpRequest, token: uuid.UUID) -> HttpResponse:
    """django-payments' return address for providers that send the client back through it (the dummy
    provider's card-check step), with what it may carry checked first."""
    result = request.GET.get("verification_result")
    if result is not None and result not in dict(PaymentStatus.CHOICES):
        return HttpResponse("Unknown payment result.", status=400, content_type="text/plain")
    payment = get_object_or_404(Payment, token=str(token))
    return process_data(request, str(payment.token))


@csrf_exempt
@require_POST
def payment_webhook(request: HttpRequest, variant: str) -> HttpResponse:
    """The provider's events (Stripe: checkout sessions completed or expired). A bad signature is
    refused with 400 and changes nothing; an event delivered twice is applied once."""
    try:
        payment = paying.apply_webhook_event(request, variant)
    except paying.WebhookRefused as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    if payment is not None:
        deposits.settle_payment(payment.pk)
    return JsonResponse({"status": "ok"})
