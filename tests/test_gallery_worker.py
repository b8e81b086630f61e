"""Gallery processing on a real Celery worker through real Redis: a mixed batch, and a worker
killed in the middle of a photo."""

import io
import random
import signal
import uuid
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from galleries.models import Photo
from galleries.tasks import process_photo
from tests.conftest import start_celery_worker
from tests.factories import jpeg_bytes, make_gallery
from tests.helpers import wait_until

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def test_a_batch_of_twenty_with_three_bad_files_ends_with_17_processed_and_3_failed(celery_worker, client):
    client.force_login(get_user_model().objects.create_superuser("sam", "sam@example.com", "pw-for-tests-only"))
    gallery = make_gallery()
    good = [SimpleUploadedFile(f"DSC_{n:04d}.jpg", jpeg_bytes(seed=n + 1), "image/jpeg") for n in range(17)]
    bad = [
        SimpleUploadedFile("notes.jpg", b"meeting notes, not a photo", "image/jpeg"),
        SimpleUploadedFile("half.jpg", jpeg_bytes(seed=99)[:700], "image/jpeg"),
        SimpleUploadedFile("brochure.jpg", b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF", "image/jpeg"),
    ]
    url = f"/admin/galleries/gallery/{gallery.pk}/"

    for upload in good[:10] + bad + good[10:]:  # one request per file, as the page's script sends them
        response = client.post(url + "upload/", {"photos": upload}, headers={"Accept": "application/json"})
        assert response.status_code == 200

    progress = wait_until(lambda: (p := client.get(url + "progress/").json())["finished"] and p)

    assert progress == {"total": 20, "processed": 17, "failed": 3, "waiting": 0, "finished": True}
    failed = dict(Photo.objects.filter(state=Photo.State.FAILED).values_list("original_name", "error"))
    assert failed == {
        "notes.jpg": "not an image",
        "half.jpg": "truncated file",
        "brochure.jpg": "unsupported format: PDF",
    }
    assert all(Path(p.proof.path).exists() for p in Photo.objects.filter(state=Photo.State.DONE))


def big_jpeg() -> bytes:
    """A 48-megapixel photo-like JPEG: slow enough to process that the test can kill a worker mid-job."""
    size = (8000, 6000)
    noise = random.Random(9000).randbytes(size[0] * size[1] * 3)  # as hard to compress as grain gets
    out = io.BytesIO()
    Image.frombytes("RGB", size, noise).save(out, "JPEG", quality=90)
    return out.getvalue()


def test_a_photo_whose_worker_is_killed_mid_job_is_processed_once_by_the_next_worker(celery_worker, tmp_path):
    gallery = make_gallery()
    photo = Photo(gallery=gallery, original_name="DSC_9000.jpg", content_hash="big")
    photo.original.save("DSC_9000.jpg", ContentFile(big_jpeg()))
    # The shared worker must not take this job: it goes to a queue of its own that only the
    # workers below read. They give up on a dead worker's message and claim after seconds, not hours.
    queue = f"kill-test-{uuid.uuid4().hex[:8]}"
    quick = {"CELERY_VISIBILITY_TIMEOUT": "4", "PHOTO_CLAIM_TIMEOUT": "3"}
    first = start_celery_worker(tmp_path, queues=queue, env=quick, like=celery_worker)
    try:
        process_photo.apply_async((photo.pk,), queue=queue)
        wait_until(lambda: Photo.objects.get(pk=photo.pk).state == Photo.State.PROCESSING, timeout=60, every=0.005)
        first.stop(signal.SIGKILL)  # mid-job: no acknowledgement was sent
    finally:
        first.stop(signal.SIGKILL)
    assert Photo.objects.get(pk=photo.pk).state == Photo.State.PROCESSING

    second = start_celery_worker(tmp_path, queues=queue, env=quick, like=celery_worker)
    try:
        done = wait_until(lambda: (p := Photo.objects.get(pk=photo.pk)).state == Photo.State.DONE and p, timeout=90)
    finally:
        second.stop()
        redis.Redis.from_url(settings.REDIS_URL).delete(queue, f"_kombu.binding.{queue}")

    assert done.attempts == 2  # claimed by the killed worker, then by the next one
    # One set of renditions, whatever the killed worker wrote: the private proof, the public thumbnails.
    assert [f.name for f in Path(done.proof.path).parent.iterdir()] == [Path(done.proof.name).name]
    thumbs = sorted(f.name for f in Path(done.thumb.path).parent.iterdir())
    assert thumbs == sorted(Path(f.name).name for f in (done.thumb, done.thumb_2x))
    assert Image.open(done.proof.path).size == (2048, 1536)
