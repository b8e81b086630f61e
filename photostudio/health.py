"""Checks behind /healthz: does each service the site depends on answer right now?

A failing check says only which part is down; what went wrong (which may name hosts and ports) goes
to the log, not to whoever asks /healthz.
"""

import logging
from dataclasses import dataclass

import redis
from django.conf import settings
from django.db import connection

from .cache import Breaker

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def check_database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any failure means "not answering"
        log.warning("health check: the database is not answering", exc_info=True)
        return Check("database", False, "database not answering")
    return Check("database", True, connection.vendor)


def check_broker(timeout: float = 0.5, *, fresh: bool = False) -> Check:
    """Whether Redis answers a ping. Unless `fresh`, a Redis that failed a moment ago (the cache's
    breaker is open) is taken as still down without waiting on it again."""
    url = settings.REDIS_URL
    if not url:
        return Check("broker", True, "none: tasks run in-process")
    if not fresh and Breaker.is_open(url):
        return Check("broker", False, "redis not answering (it failed a moment ago)")
    client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
    try:
        client.ping()
    except redis.RedisError:
        Breaker.trip(url)
        log.warning("health check: redis is not answering", exc_info=True)
        return Check("broker", False, "redis not answering")
    finally:
        client.close()
    Breaker.reset(url)
    return Check("broker", True, "redis")


def run_checks() -> list[Check]:
    return [check_database(), check_broker(fresh=True)]
