from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from bookings.models import SessionType, ready_photos

from .health import run_checks


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    sessions = SessionType.objects.filter(is_active=True).prefetch_related(ready_photos())
    return render(request, "home.html", {"sessions": sessions})


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = run_checks()
    failing = [c.name for c in checks if not c.ok]
    body = {
        "status": "ok" if not failing else "failing",
        "failing": failing,
        "checks": {c.name: {"ok": c.ok, "detail": c.detail} for c in checks},
    }
    return JsonResponse(body, status=503 if failing else 200)


def rate_limited(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Too many attempts from one address or for one email: a plain 429, not an error page."""
    return render(request, "rate_limited.html", status=429)
