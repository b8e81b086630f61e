"""On a real worker, every task leaves one structured log line, and a job that gives up is
recorded for the photographer to see in the admin."""

import json
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from galleries.models import Gallery, Photo, ZipArchive
from galleries.tasks import build_zip
from photostudio.models import FailedTask
from photostudio.tasks import ping
from tests.factories import make_gallery

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def test_each_task_logs_one_json_line_with_its_outcome_and_duration(celery_worker):
    ping.delay().get(timeout=30)
    deadline = time.monotonic() + 10
    lines = []
    while not lines and time.monotonic() < deadline:
        lines = [json.loads(t[t.index("{"):]) for t in celery_worker.log.read_text().splitlines()
                 if '"task": "photostudio.tasks.ping"' in t]  # fmt: skip
        time.sleep(0.2)

    assert lines
    line = lines[-1]
    assert line["outcome"] == "SUCCESS"
    assert isinstance(line["ms"], int) and line["id"]


def test_a_job_that_fails_is_recorded_for_the_photographer_to_see(celery_worker):
    gallery = make_gallery(status=Gallery.Status.DELIVERED)
    Photo.objects.create(gallery=gallery, original_name="gone.jpg", content_hash="x", original="nowhere.jpg",
                         state="done", delivered=True)  # fmt: skip
    archive = ZipArchive.objects.create(gallery=gallery, expires_at=timezone.now() + timedelta(days=1))

    build_zip.delay(archive.pk)

    deadline = time.monotonic() + 30
    while not FailedTask.objects.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    failure = FailedTask.objects.get()
    assert failure.task == "galleries.tasks.build_zip"
    assert "FileNotFoundError" in failure.error
    assert str(archive.pk) in failure.arguments
