"""A photo that keeps failing for a reason other than its pixels is tried a set number of times,
then marked failed with the reason, so its gallery can still be published."""

import os
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.base import ContentFile
from django.utils import timezone

from galleries import photos
from galleries.models import Gallery, Photo
from photostudio import imaging
from photostudio.celery import app as celery_app
from tests.factories import jpeg_bytes, make_client, make_gallery

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_as_in_production")]


def add(gallery: Gallery, name: str, seed: int) -> Photo:
    upload = ContentFile(jpeg_bytes(seed=seed), name=name)
    upload.size = len(upload)
    return photos.add_photos(gallery, [upload]).added[0]


def waiting(gallery: Gallery, name: str, seed: int) -> Photo:
    """A photo stored an hour ago whose task never reached a worker (Redis was down)."""
    photo = Photo(gallery=gallery, original_name=name, content_hash=f"{seed:064x}")
    photo.original.save(name, ContentFile(jpeg_bytes(seed=seed)))
    Photo.objects.filter(pk=photo.pk).update(created_at=timezone.now() - timedelta(hours=1))
    return photo


def a_lost_original(gallery: Gallery) -> Photo:
    """A photo whose original vanished from storage before it was processed (a disk swapped, an
    rsync gone wrong): nothing about its pixels, and no retry will bring it back."""
    photo = waiting(gallery, "IMG_20261120_0144.jpg", seed=3)
    os.remove(photo.original.path)
    return photo


def sweeps(times: int) -> list[int]:
    """Celery beat's stalled-photo sweep, run `times` times (every 5 minutes in production); each
    hands the photos it finds to their task, which runs in-process here."""
    return [photos.requeue_stalled() for _ in range(times)]


def test_a_photo_whose_original_is_missing_fails_with_the_reason_after_the_set_attempts(settings):
    settings.PHOTO_MAX_ATTEMPTS = 3
    gallery = make_gallery(make_client("Bob Mensah", "bob@mensah-physio.com"))
    add(gallery, "IMG_20261120_0142.jpg", seed=1)
    add(gallery, "IMG_20261120_0143.jpg", seed=2)
    lost = a_lost_original(gallery)

    found = sweeps(5)

    assert found == [1, 1, 1, 0, 0]  # tried three times, then left alone
    lost.refresh_from_db()
    assert lost.state == Photo.State.FAILED
    assert lost.attempts == 3
    assert lost.error == "could not be processed after 3 attempts: its original file is missing from storage"
    assert photos.progress(gallery).as_dict() == {
        "total": 3, "processed": 2, "failed": 1, "waiting": 0, "finished": True,
    }  # fmt: skip


def test_once_the_failed_photo_is_removed_in_the_admin_the_gallery_publishes(client, settings):
    gallery = make_gallery(make_client("Bob Mensah", "bob@mensah-physio.com"), title="Clinic team headshots")
    add(gallery, "IMG_20261120_0142.jpg", seed=1)
    lost = a_lost_original(gallery)
    sweeps(settings.PHOTO_MAX_ATTEMPTS)
    client.force_login(get_user_model().objects.create_superuser("sam", "sam@northlight.example", "pw-for-tests"))
    publish = f"/admin/galleries/gallery/{gallery.pk}/publish/"

    refused = client.post(publish, follow=True)

    assert "1 photo could not be processed" in refused.content.decode()
    assert (
        "its original file is missing" in client.get(f"/admin/galleries/gallery/{gallery.pk}/change/").content.decode()
    )

    client.post(f"/admin/galleries/photo/{lost.pk}/delete/", {"post": "yes"})
    client.post(publish)

    gallery.refresh_from_db()
    assert gallery.status == Gallery.Status.PROOFING
    assert mail.outbox[-1].to == ["bob@mensah-physio.com"]


def test_retrying_a_failed_photo_from_the_admin_gives_it_a_fresh_set_of_attempts(settings):
    settings.PHOTO_MAX_ATTEMPTS = 2
    gallery = make_gallery()
    lost = a_lost_original(gallery)
    sweeps(2)
    lost.refresh_from_db()
    assert (lost.state, lost.attempts) == (Photo.State.FAILED, 2)
    lost.original.save("IMG_20261120_0144.jpg", ContentFile(jpeg_bytes(seed=3)))  # found on the backup disk

    photos.reprocess(Photo.objects.filter(pk=lost.pk))

    lost.refresh_from_db()
    assert (lost.state, lost.attempts, lost.error) == (Photo.State.DONE, 1, "")


def test_a_photo_whose_worker_died_on_it_each_time_is_failed_not_handed_out_again(settings):
    settings.PHOTO_MAX_ATTEMPTS = 3
    gallery = make_gallery()
    photo = waiting(gallery, "IMG_20261120_0142.jpg", seed=1)
    long_ago = timezone.now() - timedelta(hours=1)
    Photo.objects.filter(pk=photo.pk).update(state=Photo.State.PROCESSING, claimed_at=long_ago, attempts=3)

    assert photos.requeue_stalled() == 0

    photo.refresh_from_db()
    assert photo.state == Photo.State.FAILED
    assert photo.error.startswith("processing stopped 3 times without finishing")


def test_every_task_has_a_soft_and_a_hard_time_limit_below_the_redelivery_timeout(settings):
    celery_app.loader.import_default_modules()
    ours = {name: task for name, task in celery_app.tasks.items() if not name.startswith("celery.")}
    assert {"photostudio.tasks.send_outgoing_email", "galleries.tasks.process_photo"} <= set(ours)
    for name, task in ours.items():
        soft = task.soft_time_limit or celery_app.conf.task_soft_time_limit
        hard = task.time_limit or celery_app.conf.task_time_limit
        assert soft and hard and soft < hard < settings.CELERY_VISIBILITY_TIMEOUT, name
    assert ours["photostudio.tasks.send_outgoing_email"].soft_time_limit <= 120
    assert settings.EMAIL_TIMEOUT and settings.EMAIL_TIMEOUT * 3 <= 120


def test_a_bug_in_the_image_pipeline_fails_the_photo_at_once_with_a_neutral_reason(monkeypatch, caplog, settings):
    settings.PHOTO_MAX_ATTEMPTS = 3
    gallery = make_gallery(make_client("Bob Mensah", "bob@mensah-physio.com"))
    photo = waiting(gallery, "IMG_20261120_0142.jpg", seed=1)

    def resize_with_a_bug(im, size):
        return {}[size]  # a KeyError of ours, not a damaged file

    monkeypatch.setattr(imaging, "_resize", resize_with_a_bug)

    assert photos.process_photo(photo.pk) is False

    photo.refresh_from_db()
    assert (photo.state, photo.attempts) == (Photo.State.FAILED, 1)  # trying again would fail the same way
    assert photo.error == imaging.UNEXPECTED_ERROR
    [warning] = [record for record in caplog.records if record.levelname == "WARNING"]
    assert warning.exc_info[0] is KeyError and "resize_with_a_bug" in caplog.text
