"""The shared cache on Redis, tolerant of Redis being down.

Rate limits count in this cache; if Redis is unreachable, a cache call gives up quickly and reads
as a miss instead of failing the page (rate limiting then lets requests through: RATELIMIT_FAIL_OPEN).
"""

import logging

import redis
from django.core.cache.backends.redis import RedisCache

log = logging.getLogger(__name__)


class TolerantRedisCache(RedisCache):
    def _tolerant(self, method: str, default, *args, **kwargs):
        try:
            return getattr(super(), method)(*args, **kwargs)
        except redis.RedisError as exc:
            log.warning("cache unavailable (%s): %s", method, exc)
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
