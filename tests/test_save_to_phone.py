"""The "Save to phone" link on a delivered photo is the web-size file sent as a download: a JPEG with a
file name, so a phone's share sheet or download manager keeps it as a photo."""

import io
import re

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from PIL import Image

from galleries import delivery
from galleries.models import Download, Favourite, Gallery, Photo
from tests.factories import jpeg_bytes, make_gallery, make_user_client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_as_in_production")]

SAVE_LINK = re.compile(
    r'<a class="save-to-phone" href="([^"]+)">Save to phone<span class="visually-hidden">: ([^<]+)</span>'
)


@pytest.fixture
def alice(db):
    return make_user_client("Alice Byrne-Okonkwo", "alice.byrne@byrne-cole.example")


@pytest.fixture
def delivered(alice):
    """A 3000 × 2000 frame, chosen and delivered (its web-size copy made by the delivery's task)."""
    gallery = make_gallery(alice, title="Team portraits on site", status=Gallery.Status.PROOFING)
    shot = Photo(
        gallery=gallery, original_name="IMG_20261120_0142.jpg", content_hash="a" * 64, state="done",
        width=3000, height=2000, thumb_width=500, thumb_height=333, content_type="image/jpeg",
    )  # fmt: skip
    shot.original.save("IMG_20261120_0142.jpg", ContentFile(jpeg_bytes(size=(3000, 2000), seed=7)), save=False)
    for field in ("proof", "thumb", "thumb_2x"):
        getattr(shot, field).save(f"proofs/{shot.key}/{field}.jpg", ContentFile(jpeg_bytes((60, 40))), save=False)
    shot.save()
    Favourite.objects.create(photo=shot, gallery=gallery)
    delivery.deliver(gallery)
    return gallery


@pytest.fixture
def signed_in(client, alice):
    client.force_login(alice.user)
    return client


def test_each_delivered_photo_has_a_save_to_phone_link_to_its_web_size_file(signed_in, delivered):
    shot = delivered.photos.get()

    html = signed_in.get(reverse("portal:gallery", args=[delivered.public_id])).content.decode()

    (href, label), *others = SAVE_LINK.findall(html)
    assert not others
    assert href == reverse("portal:download", args=[delivered.public_id, shot.key]) + "?size=web"
    assert label == "IMG_20261120_0142.jpg in web size"


def test_save_to_phone_sends_a_jpeg_as_an_attachment_with_a_jpg_name(signed_in, delivered):
    html = signed_in.get(reverse("portal:gallery", args=[delivered.public_id])).content.decode()
    href = SAVE_LINK.search(html)[1].replace("&amp;", "&")

    response = signed_in.get(href)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert re.fullmatch(r'attachment; filename="?[^"/]+\.jpg"?', response["Content-Disposition"])
    assert response["Content-Disposition"] == 'attachment; filename="IMG_20261120_0142-web.jpg"'
    with Image.open(io.BytesIO(b"".join(response.streaming_content))) as image:
        assert (image.format, image.size) == ("JPEG", (2048, 1365))
    assert Download.objects.get(gallery=delivered).size == "web"


def test_someone_elses_save_to_phone_link_finds_nothing(client, delivered):
    bob = make_user_client("Bob Mensah", "bob.mensah@example.com")
    client.force_login(bob.user)
    shot = delivered.photos.get()

    response = client.get(reverse("portal:download", args=[delivered.public_id, shot.key]) + "?size=web")

    assert response.status_code == 404
    assert not Download.objects.exists()
