"""Limits on requests that store something a person typed (a booking request, a place on a
waitlist): counted per visitor address and per email address, so neither a flood from one address
nor one address flooding someone's inbox from many gets through."""

from django.http import HttpRequest
from django_ratelimit.core import is_ratelimited
from django_ratelimit.exceptions import Ratelimited


def _email_key(group: str, request: HttpRequest) -> str:
    return request.POST.get("email", "").strip().lower()


def count_submission(request: HttpRequest, name: str, *, per_address: str, per_email: str) -> None:
    """Count one submission of `name` (e.g. "book"); over either limit, raise Ratelimited, which
    the middleware answers with the plain 429 page (RATELIMIT_VIEW)."""
    for group, key, rate in ((f"{name}-per-address", "ip", per_address), (f"{name}-per-email", _email_key, per_email)):
        if is_ratelimited(request, group=group, key=key, rate=rate, increment=True):
            raise Ratelimited
