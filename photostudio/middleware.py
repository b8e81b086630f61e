from django.db import InterfaceError, OperationalError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


class DatabaseUnavailableMiddleware:
    """When the database drops out mid-request, say so plainly (503), not with a bare 500.

    The request's transaction has already been rolled back, so nothing was half-saved; Django
    reconnects on the next request (CONN_HEALTH_CHECKS)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        if transaction.get_connection().in_atomic_block:
            return None  # inside a test's or caller's transaction: let it surface
        return render(request, "database_unavailable.html", status=503)
