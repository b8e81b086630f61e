"""Faults of the real services: Redis restarted in the middle of a batch upload (a redis-server of
the test's own, never the machine's), PostgreSQL's connection dropped in the middle of a booking."""

import contextlib
import shutil
import subprocess
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
import redis
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from bookings.models import Booking, Client
from galleries import photos
from photostudio.celery import app as celery_app
from photostudio.models import OutgoingEmail
from tests.conftest import _die_with_parent, start_celery_worker
from tests.factories import booking_data, jpeg_bytes, local, make_gallery, make_session_type, open_every_day
from tests.helpers import closed_port


class PrivateRedis:
    """A `redis-server` of the test's own, on a free loopback port, that the test may crash and
    start again: the machine's Redis (and everyone else's queues on it) is never touched."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = closed_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.folder), "--logfile", str(self.folder / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent,
        )  # fmt: skip
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with contextlib.suppress(redis.ConnectionError):
                if client.ping():
                    return
            time.sleep(0.05)
        raise AssertionError(f"redis-server did not start: {(self.folder / 'redis.log').read_text()}")

    def crash(self) -> None:
        """Kill it, losing every queued message, as a crash or an out-of-memory kill would."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def restart(self) -> None:
        self.crash()
        self.start()


def use_broker(url: str) -> None:
    """Point this test process's Celery app at `url`, dropping connections to the old broker (as a
    web process's pool drops them on its first failed use)."""
    celery_app.conf.broker_url = celery_app.conf.result_backend = url
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    celery_app._backend_cache = None
    celery_app._local.__dict__.pop("backend", None)
    with contextlib.suppress(AttributeError):
        celery_app.control._after_fork()  # the control mailbox's cached producers


@pytest.fixture
def private_redis(tmp_path, settings) -> Iterator[PrivateRedis]:
    if shutil.which("redis-server") is None:
        pytest.skip("needs redis-server (apt-get install redis-server)")
    server = PrivateRedis(tmp_path)
    server.start()
    shared = settings.REDIS_URL
    settings.REDIS_URL = settings.CELERY_BROKER_URL = server.url
    use_broker(server.url)
    yield server
    use_broker(shared)
    server.crash()


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_redis_restarted_in_the_middle_of_a_batch_upload_every_photo_ends_processed(
    private_redis, client, settings, tmp_path
):
    worker = start_celery_worker(tmp_path, env={"REDIS_URL": private_redis.url})
    settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT = worker.media_root, worker.private_root
    try:
        client.force_login(get_user_model().objects.create_superuser("sam", "sam@example.com", "pw-for-tests-only"))
        gallery = make_gallery()
        url = f"/admin/galleries/gallery/{gallery.pk}/"

        def upload(n: int) -> None:
            photo = SimpleUploadedFile(f"DSC_{n:04d}.jpg", jpeg_bytes(seed=n + 1), "image/jpeg")
            response = client.post(url + "upload/", {"photos": photo}, headers={"Accept": "application/json"})
            assert response.status_code == 200  # the photographer's upload never fails because of Redis

        for n in range(4):
            upload(n)
        private_redis.restart()  # queued tasks are lost with it
        use_broker(private_redis.url)
        for n in range(4, 12):
            upload(n)

        # Celery beat's sweep hands the photos whose task was lost back to the worker.
        deadline = time.monotonic() + 120
        while not (progress := photos.progress(gallery)).finished and time.monotonic() < deadline:
            photos.requeue_stalled(older_than=timedelta(0))
            time.sleep(1)
    finally:
        worker.stop()

    assert progress.as_dict() == {"total": 12, "processed": 12, "failed": 0, "waiting": 0, "finished": True}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_booking_whose_database_connection_drops_gets_a_clear_page_saves_nothing_and_the_next_works(client):
    open_every_day()
    session = make_session_type(kind="headshot", slug="headshot")
    db = connection.settings_dict

    def drop_connection_at_insert(execute, sql, params, many, context):
        if sql.startswith('INSERT INTO "bookings_booking"'):
            pid = context["connection"].connection.info.backend_pid
            with psycopg.connect(
                host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname=db["NAME"], autocommit=True
            ) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(drop_connection_at_insert):
        failed = client.post("/book/", booking_data(session, local(days=4, hour=11)))

    assert failed.status_code == 503
    assert "Nothing was saved" in failed.content.decode()
    assert (Booking.objects.count(), Client.objects.count(), OutgoingEmail.objects.count()) == (0, 0, 0)

    retried = client.post("/book/", booking_data(session, local(days=4, hour=11)))

    assert retried.status_code == 302
    assert Booking.objects.count() == 1
