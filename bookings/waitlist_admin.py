"""The waitlist in the admin: who waits for which days, and each offer made from it (read only:
the waitlist runs itself, and its clients answer through the links in their emails)."""

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from photostudio.studio_zone import studio_zone

from .models import WaitlistEntry, WaitlistOffer


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class OfferInline(admin.TabularInline):
    model = WaitlistOffer
    fields = ["offer_link", "start", "status", "expires_at", "booking"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description="offer")
    def offer_link(self, obj: WaitlistOffer) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:bookings_waitlistoffer_change", args=[obj.pk]), f"{obj.day:%d %b %Y}"
        )


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(ReadOnlyAdmin):
    list_display = ["name", "email", "session_type", "days_wanted", "status", "created_at"]
    list_filter = ["status", "session_type", ("days__day", admin.DateFieldListFilter)]
    search_fields = ["name", "email"]
    date_hierarchy = "created_at"
    fields = ["name", "email", "address", "session_type", "days_wanted", "status", "last_day", "created_at"]
    readonly_fields = fields
    inlines = [OfferInline]

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("session_type").prefetch_related("days")

    @admin.display(description="days")
    def days_wanted(self, obj: WaitlistEntry) -> str:
        return format_html_join(", ", "{}", ((f"{d.day:%a %d %b %Y}",) for d in obj.days.all()))


@admin.register(WaitlistOffer)
class WaitlistOfferAdmin(ReadOnlyAdmin):
    list_display = ["client", "session", "studio_start", "status", "expires_at", "created_at"]
    list_filter = ["status", ("day", admin.DateFieldListFilter)]
    search_fields = ["entry__name", "entry__email"]
    date_hierarchy = "day"
    fields = ["entry_link", "session", "studio_start", "status", "expires_at", "answered_at", "booking_link"]
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("entry__session_type", "booking")

    @admin.display(description="client", ordering="entry__name")
    def client(self, obj: WaitlistOffer) -> str:
        return obj.entry.name

    @admin.display(description="session")
    def session(self, obj: WaitlistOffer) -> str:
        return obj.entry.session_type.name

    @admin.display(description="time", ordering="start")
    def studio_start(self, obj: WaitlistOffer) -> str:
        start = obj.start.astimezone(studio_zone())  # the cached zone: no query for each row of the list
        return f"{start:%a %d %b %Y %H:%M}"

    @admin.display(description="waitlist entry")
    def entry_link(self, obj: WaitlistOffer) -> str:
        url = reverse("admin:bookings_waitlistentry_change", args=[obj.entry_id])
        return format_html('<a href="{}">{}</a>', url, str(obj.entry))

    @admin.display(description="booking")
    def booking_link(self, obj: WaitlistOffer) -> str:
        if obj.booking is None:
            return "-"
        url = reverse("admin:bookings_booking_change", args=[obj.booking_id])
        return format_html('<a href="{}">{}</a>', url, obj.booking.reference)
