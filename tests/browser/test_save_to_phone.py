"""On a phone, each delivered photo offers "Save to phone" (its web-size file, downloaded); on a laptop
the link stays out of the way, the "Web size" link beside it doing the same."""

import pytest

from galleries import delivery
from galleries.models import Favourite
from tests.browser.conftest import axe_violations
from tests.browser.realistic import long_named_client, make_proof_gallery, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def delivered(site):
    client = long_named_client()
    gallery = make_proof_gallery(client, photos=4, limit=2)
    for photo in gallery.photos.order_by("order")[:2]:
        Favourite.objects.create(photo=photo, gallery=gallery)
    delivery.deliver(gallery)  # its web-size copies are made in-process as it commits
    return gallery


def test_save_to_phone_shows_on_a_phone_and_downloads_the_web_size_jpeg(phone, site, delivered):
    sign_in(phone, site, delivered.client)
    phone.goto(f"/portal/galleries/{delivered.public_id}/")

    links = phone.locator(".finals .save-to-phone")
    assert links.count() == 2
    first = links.first
    assert first.is_visible()
    assert first.bounding_box()["height"] >= 44  # a thumb's target
    with phone.expect_download() as download:
        first.click()
    assert download.value.suggested_filename == "IMG_20261120_0142-web.jpg"
    assert axe_violations(phone) == []


def test_save_to_phone_is_hidden_on_a_laptop(page, site, delivered):
    sign_in(page, site, delivered.client)
    page.goto(f"/portal/galleries/{delivered.public_id}/")

    assert page.locator(".finals .save-to-phone").count() == 2
    assert page.locator(".finals .save-to-phone").first.is_hidden()
    assert page.get_by_role("link", name="Web size of IMG_20261120_0142.jpg").is_visible()
