"""Faults of the real services: Redis restarted in the middle of a batch upload, PostgreSQL's
connection dropped in the middle of a booking."""

import contextlib
import os
import shutil
import subprocess
import time
from datetime import timedelta

import psycopg
import pytest
import redis
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from bookings.models import Booking, Client
from galleries import services
from photostudio.celery import app as celery_app
from photostudio.models import OutgoingEmail
from tests.factories import booking_data, jpeg_bytes, local, make_gallery, make_session_type, open_every_day

REDIS_START = [
    "redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", "6379", "--save", "",
    "--appendonly", "no", "--dir", "/var/lib/redis", "--logfile", "/var/log/redis/ci.log",
]  # fmt: skip


def restart_redis() -> None:
    """Stop the machine's Redis (losing every queued message, as a crash would) and start it again."""
    client = redis.Redis(host="127.0.0.1", port=6379)
    with contextlib.suppress(redis.ConnectionError):  # the answer is the connection closing
        client.shutdown(nosave=True)
    time.sleep(1)
    for folder in ("/var/lib/redis", "/var/log/redis"):  # the standard command's folders
        os.makedirs(folder, exist_ok=True)
    subprocess.run(REDIS_START, check=True)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if client.ping():
                return
        except redis.ConnectionError:
            time.sleep(0.2)
    raise AssertionError("Redis did not come back")


def forget_old_connections() -> None:
    """This test process's own pooled connections to the old Redis are dead: drop them, as a web
    process's pool drops them on its first failed use."""
    celery_app.close()
    celery_app.backend.client.connection_pool.disconnect()


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_redis_restarted_in_the_middle_of_a_batch_upload_every_photo_ends_processed(celery_worker, client):
    if shutil.which("redis-server") is None or "127.0.0.1:6379" not in settings.REDIS_URL:
        pytest.skip("needs the machine's own Redis on 127.0.0.1:6379 to restart")
    client.force_login(get_user_model().objects.create_superuser("sam", "sam@example.com", "pw-for-tests-only"))
    gallery = make_gallery()
    url = f"/admin/galleries/gallery/{gallery.pk}/"

    def upload(n: int) -> None:
        photo = SimpleUploadedFile(f"DSC_{n:04d}.jpg", jpeg_bytes(seed=n + 1), "image/jpeg")
        response = client.post(url + "upload/", {"photos": photo}, headers={"Accept": "application/json"})
        assert response.status_code == 200  # the photographer's upload never fails because of Redis

    for n in range(4):
        upload(n)
    restart_redis()  # queued tasks are lost with it
    try:
        for n in range(4, 12):
            upload(n)

        # Celery beat's sweep hands the photos whose task was lost back to the worker.
        deadline = time.monotonic() + 120
        while not (progress := services.progress(gallery)).finished and time.monotonic() < deadline:
            services.requeue_stalled(older_than=timedelta(0))
            time.sleep(2)
    finally:
        forget_old_connections()

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
