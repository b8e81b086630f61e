from django.contrib import admin
from django.http import HttpRequest

from .models import ContactMessage, SessionType, SessionTypePhoto, StudioProfile


@admin.register(StudioProfile)
class StudioProfileAdmin(admin.ModelAdmin):
    fieldsets = [
        (None, {"fields": ["tagline", "about"]}),
        ("Contact", {"fields": ["phone", "address", "instagram_url"]}),
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not StudioProfile.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: StudioProfile | None = None) -> bool:
        return False


class SessionTypePhotoInline(admin.TabularInline):
    model = SessionTypePhoto
    extra = 1
    fields = ["image", "alt", "order"]


@admin.register(SessionType)
class SessionTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "duration_minutes", "price", "images_included", "location", "order", "is_active"]
    list_editable = ["order", "is_active"]
    list_filter = ["kind", "is_active", "location"]
    search_fields = ["name", "pitch"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [SessionTypePhotoInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind", "is_active", "order"]}),
        ("On the site", {"fields": ["pitch", "purpose", "style", "goal", "deliverables"]}),
        ("Booking", {"fields": ["duration_minutes", "buffer_before_minutes", "buffer_after_minutes", "location"]}),
        ("Price", {"fields": ["price", "images_included"]}),
    ]


@admin.register(ContactMessage)
class ContactMessageAdmin(admin.ModelAdmin):
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
