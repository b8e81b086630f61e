"""The address of the visitor behind a request, for per-address limits (django-ratelimit, django-axes).

Behind a reverse proxy every request comes from the proxy, so REMOTE_ADDR alone would put every
visitor in one bucket. Each trusted proxy appends the address it was connected from to
X-Forwarded-For; only those right-most entries are believed. Anything further left was written by
the visitor and could be anything, so it is never used.
"""

from django.conf import settings
from django.http import HttpRequest
from ipware import get_client_ip


def client_ip(request: HttpRequest) -> str:
    """The visitor's address, given TRUSTED_PROXY_COUNT proxies in front (0: the direct peer)."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        # python-ipware counts the proxies *listed* in the header: the nearest proxy is the peer
        # (REMOTE_ADDR), not an entry, so N proxies in front leave N - 1 of them in the header.
        # Not strict: entries the visitor sent on the left may be more or fewer, or not addresses.
        ip, _routable = get_client_ip(
            request, proxy_count=proxies - 1, request_header_order=["HTTP_X_FORWARDED_FOR"], strict=False
        )
        if ip:
            return ip
    # No proxy configured, or the request did not come through them (a health check on loopback).
    return request.META.get("REMOTE_ADDR") or "0.0.0.0"
