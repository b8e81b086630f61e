"""The shared cache on Redis, tolerant of Redis being down or hung.

Rate limits count in this cache; if Redis is unreachable, a cache call gives up quickly and reads
as a miss instead of failing the page (rate limiting then lets requests through: RATELIMIT_FAIL_OPEN).

A hung Redis (accepting connections, never answering) is the slow case: every call would wait out
its socket timeout, several times per request. So calls time out fast, and after one failure a
breaker skips Redis altogether for a few seconds, for every thread of the process. The broker
check (photostudio.health) reads the same breaker, so a page that queues emails does not wait on
that Redis again either: the emails stay in the outbox for the sweep.

Below the backend: what every visitor sees alike, kept in whichever cache is configured.
"""

import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar
from urllib.parse import urlsplit

import redis
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.db import transaction
from django.db.models.signals import post_delete, post_save

log = logging.getLogger(__name__)

# Redis on the same machine or network answers in about a millisecond; a quarter of a second is
# ample for a healthy one and short enough that a hung one costs one short wait per breaker period.
SOCKET_TIMEOUT = 0.25
BREAKER_SECONDS = 5.0


class Breaker:
    """Per Redis server (host:port): until when to stop asking it after a failure."""

    _open_until: dict[str, float] = {}
    _lock = threading.Lock()

    @staticmethod
    def server(url: str) -> str:
        return urlsplit(url).netloc

    @classmethod
    def is_open(cls, url: str) -> bool:
        return cls._open_until.get(cls.server(url), 0.0) > time.monotonic()

    @classmethod
    def trip(cls, url: str, seconds: float = BREAKER_SECONDS) -> None:
        with cls._lock:
            cls._open_until[cls.server(url)] = time.monotonic() + seconds

    @classmethod
    def reset(cls, url: str) -> None:
        with cls._lock:
            cls._open_until.pop(cls.server(url), None)


class ReusedClients(RedisCacheClient):
    """Django's Redis cache client, keeping one redis.Redis per connection pool instead of making a
    new one for every call: its set-up (a table of some 170 reply handlers) took as long as the GET
    itself, and a page asks the cache several times. A redis.Redis takes a connection from the pool
    for each command, so the threads of a worker share it safely."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, redis.Redis] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))  # pools live as long as this object: their ids stay theirs
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class TolerantRedisCache(RedisCache):
    def __init__(self, server, params) -> None:
        options = dict(params.get("OPTIONS", {}))
        self._breaker_seconds = float(options.pop("breaker_seconds", BREAKER_SECONDS))
        options.setdefault("socket_connect_timeout", SOCKET_TIMEOUT)
        options.setdefault("socket_timeout", SOCKET_TIMEOUT)
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = ReusedClients
        self._server_url = self._servers[0]

    def _tolerant(self, method: str, default, *args, **kwargs):
        if Breaker.is_open(self._server_url):
            return default
        try:
            return getattr(super(), method)(*args, **kwargs)
        except redis.RedisError as exc:
            Breaker.trip(self._server_url, self._breaker_seconds)
            log.warning("cache unavailable (%s), not asked again for %.0f s: %s", method, self._breaker_seconds, exc)
            return default

    def add(self, *args, **kwargs):
        return self._tolerant("add", False, *args, **kwargs)

    def get(self, key, default=None, version=None):
        return self._tolerant("get", default, key, default, version)

    def set(self, *args, **kwargs):
        return self._tolerant("set", None, *args, **kwargs)

    def incr(self, *args, **kwargs):
        return self._tolerant("incr", None, *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._tolerant("delete", False, *args, **kwargs)


# --- What every visitor sees alike ------------------------------------------------------------------
# The studio's profile, the sessions on offer and the studio's hours and time off are read by public
# pages and change only when the photographer saves them: kept in the shared cache, and forgotten the
# moment one of their rows is saved or deleted (by any process: the signals are connected at start-up,
# photostudio/apps.py). What differs per visitor or per minute (free times, the CSRF token, a form's
# values) is never cached.

STUDIO_PROFILE_KEY = "public:studio-profile:v1"
SESSION_TYPES_KEY = "public:session-types:v1"  # the active ones, in the order the site lists them
# The studio's hours, time off and booking rules (bookings.slots.Rules), as the booking page shows
# them; the booking service checks every request against the rules read afresh.
BOOKING_RULES_KEY = "public:booking-rules:v1"
# Each session type's intake questions, and the current version of each terms document.
INTAKE_QUESTIONS_KEY = "public:intake-questions:v1"
CURRENT_TERMS_KEY = "public:current-terms:v1"
# A token naming the current state of all of the above: whole pages rendered from them are kept under
# it (photostudio.page_cache), so forgetting it retires every such page at once.
PUBLIC_PAGES_KEY = "public:pages-generation:v1"

# Which cached values each model's rows make up. A new model's facts join here, or stay uncached.
FORGET_ON_CHANGE = {
    "bookings.StudioProfile": (STUDIO_PROFILE_KEY, PUBLIC_PAGES_KEY),
    "bookings.SessionType": (SESSION_TYPES_KEY, PUBLIC_PAGES_KEY),
    "bookings.Availability": (BOOKING_RULES_KEY, PUBLIC_PAGES_KEY),
    "bookings.WorkingHours": (BOOKING_RULES_KEY, PUBLIC_PAGES_KEY),
    "bookings.TimeOff": (BOOKING_RULES_KEY, PUBLIC_PAGES_KEY),
    "bookings.IntakeQuestion": (INTAKE_QUESTIONS_KEY, PUBLIC_PAGES_KEY),
    "bookings.TermsDocument": (CURRENT_TERMS_KEY, PUBLIC_PAGES_KEY),
    "bookings.TeamDay": (BOOKING_RULES_KEY, PUBLIC_PAGES_KEY),
}
# A safety net only (a change made around the signals, with QuerySet.update): saves forget at once.
SHARED_SECONDS = 10 * 60

_MISSING = object()
T = TypeVar("T")


def remembered(key: str, compute: Callable[[], T]) -> T:
    """The value cached under `key`, else `compute()`, cached for the next visitor. With Redis down
    (the tolerant cache reads as a miss) every request computes it, as it did before caching."""
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = compute()
        cache.set(key, value, SHARED_SECONDS)
    return value


def forget(keys) -> None:
    """Forget now, and again once the change is committed, so that a visitor who read the old row
    while the transaction was still open does not leave it cached (a read that races past even the
    second forgetting is the rare case SHARED_SECONDS bounds)."""
    for key in keys:
        cache.delete(key)
    transaction.on_commit(lambda: [cache.delete(key) for key in keys])


def _forget_what_the_row_makes_up(sender, **kwargs) -> None:
    forget(FORGET_ON_CHANGE[sender._meta.label])


def connect() -> None:
    """Called once from the app's ready(): forget a model's cached values when one of its rows changes."""
    for label in FORGET_ON_CHANGE:
        post_save.connect(_forget_what_the_row_makes_up, sender=label, dispatch_uid=f"forget-cached-{label}-saved")
        post_delete.connect(_forget_what_the_row_makes_up, sender=label, dispatch_uid=f"forget-cached-{label}-gone")
