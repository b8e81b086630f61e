"""Checks behind /healthz: does each service the site depends on answer right now?"""

from dataclasses import dataclass

import redis
from django.conf import settings
from django.db import connection


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
    except Exception as exc:  # any failure means "not answering"; the detail says which
        return Check("database", False, f"{type(exc).__name__}: {exc}".strip())
    return Check("database", True, connection.vendor)


def check_broker(timeout: float = 1.0) -> Check:
    url = settings.REDIS_URL
    if not url:
        return Check("broker", True, "none: tasks run in-process")
    client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
    try:
        client.ping()
    except redis.RedisError as exc:
        return Check("broker", False, f"redis not answering: {exc}")
    finally:
        client.close()
    return Check("broker", True, "redis")


def run_checks() -> list[Check]:
    return [check_database(), check_broker()]
