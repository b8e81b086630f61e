"""A public page rendered once for everyone who would see the same thing.

The booking page is what new clients open, many at a time on a busy day, and drawing its form takes
longer than everything else its request does. Yet two visitors who would see the same session, day,
free times and studio details get the same HTML but for one thing: the CSRF token, which is each
visitor's own. So the page is kept in the cache with its token cut out, and each visitor's is put
back. What the page shows is worked out afresh on every visit and is part of the key (`shows`), so a
kept page is only reused while it is still right; the studio's details, sessions, hours, questions
and terms are covered by one generation token that any saved change forgets (photostudio.cache).
"""

import hashlib
import re
import secrets
from collections.abc import Callable

from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone

from .cache import PUBLIC_PAGES_KEY, SHARED_SECONDS, remembered

# Stands for the token in a kept page: no HTML Django renders holds a NUL.
TOKEN_MARK = "\x00csrf-token\x00"
_TOKEN_IN_PAGE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def rendered_once(request: HttpRequest, shows: str, render: Callable[[], HttpResponse]) -> HttpResponse:
    """The page for `request`, from the cache when a page showing the same (`shows`, with the
    address it was asked at) was kept, else from `render()`, then kept for the next visitor."""
    if len(get_messages(request)):  # a message is for one visitor, once (len() leaves it unread)
        return render()
    generation = remembered(PUBLIC_PAGES_KEY, lambda: secrets.token_hex(8))
    # The footer's year, and the canonical address (scheme and host as asked), are on the page too.
    parts = (generation, request.scheme, request.get_host(), request.path, f"{timezone.localdate():%Y}", shows)
    key = "page:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    kept = cache.get(key)
    if kept is not None:
        return HttpResponse(kept.replace(TOKEN_MARK, get_token(request)))
    response = render()
    html = response.content.decode()
    tokens = set(_TOKEN_IN_PAGE.findall(html))
    if response.status_code == 200 and len(tokens) == 1:
        cache.set(key, html.replace(tokens.pop(), TOKEN_MARK), SHARED_SECONDS)
    return response
