import calendar
from functools import partial

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.contenttypes.admin import GenericTabularInline
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import pluralize
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe

from photostudio import history
from photostudio.admin_files import StudioFilesAdmin
from photostudio.admin_one_row import OneRowAdmin
from photostudio.admin_widgets import LabelledSplitDateTime, NamedListEditable
from photostudio.models import OutgoingEmail
from photostudio.queueing import send_after_commit

from . import deposits, scheduling, services, studio_calendar, terms
from .forms import BookingRequestMixin
from .models import (
    Availability,
    Booking,
    Client,
    ContactMessage,
    IntakeQuestion,
    Payment,
    PaymentEvent,
    Refund,
    SessionType,
    SessionTypePhoto,
    StudioProfile,
    TermsAcceptance,
    TermsDocument,
    TimeOff,
    WorkingHours,
    new_secret,
)


@admin.register(StudioProfile)
class StudioProfileAdmin(OneRowAdmin, admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # "instagram.com/…" means https
    fieldsets = [
        (None, {"fields": ["tagline", "about"]}),
        ("Contact", {"fields": ["phone", "instagram_url"]}),
        ("Finding the studio", {"fields": ["address", "city", "postcode", "directions"]}),
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not StudioProfile.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: StudioProfile | None = None) -> bool:
        return False


class SessionTypePhotoInline(StudioFilesAdmin, admin.TabularInline):
    model = SessionTypePhoto
    extra = 1
    fields = ["original", "preview", "alt", "order"]
    readonly_fields = ["preview"]

    @admin.display(description="on the site")
    def preview(self, obj: SessionTypePhoto) -> str:
        if obj.image:
            return format_html('<img src="{}" alt="" style="height:80px">', obj.image.url)
        return obj.error and f"Could not use this file: {obj.error}" or "being prepared…"


class IntakeQuestionInline(admin.StackedInline):
    """The questions clients answer on the booking form when they choose this session."""

    model = IntakeQuestion
    extra = 0
    fields = [("text", "kind"), ("required", "order"), "help_text", "choices"]
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 4, "cols": 40})}}
    verbose_name_plural = "questions asked when booking"


