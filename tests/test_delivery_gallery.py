"""The delivered photos as a gallery: thumbnails that open in the viewer, each photo in full size
and in web size (long edge 2048, sRGB JPEG, made by a task at delivery and kept privately), a zip
of either, and a download log that says which file went out and how big it was."""

import io
import os
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from PIL import Image

from galleries import delivery
from galleries.models import Download, Favourite, Gallery, Photo, ZipArchive
from tests.factories import jpeg_bytes, make_gallery, make_user_client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_as_in_production")]

NAMES = ("IMG_20261120_0142.jpg", "2026-11-20 Alice Byrne 0143.jpg")


@pytest.fixture
def alice(db):
    return make_user_client("Alice Byrne-Okonkwo", "alice.byrne@byrne-cole.example")


@pytest.fixture
def delivered(alice):
    """Two chosen photos, one a 3000 × 2000 frame and one smaller than web size, delivered."""
    gallery = make_gallery(alice, title="Team portraits on site", status=Gallery.Status.PROOFING)
    for n, (name, size) in enumerate(zip(NAMES, [(3000, 2000), (1200, 1600)], strict=True)):
        data = jpeg_bytes(size=size, seed=n + 3)
        shot = Photo(
            gallery=gallery, original_name=name, content_hash=f"{n:064x}", state="done", order=n, width=size[0],
            height=size[1], thumb_width=size[0] // 6, thumb_height=size[1] // 6, content_type="image/jpeg",
        )  # fmt: skip
        shot.original.save(name, ContentFile(data), save=False)
        for field in ("proof", "thumb", "thumb_2x"):
            getattr(shot, field).save(f"proofs/{shot.key}/{field}.jpg", ContentFile(jpeg_bytes((60, 40))), save=False)
        shot.save()
        Favourite.objects.create(photo=shot, gallery=gallery)
    delivery.deliver(gallery)  # its tasks run (in-process here) as the delivery commits
    return gallery


@pytest.fixture
def signed_in(client, alice):
    client.force_login(alice.user)
    return client


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_delivery_makes_each_photos_web_size_copy_privately(delivered, settings):
    big, small = delivered.photos.order_by("order")

    for shot, expected in ((big, (2048, 1365)), (small, (1200, 1600))):  # never enlarged
        assert shot.web, "made at delivery"
        assert shot.web.path.startswith(str(settings.PRIVATE_MEDIA_ROOT))
        with Image.open(shot.web.open("rb")) as image:
            assert (image.format, image.mode, image.size) == ("JPEG", "RGB", expected)
            assert not image.getexif()  # no camera data, no location


def test_making_the_web_size_twice_keeps_one_file(delivered):
    shot = delivered.photos.first()
    first = shot.web.name

    assert delivery.make_web_size(shot.pk) is False
    shot.refresh_from_db()
    assert shot.web.name == first


def test_the_web_size_download_is_a_jpeg_named_after_the_photo_and_logged(signed_in, delivered):
    shot = delivered.photos.order_by("order").first()

    response = signed_in.get(reverse("portal:download", args=[delivered.public_id, shot.key]) + "?size=web")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert 'filename="IMG_20261120_0142-web.jpg"' in response["Content-Disposition"]
    data = body(response)
    assert Image.open(io.BytesIO(data)).size == (2048, 1365)
    log = Download.objects.get()
    assert (log.photo, log.size, log.file_name, log.size_bytes) == (shot, "web", "IMG_20261120_0142-web.jpg", len(data))


def test_the_full_size_download_logs_its_file_and_size(signed_in, delivered):
    shot = delivered.photos.order_by("order").last()

    data = body(signed_in.get(reverse("portal:download", args=[delivered.public_id, shot.key])))

    log = Download.objects.get()
    assert (log.size, log.file_name, log.size_bytes) == ("full", "2026-11-20 Alice Byrne 0143.jpg", len(data))
    assert Image.open(io.BytesIO(data)).size == (1200, 1600)


