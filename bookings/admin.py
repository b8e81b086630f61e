from django.contrib import admin
from django.http import HttpRequest

from .models import StudioProfile


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
