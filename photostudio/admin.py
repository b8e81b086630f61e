"""The admin pages the project adds: the outbox, failed jobs, and forgetting a client (which reaches
into both apps, so it is registered here rather than in bookings)."""

from django.contrib import admin
from django.http import HttpRequest

from bookings.admin import ClientAdmin
from bookings.models import Client

from .models import FailedTask, OutgoingEmail
from .privacy import forget_client


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    """Every message the studio sent or is about to send: the record, and where a failure shows."""

    list_display = ["created_at", "to", "subject", "status", "sent_at", "attempts"]
    list_filter = ["status", "kind"]
    search_fields = ["to", "subject"]
    date_hierarchy = "created_at"
    fields = ["kind", "to", "reply_to", "subject", "status", "attempts", "created_at", "sent_at", "last_error", "text"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: OutgoingEmail | None = None) -> bool:
        return False


@admin.register(FailedTask)
class FailedTaskAdmin(admin.ModelAdmin):
    list_display = ["at", "task", "arguments", "error"]
    list_filter = ["task"]
    date_hierarchy = "at"
    readonly_fields = ["at", "task", "task_id", "arguments", "error"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


admin.site.unregister(Client)


@admin.register(Client)
class ForgettingClientAdmin(ClientAdmin):
    """Deleting a client forgets them entirely: bookings, galleries, files, emails and account."""

    def delete_model(self, request: HttpRequest, obj: Client) -> None:
        forget_client(obj)

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        for client in queryset:
            forget_client(client)
