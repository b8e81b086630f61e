"""Checks behind /healthz: does each service the site depends on (database, broker, object storage
when files are kept there) answer right now?

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


def check_storage(timeout: float = 1.0) -> Check:
    """Whether the bucket of originals answers, when files are in object storage (MEDIA_STORAGE=s3):
    a HEAD of the bucket with its own short timeouts and no retries, not the storage's patient ones."""
    from django.core.files.storage import storages

    storage = storages["private"]
    bucket = getattr(storage, "bucket_name", None)
    if not bucket:
        return Check("storage", True, "local disk")
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError

    client = boto3.session.Session().client(
        "s3",
        endpoint_url=storage.endpoint_url,
        region_name=storage.region_name,
        aws_access_key_id=storage.access_key,
        aws_secret_access_key=storage.secret_key,
        config=Config(
            connect_timeout=timeout,
            read_timeout=timeout,
            retries={"total_max_attempts": 1},
            signature_version="s3v4",
            s3={"addressing_style": storage.addressing_style},
        ),
    )
    try:
        client.head_bucket(Bucket=bucket)
    except (BotoCoreError, ClientError):
        log.warning("health check: the bucket of originals is not answering", exc_info=True)
        return Check("storage", False, "object storage not answering")
    finally:
        client.close()
    return Check("storage", True, "object storage")


def run_checks() -> list[Check]:
    return [check_database(), check_broker(fresh=True), check_storage()]
