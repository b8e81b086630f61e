"""The pipeline stores each proof's perceptual hash and, after each photo, regroups the gallery's
near-identical frames, on a real Celery worker through real Redis, as a photographer's upload runs.

A headshot session's camera files: a burst of three frames of one pose a second apart (the camera
moved a few pixels, the light changed a little), another pose, and the first pose again a minute
later (a new group: too long after)."""

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as Browser
from django.urls import reverse

from galleries.models import Gallery, Photo
from tests.factories import make_gallery, make_user_client
from tests.helpers import wait_until
from tests.imaging_samples import encode, exif, scene

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

SIZE = (480, 320)
SHOTS = [  # file name, scene, capture time, how the camera moved
    ("IMG_20261120_0142.jpg", 1, "2026:11:20 14:02:11", {}),
    ("IMG_20261120_0143.jpg", 1, "2026:11:20 14:02:12", {"shift": (4, -3), "brightness": 1.06}),
    ("IMG_20261120_0144.jpg", 1, "2026:11:20 14:02:13", {"shift": (-5, 2), "grain": 20}),
    ("IMG_20261120_0145.jpg", 2, "2026:11:20 14:02:15", {}),
    ("IMG_20261120_0146.jpg", 1, "2026:11:20 14:03:40", {}),
]


def upload(browser, gallery, name, data):
    url = f"/admin/galleries/gallery/{gallery.pk}/upload/"
    response = browser.post(url, {"photos": SimpleUploadedFile(name, data, "image/jpeg")},
                            headers={"Accept": "application/json"})  # fmt: skip
    assert response.status_code == 200


def groups(gallery) -> dict[str, str] | None:
    """Each file's group as the name of its group's first file, once every photo is done and grouped."""
    rows = list(gallery.photos.values_list("original_name", "key", "group_key", "state", "phash"))
    if len(rows) < len(SHOTS) or any(state != Photo.State.DONE or not group for _, _, group, state, _ in rows):
        return None
    name_of = {key: name for name, key, *_ in rows}
    return {name: name_of.get(group, "?") for name, _, group, _, _ in rows}


def test_a_burst_uploaded_through_the_worker_comes_out_as_one_group(celery_worker):
    staff = get_user_model().objects.create_superuser("sam", "sam@harbourlight.example", "pw-for-tests-only")
    browser = Browser()
    browser.force_login(staff)
    alice = make_user_client("Alice Oyelaran-Fitzgerald", "alice.oyelaran@oyelaran-partners.example")
    gallery = make_gallery(alice, title="Headshots, November")

    for name, seed, taken, change in SHOTS:
        data = encode(scene(seed, SIZE, **change), "JPEG", quality=90, exif=exif(taken=taken))
        upload(browser, gallery, name, data)

    expected = {
        "IMG_20261120_0142.jpg": "IMG_20261120_0142.jpg",
        "IMG_20261120_0143.jpg": "IMG_20261120_0142.jpg",
        "IMG_20261120_0144.jpg": "IMG_20261120_0142.jpg",
        "IMG_20261120_0145.jpg": "IMG_20261120_0145.jpg",
        "IMG_20261120_0146.jpg": "IMG_20261120_0146.jpg",
    }
    assert wait_until(lambda: groups(gallery) == expected and groups(gallery)), groups(gallery)
    hashes = list(gallery.photos.values_list("phash", flat=True))
    assert all(len(h) == 16 and int(h, 16) >= 0 for h in hashes)

    Gallery.objects.filter(pk=gallery.pk).update(status=Gallery.Status.PROOFING)
    client = Browser()
    client.force_login(alice.user)
    html = client.get(reverse("portal:gallery", args=[gallery.public_id])).content.decode()
    assert "3 similar frames" in html
    assert html.count('class="photo-tile"') == 3