@admin.register(SessionType)
class SessionTypeAdmin(NamedListEditable, admin.ModelAdmin):
    list_display = ["name", "kind", "duration_minutes", "price", "images_included", "location", "order", "is_active"]
    list_editable = ["order", "is_active"]
    list_filter = ["kind", "is_active", "location"]
    search_fields = ["name", "pitch"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [SessionTypePhotoInline, IntakeQuestionInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind", "is_active", "order"]}),
        ("On the site", {"fields": ["pitch", "purpose", "style", "goal", "deliverables", "preparation"]}),
        ("Booking", {"fields": ["duration_minutes", "buffer_before_minutes", "buffer_after_minutes", "location"]}),
        ("Price", {"fields": ["price", "images_included"]}),
        ("Deposit", {"fields": ["deposit", "refund_until_hours"]}),
    ]

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        super().save_formset(request, form, formset, change)
        if formset.model is not SessionTypePhoto:
            return
        # A new file needs a new web copy; a new description or order keeps the one on the site.
        replaced = [obj for obj, fields in formset.changed_objects if "original" in fields]
        for photo in replaced:
            SessionTypePhoto.objects.filter(pk=photo.pk).update(image="", error="")
        for photo in [*formset.new_objects, *replaced]:
            send_after_commit("bookings.tasks.prepare_example_photo", photo.pk)


@admin.register(ContactMessage)
class ContactMessageAdmin(NamedListEditable, admin.ModelAdmin):
    list_display = ["created_at", "name", "email", "short_message", "answered"]
    list_editable = ["answered"]
    list_filter = ["answered"]
    search_fields = ["name", "email", "message"]
    readonly_fields = ["name", "email", "phone", "message", "created_at"]
    date_hierarchy = "created_at"

    @admin.display(description="message")
    def short_message(self, obj: ContactMessage) -> str:
        return obj.message[:80] + ("…" if len(obj.message) > 80 else "")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


# --- availability, clients and bookings ---


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    extra = 0


@admin.register(Availability)
class AvailabilityAdmin(OneRowAdmin, admin.ModelAdmin):
    inlines = [WorkingHoursInline]
    readonly_fields = ["calendar_feed"]
    fieldsets = [
        (None, {"fields": ["time_zone", "step_minutes", "max_sessions_per_day"]}),
        ("Notice", {"fields": ["min_notice_hours", "horizon_days", "change_notice_hours", "request_lapse_hours"]}),
        ("Waitlist", {"fields": ["waitlist_offer_hours"]}),
        ("Your calendar", {"fields": ["calendar_feed"]}),
        ("Deposits", {"fields": ["deposit_hold_minutes"]}),
    ]

    @admin.display(description="calendar feed")
    def calendar_feed(self, obj: Availability) -> str:
        url = settings.SITE_URL + reverse("calendar_feed", args=[obj.calendar_token])
        return format_html(
            '<code>{}</code><br><span class="help">Subscribe to this address in Google, Apple or Outlook '
            "calendar to see your sessions there. Keep it private; to stop an old address working, tick "
            '"reset the calendar address" below and save.</span>'
            '<p><label><input type="checkbox" name="_reset_calendar"> reset the calendar address</label></p>',
            url,
        )

    def save_model(self, request: HttpRequest, obj: Availability, form, change: bool) -> None:
        if "_reset_calendar" in request.POST:
            obj.calendar_token = new_secret()
            messages.info(request, "The calendar address has changed: subscribe again with the new one.")
        super().save_model(request, obj, form, change)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not Availability.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(TimeOff)
class TimeOffAdmin(admin.ModelAdmin):
    list_display = ["first_day", "start_time", "last_day", "end_time", "note"]
    date_hierarchy = "first_day"
    fields = [("first_day", "start_time"), ("last_day", "end_time"), "note"]

    def save_model(self, request: HttpRequest, obj: TimeOff, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        # Time off stops new bookings only: sessions already booked on those days still stand.
        clashing = list(scheduling.holding_during(obj))
        if not clashing:
            return
        sessions = format_html_join(
            "; ",
            '<a href="{}">{}</a> {} with {} on {} ({})',
            (
                (
                    reverse("admin:bookings_booking_change", args=[b.pk]),
                    b.reference,
                    b.session_type.name,
                    b.client.name,
                    formats.date_format(timezone.localtime(b.start), "D j M Y, H:i"),
                    b.get_status_display().lower(),
                )
                for b in clashing
            ),
        )
        n = len(clashing)
        self.message_user(
            request,
            format_html(
                "This time off overlaps {} booked session{} that still stand{}: {}. "
                "Decline, cancel or move {} if you won't be there.",
                n,
                pluralize(n),
                pluralize(n, "s,"),
                sessions,
                pluralize(n, "it,them"),
            ),
            messages.WARNING,
        )


class ClientBookingInline(admin.TabularInline):
    model = Booking
    fields = ["booking_link", "session_type", "start", "status"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False
    ordering = ["-start"]

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("client", "session_type")  # not a query per row

    @admin.display(description="booking")
    def booking_link(self, obj: Booking) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:bookings_booking_change", args=[obj.pk]), obj.reference
        )

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "company", "phone", "created_at"]
    search_fields = ["name", "email", "company", "phone"]
    inlines = [ClientBookingInline]
    # Deleting a client forgets everything of theirs in every app: photostudio/admin.py extends this.


class EmailHistoryInline(GenericTabularInline):
    """Every email about this booking: to whom, what, when, and whether it went out."""

    model = OutgoingEmail
    ct_field = "about_type"
    ct_fk_field = "about_id"
    fields = ["created_at", "to", "subject", "status", "sent_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "emails"

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class BookingAdminForm(BookingRequestMixin, forms.ModelForm):
    class Meta:
        model = Booking
        fields = "__all__"

    def clean(self) -> dict:
        data = super().clean()
        session, start = data.get("session_type") or getattr(self.instance, "session_type", None), data.get("start")
        if session and start and (not self.instance.pk or "start" in self.changed_data):
            ignoring = self.instance if self.instance.pk else None
            if scheduling.overlaps_holding(session, start, ignoring=ignoring):
                self.add_error("start", "This time (with the session's buffers) overlaps another booking.")
            elif team_day := scheduling.team_day_during(session, start):
                self.add_error("start", services.team_day_clash(team_day))
        return data


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    form = BookingAdminForm
    formfield_overrides = {models.DateTimeField: {"widget": LabelledSplitDateTime}}
    change_form_template = "admin/bookings/booking/change_form.html"
    change_list_template = "admin/bookings/booking/change_list.html"
    list_display = ["reference", "local_start", "client_name", "session_type", "coloured_status", "lapses", "location"]
    list_filter = ["status", "session_type", ("start", admin.DateFieldListFilter), "deposit_status"]
    search_fields = ["reference", "client__name", "client__email"]
    date_hierarchy = "start"
    list_select_related = ["client", "session_type"]
    autocomplete_fields = ["client"]
    actions = ["confirm_selected", "decline_selected", "complete_selected", "cancel_selected"]
    actions += ["mark_deposit_paid_selected", "waive_deposit_selected"]
    inlines = [EmailHistoryInline]
    readonly_fields = [
        "reference", "status", "lapses", "held_time", "cancel_reason", "created_at", "updated_at", "changes",
        "intake_answers", "terms_accepted",
    ]  # fmt: skip
    readonly_fields += ["deposit", "deposit_status", "deposit_payments"]
    fieldsets = [
        (None, {"fields": ["reference", "status", "lapses", "client", "session_type", "start", "end", "held_time"]}),
        ("Details", {"fields": ["location", "address", "purpose", "people", "message"]}),
        ("Answers and terms", {"fields": ["intake_answers", "terms_accepted"]}),
        ("Declining or cancelling", {"fields": ["decline_reason", "cancel_reason"]}),
        ("History", {"fields": ["created_at", "updated_at", "changes"]}),
        ("Deposit", {"fields": ["deposit", "deposit_status", "deposit_payments"]}),
    ]

    def get_form(self, request: HttpRequest, obj: Booking | None = None, change: bool = False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if "start" in form.base_fields:
            form.base_fields["start"].help_text = f"The studio's time ({timezone.get_current_timezone_name()})."
        return form

    def get_fieldsets(self, request: HttpRequest, obj: Booking | None = None):
        fieldsets = super().get_fieldsets(request, obj)
        # A booking made here for a client has no answers or terms of theirs yet.
        return fieldsets if obj else [f for f in fieldsets if f[0] != "Answers and terms"]

    def get_readonly_fields(self, request: HttpRequest, obj: Booking | None = None) -> list[str]:
        # `end` follows from the start and the session's length; the session can't change afterwards.
        return [*self.readonly_fields, "end", *(["session_type", "client"] if obj else [])]

    @admin.display(description="start", ordering="start")
    def local_start(self, obj: Booking) -> str:
        return f"{timezone.localtime(obj.start):%a %d %b %Y %H:%M}"  # the studio's zone is the current one

    @admin.display(description="client", ordering="client__name")
    def client_name(self, obj: Booking) -> str:
        return obj.client.name  # the email address too would crowd the other columns off a laptop's screen

    @admin.display(description="status", ordering="status")
    def coloured_status(self, obj: Booking) -> str:
        return format_html('<span class="status-pill status-{}">{}</span>', obj.status, obj.get_status_display())

    @admin.display(description="lapses unless confirmed", ordering="lapses_at")
    def lapses(self, obj: Booking) -> str:
        if obj.status != Booking.Status.REQUESTED or not obj.lapses_at:
            return "-"
        return f"{timezone.localtime(obj.lapses_at):%a %d %b %Y %H:%M}"  # the studio's zone, as for the start

    # Deleting a booking withdraws it: a client still expecting the session is emailed.
    def delete_model(self, request: HttpRequest, obj: Booking) -> None:
        if services.withdraw_booking(obj):
            self.message_user(request, f"{obj.client.name} has been emailed that {obj.reference} was withdrawn.")

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        told = sum(services.withdraw_booking(booking) for booking in queryset)
        if told:
            self.message_user(request, f"{told} client{pluralize(told)} emailed that their booking was withdrawn.")

    @admin.display(description="changes of state")
    def changes(self, obj: Booking | None) -> str:
        return history.history_table(obj)

    @admin.display(description="answers to your questions")
    def intake_answers(self, obj: Booking) -> str:
        answers = list(obj.intake_answers.all()) if obj.pk else []
        if not answers:
            return "No questions were asked."
        return render_to_string("admin/bookings/_intake_answers.html", {"answers": answers})

    @admin.display(description="terms accepted")
    def terms_accepted(self, obj: Booking) -> str:
        accepted = TermsAcceptance.objects.select_related("terms").filter(booking=obj).first() if obj.pk else None
        if accepted is None:
            return "None accepted online (no terms applied, or the booking was made here)."
        return format_html(
            '<a href="{}">{}</a>, accepted {} ({}) from {}',
            reverse("admin:bookings_termsdocument_change", args=[accepted.terms_id]),
            accepted.terms,
            f"{timezone.localtime(accepted.accepted_at):%a %d %b %Y %H:%M:%S}",
            timezone.get_current_timezone_name(),
            accepted.accepted_from or "an unknown address",
        )

    @admin.display(description="held, with buffers")
    def held_time(self, obj: Booking) -> str:
        if not obj.pk:
            return "-"
        start, end = timezone.localtime(obj.held_start), timezone.localtime(obj.held_end)
        return f"{start:%H:%M} – {end:%H:%M} ({timezone.get_current_timezone_name()})"

    def save_model(self, request: HttpRequest, obj: Booking, form, change: bool) -> None:
        if not change:
            # A booking added here is a request made on the client's behalf, held and emailed as theirs.
            booking = services.request_booking(form.booking_request(), by_studio=True, by=request.user)
            obj.pk = booking.pk
            return
        if "start" in form.changed_data:
            new_start = obj.start
            obj.refresh_from_db(fields=["start", "end", "held_start", "held_end"])
            services.reschedule_booking(obj, new_start=new_start, by_client=False, by=request.user)
            obj.refresh_from_db()
        super().save_model(request, obj, form, change)

    def response_change(self, request: HttpRequest, obj: Booking):
        steps = {
            "_confirm": lambda: services.confirm_booking(obj, by=request.user),
            "_decline": lambda: services.decline_booking(obj, reason=obj.decline_reason, by=request.user),
            "_complete": lambda: services.complete_booking(obj, by=request.user),
            "_cancel": lambda: services.cancel_booking(obj, by_client=False, by=request.user),
        }
        for key, step in steps.items():
            if key in request.POST:
                try:
                    booking = step()
                except services.BookingError as exc:
                    self.message_user(request, str(exc), messages.ERROR)
                else:
                    self.message_user(request, f"{booking.reference} is now {booking.get_status_display().lower()}.")
                return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    def _apply(
        self, request: HttpRequest, queryset, step, done: str, *, noun="booking", refused=services.BookingError
    ) -> None:
        changed = 0
        for booking in queryset:
            try:
                step(booking)
                changed += 1
            except refused as exc:
                self.message_user(request, str(exc), messages.WARNING)
        if changed:
            self.message_user(request, f"{changed} {noun}{pluralize(changed)} {done}.")

    @admin.action(description="Confirm the selected requests")
    def confirm_selected(self, request: HttpRequest, queryset) -> None:
        self._apply(request, queryset, lambda b: services.confirm_booking(b, by=request.user), "confirmed")

    @admin.action(description="Decline the selected requests (asks for a reason)")
    def decline_selected(self, request: HttpRequest, queryset):
        if "reason" in request.POST and "apply" in request.POST:
            reason = request.POST["reason"].strip()
            self._apply(
                request, queryset, lambda b: services.decline_booking(b, reason=reason, by=request.user), "declined"
            )
            return None
        return self._decline_page(request, queryset.select_related("client", "session_type"), as_action=True)

    def _decline_page(self, request: HttpRequest, bookings, *, as_action=False, back=".", error="", status=200):
        """The page asking for the reason the clients will read, for the list's action or one booking."""
        context = {
            **self.admin_site.each_context(request),
            "title": "Decline booking requests" if as_action else "Decline this booking request",
            "bookings": bookings,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME if as_action else None,
            "opts": self.model._meta,
            "back": back,
            "error": error,
            "reason": request.POST.get("reason", "Sorry, that time no longer works for us."),
        }
        return TemplateResponse(request, "admin/bookings/booking/decline.html", context, status=status)

    @admin.action(description="Mark the selected sessions completed")
    def complete_selected(self, request: HttpRequest, queryset) -> None:
        self._apply(request, queryset, lambda b: services.complete_booking(b, by=request.user), "completed")

    @admin.action(description="Cancel the selected bookings (the clients are emailed)")
    def cancel_selected(self, request: HttpRequest, queryset) -> None:
        self._apply(
            request, queryset, lambda b: services.cancel_booking(b, by_client=False, by=request.user), "cancelled"
        )

    @admin.action(description="Mark the selected deposits paid (by bank transfer or cash)")
    def mark_deposit_paid_selected(self, request: HttpRequest, queryset) -> None:
        self._apply_to_deposits(
            request, queryset, deposits.mark_paid_by_hand, "marked paid; the clients were sent a receipt"
        )

    @admin.action(description="Waive the selected deposits")
    def waive_deposit_selected(self, request: HttpRequest, queryset) -> None:
        self._apply_to_deposits(request, queryset, deposits.waive_deposit, "waived")

    def _apply_to_deposits(self, request: HttpRequest, queryset, step, done: str) -> None:
        by_user = partial(step, by=request.user)
        self._apply(request, queryset, by_user, done, noun="deposit", refused=deposits.DepositError)

    @admin.display(description="payments")
    def deposit_payments(self, obj: Booking) -> str:
        if not obj.pk:
            return "-"
        rows = [
            (reverse("admin:bookings_payment_change", args=[p.pk]), str(p)) for p in obj.payments.order_by("created")
        ]
        return format_html_join(mark_safe("<br>"), '<a href="{}">{}</a>', rows) or "-"

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("calendar/", wrap(self.calendar_view), name="bookings_booking_calendar"),
            path("<int:pk>/confirm/", wrap(self.confirm_view), name="bookings_booking_confirm"),
            path("<int:pk>/decline/", wrap(self.decline_view), name="bookings_booking_decline"),
            *super().get_urls(),
        ]

    # --- answering one request, from the front page ---

    def confirm_view(self, request: HttpRequest, pk: int):
        booking = self._booking(request, pk)
        back = _back_to(request)
        if request.method != "POST":  # a link followed or a page reloaded: only the button confirms
            context = {
                **self.admin_site.each_context(request),
                "title": "Confirm this booking request",
                "opts": self.model._meta,
                "booking": booking,
                "back": back,
            }
            response = TemplateResponse(request, "admin/bookings/booking/confirm.html", context, status=405)
            response["Allow"] = "POST"
            return response
        if booking.status != Booking.Status.REQUESTED:
            return self._not_waiting(request, booking, back)
        return self._answer(request, back, lambda: services.confirm_booking(booking, by=request.user))

    def decline_view(self, request: HttpRequest, pk: int):
        booking = self._booking(request, pk)
        back = _back_to(request)
        if booking.status != Booking.Status.REQUESTED:
            return self._not_waiting(request, booking, back)
        if request.method == "POST":
            reason = request.POST.get("reason", "").strip()
            if reason:
                return self._answer(
                    request, back, lambda: services.decline_booking(booking, reason=reason, by=request.user)
                )
            error = "Write the reason: the client reads it in the email telling them."
            return self._decline_page(request, [booking], back=back, error=error, status=400)
        if request.method != "GET":
            return self._decline_page(request, [booking], back=back, status=405)
        return self._decline_page(request, [booking], back=back)

    def _booking(self, request: HttpRequest, pk: int) -> Booking:
        booking = get_object_or_404(Booking.objects.select_related("client", "session_type"), pk=pk)
        if not self.has_change_permission(request, booking):
            raise PermissionDenied
        return booking

    def _not_waiting(self, request: HttpRequest, booking: Booking, back: str) -> HttpResponseRedirect:
        self.message_user(
            request,
            f"{booking.reference} ({booking.client.name}) is no longer waiting for an answer: "
            f"it is {booking.get_status_display().lower()}. Nothing was changed.",
            messages.WARNING,
        )
        return HttpResponseRedirect(back)

    def _answer(self, request: HttpRequest, back: str, step) -> HttpResponseRedirect:
        try:
            booking = step()
        except services.BookingError as exc:  # answered elsewhere a moment ago
            self.message_user(request, str(exc), messages.WARNING)
        else:
            self.message_user(
                request,
                f"{booking.reference} is {booking.get_status_display().lower()}: "
                f"{booking.client.name} has been emailed.",
            )
        return HttpResponseRedirect(back)

    def calendar_view(self, request: HttpRequest):
        """A month (whole weeks, with the ends of the months either side) or a week of sessions;
        bookings that no longer hold their time are left out unless asked for."""
        tz = Availability.load().tz
        today = timezone.now().astimezone(tz).date()
        shown_period = studio_calendar.period(request.GET, today=today)
        show_all = request.GET.get("show") == "all"
        start, end = studio_calendar.instants(shown_period.span, tz)
        bookings = Booking.objects.filter(start__gte=start, start__lt=end).select_related("client", "session_type")
        bookings = list(bookings.order_by("start"))
        hidden = [b for b in bookings if b.status not in Booking.HOLDING]
        shown = bookings if show_all else [b for b in bookings if b.status in Booking.HOLDING]
        days = studio_calendar.days(shown_period.span, shown, tz, today=today, month=shown_period.month)

        def link(pair: tuple[str, str], *, everything: bool = show_all) -> str:
            return "?" + urlencode({pair[0]: pair[1], **({"show": "all"} if everything else {})})

        context = {
            **self.admin_site.each_context(request),
            "title": shown_period.title,
            "opts": self.model._meta,
            "view": shown_period.kind,
            "weeks": studio_calendar.as_weeks(days) if shown_period.kind == "month" else None,
            "days": days,
            "shown": len(shown),
            "previous": link(shown_period.previous),
            "next": link(shown_period.next),
            "this_period": link(shown_period.current),
            "switch": link(shown_period.other),
            "show_all": show_all,
            "hidden": len(hidden),
            "toggle": link(shown_period.here, everything=not show_all),
            "legend": Booking.Status.choices,
            "weekdays": [(name, name[:3]) for name in calendar.day_name],
            "zone": tz.key,
        }
        return TemplateResponse(request, "admin/bookings/booking/calendar.html", context)


@admin.register(TermsDocument)
class TermsDocumentAdmin(admin.ModelAdmin):
    """Saved versions are read-only: clients accepted them as they are. A change is written as the
    next version (started from any version's text), which clients accept from then on."""

    list_display = ["title", "version", "applies_to", "created_at", "accepted_by"]
    list_filter = ["session_type"]
    search_fields = ["title", "text"]
    readonly_fields = ["version", "created_at", "accepted_by", "new_version"]

    def get_fields(self, request: HttpRequest, obj: TermsDocument | None = None) -> list[str]:
        if obj is None:
            return ["session_type", "title", "text"]
        return ["session_type", "title", "version", "created_at", "accepted_by", "text", "new_version"]

    def has_change_permission(self, request: HttpRequest, obj: TermsDocument | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: TermsDocument | None = None) -> bool:
        # A version a client accepted is their record: it stays (the database refuses too).
        return super().has_delete_permission(request, obj) and not (obj and obj.acceptances.exists())

    def get_queryset(self, request: HttpRequest):
        queryset = super().get_queryset(request).select_related("session_type")
        return queryset.annotate(acceptance_count=Count("acceptances"))

    @admin.display(description="applies to", ordering="session_type__name")
    def applies_to(self, obj: TermsDocument) -> str:
        return obj.applies_to

    @admin.display(description="accepted with bookings")
    def accepted_by(self, obj: TermsDocument) -> int:
        return obj.acceptance_count if hasattr(obj, "acceptance_count") else obj.acceptances.count()

    @admin.display(description="changing these terms")
    def new_version(self, obj: TermsDocument) -> str:
        url = reverse("admin:bookings_termsdocument_add") + "?" + urlencode({"from": obj.pk})
        return format_html(
            '<a class="button" href="{}">Write a new version from this text</a>'
            '<p class="help">This version stays as it is. Clients booking from then on accept the new one.</p>',
            url,
        )

    def get_changeform_initial_data(self, request: HttpRequest) -> dict:
        initial = super().get_changeform_initial_data(request)
        source = initial.pop("from", "")
        earlier = TermsDocument.objects.filter(pk=source).first() if source.isdigit() and len(source) < 10 else None
        if earlier is not None:
            initial |= {"session_type": earlier.session_type_id, "title": earlier.title, "text": earlier.text}
        return initial

    def save_model(self, request: HttpRequest, obj: TermsDocument, form, change: bool) -> None:
        obj.version = terms.next_version_number(obj.session_type_id)
        super().save_model(request, obj, form, change)
        self.message_user(
            request, f"Version {obj.version} is now the one clients accept; bookings keep the version they accepted."
        )


def _back_to(request: HttpRequest) -> str:
    """Where to return after answering: the page the button was on (this site's only), else the front page."""
    back = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return back
    return reverse("admin:index")


from . import waitlist_admin  # noqa: E402, F401  (the waitlist's pages)

# --- payments ---


# What the photographer does about a refund in each state (nothing, for most).
REFUND_NEXT_STEP = {
    Refund.Status.PENDING: "Nothing: it goes to the provider within a few minutes.",
    Refund.Status.SENDING: (
        "The provider was asked but its answer was never recorded. Look for this refund in the "
        "provider's dashboard: if it is there, the money is on its way back; if not, refund it there."
    ),
    Refund.Status.BY_HAND: "Pay the client back yourself (the reason says why).",
}


def refund_next_step(refund: Refund) -> str:
    return REFUND_NEXT_STEP.get(refund.status, "-")


class RefundInline(admin.TabularInline):
    model = Refund
    extra = 0
    fields = ["created_at", "amount", "status", "next_step", "reason", "transaction_id"]
    readonly_fields = fields
    can_delete = False

    @admin.display(description="what to do")
    def next_step(self, obj: Refund) -> str:
        return refund_next_step(obj)

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    """Payments are made by the booking and selection flows (or marked paid on a booking); what the
    provider says about them is read-only here."""

    list_display = ["created", "purpose", "client", "booking", "total", "currency", "status", "how", "paid_at"]
    list_filter = ["purpose", "status", "variant", ("created", admin.DateFieldListFilter)]
    search_fields = ["client__name", "client__email", "booking__reference", "transaction_id", "token"]
    list_select_related = ["client", "booking__client", "booking__session_type"]
    date_hierarchy = "created"
    inlines = [RefundInline]
    fields = [
        "purpose", "client", "booking", "description", "total", "currency", "captured_amount", "status",
        "variant", "transaction_id", "token", "paid_at", "created", "modified", "message", "refunded",
    ]  # fmt: skip
    readonly_fields = fields

    @admin.display(description="paid through")
    def how(self, obj: Payment) -> str:
        return "by hand" if obj.is_manual else obj.variant

    @admin.display(description="refunded")
    def refunded(self, obj: Payment) -> str:
        return f"{obj.refunded_amount} {obj.currency}"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # a record of money taken


@admin.register(Refund)
class RefundAdmin(admin.ModelAdmin):
    list_display = ["created_at", "payment", "amount", "status", "next_step", "reason"]
    list_filter = ["status", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["payment__client__name", "payment__client__email", "transaction_id", "reason"]
    list_select_related = ["payment"]
    fields = ["payment", "amount", "status", "next_step", "reason", "transaction_id", "created_at"]
    readonly_fields = fields

    @admin.display(description="what to do")
    def next_step(self, obj: Refund) -> str:
        return refund_next_step(obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(PaymentEvent)
class PaymentEventAdmin(admin.ModelAdmin):
    """The provider's webhook events already applied, so a repeat is recognised."""

    list_display = ["received_at", "kind", "event_id"]
    list_filter = ["kind"]
    search_fields = ["event_id"]
    fields = ["event_id", "kind", "received_at"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


from . import team_admin  # noqa: E402, F401  (team days: registers their admin)
