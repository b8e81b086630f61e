"""The shared cache on Redis, tolerant of Redis being down or hung.

Rate limits count in this cache; if Redis is unreachable, a cache call gives up quickly and reads
as a miss instead of failing the page (rate limiting then lets requests through: RATELIMIT_FAIL_OPEN).

A hung Redis (accepting connections, never answering) is the slow case: every call would wait out
its socket timeout, several times per request. So calls time out fast, and after one failure a
breaker skips Redis altogether for a few seconds, for every thread of the process. The broker
check (photostudio.health) reads the same breaker, so a page that queues emails does not wait on
that Redis again either: the emails stay in the outbox for the sweep.
"""

import logging
import threading
import time
from urllib.parse import urlsplit

import redis
from django.core.cache.backends.redis import RedisCache

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


class TolerantRedisCache(RedisCache):
    def __init__(self, server, params) -> None:
        options = dict(params.get("OPTIONS", {}))
        self._breaker_seconds = float(options.pop("breaker_seconds", BREAKER_SECONDS))
        options.setdefault("socket_connect_timeout", SOCKET_TIMEOUT)
        options.setdefault("socket_timeout", SOCKET_TIMEOUT)
        super().__init__(server, {**params, "OPTIONS": options})
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
