"""What the proof viewer over the grid is given by the server: each tile names its proof (the
access-checked view, never a public file), the proof's shape, its comments and where to send a new
one; the comment box and the heart answer in JSON under the same rules as the plain forms."""

import re
from decimal import Decimal

import pytest
from django.test import Client as WebClient
from django.urls import reverse

from galleries.models import Comment, Gallery, Photo
from tests.factories import make_ready_gallery, make_user_client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_as_in_production")]


@pytest.fixture
def alice(db):
    return make_user_client("Alice Byrne", "alice.byrne@byrne-cole.example")


@pytest.fixture
def gallery(alice):
    return make_ready_gallery(alice, photos=4, limit=2, price_per_extra=Decimal("35.00"))


def comment(client, gallery, photo, text):
    url = reverse("portal:comment", args=[gallery.public_id, photo.key])
    return client.post(url, {"text": text}, headers={"Accept": "application/json"})


def test_each_tile_gives_the_viewer_its_access_checked_proof_and_its_shape(client, alice, gallery):
    Photo.objects.filter(gallery=gallery).update(original_name="IMG_20261120_0142.jpg", width=6000, height=4000)
    client.force_login(alice.user)

    html = client.get(reverse("portal:gallery", args=[gallery.public_id])).content.decode()

    photo = gallery.photos.first()
    # The proof's address is beside the photo's (the viewer resolves it against the link), as is
    # the comments' (portal.js posts to the link's address + "comment/").
    photo_url = f"/portal/galleries/{gallery.public_id}/photos/{photo.key}/"
    proof = re.search(rf'<a href="{photo_url}" class="photo-link" data-proof="(proof\.jpg\?v=\w+)"', html)
    assert proof, "the tile names the access-checked proof"
    assert client.get(photo_url + proof.group(1)).status_code == 200
    assert 'data-width="2048" data-height="1365"' in html  # a 3:2 frame at the proof's long edge
    assert reverse("portal:comment", args=[gallery.public_id, photo.key]) == photo_url + "comment/"
    assert "/media/" not in proof.group(1)


def test_a_small_original_makes_a_proof_no_larger_than_itself(gallery):
    photo = gallery.photos.first()
    photo.width, photo.height, photo.thumb_width, photo.thumb_height = 900, 1200, 360, 480

    assert photo.proof_size == (900, 1200)


def test_the_selection_bar_says_what_is_included_and_what_an_extra_costs(client, alice, gallery):
    client.force_login(alice.user)

    html = client.get(reverse("portal:gallery", args=[gallery.public_id])).content.decode()

    bar = html.split('id="selection-bar"')[1].split('id="photo-grid"')[0]
    assert "0</span> of 2</strong> chosen" in bar
    assert "2 included, then £35.00 for each extra photo" in bar


def test_the_bar_says_the_package_size_when_no_extras_are_sold(client, alice):
    gallery = make_ready_gallery(alice, photos=3, limit=2)
    client.force_login(alice.user)

    html = client.get(reverse("portal:gallery", args=[gallery.public_id])).content.decode()

    assert "Your package includes 2 photos" in html


def test_the_heart_answers_with_the_extras_and_their_price(client, alice, gallery):
    client.force_login(alice.user)
    url = lambda p: reverse("portal:favourite", args=[gallery.public_id, p.key])  # noqa: E731
    for photo in gallery.photos.all()[:3]:
        response = client.post(url(photo), {"chosen": "1"}, headers={"Accept": "application/json"})

    assert response.json() | {"error": ""} == {
        "chosen": True, "count": 3, "limit": 2, "extras": 1, "extras_price": "35.00", "error": ""
    }  # fmt: skip


def test_a_comment_from_the_viewer_is_saved_and_echoed(client, alice, gallery):
    client.force_login(alice.user)
    photo = gallery.photos.first()

    response = comment(client, gallery, photo, "  Could you soften the shadow under the chin?  ")

    assert response.status_code == 200
    assert response.json()["text"] == "Could you soften the shadow under the chin?"
    assert Comment.objects.get(photo=photo).author == alice.user
    html = client.get(reverse("portal:gallery", args=[gallery.public_id])).content.decode()
    assert "Could you soften the shadow under the chin?</li>" in html  # carried by its tile for the viewer


@pytest.mark.parametrize(
    ("text", "message"),
    [("   ", "Write something first."), ("x" * 2001, "Please keep a comment under 2000 characters.")],
)
def test_an_empty_or_overlong_comment_is_a_400_with_the_reason(client, alice, gallery, text, message):
    client.force_login(alice.user)

    response = comment(client, gallery, gallery.photos.first(), text)

    assert response.status_code == 400
    assert response.json() == {"error": message}
    assert not Comment.objects.exists()


def test_a_comment_on_a_sent_selection_is_refused_with_409(client, alice, gallery):
    Gallery.objects.filter(pk=gallery.pk).update(status=Gallery.Status.SELECTION_SUBMITTED)
    client.force_login(alice.user)

    response = comment(client, gallery, gallery.photos.first(), "One more thing")

    assert response.status_code == 409
    assert "can't be changed" in response.json()["error"]
    assert not Comment.objects.exists()


def test_the_viewer_comment_needs_the_csrf_token(alice, gallery):
    browser = WebClient(enforce_csrf_checks=True)
    browser.force_login(alice.user)

    response = comment(browser, gallery, gallery.photos.first(), "Softer, please")

    assert response.status_code == 403
    assert not Comment.objects.exists()


def queries_for_gallery_page(client, gallery) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("portal:gallery", args=[gallery.public_id])).status_code == 200
    return len(queries)


@pytest.mark.parametrize("status", [Gallery.Status.PROOFING, Gallery.Status.DELIVERED])
def test_the_gallery_page_runs_as_many_queries_for_30_photos_as_for_3(client, alice, status):
    client.force_login(alice.user)
    counts = []
    for n in (3, 30):
        gallery = make_ready_gallery(alice, photos=n, limit=2, with_files=False, status=status)
        gallery.photos.update(delivered=True)
        for photo in gallery.photos.all():  # every tile carries its comments for the viewer
            Comment.objects.create(photo=photo, author=alice.user, text=f"Comment on {photo.original_name}")
        queries_for_gallery_page(client, gallery)  # the first look fills the per-process caches
        counts.append(queries_for_gallery_page(client, gallery))

    assert counts[0] == counts[1], counts