@pytest.mark.parametrize("size", ["huge", "", "web%00"])
def test_an_unknown_size_is_a_400_and_logs_nothing(signed_in, delivered, size):
    shot = delivered.photos.first()

    response = signed_in.get(reverse("portal:download", args=[delivered.public_id, shot.key]) + f"?size={size}")

    assert response.status_code == 400
    assert not Download.objects.exists()


def test_a_web_size_copy_not_made_yet_says_so_and_is_asked_for_again(signed_in, delivered):
    shot = delivered.photos.first()
    shot.web.delete(save=True)  # as if its task were lost

    response = signed_in.get(reverse("portal:download", args=[delivered.public_id, shot.key]) + "?size=web")

    assert response.status_code == 302
    shot.refresh_from_db()
    assert shot.web, "the task was sent again (and ran here)"
    assert not Download.objects.exists()


def test_the_web_size_zip_holds_every_photo_at_web_size_and_is_logged(signed_in, delivered):
    signed_in.post(reverse("portal:request_zip", args=[delivered.public_id]), {"size": "web"})
    archive = delivered.zips.get()
    assert archive.size == "web" and archive.state == ZipArchive.State.READY
    page = signed_in.get(reverse("portal:zip", args=[delivered.public_id, archive.key])).content.decode()
    assert "All your photos in one zip, in web size" in page

    response = signed_in.get(reverse("portal:zip_download", args=[delivered.public_id, archive.key]))

    data = body(response)
    assert "(web size).zip" in response["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert sorted(zf.namelist()) == ["2026-11-20 Alice Byrne 0143-web.jpg", "IMG_20261120_0142-web.jpg"]
        assert Image.open(io.BytesIO(zf.read("IMG_20261120_0142-web.jpg"))).size == (2048, 1365)
    log = Download.objects.get()
    assert (log.archive, log.size, log.size_bytes) == (archive, "web", len(data))


def test_full_and_web_zips_are_separate_and_each_made_once(signed_in, delivered):
    url = reverse("portal:request_zip", args=[delivered.public_id])
    for size in ("full", "web", "full", "web"):
        signed_in.post(url, {"size": size})

    assert sorted(delivered.zips.values_list("size", flat=True)) == ["full", "web"]
    assert signed_in.post(url, {"size": "raw"}).status_code == 400


def test_the_delivered_gallery_shows_thumbnails_for_the_viewer_with_both_downloads(signed_in, delivered):
    html = signed_in.get(reverse("portal:gallery", args=[delivered.public_id])).content.decode()

    for shot in delivered.photos.all():
        photo_url = f"/portal/galleries/{delivered.public_id}/photos/{shot.key}/"
        assert f'<a href="{photo_url}" class="photo-link" data-proof="web.jpg?v=' in html  # beside the photo's
        assert f'href="/portal/galleries/{delivered.public_id}/photos/{shot.key}/download/?size=web"' in html
        assert f'href="/portal/galleries/{delivered.public_id}/photos/{shot.key}/download/"' in html
        assert shot.thumb.url in html
    assert "Download everything as a zip" in html and "Download everything in web size as a zip" in html


def test_the_viewer_image_is_the_web_size_copy_and_is_not_a_download(signed_in, delivered):
    shot = delivered.photos.order_by("order").first()

    response = signed_in.get(reverse("portal:web", args=[delivered.public_id, shot.key]))

    assert Image.open(io.BytesIO(body(response))).size == (2048, 1365)
    assert "attachment" not in response.get("Content-Disposition", "")
    assert not Download.objects.exists()


def test_a_delivered_photos_own_page_shows_it_with_its_downloads(signed_in, delivered):
    shot = delivered.photos.order_by("order").last()

    html = signed_in.get(reverse("portal:photo", args=[delivered.public_id, shot.key])).content.decode()

    assert "2 of 2" in html
    assert f"/photos/{shot.key}/web.jpg?v=" in html
    assert "Download web size" in html and "Download full size" in html
    assert "heart" not in html


def test_forgetting_the_client_deletes_the_web_size_copies_too(delivered):
    from photostudio import privacy

    paths = [shot.web.path for shot in delivered.photos.all()]
    assert all(os.path.exists(p) for p in paths)

    privacy.forget_client(delivered.client)

    assert not any(os.path.exists(p) for p in paths)
